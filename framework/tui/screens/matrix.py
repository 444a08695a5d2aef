"""The matrix: Framework charts, cases by subthemes, with the analyst's summaries.

One chart per main theme (``]``/``[`` move between them, ``c`` chooses one or all themes
at once). Rows are the cases, grouped and sorted by the attributes chosen with ``g`` and
kept in the same order in every chart; each cell shows the start of its summary, or the
number of coded passages when no summary is written yet, after its status mark. Enter
opens the cell editor. Everything shown comes from :func:`framework.analysis.charting.build_charts`;
the table is drawn by :class:`framework.tui.widgets.matrix_table.MatrixTable`. When another
process changes the project, the charts are read again and the cursor stays on its case,
column and chart.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import Worker, WorkerState

from framework.analysis.charting import (
    Chart,
    ChartSet,
    Column,
    Row,
    available_layers,
    build_charts,
    default_layer,
)
from framework.coding import actions as core
from framework.store import CONSENSUS
from framework.tui.dialogs.common import ChoiceDialog
from framework.tui.screens.following import FollowsProject
from framework.tui.shared import CellTarget, EditorResult
from framework.tui.widgets.matrix_table import TALL_LINES, MatrixTable, status_text, title_text
from framework.views.matrix import ALL

GROUP_SETTING = "matrix_group_by"
"""The project setting that remembers how rows are grouped."""


class MatrixScreen(FollowsProject[None]):
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
        Binding("E", "export", "Export", id="matrix.export",
                tooltip="Export the charts shown, or the quotes of the theme under the cursor"),
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

    def compose(self) -> ComposeResult:
        yield Header(icon="▦")
        yield Static("", id="matrix-title", classes="analysis-bar")
        yield MatrixTable(id="matrix")
        yield Static("", id="matrix-status", classes="analysis-bar")
        yield Footer()

    @property
    def table(self) -> MatrixTable:
        return self.query_one("#matrix", MatrixTable)

    def on_mount(self) -> None:
        self.table.loading = True
        self.watch(self.app, "theme", self._restyle, init=False)
        self.load()

    # -- loading ---------------------------------------------------------------------------

    def load(self, *, quietly: bool = False) -> None:
        """Build the charts in a worker; ``quietly`` keeps the table as it is until they come."""
        if not quietly:
            self.table.loading = True
        self.build(self.coding_layer, self.group_by, self.app.coder)  # type: ignore[attr-defined]

    def project_changed(self) -> None:
        """Another process coded, summarised or imported: the charts as they are now, in place."""
        if self.charts is not None:
            self.load(quietly=True)

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
        old = self.charts
        if old is not None and (event.charts, event.layers) == (old, self.layer_names):
            self.table.loading = False
            return
        shown = self.initial_chart if old is None else self._chart_id(old)
        self.charts, self.layer_names, self.note = event.charts, event.layers, event.note or self.note
        self.coding_layer, self.group_by = event.charts.layer, event.charts.group_by
        ids = [c.theme.id for c in event.charts.charts]
        if shown in ids:
            self.set_reactive(MatrixScreen.chart_index, ids.index(shown))
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

    def _chart_id(self, charts: ChartSet) -> str | None:
        """The theme of the chart shown (None: all at once)."""
        if self.chart_index == ALL or not 0 <= self.chart_index < len(charts.charts):
            return None
        return charts.charts[self.chart_index].theme.id

    # -- drawing ---------------------------------------------------------------------------

    def shown(self) -> list[tuple[Chart, Column]]:
        """The columns on screen, with their charts."""
        return self.table.shown()

    def _rebuild(self) -> None:
        if self.charts is None:
            return
        self.table.show(self.charts, self.chart_index, self.tall)
        self._describe()

    def _restyle(self) -> None:
        if self.charts is not None:
            self._rebuild()

    def on_resize(self) -> None:
        if self.charts is not None and not self.table.fits():
            self._rebuild()

    def _describe(self) -> None:
        if self.charts is None:
            return
        self.query_one("#matrix-title", Static).update(title_text(self.charts, self.chart_index, self.note))
        self._describe_cell()

    @on(DataTable.CellHighlighted, "#matrix")
    def _highlighted(self) -> None:
        self._describe_cell()

    def current(self) -> tuple[Row, Chart, Column] | None:
        """The case row, chart and column under the cursor (None on a group row or the case column)."""
        return self.table.current()

    def _describe_cell(self) -> None:
        row_key, _ = self.table.cursor_keys()
        self.query_one("#matrix-status", Static).update(status_text(self.charts, self.current(), row_key))

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
        self.app.open_mapping(self.coding_layer)  # type: ignore[attr-defined]

    def action_export(self) -> None:
        if self.charts is None or not self.charts.charts:
            return
        charts = self.charts
        shown = charts.charts if self.chart_index == ALL else [charts.charts[self.chart_index]]
        title = shown[0].title if len(shown) == 1 else f"all {len(shown)} charts"
        here = self.current()
        theme = here[2].theme if here is not None else (shown[0].theme if len(shown) == 1 else None)
        self.app.open_export(  # type: ignore[attr-defined]
            charts.layer, [c.theme.id for c in shown], title, group_by=charts.group_by,
            quote_theme=theme.id if theme is not None else None,
            quote_title=f"{theme.id} {theme.label}" if theme is not None else "")

    def action_undo(self) -> None:
        self._history(redo=False)

    def action_redo(self) -> None:
        self._history(redo=True)

    def _history(self, *, redo: bool) -> None:
        coder = self.app.coder  # type: ignore[attr-defined]
        if not coder:
            return
        store = self.app.store  # type: ignore[attr-defined]

        def action() -> str:
            result = core.redo(store, coder) if redo else core.undo(store, coder)
            if result is None:
                return "Nothing to redo" if redo else "Nothing to undo"
            return f"{'Redone' if redo else 'Undone'}: {core.describe_action(store, *result)}"

        self.app.write(self, action, self.Changed)  # type: ignore[attr-defined]

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
        self.app.open_cell_editor(target, self._edited)  # type: ignore[attr-defined]

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
        self.table.refresh_cell(case_id, theme_id)
        self._describe_cell()

    def action_back(self) -> None:
        self.app.pop_screen()
