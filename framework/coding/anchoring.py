"""Placing a quoted passage in a text, and placing codings again after the text changed.

A coding keeps its quote and a little context either side. When a transcript is
re-imported with edits, or a coder's file meets a slightly different copy of the
text, each coding is placed again: at its old offsets if the quote is still there,
else at the exact occurrence whose context fits best, else by fuzzy alignment
(rapidfuzz) near its old place, then anywhere, above a score threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

CONTEXT_CHARS = 40
DEFAULT_MIN_SCORE = 85.0


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


def _context_score(text: str, start: int, end: int, before: str, after: str) -> float:
    from rapidfuzz import fuzz

    b, a = context(text, start, end, max(len(before), len(after), 1))
    score = 0.0
    if before:
        score += fuzz.ratio(b[-len(before) :], before)
    if after:
        score += fuzz.ratio(a[: len(after)], after)
    return score


def _exact(text: str, quote: str, before: str, after: str, hint: int | None) -> Placement | None:
    hits: list[int] = []
    at = text.find(quote)
    while at != -1:
        hits.append(at)
        if len(hits) > 1000:
            break
        at = text.find(quote, at + 1)
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


def _fuzzy(text: str, quote: str, min_score: float, lo: int = 0, hi: int | None = None) -> Placement | None:
    from rapidfuzz import fuzz  # loaded only when a quote is not found as written

    window = text[lo:hi]
    if not window:
        return None
    found = fuzz.partial_ratio_alignment(quote, window, score_cutoff=min_score)
    if found is None or found.score < min_score:
        return None
    start, end = lo + found.dest_start, lo + found.dest_end
    # Trim whitespace the alignment may have swallowed at either edge.
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end <= start:
        return None
    return Placement(start, end, "fuzzy", round(found.score, 2))


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
    """Find ``quote`` in ``text``: exact first, then fuzzy above ``min_score``.

    ``hint`` is the quote's old start offset: an exact occurrence there wins, and
    the fuzzy search looks near it before looking everywhere.
    """
    if not quote:
        return None
    if hint is not None and text[hint : hint + len(quote)] == quote:
        return Placement(hint, hint + len(quote), "exact", 100.0)
    placed = _exact(text, quote, before, after, hint)
    if placed or not fuzzy:
        return placed
    if hint is not None:
        margin = max(2000, 4 * len(quote))
        placed = _fuzzy(text, quote, min_score, max(0, hint - margin), hint + len(quote) + margin)
        if placed:
            return placed
    return _fuzzy(text, quote, min_score)
