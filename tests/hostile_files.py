"""Hostile files written part by part, for the tests and for ``bench/bench_hostile.py``: a
.docx or .xlsx whose one large part streams from a generator, so that a file of hundreds of
MB of XML is made without holding it; a wide survey export of many respondents; and a dump
of a project's database to compare before and after (readable in a read-only folder too)."""

from __future__ import annotations

import csv
import random
import sqlite3
import zipfile
from collections.abc import Iterable
from pathlib import Path

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_TYPES = "application/vnd.openxmlformats-officedocument"


def _relationship(kind: str, target: str) -> str:
    return (f'<?xml version="1.0"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" '
            f'Type="{R}/{kind}" Target="{target}"/></Relationships>')


def _content_types(overrides: dict[str, str]) -> str:
    parts = "".join(f'<Override PartName="/{name}" ContentType="{_TYPES}.{kind}"/>' for name, kind in overrides.items())
    return (f'<?xml version="1.0"?><Types xmlns="{CT}"><Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{parts}</Types>')


def _package(path: Path, small: dict[str, str], name: str, head: str, pieces: Iterable[bytes], tail: str) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, text in small.items():
            archive.writestr(member, text)
        with archive.open(name, "w", force_zip64=True) as part:
            part.write(head.encode())
            for piece in pieces:
                part.write(piece)
            part.write(tail.encode())
    return path


def write_docx(path: Path, paragraphs: Iterable[bytes]) -> Path:
    """A .docx with one paragraph for each text ``paragraphs`` yields."""
    small = {"[Content_Types].xml": _content_types({"word/document.xml": "wordprocessingml.document.main+xml"}),
             "_rels/.rels": _relationship("officeDocument", "word/document.xml")}
    head = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>'
    pieces = (b"<w:p><w:r><w:t>" + text + b"</w:t></w:r></w:p>" for text in paragraphs)
    return _package(path, small, "word/document.xml", head, pieces, "</w:body></w:document>")


def write_xlsx(path: Path, rows: Iterable[bytes]) -> Path:
    """An .xlsx with one sheet, "Responses", whose ``<row>`` elements ``rows`` yields."""
    small = {
        "[Content_Types].xml": _content_types({"xl/workbook.xml": "spreadsheetml.sheet.main+xml",
                                               "xl/worksheets/sheet1.xml": "spreadsheetml.worksheet+xml"}),
        "_rels/.rels": _relationship("officeDocument", "xl/workbook.xml"),
        "xl/workbook.xml": (f'<?xml version="1.0"?><workbook xmlns="{S}" xmlns:r="{R}"><sheets>'
                            '<sheet name="Responses" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": _relationship("worksheet", "worksheets/sheet1.xml"),
    }
    head = f'<?xml version="1.0"?><worksheet xmlns="{S}"><sheetData>'
    return _package(path, small, "xl/worksheets/sheet1.xml", head, rows, "</sheetData></worksheet>")


def cell(ref: str, text: str) -> str:
    """A worksheet cell holding ``text`` (an inline string)."""
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


SURVEY_WORDS = ("the team staff cases workers caseload manager supervision vacancy allocation children families "
                "assessment duty pressure budget training review practice social work time week").split()


def write_wide_survey(path: Path, respondents: int = 100_000, closed: int = 34, open_ended: int = 5,
                      seed: int = 5) -> Path:
    """A survey export of ``respondents`` rows: an id, ``closed`` closed questions (a few
    options or a number) and ``open_ended`` free-text questions, three in ten left blank.
    The defaults make 40 columns and about 46 MB, just under the 50 MB a file may have."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["respondent_id", *(f"q{i}" for i in range(1, closed + 1)),
                         *(f"What would you change about area {i}?" for i in range(1, open_ended + 1))])
        for n in range(1, respondents + 1):
            writer.writerow([f"r{n:06d}", *(rng.choice(("Agree", "Disagree", "Neutral", str(rng.randint(1, 50))))
                                            for _ in range(closed)),
                             *("" if rng.random() < 0.3 else
                               " ".join(rng.choices(SURVEY_WORDS, k=rng.randint(3, 16))).capitalize() + "."
                               for _ in range(open_ended))])
    return path


def dump(root: Path) -> list[str]:
    """Every row of the project's database as SQL, read without writing anything."""
    conn = sqlite3.connect(f"{(root / 'framework.db').resolve().as_uri()}?immutable=1", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()
