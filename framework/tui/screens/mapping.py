"""The mapping view: for every theme, how many cases raised it, by the values of an attribute.

A heat map (``a`` cycles the attribute, ``g`` chooses it, ``l`` the coding layer): each
number is the cases of that group with a coding of the theme or of a theme below it, out
of the group's cases, with their share; the background deepens with the share. Enter
lists the cases behind a number, and opens a chosen case's first such passage in the reader.
Counts come from :func:`framework.analysis.charting.mapping`. When another process changes the
project, the counts are read again and the cursor stays on its theme and group.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import Worker, WorkerState

from framework.analysis.charting import GroupCount, Mapping, MapRow, ThemeTree, available_layers, default_layer, mapping
from framework.store import CONSENSUS, Case
from framework.tui.dialogs.common import ChoiceDialog
from framework.tui.screens.following import FollowsProject
from framework.tui.widgets.analysis_table import AnalysisTable

ALL_KEY = "all"
GROUP_KEY = "g"


def count_text(group: GroupCount) -> str:
    """``3/5 60%``: cases that raised the theme, of the group's cases, and the share."""
    return f"{group.count}/{group.total} {round(group.share * 100):d}%"


class MappingScreen(FollowsProject[None]):
    """Which themes, how common, in which groups: a case count heat map."""

    CSS_PATH = "analysis.tcss"
    AUTO_FOCUS = "#mapping"

    BINDINGS = [
        Binding("enter", "cases", "Cases", priority=True, id="mapping.cases",
                tooltip="List the cases behind this number (Enter on one opens its passage)"),
        Binding("a", "cycle_attribute", "Next attribute", id="mapping.cycle",
                tooltip="Break the counts down by the next case attribute"),
        Binding("g", "choose_attribute", "Attribute", id="mapping.attribute",
                tooltip="Choose the attribute to break the counts down by"),
        Binding("l", "choose_layer", "Layer", id="mapping.layer",
                tooltip="Count another coder's codings, or the consensus layer"),
        Binding("escape", "back", "Back", id="mapping.back"),
    ]

    @dataclass
    class Loaded(Message):
        mapping: Mapping
        layers: list[str]
        attributes: list[str]
        cases: dict[str, Case]

    @dataclass
    class Found(Message):
        """A case's first passage of a theme, to open in the reader."""

        document_id: int
        span: tuple[int, int] | None

    def __init__(self, layer: str | None = None, by: str | None = None) -> None:
        super().__init__()
        self.coding_layer = layer
        self.by = by
        self.result: Mapping | None = None
        self.layer_names: list[str] = []
        self.attributes: list[str] = []
        self.cases: dict[str, Case] = {}
        self._plain: tuple[str, str] | None = None
        self._width = 0
        """The cell under the cursor, drawn without its shading so that the cursor shows."""

    def compose(self) -> ComposeResult:
        yield Header(icon="▦")
        yield Static("", id="mapping-title", classes="analysis-bar")
        yield AnalysisTable(id="mapping", cursor_type="cell", fixed_columns=1, cell_padding=0, header_height=2)
        yield Static("", id="mapping-status", classes="analysis-bar")
        yield Footer()

    @property
    def table(self) -> AnalysisTable:
        return self.query_one("#mapping", AnalysisTable)

    def on_mount(self) -> None:
        self.watch(self.app, "theme", lambda: self._rebuild(), init=False)
        self.load()

    # -- loading ------------------------------------------------------------------------------

    def load(self, *, quietly: bool = False) -> None:
        """Count in a worker; ``quietly`` keeps the table as it is until the counts come."""
        if not quietly:
            self.table.loading = True
        self.count(self.coding_layer, self.by, self.app.coder)  # type: ignore[attr-defined]

    def project_changed(self) -> None:
        if self.result is not None:
            self.load(quietly=True)

    @work(thread=True, exclusive=True, exit_on_error=False, group="mapping")
    def count(self, layer: str | None, by: str | None, coder: str) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        layers = available_layers(store)
        if layer is None:
            layer = default_layer(store, coder, layers)
        attributes = [a.name for a in store.cases.attributes()]
        if by not in attributes:
            by = None
        cases = {c.name: c for c in store.cases.list()}
        self.post_message(self.Loaded(mapping(store, layer, by=by), layers, attributes, cases))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        if (event.mapping, event.layers, event.attributes, event.cases) == (
                self.result, self.layer_names, self.attributes, self.cases):
            self.table.loading = False
            return
        place = self._cursor_place()
        self.result, self.layer_names, self.attributes, self.cases = event.mapping, event.layers, event.attributes, event.cases
        self.coding_layer, self.by = event.mapping.layer, event.mapping.by
        self.table.loading = False
        self._rebuild(place)

    @on(Worker.StateChanged)
    def _failed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "mapping" and event.state == WorkerState.ERROR:
            self.table.loading = False

    # -- drawing -----------------------------------------------------------------------------------

    def groups(self, row: MapRow) -> list[tuple[str, GroupCount]]:
        """The numbers of a row with their column keys: all cases, then each group."""
        return [(ALL_KEY, row.all), *((f"{GROUP_KEY}{i}", g) for i, g in enumerate(row.groups))]

    def _rebuild(self, place: tuple[str, str | None] | None = None) -> None:
        """Draw the counts; the cursor stays on its theme and group (``place``, else where it is)."""
        result, table = self.result, self.table
        if result is None:
            return
        keep = table.cursor_coordinate if table.row_count else None
        place = place or self._cursor_place()
        table.clear(columns=True)
        self._plain = None
        self._width = 0
        longest = max((len(count_text(g)) for r in result.rows for _, g in self.groups(r)), default=8)
        columns = 1 + len(result.values)
        theme_width = min(34, max(16, *(len(r.theme.id) + len(r.theme.label) + 2 * r.depth + 3
                                         for r in result.rows))) if result.rows else 16
        room = self.size.width - theme_width - 1
        width = max(longest + 2, min(20, room // max(1, columns)))
        self._width = width
        table.add_column(Text(" Theme\n", style="bold"), key="theme", width=theme_width)
        table.add_column(self._heading("All cases", result.total, width), key=ALL_KEY, width=width)
        for i, (value, n) in enumerate(result.values):
            table.add_column(self._heading(value, n, width), key=f"{GROUP_KEY}{i}", width=width)
        for row in result.rows:
            label = Text(" " + "  " * row.depth, no_wrap=True, overflow="ellipsis")
            label.append(f"{row.theme.id} ", style="bold")
            label.append(row.theme.label, style="bold" if row.depth == 0 else "")
            cells = [self._count_cell(g) for _, g in self.groups(row)]
            table.add_row(label, *cells, key=row.theme.id)
        column = self._column_key(place[1]) if place is not None else None
        if place is not None and place[0] in table.rows and column in table.columns:
            table.move_cursor(row=table.get_row_index(place[0]), column=table.get_column_index(column), animate=False)
        elif keep is not None:
            table.move_cursor(row=min(keep.row, max(table.row_count - 1, 0)),
                              column=min(max(keep.column, 1), len(table.columns) - 1), animate=False)
        else:
            table.move_cursor(row=0, column=1, animate=False)
        self._show_cursor()
        self._describe()

    def _cursor_place(self) -> tuple[str, str | None] | None:
        """The theme id and group value under the cursor (None: all cases), as drawn."""
        here = self.current()
        if here is None:
            return None
        row, _label, group = here
        return row.theme.id, (group.value if group is not row.all else None)

    def _column_key(self, value: str | None) -> str | None:
        """The column of a group value in the counts shown (``all`` for all cases)."""
        if value is None:
            return ALL_KEY
        values = [v for v, _ in self.result.values] if self.result else []
        return f"{GROUP_KEY}{values.index(value)}" if value in values else None

    def _count_cell(self, group: GroupCount, *, shaded: bool = True) -> Text:
        style = self.table.heat(group.share, group.count) if shaded else ""
        return Text(count_text(group).center(self._width), style=style, no_wrap=True)

    def _show_cursor(self) -> None:
        """Draw the cell under the cursor plain (its shading would hide the cursor), the last one shaded again."""
        table, result = self.table, self.result
        if result is None or not table.row_count:
            return
        try:
            keys = table.coordinate_to_cell_key(table.cursor_coordinate)
        except Exception:
            return
        here = (str(keys.row_key.value), str(keys.column_key.value))
        if here == self._plain:
            return
        rows = {r.theme.id: r for r in result.rows}
        for (row_key, column_key), shaded in ((self._plain or ("", ""), True), (here, False)):
            row = rows.get(row_key) if row_key else None
            group = dict(self.groups(row)).get(column_key) if row else None
            if group is not None:
                table.update_cell(row_key, column_key, self._count_cell(group, shaded=shaded))
        self._plain = here

    def _heading(self, value: str, n: int, width: int) -> Text:
        name = value if len(value) <= width - 2 else value[: width - 3] + "…"
        return Text(f" {name}\n n={n}", style="bold", no_wrap=True)

    def on_resize(self) -> None:
        self._rebuild()

    def _describe(self) -> None:
        result = self.result
        if result is None:
            return
        title = Text.assemble(("Mapping", "bold"), f" · layer {result.layer} · ")
        title.append(f"by {result.by}" if result.by else "all cases (a: break down by an attribute)")
        title.append(f" · {result.total} cases · shading: share of the group's cases", style="dim")
        self.query_one("#mapping-title", Static).update(title)
        self._describe_cell()

    def current(self) -> tuple[MapRow, str, GroupCount] | None:
        """The theme row, group label and count under the cursor."""
        table, result = self.table, self.result
        if result is None or not table.row_count:
            return None
        try:
            keys = table.coordinate_to_cell_key(table.cursor_coordinate)
        except Exception:
            return None
        row = next((r for r in result.rows if r.theme.id == keys.row_key.value), None)
        if row is None:
            return None
        for key, group in self.groups(row):
            if key == keys.column_key.value:
                return row, (group.value or "all cases"), group
        return None

    @on(DataTable.CellHighlighted, "#mapping")
    def _highlighted(self) -> None:
        self._show_cursor()
        self._describe_cell()

    def _describe_cell(self) -> None:
        status = self.query_one("#mapping-status", Static)
        here = self.current()
        if here is None:
            status.update("")
            return
        row, label, group = here
        text = Text.assemble((f"{row.theme.id} {row.theme.label}", "bold"), f" · {label}: ")
        text.append(f"{group.count} of {group.total} cases ({round(group.share * 100):d}%)")
        if group.count:
            text.append(" · Enter lists them", style="dim")
        status.update(text)

    # -- keys ----------------------------------------------------------------------------------------

    def action_cases(self) -> None:
        here = self.current()
        if here is None:
            return
        row, label, group = here
        if not group.cases:
            self.notify(f"No case in {label} raised {row.theme.id} {row.theme.label}", timeout=3)
            return
        choices = []
        for name in group.cases:
            case = self.cases.get(name)
            text = Text(name, style="bold")
            values = [v for v in case.attributes.values() if v] if case else []
            if values:
                text.append(f"  {', '.join(values)}", style="dim")
            choices.append((text, name))
        title = (f"{row.theme.id} {row.theme.label} · {label}: {group.count} of {group.total} cases "
                 f"({round(group.share * 100):d}%)")
        hint = "Enter opens the case's first passage of this theme · Esc closes"
        self.app.push_screen(ChoiceDialog(title, choices, hint=hint),
                             lambda name: self.find_passage(name, row.theme.id) if name else None)

    @work(thread=True, exclusive=True, exit_on_error=False, group="mapping-open")
    def find_passage(self, case_name: str, theme_id: str) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        case = self.cases.get(case_name) or store.cases.get(case_name)
        tree = ThemeTree.from_store(store)
        theme_ids = [t.id for t, _ in tree.walk([theme_id], archived=True)]
        codings = [c for c in store.codings.list(coder=self.coding_layer, case_id=case.id, theme_ids=theme_ids)
                   if not c.detached]
        if codings:
            self.post_message(self.Found(codings[0].document_id, (codings[0].start, codings[0].end)))
            return
        documents = store.documents.for_case(case.id)
        if documents:
            self.post_message(self.Found(documents[0].id, None))

    @on(Found)
    def _found(self, event: Found) -> None:
        self.app.show_passage(event.document_id, span=event.span)  # type: ignore[attr-defined]

    def action_cycle_attribute(self) -> None:
        if not self.attributes:
            self.notify("The cases have no attributes yet (framework cases import)", timeout=4)
            return
        order: list[str | None] = [None, *self.attributes]
        position = order.index(self.by) if self.by in order else 0
        self.by = order[(position + 1) % len(order)]
        self.load()

    def action_choose_attribute(self) -> None:
        choices: list[tuple[str, str]] = [("(all cases together)", "")]
        choices += [(name, name) for name in self.attributes]
        self.app.push_screen(ChoiceDialog("Break the counts down by", choices), self._attribute_chosen)

    def _attribute_chosen(self, name: str | None) -> None:
        if name is not None:
            self.by = name or None
            self.load()

    def action_choose_layer(self) -> None:
        coder = self.app.coder  # type: ignore[attr-defined]
        choices = [(layer + ("  (you)" if layer == coder else "") + ("  (agreed coding)" if layer == CONSENSUS
                                                                    else ""), layer) for layer in self.layer_names]
        self.app.push_screen(ChoiceDialog("Count the codings of", choices), self._layer_chosen)

    def _layer_chosen(self, layer: str | None) -> None:
        if layer:
            self.coding_layer = layer
            self.load()

    def action_back(self) -> None:
        self.app.pop_screen()
