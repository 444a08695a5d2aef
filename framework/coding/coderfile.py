"""One coder's work, out of one copy of a project and into another.

A coder file is JSON: the coder's codings (each with its quote and context, and the
content hash of its document's text), chart summaries, and the themes they used.
Importing matches documents by content hash, then by name; where the text differs,
each coding is placed again by quote and context. Codings that cannot be placed are
kept as detached codings (listed, never dropped); codings of documents this project
does not have are listed. Themes are matched by id; unknown ones stop the import
unless mapped with ``OLD=NEW``. Importing the same file twice changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from framework.coding.actions import check_coder
from framework.coding.anchoring import context, locate
from framework.errors import InputError
from framework.fileio import load_json_file
from framework.store import ChartCell, Store, now

FORMAT = "framework-coder"
VERSION = 1


def export_coder(store: Store, coder: str, *, project_name: str = "") -> dict[str, Any]:
    """The portable form of one coder's work."""
    codings = store.codings.list(coder=coder)
    if not codings and not store.cells.list(coder):
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
        "codings": [
            {"document": c.document, "sha256": docs[c.document_id].sha256, "theme": c.theme_id,
             "start": c.start, "end": c.end, "quote": c.quote, "before": c.before, "after": c.after,
             "memo": c.memo, "detached": c.detached, "created_at": c.created_at, "updated_at": c.updated_at}
            for c in codings
        ],
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
    return data


@dataclass
class CoderImportReport:
    coder: str
    added: int = 0
    already: int = 0
    reanchored: int = 0
    detached: list[str] = field(default_factory=list)
    missing_documents: list[str] = field(default_factory=list)
    cells: int = 0

    def summary(self) -> str:
        line = f"{self.coder}: {self.added} codings added, {self.already} already present"
        if self.reanchored:
            line += f", {self.reanchored} placed again in changed text"
        if self.detached:
            line += f", {len(self.detached)} kept detached (quote not found)"
        if self.missing_documents:
            line += f"; {len(self.missing_documents)} codings of documents not in this project"
        if self.cells:
            line += f"; {self.cells} chart summaries"
        return line


def parse_mapping(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        old, sep, new = pair.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise InputError(f"--map {pair!r}: write it as OLD=NEW, e.g. --map 5.4=2.1.")
        mapping[old.strip()] = new.strip()
    return mapping


def import_coder(
    store: Store, data: dict[str, Any], *, mapping: dict[str, str] | None = None, source: str = "",
    as_coder: str | None = None,
) -> CoderImportReport:
    """Bring one coder's work into this project (one transaction)."""
    mapping = mapping or {}
    coder = check_coder(as_coder or data["coder"], allow_consensus=True)
    themes = {t.id: t for t in store.themes.list()}
    unknown = sorted({mapping.get(c["theme"], c["theme"]) for c in data["codings"]} - set(themes))
    unknown += sorted({mapping.get(c["theme"], c["theme"]) for c in data.get("cells", [])} - set(themes) - set(unknown))
    if unknown:
        labels = {t["id"]: t.get("label", "") for t in data.get("themes", [])}
        listed = ", ".join(f"{t} ({labels[t]})" if labels.get(t) else t for t in unknown)
        raise InputError(
            f"{source or 'coder file'}: {len(unknown)} theme(s) are not in this framework: {listed}. "
            "Add them to themes.yaml, or map them with --map OLD=NEW. Nothing was imported."
        )
    by_sha: dict[str, list] = {}
    by_name = {}
    for d in store.documents.list():
        by_sha.setdefault(d.sha256, []).append(d)
        by_name[d.name] = d
    texts: dict[int, str] = {}
    report = CoderImportReport(coder)
    rows: list[dict[str, Any]] = []
    for c in data["codings"]:
        candidates = by_sha.get(c.get("sha256", ""), [])
        doc = next((d for d in candidates if d.name == c["document"]), candidates[0] if candidates else None)
        doc = doc or by_name.get(c["document"])
        if doc is None:
            report.missing_documents.append(f"{c['document']} [{c['start']}:{c['end']}] {c['quote'][:50]!r}")
            continue
        text = texts.get(doc.id)
        if text is None:
            text = texts[doc.id] = store.documents.text(doc.id)
        start, end, detached = c["start"], c["end"], bool(c.get("detached"))
        if text[start:end] != c["quote"]:
            placed = locate(text, c["quote"], before=c.get("before", ""), after=c.get("after", ""), hint=start)
            if placed is None:
                detached = True
                start = min(max(0, start), max(0, len(text) - 1))
                end = min(max(start + 1, end), len(text))
                report.detached.append(f"{doc.name} [{c['start']}:{c['end']}] {c['quote'][:50]!r}")
            else:
                start, end = placed.start, placed.end
                report.reanchored += 1
        before, after = context(text, start, end)
        rows.append({
            "coder": coder, "document_id": doc.id, "theme_id": mapping.get(c["theme"], c["theme"]),
            "start": start, "end": end, "quote": c["quote"] if detached else text[start:end],
            "before": c.get("before", "") if detached else before, "after": c.get("after", "") if detached else after,
            "memo": c.get("memo", ""), "detached": int(detached),
            "created_at": c.get("created_at") or now(), "updated_at": c.get("updated_at") or now(),
        })
    cases = {c.name: c.id for c in store.cases.list()}
    with store.write() as conn:
        store.ensure_coder(coder)
        before_count = store.codings.count()
        if rows:
            columns = list(rows[0])
            quoted = ", ".join(f'"{k}"' for k in columns)
            conn.executemany(
                f"INSERT OR IGNORE INTO codings({quoted}) VALUES ({','.join('?' * len(columns))})",
                [tuple(r[k] for k in columns) for r in rows],
            )
        report.added = store.codings.count() - before_count
        report.already = len(rows) - report.added
        for cell in data.get("cells", []):
            case_id = cases.get(cell["case"])
            if case_id is None:
                report.missing_documents.append(f"chart summary for unknown case {cell['case']!r}")
                continue
            theme_id = mapping.get(cell["theme"], cell["theme"])
            old = store.cells.find(case_id, theme_id, coder)
            if old is None or old.updated_at < cell["updated_at"]:
                if old is None or (old.summary, old.status) != (cell["summary"], cell["status"]):
                    report.cells += 1
                store.cells.put(ChartCell(case_id, theme_id, coder, cell["summary"], cell["status"],
                                          cell["updated_at"], cell.get("updated_by", coder)))
        if report.added or report.cells:
            store.log(coder, "coder.import", {
                "source": source, "added": report.added, "detached": len(report.detached),
                "missing": len(report.missing_documents), "cells": report.cells,
            })
    return report


def merge_project(store: Store, other_db: Path, *, mapping: dict[str, str] | None = None) -> list[CoderImportReport]:
    """Import every coder's work from another copy of the project."""
    if not other_db.exists():
        raise InputError(f"{other_db}: no project database there (run framework once in that folder).")
    other = Store(other_db)
    try:
        coders = [c for c in other.coders() if other.codings.list(coder=c) or other.cells.list(c)]
        exports = [export_coder(other, c) for c in coders]
    finally:
        other.close()
    if not exports:
        raise InputError(f"{other_db}: that project has no codings to merge.")
    return [import_coder(store, data, mapping=mapping, source=str(other_db)) for data in exports]
