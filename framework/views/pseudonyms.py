"""What the pseudonym key screen reads and works out, in thread workers (no Textual here).

The key file is read and written only through :mod:`framework.confidentiality.key`. This module adds
what the screen shows around it: where the key is kept (a per-user project setting), the
project's texts, how often each key term is found in them, suggested names with a guessed
kind and the next free pseudonym of that kind ("Person 3"), and a sample sentence before
and after the key is applied.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from framework.confidentiality.key import (
    Pseudonymiser,
    add_entry,
    check_key_location,
    mark,
    read_key,
    remove_entry,
)
from framework.confidentiality.match import canonical
from framework.confidentiality.suggest import suggest
from framework.errors import InputError
from framework.project import Project
from framework.store import Store

KEY_SETTING = "pseudonym_key"
"""The project setting that remembers the key file (a path; relative to the project folder)."""


Entry = tuple[str, str]
"""A key row: ``(term, replacement)`` as written in the file."""

Texts = list[tuple[str, str]]
"""The project's documents as ``(name, text)``."""


# -- where the key is kept ------------------------------------------------------------------------


def resolve_key_path(project: Project, value: str) -> Path:
    """A key path as typed: ``~`` expanded; a relative path is read from the project folder."""
    path = Path(value.strip()).expanduser()
    return Path(os.path.normpath(path if path.is_absolute() else project.root / path))


def saved_key_path(project: Project) -> Path | None:
    """The key file remembered for this project, if one was chosen."""
    value = project.settings().get(KEY_SETTING)
    return resolve_key_path(project, value) if isinstance(value, str) and value.strip() else None


def check_key_choice(project: Project, value: str) -> str:
    """The value to remember for a typed key path; raises :class:`InputError` for an empty
    path, a folder, or a place inside ``exports/`` (with the core's message)."""
    value = value.strip()
    if not value:
        raise InputError("give the path of the key file, e.g. ../pseudonym-key.csv")
    path = resolve_key_path(project, value)
    check_key_location(path, project.exports_dir)
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give the key file (a .csv).")
    return value


def display_path(project: Project, path: Path) -> str:
    """The key path as shown: relative to the project folder when that is short."""
    try:
        relative = os.path.relpath(path, project.root)
    except ValueError:
        return str(path)
    return relative if not relative.startswith(os.path.join("..", "..", "..")) else str(path)


# -- reading and changing the key ------------------------------------------------------------------


Stamp = tuple[int, int, int]
"""What changes whenever a file is written: its modification time, size and inode."""


def key_stamp(path: Path | None) -> Stamp | None:
    """The key file's :data:`Stamp` (None: no key chosen, or no file yet)."""
    if path is None:
        return None
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


@dataclass(frozen=True)
class KeyState:
    """The key file as last read."""

    path: Path | None
    entries: list[Entry]
    exists: bool = False
    error: str | None = None
    """Why the file could not be read (it is then shown empty and left as it is)."""
    stamp: Stamp | None = None
    """The file's stamp when it was read: another stamp means it was written since."""


def read_key_state(path: Path | None) -> KeyState:
    stamp = key_stamp(path)
    if path is None:
        return KeyState(None, [])
    if not path.exists():
        return KeyState(path, [])
    try:
        return KeyState(path, read_key(path)[0], exists=True, stamp=stamp)
    except InputError as exc:
        return KeyState(path, [], exists=True, error=str(exc), stamp=stamp)


class KeyChanged(InputError):
    """The key's row for a term is not the one shown: the file was changed elsewhere meanwhile."""


def _row(path: Path, term: str) -> Entry | None:
    """The key's row for ``term`` (any spelling that folds alike) as the file holds it now."""
    entries = read_key(path)[0] if path.exists() else []
    fold = canonical(term)
    return next((entry for entry in entries if canonical(entry[0]) == fold), None)


def check_row(path: Path, term: str, shown: Entry | None) -> None:
    """Refuse a change to ``term`` when the file's row for it is not ``shown`` (None: not in the key)."""
    found = _row(path, term)
    if found == shown:
        return
    if shown is None:
        assert found is not None
        what = f"{found[0]} was added to the key meanwhile (→ {mark(found[1])})"
    elif found is None:
        what = f"{shown[0]} was deleted from the key meanwhile"
    else:
        what = f"{shown[0]} → {mark(shown[1])} was changed in the key meanwhile to {found[0]} → {mark(found[1])}"
    raise KeyChanged(f"{path.name}: {what}, by another program or person; nothing was changed. The key is read "
                     "again: change it as it is now.")


def add_new_entry(path: Path, term: str, replacement: str) -> str:
    """Add a term that was not in the key as shown (refused if it was added meanwhile)."""
    check_row(path, term, None)
    return add_entry(path, term, replacement)


def delete_entry(path: Path, entry: Entry) -> bool:
    """Delete a row as shown (refused if it was changed or deleted meanwhile)."""
    check_row(path, entry[0], entry)
    return remove_entry(path, entry[0])


def replace_entry(path: Path, old: Entry, term: str, replacement: str) -> str:
    """Change the key row ``old`` to ``term -> replacement`` (through the core's add and
    remove). A term whose spelling changes moves to the end of the key. Returns ``"changed"``.
    Refused (:class:`KeyChanged`) when ``old`` is no longer in the file as it was, or a new
    spelling was added meanwhile."""
    term = " ".join(term.split())
    check_row(path, old[0], old)
    if canonical(term) != canonical(old[0]):
        check_row(path, term, None)
    if canonical(term) != canonical(old[0]):
        add_entry(path, term, replacement)
        remove_entry(path, old[0])
    elif term == old[0]:
        add_entry(path, term, replacement)
    else:  # the same term spelt otherwise (capitals, accents): the core keeps the first spelling, so re-add it
        remove_entry(path, old[0])
        try:
            add_entry(path, term, replacement)
        except BaseException:
            add_entry(path, *old)
            raise
    return "changed"


# -- the texts, counts and suggestions ---------------------------------------------------------------


def load_texts(store: Store) -> Texts:
    """Every document's name and text (transcripts and survey answers, as the CLI suggests from)."""
    return [(doc.name, store.documents.text(doc.id)) for doc in store.documents.list()]


def texts_stamp(store: Store) -> tuple[object, ...]:
    """What changes when the texts or case names suggestions come from change (added, removed, imported again)."""
    return tuple(store.tuples(
        "SELECT count(*), max(id), max(updated_at), (SELECT count(*) FROM cases), (SELECT max(id) FROM cases) "
        "FROM documents")[0])


def case_names(store: Store) -> list[str]:
    """Every case's name (case ids can hold names too)."""
    return [case.name for case in store.cases.list()]


def term_counts(entries: Sequence[Entry], texts: Texts) -> dict[str, int]:
    """How often each key term is replaced in the texts, by its case-folded term."""
    key = Pseudonymiser(entries)
    counts: Counter[str] = Counter()
    for _, text in texts:
        counts.update(m.term.casefold() for m in key.matches(text))
    return {term.casefold(): counts[term.casefold()] for term, _ in entries}


@dataclass(frozen=True)
class Candidate:
    """A suggested term: a capitalised name found in the texts, not yet in the key."""

    term: str
    count: int
    documents: int
    kind: str
    """A guess, from the words in and around it: Person, Place or Organisation."""


def candidates(texts: Texts, entries: Sequence[Entry], cases: Sequence[str] = ()) -> list[Candidate]:
    """The core's suggestions (terms already in the key left out), each with a guessed kind;
    names in the documents' names and in ``cases`` (case names) are suggested too.

    Counted as the key would count them with the suggestion added, in the texts and in the
    names: where a key term covers a suggested one ("Hill" inside "Margaret Hill"), the key's
    term wins, and a suggestion left with no occurrence of its own is dropped.
    """
    key = Pseudonymiser(entries) if entries else None
    names = [name for name, _ in texts] + list(cases)
    found = suggest([text for _, text in texts], key=key, names=names)
    if not found:
        return []
    suggested = {s.term.casefold(): s for s in found}
    counter = Pseudonymiser([*entries, *((s.term, s.term) for s in found)])
    counts: Counter[str] = Counter()
    documents: Counter[str] = Counter()
    for name, text in texts:
        here = Counter(fold for m in counter.matches(text) if (fold := m.term.casefold()) in suggested)
        in_name = {m.term.casefold() for m in counter.matches(name)} & suggested.keys()
        counts.update(here)
        counts.update(in_name)
        documents.update(here.keys() | in_name)
    for name in dict.fromkeys(cases).keys() - {name for name, _ in texts}:
        counts.update({m.term.casefold() for m in counter.matches(name)} & suggested.keys())
    out = [Candidate(s.term, counts[fold], documents[fold], s.kind) for fold, s in suggested.items() if counts[fold]]
    return sorted(out, key=lambda c: (-c.count, c.term.casefold()))


def next_replacement(kind: str, entries: Sequence[Entry]) -> str:
    """The first pseudonym of a kind not yet used in the key: ``Person 3`` after ``Person 2``."""
    pattern = re.compile(rf"\[?\s*{re.escape(kind)}\s+(\d+)\s*\]?", re.IGNORECASE)
    used = [int(m.group(1)) for _, replacement in entries if (m := pattern.fullmatch(replacement.strip()))]
    return f"{kind} {max(used, default=0) + 1}"


# -- a sample sentence --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """A sentence with the term, before and after the key is applied."""

    term: str
    document: str
    before: str
    span: tuple[int, int]
    """Where the term is in ``before``."""
    after: str
    replaced: tuple[int, int]
    """Where the term's replacement is in ``after``."""
    others: list[tuple[int, int]]
    """Where other terms' replacements are in ``after``."""


_SENTENCE_END = ".!?\n"
SAMPLE_TRIES = 200


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    left = max(text.rfind(ch, 0, start) for ch in _SENTENCE_END) + 1
    stops = [i for ch in _SENTENCE_END if (i := text.find(ch, end)) >= 0]
    right = min(stops, default=len(text))
    if right < len(text) and text[right] != "\n":
        right += 1
    while left < start and text[left].isspace():
        left += 1
    while right > end and text[right - 1].isspace():
        right -= 1
    return left, right


def sample(texts: Texts, entries: Sequence[Entry], term: str, replacement: str | None = None) -> Sample | None:
    """The first sentence in the texts where the key (with ``term -> replacement`` added, when
    given) replaces ``term``; ``None`` when the term is not found."""
    term = " ".join(term.split())
    rows = [e for e in entries if canonical(e[0]) != canonical(term)] if replacement else list(entries)
    if replacement:
        rows.append((term, replacement))
    try:
        key = Pseudonymiser(rows)
    except InputError:
        return None
    finder = Pseudonymiser([(term, term)])
    first: Sample | None = None
    tries = 0
    for name, text in texts:
        for m in finder.matches(text):
            left, right = _sentence(text, m.start, m.end)
            sentence = text[left:right]
            span = (m.start - left, m.end - left)
            found = key.matches(sentence)
            others = [(k.start, k.end) for k in found if (k.start, k.end) != span]
            after, moved = key.apply_with_offsets(sentence, [span, *others])
            result = Sample(term, name, sentence, span, after, moved[0], moved[1:])
            if any((k.start, k.end) == span for k in found):
                return result
            first = first or result
            tries += 1
            if tries >= SAMPLE_TRIES:
                return first
    return first


def clip(text: str, span: tuple[int, int], context: int) -> tuple[str, tuple[int, int]]:
    """``text`` starting at most ``context`` characters before ``span`` (at a word), marked
    with an ellipsis where cut; and the span moved to match."""
    start = span[0]
    if start <= context:
        return text, span
    cut = text.find(" ", start - context, start)
    cut = start - context if cut < 0 else cut + 1
    return "…" + text[cut:], (span[0] - cut + 1, span[1] - cut + 1)
