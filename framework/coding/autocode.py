"""Autocoding by text search, for survey answers and transcripts alike.

As NVivo's text search query and MAXQDA's lexical search: find words with SQLite's FTS5
syntax (``agency``, ``"agency staff"``, ``agency OR locum*``, ``NEAR(agency cost, 5)``,
``agency NOT nurse``; accents and case are ignored), spread each hit to its sentence,
paragraph or whole answer, and code those passages with one theme. :func:`preview` finds
and counts, writing nothing; :func:`apply` writes the previewed passages as one undoable
action, logged with the search that found them.
"""

from __future__ import annotations

import re
import sqlite3
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from framework.coding import batch
from framework.coding.actions import check_coder
from framework.errors import InputError
from framework.store import Store
from framework.store.questions import answer_units, find_question

SCOPES = ("hit", "sentence", "paragraph", "answer")
"""How far a hit spreads: the words found, their sentence, their paragraph, or the whole answer
(in a transcript: the whole speaker turn)."""

_OPEN, _CLOSE = "\x02", "\x03"
_SENTENCE_END = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*(?=\s)|\n")
_LABEL = re.compile(r"[ \t]*(?:\[[^\]\n]{1,60}\]|<v [^>\n]{1,60}>|[^\n:]{1,60}:)[ \t]*")

SYNTAX_HELP = ('use words, "a phrase", OR, AND, NOT, prefix* and NEAR(a b, 5), '
               'e.g. "agency staff" OR locum*')


@dataclass(frozen=True)
class Search:
    """What to look for and where: an FTS5 query, how far hits spread, and which documents."""

    query: str
    scope: str = "sentence"
    question: str | None = None
    """A question's key (``q1``) or words of its text: only its answers."""
    where: tuple[tuple[str, str], ...] = ()
    """``(attribute, value)`` pairs: values of one attribute are alternatives, attributes all apply."""
    kind: str | None = None
    """``transcript`` or ``survey``: only documents of this kind."""

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"query": self.query, "scope": self.scope}
        if self.question:
            out["question"] = self.question
        if self.where:
            out["where"] = [f"{a}={v}" for a, v in self.where]
        if self.kind:
            out["kind"] = self.kind
        return out


@dataclass(frozen=True)
class Hit:
    """A passage to code: where it is, and the words found in it."""

    document_id: int
    document: str
    case: str
    start: int
    end: int
    matches: tuple[tuple[int, int], ...]
    already: bool
    """This coder's coding of the theme already covers it (it will be left as it is)."""


@dataclass
class Preview:
    """What an autocode would do: the passages, counted, before anything is written."""

    search: Search
    theme_id: str
    coder: str
    hits: list[Hit]
    matches: int
    """Words (or phrases) found."""
    texts: dict[int, str] = field(repr=False, default_factory=dict)
    hashes: dict[int, str] = field(repr=False, default_factory=dict)
    unsearchable: list[str] = field(default_factory=list)
    """Documents whose text holds the characters hits are marked with (never coded)."""

    @property
    def documents(self) -> int:
        return len({h.document_id for h in self.hits})

    @property
    def new(self) -> list[Hit]:
        return [h for h in self.hits if not h.already]

    def snippet(self, hit: Hit, width: int = 120) -> tuple[str, list[tuple[int, int]]]:
        """The passage on one line (cut to ``width``), with the found words as offsets into it."""
        text = self.texts[hit.document_id]
        start, end = hit.start, hit.end
        first = hit.matches[0][0] if hit.matches else start
        if end - start > width:
            start = max(start, first - width // 3)
            end = min(end, start + width)
            start, end = _on_words(text, start, end, hit.start, first)
        line = text[start:end].replace("\n", " ")
        marks = [(max(s, start) - start, min(e, end) - start) for s, e in hit.matches if s < end and e > start]
        prefix = "…" if start > hit.start else ""
        suffix = "…" if end < hit.end else ""
        shift = len(prefix)
        return prefix + line + suffix, [(s + shift, e + shift) for s, e in marks]

    def summary(self) -> str:
        new = len(self.new)
        already = len(self.hits) - new
        text = (f"{self.matches:,} hit(s) in {self.documents:,} document(s): {new:,} passage(s) to code with "
                f"{self.theme_id}")
        if already:
            text += f" ({already:,} already coded so by {self.coder})"
        return text


def _inside_word(text: str, at: int) -> bool:
    return 0 < at < len(text) and text[at - 1].isalnum() and text[at].isalnum()


def _on_words(text: str, start: int, end: int, lowest: int, first: int) -> tuple[int, int]:
    """A cut ``text[start:end]`` moved so that it neither starts nor ends inside a word: the
    start forward past the word it cuts (not past ``first``, the first hit) or else back to
    that word's start (not before ``lowest``), the end back before the word it cuts."""
    if _inside_word(text, start):
        space = text.find(" ", start, first)
        if space >= 0:
            start = space + 1
        else:
            while start > lowest and _inside_word(text, start):
                start -= 1
    if _inside_word(text, end):
        space = text.rfind(" ", max(start, first) + 1, end)
        if space > start:
            end = space
    while end > start + 1 and text[end - 1].isspace():
        end -= 1
    return start, end


def parse_where(values: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """``attribute=value`` options as pairs."""
    out = []
    for value in values:
        name, sep, wanted = value.partition("=")
        if not sep or not name.strip():
            raise InputError(f"--where {value!r}: give attribute=value, e.g. --where role=Director.")
        out.append((name.strip(), wanted.strip()))
    return tuple(out)


def _filters(store: Store, search: Search) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if search.question:
        question = find_question(store, search.question)
        clauses.append("d.question = ?")
        params.append(question.text)
    if search.kind:
        clauses.append("d.kind = ?")
        params.append(search.kind)
    by_attribute: dict[str, list[str]] = {}
    for name, value in search.where:
        by_attribute.setdefault(name, []).append(value)
    known = {a.name.casefold(): a.name for a in store.cases.attributes()}
    for name, values in by_attribute.items():
        real = known.get(name.casefold())
        if real is None:
            raise InputError(f"--where: there is no attribute {name!r}; attributes are: "
                             f"{', '.join(known.values()) or '(none yet)'}.")
        clauses.append("d.case_id IN (SELECT case_id FROM case_attributes WHERE attribute = ? AND value "
                       f"COLLATE NOCASE IN ({','.join('?' * len(values))}))")
        params.extend([real, *values])
    return "".join(f" AND {c}" for c in clauses), params


def _fts_error(query: str, exc: sqlite3.OperationalError) -> InputError:
    reason = str(exc).removeprefix("fts5: ")
    return InputError(f"search {query!r} is not one SQLite can run ({reason}): {SYNTAX_HELP}.")


def preview(store: Store, search: Search, theme_id: str, coder: str) -> Preview:
    """Find the passages a search would code, and which of them are coded so already."""
    check_coder(coder)
    if search.scope not in SCOPES:
        raise InputError(f"--scope {search.scope!r}: choose one of {', '.join(SCOPES)}.")
    if not search.query.strip():
        raise InputError(f"give words to search for: {SYNTAX_HELP}.")
    theme = store.themes.get(theme_id)
    if theme.archived:
        raise InputError(f"theme {theme_id!r} is archived; choose a current theme.")
    where, params = _filters(store, search)
    sql = (f"SELECT d.id, d.name, c.name, d.kind, d.sha256, d.length, highlight(documents_fts, 0, '{_OPEN}', "
           f"'{_CLOSE}') FROM documents_fts JOIN documents d ON d.id = documents_fts.rowid "
           f"JOIN cases c ON c.id = d.case_id WHERE documents_fts MATCH ?{where} ORDER BY d.id")
    try:
        with store.lock:
            rows = store.conn.execute(sql, [search.query, *params]).fetchall()
    except sqlite3.OperationalError as exc:
        raise _fts_error(search.query, exc) from None
    result = Preview(search, theme_id, coder, [], 0)
    units = _units(store, [r[0] for r in rows if r[3] != "survey"]) if search.scope != "hit" else {}
    for doc_id, name, case, kind, sha, length, marked in rows:
        text, found = _unmark(marked)
        if len(text) != length:
            result.unsearchable.append(name)
            continue
        result.texts[doc_id] = text
        result.hashes[doc_id] = sha
        result.matches += len(found)
        paragraphs = units.get(doc_id) or (answer_units(text) if kind == "survey" else [])
        for start, end, inside in _passages(text, found, search.scope, kind, paragraphs):
            result.hits.append(Hit(doc_id, name, case, start, end, tuple(inside), False))
    _mark_covered(store, result)
    return result


def _unmark(marked: str) -> tuple[str, list[tuple[int, int]]]:
    """The text without the hit markers, and the hits as offsets into it."""
    parts = re.split(f"([{_OPEN}{_CLOSE}])", marked)
    text: list[str] = []
    found: list[tuple[int, int]] = []
    at = 0
    opened = None
    for part in parts:
        if part == _OPEN:
            opened = at
        elif part == _CLOSE and opened is not None:
            found.append((opened, at))
            opened = None
        else:
            text.append(part)
            at += len(part)
    return "".join(text), found


def _units(store: Store, document_ids: Sequence[int]) -> dict[int, list[tuple[int, int, str | None]]]:
    out: dict[int, list[tuple[int, int, str | None]]] = {}
    for chunk in batch.chunks(list(document_ids)):
        for doc, start, end, speaker in store.conn.execute(
            f'SELECT document_id, start, "end", speaker FROM units WHERE document_id IN '
            f"({','.join('?' * len(chunk))}) ORDER BY document_id, ordinal", list(chunk)
        ):
            out.setdefault(doc, []).append((start, end, speaker))
    return out


def _body(text: str, start: int, end: int, speaker: str | None) -> int:
    """Where a paragraph's words begin, after a speaker label of its own."""
    if speaker:
        m = _LABEL.match(text, start, end)
        if m and speaker.casefold().strip("[]<> ") in m.group().casefold():
            return m.end()
    return start


def _blocks(text: str, kind: str, units: list[tuple[int, int, str | None]], scope: str) -> list[tuple[int, int]]:
    """The spans a hit spreads to: paragraphs (without speaker labels), or whole turns or answers."""
    if kind == "survey" and scope == "answer":
        return [(0, len(text))]
    if not units:
        return [(0, len(text))]
    blocks: list[tuple[int, int]] = []
    previous_speaker = None
    for start, end, speaker in units:
        body = _body(text, start, end, speaker)
        labelled = body != start
        if scope == "answer" and blocks and not labelled and speaker is not None and speaker == previous_speaker:
            blocks[-1] = (blocks[-1][0], end)
        else:
            blocks.append((body, end))
        previous_speaker = speaker
    return blocks


def _sentence(text: str, lo: int, hi: int, start: int, end: int) -> tuple[int, int]:
    """The sentence(s) around ``[start, end)`` within the block ``[lo, hi)``."""
    begin = lo
    for m in _SENTENCE_END.finditer(text, lo, start):
        begin = m.end()
    while begin < start and text[begin].isspace():
        begin += 1
    m = _SENTENCE_END.search(text, max(end, begin), hi)
    finish = m.end() if m and m.group() != "\n" else (m.start() if m else hi)
    while finish > begin and text[finish - 1].isspace():
        finish -= 1
    return begin, max(finish, end)


def _passages(text: str, found: list[tuple[int, int]], scope: str, kind: str,
              units: list[tuple[int, int, str | None]]) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """The passages to code for one document's hits, overlapping ones merged."""
    if not found:
        return []
    if scope == "hit":
        spans = [(s, e) for s, e in found]
    else:
        blocks = _blocks(text, kind, units, scope)
        starts = [b[0] for b in blocks]
        spans = []
        for s, e in found:
            i = max(bisect_right(starts, s) - 1, 0)
            j = max(bisect_right(starts, max(s, e - 1)) - 1, i)
            lo, hi = min(blocks[i][0], s), max(blocks[j][1], e)
            spans.append(_sentence(text, lo, hi, s, e) if scope == "sentence" else (lo, hi))
    merged: list[list[Any]] = []
    for (s, e), hit in sorted(zip(spans, found)):
        if merged and (s < merged[-1][1] or (s, e) == (merged[-1][0], merged[-1][1])):
            merged[-1][1] = max(merged[-1][1], e)
            merged[-1][2].append(hit)
        else:
            merged.append([s, e, [hit]])
    return [(s, e, hits) for s, e, hits in merged]


def _mark_covered(store: Store, result: Preview) -> None:
    have = batch.covered(store, result.coder, result.theme_id, [h.document_id for h in result.hits])
    if not have:
        return
    result.hits = [
        Hit(h.document_id, h.document, h.case, h.start, h.end, h.matches,
            batch.is_covered(batch.Span(h.document_id, h.start, h.end), have.get(h.document_id, ())))
        for h in result.hits
    ]


def apply(store: Store, result: Preview) -> batch.BatchResult:
    """Code the previewed passages: one action, one undo; refused if a text changed since."""
    changed = _changed(store, result)
    if changed:
        raise InputError(f"{len(changed)} document(s) changed since the preview ({', '.join(changed[:5])}); "
                         "search again before coding.")
    spans = [batch.Span(h.document_id, h.start, h.end) for h in result.new]
    details = {**result.search.describe(), "matches": result.matches, "documents": result.documents}
    return batch.add_many(store, result.coder, result.theme_id, spans, how="autocode", details=details,
                          texts=result.texts)


def _changed(store: Store, result: Preview) -> list[str]:
    names = {h.document_id: h.document for h in result.hits}
    changed: list[str] = []
    for chunk in batch.chunks(list(result.hashes)):
        rows = store.query(f"SELECT id, sha256 FROM documents WHERE id IN ({','.join('?' * len(chunk))})",
                           list(chunk))
        found = {r["id"]: r["sha256"] for r in rows}
        changed.extend(names.get(d, str(d)) for d in chunk if found.get(d) != result.hashes[d])
    return changed
