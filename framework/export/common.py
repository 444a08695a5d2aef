"""What every export shares: safe text, safe file names, and the tables of a chart set.

Spreadsheets run a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula. CSV cells that begin so get a leading ``'`` (the OWASP advice; the
text after it is unchanged). XLSX cells are written as text cells (with Excel's
"quote prefix" flag), never as formulas, so their value is kept exactly.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from framework.analysis.charting import Cell, Chart, ChartSet, Extract, ThemeTree
from framework.errors import InputError
from framework.export import staging
from framework.export.options import CELL_MODES
from framework.themes.model import CODEBOOK_COLUMNS

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LONG_COLUMNS = ("theme", "theme_path", "document", "line_start", "line_end", "reference", "quote", "memo", "coder")
"""Columns of the long table after ``case`` and the case attributes."""

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    """Text without the control characters that XML (XLSX, DOCX, HTML) cannot hold."""
    return _ILLEGAL.sub("", text)


def formula_like(text: str) -> bool:
    return text.startswith(FORMULA_START)


def csv_cell(value: Any) -> Any:
    """A CSV value that no spreadsheet runs: formula-like text gets a leading ``'``."""
    if isinstance(value, str) and formula_like(value):
        return "'" + value
    return value


# -- file names ------------------------------------------------------------------------------


def safe_stem(text: str, limit: int = 60) -> str:
    """A file-name part from a theme id: letters, digits, ``.``, ``_`` and ``-`` only."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._-")[:limit]
    return stem or "theme"


def output_path(directory: Path, name: str, force: bool) -> Path:
    """``directory/name``; if it exists and ``force`` is off, ``stem (2).ext``, ``(3)``..."""
    path = directory / name
    if force or not path.exists():
        return path
    stem, ext = Path(name).stem, Path(name).suffix
    n = 2
    while (directory / f"{stem} ({n}){ext}").exists():
        n += 1
    return directory / f"{stem} ({n}){ext}"


def numbered_from(path: Path) -> Path | None:
    """For ``charts (2).xlsx`` written by :func:`output_path` beside an existing
    ``charts.xlsx``: that earlier file; None for a file that is not numbered so."""
    match = _NUMBERED.fullmatch(path.stem)
    if match is None:
        return None
    earlier = path.with_name(match.group(1) + path.suffix)
    return earlier if earlier.exists() else None


_NUMBERED = re.compile(r"(.+) \((\d+)\)")


def write_file(directory: Path, name: str, force: bool, write: Callable[[Path], None]) -> Path:
    """Write through a temporary file, then put it in place: no half-written exports.

    A pseudonymised export (:func:`framework.export.staging.staged`) keeps the file under its
    temporary name until every file of the export has been checked for the key's terms.
    """
    directory.mkdir(parents=True, exist_ok=True)
    path = output_path(directory, name, force)
    stage = staging.current()
    if stage is not None:
        return stage.write(path, write)
    tmp = directory / f".{path.stem}.{uuid.uuid4().hex[:8]}.part{path.suffix}"
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def base_name(charts: ChartSet) -> str:
    """``chart-5-alice`` for one chart of alice's layer, ``charts-consensus`` for several of the
    consensus: the layer is in every name, so two layers' exports never take each other's."""
    if len(charts.charts) == 1:
        return chart_name(charts, charts.charts[0])
    return f"charts-{layer_stem(charts.layer)}"


def part_names(base: str, parts: list[str], named: bool) -> list[str]:
    """File names (without extension) for the ``parts`` of one export: ``base-part`` each, or
    when the name was given (``named``) and there is one part, the name itself."""
    return [base] if named and len(parts) == 1 else [f"{base}-{part}" for part in parts]


def chart_name(charts: ChartSet, chart: Chart) -> str:
    """``chart-5-alice``: the file name (without extension) of one chart of a layer."""
    return f"chart-{safe_stem(chart.theme.id)}-{layer_stem(charts.layer)}"


def layer_stem(layer: str) -> str:
    """A layer's name as part of a file name (a pseudonymised ``[Coder 1]`` gives ``Coder_1``)."""
    return safe_stem(layer.replace("[", "").replace("]", ""), 40)


def check_mode(mode: str) -> str:
    if mode not in CELL_MODES:
        raise InputError(f"cells {mode!r}: choose one of {', '.join(CELL_MODES)}.")
    return mode


# -- shares and heat maps ------------------------------------------------------------------------


def percent(share: float) -> str:
    """A share as a whole percentage that never reads 0% or 100% when it is not."""
    text = f"{share:.0%}"
    if share > 0 and text == "0%":
        return "<1%"
    if share < 1 and text == "100%":
        return ">99%"
    return text


def heat_level(share: float) -> float:
    """How strongly a heat map colours a share (0..1): nothing for none, and a low share
    still clearly tinted (square-root scale from a visible floor), so 2% of 100,000
    survey answers does not look like nobody."""
    if share <= 0:
        return 0.0
    return min(1.0, HEAT_FLOOR + (1 - HEAT_FLOOR) * share ** 0.5)


HEAT_FLOOR = 0.15
"""The tint of the smallest share above none."""


# -- cell text -------------------------------------------------------------------------------


def extract_text(e: Extract) -> str:
    """``“quote” [doc L12-14]``, and the memo when there is one."""
    text = e.marked_quote
    return f"{text} (memo: {e.memo.strip()})" if e.memo.strip() else text


def cell_text(cell: Cell, mode: str) -> str:
    """What a chart cell holds as plain text: summary, extracts, or both."""
    parts = []
    if mode in ("summaries", "both") and cell.summary.strip():
        parts.append(cell.summary.strip())
    if mode in ("extracts", "both") and cell.extracts:
        parts.append("\n".join(extract_text(e) for e in cell.extracts))
    return "\n\n".join(parts)


def row_head(charts: ChartSet) -> list[str]:
    """The leading columns of every chart: case, then the grouping attributes."""
    return ["case", *charts.group_by]


def row_values(charts: ChartSet, case_attributes: dict[str, str], name: str) -> list[str]:
    return [name, *(case_attributes.get(a, "") for a in charts.group_by)]


def chart_table(charts: ChartSet, chart: Chart, mode: str) -> tuple[list[str], list[list[str]]]:
    """A chart as a header and rows of plain text."""
    header = row_head(charts) + [c.heading for c in chart.columns]
    rows = [
        row_values(charts, r.case.attributes, r.case.name)
        + [cell_text(chart.cell(r.case.id, c), mode) for c in chart.columns]
        for r in charts.rows
    ]
    return header, rows


def overview_table(charts: ChartSet) -> tuple[list[str], list[list[Any]]]:
    """Case x column counts of coded passages, across every chart."""
    header = row_head(charts) + [c.heading for chart in charts.charts for c in chart.columns]
    rows = [
        row_values(charts, r.case.attributes, r.case.name)
        + [chart.cell(r.case.id, c).count for chart in charts.charts for c in chart.columns]
        for r in charts.rows
    ]
    return header, rows


def long_table(charts: ChartSet) -> tuple[list[str], list[list[Any]]]:
    """One row per case x theme x passage, each passage once, in row and chart order."""
    tree = charts.tree
    header = ["case", *charts.attributes, *LONG_COLUMNS]
    rows: list[list[Any]] = []
    for r in charts.rows:
        seen: set[int] = set()
        for chart in charts.charts:
            for column in chart.columns:
                for e in chart.cell(r.case.id, column).extracts:
                    if e.coding_id in seen:
                        continue
                    seen.add(e.coding_id)
                    rows.append([
                        r.case.name, *(r.case.attributes.get(a, "") for a in charts.attributes),
                        e.theme_id, " > ".join(tree.path(e.theme_id)), e.document,
                        *((e.line_start, e.line_end) if e.reference else ("", "")),
                        e.reference, e.quote, e.memo, e.coder,
                    ])
    return header, rows


def presence_table(charts: ChartSet) -> tuple[list[str], list[list[Any]]]:
    """Case x theme 0/1: every charted theme and every theme below it (rolled up)."""
    tree = charts.tree
    themes = [t.id for chart in charts.charts for t, _ in tree.walk([chart.theme.id])]
    themes = list(dict.fromkeys(themes))
    present: set[tuple[int, str]] = set()
    for chart in charts.charts:
        for (case_id, _), cell in chart.cells.items():
            for e in cell.extracts:
                present.update((case_id, t) for t in tree.chain(e.theme_id))
    header = ["case", *charts.attributes, *themes]
    rows = [
        [r.case.name, *(r.case.attributes.get(a, "") for a in charts.attributes),
         *(1 if (r.case.id, t) in present else 0 for t in themes)]
        for r in charts.rows
    ]
    return header, rows


def codebook_table(tree: ThemeTree) -> tuple[list[str], list[list[str]]]:
    """The current themes, depth-first, with the columns of the codebook CSV."""
    rows = [
        [t.id, t.parent_id or "", " > ".join(tree.path(t.id)), t.label, t.description, t.include, t.exclude, t.colour]
        for t, _ in tree.walk()
    ]
    return list(CODEBOOK_COLUMNS), rows
