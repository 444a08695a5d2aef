"""One coder's work, out of one copy of a project and into another.

A coder file is JSON: the coder's codings (each with its uid, quote and context, and the
content hash of its document's text), the codings they removed (by uid), chart summaries,
the themes they used and the documents of their copy. It is that coder's state: importing
it makes the coder's layer here equal to it (see :mod:`framework.coding.reconcile`), as one
undoable action; codings made here that their copy never had are kept and listed unless
asked to remove them. Documents are matched by content hash, then by name; themes by id
(unknown ones stop the import unless mapped with ``OLD=NEW``). Importing the same file
twice changes nothing. A merge does the same for every coder of another copy, in one
transaction, and brings the consensus decisions behind the consensus codings.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from framework.coding.actions import check_coder
from framework.coding.anchoring import context
from framework.coding.reconcile import CoderPlan, Texts, apply, place, plan
from framework.errors import InputError
from framework.fileio import load_json_file
from framework.store import Store, now
from framework.store.changes import ChangeSet

FORMAT = "framework-coder"
VERSION = 2
"""2 added uids, the codings removed, and the copy's documents; files of version 1 still import."""


def export_coder(store: Store, coder: str, *, project_name: str = "") -> dict[str, Any]:
    """The portable form of one coder's work."""
    codings = store.codings.list(coder=coder)
    removed = removed_codings(store, coder)
    if not codings and not store.cells.list(coder) and not removed:
        known = ", ".join(store.coders()) or "none yet"
        raise InputError(f"coder {coder!r} has no codings or summaries in this project (coders: {known}).")
    docs = {d.id: d for d in store.documents.list()}
    used = {c.theme_id for c in codings}
    cases = {c.id: c.name for c in store.cases.list()}
    cells = store.cells.list(coder)
    used |= {c.theme_id for c in cells}
    return {
        "format": FORMAT,
        "version": VERSION,
        "coder": coder,
        "project": project_name,
        "exported_at": now(),
        "documents": sorted(
            ({"name": docs[i].name, "sha256": docs[i].sha256, "length": docs[i].length}
             for i in {c.document_id for c in codings}),
            key=lambda d: d["name"],
        ),
        "themes": [t.as_json() for t in store.themes.list() if t.id in used],
        "copy_documents": [{"name": d.name, "sha256": d.sha256} for d in docs.values()],
        "codings": [
            {"uid": c.uid, "document": c.document, "sha256": docs[c.document_id].sha256, "theme": c.theme_id,
             "start": c.start, "end": c.end, "quote": c.quote, "before": c.before, "after": c.after,
             "memo": c.memo, "detached": c.detached, "created_at": c.created_at, "updated_at": c.updated_at}
            for c in codings
        ],
        "removed": removed,
        "cells": [
            {"case": cases[c.case_id], "theme": c.theme_id, "summary": c.summary, "status": c.status,
             "updated_at": c.updated_at, "updated_by": c.updated_by}
            for c in cells
        ],
    }


def write_coder_file(store: Store, coder: str, out: Path, *, project_name: str = "") -> int:
    data = export_coder(store, coder, project_name=project_name)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(out)
    with store.write():
        store.log(coder, "coder.export", {"file": str(out), "codings": len(data["codings"])})
    return len(data["codings"])


def read_coder_file(path: Path) -> dict[str, Any]:
    data = load_json_file(path, "coder file")
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(f"{path}: not a framework coder file (made with 'framework coder export').")
    if data.get("version", 0) > VERSION:
        raise InputError(f"{path}: written by a newer version of framework; upgrade to import it.")
    for key in ("coder", "codings"):
        if key not in data:
            raise InputError(f"{path}: the coder file has no {key!r}; it may be damaged.")
    problems = check_rows(data)
    if problems:
        shown = "; ".join(problems[:10]) + (f"; and {len(problems) - 10} more" if len(problems) > 10 else "")
        raise InputError(f"{path}: the coder file is damaged ({shown}). Export it again; nothing was imported.")
    return data


_FIELDS = {"codings": {"document": str, "theme": str, "start": int, "end": int, "quote": str},
           "removed": {"document": str, "theme": str, "quote": str},
           "cells": {"case": str, "theme": str, "summary": str, "status": str}}


def check_rows(data: dict[str, Any]) -> list[str]:
    """Every row of a coder file that lacks a field or has one of the wrong kind, by number."""
    problems = []
    if not isinstance(data.get("coder"), str) or not data["coder"]:
        problems.append("'coder' is not a name")
    for key, fields in _FIELDS.items():
        rows = data.get(key, [])
        if not isinstance(rows, list):
            problems.append(f"{key!r} is not a list")
            continue
        for n, row in enumerate(rows, start=1):
            if not isinstance(row, dict):
                problems.append(f"{key} row {n} is not an object")
                continue
            wrong = [f for f, kind in fields.items()
                     if not isinstance(row.get(f), kind) or isinstance(row.get(f), bool)]
            if wrong:
                kinds = "/".join(sorted({"text" if fields[f] is str else "a number" for f in wrong}))
                problems.append(f"{key} row {n}: {', '.join(wrong)} missing or not {kinds}")
            elif key == "codings" and not 0 <= row["start"] < row["end"]:
                problems.append(f"codings row {n}: start {row['start']} and end {row['end']} do not make a span")
    return problems


def removed_codings(store: Store, coder: str) -> list[dict[str, Any]]:
    """The codings this coder removed in this copy (their uid, where they were, when)."""
    return store.query(
        'SELECT r.uid, d.name AS document, d.sha256, r.theme_id AS theme, r.start, r."end", r.quote, r.removed_at '
        "FROM removed_codings r JOIN documents d ON d.id = r.document_id WHERE r.coder = ? ORDER BY r.removed_at, r.uid",
        (coder,),
    )


def parse_mapping(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        old, sep, new = pair.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise InputError(f"--map {pair!r}: write it as OLD=NEW, e.g. --map 5.4=2.1.")
        mapping[old.strip()] = new.strip()
    return mapping


def check_themes(store: Store, data: dict[str, Any], mapping: dict[str, str], source: str) -> None:
    """Stop, naming them, if the file uses themes this framework does not have (after ``mapping``)."""
    themes = {t.id for t in store.themes.list()}
    used = [mapping.get(c["theme"], c["theme"]) for key in ("codings", "cells") for c in data.get(key, [])]
    unknown = sorted(set(used) - themes)
    if unknown:
        labels = {t["id"]: t.get("label", "") for t in data.get("themes", [])}
        listed = ", ".join(f"{t} ({labels[t]})" if labels.get(t) else t for t in unknown)
        raise InputError(
            f"{source or 'coder file'}: {len(unknown)} theme(s) are not in this framework: {listed}. "
            "Add them to themes.yaml, or map them with --map OLD=NEW. Nothing was imported."
        )


@dataclass
class ImportResult:
    """What an import or a merge changed (or, in a dry run, would change), coder by coder."""

    plans: list[CoderPlan]
    decisions: list[dict[str, Any]] = field(default_factory=list)
    decisions_unplaced: list[str] = field(default_factory=list)
    dry_run: bool = False
    action: int | None = None
    """The action-log entry of the import (None when nothing was written)."""

    def summary(self) -> list[str]:
        lines = ["Dry run: nothing was changed."] if self.dry_run else []
        for p in self.plans:
            lines.extend(p.summary(dry_run=self.dry_run))
        if self.decisions or self.decisions_unplaced:
            verb = "would be brought" if self.dry_run else "brought"
            lines.append(f"consensus decisions: {len(self.decisions)} {verb}")
            lines += [f"  not placed  {line}" for line in self.decisions_unplaced]
        return lines

    def as_json(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "coders": [p.as_json() for p in self.plans],
                "decisions": len(self.decisions), "decisions_not_placed": self.decisions_unplaced}


def import_coder(
    store: Store, data: dict[str, Any], *, mapping: dict[str, str] | None = None, source: str = "",
    as_coder: str | None = None, remove_missing: bool = False, dry_run: bool = False, actor: str | None = None,
    before_write: Callable[[], Any] | None = None,
) -> ImportResult:
    """Make one coder's layer here equal to their file (one transaction, one undoable action).

    ``actor`` is who imports (their undo undoes it; default: the coder imported).
    ``before_write`` (a backup) runs only when there is something to write.
    """
    mapping = mapping or {}
    coder = check_coder(as_coder or data["coder"], allow_consensus=True)
    check_themes(store, data, mapping, source)
    the_plan = plan(store, data, coder=coder, mapping=mapping, remove_missing=remove_missing, source=source)
    result = ImportResult([the_plan], dry_run=dry_run)
    if not dry_run:
        result.action = _write(store, actor or coder, "coder.import", result, {
            "source": source, "coder": coder,
            "described": f"the import of {coder}'s codings from {Path(source).name if source else 'a coder file'}"},
            before_write)
    return result


def _write(store: Store, actor: str, kind: str, result: ImportResult, payload: dict[str, Any],
           before_write: Callable[[], Any] | None = None) -> int | None:
    """Apply every plan and decision in one transaction, logged as one undoable action
    (nothing at all, no backup and no log entry, when there is nothing to change)."""
    if not any(p.any for p in result.plans) and not result.decisions:
        return None
    if before_write is not None:
        before_write()
    with store.write() as conn:
        changes = ChangeSet()
        for p in result.plans:
            apply(store, p, changes)
        for row in result.decisions:
            columns = list(row)
            cursor = conn.execute(
                f"INSERT INTO decisions({', '.join(chr(34) + c + chr(34) for c in columns)}) "
                f"VALUES ({','.join('?' * len(columns))})", [row[c] for c in columns])
            changes.inserted("decisions", {"id": int(cursor.lastrowid)})
        counts = {p.coder: p.counts() for p in result.plans}
        return store.log(actor, kind, {**payload, "changeset": changes.save(store), "counts": counts,
                                       "decisions": len(result.decisions)})


def merge_project(
    store: Store, other_db: Path, *, mapping: dict[str, str] | None = None, remove_missing: bool = False,
    dry_run: bool = False, actor: str | None = None, before_write: Callable[[], Any] | None = None,
) -> ImportResult:
    """Bring every coder's work, and the consensus decisions, from another copy of the project
    (``before_write``, a backup, runs only when there is something to write)."""
    if not other_db.exists():
        raise InputError(f"{other_db}: no project database there (run framework once in that folder).")
    other = Store(other_db)
    try:
        coders = [c for c in other.coders()
                  if other.codings.list(coder=c) or other.cells.list(c) or removed_codings(other, c)]
        exports = [export_coder(other, c) for c in coders]
        texts = Texts(store)
        decisions, unplaced = plan_decisions(store, other, texts)
    finally:
        other.close()
    if not exports and not decisions:
        raise InputError(f"{other_db}: that project has no codings to merge.")
    mapping = mapping or {}
    for data in exports:
        check_themes(store, data, mapping, str(other_db))
    plans = [plan(store, data, coder=data["coder"], mapping=mapping, remove_missing=remove_missing,
                  source=str(other_db), texts=texts, prefer_newer=True) for data in exports]
    result = ImportResult(plans, decisions, unplaced, dry_run=dry_run)
    if not dry_run:
        result.action = _write(store, actor or "merge", "merge", result, {
            "source": str(other_db), "described": f"the merge from {other_db.parent.resolve().name}"}, before_write)
    return result


def plan_decisions(store: Store, other: Store, texts: Texts) -> tuple[list[dict[str, Any]], list[str]]:
    """The other copy's consensus decisions that are not here, placed in this copy's texts."""
    here = {r["uid"] for r in store.query("SELECT uid FROM decisions")}
    same = {(r["document_id"], r["coders"], r["choice"], r["decided_by"], r["at"])
            for r in store.query("SELECT document_id, coders, choice, decided_by, at FROM decisions")}
    docs = {d.id: d for d in other.documents.list()}
    their_texts: dict[int, str] = {}
    rows, unplaced = [], []
    for r in other.query('SELECT * FROM decisions ORDER BY at, id'):
        if r["uid"] in here:
            continue
        source_doc = docs[r["document_id"]]
        doc = texts.find(source_doc.name, source_doc.sha256)
        if doc is None:
            unplaced.append(f"{source_doc.name} {r['choice']} by {r['decided_by']} (no such document in this copy)")
            continue
        if (doc.id, r["coders"], r["choice"], r["decided_by"], r["at"]) in same:
            continue
        text = their_texts.get(source_doc.id)
        if text is None:
            text = their_texts[source_doc.id] = other.documents.text(source_doc.id)
        result = [tuple(x) for x in json.loads(r["result"])]
        basis = [tuple(x) for x in json.loads(r["basis"] or "[]")] if r["basis"] is not None else None
        spans = [(r["start"], r["end"]), *((s, e) for s, e, _ in result), *((s, e) for _, s, e, _ in basis or [])]
        placed = [_place_span(texts.text(doc.id), text, s, e) for s, e in spans]
        if any(p is None for p in placed):
            unplaced.append(f"{doc.name} [{r['start']}-{r['end']}] {r['choice']} by {r['decided_by']} "
                            "(its passage is not in this copy's text)")
            continue
        at_result, at_basis = placed[1:1 + len(result)], placed[1 + len(result):]
        rows.append({"document_id": doc.id, "start": placed[0][0], "end": placed[0][1], "coders": r["coders"],
                     "choice": r["choice"],
                     "result": json.dumps([[p[0], p[1], t] for p, (_, _, t) in zip(at_result, result)]),
                     "decided_by": r["decided_by"], "note": r["note"], "at": r["at"], "uid": r["uid"],
                     "basis": None if basis is None else json.dumps(
                         [[c, p[0], p[1], t] for p, (c, _, _, t) in zip(at_basis, basis)])})
    return rows, unplaced


def _place_span(text: str, their_text: str, start: int, end: int) -> tuple[int, int] | None:
    before, after = context(their_text, start, end)
    p = place(text, {"start": start, "end": end, "quote": their_text[start:end], "before": before, "after": after})
    return None if p.detached else (p.start, p.end)
