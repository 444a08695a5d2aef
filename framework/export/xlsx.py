"""Charts as an Excel workbook: one sheet per chart, an overview and the codebook.

Each chart sheet is laid out as a Framework chart: the case and the grouping attributes
first, then one column per subtheme headed by its id and label, wrapped text, the header
row and the case column frozen. The Overview sheet counts coded passages per case and
column with a colour scale; the Codebook sheet lists the themes. Written in openpyxl's
streaming mode, so memory stays flat however many cases there are. Every text cell is a
text cell: nothing a participant said can run as a formula.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from copy import copy
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from framework.analysis.charting import ChartSet
from framework.export.common import (
    base_name,
    chart_table,
    check_mode,
    clean,
    codebook_table,
    formula_like,
    overview_table,
    write_file,
)
from framework.export.pseudonymise import PSEUDONYM_NOTE

MAX_CELL = 32_767
"""Excel's limit on the characters in one cell."""
_TRUNCATED = "\n… (cut here: Excel cells hold at most 32,767 characters; see the other exports)"
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_LINE_PT = 14.5
_MAX_ROW_PT = 409.0


def sheet_name(title: str, taken: set[str]) -> str:
    """A valid, unique sheet name: at most 31 characters, none of ``[]:*?/\\``."""
    base = _SHEET_BAD.sub("_", clean(title)).strip(" '")[:31].strip(" '") or "Sheet"
    name, n = base, 2
    while name.casefold() in taken or name.casefold() == "history":
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)].rstrip(" '") + suffix
        n += 1
    taken.add(name.casefold())
    return name


class _Styles:
    """Cells made by copying a styled template: much faster than styling each one."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.header = self._template(Font(bold=True), PatternFill("solid", fgColor="DDE3EA"))
        self.body = self._template(None, None)
        self.case = self._template(Font(bold=True), None)

    def _template(self, font: Font | None, fill: PatternFill | None) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        return cell

    def cell(self, value: Any, template: WriteOnlyCell) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws)
        cell._style = copy(template._style)
        if isinstance(value, str):
            text = clean(value)
            if not text:
                return cell  # an empty cell keeps its style and has no value
            if len(text) > MAX_CELL:
                text = text[: MAX_CELL - len(_TRUNCATED)] + _TRUNCATED
            cell.value = text
            cell.data_type = "s"
            if formula_like(text):
                cell.quotePrefix = True
        else:
            cell.value = value
        return cell


PROSE_PER_UNIT = 1.2
"""Characters of regular text a unit of column width holds (conservatively: rows come out
a little tall rather than cut)."""
BOLD_PER_UNIT = 0.85
"""Characters of bold text (case names, headings) a unit of column width holds."""
_BREAK_AFTER = re.compile(r"[^_/-]+[_/-]*|[_/-]+")


def _lines(text: str, width: float, per_unit: float = PROSE_PER_UNIT) -> int:
    """Lines a wrapped cell needs, wrapping as spreadsheets do: at spaces, after ``_``,
    ``-`` and ``/`` (so ``assistant_director_county_council_02`` takes two lines in a
    narrow column), and inside a word longer than the line."""
    per_line = max(1, int(width * per_unit))
    return sum(1 if len(line) <= per_line else _wrapped(line, per_line) for line in text.split("\n"))


def _wrapped(line: str, per_line: int) -> int:
    """Lines a greedy wrap of one paragraph takes at ``per_line`` characters a line."""
    lines, used = 1, 0
    for word in line.split():
        gap = 1 if used else 0
        if used + gap + len(word) <= per_line:
            used += gap + len(word)
        elif len(word) <= per_line:
            lines, used = lines + 1, len(word)
        else:  # longer than a line: break after _ - /, and inside pieces still too long
            for n, piece in enumerate(_BREAK_AFTER.findall(word)):
                gap = 1 if used and n == 0 else 0
                if used + gap + len(piece) <= per_line:
                    used += gap + len(piece)
                    continue
                if used:
                    lines += 1
                lines += (len(piece) - 1) // per_line
                used = len(piece) - (len(piece) - 1) // per_line * per_line
    return lines


def _row_height(row: Sequence[Any], widths: Sequence[float], per_unit: Sequence[float]) -> float | None:
    """The height (points) a row of wrapped text needs, or None for one line."""
    lines = max((_lines(v, w, u) for v, w, u in zip(row, widths, per_unit) if isinstance(v, str) and v),
                default=1)
    return min(_MAX_ROW_PT, lines * _LINE_PT) if lines > 1 else None


def _write_table(
    wb: Workbook, title: str, taken: set[str], header: Sequence[str], rows: Iterable[Sequence[Any]],
    widths: Sequence[float], *, freeze: str = "B2", fit: int | None = None,
) -> Any:
    """A sheet of ``header`` and ``rows`` (the first column bold). Every row whose text
    wraps gets the height it needs (a spreadsheet does not measure rows it opens, so a
    wrapped case name would otherwise overlap the next row); ``fit`` limits the measuring
    to the first columns (the others hold numbers)."""
    ws = wb.create_sheet(sheet_name(title, taken))
    ws.freeze_panes = freeze
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    styles = _Styles(ws)
    bold = [BOLD_PER_UNIT] * len(widths)
    body = [BOLD_PER_UNIT] + [PROSE_PER_UNIT] * (len(widths) - 1)
    measured = widths if fit is None else widths[:fit]
    height = _row_height(header, widths, bold)
    if height:
        ws.row_dimensions[1].height = height
    ws.append([styles.cell(h, styles.header) for h in header])
    index = 1
    for index, row in enumerate(rows, start=2):
        height = _row_height(row, measured, body)
        if height:
            ws.row_dimensions[index].height = height
        ws.append([styles.cell(v, styles.case if i == 0 else styles.body) for i, v in enumerate(row)])
    if header:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{index}"
    return ws


def _width(values: Iterable[str], low: float, high: float) -> float:
    return max(low, min(high, max((len(v) for v in values), default=0) + 2))


def write_xlsx(charts: ChartSet, path: Path, mode: str = "both", pseudonymised: bool = False) -> None:
    """Write the workbook to ``path`` (``pseudonymised``: the charts are, and the workbook's
    description says so)."""
    check_mode(mode)
    wb = Workbook(write_only=True)
    wb.properties.creator = wb.properties.lastModifiedBy = "framework"
    wb.properties.title = clean(f"Framework charts ({charts.layer})")
    if pseudonymised:
        wb.properties.description = PSEUDONYM_NOTE
    taken: set[str] = {"overview", "codebook"}
    lead = [_width([r.case.name for r in charts.rows] + ["case"], 10, 30)]
    lead += [_width([r.case.attributes.get(a, "") for r in charts.rows] + [a], 8, 24) for a in charts.group_by]
    text_width = 40 if mode == "summaries" else 55
    for chart in charts.charts:
        header, rows = chart_table(charts, chart, mode)
        _write_table(wb, chart.title, taken, header, rows, lead + [text_width] * len(chart.columns))

    taken -= {"overview", "codebook"}
    header, rows = overview_table(charts)
    ws = _write_table(wb, "Overview", taken, header, rows, lead + [12] * (len(header) - len(lead)), fit=len(lead))
    first, last = len(lead) + 1, len(header)
    if rows and last >= first:
        ws.conditional_formatting.add(
            f"{get_column_letter(first)}2:{get_column_letter(last)}{len(rows) + 1}",
            ColorScaleRule(start_type="num", start_value=0, start_color="FFFFFF",
                           end_type="max", end_color="4E79A7"),
        )
    header, rows = codebook_table(charts.tree)
    _write_table(wb, "Codebook", taken, header, rows, [8, 8, 40, 28, 60, 45, 45, 10])
    wb.save(path)


def export_xlsx(charts: ChartSet, directory: Path, *, mode: str = "both", force: bool = False,
                pseudonymised: bool = False, stem: str | None = None) -> list[Path]:
    """``charts-<layer>.xlsx`` (or ``chart-<id>-<layer>.xlsx`` for one chart) in ``directory``."""
    name = (stem or base_name(charts)) + ".xlsx"
    return [write_file(directory, name, force, lambda p: write_xlsx(charts, p, mode, pseudonymised))]
