"""Bringing survey exports into a project: one case per respondent, one document per answer."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from framework.errors import InputError
from framework.ingest.documents import ImportReport, source_label, units_of, write_documents
from framework.ingest.formats import content_hash
from framework.ingest.tables import Table, read_table
from framework.ingest.text import normalise_newlines
from framework.reports import Progress, problem_list
from framework.store import NewDocument, Store

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
        raise InputError(problem_list(problems, "nothing was imported"))
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
                units=units_of(answer), question=column, attributes=attrs,
            )))
    report = write_documents(store, prepared, coder=coder, progress=progress)
    if themes_for:
        report.coded = _autocode(store, [d for _, d in prepared if d.name in set(report.added)], themes_for, coder)
    return report


def _autocode(store: Store, docs: Sequence[NewDocument], themes_for: dict[str, str], coder: str) -> int:
    from framework.coding.actions import new_coding_row

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
