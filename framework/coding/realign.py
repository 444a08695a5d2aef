"""Following a span from one version of a text to the next, each end on its own words.

When a transcript is corrected ("learning day" becomes "learning days (internal)"),
the old and the new text are compared (paragraph by paragraph, then word by word
inside the paragraphs that differ) and every offset of the old text is mapped to
the new one. A coding's start follows the first character it covered and its end
the last, so a coding grows or shrinks with an edit made inside it and keeps
exactly its words when the edits are elsewhere (a coding whose words are all still
there, in order and together, never moves off them). Text inserted just outside a
coding stays outside it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from framework.coding.anchoring import Placement, inside_word, trim_space, word_span

_TOKENS = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
_WORD = re.compile(r"\w", re.UNICODE)
HALF_LIKE = 50.0
"""A span that kept only one end is followed only if it is at least this similar (0-100) to what it was."""
JUNK_ABOVE = 20_000
CHARS_WITHIN = 200
"""Changed runs of words up to this long are compared character by character too ("day" and "day;")."""
"""Token lists longer than this are compared with difflib's popular-token heuristic (fast)."""


@dataclass(frozen=True)
class Mapped:
    """Where a span of the old text is in the new one, and whether each end sat on unchanged text."""

    start: int
    end: int
    start_kept: bool
    end_kept: bool


class OffsetMap:
    """Maps offsets of ``old`` to offsets of ``new`` through the blocks the two texts share."""

    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new
        blocks = _shared_blocks(old, new)
        self._a = [a for a, _b, _n in blocks]
        self._blocks = blocks

    def _block_at(self, pos: int) -> int:
        """Index of the last shared block starting at or before ``pos`` (-1 if none)."""
        return bisect.bisect_right(self._a, pos) - 1

    def first(self, pos: int) -> tuple[int, bool]:
        """Where the character at ``pos`` went; a changed one maps to the start of its replacement."""
        i = self._block_at(pos)
        if i >= 0:
            a, b, n = self._blocks[i]
            if pos < a + n:
                return b + pos - a, True
            return b + n, False
        return 0, False

    def last(self, pos: int) -> tuple[int, bool]:
        """Where the character before ``pos`` went, plus one; a changed one maps to the end of its replacement."""
        if pos <= 0:
            return 0, False
        i = self._block_at(pos - 1)
        if i >= 0:
            a, b, n = self._blocks[i]
            if pos - 1 < a + n:
                return b + pos - a, True
        following = i + 1
        if following < len(self._blocks):
            return self._blocks[following][1], False
        return len(self.new), False

    def between(self, start: int, end: int) -> tuple[int, int]:
        """The new text between the shared runs that lie wholly before ``start`` and wholly after ``end``."""
        i = self._block_at(start)
        if i >= 0 and self._a[i] + self._blocks[i][2] > start:
            i -= 1
        lo = self._blocks[i][1] + self._blocks[i][2] if i >= 0 else 0
        j = bisect.bisect_left(self._a, end)
        hi = self._blocks[j][1] if j < len(self._blocks) else len(self.new)
        return lo, hi

    def span(self, start: int, end: int) -> Mapped:
        new_start, start_kept = self.first(start)
        new_end, end_kept = self.last(end)
        return Mapped(new_start, new_end, start_kept, end_kept)


def _shared_blocks(old: str, new: str) -> list[tuple[int, int, int]]:
    """(old offset, new offset, length) of the runs the texts share, in order."""
    a_lines, b_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    a_at, b_at = _offsets(a_lines), _offsets(b_lines)
    # The lines both texts begin and end with are shared as they stand: only the lines
    # between are compared, so an edit never pairs an unchanged line with a copy of it.
    head, tail = _same_ends(a_lines, b_lines)
    a_end, b_end = len(a_lines) - tail, len(b_lines) - tail
    blocks: list[tuple[int, int, int]] = [(0, 0, a_at[head])]
    # Blank lines are everywhere: they may extend a match but never anchor one on their own.
    matcher = SequenceMatcher(lambda line: not line.strip(), a_lines[head:a_end], b_lines[head:b_end],
                              autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        i1, i2, j1, j2 = i1 + head, i2 + head, j1 + head, j2 + head
        if tag == "equal":
            blocks.append((a_at[i1], b_at[j1], a_at[i2] - a_at[i1]))
        elif tag == "replace":
            blocks.extend(_word_blocks(old, new, a_at[i1], a_at[i2], b_at[j1], b_at[j2]))
    blocks.append((a_at[a_end], b_at[b_end], a_at[-1] - a_at[a_end]))
    merged: list[tuple[int, int, int]] = []
    for a, b, n in blocks:
        if n <= 0:
            continue
        if merged and merged[-1][0] + merged[-1][2] == a and merged[-1][1] + merged[-1][2] == b:
            merged[-1] = (merged[-1][0], merged[-1][1], merged[-1][2] + n)
        else:
            merged.append((a, b, n))
    return merged


def _same_ends(a: list[str], b: list[str]) -> tuple[int, int]:
    """How many items ``a`` and ``b`` share at their start, and then at their end."""
    most = min(len(a), len(b))
    head = 0
    while head < most and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < most - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    return head, tail


def _offsets(parts: list[str]) -> list[int]:
    at = [0]
    for part in parts:
        at.append(at[-1] + len(part))
    return at


def _not_word(token: str) -> bool:
    return not _WORD.match(token)


def _word_blocks(old: str, new: str, a0: int, a1: int, b0: int, b1: int) -> list[tuple[int, int, int]]:
    """Shared runs of two changed paragraphs, word by word, then character by character inside changed words."""
    a_tokens = _TOKENS.findall(old[a0:a1])
    b_tokens = _TOKENS.findall(new[b0:b1])
    a_at, b_at = _offsets(a_tokens), _offsets(b_tokens)
    junk = len(a_tokens) + len(b_tokens) > JUNK_ABOVE
    head, tail = _same_ends(a_tokens, b_tokens)
    a_end, b_end = len(a_tokens) - tail, len(b_tokens) - tail
    # Spaces and punctuation are everywhere too: they may extend a match of words, never anchor
    # one (a lone ";" or space paired across the coding's words would carry them onto others).
    matcher = SequenceMatcher(_not_word, a_tokens[head:a_end], b_tokens[head:b_end], autojunk=junk)
    blocks: list[tuple[int, int, int]] = [(a0, b0, a_at[head])]
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        i1, i2, j1, j2 = i1 + head, i2 + head, j1 + head, j2 + head
        if tag == "equal":
            blocks.append((a0 + a_at[i1], b0 + b_at[j1], a_at[i2] - a_at[i1]))
        elif tag == "replace" and a_at[i2] - a_at[i1] <= CHARS_WITHIN and b_at[j2] - b_at[j1] <= CHARS_WITHIN:
            x0, y0 = a0 + a_at[i1], b0 + b_at[j1]
            chars = SequenceMatcher(None, old[x0:a0 + a_at[i2]], new[y0:b0 + b_at[j2]], autojunk=False)
            blocks.extend((x0 + i, y0 + j, n) for i, j, n in chars.get_matching_blocks() if n)
    blocks.append((a0 + a_at[a_end], b0 + b_at[b_end], a_at[-1] - a_at[a_end]))
    return blocks


def _unchanged(new: str, quote: str, window: tuple[int, int], s: int, e: int) -> Placement | None:
    """An occurrence of ``quote`` where the span went: one overlapping ``[s, e)`` if any, else
    the one nearest ``s`` overlapping ``window`` (the unchanged text either side may have taken
    a letter of the span's own words: "b;bQ" made "bQ;b" pairs the first "b" with the coding's)."""
    lo, hi = max(0, min(window[0], s) - len(quote)), max(window[1], e) + len(quote)
    hits: list[int] = []
    at = new.find(quote, lo, hi)
    while at != -1 and len(hits) < 100:
        if (at < e and s < at + len(quote)) or (at < window[1] and window[0] < at + len(quote)):
            hits.append(at)
        at = new.find(quote, at + 1, hi)
    if not hits:
        return None
    best = min(hits, key=lambda h: (not (h < e and s < h + len(quote)), abs(h - s)))
    return Placement(best, best + len(quote), "exact", 100.0)


def follow(offsets: OffsetMap, start: int, end: int, *, min_score: float) -> Placement | None:
    """Where the old span ``[start, end)`` is in the new text, or None when it cannot be told.

    ``exact`` when its text is unchanged; ``edited`` when it was edited inside (each end
    kept its own words; a word an edit lengthened at an end is covered whole). None when
    nothing of the span is left, or when the words at an end changed and the new text is
    not similar enough (:data:`HALF_LIKE` with one end kept, ``min_score`` with none):
    then the quote and its context must find it.
    """
    old, new = offsets.old, offsets.new
    mapped = offsets.span(start, end)
    s, e = mapped.start, mapped.end
    if e <= s:
        return None
    quote = old[start:end]
    if new[s:e] == quote:
        return Placement(s, e, "exact", 100.0)
    # The comparison may pair blank space, repeated words or letters otherwise than the edit
    # did: the words as they were, found where the span went (between the unchanged text
    # either side of it), are the span.
    here = _unchanged(new, quote, offsets.between(start, end), s, e)
    if here is not None:
        return here
    # Edited: an end that was on a word boundary stays on one ("day" made "days" is covered whole).
    whole_s, whole_e = word_span(new, s, e)
    if not inside_word(old, start):
        s = whole_s
    if not inside_word(old, end):
        e = whole_e
    s, e = trim_space(new, s, e, quote)  # a word gone at an end leaves its space behind
    if e <= s:
        return None
    placed = new[s:e]
    from rapidfuzz import fuzz

    score = round(float(fuzz.ratio(quote, placed)), 1)
    kept = int(mapped.start_kept) + int(mapped.end_kept)
    # Both ends on their own unchanged words: the edit was inside. One end only: the other
    # end's words were edited, so the result must still resemble the passage.
    if score < {2: 0.0, 1: HALF_LIKE, 0: min_score}[kept]:
        return None
    return Placement(s, e, "edited", score)
