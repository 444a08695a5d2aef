"""The one matcher of key terms, used to replace them in exports and to look for them in files.

Names are written in many ways in transcripts, spreadsheets and file names. Text and terms
are compared after the same folding:

* Unicode compatibility normalisation (NFKC: full-width letters, ligatures) and case
  folding (``str.casefold``: ``ß``, ``ẞ`` and ``SS`` are the same), then accents dropped
  (``Jurgen`` is ``Jürgen``; a term with ``ä``, ``ö`` or ``ü`` also matches ``ae``, ``oe``,
  ``ue``) and curly apostrophes read as straight ones;
* invisible format characters (soft hyphen, zero-width space, joiner and non-joiner, word
  joiner, byte order mark and the like) are read as a camel-case join is: they may separate
  two words or be ignored, so ``Oak\u00adfield`` is ``Oakfield`` and both names are found
  in ``Oakfield\u00adMargaret``;
* a term is found as whole words: the character before and after it is not a letter.
  Digits, ``_``, ``-``, ``.``, spaces and punctuation all separate words, and so does a
  camel-case join (``OakfieldTeam``, ``teamOakfield``, ``OAKFIELDTeam``). So ``oakfield01``,
  ``Oakfield_team`` and ``OAKFIELD`` are found, ``Oakfields`` is not, and ``Margaret's``
  is (``'s`` follows a separator). A term that starts or ends with a digit is not found
  inside a longer number (``case_01`` is not in ``case_011``);
* between the words of a term any run of white space, ``_``, ``-`` or ``.`` (or a
  camel-case join) may stand: ``Margaret Hill`` is found in ``Margaret-Hill-interview``,
  ``margaret_hill`` and ``MargaretHill``;
* at each place the longest term wins.

:func:`fold_text` keeps, for every folded character, where it came from, so matches are
reported as offsets into the original text (a match never splits a character with its
accents, nor the two letters ``ß`` folds to).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

JOIN = "\x1f"
"""Put into folded text where a camel-case join or an invisible format character may separate two words."""
_TOKEN = re.compile(r"[^\W\d_]+|\d+")
_INSIGNIFICANT = str.maketrans(dict.fromkeys(
    " \t\n\r\x0b\x0c\x1c\x1d\x1e\x85\xa0_.'\u00b7\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
    + JOIN))
_TRANSLITERATE = str.maketrans({
    "ø": "o", "đ": "d", "ð": "d", "ł": "l", "ı": "i", "ħ": "h", "ŀ": "l", "þ": "th", "æ": "ae", "œ": "oe",
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'", "\uff07": "'",
})
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def _ranges(chars: Iterable[int]) -> str:
    """A regular-expression class body for the code points given (in order)."""
    out: list[str] = []
    run: list[int] = []
    for cp in chars:
        if run and cp == run[-1] + 1:
            run.append(cp)
            continue
        if run:
            out.append(re.escape(chr(run[0])) + ("-" + re.escape(chr(run[-1])) if len(run) > 1 else ""))
        run = [cp]
    if run:
        out.append(re.escape(chr(run[0])) + ("-" + re.escape(chr(run[-1])) if len(run) > 1 else ""))
    return "".join(out)


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(runs to fold one by one, one cluster of a run, camel-case joins), built once."""
    marks = [cp for cp in range(0x300, 0x10000) if unicodedata.category(chr(cp)) in ("Mn", "Mc", "Me", "Cf")]
    marks_class = _ranges(marks) + "\U000e0000-\U000e007f"
    upper = _ranges(cp for cp in range(0x80, 0x10000) if chr(cp).isupper())
    lower = _ranges(cp for cp in range(0x80, 0x10000) if chr(cp).islower())
    runs = re.compile(f"(?:[^\\x00-\\x7f]|[\\x00-\\x7f](?=[{marks_class}]))+")
    cluster = re.compile(f".[{marks_class}]*", re.S)
    up, low = f"[A-Z{upper}]", f"[a-z{lower}]"
    camel = re.compile(f"(?<={low})(?={up})|(?<={up})(?={up}{low})|(?<={up}{up})(?={low})")
    return runs, cluster, camel


@lru_cache(maxsize=4096)
def fold_chunk(chunk: str) -> str:
    """One character with its accents, folded (see the module); an invisible format character
    becomes :data:`JOIN`."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", chunk).casefold())
    text = "".join(JOIN if unicodedata.category(ch) == "Cf" else ch
                   for ch in text if not unicodedata.combining(ch))
    return text.translate(_TRANSLITERATE)


@dataclass
class Folded:
    """A text folded for matching, with the way back to offsets of the original.

    Runs of plain ASCII fold to themselves one for one; every other stretch whose folded
    length differs (``ß`` -> ``ss``, ``e`` + combining accent -> ``e``, a camel-case join
    marker) is kept as an atomic piece: ``starts``/``ends`` are their folded offsets,
    ``origins``/``origin_ends`` their original ones.
    """

    text: str
    starts: list[int]
    ends: list[int]
    origins: list[int]
    origin_ends: list[int]

    def original_start(self, at: int) -> int:
        """The original offset of folded offset ``at`` as the start of a match."""
        i = bisect_right(self.starts, at) - 1
        if i < 0:
            return at
        if at < self.ends[i]:
            return self.origins[i]
        return at + self.origin_ends[i] - self.ends[i]

    def original_end(self, at: int) -> int:
        """The original offset of folded offset ``at`` as the (exclusive) end of a match."""
        i = bisect_left(self.ends, at)
        if i < len(self.starts) and self.starts[i] < at:
            return self.origin_ends[i]
        i -= 1
        return at if i < 0 else at + self.origin_ends[i] - self.ends[i]


def fold_text(text: str, *, joins: bool = True) -> Folded:
    """``text`` folded for matching (see the module); with ``joins``, camel-case joins
    are marked with :data:`JOIN`."""
    runs, cluster, camel = _patterns()
    events: list[tuple[int, int, int]] = [(m.start(), 1, m.end()) for m in runs.finditer(text)]
    if joins:
        events += [(m.start(), 0, m.start()) for m in camel.finditer(text)]
        events.sort()
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    origins: list[int] = []
    origin_ends: list[int] = []
    at = 0
    length = 0
    for start, kind, end in events:
        if start < at:  # a join inside a run already folded
            continue
        if start > at:
            pieces.append(text[at:start].lower())
            length += start - at
        if kind == 0:
            pieces.append(JOIN)
            starts.append(length)
            ends.append(length + 1)
            origins.append(start)
            origin_ends.append(start)
            length += 1
            at = start
            continue
        for m in cluster.finditer(text, start, end):
            folded = fold_chunk(m.group())
            if len(folded) != m.end() - m.start():
                starts.append(length)
                ends.append(length + len(folded))
                origins.append(m.start())
                origin_ends.append(m.end())
            pieces.append(folded)
            length += len(folded)
        at = end
    pieces.append(text[at:].lower())
    return Folded("".join(pieces), starts, ends, origins, origin_ends)


def canonical(term: str) -> str:
    """A term's words folded and joined by single spaces: two terms with the same canonical
    form are found in exactly the same places."""
    return " ".join(_term_tokens(term)[0])


def _term_tokens(term: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The words of a term and what must stand between each two (separators left out)."""
    folded = fold_text(term, joins=False).text.replace(JOIN, "")
    found = list(_TOKEN.finditer(folded))
    words = tuple(m.group() for m in found)
    between = tuple(_significant(folded[a.end():b.start()]) for a, b in zip(found, found[1:]))
    return words, between


def _significant(separator: str) -> str:
    """What of the text between two words must match: not spaces, ``_``, ``-``, ``.`` or apostrophes."""
    return separator.translate(_INSIGNIFICANT) if separator else ""


@dataclass(frozen=True)
class Found:
    """Where one term was found: original offsets and the index of the term."""

    start: int
    end: int
    index: int


Option = tuple[int, tuple[str, ...], tuple[str, ...], int]
"""A way to find a term: its size, its words, what stands between them, and its index."""


def _cuts(joins: list[int], start: int, end: int) -> list[int]:
    """The camel-case joins strictly inside ``start``..``end``."""
    if not joins:
        return []
    return joins[bisect_right(joins, start): bisect_left(joins, end)]


class Matcher:
    """Finds any of ``terms`` in texts (see the module); longest term first at each place.

    The folded text is read word by word and a term is only tried where a word begins
    with its first word, so the time grows with the text and hardly with the number of terms.
    """

    def __init__(self, terms: Sequence[str]) -> None:
        self.terms = list(terms)
        first: dict[str, list[Option]] = {}
        for index, term in enumerate(self.terms):
            for variant in dict.fromkeys([term, term.translate(_GERMAN)]):
                words, between = _term_tokens(variant)
                if words:
                    size = sum(map(len, words)) + len(words)
                    first.setdefault(words[0], []).append((size, words, between, index))
        for options in first.values():
            options.sort(key=lambda o: (-o[0], o[3]))
        self._first = first

    def find(self, text: str) -> list[Found]:
        """Every occurrence, left to right, as offsets into ``text``."""
        if not self._first or not text:
            return []
        folded = fold_text(text, joins=True)
        flat, joins = _without_joins(folded)
        first = self._first
        out: list[Found] = []
        resume = 0
        for m in _TOKEN.finditer(flat):
            end = m.end()
            if end <= resume:
                continue
            start = m.start()
            inner = _cuts(joins, start, end) if joins else ()
            if not inner and m.group() not in first:
                continue
            for at in (start, *inner):
                if at < resume:
                    continue
                hit = self._best(flat, joins, at, end)
                if hit is None:
                    continue
                at, stop, index = hit
                out.append(Found(folded.original_start(_with_joins(at, joins, True)),
                                 folded.original_end(_with_joins(stop, joins, False)), index))
                resume = stop
                if stop >= end:
                    break
        return out

    def _best(self, flat: str, joins: list[int], at: int, end: int) -> tuple[int, int, int] | None:
        """The longest term starting at ``at`` in the run of letters or digits ending at
        ``end``: (start, end, term), or ``None``."""
        best: tuple[int, int, int, int] | None = None
        for stop in [*_cuts(joins, at, end), end]:
            for size, words, between, index in self._first.get(flat[at:stop], ()):
                if best is not None and (size, -index) <= (best[0], -best[3]):
                    break
                found = _rest(flat, joins, words, between, end, stop)
                if found is not None:
                    best = (size, at, found, index)
                    break
        return None if best is None else best[1:]


def _rest(flat: str, joins: list[int], term: tuple[str, ...], between: tuple[str, ...], end: int,
          pos: int) -> int | None:
    """Where the remaining words of ``term`` end when its first word ends at ``pos`` in a run
    of letters or digits ending at ``end``, or ``None`` if they are not there."""
    for k in range(1, len(term)):
        if pos < end:  # the next word follows a camel-case join inside this run
            if between[k - 1]:
                return None
            start = pos
        else:
            nxt = _TOKEN.search(flat, end)
            if nxt is None or _significant(flat[end:nxt.start()]) != between[k - 1]:
                return None
            start, end = nxt.span()
        stop = start + len(term[k])
        if flat[start:stop] != term[k] or not (stop == end or stop in _cuts(joins, start, end)):
            return None
        pos = stop
    return pos


def _without_joins(folded: Folded) -> tuple[str, list[int]]:
    """The folded text without its join markers, and where they stood (in that text)."""
    text = folded.text
    if JOIN not in text:
        return text, []
    parts = text.split(JOIN)
    joins = []
    at = 0
    for part in parts[:-1]:
        at += len(part)
        joins.append(at)
    return "".join(parts), joins


def _with_joins(at: int, joins: list[int], as_start: bool) -> int:
    """An offset in the text without joins as an offset in the folded text with them."""
    if not joins:
        return at
    return at + (bisect_right(joins, at) if as_start else bisect_left(joins, at))
