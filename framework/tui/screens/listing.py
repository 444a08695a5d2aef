"""What the documents and answers screens share: a long list read a page at a time, with a
filter one key away (``/``), sorting, grouping and a summary line.

While the filter has focus every printable key goes into it, so a word typed there never runs
a command; the arrows, page keys and Enter still move in the list and open its row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static

from framework.tui.dialogs.common import ChoiceDialog
from framework.tui.widgets.paged_table import Column, PagedTable
from framework.views.paging import PAGE, Entry, Heading, Ordered

FILTER_AT_ONCE = 2000
"""Lists up to this long are filtered at every key; longer ones when typing pauses."""
FILTER_PAUSE = 0.15
"""Seconds of quiet typing before a long list is filtered again."""

LIST_BINDINGS = [
    Binding("slash", "filter", "Filter", id="list.filter", tooltip="Type in the filter (Esc returns to the list)"),
    Binding("s", "sort", "Sort", id="list.sort", tooltip="Sort by a column or attribute (again: reverse)"),
    Binding("g", "group", "Group", id="list.group", tooltip="Group by an attribute"),
    Binding("escape", "escape", "Back", show=False, id="list.escape",
            tooltip="Leave the filter, clear it, or go back"),
    Binding("down", "move(1)", "Down", show=False, id="list.down"),
    Binding("up", "move(-1)", "Up", show=False, id="list.up"),
    Binding("pagedown", "page(1)", "Page down", show=False, id="list.page_down"),
    Binding("pageup", "page(-1)", "Page up", show=False, id="list.page_up"),
]


class ListScreen(Screen[None]):
    """A filterable, sortable, groupable list of many rows; subclasses say what the rows are."""

    filter_text: reactive[str] = reactive("", init=False)
    sort_key: reactive[str] = reactive("", init=False)
    sort_reverse: reactive[bool] = reactive(False, init=False)
    group_key: reactive[str | None] = reactive(None, init=False)

    NOUN = "rows"
    SUBMIT_OPENS = False
    """Whether Enter in the filter opens the first row that fits (else it returns to the list)."""

    @dataclass
    class Reordered(Message):
        version: int
        ordered: Ordered
        rows: dict[int, Any]
        keep: int | None

    @dataclass
    class RowsRead(Message):
        version: int
        rows: dict[int, Any]

    def __init__(self) -> None:
        super().__init__()
        self.ordered = Ordered([], 0, 0)
        self.version = 0
        self._shown_version = -1
        self._open_when_ordered = False
        self._filter_timer: Timer | None = None

    # -- what subclasses give -------------------------------------------------------------------------

    def columns(self) -> list[Column]:
        raise NotImplementedError

    def cells(self, row: Any) -> Sequence[Text]:
        raise NotImplementedError

    def order(self) -> Ordered:
        """The rows in order (called in a thread worker)."""
        raise NotImplementedError

    def read_rows(self, ids: Sequence[int]) -> dict[int, Any]:
        """Rows by id (called in a thread worker)."""
        raise NotImplementedError

    def sort_choices(self) -> list[str]:
        raise NotImplementedError

    def group_choices(self) -> list[str]:
        raise NotImplementedError

    def summary(self) -> Text:
        raise NotImplementedError

    def descending_first(self, key: str) -> bool:
        """Whether sorting by ``key`` starts from the largest (counts do)."""
        return False

    # -- parts -------------------------------------------------------------------------------------------

    @property
    def table(self) -> PagedTable:
        return self.query_one(PagedTable)

    @property
    def filter_input(self) -> Input:
        return self.query_one("#filter", Input)

    def filter_bar(self, placeholder: str) -> list:
        return [Static("Filter", id="filter-label"),
                Input(placeholder=placeholder, id="filter", compact=True, select_on_focus=False),
                Static("", id="arrangement", markup=False)]

    # -- loading -----------------------------------------------------------------------------------------

    def reorder(self, keep: int | None = None) -> None:
        """Order the list again (new filter, sort or group), keeping the cursor's row if it stays."""
        self.version += 1
        self._reorder(self.version, keep if keep is not None else self.table.current_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="list-order")
    def _reorder(self, version: int, keep: int | None) -> None:
        ordered = self.order()
        ids = ordered.ids
        at = ids.index(keep) if keep is not None and keep in set(ids) else 0
        window = ids[max(0, at - PAGE // 4): at + PAGE]
        self.post_message(self.Reordered(version, ordered, self.read_rows(window), keep))

    @on(Reordered)
    def _reordered(self, event: Reordered) -> None:
        if event.version != self.version:
            return
        self.ordered = event.ordered
        self._shown_version = event.version
        table = self.table
        table.loading = False
        table.set_entries(event.ordered.entries, event.rows, keep=event.keep)
        self.arranged()
        self._open_if_asked()

    @on(PagedTable.Wanted)
    def _wanted(self, event: PagedTable.Wanted) -> None:
        self._read(self.version, event.ids)

    @work(thread=True, exit_on_error=False, group="list-rows")
    def _read(self, version: int, ids: list[int]) -> None:
        self.post_message(self.RowsRead(version, self.read_rows(ids)))

    @on(RowsRead)
    def _rows_read(self, event: RowsRead) -> None:
        if event.version == self.version:
            self.table.add_rows(event.rows)
            self.show_summary()

    def refresh_rows(self, ids: Sequence[int] | None = None) -> None:
        """Rows changed (coded, undone): read those on screen again."""
        self.table.forget(ids)

    # -- summary and arrangement -------------------------------------------------------------------------

    def arranged(self) -> None:
        titles = {c.key: c.title for c in self.columns()}
        if self.sort_key in titles:
            titles[self.sort_key] += " ▼" if self.sort_reverse else " ▲"
        self.table.set_titles(titles)
        text = f"sorted by {self.sort_key}" + (" (descending)" if self.sort_reverse else "")
        if self.group_key:
            text = f"grouped by {self.group_key}, {text}"
        self.query_one("#arrangement", Static).update(text)
        self.show_summary()

    def show_summary(self) -> None:
        self.query_one("#summary", Static).update(self.summary())

    def counted(self) -> str:
        problem = f" · {self.ordered.problem}" if self.ordered.problem else ""
        return f"{self.ordered.shown:,} of {self.ordered.total:,} {self.NOUN}{problem}"

    @on(PagedTable.Highlighted)
    def _highlighted(self) -> None:
        self.show_summary()

    # -- filter --------------------------------------------------------------------------------------------

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        value = event.value
        if self.ordered.total <= FILTER_AT_ONCE:
            self.filter_text = value
        else:
            self._filter_timer = self.set_timer(FILTER_PAUSE, lambda: setattr(self, "filter_text", value))

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_timer = None
        self.table.focus()
        self._open_when_ordered = self.SUBMIT_OPENS
        if self.filter_text != self.filter_input.value:
            self.filter_text = self.filter_input.value
        elif self.version == self._shown_version:
            self._open_if_asked()

    def _open_if_asked(self) -> None:
        if self._open_when_ordered:
            self._open_when_ordered = False
            self.table.action_choose()

    def watch_filter_text(self) -> None:
        self.reorder()

    def watch_sort_key(self) -> None:
        self.reorder()

    def watch_sort_reverse(self) -> None:
        self.reorder()

    def watch_group_key(self) -> None:
        self.reorder()

    def action_filter(self) -> None:
        self.filter_input.focus()

    def action_escape(self) -> None:
        """Leave the filter; in the list: clear the filter, then go back."""
        if self.filter_input.has_focus:
            self.table.focus()
        elif self.filter_input.value:
            self.filter_input.value = ""
            self.filter_text = ""
        elif len(self.app.screen_stack) > 2:
            self.app.pop_screen()

    def action_move(self, delta: int) -> None:
        self.table.action_move(delta)

    def action_page(self, direction: int) -> None:
        self.table.action_page(direction)

    # -- sort and group ---------------------------------------------------------------------------------------

    def action_sort(self) -> None:
        choices = [(c + ("  (again: reverse)" if c == self.sort_key else ""), c) for c in self.sort_choices()]
        self.app.push_screen(ChoiceDialog("Sort by", choices), self.sort_by)

    def sort_by(self, key: str | None) -> None:
        if key is None:
            return
        if key == self.sort_key:
            self.sort_reverse = not self.sort_reverse
        else:
            self.set_reactive(ListScreen.sort_reverse, self.descending_first(key))
            self.sort_key = key

    def action_group(self) -> None:
        choices: list[tuple[str, str | None]] = [("(no grouping)", "")]
        choices += [(name, name) for name in self.group_choices()]
        self.app.push_screen(ChoiceDialog("Group by", choices), self._group_by)

    def _group_by(self, key: str | None) -> None:
        if key is not None:
            self.group_key = key or None

    @on(PagedTable.HeaderClicked)
    def _header_clicked(self, event: PagedTable.HeaderClicked) -> None:
        if event.key in self.sort_choices():
            self.sort_by(event.key)

    def heading_of(self, entry: Entry | None) -> str | None:
        return entry.value if isinstance(entry, Heading) else None
