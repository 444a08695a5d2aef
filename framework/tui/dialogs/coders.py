"""Choose the coders to compare: two or more, ticked with the space bar."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, SelectionList, Static

from framework.tui.dialogs.common import DIALOG_CSS


class CoderSelection(ModalScreen[list[str] | None]):
    """Tick two or more coders (space), Enter to compare them, Escape to cancel."""

    DEFAULT_CSS = DIALOG_CSS.format(name="CoderSelection") + """
    CoderSelection SelectionList { height: auto; max-height: 14; border: none; }
    """
    BINDINGS = [
        Binding("enter", "confirm", "Compare", priority=True, id="coders.confirm"),
        Binding("escape", "cancel", "Cancel", id="coders.cancel"),
    ]

    def __init__(self, coders: Sequence[str], chosen: Sequence[str], *, title: str = "Compare the coders") -> None:
        super().__init__()
        self.coders, self.chosen, self.title_text = list(coders), set(chosen), title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="dialog--title", markup=False)
            yield SelectionList[str](*[(name, name, name in self.chosen) for name in self.coders])
            yield Static("", classes="dialog--error")
            yield Static("space tick/untick · Enter compare · Esc cancel", classes="dialog--hint")

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    @on(SelectionList.SelectedChanged)
    def _changed(self) -> None:
        self.query_one(".dialog--error", Static).update("")

    def action_confirm(self) -> None:
        selected = [c for c in self.coders if c in self.query_one(SelectionList).selected]
        if len(selected) < 2:
            self.query_one(".dialog--error", Static).update("Tick at least two coders.")
            return
        self.dismiss(selected)

    def action_cancel(self) -> None:
        self.dismiss(None)
