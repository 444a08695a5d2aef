"""The transcript: a read-only TextArea painting coded passages, speaker labels and matches."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.actions import SkipAction
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.document._wrapped_document import WrappedDocument
from textual.geometry import Offset
from textual.widgets import TextArea
from textual.widgets.text_area import Selection

from framework.store import Coding, Unit
from framework.views.catalog import ThemeCatalog
from framework.views.layout import CodingLayout, LineIndex, Turn, turns

# Characters other than "\n" that str.splitlines() (and so TextArea) breaks lines on.
# Stored text has none (it is normalised on import); if one slipped through it is shown
# as a space of the same length so that rows and offsets still agree.
_OTHER_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_DISPLAY = str.maketrans({ch: " " for ch in _OTHER_BREAKS})

class _RowCountingDocument(WrappedDocument):
    """A wrapped document that counts its rows once per wrap, not on every call.

    TextArea asks for ``height`` for every line it paints, and the plain property sums
    over every line of the text: on a long transcript that alone took a good part of a
    repaint. The count is kept until the text is wrapped again.
    """

    _rows: int | None = None

    def wrap(self, width: int, tab_width: int | None = None) -> None:
        self._rows = None
        super().wrap(width, tab_width)

    def wrap_range(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self._rows = None
        return super().wrap_range(*args, **kwargs)

    @property
    def height(self) -> int:
        if self._rows is None:
            self._rows = super().height
        return self._rows


MINE_STRENGTH = 0.42
"""How much of a theme's colour shows behind the coder's own coded text."""
OVERLAP_STRENGTH = 0.62


class TranscriptView(TextArea):
    """A transcript with line numbers, coded passages in theme colours and speaker labels.

    Selection, cursor movement and mouse dragging are TextArea's own. Offsets reported by
    :meth:`selected_span` are code-point offsets into the stored text.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = TextArea.COMPONENT_CLASSES | {
        "transcript--speaker",
        "transcript--speaker-alt",
        "transcript--overlap",
        "transcript--other",
        "transcript--match",
        "transcript--match-current",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="transcript.down"),
        Binding("k", "cursor_up", "Up", show=False, id="transcript.up"),
        Binding("v", "select_lines", "Select line", show=False, id="transcript.select_lines",
                tooltip="Extend the selection to whole lines"),
        Binding("t", "select_turn", "Select turn", id="transcript.select_turn",
                tooltip="Extend the selection to the whole speaker turn (again: the next turn too)"),
        Binding("a", "select_passage", "Select passage", show=False, id="transcript.select_passage",
                tooltip="Select the coded passage at the cursor"),
        Binding("escape", "clear_selection", "Clear selection", show=False, id="transcript.clear"),
    ]

    DEFAULT_CSS = """
    TranscriptView {
        border: none;
        padding: 0;
        background: $surface;
        & .transcript--speaker { color: $text-accent; text-style: bold; }
        & .transcript--speaker-alt { color: $text-success; text-style: bold; }
        & .transcript--overlap { text-style: underline bold; }
        & .transcript--other { text-style: underline; }
        & .transcript--match { background: $warning 35%; }
        & .transcript--match-current { background: $warning 80%; color: $text; text-style: bold; }
        &:focus { border: none; }
    }
    """

    @property
    def wrapped_document(self) -> WrappedDocument:
        return self._wrapped

    @wrapped_document.setter
    def wrapped_document(self, document: WrappedDocument) -> None:
        if type(document) is WrappedDocument:
            document.__class__ = _RowCountingDocument  # the same object, counting its rows once
        self._wrapped = document

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(
            "", read_only=True, soft_wrap=True, show_line_numbers=True,
            highlight_cursor_line=False, id=id, classes=classes,
        )
        self.index = LineIndex("")
        self.layout_map = CodingLayout(self.index)
        self.turn_list: list[Turn] = []
        self._turn_starts: list[int] = []
        self._labels: dict[int, list[tuple[int, int, bool]]] = {}
        self.catalog = ThemeCatalog()
        self.coder = ""
        self.show_others = False
        self.matches: list[tuple[int, int]] = []
        self._match_starts: list[int] = []
        self.current_match = -1
        self._styles: dict[tuple[str, ...], Style] = {}
        self._style_theme: str | None = None
        self.rows_cache: int | None = None
        """The number of wrapped rows, while the stripes paint."""
        self._painted: dict[int, Text] = {}
        """Painted lines by index; TextArea asks for a line once per wrapped row."""

    # -- content -----------------------------------------------------------------------

    def show_document(self, text: str, units: Sequence[Unit], codings: Iterable[Coding]) -> None:
        """Load a document's text, turns and codings (call on the UI thread)."""
        self.index = LineIndex(text)
        self.layout_map = CodingLayout(self.index)
        self.layout_map.set(codings)
        self.turn_list = turns(text, units)
        self._turn_starts = [t.start for t in self.turn_list]
        self._labels = {}
        speakers: dict[str, int] = {}
        for turn in self.turn_list:
            if turn.label_end is None or turn.speaker is None:
                continue
            order = speakers.setdefault(turn.speaker, len(speakers))
            row = self.index.row_of(turn.start)
            base = self.index.starts[row]
            self._labels.setdefault(row, []).append((turn.start - base, turn.label_end - base, order % 2 == 1))
        self.matches, self._match_starts, self.current_match = [], [], -1
        self._painted.clear()
        self.load_text(text.translate(_DISPLAY) if any(ch in text for ch in _OTHER_BREAKS) else text)

    def set_codings(self, codings: Iterable[Coding]) -> None:
        self.layout_map.set(codings)
        self.repaint()

    def set_view(self, catalog: ThemeCatalog, coder: str, show_others: bool) -> None:
        self.catalog, self.coder, self.show_others = catalog, coder, show_others
        self._styles.clear()
        self.repaint()

    def set_matches(self, matches: Sequence[tuple[int, int]], current: int = -1) -> None:
        self.matches = list(matches)
        self._match_starts = [m[0] for m in self.matches]
        self.current_match = current
        self.repaint()

    def repaint(self) -> None:
        """Redraw after codings, themes or matches changed (TextArea caches its lines)."""
        self._painted.clear()
        self.notify_style_update()
        self.refresh()

    def repaint_span(self, start: int, end: int) -> None:
        """Redraw only the lines of ``[start, end)``: the other rows keep their cached strips."""
        first, last = self.index.row_of(start), self.index.row_of(max(start, end - 1))
        for row in range(first, last + 1):
            self._painted.pop(row, None)
        cache = getattr(self, "_line_cache", None)
        if cache is None:
            self.repaint()
            return
        wrapped = self.wrapped_document
        top = wrapped.location_to_offset((first, 0)).y
        bottom = wrapped.location_to_offset((last, len(self.document.get_line(last)))).y
        for key in list(cache.keys()):
            if isinstance(key, tuple) and len(key) > 2 and top <= key[2] <= bottom:
                cache.discard(key)
        self.refresh()

    def is_shown(self, coding: Coding) -> bool:
        return coding.coder == self.coder or self.show_others

    def is_mine(self, coding: Coding) -> bool:
        return coding.coder == self.coder

    # -- offsets and selection ------------------------------------------------------------

    @property
    def cursor_offset(self) -> int:
        return self.index.offset(self.selection.end)

    def selected_span(self) -> tuple[int, int] | None:
        """The selected characters as ``(start, end)`` offsets, or None if nothing is selected."""
        a = self.index.offset(self.selection.start)
        b = self.index.offset(self.selection.end)
        start, end = min(a, b), max(a, b)
        return (start, end) if end > start else None

    def select_span(self, start: int, end: int) -> None:
        self.selection = Selection(self.index.location(start), self.index.location(end))
        self.scroll_cursor_visible(center=True)

    def goto_offset(self, offset: int, *, center: bool = True) -> None:
        location = self.index.location(offset)
        self.selection = Selection(location, location)
        self.scroll_cursor_visible(center=center)

    def goto_line(self, line: int) -> None:
        row = min(max(line - 1, 0), self.index.line_count - 1)
        self.selection = Selection((row, 0), (row, 0))
        self.scroll_to(y=self.wrapped_document.location_to_offset((row, 0)).y, animate=False)

    def turn_at(self, offset: int) -> Turn | None:
        i = bisect_left(self._turn_starts, offset + 1) - 1
        if i >= 0 and self.turn_list[i].start <= offset <= self.turn_list[i].end:
            return self.turn_list[i]
        return None

    def visual_row_span(self, y: int) -> tuple[int, int] | None:
        """Offsets ``(start, end)`` shown on wrapped row ``y`` (from the top of the document)."""
        wrapped = self.wrapped_document
        height = self.rows_cache if self.rows_cache is not None else wrapped.height
        if y < 0 or y >= height:
            return None
        info = getattr(wrapped, "_offset_to_line_info", None)
        if info is not None and y < len(info) and info[y] is not None:
            row, section = info[y]
            wraps = wrapped.get_offsets(row)
            column = wraps[section - 1] if section else 0
        else:
            row, column = wrapped.offset_to_location(Offset(0, y))
            wraps = wrapped.get_offsets(row)
        following = [w for w in wraps if w > column]
        line_start = self.index.starts[row] if row < self.index.line_count else len(self.index.text)
        line_end = self.index.line_end(row) if row < self.index.line_count else line_start
        end = line_start + following[0] if following else line_end
        return line_start + column, end

    # -- selection keys -----------------------------------------------------------------------

    def action_select_lines(self) -> None:
        """Extend the selection to cover whole lines."""
        top, bottom = sorted(self.selection)
        if bottom[1] == 0 and bottom[0] > top[0]:
            bottom = (bottom[0] - 1, 0)
        end_row = bottom[0]
        self.selection = Selection((top[0], 0), (end_row, len(self.document.get_line(end_row))))

    def action_select_turn(self) -> None:
        """Extend the selection to the speaker turn(s) it touches, without the speaker label."""
        if not self.turn_list:
            self.action_select_lines()
            return
        span = self.selected_span()
        start, end = span if span else (self.cursor_offset, self.cursor_offset)
        first = self.turn_at(start) or self._next_turn(start)
        last = self.turn_at(max(start, end - 1)) or first
        if first is None or last is None:
            return
        new_start, new_end = first.body, last.end
        if (new_start, new_end) == span:
            following = self._next_turn(last.end)
            if following is not None:
                new_end = following.end
        self.selection = Selection(self.index.location(new_start), self.index.location(new_end))
        self.scroll_cursor_visible()

    def _next_turn(self, offset: int) -> Turn | None:
        i = bisect_left(self._turn_starts, offset + 1)
        return self.turn_list[i] if i < len(self.turn_list) else None

    def action_select_passage(self) -> None:
        """Select the (innermost) coded passage at the cursor."""
        here = self.layout_map.at(self.cursor_offset, self.is_shown)
        if here:
            coding = min(here, key=lambda c: (c.end - c.start, -c.id))
            self.select_span(coding.start, coding.end)

    def action_clear_selection(self) -> None:
        if self.selection.is_empty:
            raise SkipAction()
        end = self.selection.end
        self.selection = Selection(end, end)

    # -- painting ------------------------------------------------------------------------------

    def _style(self, *key: str) -> Style:
        """Rich styles for theme colours (blended into the background) and overlaps, cached."""
        if self._style_theme != self.app.theme:
            self._styles.clear()
            self._painted.clear()
            self._style_theme = self.app.theme
        style = self._styles.get(key)
        if style is None:
            style = self._make_style(*key)
            self._styles[key] = style
        return style

    def _make_style(self, kind: str, *theme_ids: str) -> Style:
        base = self.background_colors[1]
        colours = [Color.parse(self.catalog.colour(t)) for t in theme_ids]
        if kind == "mine":
            return Style(bgcolor=base.blend(colours[0], MINE_STRENGTH).rich_color)
        if kind == "overlap":
            r = sum(c.r for c in colours) // len(colours)
            g = sum(c.g for c in colours) // len(colours)
            b = sum(c.b for c in colours) // len(colours)
            mixed = base.blend(Color(r, g, b), OVERLAP_STRENGTH)
            return Style(bgcolor=mixed.rich_color) + self.get_component_rich_style(
                "transcript--overlap", partial=True)
        if kind == "other":
            colour = base.blend(colours[0], 0.85).rich_color
            return self.get_component_rich_style("transcript--other", partial=True) + Style(color=colour)
        return self.get_component_rich_style(kind, partial=True)

    def get_line(self, line_index: int) -> Text:
        if self._style_theme != self.app.theme:
            self._style("transcript--speaker")
        painted = self._painted.get(line_index)
        if painted is None or painted.plain != self.document.get_line(line_index):
            painted = self._paint(line_index)
            self._painted[line_index] = painted
        return painted.copy()

    def _paint(self, line_index: int) -> Text:
        line = super().get_line(line_index)
        for start, end, alt in self._labels.get(line_index, ()):
            line.stylize(self._style("transcript--speaker-alt" if alt else "transcript--speaker"), start, end)
        for start, end, covering in self.layout_map.segments(line_index, self.is_shown):
            if start == end:
                continue
            mine = sorted({c.theme_id for c in covering if self.is_mine(c)})
            others = [c for c in covering if not self.is_mine(c)]
            if len(mine) == 1 and len([c for c in covering if self.is_mine(c)]) == 1:
                line.stylize(self._style("mine", mine[0]), start, end)
            elif mine:
                line.stylize(self._style("overlap", *mine), start, end)
            if others:
                line.stylize(self._style("other", others[0].theme_id), start, end)
        if self.matches:
            self._paint_matches(line, line_index)
        return line

    def _paint_matches(self, line: Text, row: int) -> None:
        line_start = self.index.starts[row]
        line_end = self.index.line_end(row)
        i = max(0, bisect_left(self._match_starts, line_start) - 1)
        while i < len(self.matches) and self.matches[i][0] <= line_end:
            start, end = self.matches[i]
            if end > line_start:
                kind = "transcript--match-current" if i == self.current_match else "transcript--match"
                line.stylize(self._style(kind), max(start, line_start) - line_start, min(end, line_end) - line_start)
            i += 1
