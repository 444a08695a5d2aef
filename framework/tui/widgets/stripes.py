"""Coding stripes: a margin beside the transcript naming the themes coded on each row."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.strip import Strip
from textual.widget import Widget

from framework.tui.widgets.transcript import TranscriptView

BAR = "▌"
MEMO_MARK = "*"


class CodingStripes(Widget):
    """For every row of the transcript on screen: a coloured bar and the id of each theme there.

    A theme's id is written on the row where its passage starts (and on the first row shown);
    the rows it continues over show its bar only. Own codings are solid bars; others' (when
    shown) are thin. A ``*`` marks a passage with a memo.
    """

    COMPONENT_CLASSES = {"stripes--label", "stripes--other"}

    DEFAULT_CSS = """
    CodingStripes {
        width: 12;
        height: 1fr;
        background: $panel;
        & .stripes--label { color: $foreground; }
        & .stripes--other { color: $foreground 60%; }
    }
    """

    def __init__(self, view: TranscriptView, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view = view
        self._base: Style | None = None
        self._painting: dict[object, Style] = {}

    def on_mount(self) -> None:
        self.watch(self.view, "scroll_y", self._scrolled, init=False)
        self.watch(self.view, "virtual_size", self._scrolled, init=False)

    def _scrolled(self, _value: object = None) -> None:
        self.refresh()

    def render_lines(self, crop):  # type: ignore[no-untyped-def]
        # WrappedDocument.height sums over every line: look it up once per paint, not per row.
        self.view.rows_cache = self.view.wrapped_document.height
        self._base = Style(bgcolor=self.background_colors[1].rich_color)
        try:
            return super().render_lines(crop)
        finally:
            self.view.rows_cache = None
            self._base = None
            self._painting = {}

    def _style(self, key: object, make) -> Style:  # type: ignore[no-untyped-def]
        """A style looked up once per paint (theme colours and label styles)."""
        style = self._painting.get(key)
        if style is None:
            style = self._painting[key] = make()
        return style

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        view = self.view
        base = self._base or Style(bgcolor=self.background_colors[1].rich_color)
        absolute = int(view.scroll_y) + y
        span = view.visual_row_span(absolute)
        if span is None:
            return Strip.blank(width, base)
        start, end = span
        row = view.index.row_of(start)
        codings = [
            c for c in view.layout_map.on_line(row, view.is_shown)
            if c.start < max(end, start + 1) and c.end > start
        ]
        if not codings:
            return Strip.blank(width, base)
        codings.sort(key=lambda c: (not view.is_mine(c), c.start, c.theme_id, c.id))
        label_style = self._style("label", lambda: base + self.get_component_rich_style("stripes--label", partial=True))
        other_style = self._style("other", lambda: base + self.get_component_rich_style("stripes--other", partial=True))
        segments: list[Segment] = []
        used = 0
        seen: set[tuple[str, bool]] = set()
        for coding in codings:
            mine = view.is_mine(coding)
            key = (coding.theme_id, mine)
            if key in seen:
                continue
            seen.add(key)
            colour = view.catalog.colour(coding.theme_id)
            bar = Segment(BAR if mine else "│", self._style(
                ("bar", colour), lambda c=colour: base + Style(color=Color.parse(c).rich_color, bold=True)))
            named = coding.start >= start or y == 0
            text = coding.theme_id + (MEMO_MARK if coding.memo else "") if named else ""
            cost = 1 + len(text) + 1
            if used + cost > width:
                if used < width:
                    segments.append(Segment("…", label_style))
                    used += 1
                break
            segments.append(bar)
            if text:
                segments.append(Segment(text, label_style if mine else other_style))
            segments.append(Segment(" ", base))
            used += cost
        return Strip(segments, used).extend_cell_length(width, base).crop(0, width)
