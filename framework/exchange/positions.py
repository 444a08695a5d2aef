"""Which counting a REFI-QDA file's selection positions use, found from how well each fits.

The standard says ``startPosition``/``endPosition`` count characters, but programs count
differently: NVivo counts UTF-16 code units over the source text as written in the
archive (a CRLF line end is two), QualCoder, ATLAS.ti and this program count code points
over text whose line ends are one character, and some libraries count bytes of UTF-8.
Each *reading* (a unit and a way of counting line ends) maps a position to a place in
the stored, newline-normalised text, or to nothing (past the end, or inside a character).

A reading is judged per source on its selections: how many ends fall on word boundaries
(people select words; misread positions cut words in half) and, where the file carries
the selected text (a selection's ``name``, as QualCoder and ATLAS.ti write it, or its
``Description``), how many selections it reproduces. The best reading is used; a source
whose selections fit no reading is refused rather than imported misplaced.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

CHUNK = 256
SAMPLE = 4000
MIN_FIT = 0.75
"""The share of selection ends that must fall on word boundaries (or of quotes that must
match) for a reading to fit; a source with fewer than 6 ends needs half."""


@dataclass(frozen=True)
class Reading:
    """A way of counting positions: ``unit`` and how line ends count."""

    unit: str  # "code points" | "UTF-16 code units" | "UTF-8 bytes"
    line_ends: str  # "one character" | "as written" | "two characters"

    def describe(self) -> str:
        ends = {"one character": "line ends as one character",
                "as written": "line ends as written in the file (CRLF as two)",
                "two characters": "every line end as two"}[self.line_ends]
        return f"{self.unit}, {ends}"


STANDARD = Reading("code points", "one character")
ASTRAL = re.compile("[\U00010000-\U0010FFFF]")
"""Characters that UTF-16 writes as two code units (emoji and the like)."""


@dataclass(frozen=True)
class SelectionSpan:
    """One selection's positions and any text the file gives for it."""

    start: int
    end: int
    quotes: tuple[str, ...] = ()


@dataclass
class Fit:
    """How well one reading fits a source's selections."""

    reading: Reading
    selections: int = 0
    placed: int = 0
    boundaries: int = 0
    quoted: int = 0
    quotes: int = 0

    @property
    def ends(self) -> int:
        return 2 * self.placed

    @property
    def share(self) -> float:
        if self.quoted:
            return self.quotes / self.quoted
        return self.boundaries / self.ends if self.ends else 0.0

    @property
    def fits(self) -> bool:
        if self.quoted:
            return self.share >= MIN_FIT
        if not self.ends:
            return self.selections == 0
        return self.share >= (MIN_FIT if self.ends >= 6 else 0.5)

    def key(self) -> tuple[int, int, int]:
        return self.quotes, self.boundaries, self.placed

    def describe(self) -> str:
        parts = [f"{self.boundaries} of {self.ends} selection ends on word boundaries"]
        if self.quoted:
            parts.insert(0, f"{self.quotes} of {self.quoted} quoted selections match their text")
        if self.placed < self.selections:
            parts.append(f"{self.selections - self.placed} outside the text")
        return "; ".join(parts)


@dataclass
class Choice:
    """The reading chosen for a source, how well it fits, and how the others did."""

    reading: Reading
    fit: Fit
    others: list[Fit]
    mapper: Callable[[int], int | None]
    trusted: bool = False
    """The file says how it counts (it was written by this program)."""

    @property
    def refused(self) -> bool:
        return not self.trusted and not self.fit.fits

    def describe(self) -> str:
        text = f"positions read as {self.reading.describe()}: {self.fit.describe()}"
        runner = next((f for f in self.others if f.reading != self.reading), None)
        if runner is not None:
            text += f" (next best, {runner.reading.describe()}: {runner.boundaries} of {runner.ends})"
        return text


def boundary(text: str, p: int) -> bool:
    """Whether ``p`` falls between words (not between two letters or digits)."""
    return p <= 0 or p >= len(text) or not (text[p - 1].isalnum() and text[p].isalnum())


# -- mapping positions ------------------------------------------------------------------------------


class _Units:
    """Unit offsets (UTF-16 units or UTF-8 bytes) into ``text`` to character indices."""

    def __init__(self, text: str, encoding: str, width: int) -> None:
        self.text, self.encoding, self.width = text, encoding, width
        self.prefix = [0]
        for i in range(0, len(text), CHUNK):
            self.prefix.append(self.prefix[-1] + self._units(text[i:i + CHUNK]))

    def _units(self, piece: str) -> int:
        return len(piece.encode(self.encoding)) // self.width

    def __call__(self, u: int) -> int | None:
        if u < 0 or u > self.prefix[-1]:
            return None
        k = bisect.bisect_right(self.prefix, u) - 1
        base, want = k * CHUNK, u - self.prefix[k]
        lo, hi = 0, min(CHUNK, len(self.text) - base)
        while lo <= hi:  # the number of characters whose units add up to ``want``
            mid = (lo + hi) // 2
            got = self._units(self.text[base:base + mid])
            if got == want:
                return base + mid
            if got < want:
                lo = mid + 1
            else:
                hi = mid - 1
        return None  # inside a character


def _crlf_to_stored(reference: str) -> Callable[[int], int | None]:
    """Indices into ``reference`` (CRLF as two characters) to indices into the stored text."""
    crs = [i for i in _find_all(reference, "\r\n")]

    def convert(i: int) -> int | None:
        if i < 0 or i > len(reference):
            return None
        k = bisect.bisect_left(crs, i)
        if k and crs[k - 1] == i - 1:  # between CR and LF: after the line end
            return i - k + 1
        return i - k

    return convert


def _find_all(text: str, needle: str) -> list[int]:
    out, at = [], text.find(needle)
    while at != -1:
        out.append(at)
        at = text.find(needle, at + 1)
    return out


def readings(raw: str, text: str) -> list[tuple[Reading, Callable[[int], int | None]]]:
    """Every distinct reading of positions for a source whose archive text is ``raw``
    (decoded, line ends as written) and whose stored text is ``text``."""
    references: list[tuple[str, str, Callable[[int], int | None] | None]] = [("one character", text, None)]
    written = raw[1:] if raw.startswith("\ufeff") else raw
    if "\r\n" in written:
        references.append(("as written", written, _crlf_to_stored(written)))
    doubled_len = len(text) + text.count("\n")
    if "\n" in text and doubled_len != len(written):
        doubled = text.replace("\n", "\r\n")
        references.append(("two characters", doubled, _crlf_to_stored(doubled)))
    out = []
    astral = ASTRAL.search(text) is not None
    ascii_only = text.isascii()
    for ends, reference, to_stored in references:
        units: list[tuple[str, Callable[[int], int | None]]] = [
            ("code points", lambda p, n=len(reference): p if 0 <= p <= n else None)]
        if astral:
            units.append(("UTF-16 code units", _Units(reference, "utf-16-le", 2)))
        if not ascii_only:
            units.append(("UTF-8 bytes", _Units(reference, "utf-8", 1)))
        for unit, to_index in units:
            out.append((Reading(unit, ends), _compose(to_index, to_stored)))
    return out


def _compose(first: Callable[[int], int | None], then: Callable[[int], int | None] | None
             ) -> Callable[[int], int | None]:
    if then is None:
        return first

    def mapped(p: int) -> int | None:
        i = first(p)
        return None if i is None else then(i)

    return mapped


# -- judging readings -------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(text.split())


def quote_matches(found: str, quote: str) -> bool:
    """Whether the selected text ``found`` is the text the file gives (``quote``), allowing
    for whitespace and for a quote cut short (ending in an ellipsis or at 20+ characters)."""
    q = _norm(quote)
    cut = q.endswith(("…", "..."))
    q = q.rstrip("….").rstrip() if cut else q
    if len(q) < 3:
        return False
    f = _norm(found)
    return f == q or (len(q) >= 20 and f.startswith(q))


def judge(text: str, spans: Sequence[SelectionSpan], reading: Reading,
          mapper: Callable[[int], int | None]) -> Fit:
    fit = Fit(reading, selections=len(spans))
    for span in spans:
        s, e = mapper(span.start), mapper(span.end)
        if s is None or e is None or s >= e or e > len(text):
            continue
        fit.placed += 1
        fit.boundaries += boundary(text, s) + boundary(text, e)
        if span.quotes and any(quote_matches(text[s:e], q) for q in span.quotes):
            fit.quotes += 1
    return fit


def choose(raw: str, text: str, spans: Sequence[SelectionSpan], *, trusted: Reading | None = None) -> Choice:
    """The reading that fits ``spans`` best (see the module). ``trusted`` is used as it is
    (a file this program wrote says how it counts)."""
    options = readings(raw, text)
    sample = list(spans)
    if len(sample) > SAMPLE:
        step = len(sample) / SAMPLE
        sample = [sample[int(i * step)] for i in range(SAMPLE)]
    fits = [judge(text, sample, reading, mapper) for reading, mapper in options]
    quoted = _quoted(text, sample, options)
    for fit in fits:
        fit.quoted = quoted
    mapper_of = {reading: mapper for reading, mapper in options}
    ranked = sorted(fits, key=lambda f: f.key(), reverse=True)  # stable: the standard reading wins ties
    best = ranked[0]
    if trusted is not None:
        if trusted not in mapper_of:  # the text holds no character that unit counts differently
            trusted = Reading(STANDARD.unit, trusted.line_ends)
        best = next(f for f in fits if f.reading == trusted)
    return Choice(best.reading, best, [f for f in ranked if f is not best], mapper_of[best.reading],
                  trusted=best.reading == trusted)


def _quoted(text: str, spans: Sequence[SelectionSpan], options) -> int:
    """How many selections carry a quote that some reading reproduces (the others' quotes
    are memos or names, not evidence)."""
    count = 0
    for span in spans:
        if not span.quotes:
            continue
        for _, mapper in options:
            s, e = mapper(span.start), mapper(span.end)
            if s is not None and e is not None and s < e <= len(text) and \
                    any(quote_matches(text[s:e], q) for q in span.quotes):
                count += 1
                break
    return count
