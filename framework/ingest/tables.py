"""Read tables (.csv .tsv .txt .xlsx) and JSON Lines files.

Used by survey import, case attribute import and coding import. Every value is a
string exactly as written in the file: nothing is evaluated (a cell ``=1+1`` stays
the text ``=1+1``) and values are not stripped. Header names are stripped.

Tables are read a row at a time (worksheets as a stream, see
:mod:`framework.ingest.workbook`) and kept compactly; a table may hold at most
:data:`MAX_CELLS` cells (rows x named columns), so no file can make an import run out
of memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from framework.errors import InputError
from framework.fileio import JsonProblem, parse_json
from framework.ingest.formats import MAX_BYTES, check_size, read_bytes
from framework.ingest.text import decode
from framework.ingest.workbook import cell_text, column_letter, read_sheet

__all__ = ["MAX_CELLS", "TABLE_SUFFIXES", "JsonRecord", "Row", "Table", "cell_text", "jsonl_records", "read_jsonl",
           "read_table", "sniff_delimiter"]

TABLE_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx"}
DELIMITERS = (",", "\t", ";")
MAX_CELLS = 5_000_000
"""Most cells (rows x named columns) one table may have."""
SHARED_VALUES = 65_536
"""How many distinct short values (``yes``, ``Director``, ``3``) a table keeps one copy of."""
SHARED_LENGTH = 40
_DELIMITER_NAMES = {",": "comma", "\t": "tab", ";": "semicolon"}
_SNIFF_RECORDS = 50


class Row(Mapping[str, str]):
    """One row of a table: its values by column name, read-only (``row["answer"]``,
    ``row.get("case")``, ``dict(row)``). All rows of a table share one index of names."""

    __slots__ = ("_index", "_values")

    def __init__(self, index: Mapping[str, int], values: Sequence[str]) -> None:
        self._index = index
        self._values = values

    def __getitem__(self, key: str) -> str:
        return self._values[self._index[key]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def copy(self) -> dict[str, str]:
        return dict(self)

    def __repr__(self) -> str:
        return repr(dict(self))


@dataclass
class Table:
    """A table read from a file.

    ``rows[i]`` maps every column name to its value (``""`` for an empty or missing
    cell); ``row_numbers[i]`` is the 1-based line (CSV: the line where the record
    starts) or worksheet row of ``rows[i]`` in the source file. Empty rows are skipped.
    """

    path: Path
    columns: list[str]
    rows: list[Row]
    row_numbers: list[int]


def header_key(name: str) -> str:
    """A column name as compared when a file's columns are looked up: without a byte-order
    mark, spaces around it or capitals, spaces and hyphens as underscores (``Case ID``,
    ``CASE_ID`` and ``case-id`` are all ``case_id``)."""
    return "_".join(name.lstrip("\ufeff").strip().casefold().replace("-", " ").split())


def find_column(columns: Sequence[str], names: Sequence[str]) -> str | None:
    """The first of ``columns`` whose :func:`header_key` is one of ``names``; None if none is."""
    wanted = {header_key(n) for n in names}
    return next((c for c in columns if header_key(c) in wanted), None)


# ---------------------------------------------------------------------------
# Shared: header and rows


def _column_name(index: int, excel: bool) -> str:
    return f"column {column_letter(index)}" if excel else f"column {index + 1}"


Cells = Sequence[str] | Mapping[int, str]
"""A record as read: every cell in order (CSV), or the cells that have a value by
0-based column (worksheets)."""


def _used(cells: Cells) -> Iterator[tuple[int, str]]:
    """(column, value) of the non-blank cells of a record."""
    pairs = cells.items() if isinstance(cells, Mapping) else enumerate(cells)
    return ((i, v) for i, v in pairs if v.strip())


class _Builder:
    """Builds a :class:`Table` from records handed over one at a time: the first
    non-blank record is the header; later records keep only the named columns."""

    def __init__(self, path: Path, *, excel: bool, delimiter: str = ",", unnamed: bool = False) -> None:
        self.path, self.excel, self.delimiter, self.unnamed = path, excel, delimiter, unnamed
        self.used_unnamed: set[int] = set()
        self.shared: dict[str, str] = {}
        self.simple = False
        self.header_row = 0
        self.names: list[str] | None = None
        self.keep: list[int] = []
        self.index: dict[str, int] = {}
        self.rows: list[Row] = []
        self.numbers: list[int] = []

    def add(self, number: int, cells: Cells) -> None:
        used = list(_used(cells))
        if not used:
            return
        if self.names is None:
            self._header(number, cells, used)
            return
        width = len(self.names)
        stray = [column for column, _value in used if column >= width or not self.names[column]]
        if stray and self.unnamed:
            self.used_unnamed.update(column for column in stray if column < width)
            stray = [column for column in stray if column >= width]
        if stray:
            raise self._stray_error(min(stray), number, len(cells))
        if isinstance(cells, Mapping):
            values = [cells.get(i, "") for i in self.keep]
        elif self.simple and len(cells) >= len(self.keep):
            values = cells[:len(self.keep)]
        else:
            values = [cells[i] if i < len(cells) else "" for i in self.keep]
        self.rows.append(Row(self.index, self._share(values)))
        self.numbers.append(number)
        if len(self.rows) * max(len(self.keep), 1) > MAX_CELLS:
            raise InputError(
                f"{self.path}: row {number}: the table has more than {MAX_CELLS:,} cells "
                f"({len(self.keep):,} columns x {len(self.rows):,} rows so far), the limit for one file. "
                "Split it into smaller files, or remove the columns you do not need, and import again."
            )

    def _share(self, values: Sequence[str]) -> tuple[str, ...]:
        """The values, each short one replaced by the copy already kept: a column of a
        hundred thousand "yes" and "no" holds two strings, not a hundred thousand."""
        shared = self.shared
        out = []
        for value in values:
            if len(value) <= SHARED_LENGTH:
                kept = shared.get(value)
                if kept is None:
                    if len(shared) < SHARED_VALUES:
                        shared[value] = value
                else:
                    value = kept
            out.append(value)
        return tuple(out)

    def _header(self, number: int, cells: Cells, used: list[tuple[int, str]]) -> None:
        width = max(column for column, _ in used) + 1
        if isinstance(cells, Mapping):
            names = [cells.get(i, "").strip() for i in range(width)]
        else:
            names = [c.strip() for c in cells]
        names[0] = names[0].lstrip("\ufeff").strip()
        self.header_row, self.names = number, names
        # With ``unnamed``, a column without a name keeps its place until a value shows it is used.
        self.keep = [i for i, name in enumerate(names) if name or self.unnamed]
        self.simple = self.keep == list(range(len(self.keep)))

    def finish(self) -> Table:
        if self.names is None:
            raise InputError(f"{self.path}: has no rows. Check that you chose the right file (and sheet).")
        named = {i: self.names[i] or _column_name(i, self.excel) for i in self.keep
                 if self.names[i] or i in self.used_unnamed}
        seen: dict[str, int] = {}
        for i, name in named.items():
            key = name.casefold()
            if key in seen:
                raise InputError(
                    f'{self.path}: the column name "{name}" appears twice in the header (row '
                    f"{self.header_row}, {_column_name(seen[key], self.excel)} and {_column_name(i, self.excel)}). "
                    "Rename one of them and import again."
                )
            seen[key] = i
        self.index.update((named[i], n) for n, i in enumerate(self.keep) if i in named)
        return Table(path=self.path, columns=list(named.values()), rows=self.rows, row_numbers=self.numbers)

    def _stray_error(self, column: int, row: int, count: int) -> InputError:
        path, names, header = self.path, self.names or [], self.header_row
        if column < len(names):
            return InputError(
                f"{path}: {_column_name(column, self.excel)} has no name in the header (row {header}) "
                f"but has values (first in row {row}). Give every column a name and import again."
            )
        if self.excel:
            return InputError(
                f"{path}: row {row} has a value in {_column_name(column, True)}, right of the last "
                f"column named in the header (row {header}). Give the column a name or "
                "delete the value, and import again."
            )
        return InputError(
            f"{path}: row {row} has {count} cells but the header (row {header}) has "
            f"{len(names)} columns. Check that row for a missing quote or an extra "
            f"{_DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))}, and import again."
        )


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


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their ``"\\n"``, one at a time (no copy of the whole text)."""
    start, size = 0, len(text)
    while start < size:
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start:end + 1]
        start = end + 1


def _csv_records(path: Path, text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=True)
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
    text, _encoding = decode(read_bytes(path), str(path))
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if suffix == ".tsv":
        delimiter = "\t"
    elif suffix == ".txt":
        delimiter = sniff_delimiter(text, ("\t", ",", ";"))
    else:
        delimiter = sniff_delimiter(text)
    builder = _Builder(path, excel=False, delimiter=delimiter, unnamed=unnamed)
    for number, record in _csv_records(path, text, delimiter):
        builder.add(number, record)
    return builder.finish()


# ---------------------------------------------------------------------------
# Excel


def _read_xlsx(path: Path, sheet: str | None, unnamed: bool = False) -> Table:
    check_size(path)
    builder = _Builder(path, excel=True, unnamed=unnamed)
    read_sheet(path, sheet, builder.add)
    return builder.finish()


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
    text, _encoding = decode(read_bytes(path, MAX_BYTES), str(path))
    return _jsonl_records(path, text)


def _jsonl_records(path: Path, text: str) -> Iterator[JsonRecord]:
    def refuse(problem: str) -> None:
        raise InputError(problem)

    return jsonl_records(str(path), text, refuse)


def jsonl_records(source: str, text: str, bad_line: Callable[[str], None]) -> Iterator[JsonRecord]:
    """The JSON objects of a JSON Lines text; each line that is not one is passed to ``bad_line``.

    ``bad_line`` gets a message naming ``source`` and the line; it may raise (stop at the
    first) or keep the message (go on and list every bad line).
    """
    # Only "\n" (and "\r\n") end a line: JSON strings may contain U+2028 and U+2029.
    for number, line in enumerate(_lines(text), start=1):
        line = line.strip(" \t\r\n\ufeff")
        if not line:
            continue
        try:
            value = parse_json(line)
        except JsonProblem as exc:
            bad_line(f"{source}: line {number} {exc.reason}. "
                     "Each line must be one JSON object; fix the line and import again.")
            continue
        if not isinstance(value, dict):
            bad_line(f"{source}: line {number} is a JSON {type(value).__name__}, not an object. "
                     'Each line must be one JSON object such as {"document": "int01", "theme": "1.2"}.')
            continue
        yield JsonRecord(number, value)
