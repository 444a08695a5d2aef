"""Word (.docx) and OpenDocument (.odt) text, read as a stream of XML events.

The document part is parsed through :class:`framework.ingest.archives.Archive`, so a
DTD is refused and the decompressed bytes are counted as they are read. Nothing of the
XML is kept but the text of the paragraph being read: memory stays flat however large
the part, and the text a file may yield is capped like a plain-text file's
(:data:`MAX_TEXT_CHARS` characters, :data:`MAX_PARAGRAPHS` paragraphs).

Each non-empty source paragraph becomes one unit (see :func:`unit_lines`). Text boxes
(.docx) and frames (.odt) anchored in a paragraph become units after it.
"""

from __future__ import annotations

import re

from framework.errors import InputError
from framework.ingest.archives import Archive
from framework.ingest.text import normalise_newlines

MAX_TEXT_CHARS = 50 * 1024 * 1024
"""Most characters of text one document may yield (the size limit of a text file)."""
MAX_PARAGRAPHS = 200_000
"""Most paragraphs one document may have."""

DOCX_FIX = "Re-save it from Word and import again."
ODT_FIX = "Re-save it from LibreOffice or Word and import again."


def unit_lines(raw: str) -> str:
    """One source paragraph as stored: lines stripped, blank lines removed."""
    lines = [line.strip() for line in normalise_newlines(raw).split("\n")]
    return "\n".join(line for line in lines if line)


class Units:
    """The units (paragraphs) read so far from one file, within the limits."""

    def __init__(self, path: object, fix: str) -> None:
        self.path, self.fix = path, fix
        self.units: list[str] = []
        self.chars = 0

    def count(self, text: str) -> None:
        """Count text as it arrives, so that a file stops being read at the limit."""
        self.chars += len(text)
        if self.chars > MAX_TEXT_CHARS:
            raise InputError(
                f"{self.path}: refused because its text is over {MAX_TEXT_CHARS // (1024 * 1024)} MB, the limit "
                "for one document. Split it into smaller files and import them separately."
            )

    def extend(self, units: list[str]) -> None:
        self.units.extend(u for u in units if u)
        if len(self.units) > MAX_PARAGRAPHS:
            raise InputError(
                f"{self.path}: refused because it has more than {MAX_PARAGRAPHS:,} paragraphs, the limit for "
                "one document. Split it into smaller files and import them separately."
            )


class _Open:
    """A paragraph being read: its text so far and the units of the boxes anchored in it."""

    __slots__ = ("boxes", "pieces")

    def __init__(self, pieces: list[str] | None) -> None:
        self.pieces = pieces
        self.boxes: list[str] = []


# ---------------------------------------------------------------------------
# .docx

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_MAIN = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_CHANGES = {_W + "ins", _W + "moveTo", _W + "del", _W + "moveFrom"}
_DOCX_SKIP = {_W + "del", _W + "moveFrom", _W + "pPr", _W + "rPr", _MC_FALLBACK}
_DOCX_CHARS = {_W + "tab": "\t", _W + "ptab": "\t", _W + "br": "\n", _W + "cr": "\n", _W + "noBreakHyphen": "-"}


class _DocxText:
    """Paragraphs of ``word/document.xml``: the text of ``w:t`` runs, tabs and breaks;
    deleted text, properties and compatibility fallbacks left out."""

    def __init__(self, units: Units) -> None:
        self.out = units
        self.skip = 0
        self.body = 0
        self.in_text = False
        self.open: list[_Open] = []
        self.changes = self.boxes = False

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if self.skip:
            self.skip += 1
            return
        if tag in _CHANGES:
            self.changes = True
        if tag in _DOCX_SKIP:
            self.skip = 1
        elif tag == _W + "body":
            self.body += 1
        elif not self.body or not (tag[:len(_W)] == _W):
            return
        elif tag == _W + "p":
            self.open.append(_Open([]))
        elif tag == _W + "t":
            self.in_text = True
        elif tag in _DOCX_CHARS:
            self.put(_DOCX_CHARS[tag])
        elif tag == _W + "txbxContent":
            self.boxes = True

    def put(self, text: str) -> None:
        if self.open:
            self.out.count(text)
            self.open[-1].pieces.append(text)

    def data(self, text: str) -> None:
        if self.in_text and not self.skip:
            self.put(text)

    def end(self, tag: str) -> None:
        if self.skip:
            self.skip -= 1
        elif tag == _W + "t":
            self.in_text = False
        elif tag == _W + "p" and self.body and self.open:
            done = self.open.pop()
            units = [unit_lines("".join(done.pieces)), *done.boxes]
            if self.open:  # a paragraph in a text box: after the paragraph the box is anchored in
                self.open[-1].boxes.extend(units)
            else:
                self.out.extend(units)
        elif tag == _W + "body":
            self.body -= 1

    def close(self) -> None:
        return None


class _MainPart:
    """The target of the package's officeDocument relationship."""

    def __init__(self) -> None:
        self.target: str | None = None

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if tag == _RELS and attrib.get("Type") == _MAIN and self.target is None:
            self.target = attrib.get("Target", "").lstrip("/")

    def end(self, tag: str) -> None:
        pass

    def data(self, text: str) -> None:
        pass

    def close(self) -> str | None:
        return self.target


def docx_units(path: object, warnings: list[str]) -> list[str]:
    """The units of a .docx file (see the module docstring); notes on tracked changes and
    text boxes go to ``warnings``."""
    units = Units(path, DOCX_FIX)
    with Archive(path, ".docx", DOCX_FIX) as archive:
        main = "word/document.xml"
        if archive.has("_rels/.rels"):
            main = archive.feed("_rels/.rels", _MainPart(), 1024 * 1024) or main
        if not archive.has(main):
            raise archive.damaged(f"{main} is missing")
        reader = _DocxText(units)
        archive.feed(main, reader)
    if reader.changes:
        warnings.append(f"{path}: contains tracked changes; the text was imported as if all changes were accepted.")
    if reader.boxes:
        warnings.append(f"{path}: text in text boxes was imported after the paragraph it is anchored to.")
    return units.units


# ---------------------------------------------------------------------------
# .odt

_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_FRAME = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}frame"
_ODT_SKIP = {_TEXT + name for name in (
    "note", "tracked-changes", "soft-page-break", "sequence-decls", "variable-decls", "user-field-decls",
    "table-of-content-source", "alphabetical-index-source", "illustration-index-source", "bibliography-source",
)} | {_OFFICE + "annotation", _OFFICE + "annotation-end"}
_MAX_ODT_SPACES = 1000
# Private markers for explicit whitespace while ODF's whitespace collapsing is applied;
# they cannot occur in XML text.
_SP, _TB, _NL = "\x01", "\x02", "\x03"
_ODT_CHARS = {_TEXT + "tab": _TB, _TEXT + "line-break": _NL}
_COLLAPSE_RE = re.compile(r"[ \t\r\n]+")


class _OdtText:
    """Paragraphs and headings of ``content.xml``, with ODF's whitespace rules: runs of
    spaces collapse to one, ``text:s``, ``text:tab`` and ``text:line-break`` are kept;
    notes, annotations and tracked deletions left out."""

    def __init__(self, units: Units) -> None:
        self.out = units
        self.skip = 0
        self.body = 0
        self.open: list[tuple[str, _Open]] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if self.skip:
            self.skip += 1
        elif tag in _ODT_SKIP:
            self.skip = 1
        elif tag == _OFFICE + "body":
            self.body += 1
        elif not self.body:
            return
        elif tag in (_TEXT + "p", _TEXT + "h"):
            self.open.append((tag, _Open([])))
        elif tag == _FRAME and self.open:  # its text is not the paragraph's; its paragraphs follow it
            self.open.append((tag, _Open(None)))
        elif tag == _TEXT + "s":
            try:
                count = int(attrib.get(_TEXT + "c", "1"))
            except ValueError:
                count = 1
            self.put(_SP * max(1, min(count, _MAX_ODT_SPACES)))
        elif tag in _ODT_CHARS:
            self.put(_ODT_CHARS[tag])

    def put(self, text: str) -> None:
        if self.open and self.open[-1][1].pieces is not None:
            self.out.count(text)
            self.open[-1][1].pieces.append(text)

    def data(self, text: str) -> None:
        if not self.skip:
            self.put(text)

    def end(self, tag: str) -> None:
        if self.skip:
            self.skip -= 1
            return
        if tag == _OFFICE + "body":
            self.body -= 1
        if not self.open or self.open[-1][0] != tag:
            return
        _tag, done = self.open.pop()
        if done.pieces is None:
            units = done.boxes
        else:
            raw = _COLLAPSE_RE.sub(" ", "".join(done.pieces))
            units = [unit_lines(raw.replace(_SP, " ").replace(_TB, "\t").replace(_NL, "\n")), *done.boxes]
        if self.open:
            self.open[-1][1].boxes.extend(units)
        else:
            self.out.extend(units)

    def close(self) -> None:
        return None


def odt_units(path: object) -> list[str]:
    """The units of an .odt file (see the module docstring)."""
    units = Units(path, ODT_FIX)
    with Archive(path, ".odt", ODT_FIX) as archive:
        if archive.has("mimetype"):
            mimetype = archive.read("mimetype", 4096)[:200].decode("ascii", "replace").strip()
            if mimetype != "application/vnd.oasis.opendocument.text":
                raise archive.damaged(f"it is a {mimetype!r} file, not a text document")
        if not archive.has("content.xml"):
            raise archive.damaged("content.xml is missing")
        archive.feed("content.xml", _OdtText(units))
    return units.units
