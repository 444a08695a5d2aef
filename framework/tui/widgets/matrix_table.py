"""The matrix table: cases down, the chart's subthemes across, each cell a status mark and the
start of its summary (or the number of passages)."""

from __future__ import annotations

from rich.text import Text

from framework.analysis.charting import Cell, Chart, ChartSet, Column, Row
from framework.tui.widgets.analysis_table import AnalysisTable
from framework.views.matrix import ALL, CASE_PREFIX, GROUP_PREFIX, case_width, cell_width, row_of, shown_columns

STATUS_MARKS = {"empty": "○", "draft": "◐", "done": "●"}
"""The status mark before each cell: empty, draft, done."""
NOTHING_MARK = "·"
"""A cell with no summary and no coded passage."""
LEGEND = "○ empty  ◐ draft  ● done"
TALL_LINES = 3
"""Lines of summary shown per cell in tall rows."""


def cell_text(cell: Cell, width: int, *, lines: int = 1, marks: dict[str, Text] | None = None) -> Text:
    """A matrix cell: the status mark, then the start of the summary or the passage count."""
    preview = cell.preview(max(4, width - 2) * lines - (lines - 1))
    if not preview and cell.status == "empty":
        return Text(NOTHING_MARK, style="dim")
    mark = (marks or {}).get(cell.status) or Text(STATUS_MARKS.get(cell.status, "?"))
    text = Text.assemble(mark, " ")
    text.append(preview, style="" if cell.summary.strip() else "italic")
    return text


class MatrixTable(AnalysisTable):
    """One chart, or every chart side by side, of a :class:`ChartSet`."""

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="cell", fixed_columns=1, **kwargs)
        self.charts: ChartSet | None = None
        self.chart_index = 0
        self.tall = False
        self.cell_width = 0

    def shown(self) -> list[tuple[Chart, Column]]:
        """The columns on screen, with their charts."""
        return shown_columns(self.charts, self.chart_index)

    def fits(self) -> bool:
        """Whether the columns still have the width the screen gives them."""
        return self.charts is None or cell_width(self.charts, self.screen.size.width, len(self.shown())) == self.cell_width

    def _marks(self) -> dict[str, Text]:
        return {status: Text(mark, style=self.style(status)) for status, mark in STATUS_MARKS.items()}

    def show(self, charts: ChartSet, chart_index: int, tall: bool) -> None:
        """Draw the charts, keeping the cursor on the same case and column when they are still there."""
        keep = self.cursor_keys()
        self.charts, self.chart_index, self.tall = charts, chart_index, tall
        self.clear(columns=True)
        shown = self.shown()
        screen_width = self.screen.size.width
        width = self.cell_width = cell_width(charts, screen_width, len(shown))
        self.add_column(Text("Case", style="bold"), key="case", width=case_width(charts, screen_width))
        for _chart, column in shown:
            heading = column.heading + (" (general)" if column.own else "")
            self.add_column(Text(heading, style="bold", overflow="ellipsis", no_wrap=True), key=column.id, width=width)
        marks = self._marks()
        lines = TALL_LINES if tall else 1
        for group, rows in charts.groups():
            if charts.group_by:
                label = Text(" › ".join(group), style=self.style("group"), no_wrap=True, overflow="ellipsis")
                label.append(f" ({len(rows)})", style=self.style("muted"))
                self.add_row(label, *[""] * len(shown), key=f"{GROUP_PREFIX}{' › '.join(group)}")
            for row in rows:
                cells = [cell_text(chart.cell(row.case.id, column), width, lines=lines, marks=marks)
                         for chart, column in shown]
                self.add_row(Text(row.case.name, style=self.style("case")), *cells,
                             key=f"{CASE_PREFIX}{row.case.id}", height=None if tall else 1)
        self.restore_cursor(keep)

    def cursor_keys(self) -> tuple[str | None, str | None]:
        """The row and column keys under the cursor."""
        if not self.row_count or not self.columns:
            return None, None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate)
        except Exception:
            return None, None
        return key.row_key.value, key.column_key.value

    def restore_cursor(self, keep: tuple[str | None, str | None]) -> None:
        row_key, column_key = keep
        row = self.get_row_index(row_key) if row_key in self.rows else None
        if row is None:
            row = next((i for i, key in enumerate(self.rows) if str(key.value).startswith(CASE_PREFIX)), 0)
        column = self.get_column_index(column_key) if column_key in self.columns else 1
        self.move_cursor(row=row, column=min(max(column, 1), max(len(self.columns) - 1, 0)), animate=False)

    def current(self) -> tuple[Row, Chart, Column] | None:
        """The case row, chart and column under the cursor (None on a group row or the case column)."""
        if self.charts is None:
            return None
        row_key, column_key = self.cursor_keys()
        row = row_of(self.charts, row_key)
        if row is None or column_key in (None, "case"):
            return None
        found = next(((ch, col) for ch, col in self.shown() if col.id == column_key), None)
        if found is None:
            return None
        return row, found[0], found[1]

    def refresh_cell(self, case_id: int, theme_id: str) -> None:
        """Draw one cell again (after its summary was saved)."""
        row_key = f"{CASE_PREFIX}{case_id}"
        if row_key not in self.rows or theme_id not in self.columns:
            return
        chart = next((ch for ch, col in self.shown() if col.id == theme_id), None)
        if chart is None:
            return
        lines = TALL_LINES if self.tall else 1
        self.update_cell(row_key, theme_id, cell_text(chart.cell(case_id, theme_id), self.cell_width, lines=lines,
                                                      marks=self._marks()))


def title_text(charts: ChartSet, chart_index: int, note: str) -> Text:
    """Which chart (or all), the layer, the grouping and the number of cases."""
    count = len(charts.charts)
    title = Text()
    if not count:
        title.append("No themes to chart yet", style="bold")
    elif chart_index == ALL:
        title.append(f"All {count} charts", style="bold")
    else:
        chart = charts.charts[chart_index]
        title.append(f"Chart {chart_index + 1} of {count}: ", style="bold")
        title.append(chart.title, style="bold")
    title.append(f"  · layer {charts.layer}")
    grouping = " › ".join(charts.group_by) if charts.group_by else "case name"
    title.append(f" · rows by {grouping} · {len(charts.rows)} cases")
    if note:
        title.append(f" · {note}", style="italic")
    return title


def status_text(charts: ChartSet | None, here: tuple[Row, Chart, Column] | None, row_key: str | None) -> Text:
    """The bottom line: the case, attributes, cell status and passages under the cursor; the legend."""
    text = Text()
    if here is None:
        if row_key and row_key.startswith(GROUP_PREFIX) and charts is not None:
            text.append(row_key[len(GROUP_PREFIX):], style="bold")
            text.append(f" · {' › '.join(charts.group_by)}   ")
        text.append(LEGEND, style="dim")
        return text
    row, chart, column = here
    cell = chart.cell(row.case.id, column)
    text.append(row.case.name, style="bold")
    values = [v for v in row.case.attributes.values() if v]
    if values:
        text.append(f" ({', '.join(values)})", style="dim")
    text.append(f" × {column.heading} · {cell.status}")
    text.append(f" · {cell.count} passage{'s' if cell.count != 1 else ''}")
    text.append(f"   {LEGEND}", style="dim")
    return text
