"""The documents screen: cases with their attributes and documents, filtered, grouped and sorted."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input, Static

from framework.tui.dialogs.common import ChoiceDialog
from framework.tui.messages import ProjectChanged
from framework.views.workbench import DocRow, DocumentList, load_documents

FIXED_COLUMNS = ("case", "document")
COUNT_COLUMNS = ("mine", "others")
GROUP_PREFIX = "group:"
FILTER_AT_ONCE = 300
"""Up to this many documents the list is filtered at every key; beyond, when typing pauses."""
FILTER_PAUSE = 0.15


def _number(value: str) -> float | None:
    try:
        return float(value.replace(",", ""))
    except ValueError:
        return None


class DocumentsScreen(Screen[None]):
    """Every document with its case and the case's attributes; Enter opens one in the reader.

    Typing filters (every word must appear in the row); ``s`` sorts and ``g`` groups by any
    column or attribute. ``mine``/``others`` count the codings by the current coder and by
    everyone else.
    """

    AUTO_FOCUS = "#documents"

    BINDINGS = [
        Binding("enter", "open", "Open", id="documents.open", tooltip="Open the document in the reader"),
        Binding("slash", "filter", "Filter", id="documents.filter", tooltip="Type to filter the list"),
        Binding("s", "sort", "Sort", id="documents.sort", tooltip="Sort by a column or attribute"),
        Binding("g", "group", "Group", id="documents.group", tooltip="Group by an attribute"),
        Binding("r", "retrieval", "Retrieve", id="documents.retrieval",
                tooltip="Read every passage coded with a theme"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="documents.clear_filter"),
        Binding("down", "cursor(1)", "Down", show=False, id="documents.down"),
        Binding("up", "cursor(-1)", "Up", show=False, id="documents.up"),
    ]

    filter_text: reactive[str] = reactive("", init=False)
    sort_key: reactive[str] = reactive("case", init=False)
    sort_reverse: reactive[bool] = reactive(False, init=False)
    group_key: reactive[str | None] = reactive(None, init=False)

    @dataclass
    class Loaded(Message):
        documents: DocumentList

    def __init__(self) -> None:
        super().__init__()
        self.documents = DocumentList([], [], 0)
        self._filter_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header(icon="▦")
        with Horizontal(id="documents-bar"):
            yield Static("Filter", id="filter-label")
            yield Input(placeholder="type to filter by case, document or attribute", id="filter", compact=True,
                        select_on_focus=False)
            yield Static("", id="arrangement", markup=False)
        yield DataTable(id="documents", cursor_type="row", zebra_stripes=True)
        yield Static("", id="documents-summary", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.loading = True
        table.focus()
        self.watch(self.app, "coder", self._reload, init=False)
        self.load()

    def on_screen_resume(self) -> None:
        if self.documents.rows:
            self.load()

    def _reload(self) -> None:
        self.load()

    @on(ProjectChanged)
    def _project_changed(self) -> None:
        """Another process imported, coded or removed something: show the list as it is now."""
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="documents")
    def load(self) -> None:
        self.post_message(self.Loaded(load_documents(self.app.store, self.app.coder)))  # type: ignore[attr-defined]

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self.documents = event.documents
        self._rebuild()

    # -- the table -----------------------------------------------------------------------------

    @property
    def attribute_names(self) -> list[str]:
        return [a.name for a in self.documents.attributes]

    def _columns(self) -> list[str]:
        return [*FIXED_COLUMNS, *COUNT_COLUMNS, *self.attribute_names]

    def _value(self, row: DocRow, column: str) -> str:
        if column == "case":
            return row.case.name
        if column == "document":
            return row.document.name
        if column == "mine":
            return str(row.mine)
        if column == "others":
            return str(row.others)
        return row.case.attributes.get(column, "")

    def _cell(self, row: DocRow, column: str) -> Text:
        """A cell as Text: names and values are shown as they are, never read as markup."""
        value = self._value(row, column)
        if column == "case":
            return Text(value, style="bold")
        if column == "mine":
            return Text(value, justify="right", style="bold" if row.mine else "dim")
        if column == "others":
            return Text(value, justify="right", style="" if row.others else "dim")
        return Text(value)

    def _sort_value(self, row: DocRow, column: str) -> tuple:
        value = self._value(row, column)
        number = _number(value) if value else None
        if number is not None:
            return (0, number, "")
        return (1 if value else 2, 0.0, value.casefold())

    def _visible_rows(self) -> list[DocRow]:
        words = self.filter_text.casefold().split()
        columns = [*FIXED_COLUMNS, *self.attribute_names]
        rows = []
        for row in self.documents.rows:
            haystack = " ".join(self._value(row, c) for c in columns).casefold()
            if all(w in haystack for w in words):
                rows.append(row)
        rows.sort(key=lambda r: (self._sort_value(r, self.sort_key), r.case.name, r.document.name),
                  reverse=self.sort_reverse)
        if self.group_key:
            rows.sort(key=lambda r: self._sort_value(r, self.group_key or ""))
        return rows

    def _rebuild(self) -> None:
        table = self.query_one(DataTable)
        keep = self._current_key()
        table.clear(columns=True)
        labels = {"case": "Case", "document": "Document", "mine": "Mine", "others": "Others"}
        for column in self._columns():
            title = labels.get(column, column.replace("_", " ").capitalize())
            if column == self.sort_key:
                title += " ▼" if self.sort_reverse else " ▲"
            table.add_column(Text(title), key=column)
        rows = self._visible_rows()
        group: str | None = None
        for row in rows:
            if self.group_key:
                value = self._value(row, self.group_key) or "(none)"
                if value != group:
                    group = value
                    count = sum(1 for r in rows if (self._value(r, self.group_key) or "(none)") == value)
                    heading = Text(f"{value}  ({count})", style="bold")
                    table.add_row(heading, *[Text()] * (len(self._columns()) - 1), key=f"{GROUP_PREFIX}{value}")
            table.add_row(*[self._cell(row, c) for c in self._columns()], key=str(row.document.id))
        if table.loading:
            table.loading = False
            if not self.query_one("#filter", Input).has_focus:
                table.focus()
        if keep is not None and keep in table.rows:
            table.move_cursor(row=table.get_row_index(keep))
        elif rows:
            table.move_cursor(row=1 if self.group_key else 0)
        self._summarise(len(rows))

    def _summarise(self, shown: int) -> None:
        total = len(self.documents.rows)
        cases = len({r.case.id for r in self.documents.rows})
        text = f"{shown} of {total} documents · {cases} cases"
        if not total:
            text = "No documents yet: add transcripts with 'framework import FILES' (or put them in transcripts/)"
        if self.documents.cases_without_documents:
            text += f" · {self.documents.cases_without_documents} cases without documents"
        arrangement = f"sorted by {self.sort_key}" + (" (descending)" if self.sort_reverse else "")
        if self.group_key:
            arrangement = f"grouped by {self.group_key}, {arrangement}"
        self.query_one("#documents-summary", Static).update(text)
        self.query_one("#arrangement", Static).update(arrangement)

    def _current_key(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        try:
            return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:
            return None

    def watch_filter_text(self) -> None:
        self._rebuild()

    def watch_sort_key(self) -> None:
        self._rebuild()

    def watch_sort_reverse(self) -> None:
        self._rebuild()

    def watch_group_key(self) -> None:
        self._rebuild()

    # -- filtering -------------------------------------------------------------------------------

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        """Filter at once in small projects; in large ones, when typing pauses."""
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_timer = None
        value = event.value
        if len(self.documents.rows) > FILTER_AT_ONCE:
            self._filter_timer = self.set_timer(FILTER_PAUSE, lambda: setattr(self, "filter_text", value))
        else:
            self.filter_text = value

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.action_open()

    def on_key(self, event: events.Key) -> None:
        """Type to filter: a printable key with no binding starts filtering."""
        field = self.query_one("#filter", Input)
        if event.key in self.active_bindings:
            return
        if event.is_printable and event.character and not field.has_focus:
            event.stop()
            field.focus()
            field.insert_text_at_cursor(event.character)

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.value = ""
        self.query_one(DataTable).focus()

    def action_cursor(self, delta: int) -> None:
        table = self.query_one(DataTable)
        table.move_cursor(row=min(max(table.cursor_row + delta, 0), max(table.row_count - 1, 0)))

    # -- opening, sorting, grouping ---------------------------------------------------------------

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        key = self._current_key()
        if key is None or key.startswith(GROUP_PREFIX):
            return
        self.app.open_document(int(key))  # type: ignore[attr-defined]

    @on(DataTable.HeaderSelected)
    def _header_selected(self, event: DataTable.HeaderSelected) -> None:
        self._sort_by(str(event.column_key.value))

    def _sort_by(self, column: str | None) -> None:
        if column is None:
            return
        if column == self.sort_key:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_reverse = column in COUNT_COLUMNS
            self.sort_key = column

    def action_sort(self) -> None:
        choices = [(c + ("  (again: reverse)" if c == self.sort_key else ""), c) for c in self._columns()]
        self.app.push_screen(ChoiceDialog("Sort by", choices), self._sort_by)

    def action_group(self) -> None:
        choices: list[tuple[str, str | None]] = [("(no grouping)", "")]
        choices += [(name, name) for name in ["case", *self.attribute_names]]
        self.app.push_screen(ChoiceDialog("Group by", choices), self._group_by)

    def _group_by(self, column: str | None) -> None:
        if column is not None:
            self.group_key = column or None

    def action_retrieval(self) -> None:
        self.app.open_retrieval()  # type: ignore[attr-defined]
