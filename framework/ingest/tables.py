"""Read tables (.csv .tsv .txt .xlsx) and JSON Lines files.

Used by survey import, case attribute import and coding import. Every value is a
string exactly as written in the file: nothing is evaluated (a cell ``=1+1`` stays
the text ``=1+1``) and values are not stripped. Header names are stripped.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from framework.errors import InputError
from framework.ingest.formats import MAX_BYTES, check_size, check_zip, read_bytes
from framework.ingest.text import decode

__all__ = ["TABLE_SUFFIXES", "JsonRecord", "Table", "cell_text", "read_jsonl", "read_table", "sniff_delimiter"]

TABLE_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx"}
DELIMITERS = (",", "\t", ";")
_DELIMITER_NAMES = {",": "comma", "\t": "tab", ";": "semicolon"}
_SNIFF_RECORDS = 50


@dataclass
class Table:
    """A table read from a file.

    ``rows[i]`` maps every column name to its value (``""`` for an empty or missing
    cell); ``row_numbers[i]`` is the 1-based line (CSV: the line where the record
    starts) or worksheet row of ``rows[i]`` in the source file. Empty rows are skipped.
    """

    path: Path
    columns: list[str]
    rows: list[dict[str, str]]
    row_numbers: list[int]


# ---------------------------------------------------------------------------
# Shared: header and rows


def _column_name(index: int, excel: bool) -> str:
    if excel:
        from openpyxl.utils import get_column_letter

        return f"column {get_column_letter(index + 1)}"
    return f"column {index + 1}"


def _build_table(path: Path, records: Iterable[tuple[int, list[str]]], *, excel: bool, delimiter: str = ",",
                 unnamed: bool = False) -> Table:
    header: tuple[int, list[str]] | None = None
    body: list[tuple[int, list[str]]] = []
    for number, cells in records:
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = (number, cells)
        else:
            body.append((number, cells))
    if header is None:
        raise InputError(f"{path}: has no rows. Check that you chose the right file (and sheet).")

    header_row, header_cells = header
    names = [c.strip() for c in header_cells]
    names[0] = names[0].lstrip("\ufeff").strip()
    width = max([len(names)] + [len(cells) for _, cells in body])

    keep: list[int] = []
    for i in range(width):
        name = names[i] if i < len(names) else ""
        if name:
            keep.append(i)
            continue
        # A column without a name is dropped only if it is empty in every row.
        used = next((num for num, cells in body if i < len(cells) and cells[i].strip()), None)
        if used is None:
            continue
        if i < len(names) and unnamed:
            names[i] = _column_name(i, excel)
            keep.append(i)
            continue
        if i < len(names):
            raise InputError(
                f"{path}: {_column_name(i, excel)} has no name in the header (row {header_row}) "
                f"but has values (first in row {used}). Give every column a name and import again."
            )
        cells = next(cells for num, cells in body if num == used)
        if excel:
            raise InputError(
                f"{path}: row {used} has a value in {_column_name(i, excel)}, right of the last "
                f"column named in the header (row {header_row}). Give the column a name or "
                "delete the value, and import again."
            )
        raise InputError(
            f"{path}: row {used} has {len(cells)} cells but the header (row {header_row}) has "
            f"{len(names)} columns. Check that row for a missing quote or an extra "
            f"{_DELIMITER_NAMES.get(delimiter, repr(delimiter))}, and import again."
        )

    columns = [names[i] for i in keep]
    seen: dict[str, int] = {}
    for i in keep:
        key = names[i].casefold()
        if key in seen:
            raise InputError(
                f'{path}: the column name "{names[i]}" appears twice in the header (row {header_row}, '
                f"{_column_name(seen[key], excel)} and {_column_name(i, excel)}). "
                "Rename one of them and import again."
            )
        seen[key] = i

    rows: list[dict[str, str]] = []
    numbers: list[int] = []
    simple = keep == list(range(len(keep)))
    n = len(keep)
    for number, cells in body:
        if simple:
            if len(cells) < n:
                cells = cells + [""] * (n - len(cells))
            rows.append(dict(zip(columns, cells)))
        else:
            rows.append({names[i]: (cells[i] if i < len(cells) else "") for i in keep})
        numbers.append(number)
    return Table(path=path, columns=columns, rows=rows, row_numbers=numbers)


# ---------------------------------------------------------------------------
# Delimited text


def _score(text: str, delimiter: str) -> tuple[int, float, int]:
    """How well ``delimiter`` explains the first records of ``text``."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    records: list[list[str]] = []
    try:
        for record in reader:
            if any(c.strip() for c in record):
                records.append(record)
                if len(records) >= _SNIFF_RECORDS:
                    break
    except csv.Error:
        pass
    if not records:
        return (0, 0.0, 0)
    ncols = len(records[0])
    if ncols < 2:
        return (0, 0.0, 0)
    data = records[1:]
    if not data:
        return (1, 1.0, ncols)

    def fits(record: list[str]) -> bool:
        return len(record) == ncols or (len(record) > ncols and not any(c.strip() for c in record[ncols:]))

    return (1, sum(map(fits, data)) / len(data), ncols)


def sniff_delimiter(text: str, candidates: tuple[str, ...] = DELIMITERS) -> str:
    """Choose the delimiter among ``candidates`` that splits the header into the most
    columns while keeping the following rows the same width. Ties go to the earlier
    candidate; a single-column file gives the first candidate."""
    sample = text[: 256 * 1024]
    best = candidates[0]
    best_score = (-1, 0.0, 0)
    for delimiter in candidates:
        score = _score(sample, delimiter)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_records(path: Path, text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    previous = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            start = previous + 1
            if "end of data" in str(exc):
                raise InputError(
                    f"{path}: row {start} opens a quoted cell that is never closed (the file ends "
                    "inside quotes). Check the quotes in that row and import again."
                ) from None
            raise InputError(
                f"{path}: row {start}: badly quoted cell ({exc}). A quoted cell must end with its "
                'closing quote; write a quote inside a cell as "". Fix the row and import again.'
            ) from None
        yield previous + 1, record
        previous = reader.line_num


def _read_delimited(path: Path, suffix: str, unnamed: bool = False) -> Table:
    data = read_bytes(path)
    text, _encoding = decode(data, str(path))
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if suffix == ".tsv":
        delimiter = "\t"
    elif suffix == ".txt":
        delimiter = sniff_delimiter(text, ("\t", ",", ";"))
    else:
        delimiter = sniff_delimiter(text)
    return _build_table(path, _csv_records(path, text, delimiter), excel=False, delimiter=delimiter, unnamed=unnamed)


# ---------------------------------------------------------------------------
# Excel


def cell_text(value: Any) -> str:
    """A worksheet value as text: integers without ``.0``, dates and times in ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.microsecond:
            value = (value + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, dt.timedelta):
        seconds = round(value.total_seconds())
        sign = "-" if seconds < 0 else ""
        hours, rest = divmod(abs(seconds), 3600)
        return f"{sign}{hours}:{rest // 60:02d}:{rest % 60:02d}"
    return str(value)


_XLSX_FIX = "Re-save it from Excel (or save it as .csv) and import again."


def _read_xlsx(path: Path, sheet: str | None, unnamed: bool = False) -> Table:
    import openpyxl

    check_size(path)
    check_zip(path, ".xlsx", _XLSX_FIX)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # damaged parts, XML errors, forbidden entities...
        raise InputError(f"{path}: not a valid .xlsx file ({type(exc).__name__}: {exc}). {_XLSX_FIX}") from None
    try:
        names = workbook.sheetnames
        if sheet is None:
            if not workbook.worksheets:
                raise InputError(f"{path}: has no worksheets. {_XLSX_FIX}")
            worksheet = workbook.worksheets[0]
        elif sheet in names:
            worksheet = workbook[sheet]
        else:
            raise InputError(
                f'{path}: has no sheet named "{sheet}". Sheets: {", ".join(names)}. Give one of these names.'
            )
        if not hasattr(worksheet, "iter_rows"):
            raise InputError(f'{path}: sheet "{worksheet.title}" is a chart, not a table of cells.')
        try:
            worksheet.reset_dimensions()  # do not trust the stored size of the sheet
            records = [
                (number, [cell_text(v) for v in values])
                for number, values in enumerate(worksheet.iter_rows(min_row=1, values_only=True), start=1)
            ]
        except InputError:
            raise
        except Exception as exc:
            raise InputError(f"{path}: not a valid .xlsx file ({type(exc).__name__}: {exc}). {_XLSX_FIX}") from None
    finally:
        workbook.close()
    return _build_table(path, records, excel=True, unnamed=unnamed)


# ---------------------------------------------------------------------------


def read_table(path: Path, *, sheet: str | None = None, unnamed: bool = False) -> Table:
    """Read a .csv, .tsv, .txt (tab, comma or semicolon separated) or .xlsx table.

    The first non-empty row is the header. CSV text is decoded like documents
    (BOM, UTF-8, UTF-16, Windows-1252 fallback), its delimiter is detected among
    comma, tab and semicolon (.tsv is always tab), quoted cells may span lines
    (their line ends become ``"\\n"``). Short rows are padded with ``""``; cells
    beyond the header are allowed only when empty. Columns with neither a name
    nor any value are dropped. For .xlsx the first sheet is read unless ``sheet``
    is given; formulas give the value Excel last calculated.

    Raises :class:`InputError` naming the file and row for: unsupported suffixes,
    files over the size limit, damaged files, unnamed or duplicate (ignoring case)
    column names, rows longer than the header, and unclosed quotes. With ``unnamed``, a
    column with values but no name in the header is named ``column N`` instead (survey
    exports head a question's several columns with its text over the first only).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return _read_delimited(path, suffix, unnamed)
    if suffix == ".xlsx":
        return _read_xlsx(path, sheet, unnamed)
    if suffix in (".xls", ".ods", ".xlsm", ".numbers"):
        raise InputError(f"{path}: cannot read {suffix} files. Save the sheet as .xlsx or .csv and import again.")
    raise InputError(
        f"{path}: cannot read {suffix or 'files without a suffix'} as a table. "
        f"Supported: {', '.join(sorted(TABLE_SUFFIXES))}."
    )


# ---------------------------------------------------------------------------
# JSON Lines


@dataclass(frozen=True)
class JsonRecord:
    """One object of a JSON Lines file and its 1-based line number."""

    line: int
    data: dict[str, Any]


def read_jsonl(path: Path) -> Iterator[JsonRecord]:
    """Read a JSON Lines file: one JSON object per line; blank lines are skipped.

    The file is checked (size, encoding) when this function is called; each line
    is parsed as the returned iterator reaches it. Raises :class:`InputError`
    naming the line for invalid JSON or a value that is not an object.
    """
    path = Path(path)
    data = read_bytes(path, MAX_BYTES)
    text, _encoding = decode(data, str(path))
    return _jsonl_records(path, text)


def _jsonl_records(path: Path, text: str) -> Iterator[JsonRecord]:
    # Only "\n" (and "\r\n") end a line: JSON strings may contain U+2028 and U+2029.
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.strip(" \t\r")
        if not line:
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{path}: line {number} is not valid JSON ({exc.msg} at column {exc.colno}). "
                "Each line must be one JSON object; fix the line and import again."
            ) from None
        if not isinstance(value, dict):
            raise InputError(
                f"{path}: line {number} is a JSON {type(value).__name__}, not an object. "
                'Each line must be one JSON object such as {"code": "..."}.'
            )
        yield JsonRecord(number, value)
