"""Edit the boundaries of a consensus coding: start and end per theme, by line or offset."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from framework.errors import InputError
from framework.tui.dialogs.common import DIALOG_CSS
from framework.views.layout import LineIndex

_LINE = re.compile(r"[Ll](\d+)(?::(\d+))?")


@dataclass(frozen=True)
class BoundsRow:
    """A theme of the passage with the span proposed for it."""

    theme_id: str
    label: str
    start: int
    end: int


def position_text(index: LineIndex, offset: int) -> str:
    """An offset as ``L12:5`` (1-based line and column)."""
    row, column = index.location(offset)
    return f"L{row + 1}:{column + 1}"


def parse_position(value: str, index: LineIndex, *, end: bool) -> int:
    """``L12`` (start or end of line 12), ``L12:5`` (line 12, column 5) or a character offset."""
    value = value.strip()
    if value.isdigit():
        offset = int(value)
    else:
        match = _LINE.fullmatch(value)
        if match is None:
            raise InputError(f"{value!r}: give L12, L12:5 or a character offset.")
        row = int(match[1]) - 1
        if not 0 <= row < index.line_count:
            raise InputError(f"{value!r}: the document has lines 1 to {index.line_count}.")
        if match[2] is None:
            offset = index.line_end(row) if end else index.starts[row]
        else:
            offset = min(index.starts[row] + max(int(match[2]) - 1, 0), index.line_end(row))
    if not 0 <= offset <= len(index.text):
        raise InputError(f"{value!r} is outside the text (0 to {len(index.text)}).")
    return offset


class EditBoundsDialog(ModalScreen[list[tuple[int, int, str]] | None]):
    """Set the consensus span of each theme in a passage; blank start and end drop a theme."""

    DEFAULT_CSS = DIALOG_CSS.format(name="EditBoundsDialog") + """
    EditBoundsDialog > Vertical { width: 90; }
    EditBoundsDialog .bounds--row { height: auto; padding: 0; align-horizontal: left; }
    EditBoundsDialog .bounds--theme { width: 1fr; height: 1; text-style: bold; }
    EditBoundsDialog Input { width: 14; }
    EditBoundsDialog .bounds--preview { color: $text-muted; height: auto; max-height: 2; padding-bottom: 1; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True, id="bounds.save"),
        Binding("ctrl+up", "move_line(-1)", "Line up", id="bounds.up",
                tooltip="Move the boundary being edited one line up"),
        Binding("ctrl+down", "move_line(1)", "Line down", id="bounds.down",
                tooltip="Move the boundary being edited one line down"),
        Binding("escape", "cancel", "Cancel", id="bounds.cancel"),
    ]

    def __init__(self, title: str, text: str, rows: Sequence[BoundsRow]) -> None:
        super().__init__()
        self.title_text, self.rows = title, list(rows)
        self.index = LineIndex(text)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="dialog--title", markup=False)
            for n, row in enumerate(self.rows):
                with Horizontal(classes="bounds--row"):
                    yield Static(f"{row.theme_id} {row.label}", classes="bounds--theme", markup=False)
                    yield Input(position_text(self.index, row.start), id=f"start-{n}", compact=True,
                                placeholder="start")
                    yield Static(" to ", classes="bounds--to")
                    yield Input(position_text(self.index, row.end), id=f"end-{n}", compact=True, placeholder="end")
                yield Static("", id=f"preview-{n}", classes="bounds--preview", markup=False)
            yield Static("", classes="dialog--error")
            yield Static("L12 = start/end of line 12 · L12:5 = line 12, column 5 · or an offset · blank both to "
                         "leave a theme out · ctrl+↑/↓ a line · Enter or ctrl+s save · Esc cancel",
                         classes="dialog--hint")

    def on_mount(self) -> None:
        for n in range(len(self.rows)):
            self._preview(n)
        if self.rows:
            self.query_one("#start-0", Input).focus()

    def _spans(self) -> list[tuple[int, int, str]]:
        spans = []
        for n, row in enumerate(self.rows):
            start = self.query_one(f"#start-{n}", Input).value.strip()
            end = self.query_one(f"#end-{n}", Input).value.strip()
            if not start and not end:
                continue
            if not start or not end:
                raise InputError(f"{row.theme_id}: give both a start and an end (or leave both blank).")
            a = parse_position(start, self.index, end=False)
            b = parse_position(end, self.index, end=True)
            if b <= a:
                raise InputError(f"{row.theme_id}: the end must come after the start.")
            spans.append((a, b, row.theme_id))
        if not spans:
            raise InputError("Keep at least one theme (to drop them all, reject the passage instead).")
        return spans

    def _preview(self, n: int) -> None:
        preview = self.query_one(f"#preview-{n}", Static)
        try:
            a = parse_position(self.query_one(f"#start-{n}", Input).value, self.index, end=False)
            b = parse_position(self.query_one(f"#end-{n}", Input).value, self.index, end=True)
        except InputError:
            preview.update("")
            return
        words = " ".join(self.index.text[a:b].split())
        if len(words) > 150:
            words = words[:70] + " … " + words[-70:]
        preview.update(f"{b - a} characters: “{words}”" if b > a else "(empty)")

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self.query_one(".dialog--error", Static).update("")
        if event.input.id:
            self._preview(int(event.input.id.split("-")[1]))

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def action_move_line(self, step: int) -> None:
        field = self.focused
        if not isinstance(field, Input) or not field.id:
            return
        is_end = field.id.startswith("end-")
        try:
            offset = parse_position(field.value, self.index, end=is_end)
        except InputError:
            return
        row = min(max(self.index.row_of(offset) + step, 0), self.index.line_count - 1)
        field.value = f"L{row + 1}"

    def action_save(self) -> None:
        try:
            spans = self._spans()
        except InputError as error:
            self.query_one(".dialog--error", Static).update(str(error))
            return
        self.dismiss(spans)

    def action_cancel(self) -> None:
        self.dismiss(None)
