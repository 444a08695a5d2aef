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


# -- charts as printed tables -------------------------------------------------------------------

COLUMN_GAP = 2
"""Characters between two printed table columns."""


def shorten(text: str, width: int) -> str:
    """``text`` in at most ``width`` characters. A long name keeps its start and its end
    (``assistant_direc…l_02``): case and document names often differ only at the end."""
    if len(text) <= width:
        return text
    if width <= 1:
        return "…"[:max(0, width)]
    tail = (width - 1) // 3
    head = width - 1 - tail
    return text[:head] + "…" + (text[-tail:] if tail else "")


def column_blocks(columns: int, screen_width: int, case_w: int, cell: int | None = None) -> tuple[list[range], int]:
    """How a chart of ``columns`` columns is printed in ``screen_width`` characters: the
    ranges of columns printed side by side beside the case column (as few blocks as fit,
    of even size), and the width of each column (``cell`` if given)."""
    room = max(1, screen_width - case_w)
    if cell is None:
        cell = max(MIN_CELL, min(MAX_CELL, room // max(1, columns) - COLUMN_GAP))
    fit = max(1, room // (cell + COLUMN_GAP))
    count = -(-columns // fit) if columns else 1
    per_block = -(-columns // count) if columns else 0
    if count > 1 and per_block:
        cell = max(cell, min(MAX_CELL, room // per_block - COLUMN_GAP))
    return [range(i, min(columns, i + per_block)) for i in range(0, columns, per_block or 1)], cell
