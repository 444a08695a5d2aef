"""Worksheets of .xlsx files, read as a stream of rows of text.

The parts of the workbook are parsed through :class:`framework.ingest.archives.Archive`
(DTDs refused, decompressed bytes counted as they are read). The worksheet itself is
never held in memory: each row is handed on as it ends, holding only the cells that have
a value, so a sheet with a stray cell in column XFD costs one cell, not 16,384.

Values are what Excel shows as data: shared and inline strings as written, numbers
without ``.0`` for whole numbers, dates and times in ISO 8601 (from the cell's number
format, in the workbook's 1900 or 1904 calendar), booleans as ``TRUE``/``FALSE``, error
values as written (``#N/A``), and for a formula the value Excel last calculated. A
formula without a calculated value (a file written by a program, never opened in a
spreadsheet) is reported with its sheet, row and column rather than read as empty.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from framework.errors import InputError
from framework.ingest.archives import Archive

XLSX_FIX = "Re-save it from Excel (or save it as .csv) and import again."
MAX_COLUMNS = 16_384
"""Excel's widest sheet (column XFD)."""
MAX_ROWS = 1_048_576
"""Excel's longest sheet."""
MAX_CELL_CHARS = 1_000_000
"""Longest text of one cell or shared string (Excel's own limit is 32,767)."""
MAX_STRINGS = 5_000_000
"""Most shared strings a workbook may have."""
SMALL_PART = 16 * 1024 * 1024
"""Largest decompressed size of the workbook, its relationships and its styles."""

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_TYPES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

RowSink = Callable[[int, dict[int, str]], None]
"""Receives each row: its 1-based number and its non-empty cells by 0-based column."""


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


def column_letter(index: int) -> str:
    """``0`` -> ``"A"``, ``16383`` -> ``"XFD"``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True)
class _SheetRef:
    name: str
    part: str | None
    kind: str  # "worksheet", "chartsheet", ...


class _Collect:
    """A target that keeps nothing; subclasses pick what they need out of the events."""

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        pass

    def end(self, tag: str) -> None:
        pass

    def data(self, text: str) -> None:
        pass

    def close(self) -> _Collect:
        return self


class _Relationships(_Collect):
    def __init__(self) -> None:
        self.by_id: dict[str, tuple[str, str]] = {}

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if tag == _RELS:
            self.by_id[attrib.get("Id", "")] = (attrib.get("Type", ""), attrib.get("Target", ""))

    def target(self, kind: str) -> str | None:
        return next((target for type_, target in self.by_id.values() if type_ == _TYPES + kind), None)


class _WorkbookPart(_Collect):
    def __init__(self) -> None:
        self.sheets: list[tuple[str, str]] = []
        self.date1904 = False

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if tag == _MAIN + "sheet":
            self.sheets.append((attrib.get("name", ""), attrib.get(_REL_ID, "")))
        elif tag == _MAIN + "workbookPr":
            self.date1904 = attrib.get("date1904", "").lower() in ("1", "true")


class _Styles(_Collect):
    """Which cell styles show numbers as dates, and which as durations."""

    def __init__(self) -> None:
        self.custom: dict[int, str] = {}
        self.formats: list[int] = []
        self.in_xfs = False

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if tag == _MAIN + "numFmt":
            try:
                self.custom[int(attrib.get("numFmtId", ""))] = attrib.get("formatCode", "")
            except ValueError:
                pass
        elif tag == _MAIN + "cellXfs":
            self.in_xfs = True
        elif tag == _MAIN + "xf" and self.in_xfs:
            try:
                self.formats.append(int(attrib.get("numFmtId", "0")))
            except ValueError:
                self.formats.append(0)

    def end(self, tag: str) -> None:
        if tag == _MAIN + "cellXfs":
            self.in_xfs = False

    def kinds(self) -> tuple[set[int], set[int]]:
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

        dates, durations = set(), set()
        for style, number_format in enumerate(self.formats):
            code = self.custom.get(number_format) or BUILTIN_FORMATS.get(number_format)
            if code and is_date_format(code):
                dates.add(style)
                if is_timedelta_format(code):
                    durations.add(style)
        return dates, durations


class _Text:
    """The text of a string item (``si``, ``is``): its runs, without phonetic guides."""

    def __init__(self, where: Callable[[], str]) -> None:
        self.where = where
        self.pieces: list[str] | None = None
        self.size = 0
        self.phonetic = 0

    def begin(self) -> None:
        self.pieces, self.size = [], 0

    def start(self, tag: str) -> None:
        if tag == _MAIN + "rPh":
            self.phonetic += 1

    def end(self, tag: str) -> None:
        if tag == _MAIN + "rPh":
            self.phonetic -= 1

    def data(self, text: str, in_t: bool) -> None:
        if self.pieces is not None and in_t and not self.phonetic:
            self.size += len(text)
            if self.size > MAX_CELL_CHARS:
                raise InputError(f"{self.where()} holds more than {MAX_CELL_CHARS:,} characters. {XLSX_FIX}")
            self.pieces.append(text)

    def finish(self) -> str:
        text = "".join(self.pieces or ())
        self.pieces = None
        return text


class _SharedStrings(_Collect):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.strings: list[str] = []
        self.text = _Text(lambda: f"{path}: shared string {len(self.strings) + 1}")
        self.in_t = False

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if tag == _MAIN + "si":
            self.text.begin()
        elif tag == _MAIN + "t":
            self.in_t = True
        self.text.start(tag)

    def data(self, text: str) -> None:
        self.text.data(text, self.in_t)

    def end(self, tag: str) -> None:
        self.text.end(tag)
        if tag == _MAIN + "t":
            self.in_t = False
        elif tag == _MAIN + "si":
            self.strings.append(self.text.finish())
            if len(self.strings) > MAX_STRINGS:
                raise InputError(f"{self.path}: has more than {MAX_STRINGS:,} shared strings. {XLSX_FIX}")


class _Cell:
    __slots__ = ("column", "formula", "style", "type", "value")

    def __init__(self, column: int, type_: str, style: int) -> None:
        self.column, self.type, self.style = column, type_, style
        self.value: str | None = None
        self.formula: str | None = None


class _Rows(_Collect):
    """A worksheet's rows, handed to ``sink`` one at a time."""

    def __init__(self, path: Path, sheet: str, strings: list[str], styles: tuple[set[int], set[int]],
                 date1904: bool, sink: RowSink) -> None:
        self.path, self.sheet, self.strings, self.sink = path, sheet, strings, sink
        self.dates, self.durations = styles
        self.date1904 = date1904
        self.row = 0
        self.column = -1
        self.cells: dict[int, str] = {}
        self.cell: _Cell | None = None
        self.text = _Text(self.where)
        self.field: str | None = None  # "v" or "f" while inside one
        self.buffer: list[str] = []
        self.size = 0
        self.in_t = False
        self.uncalculated: list[str] = []
        self.uncalculated_count = 0

    def where(self) -> str:
        column = column_letter(self.cell.column) if self.cell else "?"
        return f'{self.path}: sheet "{self.sheet}", row {self.row}, column {column}'

    def damaged(self, why: str) -> InputError:
        return InputError(f"{self.path}: not a valid .xlsx file (sheet \"{self.sheet}\", {why}). {XLSX_FIX}")

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if tag == _MAIN + "row":
            self.start_row(attrib.get("r"))
        elif tag == _MAIN + "c":
            self.start_cell(attrib)
        elif self.cell is None:
            return
        elif tag in (_MAIN + "v", _MAIN + "f"):
            self.field, self.buffer, self.size = tag[len(_MAIN):], [], 0
        elif tag == _MAIN + "is":
            self.text.begin()
        elif tag == _MAIN + "t":
            self.in_t = True
        self.text.start(tag)

    def start_row(self, number: str | None) -> None:
        try:
            self.row = int(number) if number else self.row + 1
        except ValueError:
            raise self.damaged(f"row number {number!r}") from None
        if not 1 <= self.row <= MAX_ROWS:
            raise self.damaged(f"row number {self.row} is outside a worksheet")
        self.column, self.cells = -1, {}

    def start_cell(self, attrib: dict[str, str]) -> None:
        ref = attrib.get("r")
        if ref:
            letters = ref.rstrip("0123456789")
            column = 0
            for ch in letters.upper():
                if not "A" <= ch <= "Z":
                    raise self.damaged(f"cell reference {ref!r}")
                column = column * 26 + ord(ch) - 64
            self.column = column - 1
        else:
            self.column += 1
        if not 0 <= self.column < MAX_COLUMNS:
            raise self.damaged(f"row {self.row}: cell reference {ref!r} is outside a worksheet")
        try:
            style = int(attrib.get("s") or 0)
        except ValueError:
            style = 0
        self.cell = _Cell(self.column, attrib.get("t", "n"), style)

    def data(self, text: str) -> None:
        if self.field is not None:
            self.buffer.append(text)
            self.size += len(text)
            if self.size > MAX_CELL_CHARS:
                raise InputError(f"{self.where()} holds more than {MAX_CELL_CHARS:,} characters. {XLSX_FIX}")
        else:
            self.text.data(text, self.in_t)

    def end(self, tag: str) -> None:
        self.text.end(tag)
        cell = self.cell
        if tag == _MAIN + "t":
            self.in_t = False
        elif cell is None:
            if tag == _MAIN + "row":
                self.sink(self.row, self.cells)
                self.cells = {}
        elif tag == _MAIN + "v":
            cell.value, self.field = "".join(self.buffer), None
        elif tag == _MAIN + "f":
            cell.formula, self.field = "".join(self.buffer), None
        elif tag == _MAIN + "is":
            cell.value = self.text.finish()
        elif tag == _MAIN + "c":
            text = self.value(cell)
            if text:
                self.cells[cell.column] = text
            self.cell = None

    def value(self, cell: _Cell) -> str:
        raw = cell.value
        if cell.formula is not None and not raw and cell.type != "str":  # "str": a formula's empty text
            self.uncalculated_count += 1
            if not self.uncalculated:
                self.uncalculated.append(f"{self.where()}: the formula ={cell.formula[:60]} has no saved value")
            return ""
        if raw is None:
            return ""
        kind = cell.type
        try:
            if kind == "s":
                return self.strings[int(raw)]
            if kind == "b":
                return cell_text(bool(int(raw)))
            if kind in ("str", "e", "inlineStr"):
                return raw
            if kind == "d":
                from openpyxl.utils.datetime import from_ISO8601

                return cell_text(from_ISO8601(raw))
            if not raw:
                return ""
            number = float(raw) if any(ch in raw for ch in ".eE") else int(raw)
        except (ValueError, IndexError, TypeError):
            raise self.damaged(f"row {self.row}, column {column_letter(cell.column)}: the value {raw[:40]!r} "
                               f"does not fit its type {kind!r}") from None
        if cell.style in self.dates:
            from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

            epoch = CALENDAR_MAC_1904 if self.date1904 else CALENDAR_WINDOWS_1900
            try:
                return cell_text(from_excel(number, epoch, timedelta=cell.style in self.durations))
            except (OverflowError, ValueError):
                pass
        return cell_text(number)

    def close(self) -> _Rows:
        if self.uncalculated:
            more = self.uncalculated_count - 1
            also = f" (and {more:,} more formula cells like it)" if more else ""
            raise InputError(
                f"{self.uncalculated[0]}{also}: the file was saved by a program that does not calculate "
                "formulas. Open it in Excel or LibreOffice, save it, and import again (or save it as .csv)."
            )
        return self


def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _sheets(archive: Archive) -> tuple[str, _Relationships, list[_SheetRef], bool]:
    """(the workbook part, its relationships, its sheets in order, whether it counts dates
    from 1904)."""
    main = "xl/workbook.xml"
    if archive.has("_rels/.rels"):
        package = archive.feed("_rels/.rels", _Relationships(), SMALL_PART)
        main = (package.target("officeDocument") or main).lstrip("/")
    if not archive.has(main):
        raise archive.damaged(f"{main} is missing")
    workbook = archive.feed(main, _WorkbookPart(), SMALL_PART)
    rels_part = posixpath.join(posixpath.dirname(main), "_rels", posixpath.basename(main) + ".rels")
    rels = archive.feed(rels_part, _Relationships(), SMALL_PART) if archive.has(rels_part) else _Relationships()
    refs = []
    for name, rel_id in workbook.sheets:
        type_, target = rels.by_id.get(rel_id, ("", ""))
        refs.append(_SheetRef(name, _resolve(main, target) if target else None, type_.rsplit("/", 1)[-1]))
    return main, rels, refs, workbook.date1904


def read_sheet(path: Path, sheet: str | None, sink: RowSink) -> str:
    """Read one worksheet of the workbook at ``path`` (the first when ``sheet`` is None),
    handing each row to ``sink``; returns the sheet's name."""
    with Archive(path, ".xlsx", XLSX_FIX) as archive:
        main, rels, refs, date1904 = _sheets(archive)
        if sheet is None:
            chosen = next((ref for ref in refs if ref.kind == "worksheet"), None)
            if chosen is None:
                raise InputError(f"{path}: has no worksheets. {XLSX_FIX}")
        else:
            chosen = next((ref for ref in refs if ref.name == sheet), None)
            if chosen is None:
                names = ", ".join(ref.name for ref in refs)
                raise InputError(f'{path}: has no sheet named "{sheet}". Sheets: {names}. Give one of these names.')
            if chosen.kind != "worksheet":
                raise InputError(f'{path}: sheet "{chosen.name}" is a chart, not a table of cells.')
        if chosen.part is None or not archive.has(chosen.part):
            raise archive.damaged(f'the part of sheet "{chosen.name}" is missing')
        styles = _Styles()
        styles_part = _resolve(main, rels.target("styles") or "styles.xml")
        if archive.has(styles_part):
            archive.feed(styles_part, styles, SMALL_PART)
        strings: list[str] = []
        strings_part = _resolve(main, rels.target("sharedStrings") or "sharedStrings.xml")
        if archive.has(strings_part):
            strings = archive.feed(strings_part, _SharedStrings(path)).strings
        archive.feed(chosen.part, _Rows(path, chosen.name, strings, styles.kinds(), date1904, sink))
    return chosen.name
