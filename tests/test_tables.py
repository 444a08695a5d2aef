"""Reading tables (.csv .tsv .txt .xlsx) and JSON Lines files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framework.errors import InputError
from framework.ingest.tables import JsonRecord, Table, cell_text, read_jsonl, read_table, sniff_delimiter


def raises(message: str):
    return pytest.raises(InputError, match="^" + re.escape(message) + "$")


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# ---------------------------------------------------------------------------
# delimiters


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("comma.csv", "id,answer\r\n1,yes\r\n2,no\r\n"),
        ("tab.tsv", "id\tanswer\n1\tyes\n2\tno\n"),
        ("tab.csv", "id\tanswer\n1\tyes\n2\tno\n"),
        ("semicolon.csv", "id;answer\n1;yes\n2;no\n"),
        ("tab.txt", "id\tanswer\n1\tyes\n2\tno"),
        ("comma.txt", "id,answer\n1,yes\n2,no\n"),
        ("upper.CSV", "id,answer\n1,yes\n2,no\n"),
    ],
)
def test_delimiters(tmp_path: Path, name: str, source: str) -> None:
    path = write(tmp_path, name, source)
    assert read_table(path) == Table(
        path=path,
        columns=["id", "answer"],
        rows=[{"id": "1", "answer": "yes"}, {"id": "2", "answer": "no"}],
        row_numbers=[2, 3],
    )


def test_sniffing_is_not_fooled_by_other_separators_in_values(tmp_path: Path) -> None:
    # Commas separate columns; answers contain semicolons and tabs.
    source = 'id,answer\n1,"one; two; three"\n2,a;b;c;d\n3,tab\there\n'
    table = read_table(write(tmp_path, "s.csv", source))
    assert table.columns == ["id", "answer"]
    assert [r["answer"] for r in table.rows] == ["one; two; three", "a;b;c;d", "tab\there"]
    # Semicolons separate columns; answers contain commas (European export).
    source = "id;answer\n1;Yes, I think so\n2;No, never, ever\n"
    table = read_table(write(tmp_path, "e.csv", source))
    assert table.columns == ["id", "answer"]
    assert [r["answer"] for r in table.rows] == ["Yes, I think so", "No, never, ever"]


def test_sniff_delimiter_direct() -> None:
    assert sniff_delimiter("a,b,c\n1,2,3\n") == ","
    assert sniff_delimiter("a\tb\n1\t2\n") == "\t"
    assert sniff_delimiter("a;b\n1;2\n") == ";"
    assert sniff_delimiter("single\nvalue\n") == ","
    assert sniff_delimiter("single\nvalue\n", ("\t", ",")) == "\t"
    # the header decides the width; data rows must agree
    assert sniff_delimiter("name, first\tage\nAnn\t42\nBo\t7\n") == "\t"


def test_single_column(tmp_path: Path) -> None:
    path = write(tmp_path, "one.csv", "case\nA\nB\n")
    assert read_table(path) == Table(path, ["case"], [{"case": "A"}, {"case": "B"}], [2, 3])


# ---------------------------------------------------------------------------
# content


def test_values_are_kept_exactly(tmp_path: Path) -> None:
    source = (
        '\ufeff  id ,"  name  ",formula\n'
        '1,"  spaced  ",=1+1\n'
        '2,"say ""hi""",=HYPERLINK("http://x")\n'
        "3,,+44 123\n"
        '4,"a,b",-2\n'
        "5,café,@SUM(A1)\n"
    )
    path = write(tmp_path, "v.csv", source)
    assert read_table(path) == Table(
        path=path,
        columns=["id", "name", "formula"],
        rows=[
            {"id": "1", "name": "  spaced  ", "formula": "=1+1"},
            {"id": "2", "name": 'say "hi"', "formula": '=HYPERLINK("http://x")'},
            {"id": "3", "name": "", "formula": "+44 123"},
            {"id": "4", "name": "a,b", "formula": "-2"},
            {"id": "5", "name": "café", "formula": "@SUM(A1)"},
        ],
        row_numbers=[2, 3, 4, 5, 6],
    )


def test_quoted_newlines_and_row_numbers(tmp_path: Path) -> None:
    source = (
        "id,answer,note\r\n"
        '1,"first line\r\nsecond line",a\r\n'
        "\r\n"
        '2,"one\n\ntwo\nthree",b\r\n'
        "3,plain,c\r\n"
        ",,\r\n"
        '4,"ends with newline\n",d'
    )
    path = write(tmp_path, "q.csv", source)
    table = read_table(path)
    assert table.rows == [
        {"id": "1", "answer": "first line\nsecond line", "note": "a"},
        {"id": "2", "answer": "one\n\ntwo\nthree", "note": "b"},
        {"id": "3", "answer": "plain", "note": "c"},
        {"id": "4", "answer": "ends with newline\n", "note": "d"},
    ]
    assert table.row_numbers == [2, 5, 9, 11]


def test_header_after_blank_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "b.csv", "\n\n a , b \n1,2\n")
    table = read_table(path)
    assert (table.columns, table.rows, table.row_numbers) == (["a", "b"], [{"a": "1", "b": "2"}], [4])


def test_header_only(tmp_path: Path) -> None:
    path = write(tmp_path, "h.csv", "a,b\n")
    assert read_table(path) == Table(path, ["a", "b"], [], [])


def test_cp1252_and_utf16_csv(tmp_path: Path) -> None:
    path = write(tmp_path, "w.csv", b"id;name\r\n1;Jos\xe9 \x93Pepe\x94\r\n")
    assert read_table(path).rows == [{"id": "1", "name": "José “Pepe”"}]
    path = write(tmp_path, "u.txt", "\ufeffid\tname\r\n1\tZoë\r\n".encode("utf-16-le"))
    assert read_table(path).rows == [{"id": "1", "name": "Zoë"}]


_CELL = st.text(alphabet=st.sampled_from(list('ab é,;\t"\n=+-@\u2028😀')), max_size=12)


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.tuples(_CELL, _CELL), max_size=15), crlf=st.booleans())
def test_csv_written_by_csv_module_reads_back_exactly(tmp_path_factory, rows, crlf: bool) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(["id", "a", "b"])
    for i, (a, b) in enumerate(rows, start=1):
        writer.writerow([str(i), a, b])
    path = tmp_path_factory.mktemp("csv") / "round.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    table = read_table(path)
    assert table.columns == ["id", "a", "b"]
    assert table.rows == [{"id": str(i), "a": a, "b": b} for i, (a, b) in enumerate(rows, start=1)]
    # each record starts on the line after the previous record's last line
    expected, line = [], 2
    for a, b in rows:
        expected.append(line)
        line += 1 + a.count("\n") + b.count("\n")
    assert table.row_numbers == expected


# ---------------------------------------------------------------------------
# ragged rows, headers


def test_short_rows_are_padded_and_empty_extra_cells_allowed(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", "a,b,c\n1\n2,x\n3,y,z,,\n4,,, \n")
    table = read_table(path)
    assert table.rows == [
        {"a": "1", "b": "", "c": ""},
        {"a": "2", "b": "x", "c": ""},
        {"a": "3", "b": "y", "c": "z"},
        {"a": "4", "b": "", "c": ""},
    ]
    assert table.row_numbers == [2, 3, 4, 5]


def test_long_row_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "long.csv", "a,b\n1,2\n3,4\n5,6,oops\n")
    with raises(
        f"{path}: row 4 has 3 cells but the header (row 1) has 2 columns. "
        "Check that row for a missing quote or an extra comma, and import again."
    ):
        read_table(path)
    path = write(tmp_path, "long.tsv", "a\tb\n1\t2\t3\n")
    with raises(
        f"{path}: row 2 has 3 cells but the header (row 1) has 2 columns. "
        "Check that row for a missing quote or an extra tab, and import again."
    ):
        read_table(path)


def test_trailing_unnamed_empty_column_is_dropped(tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", "a,b,\n1,2,\n3,4, \n")
    table = read_table(path)
    assert table.columns == ["a", "b"]
    assert table.rows == [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}]


def test_unnamed_column_with_values_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "u.csv", "a,,c\n1,,3\n4,5,6\n")
    with raises(
        f"{path}: column 2 has no name in the header (row 1) but has values (first in row 3). "
        "Give every column a name and import again."
    ):
        read_table(path)
    path = write(tmp_path, "u2.csv", "a,b, \n1,2,3\n")
    with raises(
        f"{path}: column 3 has no name in the header (row 1) but has values (first in row 2). "
        "Give every column a name and import again."
    ):
        read_table(path)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("id,name,id", 'the column name "id" appears twice in the header (row 1, column 1 and column 3).'),
        ("id, Name ,name", 'the column name "name" appears twice in the header (row 1, column 2 and column 3).'),
    ],
)
def test_duplicate_headers_are_refused(tmp_path: Path, header: str, message: str) -> None:
    path = write(tmp_path, "d.csv", header + "\n1,2,3\n")
    with raises(f"{path}: {message} Rename one of them and import again."):
        read_table(path)


def test_quote_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "open.csv", 'id,answer\n1,ok\n2,"never closed\n3,more\n')
    with raises(
        f"{path}: row 3 opens a quoted cell that is never closed (the file ends inside quotes). "
        "Check the quotes in that row and import again."
    ):
        read_table(path)
    path = write(tmp_path, "stray.csv", 'id,answer\n1,"quoted" then text\n')
    with raises(
        f"{path}: row 2: badly quoted cell (',' expected after '\"'). A quoted cell must end with its "
        'closing quote; write a quote inside a cell as "". Fix the row and import again.'
    ):
        read_table(path)


def test_unquoted_quotes_inside_cells_are_text(tmp_path: Path) -> None:
    path = write(tmp_path, "q.csv", 'id,answer\n1,He said "hi" twice\n2,5" tall\n')
    assert [r["answer"] for r in read_table(path).rows] == ['He said "hi" twice', '5" tall']


def test_file_errors(tmp_path: Path) -> None:
    empty = write(tmp_path, "empty.csv", b"")
    with raises(f"{empty} is empty (0 bytes). Check that you chose the right file."):
        read_table(empty)
    blank = write(tmp_path, "blank.csv", ",,,\n , \n\n")
    with raises(f"{blank}: has no rows. Check that you chose the right file (and sheet)."):
        read_table(blank)
    binary = write(tmp_path, "bin.csv", b"\x00\x01\x02\x03binary")
    with raises(
        f"{binary}: looks like a binary file, not text. Choose a plain-text file "
        "(or save the document as .txt or .docx) and import again."
    ):
        read_table(binary)
    old = write(tmp_path, "old.xls", b"\xd0\xcf\x11\xe0")
    with raises(f"{old}: cannot read .xls files. Save the sheet as .xlsx or .csv and import again."):
        read_table(old)
    other = write(tmp_path, "data.json", b"{}")
    with raises(f"{other}: cannot read .json as a table. Supported: .csv, .tsv, .txt, .xlsx."):
        read_table(other)
    missing = tmp_path / "missing.csv"
    with raises(f"{missing}: file not found. Check the path and try again."):
        read_table(missing)
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as fh:
        fh.truncate(51 * 1024 * 1024)
    with raises(
        f"{huge}: the file is 51 MB; the limit is 50 MB. Split it into smaller files and import them separately."
    ):
        read_table(huge)


def test_ten_thousand_rows_quickly(tmp_path: Path) -> None:
    lines = ["id,group,answer"] + [f'{i},g{i % 7},"answer {i}, with comma"' for i in range(1, 20_001)]
    path = write(tmp_path, "big.csv", "\n".join(lines) + "\n")
    began = time.perf_counter()
    table = read_table(path)
    assert time.perf_counter() - began < 2.0
    assert len(table.rows) == 20_000
    assert table.rows[9_999] == {"id": "10000", "group": "g4", "answer": "answer 10000, with comma"}
    assert table.row_numbers[9_999] == 10_001
    assert table.row_numbers[-1] == 20_001


# ---------------------------------------------------------------------------
# .xlsx


def make_xlsx(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Responses"
    sheet["B2"] = " id "
    sheet["C2"] = "score"
    sheet["D2"] = "when"
    sheet["E2"] = "text"
    sheet["F2"] = 2024
    rows = [
        (1, 3.0, dt.datetime(2024, 3, 5), "=1+1", True),
        (2, 2.5, dt.datetime(2024, 3, 5, 14, 30, 15), "  spaced  ", None),
        (3, None, dt.date(2023, 12, 31), "multi\nline", 0.1),
        (None, 12345678901, dt.time(9, 5), "", -7),
    ]
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=2):
            sheet.cell(row=4 + offset, column=column, value=value)
    sheet["E4"].data_type = "s"  # the text "=1+1", not a formula
    other = workbook.create_sheet("Codes")
    other.append(["code", "label"])
    other.append(["A1", "First"])
    workbook.save(path)
    return path


def test_read_xlsx(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "survey.xlsx")
    assert read_table(path) == Table(
        path=path,
        columns=["id", "score", "when", "text", "2024"],
        rows=[
            {"id": "1", "score": "3", "when": "2024-03-05", "text": "=1+1", "2024": "TRUE"},
            {"id": "2", "score": "2.5", "when": "2024-03-05T14:30:15", "text": "  spaced  ", "2024": ""},
            {"id": "3", "score": "", "when": "2023-12-31", "text": "multi\nline", "2024": "0.1"},
            {"id": "", "score": "12345678901", "when": "09:05:00", "text": "", "2024": "-7"},
        ],
        row_numbers=[4, 5, 6, 7],
    )


def test_read_xlsx_named_sheet_and_errors(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "survey.xlsx")
    assert read_table(path, sheet="Codes") == Table(path, ["code", "label"], [{"code": "A1", "label": "First"}], [2])
    with raises(f'{path}: has no sheet named "Missing". Sheets: Responses, Codes. Give one of these names.'):
        read_table(path, sheet="Missing")


def test_read_xlsx_header_problems(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["id", "Name", "name"])
    sheet.append([1, 2, 3])
    path = tmp_path / "dup.xlsx"
    workbook.save(path)
    with raises(
        f'{path}: the column name "name" appears twice in the header (row 1, column B and column C). '
        "Rename one of them and import again."
    ):
        read_table(path)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["id", "name"])
    sheet.append([1, "x", None, "stray"])
    path = tmp_path / "stray.xlsx"
    workbook.save(path)
    with raises(
        f"{path}: row 2 has a value in column D, right of the last column named in the header (row 1). "
        "Give the column a name or delete the value, and import again."
    ):
        read_table(path)


def test_read_xlsx_damaged(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.xlsx", b"PK\x03\x04garbage")
    with raises(
        f"{path}: not a valid .xlsx file (the zip archive is damaged). "
        "Re-save it from Excel (or save it as .csv) and import again."
    ):
        read_table(path)
    path = tmp_path / "notexcel.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(InputError, match=r"notexcel\.xlsx: not a valid \.xlsx file \(.+\)\. Re-save it from Excel"):
        read_table(path)


def test_read_xlsx_refuses_zip_bomb(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "bomb.xlsx")
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/zeros.bin", b"\x00" * (4 * 1024 * 1024))
    with zipfile.ZipFile(path) as zf:
        compressed = zf.getinfo("xl/media/zeros.bin").compress_size
    with raises(
        f"{path}: refused because part 'xl/media/zeros.bin' expands from {compressed} bytes to 4 MB, "
        "which is not how a real .xlsx file is compressed (a likely zip bomb). Re-save it from Excel "
        "(or save it as .csv) and import again."
    ):
        read_table(path)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("=1+1", "=1+1"),
        (" x ", " x "),
        (True, "TRUE"),
        (False, "FALSE"),
        (42, "42"),
        (42.0, "42"),
        (-0.0, "0"),
        (0.1, "0.1"),
        (1e20, "1e+20"),
        (2.5e-7, "2.5e-07"),
        (dt.datetime(2024, 1, 2), "2024-01-02"),
        (dt.datetime(2024, 1, 2, 3, 4, 5), "2024-01-02T03:04:05"),
        (dt.datetime(2024, 1, 2, 3, 4, 5, 999_999), "2024-01-02T03:04:06"),
        (dt.date(2024, 1, 2), "2024-01-02"),
        (dt.time(23, 59, 1), "23:59:01"),
        (dt.timedelta(hours=26, minutes=3, seconds=4), "26:03:04"),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


# ---------------------------------------------------------------------------
# .jsonl


def test_read_jsonl(tmp_path: Path) -> None:
    source = (
        '{"doc": "int01", "code": "A"}\r\n'
        "\n"
        '  {"doc": "int02", "code": "B", "text": "x\u2028y"}  \n'
        '{"nested": {"n": [1, 2]}}'
    )
    path = write(tmp_path, "coding.jsonl", source)
    assert list(read_jsonl(path)) == [
        JsonRecord(1, {"doc": "int01", "code": "A"}),
        JsonRecord(3, {"doc": "int02", "code": "B", "text": "x\u2028y"}),
        JsonRecord(4, {"nested": {"n": [1, 2]}}),
    ]


def test_read_jsonl_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.jsonl", '{"a": 1}\n{"a": 2,}\n')
    records = read_jsonl(path)
    assert next(records) == JsonRecord(1, {"a": 1})
    with raises(
        f"{path}: line 2 is not valid JSON (Expecting property name enclosed in double quotes at column 9). "
        "Each line must be one JSON object; fix the line and import again."
    ):
        next(records)
    path = write(tmp_path, "list.jsonl", '{"a": 1}\n\n[1, 2]\n')
    with raises(
        f'{path}: line 3 is a JSON list, not an object. Each line must be one JSON object such as {{"document": "int01", "theme": "1.2"}}.'
    ):
        list(read_jsonl(path))
    empty = write(tmp_path, "empty.jsonl", b"")
    with raises(f"{empty} is empty (0 bytes). Check that you chose the right file."):
        read_jsonl(empty)
