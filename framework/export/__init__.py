"""Exports of charts and quotations: XLSX, DOCX, HTML, Markdown and CSV.

``export_charts`` (in :mod:`framework.export.charts`) is the one entry point the command line and the TUI call: it builds the
charts of a layer and writes them in the chosen format. Each writer takes a built
:class:`~framework.analysis.charting.ChartSet`, so a script can also call them directly.

Given a pseudonym key (``key``), every text written is pseudonymised: see
:mod:`framework.export.pseudonymise`. Each export adds one ``export`` entry to the
project's action log, with the key's file and SHA-256 when one was applied.

The names below are found in their modules when first used, so that importing the
package (for :mod:`framework.export.options`, say) loads no writer.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "export_charts": "charts", "export_chart_set": "charts",
    "collect_quotes": "quotes", "export_quotes": "quotes",
    "FORMATS": "options", "TABLE_FORMATS": "options", "CELL_MODES": "options", "QUOTE_FORMATS": "options",
    "DEFAULT_PATTERN": "options",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'framework.export' has no attribute {name!r}")
    return getattr(importlib.import_module(f"framework.export.{module}"), name)
