"""Read documents (.txt .md .docx .rtf .odt .vtt .srt) into normalised plain text.

The text returned by :func:`read_document` is exactly the text that gets stored:
segment offsets, paragraph offsets and line numbers all index into it.

Layout of converted formats (.docx, .odt, .rtf): each non-empty paragraph of the
source document becomes one paragraph of the text, and paragraphs are separated
by one blank line, so every source paragraph is a unit for coding. Empty source
paragraphs (spacing) are dropped. Line breaks inside a source paragraph are kept
as single newlines; blank lines inside a paragraph are removed and each line is
stripped of surrounding whitespace. Converted text has no trailing newline.
Plain text (.txt, .md) is stored as it is apart from newline normalisation.

Subtitles (.vtt, .srt) become one paragraph per speaker turn, ``Name: text``,
turns separated by a blank line (see :func:`_subtitle_text`).
"""

from __future__ import annotations

import hashlib
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from framework.errors import InputError
from framework.ingest.text import (
    Paragraph,
    decode,
    detect_speaker,
    normalise_newlines,
    paragraphs,
)

__all__ = [
    "MAX_BYTES",
    "MAX_UNCOMPRESSED",
    "SUPPORTED",
    "ReadResult",
    "check_size",
    "check_zip",
    "content_hash",
    "read_bytes",
    "read_document",
]

SUPPORTED = {".txt", ".md", ".docx", ".rtf", ".odt", ".vtt", ".srt"}
MAX_BYTES = 50 * 1024 * 1024

#: Largest total uncompressed size of a .docx/.odt/.xlsx archive.
MAX_UNCOMPRESSED = 200 * 1024 * 1024
#: Entries larger than MAX_RATIO_FLOOR bytes may not be compressed more than MAX_RATIO:1.
MAX_RATIO = 200
MAX_RATIO_FLOOR = 1024 * 1024
MAX_ZIP_ENTRIES = 10_000


@dataclass(frozen=True)
class ReadResult:
    """A document converted to stored text.

    ``text`` is normalised (``"\\n"`` line ends, no BOM); ``encoding`` is the
    detected encoding for text formats (``"utf-8"``, ``"utf-8-sig"``,
    ``"utf-16-le"``, ``"cp1252"``...), ``"utf-8"`` for .docx and .odt, and the
    declared ANSI code page for .rtf (``"cp1252"`` by default); ``format`` is the suffix without
    the dot; ``paragraphs`` is ``paragraphs(text)``; ``warnings`` are sentences to
    show the user (e.g. that the file was read as Windows-1252).
    """

    text: str
    encoding: str
    format: str
    paragraphs: list[Paragraph]
    warnings: list[str]


def content_hash(text: str) -> str:
    """SHA-256 (hex) of the normalised text encoded as UTF-8."""
    return hashlib.sha256(normalise_newlines(text).encode("utf-8")).hexdigest()


def _megabytes(size: int) -> str:
    """Size in MB with one decimal, rounded up so that a size over a limit never
    prints as equal to it; whole numbers without decimals ("50 MB")."""
    tenths = -(-size * 10 // (1024 * 1024))
    whole, part = divmod(tenths, 10)
    return f"{whole} MB" if part == 0 and size % (1024 * 1024) == 0 else f"{whole}.{part} MB"


def check_size(path: Path, limit: int = MAX_BYTES) -> int:
    """Return the size of ``path``; refuse missing files, folders and files over ``limit``."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError(f"{path}: file not found. Check the path and try again.") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}). Check the path and its permissions.") from None
    if not path.is_file():
        raise InputError(f"{path}: is a folder, not a file. Give the path of a file.")
    if st.st_size > limit:
        raise InputError(
            f"{path}: the file is {_megabytes(st.st_size)}; the limit is {_megabytes(limit)}. "
            "Split it into smaller files and import them separately."
        )
    return st.st_size


def read_bytes(path: Path, limit: int = MAX_BYTES) -> bytes:
    """Read the whole file after :func:`check_size`; OS errors become InputError."""
    check_size(path, limit)
    try:
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}). Check the file's permissions.") from None
    if len(data) > limit:  # grew since stat()
        raise InputError(
            f"{path}: the file is larger than {_megabytes(limit)}. "
            "Split it into smaller files and import them separately."
        )
    return data


def _damaged(path: Path, kind: str, why: str, fix: str) -> InputError:
    return InputError(f"{path}: not a valid {kind} file ({why}). {fix}")


_DRIVE_RE = re.compile(r"^[A-Za-z]:")


def _check_names(path: Path, infos: list[zipfile.ZipInfo], kind: str, fix: str) -> None:
    """Refuse entry names that could escape a folder if extracted (a real file has none)."""
    for info in infos:
        name = info.filename
        why = ("contains a backslash" if "\\" in name else
               "is an absolute path" if name.startswith("/") or _DRIVE_RE.match(name) else
               "points outside the archive's folder (..)" if ".." in name.split("/") else None)
        if why:
            raise InputError(
                f"{path}: refused because the archive entry {name!r} {why}, which a real {kind} "
                f"file never has. {fix}"
            )


def check_zip(path: Path, kind: str, fix: str) -> None:
    """Refuse damaged archives and archives that expand to too much data (zip bombs).

    ``kind`` is e.g. ``".docx"``; ``fix`` is the advice appended to messages.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            _check_names(path, infos, kind, fix)
            _check_sizes(path, infos, kind, fix)
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    with zf.open(info) as fh:
                        head = fh.read(4096)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise InputError(
                            f"{path}: refused because part {info.filename!r} declares a DTD or XML "
                            f"entities, which a real {kind} file does not. {fix}"
                        )
    except zipfile.BadZipFile:
        with path.open("rb") as fh:
            head = fh.read(8)
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            why = "it is an old binary Office file or a password-protected document, not a zip archive"
        else:
            why = "the zip archive is damaged"
        raise _damaged(path, kind, why, fix) from None
    except RuntimeError:  # zipfile: "File ... is encrypted, password required"
        raise _damaged(path, kind, "the archive is encrypted", fix) from None
    except (OSError, ValueError, EOFError, zlib.error, NotImplementedError) as exc:
        raise _damaged(path, kind, f"the zip archive cannot be read: {exc}", fix) from None


def _check_sizes(path: Path, infos: list[zipfile.ZipInfo], kind: str, fix: str) -> None:
    if len(infos) > MAX_ZIP_ENTRIES:
        raise _damaged(path, kind, f"the archive holds {len(infos)} entries", fix)
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InputError(
                f"{path}: refused because part {info.filename!r} expands from "
                f"{info.compress_size} bytes to {_megabytes(info.file_size)}, "
                f"which is not how a real {kind} file is compressed. {fix}"
            )
    if total > MAX_UNCOMPRESSED:
        raise InputError(
            f"{path}: refused because its contents expand to {_megabytes(total)}; "
            f"the limit is {_megabytes(MAX_UNCOMPRESSED)}. {fix}"
        )


def _unit_lines(raw: str) -> str:
    """One source paragraph as stored: lines stripped, blank lines removed."""
    lines = [line.strip() for line in normalise_newlines(raw).split("\n")]
    return "\n".join(line for line in lines if line)


def _join_units(units: list[str]) -> str:
    return "\n\n".join(u for u in units if u)


# ---------------------------------------------------------------------------
# .docx

_DOCX_FIX = "Re-save it from Word and import again."


def _docx_units(path: Path, warnings: list[str]) -> list[str]:
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.oxml.ns import qn

    check_zip(path, ".docx", _DOCX_FIX)
    try:
        document = docx.Document(str(path))
        body = document.element.body
    except (PackageNotFoundError, KeyError, zipfile.BadZipFile) as exc:
        raise _damaged(path, ".docx", f"a required part is missing: {exc}", _DOCX_FIX) from None
    except ValueError as exc:  # e.g. a .docm or another Office file renamed
        raise _damaged(path, ".docx", str(exc), _DOCX_FIX) from None
    except Exception as exc:  # lxml parse errors and other damage
        raise _damaged(path, ".docx", f"{type(exc).__name__}: {exc}", _DOCX_FIX) from None

    P, TBL, TR, TC = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
    SDT, SDT_CONTENT, CUSTOM_XML = qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")
    INS, DEL, MOVE_TO, MOVE_FROM = qn("w:ins"), qn("w:del"), qn("w:moveTo"), qn("w:moveFrom")
    T, TAB, PTAB, BR, CR = qn("w:t"), qn("w:tab"), qn("w:ptab"), qn("w:br"), qn("w:cr")
    NB_HYPHEN = qn("w:noBreakHyphen")
    PPR, RPR = qn("w:pPr"), qn("w:rPr")
    TXBX = qn("w:txbxContent")
    FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
    skip_inline = {DEL, MOVE_FROM, PPR, RPR, FALLBACK}

    units: list[str] = []
    flags = {"changes": False, "boxes": False}

    def inline(el, out: list[str], boxes: list) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str):  # comments, processing instructions
                continue
            if tag == T:
                out.append(child.text or "")
            elif tag in (TAB, PTAB):
                out.append("\t")
            elif tag in (BR, CR):
                out.append("\n")
            elif tag == NB_HYPHEN:
                out.append("-")
            elif tag in skip_inline:
                if tag in (DEL, MOVE_FROM):
                    flags["changes"] = True
            elif tag == TXBX:
                flags["boxes"] = True
                boxes.append(child)
            else:
                if tag in (INS, MOVE_TO):
                    flags["changes"] = True
                inline(child, out, boxes)

    wrappers = {SDT, SDT_CONTENT, CUSTOM_XML, INS, MOVE_TO}

    def unwrap(el, tag: str) -> Iterator:
        """Children of ``el`` with ``tag``, looking inside content controls."""
        for child in el:
            if child.tag == tag:
                yield child
            elif child.tag in wrappers:
                yield from unwrap(child, tag)

    def block(el) -> None:
        for child in el:
            tag = child.tag
            if tag == P:
                out: list[str] = []
                boxes: list = []
                inline(child, out, boxes)
                units.append(_unit_lines("".join(out)))
                for box in boxes:
                    block(box)
            elif tag == TBL:
                for row in unwrap(child, TR):
                    for cell in unwrap(row, TC):
                        block(cell)
            elif tag == SDT:
                for content in child.findall(SDT_CONTENT):
                    block(content)
            elif tag in (CUSTOM_XML, INS, MOVE_TO):
                if tag != CUSTOM_XML:
                    flags["changes"] = True
                block(child)
            elif tag in (DEL, MOVE_FROM):
                flags["changes"] = True

    try:
        block(body)
    except RecursionError:
        raise _damaged(path, ".docx", "its content is nested too deeply", _DOCX_FIX) from None
    if flags["changes"]:
        warnings.append(f"{path}: contains tracked changes; the text was imported as if all changes were accepted.")
    if flags["boxes"]:
        warnings.append(f"{path}: text in text boxes was imported after the paragraph it is anchored to.")
    return units


# ---------------------------------------------------------------------------
# .odt

_ODT_FIX = "Re-save it from LibreOffice or Word and import again."
_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_DRAW_NS = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
_MAX_ODT_SPACES = 1000

# Private markers for explicit whitespace while ODF's whitespace collapsing is applied;
# they cannot occur in XML text.
_SP, _TB, _NL = "\x01", "\x02", "\x03"
_COLLAPSE_RE = re.compile(r"[ \t\r\n]+")


def _odt_units(path: Path) -> list[str]:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    check_zip(path, ".odt", _ODT_FIX)
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "mimetype" in names:
                mimetype = zf.read("mimetype")[:200].decode("ascii", "replace").strip()
                if mimetype != "application/vnd.oasis.opendocument.text":
                    raise _damaged(path, ".odt", f"it is a {mimetype!r} file, not a text document", _ODT_FIX)
            if "content.xml" not in names:
                raise _damaged(path, ".odt", "content.xml is missing", _ODT_FIX)
            with zf.open("content.xml") as fh:
                xml = fh.read(MAX_UNCOMPRESSED + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError, zlib.error) as exc:
        raise _damaged(path, ".odt", f"the zip archive is damaged: {exc}", _ODT_FIX) from None
    if len(xml) > MAX_UNCOMPRESSED:
        raise InputError(f"{path}: refused because content.xml is larger than {_megabytes(MAX_UNCOMPRESSED)}.")
    try:
        root = fromstring(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise InputError(
            f"{path}: refused because part 'content.xml' declares a DTD or XML entities, "
            f"which a real .odt file does not. {_ODT_FIX}"
        ) from None
    except ParseError as exc:
        raise _damaged(path, ".odt", f"content.xml is not well-formed XML: {exc}", _ODT_FIX) from None

    t = lambda name: f"{{{_TEXT_NS}}}{name}"  # noqa: E731
    P, H, S, TAB, LINE_BREAK = t("p"), t("h"), t("s"), t("tab"), t("line-break")
    skip = {
        t("note"),
        t("tracked-changes"),
        t("soft-page-break"),
        f"{{{_OFFICE_NS}}}annotation",
        f"{{{_OFFICE_NS}}}annotation-end",
        t("sequence-decls"),
        t("variable-decls"),
        t("user-field-decls"),
        t("table-of-content-source"),
        t("alphabetical-index-source"),
        t("illustration-index-source"),
        t("bibliography-source"),
    }
    FRAME = f"{{{_DRAW_NS}}}frame"
    units: list[str] = []

    def inline(el: Element, out: list[str], frames: list[Element]) -> None:
        if el.text:
            out.append(el.text)
        for child in el:
            tag = child.tag
            if tag == S:
                try:
                    count = int(child.get(t("c"), "1"))
                except ValueError:
                    count = 1
                out.append(_SP * max(1, min(count, _MAX_ODT_SPACES)))
            elif tag == TAB:
                out.append(_TB)
            elif tag == LINE_BREAK:
                out.append(_NL)
            elif tag in skip:
                pass
            elif tag == FRAME:
                frames.append(child)
            else:
                inline(child, out, frames)
            if child.tail:
                out.append(child.tail)

    def block(el: Element) -> None:
        for child in el:
            tag = child.tag
            if tag in (P, H):
                out: list[str] = []
                frames: list[Element] = []
                inline(child, out, frames)
                raw = _COLLAPSE_RE.sub(" ", "".join(out))
                raw = raw.replace(_SP, " ").replace(_TB, "\t").replace(_NL, "\n")
                units.append(_unit_lines(raw))
                for frame in frames:
                    block(frame)
            elif tag in skip:
                pass
            else:  # body, office:text, sections, lists, tables, rows, cells, frames...
                block(child)

    bodies = root.findall(f"{{{_OFFICE_NS}}}body")
    try:
        for body in bodies:
            block(body)
    except RecursionError:
        raise _damaged(path, ".odt", "its content is nested too deeply", _ODT_FIX) from None
    return units


# ---------------------------------------------------------------------------
# .rtf

_RTF_FIX = "Re-save it as .rtf or .docx from your word processor and import again."
_RTF_LINE_RE = re.compile(r"(?<!\\)\\line(?![A-Za-z])(?:-?\d+)? ?")


def _rtf_units(path: Path, data: bytes) -> list[str]:
    from striprtf.striprtf import rtf_to_text

    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf"):
        raise _damaged(path, ".rtf", "it does not start with {\\rtf", _RTF_FIX)
    # RTF is 7-bit; 8-bit bytes, if any, are in the document's ANSI code page.
    source = data.decode("latin-1")
    # Both \par and \line come out as "\n"; mark soft line breaks (\line) as U+2028
    # so that only \par separates paragraphs.
    source = _RTF_LINE_RE.sub(r"{\\uc1\\u8232?}", source)
    try:
        raw = rtf_to_text(source, encoding="cp1252", errors="strict")
    except (UnicodeDecodeError, LookupError, ValueError, IndexError) as exc:
        raise _damaged(path, ".rtf", f"{type(exc).__name__}: {exc}", _RTF_FIX) from None
    # \uN escapes outside the BMP arrive as UTF-16 surrogate pairs: combine them.
    try:
        raw = raw.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:
        raise _damaged(path, ".rtf", "it contains a broken \\u character escape", _RTF_FIX) from None
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    return [_unit_lines(unit) for unit in raw.split("\n")]


# ---------------------------------------------------------------------------
# .vtt / .srt

_VOICE_TAG_RE = re.compile(r"<v(?:\.[^\s>]*)?(?:[ \t]+([^>]*))?>")
_OTHER_TAG_RE = re.compile(r"</?[A-Za-z][^<>]*>|<\d{1,2}:\d{2}[\d:.]*>|\{\\[^{}]*\}")
_VTT_ENTITIES = {
    "&amp;": "&",
    "&lt;": "<",
    "&gt;": ">",
    "&nbsp;": "\xa0",
    "&lrm;": "\u200e",
    "&rlm;": "\u200f",
    "&quot;": '"',
    "&apos;": "'",
}
_ENTITY_RE = re.compile("|".join(map(re.escape, _VTT_ENTITIES)))
_WS_RE = re.compile(r"\s+")


def _blocks(lines: list[str]) -> Iterator[list[str]]:
    block: list[str] = []
    for line in lines:
        if line.strip():
            block.append(line.strip())
        elif block:
            yield block
            block = []
    if block:
        yield block


def _cue_segments(payload: list[str], vtt: bool) -> list[tuple[str | None, str]]:
    """Split one cue's text into (speaker or None, text) pieces."""
    raw = "\n".join(payload)
    pieces: list[tuple[str | None, str]] = []
    if vtt:
        pos = 0
        speaker: str | None = None
        for m in _VOICE_TAG_RE.finditer(raw):
            pieces.append((speaker, raw[pos : m.start()]))
            speaker = _WS_RE.sub(" ", m.group(1) or "").strip() or None
            pos = m.end()
        pieces.append((speaker, raw[pos:]))
    else:
        pieces.append((None, raw))

    segments: list[tuple[str | None, str]] = []
    for speaker, chunk in pieces:
        chunk = _OTHER_TAG_RE.sub("", chunk)
        if vtt:
            chunk = _ENTITY_RE.sub(lambda m: _VTT_ENTITIES[m.group()], chunk)
        if speaker is not None:
            segments.append((speaker, _WS_RE.sub(" ", chunk).strip()))
            continue
        # No voice tag: a line beginning "Name: " starts a turn.
        for line in chunk.split("\n"):
            line = _WS_RE.sub(" ", line).strip()
            if not line:
                continue
            found = detect_speaker(line)
            if found is not None:
                name, end = found
                segments.append((name, line[end:].strip()))
            else:
                segments.append((None, line))
    return segments


def _label(name: str) -> str:
    """The label that makes :func:`paragraphs` find ``name`` again."""
    for label in (f"{name}:", f"[{name}]:"):
        found = detect_speaker(label + " x")
        if found is not None and found[0] == name:
            return label
    return f"[{name.replace('[', '(').replace(']', ')')}]:"


def _subtitle_text(text: str, vtt: bool) -> tuple[str, int]:
    """Turn subtitle cues into speaker turns; return (text, number of cues).

    Dropped: the WEBVTT header, cue numbers and identifiers, timing lines,
    NOTE/STYLE/REGION blocks, and inline tags other than voice tags. A speaker
    comes from ``<v Name>`` or from ``Name:`` at the start of a cue line. A cue
    without a speaker continues the current turn; before the first speaker each
    such cue is its own paragraph. Consecutive cues by the same speaker are joined
    with spaces into one turn, written ``Name: text`` (``[Name]: text`` when the
    name would not be recognised as a label otherwise); turns are separated by a
    blank line. A block without a timing line after the first cue continues the
    previous cue's text.
    """
    lines = normalise_newlines(text).split("\n")
    turns: list[tuple[str | None, list[str]]] = []
    cues = 0
    first = True
    for block in _blocks(lines):
        if first:
            first = False
            if vtt and block[0].startswith("WEBVTT"):
                block = block[1:]
        if not block:
            continue
        head = block[0]
        if vtt and re.match(r"(NOTE|STYLE|REGION)(\s|$)", head):
            continue
        timing = next((i for i, line in enumerate(block) if "-->" in line), None)
        if timing is None:
            if cues == 0 or (len(block) == 1 and block[0].isdigit()):
                continue
            payload = block
        else:
            cues += 1
            payload = block[timing + 1 :]
        for speaker, seg in _cue_segments(payload, vtt):
            current = turns[-1][0] if turns else None
            if current is not None and (speaker is None or speaker == current):
                turns[-1][1].append(seg)
            elif speaker is not None or seg:
                # A label without text still starts a turn: the next line belongs to it.
                turns.append((speaker, [seg]))
    out = []
    for speaker, texts in turns:
        body = " ".join(t for t in texts if t)
        if body:
            out.append(body if speaker is None else f"{_label(speaker)} {body}")
    return "\n\n".join(out), cues


# ---------------------------------------------------------------------------


def read_document(path: Path) -> ReadResult:
    """Read a document and convert it to the text that will be stored.

    Raises :class:`InputError` naming the file for unsupported suffixes, files over
    :data:`MAX_BYTES`, damaged or suspicious archives, undecodable or binary text,
    and documents without any text.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise InputError(
            f"{path}: cannot import {suffix or 'files without a suffix'}. "
            f"Supported: {', '.join(sorted(SUPPORTED))}. Save the document in one of these formats."
        )
    fmt = suffix[1:]
    warnings: list[str] = []
    encoding = "utf-8"
    src = str(path)

    if suffix in (".txt", ".md", ".vtt", ".srt"):
        data = read_bytes(path)
        decoded, encoding = decode(data, src)
        if encoding == "cp1252":
            warnings.append(
                f"{path}: is not UTF-8; it was read as Windows-1252 (cp1252). "
                "Check that accented letters and quotes look right."
            )
        if suffix in (".vtt", ".srt"):
            text, cues = _subtitle_text(decoded, vtt=suffix == ".vtt")
            if cues == 0:
                raise InputError(
                    f"{path}: contains no subtitle cues (no lines with '-->' timings). "
                    f"Check that it is a {suffix} file."
                )
        else:
            text = normalise_newlines(decoded)
    elif suffix == ".rtf":
        data = read_bytes(path)
        if not data.strip():
            raise InputError(f"{path} is empty (0 bytes). Check that you chose the right file.")
        text = _join_units(_rtf_units(path, data))
        m = re.search(rb"\\ansicpg(\d+)", data[:4096])
        encoding = f"cp{int(m.group(1))}" if m else "cp1252"
    else:
        check_size(path)
        units = _docx_units(path, warnings) if suffix == ".docx" else _odt_units(path)
        text = _join_units(units)

    if not text.strip():
        raise InputError(f"{path}: contains no text. Check that you chose the right file.")
    return ReadResult(
        text=text,
        encoding=encoding,
        format=fmt,
        paragraphs=paragraphs(text),
        warnings=warnings,
    )
