"""Add or edit one row of the pseudonym key: a term and its replacement."""

from __future__ import annotations

from collections.abc import Collection

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from framework.confidentiality.key import mark
from framework.tui.dialogs.common import DIALOG_CSS


class EntryDialog(ModalScreen[tuple[str, str] | None]):
    """Two fields, term and replacement; Enter moves on and then saves, Escape cancels.

    Returns ``(term, replacement)`` with white space collapsed, or ``None``.
    """

    DEFAULT_CSS = DIALOG_CSS.format(name="EntryDialog") + """
    EntryDialog .entry--label { color: $text-muted; padding: 0 0 0 1; }
    EntryDialog .entry--shown { color: $text-muted; padding: 0 0 0 1; height: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="entry.cancel")]

    def __init__(self, title: str, *, term: str = "", replacement: str = "",
                 taken: Collection[str] = (), hint: str = "") -> None:
        """``taken``: the other terms of the key, case-folded (a term may be in the key once)."""
        super().__init__()
        self.title_text, self.term, self.replacement, self.hint = title, term, replacement, hint
        self.taken = set(taken)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="dialog--title", markup=False)
            yield Label("Term (a name, place or organisation as written in the texts)", classes="entry--label")
            yield Input(self.term, placeholder="e.g. Margaret Hill", id="term")
            yield Label("Replacement", classes="entry--label")
            yield Input(self.replacement, placeholder="e.g. Director A", id="replacement")
            yield Static("", id="shown", classes="entry--shown", markup=False)
            yield Static("", classes="dialog--error", markup=False)
            yield Static(self.hint or "Enter: next field, then save · Esc: cancel", classes="dialog--hint",
                         markup=False)

    def on_mount(self) -> None:
        self._show_marked(self.replacement)
        self.query_one("#replacement" if self.term else "#term", Input).focus()

    @on(Input.Changed, "#replacement")
    def _replacement_changed(self, event: Input.Changed) -> None:
        self._show_marked(event.value)

    def _show_marked(self, value: str) -> None:
        shown = f"In exports: {mark(value)}" if value.strip() else ""
        self.query_one("#shown", Static).update(shown)

    @on(Input.Submitted, "#term")
    def _term_submitted(self) -> None:
        self.query_one("#replacement", Input).focus()

    @on(Input.Submitted, "#replacement")
    def _replacement_submitted(self) -> None:
        term = " ".join(self.query_one("#term", Input).value.split())
        replacement = " ".join(self.query_one("#replacement", Input).value.split())
        error = ""
        if not term:
            error = "Give the term to replace."
        elif not replacement:
            error = "Give its replacement."
        elif term.casefold() in self.taken:
            error = f"{term!r} is already in the key; edit that entry instead."
        if error:
            self.query_one(".dialog--error", Static).update(error)
            self.query_one("#replacement" if term and not replacement else "#term", Input).focus()
            return
        self.dismiss((term, replacement))

    def action_cancel(self) -> None:
        self.dismiss(None)
