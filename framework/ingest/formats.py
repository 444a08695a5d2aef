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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from framework.errors import InputError
from framework.ingest.archives import megabytes
from framework.ingest.office import MAX_PARAGRAPHS, docx_units, odt_units, unit_lines
from framework.ingest.text import (
    Paragraph,
    count_paragraphs,
    decode,
    detect_speaker,
    normalise_newlines,
    paragraphs,
)

__all__ = [
    "MAX_BYTES",
    "SUPPORTED",
    "ReadResult",
    "check_size",
    "content_hash",
    "read_bytes",
    "read_document",
]

SUPPORTED = {".txt", ".md", ".docx", ".rtf", ".odt", ".vtt", ".srt"}
MAX_BYTES = 50 * 1024 * 1024


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
            f"{path}: the file is {megabytes(st.st_size)}; the limit is {megabytes(limit)}. "
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
            f"{path}: the file is larger than {megabytes(limit)}. "
            "Split it into smaller files and import them separately."
        )
    return data


def _damaged(path: Path, kind: str, why: str, fix: str) -> InputError:
    return InputError(f"{path}: not a valid {kind} file ({why}). {fix}")


def _join_units(units: list[str]) -> str:
    return "\n\n".join(u for u in units if u)


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
    return [unit_lines(unit) for unit in raw.split("\n")]


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
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        shown = str(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        raise InputError(f"{shown}: the file name is not UTF-8 text, so it cannot name a document. "
                         "Rename the file and import it again.") from None
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
        units = docx_units(path, warnings) if suffix == ".docx" else odt_units(path)
        text = _join_units(units)
        del units

    if not text.strip():
        raise InputError(f"{path}: contains no text. Check that you chose the right file.")
    if count_paragraphs(text, MAX_PARAGRAPHS + 1) > MAX_PARAGRAPHS:
        raise InputError(
            f"{path}: refused because it has more than {MAX_PARAGRAPHS:,} paragraphs, the limit for one "
            "document. Split it into smaller files and import them separately."
        )
    return ReadResult(
        text=text,
        encoding=encoding,
        format=fmt,
        paragraphs=paragraphs(text),
        warnings=warnings,
    )
