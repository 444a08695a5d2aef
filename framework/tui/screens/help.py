"""Help: every key, read from the Bindings themselves so it cannot fall out of date."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static, TextArea

# TextArea's own keys that make sense in a read-only transcript.
_TEXTAREA_ACTIONS = ("cursor_", "select_", "copy")

INTRO = (
    "Every action is saved the moment it happens; there is nothing to save. "
    "Select a passage (shift+arrows, ctrl+shift+arrows by word, v line, t turn, or drag with "
    "the mouse), then press c to pick a theme or 1-9 for a recent one. "
    "ctrl+p searches every action by name."
)


def _bindings(items: Iterable[BindingType]) -> list[Binding]:
    return [b for b in items if isinstance(b, Binding)]


def sections() -> list[tuple[str, list[Binding]]]:
    """Every screen's and widget's keys, grouped as the user meets them."""
    from ..app import FrameworkApp
    from ..dialogs.bounds import EditBoundsDialog
    from ..dialogs.coders import CoderSelection
    from ..dialogs.common import ChoiceDialog, ConfirmDialog
    from ..dialogs.memo import MemoDialog
    from ..dialogs.pseudonym_entry import EntryDialog
    from ..dialogs.theme_picker import ThemePicker
    from ..widgets.transcript import TranscriptView
    from .agreement import AgreementScreen
    from .cell_editor import CellEditorScreen
    from .documents import DocumentsScreen
    from .mapping import MappingScreen
    from .matrix import MatrixScreen
    from .pseudonyms import PseudonymScreen
    from .reader import ReaderScreen
    from .retrieval import RetrievalScreen
    from .review import ReviewScreen

    everywhere = _bindings(FrameworkApp.BINDINGS) + [
        Binding(App.COMMAND_PALETTE_BINDING, "command_palette", "Command palette: every action by name"),
        Binding("ctrl+q", "quit", "Quit"),
    ]
    moving = _bindings(TranscriptView.BINDINGS) + [
        b for b in _bindings(TextArea.BINDINGS) if b.action.startswith(_TEXTAREA_ACTIONS)
    ]
    return [
        ("Everywhere", everywhere),
        ("Documents", _bindings(DocumentsScreen.BINDINGS)),
        ("Reader: coding", _bindings(ReaderScreen.BINDINGS)),
        ("Reader: moving and selecting", moving),
        ("Theme picker", _bindings(ThemePicker.BINDINGS)),
        ("Retrieval", _bindings(RetrievalScreen.BINDINGS)),
        ("Matrix (charts)", _bindings(MatrixScreen.BINDINGS)),
        ("Cell editor", _bindings(CellEditorScreen.BINDINGS)),
        ("Mapping", _bindings(MappingScreen.BINDINGS)),
        ("Agreement", _bindings(AgreementScreen.BINDINGS) + _bindings(CoderSelection.BINDINGS)),
        ("Review and consensus", _bindings(ReviewScreen.BINDINGS) + _bindings(EditBoundsDialog.BINDINGS)),
        ("Pseudonym key", _bindings(PseudonymScreen.BINDINGS) + _bindings(EntryDialog.BINDINGS)),
        ("Memo, choices and questions", _bindings(MemoDialog.BINDINGS) + _bindings(ChoiceDialog.BINDINGS)[:1]
         + _bindings(ConfirmDialog.BINDINGS)),
    ]


class HelpScreen(Screen[None]):
    """The keys of every screen; Escape, q or ? closes it."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="help.close")]

    def compose(self) -> ComposeResult:
        yield Header(icon="▦")
        with VerticalScroll(id="help"):
            yield Static(INTRO, id="help-intro")
            for title, bindings in sections():
                yield Static(self._table(title, bindings), classes="help-section")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help").focus()

    def _table(self, title: str, bindings: list[Binding]) -> Table:
        table = Table(title=Text(title, style="bold"), title_justify="left", show_header=False,
                      box=None, padding=(0, 2, 0, 0), expand=True)
        table.add_column("key", style="bold", no_wrap=True, min_width=18)
        table.add_column("action", ratio=1)
        numbered = [b for b in bindings if b.id and b.id[-1].isdigit() and b.key.isdigit()]
        if numbered:
            first = numbered[0]
            table.add_row(Text(f"1-{len(numbered)}"), Text((first.tooltip or first.description).replace(" 1", " 1-9")))
        for binding in bindings:
            if binding in numbered:
                continue
            keys = ", ".join(self.app.get_key_display(dataclasses.replace(binding, key=k.strip()))
                             for k in binding.key.split(","))
            what = binding.tooltip or binding.description or binding.action.replace("_", " ")
            table.add_row(Text(keys), Text(what))
        return table

    def action_close(self) -> None:
        self.app.pop_screen()
