"""A DataTable for the analysis screens, with its painted styles taken from the theme.

The matrix, mapping and agreement screens fill cells with Rich ``Text``; the styles of
status marks, flags and heat-map levels come from this widget's component classes, so
they follow the light or dark theme (call :meth:`style` again after a theme change).
"""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from textual.widgets import DataTable

HEAT_LEVELS = 5
"""Heat-map intensities above zero (``analysis--heat-1`` .. ``analysis--heat-5``)."""


class AnalysisTable(DataTable):
    """A DataTable whose cell styles are component classes (theme variables, no colours)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = DataTable.COMPONENT_CLASSES | {
        "analysis--muted",
        "analysis--group",
        "analysis--case",
        "analysis--empty",
        "analysis--draft",
        "analysis--done",
        "analysis--good",
        "analysis--fair",
        "analysis--poor",
        "analysis--na",
        "analysis--heat-0",
        *{f"analysis--heat-{n}" for n in range(1, HEAT_LEVELS + 1)},
    }

    DEFAULT_CSS = """
    AnalysisTable {
        height: 1fr;
        border: none;
        scrollbar-size-vertical: 1;
        & > .analysis--muted { text-style: dim; }
        & > .analysis--group { color: $text-primary; text-style: bold; }
        & > .analysis--case { text-style: bold; }
        & > .analysis--empty { text-style: dim; }
        & > .analysis--draft { color: $text-warning; text-style: bold; }
        & > .analysis--done { color: $text-success; text-style: bold; }
        & > .analysis--good { color: $text-success; }
        & > .analysis--fair { color: $text-warning; }
        & > .analysis--poor { color: $text-error; }
        & > .analysis--na { text-style: dim italic; }
        & > .analysis--heat-0 { text-style: dim; }
        & > .analysis--heat-1 { background: $primary 12%; }
        & > .analysis--heat-2 { background: $primary 28%; }
        & > .analysis--heat-3 { background: $primary 45%; }
        & > .analysis--heat-4 { background: $primary 65%; text-style: bold; }
        & > .analysis--heat-5 { background: $primary 85%; text-style: bold; }
    }
    """

    def style(self, name: str) -> Style:
        """The Rich style of ``analysis--<name>`` for the current theme."""
        return self.get_component_rich_style(f"analysis--{name}", partial=True)

    def heat(self, share: float, count: int) -> Style:
        """The heat-map style for a share (0..1): nothing raised it, or one of five levels."""
        if count <= 0:
            return self.style("heat-0")
        level = min(HEAT_LEVELS, max(1, int(share * HEAT_LEVELS + 0.999999)))
        return self.get_component_rich_style(f"analysis--heat-{level}")
