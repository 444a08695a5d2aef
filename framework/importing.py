"""Bringing transcripts, case attributes and survey exports into a project.

Every import reads and checks all its input first and writes nothing unless all of
it is usable; the write is one transaction. Importing the same file twice changes
nothing. A changed version of an already imported file replaces the stored text and
places its codings again (see :mod:`framework.anchoring`); codings that cannot be
placed are kept, marked detached, and reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .anchoring import context, locate
from .errors import InputError
from .ingest.formats import SUPPORTED, content_hash, read_document
from .ingest.tables import Table, read_table
from .ingest.text import normalise_newlines, paragraphs
from .store import NewDocument, Store, now

Progress = Callable[[int, int, str], None]
"""A progress callback: (done, total, label)."""


@dataclass
class ImportReport:
    """What an import did, for the user."""

    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    reanchored: int = 0
    detached: list[tuple[str, int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    coded: int = 0

    def summary(self) -> str:
        parts = [f"{len(self.added)} added", f"{len(self.updated)} updated", f"{len(self.unchanged)} unchanged"]
        line = "documents: " + ", ".join(parts)
        if self.reanchored:
            line += f"; {self.reanchored} codings placed again in changed text"
        if self.coded:
            line += f"; {self.coded} answers coded from their question"
        return line


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


def _units(text: str) -> list[tuple[int, int, str | None]]:
    return [(p.start, p.end, p.speaker) for p in paragraphs(text)]


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
    prepared: list[tuple[Path, NewDocument]] = []
    seen: dict[str, Path] = {}
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
        prepared.append((path, NewDocument(
            name=doc_name, case=case or doc_name, kind="transcript", source=source_label(path, root),
            text=read.text, sha256=content_hash(read.text), encoding=read.encoding, format=read.format,
            units=[(p.start, p.end, p.speaker) for p in read.paragraphs],
        )))
    if problems:
        raise InputError(_problem_list(problems, "nothing was imported"))
    report = _write_documents(store, prepared, coder=coder, progress=progress)
    report.warnings.extend(warnings)
    return report


def _problem_list(problems: list[str], outcome: str, limit: int = 20) -> str:
    shown = problems[:limit]
    more = f"\n  ... and {len(problems) - limit} more" if len(problems) > limit else ""
    head = problems[0] if len(problems) == 1 else f"{len(problems)} problems"
    if len(problems) == 1:
        return f"{head} ({outcome})."
    return f"{head} ({outcome}):\n  " + "\n  ".join(shown) + more


def _write_documents(
    store: Store,
    prepared: Sequence[tuple[Path, NewDocument]],
    *,
    coder: str,
    progress: Progress | None = None,
) -> ImportReport:
    report = ImportReport()
    new: list[NewDocument] = []
    changed: list[tuple[int, NewDocument]] = []
    problems: list[str] = []
    stored = store.documents.by_names([doc.name for _, doc in prepared])
    for path, doc in prepared:
        existing = stored.get(doc.name)
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
        raise InputError(_problem_list(problems, "nothing was imported"))
    with store.write():
        store.ensure_coder(coder)
        if new:
            store.documents.insert_many(new)
            report.added.extend(d.name for d in new)
            _set_case_attributes(store, new)
        for document_id, doc in changed:
            _replace(store, document_id, doc, report)
        if new or changed:
            store.log(coder, "import", {
                "added": report.added, "updated": report.updated, "detached": len(report.detached),
            })
    if progress:
        progress(len(prepared), len(prepared), "done")
    return report


def _set_case_attributes(store: Store, docs: Sequence[NewDocument]) -> None:
    names = sorted({k for d in docs for k in d.attributes})
    if not names:
        return
    store.cases.ensure_attributes(names)
    for doc in docs:
        if doc.attributes:
            store.cases.set_attributes(store.cases.ensure(doc.case), doc.attributes)


def _replace(store: Store, document_id: int, doc: NewDocument, report: ImportReport) -> None:
    """Replace a document's text and place its codings again."""
    store.documents.replace_text(document_id, doc)
    report.updated.append(doc.name)
    for coding in store.codings.list(document_id=document_id):
        placed = locate(doc.text, coding.quote, before=coding.before, after=coding.after, hint=coding.start)
        if placed is None:
            store.codings.update(coding.id, {"detached": 1, "updated_at": now()})
            report.detached.append((doc.name, coding.id, coding.quote))
            continue
        before, after = context(doc.text, placed.start, placed.end)
        store.codings.update(coding.id, {
            "start": placed.start, "end": placed.end, "quote": doc.text[placed.start:placed.end],
            "before": before, "after": after, "detached": 0,
        })
        if (placed.start, placed.end) != (coding.start, coding.end) or placed.method != "exact":
            report.reanchored += 1


# -- cases.csv -----------------------------------------------------------------------------------


def _is_number(value: str) -> bool:
    try:
        float(value.replace(",", ""))
    except ValueError:
        return False
    return True


def import_cases(store: Store, path: Path, *, coder: str = "import") -> tuple[int, int, list[str]]:
    """Import case attributes from a table whose first column is ``case``.

    Returns (cases updated, cases created, warnings).
    """
    table = read_table(path)
    if not table.columns or table.columns[0].strip().lower() != "case":
        raise InputError(
            f"{path}: the first column must be 'case' (the case id, e.g. the transcript's file name "
            f"without extension); found {table.columns[0] if table.columns else 'no columns'!r}."
        )
    key = table.columns[0]
    attributes = [c for c in table.columns[1:]]
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
        raise InputError(_problem_list(problems, "nothing was imported"))
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


# -- survey exports --------------------------------------------------------------------------------

_MIN_TEXT_LEN = 25


def detect_text_columns(table: Table, exclude: Iterable[str] = ()) -> list[str]:
    """Columns that hold free text: long, varied answers with spaces."""
    skip = set(exclude)
    found = []
    for column in table.columns:
        if column in skip:
            continue
        values = [r[column].strip() for r in table.rows if r[column].strip()]
        if not values:
            continue
        mean = sum(len(v) for v in values) / len(values)
        spaced = sum(1 for v in values if " " in v) / len(values)
        distinct = len(set(values)) / len(values)
        if mean >= _MIN_TEXT_LEN and spaced >= 0.5 and distinct >= 0.5:
            found.append(column)
    return found


def _detect_id_column(table: Table) -> str | None:
    """A column named like an id (``id``, ``respondent_id``, ``ResponseId``...) whose values
    are all present and unique; None when there is none (ids are then generated)."""
    for column in table.columns:
        name = column.strip().lower().replace(" ", "_")
        if name in ("id", "respondent", "respondent_id", "responseid", "response_id", "case") or name.endswith("_id"):
            values = [r[column].strip() for r in table.rows]
            if all(values) and len(set(values)) == len(values):
                return column
    return None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:40] or "q"


def load_question_map(path: Path) -> dict[str, str]:
    """A ``question: theme-id`` map from YAML or CSV (columns question, theme)."""
    import yaml

    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise InputError(f"{path}: cannot read the question map ({exc}).") from exc
        if not isinstance(data, dict):
            raise InputError(f"{path}: the question map must be 'question: theme-id' pairs.")
        return {str(k).strip(): str(v).strip() for k, v in data.items()}
    table = read_table(path)
    lower = {c.lower(): c for c in table.columns}
    if "question" not in lower or "theme" not in lower:
        raise InputError(f"{path}: the question map needs columns 'question' and 'theme'.")
    return {r[lower["question"]].strip(): r[lower["theme"]].strip() for r in table.rows}


def import_survey(
    store: Store,
    path: Path,
    *,
    root: Path | None = None,
    id_column: str | None = None,
    text_columns: Sequence[str] | None = None,
    question_map: dict[str, str] | None = None,
    coder: str = "import",
    progress: Progress | None = None,
) -> ImportReport:
    """Import a survey export: one case per respondent, one document per answer."""
    table = read_table(path)
    if id_column is not None and id_column not in table.columns:
        raise InputError(
            f"{path}: there is no column {id_column!r}; columns are: {', '.join(table.columns)}."
        )
    if id_column is None:
        id_column = _detect_id_column(table)
    ids: list[str] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for i, (row, number) in enumerate(zip(table.rows, table.row_numbers)):
        rid = row[id_column].strip() if id_column else f"r{i + 1:05d}"
        if not rid:
            problems.append(f"{path}: row {number}: the id column {id_column!r} is empty.")
        elif rid in seen:
            problems.append(f"{path}: row {number}: id {rid!r} is also on row {seen[rid]}; ids must be unique.")
        seen.setdefault(rid, number)
        ids.append(rid)
    if text_columns:
        missing = [c for c in text_columns if c not in table.columns]
        if missing:
            problems.append(f"{path}: no column(s) {', '.join(map(repr, missing))}; columns are: {', '.join(table.columns)}.")
        columns = list(text_columns)
    else:
        columns = detect_text_columns(table, exclude=[id_column] if id_column else [])
        if not columns:
            problems.append(
                f"{path}: found no free-text column; name them with --text-columns "
                f"(columns are: {', '.join(table.columns)})."
            )
    themes_for: dict[str, str] = {}
    if question_map:
        for n, column in enumerate(columns, start=1):
            theme_id = question_map.get(column) or question_map.get(f"q{n}")
            if theme_id:
                if store.themes.find(theme_id) is None:
                    problems.append(f"question map: theme {theme_id!r} (for {column!r}) is not in the framework.")
                themes_for[column] = theme_id
    if problems:
        raise InputError(_problem_list(problems, "nothing was imported"))
    attributes = [c for c in table.columns if c not in columns and c != id_column]
    source = source_label(path, root)
    prepared: list[tuple[Path, NewDocument]] = []
    for i, (rid, row) in enumerate(zip(ids, table.rows)):
        if progress and i % 500 == 0:
            progress(i, len(table.rows), "reading answers")
        attrs = {a: row[a].strip() for a in attributes if row[a].strip()}
        for n, column in enumerate(columns, start=1):
            answer = normalise_newlines(row[column]).strip()
            if not answer:
                continue
            prepared.append((path, NewDocument(
                name=f"{rid}.q{n}", case=rid, kind="survey", source=f"{source}#{column}",
                text=answer, sha256=content_hash(answer), encoding=None, format="survey",
                units=_units(answer), question=column, attributes=attrs,
            )))
    report = _write_documents(store, prepared, coder=coder, progress=progress)
    if themes_for:
        report.coded = _autocode(store, [d for _, d in prepared if d.name in set(report.added)], themes_for, coder)
    return report


def _autocode(store: Store, docs: Sequence[NewDocument], themes_for: dict[str, str], coder: str) -> int:
    from .coding import new_coding_row

    rows = []
    for doc in docs:
        theme_id = themes_for.get(doc.question or "")
        if not theme_id:
            continue
        document = store.documents.get(doc.name)
        rows.append(new_coding_row(store, coder, document.id, theme_id, 0, len(doc.text), "", doc.text))
    if not rows:
        return 0
    with store.write():
        store.ensure_coder(coder)
        for row in rows:
            store.codings.insert(row)
        store.log(coder, "code.autocode", {"codings": len(rows)})
    return len(rows)
