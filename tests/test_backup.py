"""Backups: online copies while another process writes, names, folders, rotation, restore."""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path, PureWindowsPath

import pytest
from click.testing import CliRunner

from framework.cli import main
from framework.coding import actions as coding
from framework.errors import InputError
from framework.project import open_project
from framework.safety.cloud import cloud_sync_warning
from framework.safety.restore import restore
from framework.store import backups as bk

NAME_RE = re.compile(r"^framework-(\d{8}T\d{6}Z)-([a-z0-9-]+)\.db$")


def run(project_dir: Path, *args: str, input: str | None = None):
    return CliRunner().invoke(main, ["--project", str(project_dir), *args], input=input)


def counts(db: Path) -> tuple[int, int]:
    """(codings, logged coding.add actions) read straight from a database file."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return (conn.execute("SELECT count(*) FROM codings").fetchone()[0],
                conn.execute("SELECT count(*) FROM actions WHERE kind = 'coding.add'").fetchone()[0])
    finally:
        conn.close()


def add(store, coder: str, n: int) -> None:
    doc = store.documents.get("dir_london")
    coding.add_coding(store, coder, doc.id, "1.1", n, n + 5)


WRITER = textwrap.dedent("""
    import os, sys
    from framework.coding import actions as coding
    from framework.store import Store
    store = Store(sys.argv[1])
    doc = store.documents.get("dir_london")
    for n in range(int(sys.argv[2])):
        coding.add_coding(store, "writer", doc.id, "1.2", n % 300, n % 300 + 1 + n // 300)
        print(n + 1, flush=True)
        if len(sys.argv) > 3 and os.path.exists(sys.argv[3]):
            break  # told to stop: the test has taken its backups
""")


def test_backup_is_an_online_copy_taken_while_another_process_writes(project, tmp_path) -> None:
    stop = tmp_path / "stop"
    # The writer keeps writing until the test has taken its backups (however busy the machine).
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(project.db_path), "90000", str(stop)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "1"
        seen, during = [], 0
        while writer.poll() is None and len(seen) < 6:
            committed = int(writer.stdout.readline() or 0)  # at least this many are committed now
            path = bk.backup(project, "during-writes")
            during += writer.poll() is None
            n_codings, n_logged = counts(path)
            # a consistent snapshot: every coding with its log entry, nothing half-written,
            # and commits still in the -wal file are included (a file copy would miss them)
            assert n_codings == n_logged >= committed
            seen.append(n_codings)
            conn = sqlite3.connect(path)
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
            conn.close()
            assert not Path(f"{path}-wal").exists()
    finally:
        stop.touch()
        writer.stdout.read()
        assert writer.wait(timeout=60) == 0
    assert during == 6 and seen == sorted(seen)


def test_a_backup_taken_inside_a_transaction_holds_the_last_committed_state(project) -> None:
    add(project.store, "alice", 0)
    with project.store.write():
        add(project.store, "alice", 10)
        inside = bk.backup(project, "inside")
    assert counts(inside) == (1, 1) and project.store.codings.count() == 2


def test_backup_name_folder_and_reason(project) -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    first = bk.backup(project, "Before teaching: Zoë's group!")
    second = bk.backup(project, "Before teaching: Zoë's group!")
    assert first.parent == project.root / ".framework" / "backups"
    m = NAME_RE.match(first.name)
    assert m and m.group(2) == "before-teaching-zoe-s-group"
    stamp = dt.datetime.strptime(m.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    assert before <= stamp <= dt.datetime.now(dt.UTC)
    assert second != first and second.exists() and first.exists()
    assert [i.path for i in bk.list_backups(project)] == [second, first]
    assert not list(first.parent.glob(".*part"))


BACKER = textwrap.dedent("""
    import sys
    from framework.store.backups import backup
    from framework.store import Store
    store = Store(sys.argv[1])
    sys.stdin.readline()
    for _ in range(5):
        print(backup(store, "same reason"), flush=True)
""")


def test_processes_backing_up_in_the_same_second_never_clash(project) -> None:
    procs = [subprocess.Popen([sys.executable, "-c", BACKER, str(project.db_path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    made = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        made += out.split()
    assert len(set(made)) == 20 == len(bk.list_backups(project))
    for path in made:
        assert counts(Path(path)) == (0, 0)
    assert not list(bk.backup_dir(project).glob(".*"))


def test_backup_folder_from_the_project_setting(project, tmp_path: Path) -> None:
    project.save_setting("backup_dir", "../safe place/study")
    path = bk.backup(project, "manual")
    assert path.parent.resolve() == (tmp_path / "safe place" / "study").resolve()
    elsewhere = tmp_path / "abs"
    project.save_setting("backup_dir", str(elsewhere))
    assert bk.backup(project.store, "manual").parent == elsewhere
    assert bk.list_backups(project.root)[0].path.parent == elsewhere


def test_rotation_keeps_the_20_newest_and_one_a_day_for_30_days(tmp_path: Path) -> None:
    folder = tmp_path / ".framework" / "backups"
    folder.mkdir(parents=True)
    now = dt.datetime(2026, 11, 23, 22, 0, tzinfo=dt.UTC)
    for day in range(40):
        for hour in (9, 13, 21):
            at = (now - dt.timedelta(days=day)).replace(hour=hour)
            (folder / f"framework-{at:%Y%m%dT%H%M%SZ}-hourly.db").write_bytes(b"x")
    (folder / "notes.txt").write_text("mine")
    (folder / "framework-old-copy.db").write_bytes(b"x")
    bk.rotate(folder, now=now)
    kept = sorted(p.name for p in folder.iterdir())
    assert "notes.txt" in kept and "framework-old-copy.db" in kept
    backups = bk.list_backups(tmp_path)
    assert len(backups) == bk.KEEP_RECENT + 23 == 43  # 20 newest cover 7 days; one a day for 23 more
    newest_20 = {(now - dt.timedelta(days=d)).replace(hour=h) for d in range(7) for h in (9, 13, 21)}
    newest_20 -= {(now - dt.timedelta(days=6)).replace(hour=9)}
    daily = {(now - dt.timedelta(days=d)).replace(hour=21) for d in range(7, 30)}
    assert {i.at for i in backups} == newest_20 | daily


def test_real_backups_rotate_to_the_documented_count(project) -> None:
    for _ in range(bk.KEEP_RECENT + 5):
        bk.backup(project, "manual")
    assert len(bk.list_backups(project)) == bk.KEEP_RECENT


def test_maybe_hourly_backs_up_at_most_hourly_and_only_after_changes(project) -> None:
    t0 = dt.datetime.now(dt.UTC)
    first = bk.maybe_hourly(project, now=t0)
    assert first is not None and first.name.endswith("-hourly.db")
    assert bk.maybe_hourly(project, now=t0 + dt.timedelta(minutes=59)) is None
    assert bk.maybe_hourly(project, now=t0 + dt.timedelta(hours=2)) is None  # nothing changed
    add(project.store, "alice", 0)
    assert bk.maybe_hourly(project, now=t0 + dt.timedelta(minutes=30)) is None
    later = bk.maybe_hourly(project, now=t0 + dt.timedelta(hours=2))
    assert later is not None and counts(later) == (1, 1)


def test_restore_brings_back_the_earlier_state_and_backs_up_first(project) -> None:
    add(project.store, "alice", 0)
    earlier = bk.backup(project, "state-a")
    add(project.store, "alice", 10)
    add(project.store, "bob", 20)
    result = restore(project, earlier)
    assert project.store.codings.count() == 1
    assert result.previous is not None and "before-restore" in result.previous.name
    assert counts(result.previous) == (3, 3)
    assert project.store.integrity_check() == "ok"
    add(project.store, "alice", 30)  # the reopened store works
    assert project.store.codings.count() == 2


def test_restore_refuses_a_damaged_backup_and_changes_nothing(project, tmp_path: Path) -> None:
    add(project.store, "alice", 0)
    bad = tmp_path / "framework-20260101T000000Z-manual.db"
    bad.write_bytes(b"SQLite format 3\x00" + os.urandom(5000))
    with pytest.raises(InputError, match=re.escape(str(bad))):
        restore(project, bad)
    other = tmp_path / "not-framework.db"
    sqlite3.connect(other).execute("CREATE TABLE t(x)").connection.close()
    with pytest.raises(InputError, match="not a framework database"):
        restore(project, other)
    assert project.store.codings.count() == 1
    assert bk.list_backups(project) == []


def test_restore_over_a_damaged_database_moves_it_aside(project_dir: Path) -> None:
    project = open_project(project_dir)
    add(project.store, "alice", 0)
    good = bk.backup(project, "good")
    project.close()
    db = project_dir / "framework.db"
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.write_bytes(b"this is not a database at all" * 100)
    result = run(project_dir, "restore", good.name, "--yes")
    assert result.exit_code == 0, result.output
    assert "moved" in result.stderr
    aside = list(project_dir.glob("framework.db.damaged-*"))
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not")
    assert counts(db) == (1, 1)


def test_cli_backup_and_restore_with_confirmation(project_dir: Path) -> None:
    project = open_project(project_dir)
    add(project.store, "alice", 0)
    project.close()
    made = run(project_dir, "backup", "--reason", "before teaching")
    assert made.exit_code == 0, made.output
    assert "before-teaching.db" in made.stdout
    project = open_project(project_dir)
    add(project.store, "alice", 10)
    project.close()
    listed = run(project_dir, "restore")
    assert listed.exit_code == 0 and "before-teaching" in listed.stdout
    as_json = run(project_dir, "restore", "--json")
    entries = __import__("json").loads(as_json.stdout)
    number = next(e["number"] for e in entries if e["reason"] == "before-teaching")
    db = project_dir / "framework.db"
    declined = run(project_dir, "restore", str(number), input="n\n")
    assert declined.exit_code == 1 and "nothing was changed" in declined.stderr
    assert counts(db) == (2, 2)
    accepted = run(project_dir, "restore", str(number), input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert counts(db) == (1, 1)
    assert any(i.reason == "before-restore" for i in bk.list_backups(project_dir))
    missing = run(project_dir, "restore", "99", "--yes")
    assert missing.exit_code == 1 and "no backup number 99" in missing.stderr


@pytest.mark.parametrize("path, service", [
    ("/Users/ana/Dropbox/study", "Dropbox"),
    ("/Users/ana/Dropbox (Personal)/study", "Dropbox"),
    ("/home/ana/Dropbox/Uni/PhD", "Dropbox"),
    (PureWindowsPath(r"C:\Users\ana\OneDrive\Documents\study"), "OneDrive"),
    (r"C:\Users\ana\OneDrive - University of Leeds\study", "OneDrive"),
    ("/Users/ana/Library/CloudStorage/OneDrive-Personal/study", "OneDrive"),
    ("/Users/ana/Library/CloudStorage/GoogleDrive-ana@example.org/My Drive/study", "Google Drive"),
    ("/Volumes/GoogleDrive/My Drive/study", "Google Drive"),
    (r"G:\My Drive\study", "Google Drive"),
    ("/Users/ana/Google Drive/study", "Google Drive"),
    ("/Users/ana/Library/Mobile Documents/com~apple~CloudDocs/study", "iCloud Drive"),
    (r"C:\Users\ana\iCloudDrive\study", "iCloud Drive"),
    ("/Users/ana/Box/study", "Box"),
    ("/Users/ana/Library/CloudStorage/Box-Box/study", "Box"),
    (r"C:\Users\ana\Box Sync\study", "Box"),
])
def test_cloud_sync_folders_are_recognised(path, service: str) -> None:
    warning = cloud_sync_warning(path)
    assert warning is not None and service in warning and str(path) in warning


@pytest.mark.parametrize("path", [
    "/home/ana/projects/study", "/Users/ana/Documents/dropboxes-of-mail/study", r"D:\research\boxes\study",
    "/srv/team/onedrive notes/x", "/home/ana/My Drives/x", "/home/ana/icloud/x",
])
def test_ordinary_folders_give_no_warning(path: str) -> None:
    assert cloud_sync_warning(path) is None


# -- automatic backups before risky actions -----------------------------------------------------


def test_bulk_code_import_is_backed_up_first(project) -> None:
    from framework.ingest.codings import import_codings

    add(project.store, "alice", 0)
    rows = project.root / "codings.jsonl"
    rows.write_text('{"document": "dir_london", "theme": "1.2", "start": 0, "end": 9}\n', encoding="utf-8")
    import_codings(project.store, rows, coder="bob")
    made = [i for i in bk.list_backups(project) if i.reason == "before-code-import"]
    assert len(made) == 1 and counts(made[0].path) == (1, 1)


def test_a_qdpx_import_is_backed_up_first(project, tmp_path: Path) -> None:
    from framework.exchange.qdpx import export_qdpx, import_qdpx
    from tests.conftest import write_project

    add(project.store, "alice", 0)
    exported = tmp_path / "study.qdpx"
    export_qdpx(project, exported, coder="alice")
    other = open_project(write_project(tmp_path / "other"))
    import_qdpx(other, exported, "alice")
    made = [i for i in bk.list_backups(other) if i.reason == "before-qdpx-import"]
    other.close()
    assert len(made) == 1 and counts(made[0].path) == (0, 0)


def test_removing_themes_is_backed_up_first(project) -> None:
    from framework.themes.sync import sync_themes

    text = project.themes_path.read_text(encoding="utf-8")
    project.themes_path.write_text(text.replace('  - id: "3"\n    label: Supervision\n', ""), encoding="utf-8")
    report = sync_themes(project.store, project.themes_path)
    assert report.removed == ["3"]
    made = [i for i in bk.list_backups(project) if i.reason == "before-theme-removal"]
    assert len(made) == 1
    conn = sqlite3.connect(made[0].path)
    assert conn.execute("SELECT count(*) FROM themes WHERE id = '3'").fetchone()[0] == 1
    conn.close()


def test_opening_a_project_warns_about_sync_folders_and_backs_up_hourly(tmp_path: Path) -> None:
    from tests.conftest import write_project

    root = write_project(tmp_path / "Dropbox" / "study")
    first = open_project(root)
    assert any("Dropbox" in w for w in first.warnings)
    first.close()
    again = open_project(root)
    again.close()
    assert [i.reason for i in bk.list_backups(root)] == ["hourly"]
    # the hour has not passed: opening again adds nothing
    open_project(root).close()
    assert len(bk.list_backups(root)) == 1
