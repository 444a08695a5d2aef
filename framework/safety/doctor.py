"""``framework doctor``: check a project's database, and repair what is safe to repair.

Checks: SQLite's ``integrity_check`` and ``foreign_key_check``; the full-text index
against the documents; documents whose stored length or hash no longer fit their
text; units (paragraphs) that do not fit their text; codings whose offsets no longer
fit their text or whose quote is no longer ``text[start:end]``; detached codings;
themes in the store missing from ``themes.yaml`` and back; orphaned rows (units,
codings, chart cells, attribute values pointing at nothing); chart cells for unknown
cases; a project folder inside a cloud-sync folder.

``fix`` first takes a backup (reason ``before-doctor-fix``), then: syncs the themes
from ``themes.yaml`` (themes that still hold codings are archived, not deleted);
gives codings and chart cells whose theme is gone an archived placeholder theme;
records missing coders; deletes orphaned units and recomputes units, lengths and
hashes from the text; places codings again with :func:`framework.coding.anchoring.locate`
(a coding that cannot be placed is kept and marked detached); rebuilds the full-text
index. It never deletes a coding or a chart cell. Damage that SQLite reports in the
file itself is not repaired here: restore a backup (``framework restore``).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from framework.coding.anchoring import context, locate
from framework.errors import FrameworkError
from framework.ingest.formats import content_hash
from framework.ingest.text import paragraphs
from framework.safety.cloud import cloud_sync_warning
from framework.store import Store, Theme, now
from framework.store.backups import backup, list_backups

if TYPE_CHECKING:
    from framework.project import Project

SHOWN = 20
PLACEHOLDER_LABEL = "Missing theme {id}"


@dataclass
class Finding:
    """One problem: which check found it, how bad, what it is, and whether ``--fix`` can repair it."""

    check: str
    severity: str  # "error" or "warning"
    message: str
    count: int = 1
    items: list[Any] = field(default_factory=list)
    fixable: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"check": self.check, "severity": self.severity, "message": self.message,
                "count": self.count, "items": self.items[:SHOWN], "fixable": self.fixable}


@dataclass
class DoctorReport:
    findings: list[Finding] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)
    backup: Path | None = None

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "findings": [f.as_json() for f in self.findings], "fixed": self.fixed,
                "backup": str(self.backup) if self.backup else None}


# -- checks ---------------------------------------------------------------------------------


_DAMAGED = "SQLite reports damage in the database file; restore a backup ('framework restore')."


def integrity(store: Store) -> list[Finding]:
    try:
        rows = [r["integrity_check"] for r in store.query("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        rows = [f"the check itself failed: {exc}"]
    if rows == ["ok"] and not store.damage:
        return []
    if rows == ["ok"]:
        rows = [str(store.damage)]
    return [Finding("integrity", "error", _DAMAGED, len(rows), rows[:SHOWN])]


# (child table, parent table) -> (check name, severity, message, fixable)
_FK = {
    ("units", "documents"): ("orphan-units", "error", "units (paragraphs) of documents that are gone", True),
    ("codings", "documents"): ("codings-without-document", "error",
                               "codings of documents that are gone (kept; restore a backup to recover "
                               "their documents)", False),
    ("codings", "themes"): ("codings-without-theme", "error", "codings whose theme is gone", True),
    ("codings", "coders"): ("codings-without-coder", "error", "codings whose coder is not recorded", True),
    ("chart_cells", "cases"): ("cells-unknown-case", "error", "chart cells for cases that are gone (kept)", False),
    ("chart_cells", "themes"): ("cells-without-theme", "error", "chart cells whose theme is gone", True),
    ("documents", "cases"): ("documents-without-case", "error", "documents whose case is gone", False),
    ("case_attributes", "cases"): ("orphan-attribute-values", "warning",
                                   "attribute values of cases that are gone", False),
}


# Rows of tables without rowids, named by their keys.
_KEYS = {
    ("units", "documents"): "SELECT DISTINCT 'document ' || document_id FROM units "
                            "WHERE document_id NOT IN (SELECT id FROM documents)",
    ("chart_cells", "cases"): "SELECT 'case ' || case_id || ', theme ' || theme_id || ', ' || layer FROM chart_cells "
                              "WHERE case_id NOT IN (SELECT id FROM cases)",
    ("chart_cells", "themes"): "SELECT 'case ' || case_id || ', theme ' || theme_id || ', ' || layer "
                               "FROM chart_cells WHERE theme_id NOT IN (SELECT id FROM themes)",
    ("case_attributes", "cases"): "SELECT DISTINCT 'case ' || case_id FROM case_attributes "
                                  "WHERE case_id NOT IN (SELECT id FROM cases)",
}


def foreign_keys(store: Store) -> list[Finding]:
    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for row in store.conn.execute("PRAGMA foreign_key_check").fetchall():
        table, rowid, parent = row[0], row[1], row[2]
        groups[(table, parent)].append(rowid)
    findings = []
    for (table, parent), rowids in sorted(groups.items()):
        check, severity, message, fixable = _FK.get(
            (table, parent), ("foreign-keys", "error", f"rows of {table} pointing at missing {parent}", False))
        items = [r for r in rowids if r is not None]
        if (table, parent) in _KEYS:
            items = [r[0] for r in store.conn.execute(_KEYS[(table, parent)] + f" LIMIT {SHOWN}")]
        findings.append(Finding(check, severity, f"{len(rowids)} {message}", len(rowids), items, fixable))
    return findings


def fts(store: Store) -> list[Finding]:
    if store.read_only:
        return [Finding("search-index", "warning", f"the full-text search index was not checked: {store.read_only}")]
    try:
        with store.write() as conn:
            conn.execute("INSERT INTO documents_fts(documents_fts, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError as exc:
        return [Finding("search-index", "error", f"the full-text search index does not match the documents ({exc})",
                        fixable=True)]
    return []


def _documents(store: Store):
    """(id, name, text, length, sha256) one document at a time."""
    for row in store.query("SELECT id FROM documents ORDER BY id"):
        doc = store.query("SELECT id, name, text, length, sha256 FROM documents WHERE id = ?", (row["id"],))
        if doc:
            yield doc[0]


def documents(store: Store) -> list[Finding]:
    """Derived columns and units that no longer fit each document's text, and codings that do not fit."""
    wrong_meta, bad_units, bad_span, bad_quote, detached = [], [], [], [], []
    for doc in _documents(store):
        text, did = doc["text"], doc["id"]
        if doc["length"] != len(text) or doc["sha256"] != content_hash(text):
            wrong_meta.append(doc["name"])
        units = store.query('SELECT start, "end" FROM units WHERE document_id = ? ORDER BY ordinal', (did,))
        if any(not (0 <= u["start"] < u["end"] <= len(text)) for u in units):
            bad_units.append(doc["name"])
        for c in store.query('SELECT id, start, "end", quote, detached FROM codings WHERE document_id = ?', (did,)):
            if c["detached"]:
                detached.append(c["id"])
            elif not (0 <= c["start"] < c["end"] <= len(text)):
                bad_span.append(c["id"])
            elif text[c["start"]:c["end"]] != c["quote"]:
                bad_quote.append(c["id"])
    findings = []
    if wrong_meta:
        findings.append(Finding("document-length", "error", f"{len(wrong_meta)} documents whose stored length or "
                                "hash does not match their text", len(wrong_meta), wrong_meta, True))
    if bad_units:
        findings.append(Finding("units", "error", f"{len(bad_units)} documents with paragraphs outside their text",
                                len(bad_units), bad_units, True))
    if bad_span:
        findings.append(Finding("coding-offsets", "error", f"{len(bad_span)} codings whose offsets fall outside "
                                "their document's text", len(bad_span), bad_span, True))
    if bad_quote:
        findings.append(Finding("coding-quote", "error", f"{len(bad_quote)} codings whose quote is no longer the "
                                "text at their offsets", len(bad_quote), bad_quote, True))
    if detached:
        findings.append(Finding("detached-codings", "warning", f"{len(detached)} detached codings (kept; their "
                                "text changed and they could not be placed again)", len(detached), detached))
    return findings


def themes(store: Store, path: Path) -> list[Finding]:
    from framework.themes.sync import ARCHIVE_ID
    from framework.themes.validate import check_themes

    if not path.exists():
        return [Finding("themes-file", "warning", f"{path}: no themes file; the themes in the project cannot be "
                        "compared with it")]
    parsed, problems = check_themes(path)
    if problems or parsed is None:
        return [Finding("themes-file", "error", f"{path} has {len(problems)} problem(s); run 'framework themes "
                        "check' and fix them", len(problems), [str(p) for p in problems])]
    in_file = {t.id for t in parsed.flat()}
    stored = {t.id for t in store.themes.list() if not t.archived and t.id != ARCHIVE_ID}
    findings = []
    if stored - in_file:
        ids = sorted(stored - in_file)
        findings.append(Finding("themes-missing-from-file", "error", f"{len(ids)} themes in the project are not "
                                f"in {path.name}", len(ids), ids, True))
    if in_file - stored:
        ids = sorted(in_file - stored)
        findings.append(Finding("themes-missing-from-store", "error", f"{len(ids)} themes in {path.name} are not "
                                "in the project", len(ids), ids, True))
    return findings


def folder(root: Path) -> list[Finding]:
    warning = cloud_sync_warning(root.resolve())
    return [Finding("cloud-sync", "warning", warning)] if warning else []


def check(project: Project) -> DoctorReport:
    """Run every check; nothing is changed. When the file itself is damaged, the other
    checks are not run: they would only trip over the damage, and a backup is the cure."""
    store = project.store
    report = DoctorReport()
    report.findings += integrity(store)
    if not report.findings:
        try:
            report.findings += foreign_keys(store)
            report.findings += fts(store)
            report.findings += documents(store)
            report.findings += themes(store, project.themes_path)
        except sqlite3.DatabaseError as exc:
            report.findings.append(Finding("integrity", "error", _DAMAGED, 1, [f"reading the database failed: {exc}"]))
    report.findings += folder(project.root)
    return report


# -- repairs ---------------------------------------------------------------------------------


def fix(project: Project) -> DoctorReport:
    """Back up, repair what is safe (see the module docstring), and check again."""
    before = check(project)
    if not any(f.fixable for f in before.findings):
        return before
    store = project.store
    taken = backup(project, "before-doctor-fix")
    done: list[str] = []
    checks = {f.check for f in before.findings if f.fixable}
    if checks & {"themes-missing-from-file", "themes-missing-from-store"}:
        done += _sync_themes(project)
    done += _placeholder_themes(store)
    done += _missing_coders(store)
    if checks & {"orphan-units", "units", "document-length"}:
        done += _rebuild_units(store)
    if checks & {"coding-offsets", "coding-quote"}:
        done += _reanchor(store)
    if "search-index" in checks:
        with store.write() as conn:
            conn.execute("INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')")
        done.append("rebuilt the full-text search index")
    if done:
        with store.write():
            store.ensure_coder("doctor")
            store.log("doctor", "doctor.fix", {"fixed": done, "backup": taken.name})
    after = check(project)
    after.fixed, after.backup = done, taken
    return after


def _sync_themes(project: Project) -> list[str]:
    from framework.themes.sync import sync_themes

    try:
        report = sync_themes(project.store, project.themes_path, archive=True, coder="doctor")
    except (FrameworkError, sqlite3.Error) as exc:
        return [f"could not sync the themes: {exc}"]
    return [f"synced themes.yaml ({report.summary()})"] if report.any else []


def _placeholder_themes(store: Store) -> list[str]:
    from framework.themes.sync import ARCHIVE_ID, ARCHIVE_LABEL

    missing = [r["id"] for r in store.query(
        "SELECT theme_id AS id FROM codings UNION SELECT theme_id FROM chart_cells "
        "EXCEPT SELECT id FROM themes ORDER BY 1")]
    if not missing:
        return []
    with store.write():
        if store.themes.find(ARCHIVE_ID) is None:
            store.themes.upsert(Theme(ARCHIVE_ID, None, ARCHIVE_LABEL, "Themes removed from themes.yaml that "
                                      "still hold codings.", "", "", "#7f7f7f", 1_000_000, True))
        for n, theme_id in enumerate(missing):
            store.themes.upsert(Theme(theme_id, ARCHIVE_ID, PLACEHOLDER_LABEL.format(id=theme_id), "", "", "", "",
                                      2_000_000 + n, True))
    return [f"kept the codings of {len(missing)} missing themes under archived placeholders: {', '.join(missing)}"]


def _missing_coders(store: Store) -> list[str]:
    missing = [r["coder"] for r in store.query(
        "SELECT DISTINCT coder FROM codings WHERE coder NOT IN (SELECT name FROM coders) ORDER BY 1")]
    if not missing:
        return []
    with store.write():
        for name in missing:
            store.ensure_coder(name)
    return [f"recorded {len(missing)} missing coders"]


def _rebuild_units(store: Store) -> list[str]:
    done = []
    with store.write() as conn:
        gone = conn.execute("DELETE FROM units WHERE document_id NOT IN (SELECT id FROM documents)").rowcount
        if gone:
            done.append(f"deleted {gone} orphaned units")
    for doc in _documents(store):
        text = doc["text"]
        stored = [(u["start"], u["end"]) for u in store.query(
            'SELECT start, "end" FROM units WHERE document_id = ? ORDER BY ordinal', (doc["id"],))]
        meta_ok = doc["length"] == len(text) and doc["sha256"] == content_hash(text)
        if meta_ok and all(0 <= s < e <= len(text) for s, e in stored):
            continue
        units = [(p.start, p.end, p.speaker) for p in paragraphs(text)]
        with store.write() as conn:  # the text changed behind the store's back: derive all again
            conn.execute("UPDATE documents SET length = ?, sha256 = ? WHERE id = ?",
                         (len(text), content_hash(text), doc["id"]))
            conn.execute("DELETE FROM units WHERE document_id = ?", (doc["id"],))
            conn.executemany('INSERT INTO units(document_id, ordinal, start, "end", speaker) VALUES (?,?,?,?,?)',
                             [(doc["id"], i, s, e, sp) for i, (s, e, sp) in enumerate(units)])
        done.append(f"recomputed the paragraphs, length and hash of {doc['name']}")
    return done


def _reanchor(store: Store) -> list[str]:
    placed = detached = 0
    for doc in _documents(store):
        text = doc["text"]
        rows = store.query('SELECT id, coder, theme_id, start, "end", quote, before, after, detached FROM codings '
                           "WHERE document_id = ?", (doc["id"],))
        todo = [c for c in rows if c["detached"] or not (0 <= c["start"] < c["end"] <= len(text))
                or text[c["start"]:c["end"]] != c["quote"]]
        if not todo:
            continue
        with store.write() as conn:
            for c in todo:
                where = locate(text, c["quote"], before=c["before"], after=c["after"],
                               hint=c["start"] if 0 <= c["start"] <= len(text) else None)
                clash = where and conn.execute(
                    'SELECT 1 FROM codings WHERE coder = ? AND document_id = ? AND theme_id = ? AND start = ? '
                    'AND "end" = ? AND id != ?',
                    (c["coder"], doc["id"], c["theme_id"], where.start, where.end, c["id"])).fetchone()
                if where is None or clash:
                    if not c["detached"]:
                        conn.execute("UPDATE codings SET detached = 1, updated_at = ? WHERE id = ?", (now(), c["id"]))
                        detached += 1
                    continue
                before, after = context(text, where.start, where.end)
                conn.execute('UPDATE codings SET start = ?, "end" = ?, quote = ?, before = ?, after = ?, detached = 0, '
                             "updated_at = ? WHERE id = ?",
                             (where.start, where.end, text[where.start:where.end], before, after, now(), c["id"]))
                placed += 1
    done = []
    if placed:
        done.append(f"placed {placed} codings again in their text")
    if detached:
        done.append(f"marked {detached} codings detached (kept; they could not be placed)")
    return done


def doctor(project: Project, *, fix_safe: bool = False) -> DoctorReport:
    """Check the project, and with ``fix_safe`` repair what is safe first."""
    return fix(project) if fix_safe else check(project)


def backups_hint(project: Project) -> str:
    infos = list_backups(project)
    if not infos:
        return "There are no backups of this project yet."
    return f"{len(infos)} backups; the newest is {infos[0].path.name} ('framework restore' lists them)."
