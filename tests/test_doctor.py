"""``framework doctor``: finds damage, repairs what is safe after a backup, never deletes a coding."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from framework.cli import main
from framework.coding import actions as coding
from framework.ingest.text import paragraphs
from framework.project import open_project
from framework.safety import doctor as dr
from framework.store import backups as bk

PREFACE = "Transcript checked on 3 March.\n\n"


def run(project_dir: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project_dir), *args])


def raw(project) -> sqlite3.Connection:
    """A second connection that writes behind the store's back, foreign keys off."""
    conn = sqlite3.connect(project.db_path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = OFF")
    return conn


def checks(report: dr.DoctorReport) -> dict[str, dr.Finding]:
    return {f.check: f for f in report.findings}


@pytest.fixture
def damaged(project):
    """A project with one of each kind of damage doctor knows about."""
    store = project.store
    doc = store.documents.get("dir_london")
    text = store.documents.text(doc.id)
    moved = coding.add_coding(store, "alice", doc.id, "1.1", *span(text, "vacancy rate of about 20 per cent"))
    past_end = coding.add_coding(store, "bob", doc.id, "1.2", *span(text, "agency staff"))
    vanished = coding.add_coding(store, "bob", doc.id, "2.1", *span(text, "Caseloads are around 22"))
    conn = raw(project)
    # the text changed without its codings being placed again, and one passage is gone
    new_text = PREFACE + text.replace("Caseloads are around 22", "Caseloads vary")
    conn.execute("UPDATE documents SET text = ? WHERE id = ?", (new_text, doc.id))
    conn.execute('UPDATE codings SET "end" = 99999 WHERE id = ?', (past_end.id,))
    conn.execute("INSERT INTO units(document_id, ordinal, start, \"end\") VALUES (999, 0, 0, 5)")
    conn.execute('INSERT INTO codings(coder, document_id, theme_id, start, "end", quote, created_at, updated_at) '
                 "VALUES ('carol', ?, 'zz', 0, 5, ?, 'x', 'x')", (doc.id, new_text[:5]))
    conn.execute('INSERT INTO codings(coder, document_id, theme_id, start, "end", quote, created_at, updated_at) '
                 "VALUES ('alice', 999, '1.1', 0, 5, 'lost!', 'x', 'x')")
    conn.execute("INSERT INTO chart_cells VALUES (999, '1.1', 'alice', 'summary of a gone case', 'draft', 'x', 'alice')")
    conn.execute("INSERT INTO themes(id, label, position) VALUES ('9', 'Only in the store', 99)")
    hos = store.documents.get("hos_met")
    conn.execute("INSERT INTO documents_fts(documents_fts, rowid, text) VALUES ('delete', ?, ?)",
                 (hos.id, store.documents.text(hos.id)))
    conn.close()
    themes = project.themes_path.read_text(encoding="utf-8")
    project.themes_path.write_text(themes + '  - id: "4"\n    label: Only in the file\n', encoding="utf-8")
    project.ids = {"moved": moved.id, "past_end": past_end.id, "vanished": vanished.id}
    return project


def span(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


def test_a_healthy_project_has_no_findings(project_dir: Path) -> None:
    project = open_project(project_dir)
    assert dr.check(project).findings == []
    project.close()
    result = run(project_dir, "doctor")
    assert result.exit_code == 0 and "ok: no errors found" in result.stdout
    as_json = json.loads(run(project_dir, "doctor", "--json").stdout)
    assert as_json == {"ok": True, "findings": [], "fixed": [], "backup": None}
    fixed = run(project_dir, "doctor", "--fix")
    assert fixed.exit_code == 0 and bk.list_backups(project_dir) == []  # nothing to fix: no backup


def test_doctor_finds_every_kind_of_damage(damaged) -> None:
    found = checks(dr.check(damaged))
    assert set(found) == {
        "orphan-units", "codings-without-document", "codings-without-theme", "codings-without-coder",
        "cells-unknown-case", "search-index", "document-length", "coding-offsets", "coding-quote",
        "themes-missing-from-file", "themes-missing-from-store",
    }
    ids = damaged.ids
    assert found["coding-offsets"].items == [ids["past_end"]]
    assert sorted(found["coding-quote"].items) == sorted([ids["moved"], ids["vanished"]])
    assert found["themes-missing-from-file"].items == ["9"]
    assert found["themes-missing-from-store"].items == ["4"]
    assert found["codings-without-document"].count == 1 and not found["codings-without-document"].fixable
    assert not dr.check(damaged).ok


def test_doctor_cli_reports_and_exits_1(damaged) -> None:
    damaged.close()
    result = run(damaged.root, "doctor")
    assert result.exit_code == 1
    assert "codings whose offsets fall outside their document's text" in result.stderr
    assert "'framework doctor --fix' repairs this" in result.stderr
    report = json.loads(run(damaged.root, "doctor", "--json").stdout)
    assert report["ok"] is False and {f["check"] for f in report["findings"]} >= {"coding-quote", "orphan-units"}


def test_fix_backs_up_repairs_what_is_safe_and_never_deletes_a_coding(damaged) -> None:
    store = damaged.store
    codings_before = store.codings.count()
    report = dr.fix(damaged)
    assert report.backup is not None and "before-doctor-fix" in report.backup.name
    backup_conn = sqlite3.connect(report.backup)
    assert backup_conn.execute("SELECT count(*) FROM units WHERE document_id = 999").fetchone()[0] == 1
    backup_conn.close()
    assert store.codings.count() == codings_before
    doc = store.documents.get("dir_london")
    text = store.documents.text(doc.id)
    ids = damaged.ids
    for key, quote in (("moved", "vacancy rate of about 20 per cent"), ("past_end", "agency staff")):
        c = store.codings.get(ids[key])
        assert (c.start, c.end) == span(text, quote) and c.quote == quote and not c.detached
    assert store.codings.get(ids["vanished"]).detached  # kept, marked detached
    assert doc.length == len(text)
    assert [(u.start, u.end) for u in store.documents.units(doc.id)] == [(p.start, p.end) for p in paragraphs(text)]
    assert store.scalar("SELECT count(*) FROM units WHERE document_id = 999") == 0
    assert store.themes.find("4") is not None and store.themes.find("9") is None
    assert store.themes.get("zz").archived
    assert "carol" in store.coders()
    assert [h["id"] for h in store.query("SELECT rowid AS id FROM documents_fts WHERE documents_fts MATCH 'MARGARET'")]
    remaining = checks(report)
    assert set(remaining) == {"codings-without-document", "cells-unknown-case", "detached-codings"}
    assert not report.ok
    assert any(a.kind == "doctor.fix" for a in store.actions.list())


def test_fix_through_the_cli(damaged) -> None:
    damaged.close()
    result = run(damaged.root, "doctor", "--fix")
    assert result.exit_code == 1  # what cannot be repaired safely is still reported
    assert "backed up first to" in result.stdout and "fixed: placed 2 codings again" in result.stdout
    assert "codings of documents that are gone" in result.stderr
    again = json.loads(run(damaged.root, "doctor", "--json").stdout)
    assert {f["check"] for f in again["findings"]} == {"codings-without-document", "cells-unknown-case",
                                                      "detached-codings"}


def test_a_theme_removed_from_the_file_but_still_coded_is_archived_not_deleted(project) -> None:
    doc = project.store.documents.get("dir_london")
    coding.add_coding(project.store, "alice", doc.id, "3", 0, 10)
    text = project.themes_path.read_text(encoding="utf-8")
    project.themes_path.write_text(text.replace('  - id: "3"\n    label: Supervision\n', ""), encoding="utf-8")
    assert checks(dr.check(project))["themes-missing-from-file"].items == ["3"]
    report = dr.fix(project)
    assert project.store.themes.get("3").archived and project.store.codings.count() == 1
    assert report.ok and report.findings == []


def test_damage_in_the_file_is_reported_with_the_newest_backup(project_dir: Path) -> None:
    project = open_project(project_dir)
    doc = project.store.documents.get("dir_london")
    for n in range(50):
        coding.add_coding(project.store, "alice", doc.id, "1.1", n, n + 5)
    newest = bk.backup(project, "good")
    project.close()
    db = project_dir / "framework.db"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = DELETE")
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    root_page = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'codings_document'").fetchone()[0]
    conn.close()
    data = bytearray(db.read_bytes())
    for i in range(page - 200, page - 100):  # scramble cells of an index page
        data[(root_page - 1) * page + i] ^= 0x55
    db.write_bytes(bytes(data))
    result = run(project_dir, "doctor", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    integrity = next(f for f in report["findings"] if f["check"] == "integrity")
    assert integrity["severity"] == "error" and not integrity["fixable"]
    assert any("codings_document" in item for item in integrity["items"])
    text = run(project_dir, "doctor")
    assert newest.name in text.stderr and "framework restore" in text.stderr


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    root = tmp_path / "study"
    root.mkdir()
    (root / "framework.db").write_bytes(b"PK\x03\x04 this is a zip file, not a database" * 50)
    result = run(root, "doctor")
    assert result.exit_code == 1 and "not a framework database" in result.stderr
    assert json.loads(run(root, "doctor", "--json").stdout)["findings"][0]["check"] == "open"
