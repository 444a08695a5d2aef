"""Placing a quoted passage in a text, and placing codings again after the text changed.

A coding keeps its quote and a little context either side. When a transcript is
re-imported with edits, or a coder's file meets a slightly different copy of the
text, each coding is placed again: at its old offsets if the quote is still there,
else at the exact occurrence whose context fits best, else by fuzzy alignment
(rapidfuzz) near its old place, then anywhere, above a score threshold.

A quote typed by a researcher (``code add --quote``, ``code import``) is placed by
:func:`place_quote`, which never guesses: a quote found exactly more than once, or
matching several places equally well, is refused with the count and the line
numbers unless an occurrence or a line picks one, and a fuzzy match is placed on
whole words and reported with its score.

Fuzzy placements are fitted to the text: the alignment's two ends are moved to word
boundaries (when the quote's own ends were whole words), each end is also aligned on
its own so that a passage that grew or shrank inside is covered whole, and the score
reported is the similarity of the quote to exactly the text placed. A stored coding's
context counts too: each end is weighed by how well the words beside it are the coding's
own surroundings (and by whether it is the quote's own first or last word), and of several
near matches the one in the right surroundings wins, so a line or word that occurs twice
does not pull the coding onto the other copy. No placement starts or ends on blank space.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

CONTEXT_CHARS = 40
DEFAULT_MIN_SCORE = 85.0
AMBIGUITY_MARGIN = 2.0
"""Fuzzy matches scoring within this many points of the best are equally good."""
MAX_HITS = 10_000
"""Exact occurrences counted at most (a quote of one common word)."""
MAX_FUZZY = 20
"""Equally good fuzzy matches collected at most."""
_APOSTROPHES = "'\u2019"


@dataclass(frozen=True)
class Placement:
    """Where a quote was found, how (``exact`` or ``fuzzy``) and how well (0-100)."""

    start: int
    end: int
    method: str
    score: float


def context(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> tuple[str, str]:
    """The ``width`` characters before ``start`` and after ``end``."""
    return text[max(0, start - width) : start], text[end : end + width]


# -- words and lines -----------------------------------------------------------------------


def inside_word(text: str, pos: int) -> bool:
    """Whether ``pos`` falls between two characters of one word (``it’s`` is one word)."""
    if pos <= 0 or pos >= len(text):
        return False
    a, b = text[pos - 1], text[pos]
    if a.isalnum() and b.isalnum():
        return True
    if a in _APOSTROPHES and b.isalnum():
        return pos >= 2 and text[pos - 2].isalnum()
    if b in _APOSTROPHES and a.isalnum():
        return pos + 1 < len(text) and text[pos + 1].isalnum()
    return False


def _can_start(text: str, pos: int) -> bool:
    return 0 <= pos < len(text) and not text[pos].isspace() and not inside_word(text, pos)


def _can_end(text: str, pos: int) -> bool:
    return 0 < pos <= len(text) and not text[pos - 1].isspace() and not inside_word(text, pos)


def word_span(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` widened to whole words at both ends (never narrowed)."""
    while inside_word(text, start):
        start -= 1
    while inside_word(text, end):
        end += 1
    return start, end


def trim_space(text: str, start: int, end: int, quote: str = "") -> tuple[int, int]:
    """``[start, end)`` without blank space at either end (kept where ``quote`` itself has it)."""
    if not quote[:1].isspace():
        while start < end and text[start].isspace():
            start += 1
    if not quote[-1:].isspace():
        while end > start and text[end - 1].isspace():
            end -= 1
    return start, end


class Lines:
    """1-based line numbers of offsets in a text, as ``framework show`` numbers them.

    The line starts are found on first use, so making one for every document is cheap.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: list[int] | None = None

    @property
    def starts(self) -> list[int]:
        if self._starts is None:
            self._starts = [0, *itertools.accumulate(len(line) + 1 for line in self.text.split("\n")[:-1])]
        return self._starts

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def span(self, line: int) -> tuple[int, int]:
        """The offsets of a line (without its newline); clamped to the text."""
        starts = self.starts
        line = max(1, min(line, len(starts)))
        end = starts[line] - 1 if line < len(starts) else len(self.text)
        return starts[line - 1], end

    def covers(self, placement: Placement, line: int) -> bool:
        return self.line(placement.start) <= line <= self.line(max(placement.start, placement.end - 1))


# -- fitting a fuzzy match to the words -----------------------------------------------------


def _ratio(quote: str, candidate: str) -> float:
    from rapidfuzz import fuzz

    return float(fuzz.ratio(quote, candidate))


def _near(text: str, centres: Sequence[int], slack: int, ok: Callable[[int], bool]) -> list[int]:
    found: set[int] = set()
    for centre in centres:
        found.update(p for p in range(max(0, centre - slack), min(len(text), centre + slack) + 1) if ok(p))
    return sorted(found)


def _align(text: str, part: str, lo: int, hi: int) -> tuple[int, int] | None:
    from rapidfuzz import fuzz

    lo, hi = max(0, lo), min(len(text), hi)
    if not part or hi <= lo:
        return None
    found = fuzz.partial_ratio_alignment(part, text[lo:hi])
    return None if found is None else (lo + found.dest_start, lo + found.dest_end)


def _boundaries(text: str, quote: str, start: int, end: int, whole_start: bool,
                whole_end: bool) -> tuple[list[int], list[int], int]:
    """Candidate starts and ends near a rough alignment, and the length of the quote's edges."""
    reach = len(quote) + 20
    edge = max(8, min(40, len(quote) // 3))
    starts_at, ends_at = [start], [end]
    head = _align(text, quote[:edge], start - reach, start + reach)
    tail = _align(text, quote[-edge:], end - reach, end + reach)
    if head:
        starts_at.append(head[0])
    if tail:
        ends_at.append(tail[1])
    slack = max(12, min(60, len(quote) // 8))
    # A quote that begins (ends) with a letter or digit begins (ends) on one, not on punctuation.
    word_first, word_last = quote[:1].isalnum(), quote[-1:].isalnum()
    starts = _near(text, starts_at, slack, lambda p: _can_start(text, p) and (text[p].isalnum() or not word_first))
    ends = _near(text, ends_at, slack, lambda p: _can_end(text, p) and (text[p - 1].isalnum() or not word_last))
    if not whole_start:
        starts = sorted(set(starts) | {p for p in starts_at if 0 <= p < len(text)})
    if not whole_end:
        ends = sorted(set(ends) | {p for p in ends_at if 0 < p <= len(text)})
    return starts, ends, edge


EDGE_MARGIN = 6.0
"""Candidate ends whose edge words fit within this many points of the best are weighed whole."""


def _best_edges(candidates: list[int], score: Callable[[int], float]) -> list[int]:
    scored = [(score(p), p) for p in candidates]
    top = max(s for s, _p in scored)
    return [p for s, p in scored if s >= top - EDGE_MARGIN]


def fit(text: str, quote: str, start: int, end: int, *, whole_start: bool = True,
        whole_end: bool = True, before: str = "", after: str = "") -> Placement | None:
    """The best span near a rough alignment ``[start, end)`` of ``quote``, scored by similarity.

    The two ends are aligned separately: the start where the quote's first words fit
    best, the end where its last words do (the nearer of equals), so a passage that grew
    or shrank inside is covered whole and no word of the quote's edges is cut off. With
    ``whole_start`` (``whole_end``) that end is put on a word boundary; otherwise it may
    fall mid-word as the quote's own end did. With a coding's ``before`` and ``after``
    context, each end is also weighed by how well the words beside it are that context, so
    an end lands on the quote's own first (last) word and not on a like word a little
    before or after it. The score is the similarity of the quote to exactly the text placed.
    """
    starts, ends, edge = _boundaries(text, quote, start, end, whole_start, whole_end)
    if not starts or not ends:
        return None
    if len(quote) >= 2 * edge:
        # Each end where the quote's own first (last) words fit best, within a few points;
        # among those, the pair most like the whole quote.
        # (with context, the words beside an end count as much as the quote's own edge words)
        head, tail = quote[:edge], quote[-edge:]
        left, right = before[-edge:], after[:edge]
        starts = _best_edges(starts, lambda p: _ratio(head, text[p:p + edge]) if not left else (
            _ratio(head, text[p:p + edge]) + _ratio(left, text[max(0, p - len(left)):p])) / 2)
        ends = _best_edges(ends, lambda p: _ratio(tail, text[max(0, p - edge):p]) if not right else (
            _ratio(tail, text[max(0, p - edge):p]) + _ratio(right, text[p:p + len(right)])) / 2)
    first, last = _first_word(quote), _last_word(quote)
    at_start = {p: _side_fit(before, text[max(0, p - len(before)):p]) for p in starts} if before else {}
    at_end = {p: _side_fit(after[::-1], text[p:p + len(after)][::-1]) for p in ends} if after else {}
    best: tuple[float, float, int, int] | None = None
    for s in starts:
        for e in ends:
            if e <= s:
                continue
            score = _ratio(quote, text[s:e])
            weighed = (score + CONTEXT_WEIGHT * (at_start.get(s, 0.0) + at_end.get(e, 0.0)) / 2
                       + OWN_WORD * (text.startswith(first, s) + text.endswith(last, 0, e)))
            if best is None or weighed > best[0] or (weighed == best[0] and (e - s) > (best[3] - best[2])):
                best = (weighed, score, s, e)
    if best is None:
        return None
    s, e = trim_space(text, best[2], best[3], quote)
    if e <= s:
        return None
    score = best[1] if (s, e) == best[2:] else _ratio(quote, text[s:e])
    return Placement(s, e, "fuzzy", round(score, 1))


OWN_WORD = 5.0
"""Points for an end that is the quote's own first (last) word, as written."""
_WORD_EDGE = re.compile(r"\S+")


def _first_word(quote: str) -> str:
    found = _WORD_EDGE.search(quote)
    return found.group() if found else "\0"


def _last_word(quote: str) -> str:
    words = _WORD_EDGE.findall(quote[-80:])
    return words[-1] if words else "\0"


def _side_fit(context_: str, beside: str) -> float:
    """How like a coding's context (read outwards from the coding) the text beside an end is."""
    from rapidfuzz import fuzz

    return float(fuzz.ratio(context_[-len(beside):] if beside else "", beside)) if context_ else 0.0


def _fuzzy_all(text: str, quote: str, min_score: float, lo: int, hi: int, *, whole_start: bool = True,
               whole_end: bool = True, margin: float = AMBIGUITY_MARGIN, before: str = "",
               after: str = "") -> list[Placement]:
    """The best fuzzy placement in ``text[lo:hi]`` and any others scoring within ``margin`` of it."""
    from rapidfuzz import fuzz

    found: list[Placement] = []
    ranges = [(max(0, lo), min(len(text), hi))]
    floor = min_score
    tries = 0
    while ranges and len(found) < MAX_FUZZY and tries < 4 * MAX_FUZZY:
        a, b = ranges.pop()
        if b - a < max(1, len(quote) // 2):
            continue
        tries += 1
        rough = fuzz.partial_ratio_alignment(quote, text[a:b], score_cutoff=max(0.0, floor - 10))
        if rough is None or rough.dest_end <= rough.dest_start:
            continue
        s, e = a + rough.dest_start, a + rough.dest_end
        placed = fit(text, quote, s, e, whole_start=whole_start, whole_end=whole_end, before=before, after=after)
        if placed is not None and placed.score >= floor and not any(_overlap(placed, f) for f in found):
            found.append(placed)
            floor = max(floor, max(f.score for f in found) - margin)
        ranges += [(a, s), (e, b)]
    best = max((f.score for f in found), default=0.0)
    return sorted((f for f in found if f.score >= best - margin), key=lambda f: f.start)


def _overlap(a: Placement, b: Placement) -> bool:
    return a.start < b.end and b.start < a.end


def closest(text: str, quote: str, lo: int = 0, hi: int | None = None) -> Placement | None:
    """The best fuzzy placement whatever its score (to say how close a missing quote came)."""
    from rapidfuzz import fuzz

    hi = len(text) if hi is None else hi
    if not quote or hi <= lo:
        return None
    rough = fuzz.partial_ratio_alignment(quote, text[lo:hi])
    if rough is None or rough.score == 0:
        return None
    return fit(text, quote, lo + rough.dest_start, lo + rough.dest_end)


# -- re-anchoring a stored coding ------------------------------------------------------------


def exact_hits(text: str, quote: str, limit: int = MAX_HITS) -> list[int]:
    """Start offsets of every exact occurrence of ``quote`` (overlapping ones too)."""
    hits: list[int] = []
    at = text.find(quote)
    while at != -1 and len(hits) < limit:
        hits.append(at)
        at = text.find(quote, at + 1)
    return hits


def _context_score(text: str, start: int, end: int, before: str, after: str) -> float:
    from rapidfuzz import fuzz

    b, a = context(text, start, end, max(len(before), len(after), 1))
    score = 0.0
    if before:
        score += fuzz.ratio(b[-len(before) :], before)
    if after:
        score += fuzz.ratio(a[: len(after)], after)
    return score


def context_fit(text: str, start: int, end: int, before: str, after: str) -> float:
    """How well (0-100) the text around ``[start, end)`` matches a coding's stored context."""
    sides = int(bool(before)) + int(bool(after))
    return _context_score(text, start, end, before, after) / sides if sides else 100.0


def _exact(text: str, quote: str, before: str, after: str, hint: int | None) -> Placement | None:
    hits = exact_hits(text, quote, 1001)
    if not hits:
        return None
    if len(hits) == 1:
        best = hits[0]
    else:
        best = max(
            hits,
            key=lambda h: (
                _context_score(text, h, h + len(quote), before, after),
                -abs(h - hint) if hint is not None else 0,
            ),
        )
    return Placement(best, best + len(quote), "exact", 100.0)


def _fuzzy(text: str, quote: str, min_score: float, lo: int = 0, hi: int | None = None, *,
           whole_start: bool = True, whole_end: bool = True) -> Placement | None:
    from rapidfuzz import fuzz  # loaded only when a quote is not found as written

    hi = len(text) if hi is None else min(hi, len(text))
    lo = max(0, lo)
    if hi <= lo:
        return None
    rough = fuzz.partial_ratio_alignment(quote, text[lo:hi], score_cutoff=max(0.0, min_score - 10))
    if rough is None:
        return None
    placed = fit(text, quote, lo + rough.dest_start, lo + rough.dest_end, whole_start=whole_start,
                 whole_end=whole_end)
    return placed if placed is not None and placed.score >= min_score else None


def locate(
    text: str,
    quote: str,
    *,
    before: str = "",
    after: str = "",
    hint: int | None = None,
    min_score: float = DEFAULT_MIN_SCORE,
    fuzzy: bool = True,
) -> Placement | None:
    """Find a stored coding's ``quote`` in ``text``: exact first, then fuzzy above ``min_score``.

    ``hint`` is the quote's old start offset: an exact occurrence there wins, and
    the fuzzy search looks near it before looking everywhere. A fuzzy placement puts
    each end on a word boundary unless the coding's own end fell inside a word (as
    its context shows).
    """
    if not quote:
        return None
    if hint is not None and text[hint : hint + len(quote)] == quote:
        return Placement(hint, hint + len(quote), "exact", 100.0)
    placed = _exact(text, quote, before, after, hint)
    if placed or not fuzzy:
        return placed
    whole = {"whole_start": not _joined_inside(before, quote), "whole_end": not _joined_inside(quote, after)}
    windows = [(0, len(text))]
    if hint is not None:
        margin = max(2000, 4 * len(quote))
        windows.insert(0, (hint - margin, hint + len(quote) + margin))
    for lo, hi in windows:
        found = _fuzzy_all(text, quote, min_score, lo, hi, margin=CONTEXT_MARGIN, before=before, after=after,
                           **whole)
        if found:
            return max(found, key=lambda p: (_with_context(text, p, before, after),
                                             -abs(p.start - hint) if hint is not None else 0))
    return None


CONTEXT_MARGIN = 10.0
"""Near matches within this many points of the best are told apart by the words around them."""
CONTEXT_WEIGHT = 0.5
"""How much the fit of a near match's surroundings (0-100) counts against its own score."""


def _with_context(text: str, placed: Placement, before: str, after: str) -> float:
    """A near match's score, plus how well the words around it are the coding's own surroundings:
    the same words twice in a text (a repeated line, a word that ends two sentences) are told
    apart by what comes before and after them."""
    if not before and not after:
        return placed.score
    return placed.score + CONTEXT_WEIGHT * context_fit(text, placed.start, placed.end, before, after)


def _joined_inside(left: str, right: str) -> bool:
    """Whether ``left + right`` joins inside a word (a coding that began or ended mid-word)."""
    if not left or not right:
        return False
    return inside_word(left[-2:] + right[:2], len(left[-2:]))


# -- placing a researcher's quote ------------------------------------------------------------


@dataclass(frozen=True)
class QuoteProblem:
    """Why a quote was not placed: ``missing``, ``ambiguous``, ``no-occurrence`` or ``not-on-line``."""

    kind: str
    method: str = "exact"
    lines: tuple[int, ...] = ()
    """Where the matches are (1-based line of each start)."""
    score: float | None = None
    closest: str = ""
    closest_line: int | None = None
    line: int | None = None
    occurrence: int | None = None

    @property
    def count(self) -> int:
        return len(self.lines)

    def message(self, document: str, quote: str, *, min_score: float, choose: str) -> str:
        """What went wrong, for ``document``; ``choose`` says how to pick one occurrence."""
        shown = repr(_short(quote))
        if self.kind == "missing":
            near = ""
            if self.closest and self.score is not None:
                near = (f" (the closest passage, line {self.closest_line}, scores {self.score:.1f}: "
                        f"{_short(self.closest)!r})")
            return (f"quote not found in {document}: nothing scored {min_score:g} or more{near}. "
                    f"Check the quote {shown} or lower --min-score.")
        how = "found" if self.method == "exact" else f"matched equally well (fuzzy, score {self.score:.1f})"
        times = "once" if self.count == 1 else f"{self.count} times"
        on_line = f" on line {self.line}" if self.line is not None else ""
        if self.kind == "ambiguous":
            return f"quote {how} {times}{on_line} in {document} ({_line_list(self.lines)}): {shown}; choose one with {choose}."
        if self.kind == "no-occurrence":
            return (f"there is no occurrence {self.occurrence}: the quote is {how} {times}{on_line} in {document} "
                    f"({_line_list(self.lines)}); give a number from 1 to {self.count}.")
        elsewhere = f"; it is {how} on {_line_list(self.lines)}" if self.lines else ""
        return f"quote not found on line {self.line} of {document}{elsewhere}: {shown}."


def _short(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return flat[:width] + ("…" if len(flat) > width else "")


def _line_list(lines: Sequence[int], limit: int = 12) -> str:
    lines = sorted(set(lines))
    if not lines:
        return ""
    label = "line" if len(lines) == 1 else "lines"
    shown = ", ".join(str(n) for n in lines[:limit])
    return f"{label} {shown}" + (f" and {len(lines) - limit} more" if len(lines) > limit else "")


def place_quote(
    text: str,
    quote: str,
    *,
    min_score: float = DEFAULT_MIN_SCORE,
    occurrence: int | None = None,
    line: int | None = None,
    lines: Lines | None = None,
) -> Placement | QuoteProblem:
    """Place a researcher's quote, or say why not; see the module docstring.

    ``line`` keeps the occurrences on that line (1-based, as ``framework show`` numbers
    lines); ``occurrence`` picks the Nth (1-based) of those left, in text order.
    ``lines`` may be passed in when placing many quotes in one text.
    """
    if not quote.strip():
        return QuoteProblem("missing")
    index = lines or Lines(text)
    # Occurrences on whole words come first: "locum" is the word "locum", not the start of
    # "locums"; a quote found only inside longer words is placed exactly as written.
    hits = exact_hits(text, quote)
    if len(hits) > 1:
        hits = [h for h in hits if not inside_word(text, h) and not inside_word(text, h + len(quote))] or hits
    if len(hits) == 1 and line is None and occurrence is None:
        return Placement(hits[0], hits[0] + len(quote), "exact", 100.0)
    if hits:
        found = [Placement(h, h + len(quote), "exact", 100.0) for h in hits]
    else:
        lo, hi = 0, len(text)
        if line is not None:
            lo, line_end = index.span(line)
            hi = line_end + 2 * len(quote)
        found = _fuzzy_all(text, quote, min_score, lo, hi)
        if not found:
            near = closest(text, quote, lo, hi)
            return QuoteProblem("missing", "fuzzy", score=near.score if near else None,
                                closest=text[near.start:near.end] if near else "",
                                closest_line=index.line(near.start) if near else None, line=line)
    return _choose(found, index, occurrence=occurrence, line=line)


def _choose(found: list[Placement], index: Lines, *, occurrence: int | None,
            line: int | None) -> Placement | QuoteProblem:
    method = found[0].method
    score = min(f.score for f in found)
    if line is not None:
        on_line = [f for f in found if index.covers(f, line)]
        if not on_line:
            return QuoteProblem("not-on-line", method, tuple(index.line(f.start) for f in found), score, line=line)
        found = on_line
    lines = tuple(index.line(f.start) for f in found)
    if occurrence is not None:
        if not 1 <= occurrence <= len(found):
            return QuoteProblem("no-occurrence", method, lines, score, line=line, occurrence=occurrence)
        return found[occurrence - 1]
    if len(found) > 1:
        return QuoteProblem("ambiguous", method, lines, score, line=line)
    return found[0]
