"""Bringing transcripts and case attributes into a project.

Every import reads and checks all its input first and writes nothing unless all of
it is usable; the write is one transaction. Importing the same file twice changes
nothing. A changed version of an already imported file replaces the stored text and
places its codings again (see :mod:`framework.coding.anchoring`); codings that cannot be
placed are kept, marked detached, and reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from framework.coding.anchoring import DEFAULT_MIN_SCORE, Placement, context, context_fit, locate
from framework.coding.realign import OffsetMap, follow
from framework.errors import InputError
from framework.ingest.formats import SUPPORTED, content_hash, read_document
from framework.ingest.tables import find_column, read_table
from framework.ingest.text import paragraphs
from framework.reports import Progress, problem_list
from framework.store import Coding, Document, NewDocument, Store


@dataclass(frozen=True)
class CodingChange:
    """A coding whose words changed when its document was replaced by a new version."""

    document: str
    coding_id: int
    coder: str
    theme_id: str
    old: str
    new: str
    line: int
    how: str
    """``edited`` (the text inside it was edited) or ``fuzzy`` (placed again by its quote)."""

    def describe(self) -> str:
        old, new = _difference(self.old, self.new)
        return (f"{self.document} line {self.line}: coding {self.coding_id} ({self.coder}, {self.theme_id}) "
                f"{old!r} -> {new!r}")


def _difference(old: str, new: str, around: int = 24, width: int = 90) -> tuple[str, str]:
    """The part of two texts that differs, with a few words either side ("…" where cut)."""
    old, new = " ".join(old.split()), " ".join(new.split())
    same_start = 0
    while same_start < min(len(old), len(new)) and old[same_start] == new[same_start]:
        same_start += 1
    same_end = 0
    while (same_end < min(len(old), len(new)) - same_start
           and old[len(old) - 1 - same_end] == new[len(new) - 1 - same_end]):
        same_end += 1
    lo = max(0, same_start - around)
    space = old.find(" ", lo, same_start)
    if lo and space != -1:
        lo = space + 1  # start on a whole word

    def cut(text: str) -> str:
        changed_end = len(text) - same_end
        hi = min(len(text), changed_end + around)
        space = text.rfind(" ", changed_end, hi)
        if hi < len(text) and space != -1:
            hi = space
        part = text[lo:hi]
        if len(part) > width:
            part = part[:width - 1] + "…"
        return ("…" if lo else "") + part + ("…" if hi < len(text) else "")

    return cut(old), cut(new)


@dataclass
class ImportReport:
    """What an import did, for the user."""

    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    reanchored: int = 0
    detached: list[tuple[str, int, str]] = field(default_factory=list)
    changed: list[CodingChange] = field(default_factory=list)
    """Codings still placed, whose text is not what it was (listed for the user to check)."""
    warnings: list[str] = field(default_factory=list)
    coded: int = 0

    def summary(self) -> str:
        parts = [f"{len(self.added)} added", f"{len(self.updated)} updated", f"{len(self.unchanged)} unchanged"]
        line = "documents: " + ", ".join(parts)
        if self.reanchored:
            line += f"; {self.reanchored} codings placed again in changed text"
        if self.changed:
            line += f" ({len(self.changed)} with changed words, listed below)"
        if self.coded:
            line += f"; {self.coded} answers coded from their question"
        return line


SAME_PLACE = 75.0
"""How well (0-100) the surroundings of an unchanged copy of a coding's words must match to be its place."""


# -- paths ---------------------------------------------------------------------------------


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files to import: given files, and supported files inside given folders (sorted)."""
    files: list[Path] = []
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder.")
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in SUPPORTED
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                raise InputError(
                    f"{path}: no files to import in this folder (looked for {', '.join(sorted(SUPPORTED))})."
                )
            files.extend(found)
        elif path.suffix.lower() not in SUPPORTED:
            raise InputError(
                f"{path}: cannot import {path.suffix or 'files without an extension'}; "
                f"supported: {', '.join(sorted(SUPPORTED))} (survey tables: framework import-survey)."
            )
        else:
            files.append(path)
    return files


def source_label(path: Path, root: Path | None) -> str:
    """How a source file is recorded: relative to the project folder when inside it."""
    resolved = path.resolve()
    if root is not None:
        try:
            return resolved.relative_to(root if root.is_absolute() else root.resolve()).as_posix()
        except ValueError:
            pass
    return str(resolved)


def units_of(text: str) -> list[tuple[int, int, str | None]]:
    return [(p.start, p.end, p.speaker) for p in paragraphs(text)]


MAX_HELD_CHARS = 32 * 1024 * 1024
"""Most text of the files of one import held at once. Past it, each further file is checked
when it is read, let go, and read again when it is written (inside the same transaction):
a folder of any size is imported in the memory of about this much text, or one file."""


@dataclass(frozen=True, slots=True)
class ReadAgain:
    """A transcript checked and let go: read again when it is written. It must not have
    changed meanwhile (same text, by its SHA-256); if it has, the import stops and nothing
    is written."""

    path: Path
    name: str
    case: str
    source: str
    sha256: str

    def load(self) -> NewDocument:
        doc = transcript(self.path, read_document(self.path), self.name, self.case, self.source)
        if doc.sha256 != self.sha256:
            raise InputError(f"{self.path}: changed while it was being imported; nothing was imported. "
                             "Import it again.")
        return doc


Prepared = NewDocument | ReadAgain
"""A document ready to be written, held whole or to be read again."""


def loaded(doc: Prepared) -> NewDocument:
    return doc.load() if isinstance(doc, ReadAgain) else doc


def transcript(path: Path, read, name: str, case: str, source: str) -> NewDocument:
    """The document a transcript file read (``read``: a ``ReadResult``) becomes."""
    return NewDocument(
        name=name, case=case, kind="transcript", source=source, text=read.text, sha256=content_hash(read.text),
        encoding=read.encoding, format=read.format, units=[(p.start, p.end, p.speaker) for p in read.paragraphs])


# -- documents -------------------------------------------------------------------------------


def import_paths(
    store: Store,
    paths: Sequence[Path],
    *,
    root: Path | None = None,
    name: str | None = None,
    case: str | None = None,
    coder: str = "import",
    progress: Progress | None = None,
) -> ImportReport:
    """Import transcripts (files or folders) as documents; see the module docstring."""
    files = expand_paths(paths)
    root = root.resolve() if root is not None else None
    if name is not None and len(files) != 1:
        raise InputError(f"--name gives one document a name, but {len(files)} files were given.")
    problems: list[str] = []
    warnings: list[str] = []
    prepared: list[tuple[Path, Prepared]] = []
    seen: dict[str, Path] = {}
    held = 0
    for i, path in enumerate(files):
        if progress:
            progress(i, len(files), f"reading {path.name}")
        doc_name = name or path.stem
        if doc_name in seen:
            problems.append(
                f"{path}: its document name {doc_name!r} is also the name of {seen[doc_name]}; "
                "rename one file or import it alone with --name."
            )
            continue
        seen[doc_name] = path
        try:
            read = read_document(path)
        except InputError as exc:
            problems.append(str(exc))
            continue
        warnings.extend(read.warnings)
        doc = transcript(path, read, doc_name, case or doc_name, source_label(path, root))
        held += len(doc.text)
        if held > MAX_HELD_CHARS and prepared:
            prepared.append((path, ReadAgain(path, doc.name, doc.case, doc.source or "", doc.sha256)))
        else:
            prepared.append((path, doc))
        del read, doc
    if problems:
        raise InputError(problem_list(problems, "nothing was imported"))
    report = write_documents(store, prepared, coder=coder, progress=progress, named=name is not None)
    report.warnings.extend(warnings)
    return report


def write_documents(
    store: Store,
    prepared: Sequence[tuple[Path, Prepared]],
    *,
    coder: str,
    progress: Progress | None = None,
    case_ids: dict[str, int] | None = None,
    named: bool = False,
) -> ImportReport:
    """Add new documents, update changed ones in place, leave the same ones alone (one transaction).

    A transcript file already imported under another name is that document, not a new one:
    with ``named`` (``--name``) it takes the new name while nothing is coded on it yet (a
    folder read on the first run, then the file imported by name), else it keeps its name
    and the report says so.
    """
    report = ImportReport()
    new: list[Prepared] = []
    changed: list[tuple[int, Prepared]] = []
    renamed: list[tuple[Document, Prepared]] = []
    problems: list[str] = []
    stored = store.documents.by_names([doc.name for _, doc in prepared])
    same_file = _same_files(store, [doc for _, doc in prepared if doc.name not in stored])
    for path, doc in prepared:
        existing = stored.get(doc.name)
        if existing is None and doc.source in same_file:
            existing = same_file[doc.source]
            if named and not store.scalar("SELECT count(*) FROM codings WHERE document_id = ?", (existing.id,)):
                renamed.append((existing, doc))
            else:
                report.warnings.append(
                    f"{path}: already imported as document {existing.name!r}; not added again as {doc.name!r}"
                    + (" (it is coded, so it keeps its name)." if named else "."))
                doc = replace(doc, name=existing.name)
        if existing is None:
            new.append(doc)
        elif existing.source != doc.source:
            problems.append(
                f"{path}: a document named {doc.name!r} was already imported from {existing.source}; "
                "give this one another name with --name, or import that file again to update it."
            )
        elif existing.sha256 == doc.sha256:
            report.unchanged.append(doc.name)
        else:
            changed.append((existing.id, doc))
    if problems:
        raise InputError(problem_list(problems, "nothing was imported"))
    with store.write():
        store.ensure_coder(coder)
        for batch in _batches(new):
            if case_ids is None:
                store.documents.insert_many(batch)
            else:
                store.documents.insert_many(batch, case_ids)
            _set_case_attributes(store, batch)
        report.added.extend(d.name for d in new)
        for document_id, doc in changed:
            _replace(store, document_id, loaded(doc), report)
        for old_doc, doc in renamed:
            _rename(store, old_doc, doc)
            report.warnings.append(f"{doc.source}: already imported as document {old_doc.name!r}, "
                                   f"now named {doc.name!r} (nothing was coded on it yet).")
        if new or changed or renamed:
            store.log(coder, "import", {
                "added": report.added, "updated": report.updated, "detached": len(report.detached),
                "renamed": [[old.name, doc.name] for old, doc in renamed],
            })
    if progress:
        progress(len(prepared), len(prepared), "done")
    return report


def _batches(docs: Sequence[Prepared]) -> Iterator[list[NewDocument]]:
    """The documents to insert: all at once when all are held, else read again a few at a
    time, about :data:`MAX_HELD_CHARS` of text in each batch."""
    if not any(isinstance(d, ReadAgain) for d in docs):
        if docs:
            yield list(docs)  # type: ignore[arg-type]
        return
    batch: list[NewDocument] = []
    held = 0
    for doc in docs:
        batch.append(loaded(doc))
        held += len(batch[-1].text)
        if held >= MAX_HELD_CHARS:
            yield batch
            batch, held = [], 0
    if batch:
        yield batch


def _same_files(store: Store, docs: Sequence[Prepared]) -> dict[str, Document]:
    """Transcripts already imported from the files of ``docs`` (under other names), by source."""
    sources = sorted({d.source for d in docs if getattr(d, "kind", "transcript") == "transcript" and d.source})
    if not sources:
        return {}
    found: dict[str, Document] = {}
    for doc in store.documents.from_sources(sources):
        found.setdefault(doc.source, doc)
    return found


def _rename(store: Store, old: Document, doc: Prepared) -> None:
    """Give a document (inside a write) the name and case it is imported with now."""
    conn = store.conn
    conn.execute("UPDATE documents SET name = ? WHERE id = ?", (doc.name, old.id))
    if doc.case == old.case:
        return
    alone = store.scalar("SELECT count(*) FROM documents WHERE case_id = ?", (old.case_id,)) == 1
    if alone and not store.scalar("SELECT count(*) FROM cases WHERE name = ?", (doc.case,)):
        conn.execute("UPDATE cases SET name = ? WHERE id = ?", (doc.case, old.case_id))
    else:
        conn.execute("UPDATE documents SET case_id = ? WHERE id = ?", (store.cases.ensure(doc.case), old.id))


def _set_case_attributes(store: Store, docs: Sequence[NewDocument]) -> None:
    names = sorted({k for d in docs for k in d.attributes})
    if not names:
        return
    store.cases.ensure_attributes(names)
    for doc in docs:
        if doc.attributes:
            store.cases.set_attributes(store.cases.ensure(doc.case), doc.attributes)


def _replace(store: Store, document_id: int, doc: NewDocument, report: ImportReport) -> None:
    """Replace a document's text and place its codings again.

    Each coding follows its words from the old text to the new one
    (:mod:`framework.coding.realign`): it keeps them exactly when the edits are
    elsewhere, and grows or shrinks with an edit inside it. A coding whose words are
    gone from where they were (a moved or rewritten passage) is placed again by its
    quote and context; one that cannot be placed is kept, detached. Every coding whose
    words are not what they were is listed in the report.
    """
    old_text = store.documents.text(document_id)
    store.documents.replace_text(document_id, doc)
    report.updated.append(doc.name)
    offsets = OffsetMap(old_text, doc.text)
    lines = None
    for coding in store.codings.list(document_id=document_id):
        placed = place_again(offsets, coding)
        if placed is None:
            store.codings.update(coding.id, {"detached": 1})  # not a coder's change: updated_at stays
            report.detached.append((doc.name, coding.id, coding.quote))
            continue
        quote = doc.text[placed.start:placed.end]
        before, after = context(doc.text, placed.start, placed.end)
        store.codings.update(coding.id, {
            "start": placed.start, "end": placed.end, "quote": quote,
            "before": before, "after": after, "detached": 0,
        })
        if (placed.start, placed.end) != (coding.start, coding.end) or placed.method != "exact":
            report.reanchored += 1
        if quote != coding.quote:
            if lines is None:
                from framework.coding.anchoring import Lines

                lines = Lines(doc.text)
            report.changed.append(CodingChange(doc.name, coding.id, coding.coder, coding.theme_id, coding.quote,
                                               quote, lines.line(placed.start), placed.method))


def place_again(offsets: OffsetMap, coding: Coding) -> Placement | None:
    """Where a coding goes in the new text: following its words, else by its quote and context."""
    old = offsets.old
    fits_old = not coding.detached and old[coding.start:coding.end] == coding.quote and coding.quote
    if fits_old:
        placed = follow(offsets, coding.start, coding.end, min_score=DEFAULT_MIN_SCORE)
        if placed is not None and placed.method == "edited":
            # The comparison can pair repeated lines wrongly: the words as they were, in
            # their own surroundings, win over an edit.
            same = locate(offsets.new, coding.quote, before=coding.before, after=coding.after, hint=placed.start,
                          fuzzy=False)
            if same is not None and context_fit(offsets.new, same.start, same.end, coding.before,
                                                coding.after) >= SAME_PLACE:
                return same
        if placed is not None:
            return placed
    return locate(offsets.new, coding.quote, before=coding.before, after=coding.after,
                  hint=None if coding.detached else coding.start)


# -- cases.csv -----------------------------------------------------------------------------------


def _is_number(value: str) -> bool:
    try:
        float(value.replace(",", ""))
    except ValueError:
        return False
    return True


CASE_COLUMNS = ("case", "case_id", "Case ID", "caseid", "case_name")
"""The names the column of case ids may have in ``cases.csv`` (compared as :func:`header_key` does)."""


def import_cases(store: Store, path: Path, *, coder: str = "import") -> tuple[int, int, list[str]]:
    """Import case attributes from a table with a ``case`` column (``Case``, ``CASE_ID``,
    ``case id`` too); every other column is an attribute.

    Returns (cases updated, cases created, warnings).
    """
    table = read_table(path)
    key = find_column(table.columns, CASE_COLUMNS)
    if key is None:
        found = ", ".join(repr(c) for c in table.columns[:8]) + (" ..." if len(table.columns) > 8 else "")
        raise InputError(
            f"{path}: no case column: name the column of case ids (the transcripts' file names without "
            f"extension) 'case' (or {', '.join(repr(c) for c in CASE_COLUMNS[1:])}; any capitals); "
            f"found {found or 'no columns'}."
        )
    attributes = [c for c in table.columns if c != key]
    seen: dict[str, int] = {}
    problems = []
    for row, number in zip(table.rows, table.row_numbers):
        name = row[key].strip()
        if not name:
            problems.append(f"{path}: row {number}: the case id is empty.")
        elif name in seen:
            problems.append(f"{path}: row {number}: case {name!r} is also on row {seen[name]}; case ids must be unique.")
        else:
            seen[name] = number
    if problems:
        raise InputError(problem_list(problems, "nothing was imported"))
    types = {
        a: "number" if (vals := [r[a].strip() for r in table.rows if r[a].strip()]) and all(_is_number(v) for v in vals) else "text"
        for a in attributes
    }
    created = updated = 0
    with store.write():
        store.ensure_coder(coder)
        store.cases.ensure_attributes(attributes, types)
        existing = {c.name for c in store.cases.list()}
        for row in table.rows:
            name = row[key].strip()
            if name in existing:
                updated += 1
            else:
                created += 1
            case_id = store.cases.ensure(name)
            store.cases.set_attributes(case_id, {a: row[a].strip() for a in attributes})
        store.log(coder, "cases.import", {"file": str(path), "cases": len(table.rows)})
    with_docs = {d.case for d in store.documents.list()}
    warnings = []
    lonely = sorted(set(seen) - with_docs)
    if lonely:
        warnings.append(
            f"{len(lonely)} case(s) in {path.name} have no documents yet: {', '.join(lonely[:8])}"
            + (" ..." if len(lonely) > 8 else "")
        )
    return updated, created, warnings
