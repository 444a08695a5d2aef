"""A table of many rows that are read a page at a time, for lists of 100,000 answers or more.

The screen hands it the order of the rows as ids (with group headings) and the rows it has
read; the table paints what is on screen (Line API), asks for the rows it lacks with
:class:`PagedTable.Wanted`, and keeps the cursor and the marked rows. Columns share the width:
long values are cut with an ellipsis, and the mouse over a cut value shows it whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from framework.views.paging import PAGE, Entry, Heading, fit_widths

GAP = 1
"""Cells between columns."""


@dataclass(frozen=True)
class Column:
    """A column: its key and title, the width it wants (0: measured from the first rows), its
    limits, whether it takes the width left over, and whether its text wraps in tall rows."""

    key: str
    title: str
    natural: int = 0
    minimum: int = 4
    maximum: int = 32
    flexible: bool = False
    justify: str = "left"
    wrap: bool = False
    keep: bool = False
    """Cut last when the columns do not fit (names that say which row it is)."""


Cells = Callable[[Any], Sequence[Text]]


class PagedTable(ScrollView, can_focus=True):
    """Rows by id, painted as they come into view; a cursor, marks and sortable headers."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "paged-table--header", "paged-table--cursor", "paged-table--marked", "paged-table--heading",
        "paged-table--placeholder", "paged-table--odd",
    }
    DEFAULT_CSS = """
    PagedTable {
        background: $surface;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
        & > .paged-table--header { text-style: bold; background: $panel; color: $text; }
        & > .paged-table--cursor { background: $block-cursor-blurred-background; }
        &:focus > .paged-table--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
        & > .paged-table--marked { background: $accent 30%; }
        & > .paged-table--heading { text-style: bold; color: $text-primary; background: $boost; }
        & > .paged-table--placeholder { color: $text-muted; }
        & > .paged-table--odd { background: $surface-lighten-1 30%; }
    }
    """
    BINDINGS: ClassVar = [
        Binding("up,k", "move(-1)", "Up", show=False, id="table.up"),
        Binding("down,j", "move(1)", "Down", show=False, id="table.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="table.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="table.page_down"),
        Binding("home", "jump(0)", "First", show=False, id="table.first"),
        Binding("end", "jump(-1)", "Last", show=False, id="table.last"),
        Binding("enter", "choose", "Open", show=False, id="table.choose"),
    ]

    cursor: reactive[int] = reactive(0, init=False)
    row_height: reactive[int] = reactive(1, init=False)

    @dataclass
    class Wanted(Message):
        """Rows the table is about to paint and has not been given."""

        table: PagedTable
        ids: list[int]

    @dataclass
    class Highlighted(Message):
        table: PagedTable
        entry: Entry | None

    @dataclass
    class Chosen(Message):
        table: PagedTable
        entry: Entry

    @dataclass
    class HeaderClicked(Message):
        table: PagedTable
        key: str

    def __init__(self, cells: Cells, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.cells = cells
        self.columns: list[Column] = []
        self.titles: dict[str, str] = {}
        self.entries: list[Entry] = []
        self.rows: dict[int, Any] = {}
        self.stale: dict[int, Any] = {}
        self.marks: set[int] = set()
        self.pending: set[int] = set()
        self.widths: list[int] = []
        self._natural: dict[str, int] = {}
        self._index: dict[int, int] = {}
        self._cells: dict[int, Sequence[Text]] = {}
        self._wrapped: dict[tuple[int, int, int], list[Text]] = {}
        self._missing = False

    # -- what to show --------------------------------------------------------------------------------

    def set_columns(self, columns: Sequence[Column]) -> None:
        self.columns = list(columns)
        self.titles = {c.key: c.title for c in columns}
        self._natural = {}
        self._cells.clear()
        self._wrapped.clear()
        self._fit()

    def set_titles(self, titles: dict[str, str]) -> None:
        """New header texts (sort marks), keeping the widths."""
        self.titles.update(titles)
        self.refresh()

    def set_entries(self, entries: list[Entry], rows: dict[int, Any], *, keep: int | None = None) -> None:
        """A new order (after filtering, sorting or grouping) and the rows read with it."""
        current = keep if keep is not None else self.current_id
        self.entries = entries
        self._index = {e: i for i, e in enumerate(entries) if isinstance(e, int)}
        self.rows = dict(rows)
        self.stale.clear()
        self.pending.clear()
        self._cells.clear()
        self._wrapped.clear()
        if not self._natural:
            self._measure()
        self._resize()
        target = self._index.get(current) if current is not None else None
        if target is None:
            target = next((i for i, e in enumerate(entries) if isinstance(e, int)), 0)
        self.set_reactive(PagedTable.cursor, 0)
        self.cursor = target
        self._scroll_to_cursor(center=True)
        self.refresh()
        self.post_message(self.Highlighted(self, self.current_entry))

    def add_rows(self, rows: dict[int, Any]) -> None:
        """Rows read for the table (as asked by :class:`Wanted`)."""
        for key, row in rows.items():
            self.rows[key] = row
            self.stale.pop(key, None)
            self._forget_cells(key)
        self.pending.difference_update(rows)
        self.refresh()
        if self.current_id in rows:
            self.post_message(self.Highlighted(self, self.current_entry))

    def forget(self, ids: Iterable[int] | None = None) -> None:
        """These rows (or all) have changed: keep painting them as they were, and ask again."""
        keys = list(self.rows) if ids is None else [i for i in ids if i in self.rows]
        for key in keys:
            self.stale[key] = self.rows.pop(key)
        self.pending.difference_update(keys)
        self.refresh()

    def repaint_cells(self) -> None:
        """Draw every row again (its look changed, e.g. new theme colours)."""
        self._cells.clear()
        self._wrapped.clear()
        self.refresh()

    def redraw(self, ids: Iterable[int]) -> None:
        """Draw these rows again from the data the table has (their look changed, e.g. marked)."""
        for key in ids:
            self._forget_cells(key)
        self.refresh()

    def _forget_cells(self, key: int) -> None:
        self._cells.pop(key, None)
        for k in [k for k in self._wrapped if k[0] == key]:
            del self._wrapped[k]

    # -- cursor and marks ---------------------------------------------------------------------------------

    @property
    def current_entry(self) -> Entry | None:
        return self.entries[self.cursor] if 0 <= self.cursor < len(self.entries) else None

    @property
    def current_id(self) -> int | None:
        entry = self.current_entry
        return entry if isinstance(entry, int) else None

    def row(self, key: int) -> Any:
        return self.rows.get(key, self.stale.get(key))

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh()
        self._scroll_to_cursor()
        self.post_message(self.Highlighted(self, self.current_entry))

    def validate_cursor(self, value: int) -> int:
        return min(max(value, 0), max(len(self.entries) - 1, 0))

    def watch_row_height(self) -> None:
        self._wrapped.clear()
        self._resize()
        self._scroll_to_cursor(center=True)
        self.refresh()

    def action_move(self, delta: int) -> None:
        self.cursor += delta

    def action_page(self, direction: int) -> None:
        self.cursor += direction * max(1, self._visible_rows() - 1)

    def action_jump(self, where: int) -> None:
        self.cursor = 0 if where == 0 else len(self.entries) - 1

    def action_choose(self) -> None:
        entry = self.current_entry
        if entry is not None:
            self.post_message(self.Chosen(self, entry))

    def go_to(self, key: int) -> None:
        if key in self._index:
            self.cursor = self._index[key]

    def set_marks(self, marks: Iterable[int]) -> None:
        self.marks = set(marks)
        self.refresh()

    # -- geometry ------------------------------------------------------------------------------------------

    def _visible_rows(self) -> int:
        return max(1, (self.scrollable_content_region.height - 1) // max(1, self.row_height))

    def _resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, 1 + len(self.entries) * self.row_height)

    def _scroll_to_cursor(self, *, center: bool = False) -> None:
        height = self.scrollable_content_region.height - 1
        if height <= 0:
            return
        top = self.cursor * self.row_height
        if center and not (self.scroll_y <= top <= self.scroll_y + height - self.row_height):
            self.scroll_to(y=max(0, top - height // 2), animate=False)
        elif top < self.scroll_y:
            self.scroll_to(y=top, animate=False)
        elif top + self.row_height > self.scroll_y + height:
            self.scroll_to(y=top + self.row_height - height, animate=False)

    def on_resize(self, event: events.Resize) -> None:
        self._fit()
        self._resize()
        self._scroll_to_cursor()

    def _measure(self) -> None:
        """Natural widths of the measured columns, from the rows read so far."""
        sample = [self._row_cells(key, row) for key, row in list(self.rows.items())[:PAGE]]
        for index, column in enumerate(self.columns):
            if column.natural or column.flexible:
                continue
            longest = max((cells[index].cell_len for cells in sample if index < len(cells)), default=0)
            self._natural[column.key] = min(max(longest, len(column.title) + 2, column.minimum), column.maximum)
        self._fit()

    def _fit(self) -> None:
        if not self.columns:
            self.widths = []
            return
        width = self.scrollable_content_region.width - GAP * (len(self.columns) - 1)
        natural = [c.natural or self._natural.get(c.key, c.minimum) for c in self.columns]
        widths = fit_widths(natural, [c.minimum for c in self.columns], [c.flexible for c in self.columns], width,
                            keep=[c.keep for c in self.columns])
        if widths != self.widths:
            self.widths = widths
            self._wrapped.clear()
            self.refresh()

    def column_at(self, x: int) -> int | None:
        at = 0
        for index, width in enumerate(self.widths):
            if at <= x < at + width:
                return index
            at += width + GAP
        return None

    # -- painting --------------------------------------------------------------------------------------------

    def _row_cells(self, entry_id: int, row: Any) -> Sequence[Text]:
        cells = self._cells.get(entry_id)
        if cells is None:
            cells = self._cells[entry_id] = self.cells(row)
        return cells

    def _lines(self, entry_id: int, index: int, cell: Text, width: int) -> list[Text]:
        key = (entry_id, index, width)
        lines = self._wrapped.get(key)
        if lines is None:
            wrapped = cell.wrap(self.app.console, width, overflow="fold")
            lines = list(wrapped)[: self.row_height]
            if len(wrapped) > self.row_height and lines:
                last = lines[-1].copy()
                last.truncate(width - 1)
                last.append("…")
                lines[-1] = last
            self._wrapped[key] = lines
        return lines

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"paged-table--{name}")

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._header(width)
        line = int(self.scroll_y) + y - 1
        index, part = divmod(line, max(1, self.row_height))
        if index >= len(self.entries):
            return Strip.blank(width, self.rich_style)
        entry = self.entries[index]
        if isinstance(entry, Heading):
            text = Text(f" {entry.value}  ({entry.count:,})" if part == 0 else "")
            return self._strip(text, width, self.rich_style + self._style("heading"), self._over(index, None))
        row = self.rows.get(entry)
        if row is None:
            self._note_missing()
            row = self.stale.get(entry)
        base = self.rich_style + (self._style("odd") if index % 2 else Style())
        if row is None:
            text = Text(" …" if part == 0 else "", style=self._style("placeholder"))
            return self._strip(text, width, base, self._over(index, entry))
        return self._strip(self._row_line(entry, row, part), width, base, self._over(index, entry))

    def _row_line(self, entry_id: int, row: Any, part: int) -> Text:
        cells = self._row_cells(entry_id, row)
        pieces: list[Text] = []
        for index, (column, width) in enumerate(zip(self.columns, self.widths)):
            cell = cells[index] if index < len(cells) else Text()
            if column.wrap and self.row_height > 1:
                lines = self._lines(entry_id, index, cell, width)
                piece = lines[part].copy() if part < len(lines) else Text()
            elif part == 0:
                piece = cell.copy()
                if "\n" in piece.plain:
                    piece = piece.split("\n", allow_blank=True)[0] + Text(" …")
            else:
                piece = Text()
            pieces.append(_fit(piece, width, column.justify))
        return Text(" " * GAP).join(pieces)

    def _header(self, width: int) -> Strip:
        pieces = [_fit(Text(self.titles.get(c.key, c.title)), w, c.justify) for c, w in zip(self.columns, self.widths)]
        return self._strip(Text(" " * GAP).join(pieces), width, self.rich_style + self._style("header"), None)

    def _over(self, index: int, entry_id: int | None) -> Style | None:
        """The cursor's or a mark's colours, painted over the cells' own."""
        if index == self.cursor:
            cursor = self._style("cursor")
            return Style(bgcolor=cursor.bgcolor, color=cursor.color if self.has_focus else None)
        if entry_id is not None and entry_id in self.marks:
            return Style(bgcolor=self._style("marked").bgcolor)
        return None

    def _strip(self, text: Text, width: int, base: Style, over: Style | None) -> Strip:
        text = text.copy()
        text.truncate(width, pad=True)
        segments = list(text.render(self.app.console))
        return Strip(Segment.apply_style(segments, base, over), width).simplify()

    # -- asking for rows ---------------------------------------------------------------------------------------

    def _note_missing(self) -> None:
        if not self._missing:
            self._missing = True
            self.call_after_refresh(self._request)

    def _request(self) -> None:
        self._missing = False
        first = int(self.scroll_y) // max(1, self.row_height)
        last = first + self._visible_rows() + 1
        lo, hi = max(0, first - PAGE // 4), min(len(self.entries), last + PAGE // 2)
        wanted = [e for e in self.entries[lo:hi]
                  if isinstance(e, int) and e not in self.rows and e not in self.pending]
        self.stale = {k: v for k, v in self.stale.items() if k in self.pending or k in wanted}
        if wanted:
            self.pending.update(wanted)
            self.post_message(self.Wanted(self, wanted))

    # -- mouse -------------------------------------------------------------------------------------------------

    def _entry_at(self, y: int) -> int | None:
        if y <= 0:
            return None
        index = (int(self.scroll_y) + y - 1) // max(1, self.row_height)
        return index if index < len(self.entries) else None

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            column = self.column_at(offset.x)
            if column is not None:
                self.post_message(self.HeaderClicked(self, self.columns[column].key))
            return
        index = self._entry_at(offset.y)
        if index is None:
            return
        self.cursor = index
        if event.chain >= 2:
            self.action_choose()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        """Show a value cut short in full."""
        offset = event.get_content_offset(self)
        tip = None
        if offset is not None:
            index = self._entry_at(offset.y)
            column = self.column_at(offset.x)
            entry = self.entries[index] if index is not None else None
            if isinstance(entry, int) and column is not None and (row := self.row(entry)) is not None:
                cell = self._row_cells(entry, row)[column]
                if cell.cell_len > self.widths[column] or (self.columns[column].wrap and "\n" in cell.plain):
                    tip = cell.plain
            elif offset.y == 0 and column is not None:
                title = self.titles.get(self.columns[column].key, "")
                tip = title if len(title) > self.widths[column] else None
        if tip != self.tooltip:
            self.tooltip = tip


def _fit(text: Text, width: int, justify: str) -> Text:
    """``text`` on one line of exactly ``width`` cells, cut with an ellipsis."""
    text = text.copy()
    text.no_wrap = True
    if text.cell_len > width:
        text.truncate(width, overflow="ellipsis")
    elif justify == "right":
        text = Text(" " * (width - text.cell_len)) + text
    text.truncate(width, pad=True)
    return text
