"""Schema versions: every released schema opens and is upgraded in place after a backup;
a database from a newer version is refused and left exactly as it was."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlite_utils.migrations import Migrations

from framework.errors import StoreError
from framework.store import Store
from framework.store import backups as bk
from framework.store import migrations as schema

FIXTURES = Path(__file__).parent / "data" / "schemas"
RELEASED = sorted(FIXTURES.glob("schema*.db"))


def columns(db: Path) -> dict[str, list[str]]:
    """Each table's columns."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'documents_fts%' "
            "AND name NOT LIKE 'sqlite_%' AND name != '_sqlite_migrations' ORDER BY name")]
        return {t: [r[1] for r in conn.execute(f'PRAGMA table_info("{t}")')] for t in tables}
    finally:
        conn.close()


def rows(db: Path, only: dict[str, list[str]] | None = None) -> dict[str, list[tuple]]:
    """Every row of every table (of ``only`` the tables and columns named)."""
    wanted = only or columns(db)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {t: sorted(conn.execute(f'SELECT {", ".join(chr(34) + c + chr(34) for c in cols)} FROM "{t}"')
                          .fetchall(), key=repr) for t, cols in wanted.items()}
    finally:
        conn.close()


def schema_names(db: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    finally:
        conn.close()


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def old_db(tmp_path: Path) -> Path:
    """A copy of the schema-1 fixture, inside a project folder."""
    root = tmp_path / "old project"
    root.mkdir()
    shutil.copyfile(FIXTURES / "schema1.db", root / "framework.db")
    return root / "framework.db"


def test_every_released_schema_has_a_small_fixture() -> None:
    assert [p.name for p in RELEASED][:1] == ["schema1.db"]
    assert len(RELEASED) == schema.SCHEMA_VERSION, "add tests/data/schemas/schemaN.db for the new schema version"
    for path in RELEASED:
        assert path.stat().st_size < 200 * 1024
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        version = len(conn.execute("SELECT name FROM _sqlite_migrations").fetchall())
        conn.close()
        assert path.name == f"schema{version}.db"


@pytest.mark.parametrize("fixture", RELEASED, ids=lambda p: p.stem)
def test_released_schema_opens_and_is_upgraded_in_place(fixture: Path, tmp_path: Path) -> None:
    db = tmp_path / "framework.db"
    shutil.copyfile(fixture, db)
    before = rows(db)
    old_columns = columns(db)
    store = Store(db)
    try:
        assert store.schema_version == schema.SCHEMA_VERSION
        assert store.integrity_check() == "ok"
        assert {c.quote for c in store.codings.list()} >= {"vacancy rate of about 20 per cent", "weekly meeting"}
        assert [t.id for t in store.themes.list()][:2] == ["1", "1.1"]
        assert store.cells.list("alice")[0].summary.startswith("Vacancy rate")
        uids = [c.uid for c in store.codings.list()]
        assert all(len(u) == 32 for u in uids) and len(set(uids)) == len(uids)
        assert [r["id"] for r in store.query("SELECT rowid AS id FROM documents_fts WHERE documents_fts MATCH 'agency'")] == [1]
    finally:
        store.close()
    after = rows(db, old_columns)  # a new column may be added; what was there stays as it was
    for table, values in before.items():
        assert after[table] == values, f"{table} changed while upgrading"
    made = bk.list_backups(tmp_path)
    if len(schema_names(fixture)) < schema.SCHEMA_VERSION:
        assert [i.reason for i in made] == ["before-migration"]
        assert rows(made[0].path) == before and schema_names(made[0].path) == schema_names(fixture)
    else:
        assert made == []


def _future(monkeypatch) -> list[str]:
    """Pretend the code knows one more migration than the fixture has."""
    future = Migrations(schema.MIGRATION_SET)
    for m in schema.migrations._migrations:
        future(name=m.name)(m.fn)

    @future(name="m900_test_add_column")
    def _add(db) -> None:
        db.execute("ALTER TABLE memos ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0")

    monkeypatch.setattr(schema, "migrations", future)
    return [m.name for m in future._migrations]


def test_an_older_database_is_backed_up_then_upgraded(old_db: Path, monkeypatch) -> None:
    before = rows(old_db)
    names = _future(monkeypatch)
    store = Store(old_db)
    try:
        assert [m.name for m in schema.migrations.applied(store.db)] == names
        assert "pinned" in {c["name"] for c in store.query("PRAGMA table_info(memos)")}
        assert store.codings.count() == 4
    finally:
        store.close()
    made = bk.list_backups(old_db.parent)
    assert [i.reason for i in made] == ["before-migration"]
    assert rows(made[0].path) == before  # the backup is the database as it was before the upgrade
    conn = sqlite3.connect(made[0].path)
    assert [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")] == schema_names(FIXTURES / "schema1.db")
    conn.close()
    Store(old_db).close()  # opening again: nothing pending, no new backup
    assert len(bk.list_backups(old_db.parent)) == 1


def test_a_failed_upgrade_step_is_undone_and_the_copy_is_kept(old_db: Path, monkeypatch) -> None:
    before = rows(old_db)
    old_columns = columns(old_db)
    future = Migrations(schema.MIGRATION_SET)
    for m in schema.migrations._migrations:
        future(name=m.name)(m.fn)

    @future(name="m901_test_broken")
    def _broken(db) -> None:
        db.execute("ALTER TABLE memos ADD COLUMN pinned INTEGER")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(schema, "migrations", future)
    with pytest.raises(StoreError, match="could not upgrade this database") as failed:
        Store(old_db)
    assert str(old_db) in str(failed.value) and "before-migration" in str(failed.value)
    monkeypatch.undo()
    assert "m901_test_broken" not in schema_names(old_db)
    after = rows(old_db, old_columns)  # the steps before the broken one are applied
    assert {t: after[t] for t in before} == before
    copy = bk.list_backups(old_db.parent)[0].path
    assert rows(copy) == before
    store = Store(old_db)
    assert "pinned" not in {c["name"] for c in store.query("PRAGMA table_info(memos)")}
    store.close()


def test_a_new_database_is_not_backed_up(tmp_path: Path) -> None:
    Store(tmp_path / "framework.db").close()
    assert bk.list_backups(tmp_path) == []


@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_a_newer_database_is_refused_and_left_byte_identical(old_db: Path, journal: str) -> None:
    conn = sqlite3.connect(old_db)
    conn.execute("INSERT INTO _sqlite_migrations(migration_set, name, applied_at) "
                 "VALUES ('framework', 'm999_from_the_future', '2030-01-01')")
    conn.commit()
    conn.execute(f"PRAGMA journal_mode = {journal}")
    conn.close()
    digest = sha(old_db)
    with pytest.raises(StoreError) as refused:
        Store(old_db)
    message = str(refused.value)
    assert str(old_db) in message and "newer version of framework" in message
    assert "m999_from_the_future" in message and "nothing was changed" in message
    assert sha(old_db) == digest
    assert not Path(f"{old_db}-wal").exists() or Path(f"{old_db}-wal").stat().st_size == 0
    assert bk.list_backups(old_db.parent) == []


def test_the_cli_refuses_a_newer_database_with_exit_1(old_db: Path) -> None:
    from click.testing import CliRunner

    from framework.cli import main

    conn = sqlite3.connect(old_db)
    conn.execute("INSERT INTO _sqlite_migrations(migration_set, name, applied_at) "
                 "VALUES ('framework', 'm999_from_the_future', '2030-01-01')")
    conn.commit()
    conn.close()
    digest = sha(old_db)
    result = CliRunner().invoke(main, ["--project", str(old_db.parent), "docs"])
    assert result.exit_code == 1
    assert "newer version of framework" in result.stderr and str(old_db.parent) in result.stderr
    assert sha(old_db) == digest
