"""Hostile files under a memory limit: every import runs in a process that may not use more
than 500 MB of address space (``resource.setrlimit``), and must end with exit status 1 and
one line naming the file (or import what is within the limits), never a MemoryError.

The files are generated in a temporary folder by each test: a docx whose XML holds
millions of paragraphs, one whose text is over 50 MB, a worksheet with a cell in column XFD on
200,000 rows, a header 16,384 columns wide, a CSV of nothing but separators, a text file of
millions of one-letter paragraphs.
"""

from __future__ import annotations

import csv
import random
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from framework.project import open_project
from tests.hostile_files import cell, dump, write_docx, write_wide_survey, write_xlsx

resource = pytest.importorskip("resource")

LIMIT_MB = 500

LIMITED = """
import resource, sys
limit = int(sys.argv[1]) * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from framework.cli import main
main(sys.argv[2:], prog_name="framework")
"""


def limited(root: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the command line in a child process limited to LIMIT_MB of address space."""
    return subprocess.run([sys.executable, "-c", LIMITED, str(LIMIT_MB), "--project", str(root), *args],
                          capture_output=True, text=True, check=False, timeout=300)


def refused_within_limit(root: Path, bad: Path, *args: str) -> str:
    before = dump(root)
    proc = limited(root, *args)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "MemoryError" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert str(bad) in proc.stderr
    assert dump(root) == before
    return proc.stderr


@pytest.fixture
def root(project_dir: Path) -> Path:
    open_project(project_dir).close()
    return project_dir


def test_the_limit_is_real(root: Path, tmp_path: Path) -> None:
    """Without the reader's limits, the same child would die: a 600 MB allocation fails."""
    proc = subprocess.run([sys.executable, "-c", LIMITED.replace("from framework.cli import main\n", "")
                           .replace('main(sys.argv[2:], prog_name="framework")', "b = bytearray(600 << 20)"),
                           str(LIMIT_MB)], capture_output=True, text=True, check=False)
    assert proc.returncode == 1 and "MemoryError" in proc.stderr


# -- Word ------------------------------------------------------------------------------------------------


def test_a_docx_with_millions_of_paragraphs(root: Path, tmp_path: Path) -> None:
    """55 MB of XML in a file of a few MB; the XML varies, so it is no zip bomb by ratio."""
    rng = random.Random(5)
    path = write_docx(tmp_path / "millions.docx", (b"%x" % rng.getrandbits(24) for _ in range(1_500_000)))
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("word/document.xml").file_size > 50 * 1024 * 1024
    assert "more than 200,000 paragraphs" in refused_within_limit(root, path, "import", str(path))


def test_a_docx_whose_text_is_over_50_mb(root: Path, tmp_path: Path) -> None:
    rng = random.Random(6)
    words = [bytes(rng.choices(b"abcdefghijklmnopqrstuvwxyz", k=rng.randint(2, 9))) for _ in range(4000)]
    path = write_docx(tmp_path / "long.docx", (b" ".join(rng.choices(words, k=20_000)) for _ in range(500)))
    message = refused_within_limit(root, path, "import", str(path))
    assert "its text is over 50 MB" in message


def test_a_large_docx_within_the_limits_imports_within_the_memory_limit(root: Path, tmp_path: Path) -> None:
    rng = random.Random(7)
    words = [bytes(rng.choices(b"abcdefghijklmnopqrstuvwxyz", k=rng.randint(2, 9))) for _ in range(4000)]
    turns = (b"Respondent: " + b" ".join(rng.choices(words, k=60)) for _ in range(100_000))
    path = write_docx(tmp_path / "long interview.docx", turns)
    proc = limited(root, "import", str(path))
    assert proc.returncode == 0, proc.stderr[-2000:]
    conn = sqlite3.connect(root / "framework.db")
    length, units = conn.execute("SELECT d.length, (SELECT count(*) FROM units u WHERE u.document_id = d.id) "
                                 "FROM documents d WHERE d.name = 'long interview'").fetchone()
    conn.close()
    assert units == 100_000 and length > 35 * 1024 * 1024


# -- worksheets and delimited tables ------------------------------------------------------------------------


def test_a_survey_of_100000_respondents_and_40_columns_imports_within_the_memory_limit(root: Path,
                                                                                         tmp_path: Path) -> None:
    path = write_wide_survey(tmp_path / "survey.csv")
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    assert (len(header), len(rows)) == (40, 100_000) and path.stat().st_size > 45 * 1024 * 1024
    answers = [(r[0], n, text) for r in rows for n, text in enumerate(r[35:], start=1) if text]
    attributes = sum(1 for r in rows for value in r[1:35] if value)
    proc = limited(root, "import-survey", str(path))
    assert proc.returncode == 0, proc.stderr[-2000:]
    conn = sqlite3.connect(root / "framework.db")
    try:
        assert conn.execute("SELECT count(*) FROM documents WHERE kind = 'survey'").fetchone()[0] == len(answers)
        assert conn.execute("SELECT count(*) FROM cases WHERE name GLOB 'r[0-9][0-9][0-9][0-9][0-9][0-9]'").fetchone()[0] == 100_000
        assert conn.execute("SELECT count(*) FROM case_attributes a JOIN cases c ON c.id = a.case_id "
                            "WHERE c.name GLOB 'r[0-9][0-9][0-9][0-9][0-9][0-9]'").fetchone()[0] == attributes
        rid, n, text = answers[-1]
        assert conn.execute("SELECT d.question, c.name FROM documents d JOIN cases c ON c.id = d.case_id "
                            "WHERE d.name = ?", (f"{rid}.q{n}",)).fetchone() == (
            f"What would you change about area {n}?", rid)
        assert conn.execute("SELECT text FROM documents WHERE name = ?", (f"{rid}.q{n}",)).fetchone()[0] == text
    finally:
        conn.close()



def test_a_cell_in_column_xfd_on_200000_rows(root: Path, tmp_path: Path) -> None:
    header = f'<row r="1">{cell("A1", "case")}{cell("B1", "answer")}</row>'.encode()
    rows = (f'<row r="{n}">{cell(f"A{n}", f"r{n}")}{cell(f"XFD{n}", "x")}</row>'.encode()
            for n in range(2, 200_002))
    path = write_xlsx(tmp_path / "wide.xlsx", [header, *rows])
    assert path.stat().st_size < 3 * 1024 * 1024
    for command in (["cases", "import"], ["import-survey"]):
        message = refused_within_limit(root, path, *command, str(path))
        assert "row 2 has a value in column XFD, right of the last column named in the header" in message


def test_a_header_16384_columns_wide(root: Path, tmp_path: Path) -> None:
    from framework.ingest.workbook import column_letter

    header = ("<row r=\"1\">" + "".join(cell(f"{column_letter(i)}1", f"q{i}") for i in range(16_384))
              + "</row>").encode()
    rows = (f'<row r="{n}">{cell(f"A{n}", f"r{n}")}</row>'.encode() for n in range(2, 2_002))
    path = write_xlsx(tmp_path / "columns.xlsx", [header, *rows])
    message = refused_within_limit(root, path, "import-survey", str(path))
    assert "more than 5,000,000 cells (16,384 columns" in message


def test_a_csv_of_nothing_but_separators(root: Path, tmp_path: Path) -> None:
    path = tmp_path / "commas.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("case," + ",".join(f"c{i}" for i in range(2_000)) + "\n")
        line = "x" + ",y" * 2_000 + "\n"
        for _ in range(12_000):
            out.write(line)
    assert path.stat().st_size < 50 * 1024 * 1024
    assert "more than 5,000,000 cells" in refused_within_limit(root, path, "cases", "import", str(path))


def test_a_text_file_of_millions_of_one_letter_paragraphs(root: Path, tmp_path: Path) -> None:
    path = tmp_path / "tiny.txt"
    path.write_bytes(b"x\n\n" * (16 * 1024 * 1024))
    assert "more than 200,000 paragraphs" in refused_within_limit(root, path, "import", str(path))
