"""Codings from scripts and spreadsheets (``framework code import``).

Each row names a ``document`` (name or id; or ``case`` when the case has one
document), a ``theme`` id, and either ``start``/``end`` offsets or the ``quote``
itself, plus an optional ``memo``. A quote is placed by
:func:`framework.coding.anchoring.place_quote`: exactly, or by fuzzy alignment on
whole words scoring at least ``min_score`` (each such row is reported with its
score); a quote found more than once needs an ``occurrence`` (1, 2, ...) or a
``line`` column to say which. Every row is checked before anything is written:
rows that cannot be used (lines that are not JSON included) are listed with their
line or row numbers and nothing is committed, unless ``skip_bad`` is set.

The texts the quotes were placed in are checked again in the transaction that
writes the codings: if another process changed a document meanwhile, nothing is
written and the import says so.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from framework.coding.actions import check_coder
from framework.coding.anchoring import DEFAULT_MIN_SCORE, Lines, Placement, context, inside_word, place_quote, word_span
from framework.errors import InputError
from framework.ingest.tables import header_key, jsonl_records, read_table
from framework.ingest.text import decode
from framework.reports import Progress, problem_list
from framework.store import Document, Store, Theme, now
from framework.store.backups import backup_before
from framework.store.repo import did_you_mean

FORMATS = ("jsonl", "csv", "tsv", "xlsx")
STDIN = "stdin"


@dataclass(frozen=True)
class FuzzyRow:
    """A row whose quote was not placed exactly on whole words as given: where, how well, on which words.

    Either placed by fuzzy match (``placed`` is the text coded), or found as written
    inside longer words (``partial``; ``placed`` is then those whole words).
    """

    where: str
    document: str
    line: int
    score: float
    placed: str
    partial: bool = False

    def describe(self) -> str:
        flat = " ".join(self.placed.split())
        flat = repr(flat[:70] + ("…" if len(flat) > 70 else ""))
        if self.partial:
            return (f"{self.where}: found as written, but it begins or ends inside a word, in {self.document} "
                    f"line {self.line}: {flat}")
        return f"{self.where}: placed by fuzzy match (score {self.score:.1f}) in {self.document} line {self.line}: {flat}"


@dataclass
class CodeImportReport:
    """What a code import did: counts, fuzzy placements and skipped rows."""

    added: int = 0
    duplicates: int = 0
    fuzzy: list[FuzzyRow] = field(default_factory=list)
    partial: list[FuzzyRow] = field(default_factory=list)
    """Quotes found as written but beginning or ending inside a word."""
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        line = f"codings: {self.added} added"
        if self.duplicates:
            line += f", {self.duplicates} already present"
        if self.fuzzy:
            line += f" ({len(self.fuzzy)} quotes placed by fuzzy match, listed below)"
        if self.partial:
            line += f" ({len(self.partial)} quotes cut inside words, listed below)"
        if self.skipped:
            line += f"; {len(self.skipped)} rows skipped"
        return line


@dataclass(frozen=True)
class _Rows:
    rows: list[dict[str, Any]]
    numbers: list[int]
    unit: str
    problems: list[str]


# -- reading ---------------------------------------------------------------------------------


def _format_of(path: Path, fmt: str | None) -> str:
    if fmt:
        return fmt
    if str(path) == "-":
        return "jsonl"
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("jsonl", "csv", "tsv", "xlsx"):
        return suffix
    if suffix == "txt":
        return "csv"
    raise InputError(f"{path}: codings can be imported from .jsonl, .csv, .tsv or .xlsx files.")


def _jsonl_rows(data: bytes, label: str) -> _Rows:
    """Every JSON object of a JSON Lines text; every line that is not one becomes a problem."""
    text, _encoding = decode(data, label)
    problems: list[str] = []
    records = list(jsonl_records(label, text, problems.append))
    return _Rows([r.data for r in records], [r.line for r in records], "line", problems)


def _table_rows(path: Path, data: bytes | None, fmt: str) -> tuple[_Rows, list[str]]:
    """The rows of a table, and its columns as written."""
    if data is None:
        table = read_table(path)
    else:
        with tempfile.TemporaryDirectory() as folder:
            temporary = Path(folder) / f"{STDIN}.{fmt}"
            temporary.write_bytes(data)
            try:
                table = read_table(temporary)
            except InputError as exc:
                raise InputError(str(exc).replace(str(temporary), STDIN)) from None
    return _Rows(list(table.rows), list(table.row_numbers), "row", []), table.columns


COLUMNS = ("document", "case", "theme", "start", "end", "quote", "memo", "occurrence", "line")
"""The fields a row may have. A file's column names are compared without capitals (``Theme``,
``CASE_ID``), and the names of :data:`ALIASES` are taken too."""
ALIASES = {"case_id": "case", "caseid": "case", "document_id": "document", "document_name": "document",
           "doc": "document", "theme_id": "theme", "code": "theme", "code_id": "theme", "text": "quote"}


def _field(name: str) -> str:
    key = header_key(name)
    return ALIASES.get(key, key)


def _named(row: Any) -> Any:
    """A row with its fields named as :data:`COLUMNS` names them (a row that is no mapping as it is)."""
    if not isinstance(row, Mapping):
        return row
    named: dict[str, Any] = {}
    for name, value in row.items():
        named.setdefault(_field(str(name)), value)
    return named


def _check_columns(label: str, columns: list[str]) -> None:
    """Refuse a table whose columns cannot make a coding, naming the columns expected."""
    fields = {_field(c) for c in columns}
    if {"document", "case"} & fields and "theme" in fields and ("quote" in fields or {"start", "end"} <= fields):
        return
    found = ", ".join(repr(c) for c in columns[:10]) + (" ..." if len(columns) > 10 else "")
    raise InputError(f"{label}: the first row must name the columns: document (or case), theme, and start and "
                     "end or quote; memo, occurrence and line may follow (any capitals: Document, CASE_ID). "
                     f"Found {found or 'no columns'}.")


def read_rows(path: Path, *, data: bytes | None = None, fmt: str | None = None) -> _Rows:
    """The rows of a codings file (or of ``data`` read from standard input when ``path`` is ``-``),
    with their fields named as :data:`COLUMNS` names them."""
    fmt = _format_of(path, fmt)
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}.")
    label = STDIN if data is not None else str(path)
    if fmt == "jsonl":
        if data is None:
            from framework.ingest.formats import MAX_BYTES, read_bytes

            data = read_bytes(path, MAX_BYTES)
        found = _jsonl_rows(data, label)
        return _Rows([_named(row) for row in found.rows], found.numbers, found.unit, found.problems)
    if fmt == "xlsx" and data is not None:
        raise InputError("a spreadsheet cannot be read from standard input; give the .xlsx file's name.")
    found, columns = _table_rows(path, data, fmt)
    _check_columns(label, columns)
    return _Rows([_named(row) for row in found.rows], found.numbers, found.unit, found.problems)


# -- checking and placing each row -----------------------------------------------------------


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    return int(text)


class _Placer:
    """Checks rows against the project and places them; keeps each document's text and lines."""

    def __init__(self, store: Store, coder: str, min_score: float) -> None:
        self.store, self.coder, self.min_score = store, coder, min_score
        self.docs = {d.name: d for d in store.documents.list()}
        self.by_id = {str(d.id): d for d in self.docs.values()}
        self.per_case: dict[str, list[Document]] = {}
        for d in self.docs.values():
            self.per_case.setdefault(d.case, []).append(d)
        self.themes: dict[str, Theme] = {t.id: t for t in store.themes.list()}
        self.texts: dict[int, tuple[str, str, Lines | None]] = {}
        self.stamp = now()
        self.fuzzy: list[FuzzyRow] = []
        self.partial: list[FuzzyRow] = []

    def text(self, doc: Document) -> tuple[str, str]:
        """The document's text and the content hash it had when read (one query)."""
        if doc.id not in self.texts:
            text, sha = self.store.documents.text_and_hash(doc.id)
            self.texts[doc.id] = (text, sha, None)
        text, sha, _ = self.texts[doc.id]
        return text, sha

    def lines(self, doc: Document) -> Lines:
        text, sha, lines = self.texts[doc.id]
        if lines is None:
            lines = Lines(text)
            self.texts[doc.id] = (text, sha, lines)
        return lines

    def document(self, row: dict[str, Any], where: str) -> Document:
        doc_key = str(row.get("document") or "").strip()
        case_key = str(row.get("case") or "").strip()
        doc = self.docs.get(doc_key) or self.by_id.get(doc_key)
        if doc is None and not doc_key and case_key:
            candidates = self.per_case.get(case_key, [])
            if len(candidates) > 1:
                raise InputError(f"{where}: case {case_key!r} has {len(candidates)} documents; name the document instead.")
            doc = candidates[0] if candidates else None
        if doc is None:
            if doc_key:
                raise InputError(f"{where}: document {doc_key!r} is not in the project.{did_you_mean(doc_key, self.docs)}")
            raise InputError(f"{where}: case {case_key!r} is not in the project." if case_key
                             else f"{where}: no document or case given.")
        return doc

    def theme(self, row: dict[str, Any], where: str) -> str:
        theme_id = str(row.get("theme") or "").strip()
        if not theme_id:
            raise InputError(f"{where}: no theme given.")
        if theme_id not in self.themes:
            raise InputError(f"{where}: theme {theme_id!r} is not in the framework.{did_you_mean(theme_id, self.themes)}")
        if self.themes[theme_id].archived:
            raise InputError(f"{where}: theme {theme_id!r} is archived.")
        return theme_id

    def span(self, row: dict[str, Any], doc: Document, where: str) -> tuple[int, int]:
        text, _sha = self.text(doc)
        try:
            start, end = _int(row.get("start")), _int(row.get("end"))
            occurrence, line = _int(row.get("occurrence")), _int(row.get("line"))
        except (TypeError, ValueError):
            raise InputError(f"{where}: start, end, occurrence and line must be whole numbers.") from None
        quote = row.get("quote")
        if start is not None or end is not None:
            if start is None or end is None:
                raise InputError(f"{where}: give both start and end, or a quote.")
            if start < 0 or end <= start or end > len(text):
                reason = (
                    "offsets must not be negative" if start < 0 else
                    f"end ({end}) must be after start ({start})" if end <= start else
                    f"end {end} is past the end of {doc.name} ({len(text)} characters)"
                )
                raise InputError(f"{where}: {reason}.")
            return start, end
        if not quote or not str(quote).strip():
            raise InputError(f"{where}: give start and end offsets or a quote.")
        quote = str(quote)
        placed = place_quote(text, quote, min_score=self.min_score, occurrence=occurrence, line=line,
                             lines=self.lines(doc))
        if not isinstance(placed, Placement):
            message = placed.message(doc.name, quote, min_score=self.min_score,
                                     choose='an "occurrence" (1, 2, ...) or "line" column')
            raise InputError(f"{where}: {message}")
        if placed.method == "fuzzy":
            self.fuzzy.append(FuzzyRow(where, doc.name, self.lines(doc).line(placed.start), placed.score,
                                       text[placed.start:placed.end]))
        elif inside_word(text, placed.start) or inside_word(text, placed.end):
            self.partial.append(FuzzyRow(where, doc.name, self.lines(doc).line(placed.start), placed.score,
                                         text[slice(*word_span(text, placed.start, placed.end))], partial=True))
        return placed.start, placed.end

    def row(self, row: dict[str, Any], where: str) -> dict[str, Any]:
        doc = self.document(row, where)
        theme_id = self.theme(row, where)
        start, end = self.span(row, doc, where)
        text, _sha = self.text(doc)
        before, after = context(text, start, end)
        return {
            "coder": self.coder, "document_id": doc.id, "theme_id": theme_id, "start": start, "end": end,
            "quote": text[start:end], "before": before, "after": after, "memo": str(row.get("memo") or ""),
            "detached": 0, "created_at": self.stamp, "updated_at": self.stamp,
        }


# -- the import ---------------------------------------------------------------------------------


def import_codings(
    store: Store,
    path: Path,
    *,
    coder: str,
    min_score: float = DEFAULT_MIN_SCORE,
    skip_bad: bool = False,
    progress: Progress | None = None,
    data: bytes | None = None,
    fmt: str | None = None,
) -> CodeImportReport:
    """Import the codings of a file (or of ``data`` from standard input); see the module docstring."""
    check_coder(coder)
    source = read_rows(path, data=data, fmt=fmt)
    label = STDIN if data is not None else str(path)
    if not source.rows and not source.problems:
        raise InputError(f"{label}: no codings found in this file.")
    placer = _Placer(store, coder, min_score)
    problems = list(source.problems)
    ready: list[dict[str, Any]] = []
    for i, (row, number) in enumerate(zip(source.rows, source.numbers)):
        if progress and i % 5000 == 0:
            progress(i, len(source.rows), "placing codings")
        try:
            ready.append(placer.row(row, f"{label}: {source.unit} {number}"))
        except InputError as exc:
            problems.append(str(exc))
    if problems and not skip_bad:
        raise InputError(problem_list(_by_position(problems), "nothing was imported; fix them or use --skip-bad"))
    report = CodeImportReport(fuzzy=placer.fuzzy, partial=placer.partial, skipped=_by_position(problems))
    if ready:
        backup_before(store, "before-code-import")
    _write(store, coder, label, ready, placer, report)
    return report


def _by_position(problems: list[str]) -> list[str]:
    """Problems in the order of their line or row in the file."""
    import re

    def key(problem: str) -> int:
        found = re.search(r": (?:line|row) (\d+)", problem)
        return int(found.group(1)) if found else 0

    return sorted(problems, key=key)


def _write(store: Store, coder: str, label: str, ready: list[dict[str, Any]], placer: _Placer,
           report: CodeImportReport) -> None:
    columns = list(ready[0]) if ready else []
    with store.write() as conn:
        _check_unchanged(store, placer)
        store.ensure_coder(coder)
        before_count = store.codings.count()
        if ready:
            quoted = ", ".join(f'"{c}"' for c in columns)
            conn.executemany(
                f"INSERT OR IGNORE INTO codings({quoted}) VALUES ({','.join('?' * len(columns))})",
                [tuple(r[c] for c in columns) for r in ready],
            )
        report.added = store.codings.count() - before_count
        report.duplicates = len(ready) - report.added
        store.log(coder, "code.import", {
            "file": label, "added": report.added, "duplicates": report.duplicates,
            "skipped": len(report.skipped), "fuzzy": [
                {"row": f.where, "document": f.document, "line": f.line, "score": f.score}
                for f in report.fuzzy
            ],
        })


def _check_unchanged(store: Store, placer: _Placer) -> None:
    """Inside the write: refuse if a document's text changed since its quotes were placed."""
    changed = [
        doc_id for doc_id, (_text, sha, _lines) in placer.texts.items()
        if store.scalar("SELECT sha256 FROM documents WHERE id = ?", (doc_id,)) != sha
    ]
    if changed:
        names = [d.name for d in placer.docs.values() if d.id in changed]
        raise InputError(
            f"{', '.join(sorted(names))}: the text changed (another process imported a new version) while "
            "the codings were being placed; nothing was imported. Run the import again."
        )
