"""Plain values that screens hand to one another through the app."""

from __future__ import annotations

from dataclasses import dataclass

from framework.analysis.charting import Cell, Column
from framework.store import Case, ChartCell, Theme


@dataclass(frozen=True)
class CellTarget:
    """What the editor edits: a case, the chart and column, the layer, the cell as charted."""

    case: Case
    chart_theme: Theme
    column: Column
    layer: str
    cell: Cell


@dataclass(frozen=True)
class EditorResult:
    """What the matrix needs back: the cell as last saved, or a full reload after coding."""

    cell: ChartCell | None
    reload: bool = False
