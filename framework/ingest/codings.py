"""Codings from scripts and spreadsheets (``framework code import``).

Each row names a ``document`` (name or id; or ``case`` when the case has one
document), a ``theme`` id, and either ``start``/``end`` offsets or the ``quote``
itself, plus an optional ``memo``. Quotes are placed by exact match first, then by
fuzzy alignment above ``min_score``. Every row is checked before anything is
written: rows that cannot be used are listed with their row numbers and nothing is
committed, unless ``skip_bad`` is set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from framework.coding.actions import check_coder
from framework.coding.anchoring import DEFAULT_MIN_SCORE, context, locate
from framework.errors import InputError
from framework.ingest.tables import read_jsonl, read_table
from framework.reports import Progress, problem_list
from framework.store import Store, now
from framework.store.backups import backup_before


@dataclass
class CodeImportReport:
    added: int = 0
    duplicates: int = 0
    fuzzy: int = 0
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        line = f"codings: {self.added} added"
        if self.duplicates:
            line += f", {self.duplicates} already present"
        if self.fuzzy:
            line += f" ({self.fuzzy} quotes placed by fuzzy match)"
        if self.skipped:
            line += f"; {len(self.skipped)} rows skipped"
        return line


def _rows(path: Path) -> tuple[list[dict[str, Any]], list[int], str]:
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        records = list(read_jsonl(path))
        return [r.data for r in records], [r.line for r in records], "line"
    if suffix in (".csv", ".tsv", ".xlsx", ".txt"):
        table = read_table(path)
        return list(table.rows), list(table.row_numbers), "row"
    raise InputError(f"{path}: codings can be imported from .jsonl, .csv, .tsv or .xlsx files.")


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


def import_codings(
    store: Store,
    path: Path,
    *,
    coder: str,
    min_score: float = DEFAULT_MIN_SCORE,
    skip_bad: bool = False,
    progress: Progress | None = None,
) -> CodeImportReport:
    check_coder(coder)
    rows, numbers, unit = _rows(path)
    if not rows:
        raise InputError(f"{path}: no codings found in this file.")
    docs = {d.name: d for d in store.documents.list()}
    by_id = {str(d.id): d for d in docs.values()}
    per_case: dict[str, list] = {}
    for d in docs.values():
        per_case.setdefault(d.case, []).append(d)
    themes = {t.id: t for t in store.themes.list()}
    texts: dict[int, str] = {}
    report = CodeImportReport()
    problems: list[str] = []
    ready: list[dict[str, Any]] = []
    stamp = now()
    for i, (row, number) in enumerate(zip(rows, numbers)):
        if progress and i % 5000 == 0:
            progress(i, len(rows), "placing codings")
        where = f"{path}: {unit} {number}"
        doc_key = str(row.get("document") or "").strip()
        case_key = str(row.get("case") or "").strip()
        doc = docs.get(doc_key) or by_id.get(doc_key)
        if not doc_key and case_key:
            candidates = per_case.get(case_key, [])
            if len(candidates) == 1:
                doc = candidates[0]
            elif candidates:
                problems.append(f"{where}: case {case_key!r} has {len(candidates)} documents; name the document instead.")
                continue
        if doc is None:
            what = f"document {doc_key!r}" if doc_key else (f"case {case_key!r}" if case_key else "no document or case")
            problems.append(f"{where}: {what} is not in the project.")
            continue
        theme_id = str(row.get("theme") or "").strip()
        if theme_id not in themes:
            problems.append(f"{where}: theme {theme_id!r} is not in the framework." if theme_id else f"{where}: no theme given.")
            continue
        if themes[theme_id].archived:
            problems.append(f"{where}: theme {theme_id!r} is archived.")
            continue
        text = texts.get(doc.id)
        if text is None:
            text = texts[doc.id] = store.documents.text(doc.id)
        try:
            start, end = _int(row.get("start")), _int(row.get("end"))
        except (TypeError, ValueError):
            problems.append(f"{where}: start and end must be whole numbers (got {row.get('start')!r}, {row.get('end')!r}).")
            continue
        quote = row.get("quote")
        if start is not None or end is not None:
            if start is None or end is None:
                problems.append(f"{where}: give both start and end, or a quote.")
                continue
            if start < 0 or end <= start or end > len(text):
                reason = (
                    "offsets must not be negative" if start < 0 else
                    f"end ({end}) must be after start ({start})" if end <= start else
                    f"end {end} is past the end of {doc.name} ({len(text)} characters)"
                )
                problems.append(f"{where}: {reason}.")
                continue
        elif quote:
            placed = locate(text, str(quote), min_score=min_score)
            if placed is None:
                problems.append(f"{where}: quote not found in {doc.name} (nothing scored {min_score:g} or more): {str(quote)[:60]!r}")
                continue
            start, end = placed.start, placed.end
            if placed.method == "fuzzy":
                report.fuzzy += 1
        else:
            problems.append(f"{where}: give start and end offsets or a quote.")
            continue
        before, after = context(text, start, end)
        ready.append({
            "coder": coder, "document_id": doc.id, "theme_id": theme_id, "start": start, "end": end,
            "quote": text[start:end], "before": before, "after": after, "memo": str(row.get("memo") or ""),
            "detached": 0, "created_at": stamp, "updated_at": stamp,
        })
    if problems and not skip_bad:
        raise InputError(problem_list(problems, "nothing was imported; fix them or use --skip-bad"))
    report.skipped = problems
    columns = list(ready[0]) if ready else []
    if ready:
        backup_before(store, "before-code-import")
    with store.write() as conn:
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
            "file": str(path), "added": report.added, "duplicates": report.duplicates, "skipped": len(problems),
        })
    return report
