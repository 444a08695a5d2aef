"""What the matrix shows, computed without Textual: the columns of the chart (or charts) on
screen and the widths they share."""

from __future__ import annotations

from framework.analysis.charting import Chart, ChartSet, Column, Row

ALL = -1
"""The chart index that shows every chart at once."""
MIN_CELL, MAX_CELL = 14, 48
"""Cell widths (characters): columns shrink to fit the terminal down to MIN_CELL, then scroll."""
GROUP_PREFIX = "group:"
CASE_PREFIX = "case:"
"""Row keys: a group heading, or a case (followed by its id)."""


def shown_columns(charts: ChartSet | None, chart_index: int) -> list[tuple[Chart, Column]]:
    """The columns on screen, with their charts: one chart's, or every chart's (``ALL``)."""
    if charts is None or not charts.charts:
        return []
    chosen = charts.charts if chart_index == ALL else [charts.charts[chart_index]]
    return [(chart, column) for chart in chosen for column in chart.columns]


def case_width(charts: ChartSet | None, screen_width: int) -> int:
    """Wide enough for the case names and group headings, at most 30% of the screen."""
    if charts is None:
        return 10
    wanted = [len(r.case.name) for r in charts.rows]
    if charts.group_by:
        wanted += [len(" › ".join(g)) + len(f" ({len(rows)})") for g, rows in charts.groups()]
    return min(max(10, *wanted, 4), max(16, screen_width * 3 // 10))


def cell_width(charts: ChartSet | None, screen_width: int, columns: int) -> int:
    """The width each chart column gets: the room left beside the case column, shared."""
    room = screen_width - case_width(charts, screen_width) - 2 - 1
    return max(MIN_CELL, min(MAX_CELL, room // max(1, columns) - 2))


def row_of(charts: ChartSet, row_key: str | None) -> Row | None:
    """The case row a table row key names (None for a group heading)."""
    if not row_key or not row_key.startswith(CASE_PREFIX):
        return None
    case_id = int(row_key[len(CASE_PREFIX):])
    return next((r for r in charts.rows if r.case.id == case_id), None)
