"""Checking exported files for the terms of a pseudonym key, with where each one is.

Every part of a file is read, with the same matcher the exports use
(:mod:`framework.confidentiality.match`):

* zip files (``.xlsx``, ``.docx``, ``.qdpx``, ``.odt`` ...): every entry and its name; XML
  entries element by element, the text of runs joined as a reader sees it ("Marg" + "aret"
  in two runs is "Margaret") and every attribute value on its own; document properties
  (title, author, last modified by ...) included; other text entries line by line, and
  the readable runs of binary ones;
* HTML: the text, comments and every attribute value (hover titles, alt texts);
* Markdown with its escapes undone, CSV cell by cell, any other file as plain text;
* the file's own name.

A hit names the file, the place (a sheet and cell, a paragraph, a line, a row and
column, a property) and shows the words around it. The key's own bracketed
replacements are left aside, so a pseudonymised export does not report itself.
"""

from __future__ import annotations

import csv
import html
import io
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from xml.sax import SAXException
from xml.sax.handler import ContentHandler

from framework.confidentiality.key import MAX_TEXT_BYTES, Pseudonymiser
from framework.errors import InputError

CONTEXT = 30
"""Characters shown on each side of a hit."""

_XML_INLINE = frozenset({
    "r", "t", "delText", "instrText", "hyperlink", "ins", "del", "moveFrom", "moveTo", "smartTag",
    "fldSimple", "customXml", "bookmarkStart", "bookmarkEnd", "proofErr", "commentRangeStart",
    "commentRangeEnd", "permStart", "permEnd",
    "span", "s", "a", "soft-page-break", "bookmark", "bookmark-start", "bookmark-end",
})
"""Elements whose text runs on with the text around it (Word runs, spreadsheet rich text, ODF
spans); everything inside them does too."""
_HTML_INLINE = frozenset({"a", "abbr", "b", "bdi", "bdo", "cite", "code", "em", "i", "mark", "q", "s", "small",
                          "span", "strong", "sub", "sup", "u", "wbr", "font", "time", "data", "var", "kbd", "samp"})
_PRINTABLE = re.compile(rb"[\x20-\x7e\t]{4,}")
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_BREAK = re.compile(r"<br\s*/?>", re.I)
_TEXT_ENTRY = (".txt", ".csv", ".tsv", ".md", ".json", ".jsonl", ".html", ".htm", ".yaml", ".yml", ".rtf")


@dataclass(frozen=True)
class Hit:
    """One key term found in a file."""

    file: str
    place: str
    term: str
    found: str
    """The words as written in the file."""
    context: str
    """The words around it, on one line, the hit marked with « »."""

    def describe(self) -> str:
        return f"{self.file}: {self.place}: {self.found!r} (key term {self.term!r}): {self.context}"

    def as_json(self) -> dict[str, str]:
        return {"file": self.file, "place": self.place, "term": self.term, "found": self.found,
                "context": self.context}


@dataclass
class _Text:
    """Text gathered from a part of a file, with the place each stretch of it comes from."""

    parts: list[str] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    length: int = 0

    def at(self, place: str) -> None:
        if self.offsets and self.offsets[-1] == self.length:
            self.places[-1] = place
        else:
            self.offsets.append(self.length)
            self.places.append(place)

    def add(self, text: str) -> None:
        if text:
            self.parts.append(text)
            self.length += len(text)

    def place_of(self, offset: int) -> str:
        i = bisect_right(self.offsets, offset) - 1
        return self.places[i] if i >= 0 else ""


def _context(text: str, start: int, end: int) -> str:
    left = text[max(0, start - CONTEXT):start]
    right = text[end:end + CONTEXT]
    one = " ".join(f"{'…' if start > CONTEXT else ''}{left}«{text[start:end]}»{right}{'…' if end + CONTEXT < len(text) else ''}".split())
    return one


def _hits(text: str, key: Pseudonymiser, file: str, place: Callable[[int], str]) -> list[Hit]:
    blank = key.blank_replacements(text)
    return [Hit(file, place(m.start), m.term, text[m.start:m.end], _context(text, m.start, m.end))
            for m in key.matches(blank)]


def _scan_parts(gathered: _Text, key: Pseudonymiser, file: str, prefix: str) -> list[Hit]:
    text = "".join(gathered.parts)
    return _hits(text, key, file, lambda at: ", ".join(p for p in (prefix, gathered.place_of(at)) if p))


def _line_place(text: str, prefix: str = "") -> Callable[[int], str]:
    def place(at: int) -> str:
        line = f"line {text.count(chr(10), 0, at) + 1}"
        return f"{prefix}, {line}" if prefix else line
    return place


# -- XML ------------------------------------------------------------------------------------------


class _XmlReader(ContentHandler):
    """Gathers an XML part's text (runs joined, blocks apart) and its attribute values."""

    def __init__(self, label: Callable[[str, dict[str, str], int], str | None]) -> None:
        super().__init__()
        self.body = _Text()
        self.attributes = _Text()
        self._label = label
        self._listener = getattr(label, "text", None)
        self._stack: list[tuple[str, bool]] = [("", False)]
        self._locator = None

    def setDocumentLocator(self, locator) -> None:  # noqa: N802 (the SAX name)
        self._locator = locator

    def _line(self) -> int:
        return self._locator.getLineNumber() if self._locator is not None else 0

    def startElement(self, name: str, attrs) -> None:  # noqa: N802
        local = name.rsplit(":", 1)[-1]
        values = {k: v for k, v in attrs.items() if not k.startswith("xmlns")}
        label = self._label(local, values, self._line()) or self._stack[-1][0]
        inline = local in _XML_INLINE or self._stack[-1][1]
        self._stack.append((label, inline))
        if not inline:
            self.body.add("\n")
            self.body.at(label)
        for attr, value in values.items():
            if value.strip():
                self.attributes.at(f"{label}, {attr.rsplit(':', 1)[-1]}" if label else attr.rsplit(":", 1)[-1])
                self.attributes.add(value + "\n")

    def endElement(self, name: str) -> None:  # noqa: N802
        _, inline = self._stack.pop()
        if not inline:
            self.body.add("\n")
            self.body.at(self._stack[-1][0])

    def characters(self, content: str) -> None:
        self.body.add(content)
        if self._listener is not None:
            self._listener(content)

    def processingInstruction(self, target: str, data: str) -> None:  # noqa: N802
        self.body.add(f"\n{data}\n")


def _read_xml(data: bytes, where: str, label: Callable[[str, dict[str, str], int], str | None]) -> _XmlReader:
    from defusedxml import DefusedXmlException
    from defusedxml.sax import parseString

    reader = _XmlReader(label)
    try:
        parseString(data, reader, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise InputError(f"{where}: refused because the XML declares a document type or entities "
                         f"({type(exc).__name__}); an export never needs them.") from None
    except (SAXException, ValueError) as exc:
        raise InputError(f"{where}: the XML is malformed ({exc}); it cannot be checked.") from None
    return reader


def _line_label(local: str, attrs: dict[str, str], line: int) -> str:
    return f"line {line}"


class _Word:
    """Paragraph numbers of a WordprocessingML part."""

    def __init__(self) -> None:
        self.paragraphs = 0
        self.tables = 0

    def __call__(self, local: str, attrs: dict[str, str], line: int) -> str | None:
        if local == "p":
            self.paragraphs += 1
            return f"paragraph {self.paragraphs}"
        if local == "tbl":
            self.tables += 1
            return f"table {self.tables}"
        if local in ("body", "document"):
            return ""
        return None


def _property_label(local: str, attrs: dict[str, str], line: int) -> str | None:
    return None if local in ("coreProperties", "Properties", "document-meta", "meta") else local


# -- spreadsheets: cells by sheet ------------------------------------------------------------------


@dataclass
class _Book:
    """Sheet names by part, and where each shared string is used."""

    sheets: dict[str, str] = field(default_factory=dict)
    shared: dict[int, str] = field(default_factory=dict)


def _book(parts: dict[str, bytes], path: Path) -> _Book:
    from framework.ingest.archives import parse_xml

    book = _Book()
    if "xl/workbook.xml" not in parts:
        return book
    targets: dict[str, str] = {}
    rels = parts.get("xl/_rels/workbook.xml.rels")
    if rels:
        for rel in parse_xml(rels, f"{path}: xl/_rels/workbook.xml.rels").iter():
            if rel.get("Id") and rel.get("Target"):
                target = rel.get("Target", "")
                targets[rel.get("Id", "")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    for sheet in parse_xml(parts["xl/workbook.xml"], f"{path}: xl/workbook.xml").iter():
        if sheet.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        rid = next((v for k, v in sheet.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
        if rid in targets:
            book.sheets[targets[rid]] = sheet.get("name", "")
    return book


class _Sheet:
    """Cell references of a worksheet part, noting the shared strings its cells use."""

    def __init__(self, name: str, book: _Book) -> None:
        self.name = name
        self.book = book
        self.shared_cell: str | None = None
        self.in_value = False
        self.value: list[str] = []

    def __call__(self, local: str, attrs: dict[str, str], line: int) -> str | None:
        self.flush()
        self.in_value = local == "v"
        if local == "c":
            ref = attrs.get("r", "?")
            self.shared_cell = ref if attrs.get("t") == "s" else None
            return f"cell {ref}"
        if local == "worksheet":
            return ""
        return None

    def text(self, content: str) -> None:
        if self.in_value and self.shared_cell is not None:
            self.value.append(content)

    def flush(self) -> None:
        index = "".join(self.value).strip()
        if self.shared_cell is not None and index.isdigit():
            self.book.shared.setdefault(int(index), f"sheet {self.name!r}, cell {self.shared_cell}")
            self.shared_cell = None
        self.value = []


class _Shared:
    """Shared strings, each named by the first cell that shows it."""

    def __init__(self, book: _Book) -> None:
        self.book = book
        self.index = -1

    def __call__(self, local: str, attrs: dict[str, str], line: int) -> str | None:
        if local == "si":
            self.index += 1
            return self.book.shared.get(self.index, f"shared string {self.index + 1} (in no cell)")
        return "" if local == "sst" else None


def _sheet_hits(data: bytes, where: str, sheet: _Sheet, key: Pseudonymiser, file: str) -> list[Hit]:
    reader = _read_xml(data, where, sheet)
    sheet.flush()
    prefix = f"sheet {sheet.name!r}"
    return _scan_parts(reader.body, key, file, prefix) + _scan_parts(reader.attributes, key, file, prefix)


# -- zip files --------------------------------------------------------------------------------------


def _entry_title(name: str, book: _Book) -> str:
    if name in book.sheets:
        return f"sheet {book.sheets[name]!r}"
    if name == "docProps/core.xml":
        return "document properties"
    if name == "docProps/app.xml":
        return "application properties"
    if name == "docProps/custom.xml":
        return "custom properties"
    if name == "word/document.xml":
        return "document"
    return name


def _xml_label(name: str) -> Callable[[str, dict[str, str], int], str | None]:
    if name.startswith("docProps/") or name in ("meta.xml",):
        return _property_label
    if name.startswith("word/"):
        return _Word()
    return _line_label


def _is_xml(name: str, data: bytes) -> bool:
    head = data[:200].lstrip(b"\xef\xbb\xbf \t\r\n")
    return name.lower().endswith((".xml", ".rels", ".qde", ".qdc", ".vml")) or head.startswith(b"<?xml")


def _zip_hits(path: Path, key: Pseudonymiser, file: str) -> list[Hit]:
    from framework.ingest.archives import read_zip

    parts = read_zip(path, path.suffix or "zip")
    book = _book(parts, path)
    hits: list[Hit] = []
    names = sorted(parts, key=lambda n: (n == "xl/sharedStrings.xml", n))  # cells before the strings they use
    for name in names:
        data = parts[name]
        title = _entry_title(name, book)
        where = f"{path}: {name}"
        hits += _hits(name, key, file, lambda _, n=name: f"entry name {n!r}")
        if name in book.sheets:
            hits += _sheet_hits(data, where, _Sheet(book.sheets[name], book), key, file)
        elif name == "xl/sharedStrings.xml":
            reader = _read_xml(data, where, _Shared(book))
            hits += _scan_parts(reader.body, key, file, "") + _scan_parts(reader.attributes, key, file, title)
        elif _is_xml(name, data):
            reader = _read_xml(data, where, _xml_label(name))
            hits += _scan_parts(reader.body, key, file, title) + _scan_parts(reader.attributes, key, file, title)
        elif name.lower().endswith(_TEXT_ENTRY) or b"\x00" not in data[:4096]:
            text = data.decode("utf-8-sig", "replace")
            hits += _hits(text, key, file, _line_place(text, title))
        else:
            text = "\n".join(m.group().decode("ascii") for m in _PRINTABLE.finditer(data))
            hits += _hits(text, key, file, lambda _, t=title: f"{t} (binary data)")
    return hits


# -- text formats ------------------------------------------------------------------------------------


class _HtmlReader(HTMLParser):
    """Gathers a page's text (inline elements joined), comments and attribute values, by line."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.body = _Text()
        self.attributes = _Text()

    def _line(self) -> str:
        return f"line {self.getpos()[0]}"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag.lower() not in _HTML_INLINE:
            self.body.add("\n")
        for name, value in attrs:
            if value and value.strip():
                self.attributes.at(f"{self._line()}, attribute {name}")
                self.attributes.add(value + "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag.lower() not in _HTML_INLINE:
            self.body.add("\n")

    def handle_data(self, data: str) -> None:
        self.body.at(self._line())
        self.body.add(data)

    def handle_comment(self, data: str) -> None:
        self.body.at(f"{self._line()}, comment")
        self.body.add(f"\n{data}\n")


def _html_hits(text: str, key: Pseudonymiser, file: str) -> list[Hit]:
    reader = _HtmlReader()
    reader.feed(text)
    reader.close()
    return _scan_parts(reader.body, key, file, "") + _scan_parts(reader.attributes, key, file, "")


def _markdown_hits(text: str, key: Pseudonymiser, file: str) -> list[Hit]:
    gathered = _Text()
    for number, line in enumerate(text.split("\n"), start=1):
        gathered.at(f"line {number}")
        gathered.add(html.unescape(_MD_ESCAPE.sub(r"\1", _BREAK.sub("\n", line))) + "\n")
    return _scan_parts(gathered, key, file, "")


def _csv_hits(text: str, key: Pseudonymiser, file: str, delimiter: str) -> list[Hit]:
    gathered = _Text()
    header: list[str] = []
    try:
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for number, row in enumerate(rows, start=1):
            if number == 1:
                header = row
            for column, value in enumerate(row):
                name = f" ({header[column]})" if number > 1 and column < len(header) and header[column] else ""
                gathered.at(f"row {number}, column {column + 1}{name}")
                gathered.add(value + "\n")
    except csv.Error:
        return _hits(text, key, file, _line_place(text))
    return _scan_parts(gathered, key, file, "")


def _read_bytes(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_TEXT_BYTES:
            raise InputError(f"{path}: too large to check ({MAX_TEXT_BYTES // 1048576} MB limit).")
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: file not found.") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder; give the exported files.") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc}).") from None


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    return data.decode("utf-8-sig", "replace")


def scan(path: Path | str, key: Pseudonymiser, *, name: str | None = None) -> list[Hit]:
    """Every key term in the file at ``path``, in reading order, with its place.

    ``name`` is the file name to check and report (default: the path's own); an export
    checked under a temporary name passes the name it will have.
    """
    from framework.ingest.archives import is_zip

    path = Path(path)
    shown = str(path.parent / name) if name else str(path)
    hits = _hits(name or path.name, key, shown, lambda _: "file name")
    suffix = PurePosixPath(name or path.name).suffix.lower()
    if is_zip(path):
        return hits + _zip_hits(path, key, shown)
    data = _read_bytes(path)
    if suffix in (".xml", ".qdc", ".qde") or (suffix not in (".html", ".htm") and _is_xml("", data)):
        reader = _read_xml(data, str(path), _line_label)
        return hits + _scan_parts(reader.body, key, shown, "") + _scan_parts(reader.attributes, key, shown, "")
    text = _decode(data)
    if suffix in (".html", ".htm", ".xhtml"):
        return hits + _html_hits(text, key, shown)
    if suffix in (".md", ".markdown"):
        return hits + _markdown_hits(text, key, shown)
    if suffix in (".csv", ".tsv"):
        return hits + _csv_hits(text, key, shown, "\t" if suffix == ".tsv" else ",")
    return hits + _hits(text, key, shown, _line_place(text))


def scan_text(text: str, key: Pseudonymiser, file: str = "text") -> list[Hit]:
    """Every key term in ``text``, by line."""
    return _hits(text, key, file, _line_place(text))


def _key(key: Pseudonymiser | Path | str) -> Pseudonymiser:
    return key if isinstance(key, Pseudonymiser) else Pseudonymiser.load(key)


def check_counts(source: Path | str, key: Pseudonymiser | Path | str) -> Counter[str]:
    """How often each key term occurs in ``source``: a file (a ``Path``) or a text (a ``str``)."""
    key = _key(key)
    if isinstance(source, Path):
        return Counter(hit.term for hit in scan(source, key))
    return key.find(source)


def check(source: Path | str, key: Pseudonymiser | Path | str) -> list[str]:
    """The key terms still present in ``source`` (a ``Path`` to an export, or a text), in key order."""
    key = _key(key)
    counts = check_counts(source, key)
    return [term for term in key.terms if counts[term]]
