"""Write or edit the memo on a coded passage."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static, TextArea

from framework.tui.dialogs.common import DIALOG_CSS


class MemoDialog(ModalScreen[str | None]):
    """A multi-line memo editor: ``ctrl+s`` saves, Escape cancels (an empty memo removes it)."""

    DEFAULT_CSS = DIALOG_CSS.format(name="MemoDialog") + """
    MemoDialog TextArea { height: 10; }
    MemoDialog .memo--quote { color: $text-muted; height: auto; max-height: 4; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save memo", priority=True, id="memo.save"),
        Binding("escape", "cancel", "Cancel", id="memo.cancel"),
    ]

    def __init__(self, title: str, quote: str, memo: str) -> None:
        super().__init__()
        self.title_text, self.quote, self.memo = title, quote, memo

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="dialog--title", markup=False)
            quote = self.quote if len(self.quote) <= 240 else self.quote[:237] + "…"
            yield Static(f"“{quote}”", classes="memo--quote", markup=False)
            yield TextArea(self.memo, id="memo", soft_wrap=True, tab_behavior="focus")
            yield Static("ctrl+s save · Esc cancel", classes="dialog--hint")

    def on_mount(self) -> None:
        area = self.query_one("#memo", TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        self.dismiss(self.query_one("#memo", TextArea).text.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
