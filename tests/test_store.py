"""The store: schema, migrations, transactions, version refusal."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from framework.errors import StoreError
from framework.store import NewDocument, Store
from framework.store.migrations import SCHEMA_VERSION


def _doc(name: str, text: str, case: str = "c1") -> NewDocument:
    return NewDocument(name=name, case=case, kind="transcript", source=f"{name}.txt", text=text,
                       sha256="x" * 64, encoding="utf-8", format="txt", units=[(0, len(text), None)])


def test_new_database_uses_wal_foreign_keys_and_current_schema(tmp_path: Path) -> None:
    store = Store(tmp_path / "p.db")
    assert store.scalar("PRAGMA journal_mode") == "wal"
    assert store.scalar("PRAGMA foreign_keys") == 1
    assert store.schema_version == SCHEMA_VERSION
    assert store.integrity_check() == "ok"
    tables = {r["name"] for r in store.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"cases", "documents", "units", "themes", "coders", "codings", "chart_cells", "memos", "actions"} <= tables
    store.close()


def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    Store(tmp_path / "p.db").close()
    store = Store(tmp_path / "p.db")
    assert store.scalar("SELECT count(*) FROM _sqlite_migrations") == SCHEMA_VERSION
    store.close()


def test_database_from_a_newer_version_is_refused_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO _sqlite_migrations(migration_set, name, applied_at) VALUES ('framework', 'm999_future', 'x')")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer version of framework.*m999_future"):
        Store(path)
    assert path.read_bytes() == before


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not a framework database"):
        Store(path)


def test_failed_write_leaves_nothing_half_written(tmp_path: Path) -> None:
    store = Store(tmp_path / "p.db")
    with pytest.raises(RuntimeError):
        with store.write():
            store.documents.insert_many([_doc("a", "hello there")])
            raise RuntimeError("crash in the middle")
    assert store.scalar("SELECT count(*) FROM documents") == 0
    assert store.scalar("SELECT count(*) FROM cases") == 0
    assert store.scalar("SELECT count(*) FROM units") == 0
    store.close()


def test_full_text_index_follows_inserts_and_updates(tmp_path: Path) -> None:
    store = Store(tmp_path / "p.db")
    with store.write():
        (doc_id,) = store.documents.insert_many([_doc("a", "supervision is monthly")])
    assert store.scalar("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'monthly'") == 1
    with store.write():
        store.documents.replace_text(doc_id, _doc("a", "supervision is weekly"))
    assert store.scalar("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'monthly'") == 0
    assert store.scalar("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'weekly'") == 1
    store.close()


def test_a_second_writer_waits_then_reports_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    first = Store(path)
    second = Store(path, busy_timeout=0.2)
    with first.write():
        first.cases.ensure("held")
        with pytest.raises(StoreError, match="busy.*Nothing was changed"):
            with second.write():
                second.cases.ensure("other")
    assert [c.name for c in second.cases.list()] == ["held"]
    first.close()
    second.close()


def test_codings_reject_bad_spans_at_the_schema_level(tmp_path: Path) -> None:
    store = Store(tmp_path / "p.db")
    with store.write():
        (doc_id,) = store.documents.insert_many([_doc("a", "hello")])
    with pytest.raises(sqlite3.IntegrityError):
        with store.write():
            store.conn.execute(
                "INSERT INTO codings(coder, document_id, theme_id, start, \"end\", quote, created_at, updated_at) "
                "VALUES ('x', ?, 'nope', 3, 2, '', '', '')", (doc_id,))
    store.close()
