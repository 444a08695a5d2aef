"""The matrix: Framework charts, cases by subthemes, with the analyst's summaries.

One chart per main theme (``]``/``[`` move between them, ``c`` chooses one or all themes
at once). Rows are the cases, grouped and sorted by the attributes chosen with ``g`` and
kept in the same order in every chart; each cell shows the start of its summary, or the
number of coded passages when no summary is written yet, after its status mark. Enter
opens the cell editor. Everything shown comes from :func:`framework.charting.build_charts`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import Worker, WorkerState

from ... import coding as core
from ...charting import Cell, Chart, ChartSet, Column, Row, build_charts
from ...store import CONSENSUS, Store
from ..dialogs.common import ChoiceDialog
from ..widgets.analysis_table import AnalysisTable
from .cell_editor import CellEditorScreen, CellTarget, EditorResult

STATUS_MARKS = {"empty": "○", "draft": "◐", "done": "●"}
"""The status mark before each cell: empty, draft, done."""
NOTHING_MARK = "·"
"""A cell with no summary and no coded passage."""
LEGEND = "○ empty  ◐ draft  ● done"
GROUP_PREFIX = "group:"
CASE_PREFIX = "case:"
ALL = -1
"""``chart_index`` for all themes at once."""
MIN_CELL, MAX_CELL = 14, 48
"""Cell widths (characters): columns shrink to fit the terminal down to MIN_CELL, then scroll."""
TALL_LINES = 3
"""Lines of summary shown per cell in tall rows."""
GROUP_SETTING = "matrix_group_by"


def available_layers(store: Store) -> list[str]:
    """Layers with something to chart: coders with codings or summaries, then consensus."""
    coders = {c for per_doc in store.documents.coded_counts().values() for c in per_doc}
    coders |= {r["layer"] for r in store.query("SELECT DISTINCT layer FROM chart_cells")}
    return sorted(coders - {CONSENSUS}, key=str.casefold) + [CONSENSUS]


def default_layer(store: Store, coder: str, layers: list[str]) -> str:
    """The current coder's layer if there is one to chart, else the first with codings."""
    if coder and (coder in layers or coder in store.coders()):
        return coder
    return layers[0]


def cell_text(cell: Cell, width: int, *, lines: int = 1, marks: dict[str, Text] | None = None) -> Text:
    """A matrix cell: the status mark, then the start of the summary or the passage count."""
    preview = cell.preview(max(4, width - 2) * lines - (lines - 1))
    if not preview and cell.status == "empty":
        return Text(NOTHING_MARK, style="dim")
    mark = (marks or {}).get(cell.status) or Text(STATUS_MARKS.get(cell.status, "?"))
    text = Text.assemble(mark, " ")
    text.append(preview, style="" if cell.summary.strip() else "italic")
    return text


class MatrixScreen(Screen[None]):
    """Framework charts for one coding layer: Enter writes the summary of a cell."""

    CSS_PATH = "analysis.tcss"
    AUTO_FOCUS = "#matrix"

    BINDINGS = [
        Binding("enter", "edit", "Edit cell", priority=True, id="matrix.edit",
                tooltip="Write the summary of this cell, beside its coded passages"),
        Binding("right_square_bracket", "chart(1)", "Next chart", id="matrix.next_chart",
                tooltip="Show the next main theme's chart"),
        Binding("left_square_bracket", "chart(-1)", "Previous chart", show=False, id="matrix.previous_chart",
                tooltip="Show the previous main theme's chart"),
        Binding("c", "choose_chart", "Chart", id="matrix.chart", tooltip="Choose a chart, or all themes at once"),
        Binding("l", "choose_layer", "Layer", id="matrix.layer",
                tooltip="Chart another coder's codings, or the consensus layer"),
        Binding("g", "group", "Group", id="matrix.group",
                tooltip="Group and sort the rows by case attributes (same order in every chart)"),
        Binding("z", "toggle_tall", "Tall rows", show=False, id="matrix.tall",
                tooltip=f"Show up to {TALL_LINES} lines of each summary"),
        Binding("m", "mapping", "Mapping", id="matrix.mapping",
                tooltip="How many cases raised each theme, by an attribute"),
        Binding("u", "undo", "Undo", show=False, id="matrix.undo", tooltip="Undo your last action"),
        Binding("U", "redo", "Redo", show=False, id="matrix.redo", tooltip="Redo what was undone"),
        Binding("f5", "reload", "Reload", show=False, id="matrix.reload",
                tooltip="Read the charts again (after coding elsewhere)"),
        Binding("escape", "back", "Back", id="matrix.back"),
    ]

    chart_index: reactive[int] = reactive(0, init=False)
    """The chart shown: an index into the chart set, or ALL."""
    tall: reactive[bool] = reactive(False, init=False)

    @dataclass
    class Loaded(Message):
        charts: ChartSet
        layers: list[str]
        note: str = ""

    @dataclass
    class Changed(Message):
        """Undo or redo ran: read the charts again."""

        what: str

    def __init__(self, layer: str | None = None, *, chart: str | None = None) -> None:
        super().__init__()
        self.coding_layer = layer
        self.initial_chart = chart
        self.group_by: tuple[str, ...] | None = None
        self.charts: ChartSet | None = None
        self.layer_names: list[str] = []
        self.note = ""
        self._width = 0

    def compose(self) -> ComposeResult:
        yield Header(icon="▦")
        yield Static("", id="matrix-title", classes="analysis-bar")
        yield AnalysisTable(id="matrix", cursor_type="cell", fixed_columns=1)
        yield Static("", id="matrix-status", classes="analysis-bar")
        yield Footer()

    @property
    def table(self) -> AnalysisTable:
        return self.query_one("#matrix", AnalysisTable)

    def on_mount(self) -> None:
        self.table.loading = True
        self.watch(self.app, "theme", self._restyle, init=False)
        self.load()

    # -- loading ---------------------------------------------------------------------------

    def load(self) -> None:
        self.table.loading = True
        self.build(self.coding_layer, self.group_by, self.app.coder)  # type: ignore[attr-defined]

    @work(thread=True, exclusive=True, exit_on_error=False, group="matrix")
    def build(self, layer: str | None, group_by: tuple[str, ...] | None, coder: str) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        layers = available_layers(store)
        note = ""
        if layer is None:
            layer = default_layer(store, coder, layers)
            if coder and layer != coder:
                note = f"{coder} has no codings yet: showing {layer}"
        if layer not in layers:
            layers.insert(0, layer)
        if group_by is None:
            saved = self.app.project.settings().get(GROUP_SETTING, [])  # type: ignore[attr-defined]
            known = {a.name for a in store.cases.attributes()}
            group_by = tuple(a for a in saved if isinstance(a, str) and a in known) if isinstance(saved, list) else ()
        self.post_message(self.Loaded(build_charts(store, layer, group_by=group_by), layers, note))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        first = self.charts is None
        self.charts, self.layer_names, self.note = event.charts, event.layers, event.note
        self.coding_layer, self.group_by = event.charts.layer, event.charts.group_by
        if first and self.initial_chart:
            ids = [c.theme.id for c in event.charts.charts]
            if self.initial_chart in ids:
                self.set_reactive(MatrixScreen.chart_index, ids.index(self.initial_chart))
        if self.chart_index >= len(event.charts.charts):
            self.set_reactive(MatrixScreen.chart_index, 0)
        self.table.loading = False
        self._rebuild()

    @on(Worker.StateChanged)
    def _failed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "matrix" and event.state == WorkerState.ERROR:
            self.table.loading = False
            self.query_one("#matrix-title", Static).update(
                Text(f"Nothing to chart: {event.worker.error}", style="bold"))

    def action_reload(self) -> None:
        self.load()

    # -- drawing ---------------------------------------------------------------------------

    def shown(self) -> list[tuple[Chart, Column]]:
        """The columns on screen, with their charts."""
        if self.charts is None or not self.charts.charts:
            return []
        charts = self.charts.charts if self.chart_index == ALL else [self.charts.charts[self.chart_index]]
        return [(chart, column) for chart in charts for column in chart.columns]

    def _case_width(self) -> int:
        """Wide enough for the case names and group headings, at most 30% of the screen."""
        if self.charts is None:
            return 10
        wanted = [len(r.case.name) for r in self.charts.rows]
        if self.charts.group_by:
            wanted += [len(" › ".join(g)) + len(f" ({len(rows)})") for g, rows in self.charts.groups()]
        return min(max(10, *wanted, 4), max(16, self.size.width * 3 // 10))

    def _cell_width(self, columns: int) -> int:
        room = self.size.width - self._case_width() - 2 - 1
        return max(MIN_CELL, min(MAX_CELL, room // max(1, columns) - 2))

    def _rebuild(self) -> None:
        table = self.table
        if self.charts is None:
            return
        keep = self._cursor_keys()
        table.clear(columns=True)
        shown = self.shown()
        width = self._cell_width(len(shown))
        self._width = width
        table.add_column(Text("Case", style="bold"), key="case", width=self._case_width())
        for _chart, column in shown:
            heading = column.heading + (" (general)" if column.own else "")
            table.add_column(Text(heading, style="bold", overflow="ellipsis", no_wrap=True), key=column.id,
                             width=width)
        marks = {status: Text(mark, style=table.style(status)) for status, mark in STATUS_MARKS.items()}
        lines = TALL_LINES if self.tall else 1
        for group, rows in self.charts.groups():
            if self.charts.group_by:
                label = Text(" › ".join(group), style=table.style("group"), no_wrap=True, overflow="ellipsis")
                label.append(f" ({len(rows)})", style=table.style("muted"))
                table.add_row(label, *[""] * len(shown), key=f"{GROUP_PREFIX}{' › '.join(group)}")
            for row in rows:
                cells = [cell_text(chart.cell(row.case.id, column), width, lines=lines, marks=marks)
                         for chart, column in shown]
                table.add_row(Text(row.case.name, style=table.style("case")), *cells,
                              key=f"{CASE_PREFIX}{row.case.id}", height=None if self.tall else 1)
        self._restore_cursor(keep)
        self._describe()

    def _restyle(self) -> None:
        if self.charts is not None:
            self._rebuild()

    def on_resize(self) -> None:
        if self.charts is not None and self._cell_width(len(self.shown())) != self._width:
            self._rebuild()

    def _cursor_keys(self) -> tuple[str | None, str | None]:
        table = self.table
        if not table.row_count or not table.columns:
            return None, None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate)
        except Exception:
            return None, None
        return key.row_key.value, key.column_key.value

    def _restore_cursor(self, keep: tuple[str | None, str | None]) -> None:
        table = self.table
        row_key, column_key = keep
        row = table.get_row_index(row_key) if row_key in table.rows else None
        if row is None:
            row = next((i for i, key in enumerate(table.rows) if str(key.value).startswith(CASE_PREFIX)), 0)
        column = table.get_column_index(column_key) if column_key in table.columns else 1
        table.move_cursor(row=row, column=min(max(column, 1), max(len(table.columns) - 1, 0)), animate=False)

    def _describe(self) -> None:
        if self.charts is None:
            return
        count = len(self.charts.charts)
        title = Text()
        if not count:
            title.append("No themes to chart yet", style="bold")
        elif self.chart_index == ALL:
            title.append(f"All {count} charts", style="bold")
        else:
            chart = self.charts.charts[self.chart_index]
            title.append(f"Chart {self.chart_index + 1} of {count}: ", style="bold")
            title.append(chart.title, style="bold")
        title.append(f"  · layer {self.charts.layer}")
        grouping = " › ".join(self.charts.group_by) if self.charts.group_by else "case name"
        title.append(f" · rows by {grouping} · {len(self.charts.rows)} cases")
        if self.note:
            title.append(f" · {self.note}", style="italic")
        self.query_one("#matrix-title", Static).update(title)
        self._describe_cell()

    @on(DataTable.CellHighlighted, "#matrix")
    def _highlighted(self) -> None:
        self._describe_cell()

    def current(self) -> tuple[Row, Chart, Column] | None:
        """The case row, chart and column under the cursor (None on a group row or the case column)."""
        if self.charts is None:
            return None
        row_key, column_key = self._cursor_keys()
        if not row_key or not row_key.startswith(CASE_PREFIX) or column_key in (None, "case"):
            return None
        case_id = int(row_key[len(CASE_PREFIX):])
        row = next((r for r in self.charts.rows if r.case.id == case_id), None)
        found = next(((ch, col) for ch, col in self.shown() if col.id == column_key), None)
        if row is None or found is None:
            return None
        return row, found[0], found[1]

    def _describe_cell(self) -> None:
        status = self.query_one("#matrix-status", Static)
        here = self.current()
        if here is None:
            row_key, _ = self._cursor_keys()
            text = Text()
            if row_key and row_key.startswith(GROUP_PREFIX) and self.charts is not None:
                text.append(row_key[len(GROUP_PREFIX):], style="bold")
                text.append(f" · {' › '.join(self.charts.group_by)}   ")
            text.append(LEGEND, style="dim")
            status.update(text)
            return
        row, chart, column = here
        cell = chart.cell(row.case.id, column)
        text = Text.assemble((row.case.name, "bold"))
        values = [v for v in row.case.attributes.values() if v]
        if values:
            text.append(f" ({', '.join(values)})", style="dim")
        text.append(f" × {column.heading} · {cell.status}")
        text.append(f" · {cell.count} passage{'s' if cell.count != 1 else ''}")
        text.append(f"   {LEGEND}", style="dim")
        status.update(text)

    # -- keys ------------------------------------------------------------------------------

    def watch_chart_index(self) -> None:
        self._rebuild()

    def watch_tall(self) -> None:
        self._rebuild()

    def action_chart(self, step: int) -> None:
        if self.charts is None or not self.charts.charts:
            return
        count = len(self.charts.charts)
        self.chart_index = 0 if self.chart_index == ALL else (self.chart_index + step) % count

    def action_choose_chart(self) -> None:
        if self.charts is None:
            return
        choices: list[tuple[str, int]] = [(chart.title, i) for i, chart in enumerate(self.charts.charts)]
        choices.append(("All themes at once", ALL))
        self.app.push_screen(ChoiceDialog("Show chart", choices), self._chart_chosen)

    def _chart_chosen(self, index: int | None) -> None:
        if index is not None:
            self.chart_index = index

    def action_choose_layer(self) -> None:
        if not self.layer_names:
            return
        coder = self.app.coder  # type: ignore[attr-defined]
        choices = [(f"{layer}" + ("  (you)" if layer == coder else "")
                    + ("  (agreed coding)" if layer == CONSENSUS else ""), layer) for layer in self.layer_names]
        self.app.push_screen(ChoiceDialog("Chart the codings of", choices), self._layer_chosen)

    def _layer_chosen(self, layer: str | None) -> None:
        if layer and self.charts is not None and layer != self.charts.layer:
            self.coding_layer, self.note = layer, ""
            self.load()

    def action_group(self) -> None:
        if self.charts is None:
            return
        self._ask_group([], list(self.charts.attributes))

    def _ask_group(self, chosen: list[str], left: list[str]) -> None:
        if not left:
            self._grouped(chosen)
            return
        if chosen:
            title = f"Rows by {' › '.join(chosen)}, then by"
            choices: list[tuple[str, str]] = [("(nothing more: case name)", "")]
        else:
            title = "Group and sort the rows by"
            choices = [("(no grouping: case name)", "")]
        choices += [(name, name) for name in left]

        def picked(name: str | None) -> None:
            if name is None:
                return
            if not name:
                self._grouped(chosen)
            else:
                self._ask_group([*chosen, name], [a for a in left if a != name])

        self.app.push_screen(ChoiceDialog(title, choices), picked)

    def _grouped(self, attributes: list[str]) -> None:
        self.group_by = tuple(attributes)
        self.save_grouping(list(attributes))
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="matrix-settings")
    def save_grouping(self, attributes: list[str]) -> None:
        self.app.project.save_setting(GROUP_SETTING, attributes)  # type: ignore[attr-defined]

    def action_toggle_tall(self) -> None:
        self.tall = not self.tall

    def action_mapping(self) -> None:
        from .mapping import MappingScreen

        self.app.push_screen(MappingScreen(self.coding_layer))

    def action_undo(self) -> None:
        self._history(redo=False)

    def action_redo(self) -> None:
        self._history(redo=True)

    def _history(self, *, redo: bool) -> None:
        coder = self.app.coder  # type: ignore[attr-defined]
        if not coder:
            return
        store = self.app.store  # type: ignore[attr-defined]
        action = (lambda: core.redo(store, coder)) if redo else (lambda: core.undo(store, coder))
        self.app.write(self, action, lambda result: self.Changed(  # type: ignore[attr-defined]
            ("Redone" if redo else "Undone") if result else ("Nothing to redo" if redo else "Nothing to undo")))

    @on(Changed)
    def _changed(self, event: Changed) -> None:
        self.notify(event.what, timeout=3)
        self.load()

    # -- the cell editor -----------------------------------------------------------------------

    @on(DataTable.CellSelected, "#matrix")
    def _selected(self) -> None:
        self.action_edit()

    def action_edit(self) -> None:
        here = self.current()
        if here is None or self.charts is None:
            return
        row, chart, column = here
        target = CellTarget(row.case, chart.theme, column, self.charts.layer, chart.cell(row.case.id, column))
        self.app.push_screen(CellEditorScreen(target), self._edited)

    def _edited(self, result: EditorResult | None) -> None:
        if result is None or self.charts is None:
            return
        if result.reload:
            self.load()
            return
        if result.cell is not None:
            self.charts.update(result.cell)
            self._refresh_cell(result.cell.case_id, result.cell.theme_id)

    def _refresh_cell(self, case_id: int, theme_id: str) -> None:
        table = self.table
        row_key = f"{CASE_PREFIX}{case_id}"
        if row_key not in table.rows or theme_id not in table.columns:
            return
        chart = next((ch for ch, col in self.shown() if col.id == theme_id), None)
        if chart is None:
            return
        marks = {status: Text(mark, style=table.style(status)) for status, mark in STATUS_MARKS.items()}
        lines = TALL_LINES if self.tall else 1
        table.update_cell(row_key, theme_id, cell_text(chart.cell(case_id, theme_id), self._width, lines=lines,
                                                       marks=marks))
        self._describe_cell()

    def action_back(self) -> None:
        self.app.pop_screen()
