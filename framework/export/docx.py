"""Charts as a Word document: landscape pages, one table per chart, for pasting into a report.

The header row of each table repeats on every page; summaries are plain paragraphs, coded
passages are in italics followed by their reference, and every reference is kept.
"""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from framework.analysis.charting import Cell, ChartSet, Extract, quoted
from framework.export.common import base_name, check_mode, clean, row_head, row_values, write_file
from framework.export.pseudonymise import PSEUDONYM_NOTE

GREY = RGBColor(0x55, 0x55, 0x55)


def new_document(title: str, *, landscape: bool = True) -> Any:
    """An A4 document (landscape unless asked) with small body text and a title."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Cm(29.7), Cm(21.0)) if landscape else (Cm(21.0), Cm(29.7))
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    doc.styles["Normal"].font.size = Pt(9)
    set_properties(doc, title)
    doc.add_heading(clean(title), level=0)
    return doc


def set_properties(doc: Any, title: str) -> None:
    """The document's properties: its title, written by ``framework`` (never a person's
    name, nor the template's own author and description)."""
    from datetime import datetime

    props = doc.core_properties
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    props.title = clean(title)
    props.author = props.last_modified_by = "framework"
    props.comments = props.subject = props.keywords = props.category = ""
    props.created = props.modified = now
    props.revision = 1


def repeat_header(row: Any) -> None:
    """Mark a table row as a header row, repeated at the top of every page."""
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def add_extract(paragraph: Any, e: Extract) -> None:
    """``“quote”`` in italics, then the reference (and the memo, in grey)."""
    paragraph.add_run(clean(quoted(e.quote))).italic = True
    if e.reference:
        paragraph.add_run(" " + e.reference)
    if e.memo.strip():
        run = paragraph.add_run(clean(f" (memo: {e.memo.strip()})"))
        run.font.color.rgb = GREY


def _fill(cell: Any, content: Cell, mode: str) -> None:
    first = cell.paragraphs[0]
    used = False
    if mode in ("summaries", "both") and content.summary.strip():
        for i, line in enumerate(clean(content.summary.strip()).split("\n")):
            (first if i == 0 else cell.add_paragraph()).add_run(line)
        used = True
    if mode in ("extracts", "both"):
        for e in content.extracts:
            add_extract(cell.add_paragraph() if used else first, e)
            used = True


def add_note(doc: Any) -> None:
    """The note of a pseudonymised document, in grey under the title (and in its properties)."""
    doc.add_paragraph().add_run(PSEUDONYM_NOTE).font.color.rgb = GREY
    doc.core_properties.comments = PSEUDONYM_NOTE


def write_docx(charts: ChartSet, path: Path, mode: str = "both", pseudonymised: bool = False) -> None:
    check_mode(mode)
    doc = new_document(f"Framework charts ({charts.layer})")
    if pseudonymised:
        add_note(doc)
    usable = 29.7 - 3.0
    lead = [3.0] + [2.4] * len(charts.group_by)
    for n, chart in enumerate(charts.charts):
        heading = doc.add_heading(clean(chart.title), level=1)
        heading.paragraph_format.page_break_before = n > 0
        head = row_head(charts) + [c.heading for c in chart.columns]
        table = doc.add_table(rows=len(charts.rows) + 1, cols=len(head))
        table.style = "Table Grid"
        table.autofit = False
        rest = max(3.0, (usable - sum(lead)) / max(1, len(chart.columns)))
        widths = [Cm(w) for w in lead + [rest] * len(chart.columns)]
        for column, width in zip(table.columns, widths):
            column.width = width
        rows = table.rows
        repeat_header(rows[0])
        for cell, text, width in zip(rows[0].cells, head, widths):
            cell.width = width
            cell.paragraphs[0].add_run(clean(text)).bold = True
        for row, r in zip(rows[1:], charts.rows):
            cells = row.cells
            values = row_values(charts, r.case.attributes, r.case.name)
            for cell, width in zip(cells, widths):
                cell.width = width
            for cell, text in zip(cells, values):
                cell.paragraphs[0].add_run(clean(text))
            for cell, column in zip(cells[len(values):], chart.columns):
                _fill(cell, chart.cell(r.case.id, column), mode)
    doc.save(str(path))


def export_docx(charts: ChartSet, directory: Path, *, mode: str = "both", force: bool = False,
                pseudonymised: bool = False, stem: str | None = None) -> list[Path]:
    """``charts-<layer>.docx`` (or ``chart-<id>-<layer>.docx`` for one chart) in ``directory``."""
    name = (stem or base_name(charts)) + ".docx"
    return [write_file(directory, name, force, lambda p: write_docx(charts, p, mode, pseudonymised))]
