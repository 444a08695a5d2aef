"""Pseudonymisation: replacing names of people, places and organisations in what is exported.

A pseudonym key is a CSV file with the columns ``term`` and ``replacement``::

    term,replacement
    Margaret Hill,Director A
    Northshire,County 1

kept wherever the team chooses (never under the project's ``exports/``). Applying a key
replaces every occurrence of every term, found by the one matcher of
:mod:`framework.confidentiality.match` (the leak check uses the same one):

* longest term first: "Margaret Hill" is replaced as one before "Margaret" is considered;
* whole words, where digits, ``_``, ``-``, ``.`` and camel-case joins separate words too:
  "Northshire" is replaced in "Northshire's", "northshire_team" and "NORTHSHIRE01", not
  inside "Northshireton" (give "Northshireton" its own row);
* folded: capitals, accents (``Jürgen``, ``Jurgen``, ``Juergen``), ``ß``/``ss`` and
  full-width letters do not matter, so the same replacement is used everywhere;
* the spaces inside a term match any run of white space, ``_``, ``-`` or ``.`` (line
  breaks included): "Margaret Hill" is found in "Margaret-Hill-interview";
* replacements are marked in brackets: ``[Director A]`` (a replacement already written
  in brackets is kept as it is).

Two terms that fold to the same words ("Zoë" and "Zoe") are one term: they must have the
same replacement.

Stored texts are never changed: exporters call :meth:`Pseudonymiser.apply` on the text
they write, or :meth:`Pseudonymiser.apply_with_offsets` when they also write offsets
into that text.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from framework.confidentiality.match import Matcher, canonical
from framework.errors import InputError
from framework.fileio import write_atomic

KEY_COLUMNS = ("term", "replacement")
MAX_KEY_BYTES = 5 * 1024 * 1024
MAX_TEXT_BYTES = 200 * 1024 * 1024


def mark(replacement: str) -> str:
    """A replacement as it appears in exports: in brackets."""
    text = " ".join(replacement.split())
    return text if text.startswith("[") and text.endswith("]") else f"[{text}]"


@dataclass(frozen=True)
class Match:
    """One occurrence of a key term in a text."""

    start: int
    end: int
    term: str
    replacement: str


class Pseudonymiser:
    """A pseudonym key, ready to apply."""

    def __init__(self, entries: Iterable[tuple[str, str]], *, path: Path | None = None,
                 sha256: str | None = None) -> None:
        self.entries: list[tuple[str, str]] = []
        self._by_fold: dict[str, tuple[str, str]] = {}
        for term, replacement in entries:
            term = " ".join(term.split())
            fold = canonical(term)
            if not fold:
                continue
            if fold in self._by_fold:
                if self._by_fold[fold][1] != mark(replacement):
                    raise InputError(f"the term {term!r} is given two different replacements.")
                continue
            self._by_fold[fold] = (term, mark(replacement))
            self.entries.append((term, mark(replacement)))
        self.path = path
        self.sha256 = sha256 or hashlib.sha256(key_text(self.entries).encode("utf-8")).hexdigest()
        self._matcher = Matcher([term for term, _ in self.entries])
        replacements = sorted({r for _, r in self.entries}, key=lambda r: (-len(r), r))
        self._replacements = re.compile("|".join(map(re.escape, replacements))) if replacements else None

    @classmethod
    def load(cls, path: Path | str) -> Pseudonymiser:
        """Read a key file (see :func:`read_key`)."""
        path = Path(path)
        entries, digest = read_key(path)
        return cls(entries, path=path, sha256=digest)

    @property
    def terms(self) -> list[str]:
        return [term for term, _ in self.entries]

    def replacement_for(self, text: str) -> str | None:
        """The replacement of ``text`` when it is one of the key's terms (as the matcher folds it)."""
        found = self._by_fold.get(canonical(text))
        return found[1] if found else None

    def matches(self, text: str) -> list[Match]:
        """Every occurrence of a term, left to right, the longest term at each place."""
        return [Match(f.start, f.end, *self.entries[f.index]) for f in self._matcher.find(text)]

    def apply(self, text: str) -> str:
        """``text`` with every term replaced by its bracketed replacement."""
        if not text:
            return text
        return self.apply_with_offsets(text, ())[0]

    def apply_with_offsets(
        self, text: str, spans: Iterable[tuple[int, int]]
    ) -> tuple[str, list[tuple[int, int]]]:
        """``text`` pseudonymised, and ``spans`` (``(start, end)`` offsets into ``text``)
        moved to the same words in the new text.

        A span edge inside a replaced term moves outwards to the edge of its replacement,
        so a span always covers the whole replacement of any term it touches.
        """
        found = self.matches(text) if self.entries else []
        pieces: list[str] = []
        starts: list[int] = []  # old start of each match
        ends: list[int] = []
        new_starts: list[int] = []
        new_ends: list[int] = []
        at = 0
        length = 0
        for m in found:
            pieces.append(text[at:m.start])
            length += m.start - at
            starts.append(m.start)
            ends.append(m.end)
            new_starts.append(length)
            pieces.append(m.replacement)
            length += len(m.replacement)
            new_ends.append(length)
            at = m.end
        pieces.append(text[at:])
        new_text = "".join(pieces)

        from bisect import bisect_right

        def move(pos: int, is_end: bool) -> int:
            i = bisect_right(starts, pos) - 1  # the last match starting at or before pos
            if i < 0:
                return pos
            if pos >= ends[i]:
                return new_ends[i] + (pos - ends[i])
            if pos == starts[i]:
                return new_starts[i]
            return new_ends[i] if is_end else new_starts[i]

        moved = [(move(s, False), move(e, True)) for s, e in spans]
        return new_text, moved

    def excerpts(self, text: str, spans: Iterable[tuple[int, int]]) -> list[str]:
        """The pseudonymised passage of each span of ``text`` (a whole document), replaced in
        context: a term cut by a span edge is still replaced whole, and a word cut so that
        it becomes a term ("Oakfield" cut from "Oakfieldton") is replaced too."""
        new_text, moved = self.apply_with_offsets(text, spans)
        return [self.seal(new_text[start:end]) if _splits_word(new_text, start, end) else new_text[start:end]
                for start, end in moved]

    def seal(self, cut: str) -> str:
        """A piece cut from pseudonymised text with the terms the cut itself made replaced
        (the key's own replacements are left as they are)."""
        for m in reversed(self.leaks(cut)):
            cut = cut[:m.start] + m.replacement + cut[m.end:]
        return cut

    def find(self, text: str) -> Counter[str]:
        """How often each term still occurs in ``text`` (already-marked replacements are
        skipped, so a pseudonymised export does not report its own replacements)."""
        return Counter(m.term for m in self.leaks(text))

    def leaks(self, text: str) -> list[Match]:
        """The terms still in ``text``, its own bracketed replacements left aside."""
        return self.matches(self.blank_replacements(text))

    def blank_replacements(self, text: str) -> str:
        """``text`` with each of the key's replacements blanked out by as many NUL characters
        (so offsets stay those of ``text``, and words on either side stay apart)."""
        if "[" not in text or self._replacements is None:
            return text
        return self._replacements.sub(lambda m: "\x00" * len(m.group()), text)


# -- the key file ------------------------------------------------------------------------------


def _splits_word(text: str, start: int, end: int) -> bool:
    """Whether cutting ``text[start:end]`` cuts through a word at either edge (only then can
    the cut make a new word that is a term)."""
    return (0 < start < len(text) and text[start - 1].isalnum() and text[start].isalnum()) or \
        (0 < end < len(text) and text[end - 1].isalnum() and text[end].isalnum())


def key_text(entries: Sequence[tuple[str, str]]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(KEY_COLUMNS)
    for term, replacement in entries:
        writer.writerow([term, replacement])
    return buffer.getvalue()


def read_key(path: Path) -> tuple[list[tuple[str, str]], str]:
    """The ``(term, replacement)`` rows of a key file and the SHA-256 of its bytes."""
    try:
        if path.stat().st_size > MAX_KEY_BYTES:
            raise InputError(f"{path}: too large for a pseudonym key ({MAX_KEY_BYTES // 1048576} MB limit).")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such pseudonym key; create it with 'framework pseudonym add'.") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder; give the key file (a .csv).") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}); save the key as UTF-8 CSV.") from None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or [c.strip().lower() for c in rows[0][:2]] != list(KEY_COLUMNS):
        raise InputError(f"{path}: the first row must be 'term,replacement'.")
    entries: list[tuple[str, str]] = []
    problems: list[str] = []
    seen: dict[str, tuple[int, str]] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 2:
            problems.append(f"row {number}: needs exactly two cells (term, replacement)")
            continue
        term, replacement = (" ".join(cell.split()) for cell in row)
        if not term or not replacement:
            problems.append(f"row {number}: the term and the replacement must both be filled in")
            continue
        fold = canonical(term)
        if not fold:
            problems.append(f"row {number}: the term {term!r} has no letters or digits to look for")
            continue
        if fold in seen and mark(seen[fold][1]) != mark(replacement):
            problems.append(f"row {number}: {term!r} is also on row {seen[fold][0]} with another replacement")
            continue
        seen.setdefault(fold, (number, replacement))
        entries.append((term, replacement))
    if problems:
        raise InputError(f"{path}: " + "; ".join(problems) + ". Fix the key and try again.")
    return entries, hashlib.sha256(data).hexdigest()


def check_key_location(path: Path, exports_dir: Path | None) -> None:
    """Refuse a key kept inside the exports folder (where it would be shared with them)."""
    if exports_dir is None:
        return
    try:
        Path(path).resolve().relative_to(Path(exports_dir).resolve())
    except ValueError:
        return
    raise InputError(
        f"{path}: a pseudonym key must not be kept in {exports_dir} (exports are shared and the key "
        "would undo the pseudonyms); keep it in another folder."
    )


def add_entry(path: Path, term: str, replacement: str) -> str:
    """Add ``term -> replacement`` to the key file (created if missing), or change the
    replacement of an existing term. Returns ``"added"`` or ``"changed"``."""
    term, replacement = " ".join(term.split()), " ".join(replacement.split())
    if not term or not replacement:
        raise InputError("give a term and a replacement, e.g. 'Margaret Hill' 'Director A'.")
    entries = read_key(path)[0] if Path(path).exists() else []
    outcome = "added"
    if not canonical(term):
        raise InputError(f"the term {term!r} has no letters or digits to look for; give a name or a place.")
    for i, (old, _) in enumerate(entries):
        if canonical(old) == canonical(term):
            entries[i] = (old, replacement)
            outcome = "changed"
    if outcome == "added":
        entries.append((term, replacement))
    Pseudonymiser(entries)  # refuses clashing replacements
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    write_atomic(Path(path), key_text(entries).encode("utf-8"))
    return outcome


def remove_entry(path: Path, term: str) -> bool:
    """Remove ``term`` (any case) from the key file; whether it was there."""
    entries = read_key(Path(path))[0]
    kept = [(t, r) for t, r in entries if canonical(t) != canonical(term)]
    if len(kept) == len(entries):
        return False
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    write_atomic(Path(path), key_text(kept).encode("utf-8"))
    return True
