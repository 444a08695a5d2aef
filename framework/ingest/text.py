"""Plain-text primitives: decoding, newline normalisation, paragraphs and line numbers.

Every document is stored as one normalised string. Offsets (segment starts and ends,
paragraph boundaries) index into that string, and line numbers ("L120-128") count
``"\\n"``-separated lines of it, starting at 1.

Normalised text contains ``"\\n"`` as its only line separator, so that
``"\\n".join(text.splitlines())`` gives back the same lines the editor shows.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from framework.errors import InputError

__all__ = [
    "Paragraph",
    "count_paragraphs",
    "decode",
    "detect_speaker",
    "line_of",
    "line_span",
    "line_starts",
    "normalise_newlines",
    "paragraphs",
]

# ---------------------------------------------------------------------------
# Newlines

#: Every character other than "\n" that ``str.splitlines()`` treats as a line end.
LINE_BREAKS = "\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_BOM = "\ufeff"


def normalise_newlines(text: str) -> str:
    """Return ``text`` with one kind of line end, ``"\\n"``, and no leading BOM.

    CRLF and CR become ``"\\n"``, as do the other characters ``str.splitlines()``
    splits on (``\\v \\f \\x1c \\x1d \\x1e \\x85 \\u2028 \\u2029``). Everything else
    (tabs, non-ASCII and right-to-left text, other control characters) is kept.
    The function is idempotent.
    """
    if text.startswith(_BOM):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    for ch in LINE_BREAKS[1:]:
        # ``in`` is a fast scan; most texts contain none of these characters.
        if ch in text:
            text = text.replace(ch, "\n")
    return text


# ---------------------------------------------------------------------------
# Decoding

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_LE_BOM = b"\xff\xfe"
_UTF16_BE_BOM = b"\xfe\xff"
_UTF32_LE_BOM = b"\xff\xfe\x00\x00"
_UTF32_BE_BOM = b"\x00\x00\xfe\xff"

# Control bytes that do not occur in ordinary text (tab, LF, VT, FF, CR are allowed).
_CONTROL_BYTES = bytes(b for b in range(0x20) if b not in (0x09, 0x0A, 0x0B, 0x0C, 0x0D))
_NOT_CONTROL_BYTES = bytes(b for b in range(256) if b not in _CONTROL_BYTES)
_CONTROL_CHARS_RE = re.compile("[\x00-\x08\x0e-\x1f]")

# A well-formed UTF-8 sequence of two or more bytes.
_UTF8_MULTIBYTE_RE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]"
    rb"|\xe0[\xa0-\xbf][\x80-\xbf]"
    rb"|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}"
    rb"|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)

_RESAVE = "Re-save it as UTF-8 text and import again."


def _line_at(data: bytes, offset: int) -> int:
    """1-based line number of byte ``offset`` (LF, CRLF or CR line ends)."""
    head = data[:offset]
    lf = head.count(b"\n")
    return lf + head.count(b"\r") - head.count(b"\r\n") + 1


def _binary_error(source: str) -> InputError:
    return InputError(
        f"{source}: looks like a binary file, not text. "
        "Choose a plain-text file (or save the document as .txt or .docx) and import again."
    )


def _too_many_controls(count: int, length: int) -> bool:
    # A few stray control characters are tolerated; more than 1 in 100 characters is not text.
    return count > 2 and count * 100 > length


def _check_text_bytes(data: bytes, source: str) -> None:
    """Refuse 8-bit data that is clearly not text (NUL bytes, many control bytes)."""
    if b"\x00" in data:
        raise _binary_error(source)
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if _too_many_controls(controls, len(data)):
        raise _binary_error(source)


def _check_text_chars(text: str, source: str) -> None:
    if "\x00" in text:
        raise _binary_error(source)
    controls = sum(1 for _ in _CONTROL_CHARS_RE.finditer(text))
    if _too_many_controls(controls, len(text)):
        raise _binary_error(source)


def _guess_bomless_utf16(data: bytes) -> str | None:
    """Recognise UTF-16 without a byte order mark by its pattern of zero bytes."""
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[:8192]
    half = len(sample) // 2
    even_zero = sample[0::2].count(0)
    odd_zero = sample[1::2].count(0)
    if odd_zero >= 0.3 * half and even_zero <= 0.02 * half:
        return "utf-16-le"
    if even_zero >= 0.3 * half and odd_zero <= 0.02 * half:
        return "utf-16-be"
    return None


def _decode_unicode(data: bytes, encoding: str, skip: int, source: str) -> str:
    try:
        return data[skip:].decode(encoding)
    except UnicodeDecodeError as exc:
        offset = exc.start + skip
        raise InputError(
            f"{source}: not valid {encoding.upper()} text "
            f"(bad bytes at byte offset {offset}, line {_line_at(data, offset)}). {_RESAVE}"
        ) from None


def decode(data: bytes, source: str) -> tuple[str, str]:
    """Decode file bytes to text; return ``(text, encoding)``.

    ``source`` names the file in error messages. Recognised, in this order:

    * a byte order mark: UTF-32 LE/BE, UTF-8 (``"utf-8-sig"``), UTF-16 LE/BE;
    * UTF-16 without a byte order mark, recognised by its zero bytes;
    * UTF-8 (``"utf-8"``);
    * Windows-1252 (``"cp1252"``), only when the data is not UTF-8, contains no
      well-formed UTF-8 sequence at all (so a damaged UTF-8 file is never turned
      into mojibake) and every byte is defined in Windows-1252.

    The byte order mark is removed; newlines are left as they are (see
    :func:`normalise_newlines`). Raises :class:`InputError` for empty or
    whitespace-only data, binary data (NUL bytes outside UTF-16/32, or more than
    two control characters making up over 1% of the text), and bytes that fit none of these encodings (naming
    the byte offset and line). Never returns U+FFFD for undecodable bytes.
    """
    if not data:
        raise InputError(f"{source} is empty (0 bytes). Check that you chose the right file.")

    text: str
    encoding: str
    if data.startswith(_UTF32_LE_BOM) or data.startswith(_UTF32_BE_BOM):
        encoding = "utf-32-le" if data.startswith(_UTF32_LE_BOM) else "utf-32-be"
        text = _decode_unicode(data, encoding, 4, source)
        _check_text_chars(text, source)
    elif data.startswith(_UTF8_BOM):
        encoding = "utf-8-sig"
        text = _decode_unicode(data, "utf-8", 3, source)
        _check_text_bytes(data, source)
    elif data.startswith(_UTF16_LE_BOM) or data.startswith(_UTF16_BE_BOM):
        encoding = "utf-16-le" if data.startswith(_UTF16_LE_BOM) else "utf-16-be"
        text = _decode_unicode(data, encoding, 2, source)
        _check_text_chars(text, source)
    elif b"\x00" in data:
        guessed = _guess_bomless_utf16(data)
        if guessed is None:
            raise _binary_error(source)
        try:
            text = data.decode(guessed)
        except UnicodeDecodeError:
            raise _binary_error(source) from None
        encoding = guessed
        _check_text_chars(text, source)
    else:
        _check_text_bytes(data, source)
        try:
            text = data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError as exc:
            offset = exc.start
            line = _line_at(data, offset)
            if _UTF8_MULTIBYTE_RE.search(data):
                raise InputError(
                    f"{source}: mixes UTF-8 with another encoding "
                    f"(invalid UTF-8 byte 0x{data[offset]:02X} at byte offset {offset}, "
                    f"line {line}). {_RESAVE}"
                ) from None
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError as exc2:
                offset = exc2.start
                raise InputError(
                    f"{source}: is neither UTF-8 nor Windows-1252 text "
                    f"(byte 0x{data[offset]:02X} at byte offset {offset}, "
                    f"line {_line_at(data, offset)}). {_RESAVE}"
                ) from None
            encoding = "cp1252"

    if text.startswith(_BOM):  # BOM-less UTF-16 guess or a doubled BOM
        text = text[1:]
    if not text.strip():
        raise InputError(f"{source} is empty (it contains only whitespace). Check that you chose the right file.")
    return text, encoding


# ---------------------------------------------------------------------------
# Line numbers


def line_starts(text: str) -> list[int]:
    """Offsets at which each line of normalised ``text`` starts (``[0, ...]``)."""
    lengths = text.split("\n")
    starts = [0]
    starts.extend(accumulate(len(line) + 1 for line in lengths))
    starts.pop()  # the entry past the end of the last line
    return starts


def line_of(offset: int, starts: list[int]) -> int:
    """1-based line number of character ``offset``, given ``line_starts(text)``.

    An offset pointing at a ``"\\n"`` belongs to the line that newline ends; an offset
    equal to ``len(text)`` belongs to the last line.
    """
    return bisect_right(starts, offset)


def line_span(start: int, end: int, starts: list[int]) -> tuple[int, int]:
    """1-based first and last line of the span ``text[start:end]`` (``end`` exclusive)."""
    first = line_of(start, starts)
    last = line_of(max(start, end - 1), starts)
    return first, last


# ---------------------------------------------------------------------------
# Speaker labels

# Words that end in a colon at the start of a paragraph without naming a speaker:
# header fields, notes, sentence openers and bracketed transcription annotations.
_NOT_SPEAKERS = frozenset(
    phrase.strip()
    for phrase in """
    note, notes, nb, n.b, ps, p.s, please note, e.g, i.e, eg, ie, example, for example,
    tip, warning, important, update, edit, so, well, yes, no, and, but, or, then, also,
    however, because, ok, okay,
    date, time, location, place, venue, setting, site, duration, length, start, end,
    start time, end time, total, total time, recorded, recording, audio, video, file,
    filename, file name, transcript, transcription, transcribed by, transcriber,
    interview, interview date, interview time, interview no, interview number,
    interview id, subject, re, title, topic, topics, summary, project, study, mode,
    format, language, version, page, source, comment, comments, context, background,
    keywords, key words, attendees, present, absent, apologies, agenda, action, actions,
    aim, aims, purpose, objective, objectives, theme, themes, code, codes, category,
    definition, memo, consent, gender, sex, age, role, occupation, ethnicity, education,
    id,
    inaudible, unclear, indistinct, unintelligible, laughs, laughter, laughing, pause,
    long pause, crosstalk, cross talk, cross-talk, silence, music, applause, noise,
    background noise, sighs, sigh, coughs, cough, coughing, clears throat, overlapping,
    overlap, interruption, interrupted, sic, redacted, name, name redacted,
    organisation, organization, break, phone rings, end of recording,
    end of interview, recording ends, recording stopped, recording starts, crying,
    cries, chuckles, smiles, nods, shrugs, emphasis
    """.split(",")
)

# Roles accepted in any letter case ("interviewer:" as well as "Interviewer:").
_ROLES = frozenset(
    "interviewer interviewee respondent participant facilitator moderator researcher "
    "speaker student teacher patient doctor nurse parent child carer client".split()
)
# Lower-case name particles allowed inside a name ("Ludwig van Beethoven").
_PARTICLES = frozenset("de da di do dos das du del della der den van von ter ten la le el al bin ibn".split())

_WORD = r"[^\W\d_][\w'’.\-]{0,24}"
_NEXT_WORD = r"[\w'’.\-]{1,25}"
_NAME = rf"{_WORD}(?:[ \t]+{_NEXT_WORD}){{0,3}}"
_TIME = r"[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?[\])]?"
_AFTER = r"(?=[ \t]|\n|\Z)"

_VOICE_RE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+([^>\n]{1,80})>")
# An ASCII colon must be followed by a space or the end of the line; a full-width
# colon (Chinese, Japanese) is followed directly by text.
_COLON = rf"(?::{_AFTER}|：)"
_COLON_RE = re.compile(rf"(?:{_TIME}[ \t]+)?({_NAME})[ \t]*{_COLON}")
_BRACKET_RE = re.compile(rf"(?:{_TIME}[ \t]+)?\[([^\[\]\n]{{1,60}})\](?:([ \t]*{_COLON})|{_AFTER})")
_NAME_TIME_RE = re.compile(rf"({_NAME})[ \t]+{_TIME}[ \t]*(?=\n|\Z)")
_SPACES_RE = re.compile(r"\s+")


def _word_ok(word: str, first: bool, last: bool) -> bool:
    c = word[0]
    if c.isupper():
        return True
    if c.isdigit():
        return not first
    if not c.islower():  # a letter from a script without case (Arabic, Hebrew, CJK...)
        return c.isalpha()
    return (not first and not last and word in _PARTICLES) or (first and last and word.rstrip(".") in _ROLES)


@lru_cache(maxsize=4096)
def _is_name(label: str) -> bool:
    """True if ``label`` looks like a speaker name or role (1-4 words)."""
    words = label.split()
    if not 1 <= len(words) <= 4:
        return False
    if label.lower().rstrip(".") in _NOT_SPEAKERS:
        return False
    if len(words) > 1 and words[0].lower().rstrip(".") in _ROLES:
        # "Participant 3", "Speaker Two"
        return all(w[0].isupper() or w[0].isdigit() for w in words[1:])
    last = len(words) - 1
    return all(_word_ok(w, i == 0, i == last) for i, w in enumerate(words))


@lru_cache(maxsize=4096)
def _clean(label: str) -> str:
    return _SPACES_RE.sub(" ", label).strip()


def detect_speaker(text: str, pos: int = 0) -> tuple[str, int] | None:
    """Recognise a speaker label at ``text[pos:]``; return ``(speaker, label_end)``.

    ``label_end`` is the offset just past the label (after its colon or closing
    bracket, before the space that follows). Recognised labels, each optionally
    preceded by a timestamp such as ``[00:01:23]``:

    * ``<v Name>`` (WebVTT voice tag);
    * ``Name:`` -- one to four words, each capitalised or in capitals, or digits
      after the first word (``Interviewer:``, ``INTERVIEWER:``, ``P01:``,
      ``Dr Smith:``, ``Participant 3:``, ``Q:``, ``A:``); roles such as
      ``interviewer:`` in any case; not header fields (``Date:``, ``Note:``) or
      sentences (``The problem was this: ...``);
    * ``[Name]`` followed by text on the same line, or ``[Any name]:`` with a colon
      (not transcription notes such as ``[Laughs]``, ``[inaudible]``);
    * ``Name 00:03`` alone on a line (transcription services' turn headers).
    """
    first = text[pos : pos + 1]
    if not first or first.isspace():
        return None
    if first == "<":
        m = _VOICE_RE.match(text, pos)
        if m:
            name = _clean(m.group(1))
            if name:
                return name, m.end()
        return None
    m = _BRACKET_RE.match(text, pos) if first in "[(" or first.isdigit() else None
    if m:
        name = _clean(m.group(1))
        lowered = name.lower().rstrip(".")
        if name and lowered not in _NOT_SPEAKERS:
            if m.group(2) and any(ch.isalpha() for ch in name):
                return name, m.end()
            if _is_name(name):
                return name, m.end()
    m = _COLON_RE.match(text, pos)
    if m and _is_name(m.group(1)):
        return _clean(m.group(1)), m.end()
    m = _NAME_TIME_RE.match(text, pos)
    if m and _is_name(m.group(1)):
        return _clean(m.group(1)), m.end()
    return None


# ---------------------------------------------------------------------------
# Paragraphs


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One unit of a document: a maximal run of non-blank lines.

    ``text[start:end]`` is the paragraph without leading or trailing whitespace:
    it begins at the first non-blank character of its first line and ends after the
    last non-blank character of its last line (no trailing newline).

    ``speaker`` is the label found at the start of this paragraph, else the speaker
    of the previous paragraph (a turn split over several paragraphs), else None
    (paragraphs before the first label, e.g. a header).

    ``label_end`` is the offset where this paragraph's own label ends
    (``text[start:label_end]`` is the label, e.g. ``"Interviewer:"``), or None when
    the paragraph has no label of its own (speaker inherited or unknown).
    """

    start: int
    end: int
    speaker: str | None
    label_end: int | None = None


# A run of lines each containing a non-whitespace character. Possessive quantifiers
# keep the scan linear.
_PARAGRAPH_RE = re.compile(r"^[^\S\n]*+\S[^\n]*+(?:\n[^\S\n]*+\S[^\n]*+)*+", re.MULTILINE)


def count_paragraphs(text: str, stop_at: int | None = None) -> int:
    """How many paragraphs :func:`paragraphs` would find in ``text``, counting no further
    than ``stop_at``; nothing is kept, so a text of millions of tiny paragraphs can be
    refused before they are made."""
    count = 0
    for _ in _PARAGRAPH_RE.finditer(text):
        count += 1
        if stop_at is not None and count >= stop_at:
            break
    return count


def paragraphs(text: str) -> list[Paragraph]:
    """Split normalised ``text`` into paragraphs with speakers (see :class:`Paragraph`).

    ``text`` must use ``"\\n"`` line ends only (see :func:`normalise_newlines`).
    Runs in time linear in ``len(text)``.
    """
    result: list[Paragraph] = []
    speaker: str | None = None
    for m in _PARAGRAPH_RE.finditer(text):
        start, end = m.start(), m.end()
        while text[start].isspace():
            start += 1
        while text[end - 1].isspace():
            end -= 1
        found = detect_speaker(text, start)
        if found is not None:
            speaker, label_end = found
            result.append(Paragraph(start, end, speaker, min(label_end, end)))
        else:
            result.append(Paragraph(start, end, speaker, None))
    return result
