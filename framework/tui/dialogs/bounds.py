"""Edit the boundaries of a consensus coding: start and end per theme, by line or offset.

Each theme of the passage has its own line: its full id and label, then ``from`` and
``to`` fields (``L12``, ``L12:5`` or an offset) and the size of the span. Below, the whole
passage (from the start of its first line to the end of its last) is shown with the span
of the theme being edited highlighted, so both ends are seen before saving. Boundaries
snap to whole words unless the snap is turned off (ctrl+t): a span that ends one letter
into the next sentence is saved ending at the word before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, Static

from framework.errors import InputError
from framework.tui.dialogs.common import DIALOG_CSS
from framework.views.layout import LineIndex
from framework.views.review import snap_span

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
    EditBoundsDialog > Vertical { width: 100; }
    EditBoundsDialog .bounds--theme { width: 1fr; height: auto; text-style: bold; padding: 0; }
    EditBoundsDialog Horizontal.bounds--row { height: 1; padding: 0; align-horizontal: left; margin-bottom: 1; }
    EditBoundsDialog .bounds--word { width: auto; padding: 0 1 0 0; }
    EditBoundsDialog Input { width: 12; margin-right: 1; background: $foreground 12%; }
    EditBoundsDialog Input:focus { background: $primary 40%; }
    EditBoundsDialog .bounds--size { width: 1fr; color: $text-muted; }
    EditBoundsDialog #bounds-preview { height: auto; max-height: 12; border: round $primary 50%;
                                       padding: 0 1; }
    EditBoundsDialog #snap { margin-top: 1; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True, id="bounds.save"),
        Binding("ctrl+up", "move_line(-1)", "Line up", id="bounds.up",
                tooltip="Move the boundary being edited one line up"),
        Binding("ctrl+down", "move_line(1)", "Line down", id="bounds.down",
                tooltip="Move the boundary being edited one line down"),
        Binding("ctrl+t", "toggle_snap", "Snap to words", id="bounds.snap",
                tooltip="Snap the boundaries to whole words, or keep them to the character (on/off)"),
        Binding("escape", "cancel", "Cancel", id="bounds.cancel"),
    ]

    def __init__(self, title: str, text: str, rows: Sequence[BoundsRow],
                 passage: tuple[int, int] | None = None) -> None:
        super().__init__()
        self.title_text, self.rows = title, list(rows)
        self.index = LineIndex(text)
        starts = [r.start for r in self.rows] or [0]
        ends = [r.end for r in self.rows] or [0]
        self.passage = passage or (min(starts), max(ends))
        self.row = 0
        """The theme whose span the preview shows (the one last edited)."""
        self.shown = Text()
        """The passage as the preview shows it."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="dialog--title", markup=False)
            for n, row in enumerate(self.rows):
                yield Static(f"{row.theme_id}  {row.label}".strip(), classes="bounds--theme", markup=False)
                with Horizontal(classes="bounds--row"):
                    yield Label("from", classes="bounds--word")
                    yield Input(position_text(self.index, row.start), id=f"start-{n}", compact=True,
                                placeholder="start")
                    yield Label("to", classes="bounds--word")
                    yield Input(position_text(self.index, row.end), id=f"end-{n}", compact=True, placeholder="end")
                    yield Static("", id=f"size-{n}", classes="bounds--size", markup=False)
            with VerticalScroll(id="bounds-preview"):
                yield Static("", id="preview")
            yield Checkbox("Snap to whole words (ctrl+t)", True, id="snap", compact=True)
            yield Static("", classes="dialog--error")
            yield Static("L12 = start/end of line 12 · L12:5 = line 12, column 5 · or an offset · blank both to "
                         "leave a theme out · ctrl+↑/↓ a line · Enter or ctrl+s save · Esc cancel",
                         classes="dialog--hint")

    def on_mount(self) -> None:
        for n in range(len(self.rows)):
            self._describe(n)
        self._preview()
        if self.rows:
            self.query_one("#start-0", Input).focus()

    @property
    def snap(self) -> bool:
        return self.query_one("#snap", Checkbox).value

    def span_of(self, n: int) -> tuple[int, int] | None:
        """Row ``n``'s span as it would be saved (snapped if asked), None if blank or not valid."""
        start = self.query_one(f"#start-{n}", Input).value.strip()
        end = self.query_one(f"#end-{n}", Input).value.strip()
        if not start and not end:
            return None
        if not start or not end:
            raise InputError(f"{self.rows[n].theme_id}: give both a start and an end (or leave both blank).")
        a = parse_position(start, self.index, end=False)
        b = parse_position(end, self.index, end=True)
        if b <= a:
            raise InputError(f"{self.rows[n].theme_id}: the end must come after the start.")
        return snap_span(self.index.text, a, b) if self.snap else (a, b)

    def _spans(self) -> list[tuple[int, int, str]]:
        spans = []
        for n, row in enumerate(self.rows):
            span = self.span_of(n)
            if span is not None:
                spans.append((*span, row.theme_id))
        if not spans:
            raise InputError("Keep at least one theme (to drop them all, reject the passage instead).")
        return spans

    def _describe(self, n: int) -> None:
        size = self.query_one(f"#size-{n}", Static)
        try:
            span = self.span_of(n)
        except InputError:
            size.update("")
            return
        if span is None:
            size.update("left out")
            return
        a, b = span
        words = len(self.index.text[a:b].split())
        where = f"L{self.index.line_ref(a, b)}"
        size.update(f"{where} · {words} word{'s' if words != 1 else ''}, {b - a} characters")

    def _preview(self) -> None:
        """The whole passage, the span of the theme being edited highlighted."""
        text = self.index.text
        try:
            span = self.span_of(self.row) if self.rows else None
        except InputError:
            span = None
        lo, hi = self.passage
        if span is not None:
            lo, hi = min(lo, span[0]), max(hi, span[1])
        first = self.index.starts[self.index.row_of(lo)]
        last = self.index.line_end(self.index.row_of(max(lo, hi - 1)))
        shown = Text(no_wrap=False)
        if span is None:
            shown.append(text[first:last], style="dim")
        else:
            a, b = span
            shown.append(text[first:a], style="dim")
            shown.append(text[a:b], style="bold reverse")
            shown.append(text[b:last], style="dim")
        theme = self.rows[self.row].theme_id if self.rows else ""
        heading = Text.assemble((f"{theme}: ", "bold"), ("the passage, the new boundaries highlighted", "italic"))
        self.shown = shown
        self.query_one("#preview", Static).update(Text("\n").join([heading, shown]))

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self.query_one(".dialog--error", Static).update("")
        if event.input.id:
            self.row = int(event.input.id.split("-")[1])
            self._describe(self.row)
            self._preview()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    @on(events.DescendantFocus)
    def _focused(self, event: events.DescendantFocus) -> None:
        widget = event.widget
        if isinstance(widget, Input) and widget.id and widget.id.split("-")[0] in ("start", "end"):
            row = int(widget.id.split("-")[1])
            if row != self.row:
                self.row = row
                self._preview()

    @on(Checkbox.Changed, "#snap")
    def _snap_changed(self) -> None:
        for n in range(len(self.rows)):
            self._describe(n)
        self._preview()

    def action_toggle_snap(self) -> None:
        box = self.query_one("#snap", Checkbox)
        box.value = not box.value

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
