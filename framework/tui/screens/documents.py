"""The documents screen: every document with its case and the case's attributes, filtered,
grouped and sorted, read a page at a time so that 200,000 survey answers open at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Footer, Header, Static

from framework.store import Attribute
from framework.tui.messages import ProjectChanged
from framework.tui.screens.listing import LIST_BINDINGS, ListScreen
from framework.tui.widgets.paged_table import Column, PagedTable
from framework.views.documents import (
    CASE,
    COUNT_COLUMNS,
    DOCUMENT,
    FIXED_COLUMNS,
    MINE,
    OTHERS,
    DocumentQuery,
    DocumentRow,
    DocumentsStart,
    document_rows,
    order_documents,
    start_documents,
)
from framework.views.paging import PAGE, Ordered

LABELS = {CASE: "Case", DOCUMENT: "Document", MINE: "Mine", OTHERS: "Others"}


class DocumentsScreen(ListScreen):
    """Every document with its case and the case's attributes; Enter opens one in the reader.

    ``/`` goes to the filter (every word must appear in the row; ``attribute=value`` looks in
    one attribute); ``s`` sorts and ``g`` groups by any column or attribute. ``mine``/``others``
    count the codings by the current coder and by everyone else.
    """

    AUTO_FOCUS = "#documents"
    NOUN = "documents"
    SUBMIT_OPENS = True

    BINDINGS = [
        Binding("enter", "open", "Open", id="documents.open", tooltip="Open the document in the reader"),
        *LIST_BINDINGS,
        Binding("r", "retrieval", "Retrieve", id="documents.retrieval",
                tooltip="Read every passage coded with a theme"),
        Binding("f", "autocode", "Autocode", id="documents.autocode",
                tooltip="Code every passage a text search finds (with a preview)"),
    ]

    @dataclass
    class Started(Message):
        version: int
        start: DocumentsStart

    def __init__(self) -> None:
        super().__init__()
        self.attributes: list[Attribute] = []
        self.cases = 0
        self.cases_without_documents = 0
        self.set_reactive(ListScreen.sort_key, CASE)

    def compose(self) -> ComposeResult:
        yield Header(icon="▦")
        with Horizontal(id="documents-bar"):
            yield from self.filter_bar("/ to filter: words in case, document or attribute; attribute=value")
        yield PagedTable(self.cells, id="documents")
        yield Static("", id="summary", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.table
        table.loading = True
        table.focus()
        self.watch(self.app, "coder", self._reload, init=False)
        self._start()

    def on_screen_resume(self) -> None:
        if self.ordered.entries:
            self.refresh_rows()

    def _reload(self) -> None:
        self.reorder()

    @on(ProjectChanged)
    def _project_changed(self) -> None:
        """Another process imported, coded or removed something: show the list as it is now."""
        self.reorder()

    # -- loading ----------------------------------------------------------------------------------------

    def list_query(self) -> DocumentQuery:
        return DocumentQuery(self.filter_text, self.sort_key, self.sort_reverse, self.group_key,
                             self.app.coder)  # type: ignore[attr-defined]

    def _start(self) -> None:
        self.version += 1
        self._load_start(self.version, self.list_query())

    @work(thread=True, exclusive=True, exit_on_error=False, group="list-order")
    def _load_start(self, version: int, query: DocumentQuery) -> None:
        self.post_message(self.Started(version, start_documents(self.app.store, query, PAGE)))  # type: ignore[attr-defined]

    @on(Started)
    def _started(self, event: Started) -> None:
        if event.version != self.version:
            return
        start = event.start
        self.attributes = start.attributes
        self.cases, self.cases_without_documents = start.cases, start.cases_without_documents
        self.table.set_columns(self.columns())
        self.post_message(self.Reordered(event.version, start.ordered, start.rows, None))

    def order(self) -> Ordered:
        return order_documents(self.app.store, self.list_query(), self.attributes)  # type: ignore[attr-defined]

    def read_rows(self, ids: Sequence[int]) -> dict[int, DocumentRow]:
        return document_rows(self.app.store, ids, self.app.coder)  # type: ignore[attr-defined]

    # -- the table -----------------------------------------------------------------------------------------

    @property
    def attribute_names(self) -> list[str]:
        return [a.name for a in self.attributes]

    def columns(self) -> list[Column]:
        columns = [Column(CASE, "Case", minimum=8, maximum=28), Column(DOCUMENT, "Document", minimum=8, maximum=32),
                   Column(MINE, "Mine", natural=6, minimum=4, justify="right"),
                   Column(OTHERS, "Others", natural=7, minimum=4, justify="right")]
        columns += [Column(name, name.replace("_", " ").capitalize(), minimum=4, maximum=20)
                    for name in self.attribute_names]
        return columns

    def cells(self, row: DocumentRow) -> list[Text]:
        cells = [Text(row.case, style="bold"), Text(row.document),
                 Text(str(row.mine), style="bold" if row.mine else "dim"),
                 Text(str(row.others), style="" if row.others else "dim")]
        return cells + [Text(row.attributes.get(name, "")) for name in self.attribute_names]

    def summary(self) -> Text:
        total = self.ordered.total
        if not total and not self.table.loading:
            return Text("No documents yet: add transcripts with 'framework import FILES' (or put them in "
                        "transcripts/), or a survey with 'framework import-survey FILE'")
        text = Text(f"{self.counted()} · {self.cases:,} cases")
        if self.cases_without_documents:
            text.append(f" · {self.cases_without_documents:,} cases without documents")
        key = self.table.current_id
        row = self.table.row(key) if key is not None else None
        if row is not None:
            text.append(f" · {row.case} / {row.document}", style="bold")
            if row.question:
                text.append(f" · {row.question}", style="italic")
        return text

    def sort_choices(self) -> list[str]:
        return [*FIXED_COLUMNS, *COUNT_COLUMNS, *self.attribute_names]

    def group_choices(self) -> list[str]:
        return [CASE, *self.attribute_names]

    def descending_first(self, key: str) -> bool:
        return key in COUNT_COLUMNS

    # -- opening -------------------------------------------------------------------------------------------

    @on(PagedTable.Chosen)
    def _chosen(self, event: PagedTable.Chosen) -> None:
        if isinstance(event.entry, int):
            self.app.open_document(event.entry)  # type: ignore[attr-defined]

    def action_open(self) -> None:
        key = self.table.current_id
        if key is not None:
            self.app.open_document(key)  # type: ignore[attr-defined]

    def action_retrieval(self) -> None:
        self.app.open_retrieval()  # type: ignore[attr-defined]

    def action_autocode(self) -> None:
        self.app.open_autocode(done=lambda result: self.refresh_rows() if result else None)  # type: ignore[attr-defined]
