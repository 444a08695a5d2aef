"""Help: every key, read from the Bindings themselves so it cannot fall out of date."""

from __future__ import annotations

import dataclasses
import re

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

INTRO = (
    "Every action is saved the moment it happens; there is nothing to save. "
    "Select a passage (shift+arrows, ctrl+shift+arrows by word, v line, t turn, or drag with "
    "the mouse), then press c to pick a theme or 1-9 for a recent one. "
    "ctrl+p searches every action by name."
)


class HelpScreen(Screen[None]):
    """The keys of every screen; Escape, q or ? closes it."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="help.close")]

    def __init__(self, sections: list[tuple[str, list[Binding]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        yield Header(icon="▦")
        with VerticalScroll(id="help"):
            yield Static(INTRO, id="help-intro")
            for title, bindings in self.sections:
                yield Static(self._table(title, bindings), classes="help-section")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help").focus()

    def rows(self, bindings: list[Binding]) -> list[tuple[str, str]]:
        """(keys, what they do) of some bindings; numbered keys (1, 2, 3...) on one row as ``1-N``."""
        out = []
        numbered = [b for b in bindings if b.id and b.id[-1].isdigit() and b.key.isdigit()]
        if numbered:
            first = numbered[0]
            span = f"1-{len(numbered)}"
            out.append((span, re.sub(rf"\b{re.escape(first.key)}\b", span, first.tooltip or first.description,
                                     count=1)))
        for binding in bindings:
            if binding in numbered:
                continue
            keys = ", ".join(self.app.get_key_display(dataclasses.replace(binding, key=k.strip()))
                             for k in binding.key.split(","))
            out.append((keys, binding.tooltip or binding.description or binding.action.replace("_", " ")))
        return out

    def _table(self, title: str, bindings: list[Binding]) -> Table:
        table = Table(title=Text(title, style="bold"), title_justify="left", show_header=False,
                      box=None, padding=(0, 2, 0, 0), expand=True)
        table.add_column("key", style="bold", no_wrap=True, min_width=18)
        table.add_column("action", ratio=1)
        for keys, what in self.rows(bindings):
            table.add_row(Text(keys), Text(what))
        return table

    def action_close(self) -> None:
        self.app.pop_screen()
