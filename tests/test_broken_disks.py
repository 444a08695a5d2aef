"""Broken disks and files: a read-only project folder, an empty database, damaged pages, and
the ``.part`` files killed backups and restores leave.

Reading works wherever the file can be read; every write says why it cannot be made; the
database is never rebuilt, written or backed up over damage; nothing that is still being
written is ever removed. Every refusal is exit status 1 and one line, never a traceback.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from framework.cli import main
from framework.coding import actions as coding
from framework.project import open_project
from framework.store import backups as bk
from framework.store import parts
from tests.hostile_files import dump


def run(root: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(root), *args])


@pytest.fixture
def coded(project_dir: Path) -> Path:
    """A project with two coders' codings, a chart summary and one backup."""
    project = open_project(project_dir)
    store = project.store
    for name, coder in (("dir_london", "alice"), ("dir_london", "bob"), ("ad_county", "alice")):
        doc = store.documents.get(name)
        coding.add_coding(store, coder, doc.id, "1.1", 0, 12)
        coding.add_coding(store, coder, doc.id, "2.1", 20, 40)
    bk.backup(project, "good")
    project.close()
    assert run(project_dir, "--coder", "alice", "chart", "cell", "dir_london", "1.1", "--summary",
               "Vacancy rate about 20 per cent").exit_code == 0
    return project_dir


# -- a read-only project folder ------------------------------------------------------------------------


def _can_drop_write_access() -> list[str] | None:
    """The prefix that runs a command without the power to write read-only files: none for an
    ordinary user; for root, setpriv without the capabilities that override permissions."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner"]
    probe = subprocess.run([*prefix, "true"], capture_output=True, check=False)
    return prefix if probe.returncode == 0 else None


PREFIX = _can_drop_write_access()


@pytest.fixture
def read_only(coded: Path, tmp_path: Path):
    """The coded project with its folder and everything in it made read-only."""
    if PREFIX is None:
        pytest.skip("running as root without setpriv: read-only folders cannot be made")
    outside = tmp_path / "outside"
    outside.mkdir()
    paths = [p for p in coded.rglob("*")] + [coded]
    modes = {p: p.stat().st_mode for p in paths}
    for p in paths:
        p.chmod(modes[p] & ~0o222)
    yield coded
    for p in paths:
        p.chmod(modes[p])


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*PREFIX, sys.executable, "-m", "framework", "--project", str(root), *args],
                          capture_output=True, text=True, check=False, timeout=120)


READING = [
    ["docs", "--json"],
    ["cases"],
    ["show", "dir_london", "--lines", "1-4"],
    ["search", "vacancy"],
    ["themes"],
    ["code", "list", "--json"],
    ["log"],
    ["--coder", "alice", "chart", "show", "--theme", "1"],
    ["map", "--by", "role"],
    ["agreement", "--coders", "alice,bob"],
    ["consensus", "status", "--coders", "alice,bob"],
    ["doctor"],
    ["restore"],
]
WRITING = [
    ["--coder", "alice", "code", "add", "dir_london", "1.2", "--start", "0", "--end", "9"],
    ["--coder", "alice", "chart", "cell", "dir_london", "1.1", "--summary", "changed"],
    ["--coder", "alice", "chart", "export", "--format", "csv", "--out", "{outside}"],
    ["--coder", "alice", "quotes", "--theme", "1.1", "--out", "{outside}/quotes.md"],
    ["import", "{outside}/new.txt"],
    ["cases", "import", "{outside}/cases.csv"],
    ["undo"],
    ["backup"],
    ["restore", "1", "--yes"],
]


def test_reading_commands_work_in_a_read_only_folder(read_only: Path) -> None:
    before = dump(read_only)
    for args in READING:
        proc = cli(read_only, *args)
        assert proc.returncode == 0, (args, proc.stderr)
        assert "Traceback" not in proc.stderr
    assert json.loads(cli(read_only, "docs", "--json").stdout)[0]["name"] == "ad_county"
    assert "Vacancy rate about 20 per cent" in cli(read_only, "--coder", "alice", "chart", "show", "--theme", "1").stdout
    assert dump(read_only) == before
    assert not any(p.name.endswith(("-wal", "-shm")) for p in read_only.iterdir())


def test_writing_commands_say_the_folder_is_read_only(read_only: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "new.txt").write_text("Interviewer: a new transcript.\n", encoding="utf-8")
    (outside / "cases.csv").write_text("case,role\ndir_london,Director\n", encoding="utf-8")
    before = dump(read_only)
    for args in WRITING:
        proc = cli(read_only, *(a.format(outside=outside) for a in args))
        assert proc.returncode == 1, (args, proc.stdout, proc.stderr)
        last = proc.stderr.strip().splitlines()[-1]
        assert last.startswith("framework: ") and "read-only" in last, (args, proc.stderr)
        assert "Traceback" not in proc.stderr
    assert dump(read_only) == before
    assert sorted(p.name for p in outside.iterdir()) == ["cases.csv", "new.txt"]  # no export left unrecorded


def files(root: Path) -> dict[str, tuple[int, int]]:
    """Every file below ``root`` with its size and the time it was last changed."""
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("args", [
    ["export", "qdpx", "--out", "{folder}/study.qdpx"],
    ["export", "qdpx", "--positions", "nvivo", "--out", "{folder}/study.qdpx"],
    ["export", "qdc", "--out", "{folder}/codebook.qdc"],
    ["export", "qdpx", "--pseudonymise", "{key}", "--out", "{folder}/study.qdpx"],
], ids=["qdpx", "qdpx-nvivo", "qdc", "qdpx-pseudonymised"])
def test_an_export_into_a_read_only_folder_is_refused_before_anything_is_written(coded: Path, tmp_path: Path,
                                                                                 args: list[str]) -> None:
    if PREFIX is None:
        pytest.skip("running as root without setpriv: read-only folders cannot be made")
    key = tmp_path / "key.csv"
    key.write_text("term,replacement\nLondon,[City]\n", encoding="utf-8")
    folder = tmp_path / "shared"
    folder.mkdir()
    before, project_files = dump(coded), files(coded)
    folder.chmod(0o555)
    try:
        proc = cli(coded, "--coder", "carol", *(a.format(folder=folder, key=key) for a in args))
    finally:
        folder.chmod(0o755)
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    name = args[-1].rsplit("/", 1)[1]
    assert proc.stderr == (f"framework: {folder}: the folder is read-only (or not yours to write in), so {name} "
                           "cannot be written there; choose another folder. Nothing was written.\n")
    assert list(folder.iterdir()) == []
    assert dump(coded) == before and files(coded) == project_files  # not even the coder was remembered


def test_an_export_into_a_missing_folder_is_refused(coded: Path, tmp_path: Path) -> None:
    before = dump(coded)
    missing = run(coded, "--coder", "carol", "export", "qdc", "--out", str(tmp_path / "nowhere" / "c.qdc"))
    assert missing.exit_code == 1
    assert missing.output.splitlines()[-1] == (f"framework: {tmp_path / 'nowhere'}: no such folder; create it or "
                                               "choose another. Nothing was written.")
    assert dump(coded) == before


def test_a_new_project_cannot_be_built_in_a_read_only_folder(project_dir: Path) -> None:
    if PREFIX is None:
        pytest.skip("running as root without setpriv: read-only folders cannot be made")
    mode = project_dir.stat().st_mode
    project_dir.chmod(mode & ~0o222)
    try:
        proc = cli(project_dir, "docs")
    finally:
        project_dir.chmod(mode)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"framework: {project_dir}: the project folder is read-only, so the project "
                                  "database cannot be built here")
    assert not (project_dir / "framework.db").exists()


# -- an empty database --------------------------------------------------------------------------------------


def test_an_empty_database_is_refused_and_restored_never_rebuilt(coded: Path) -> None:
    db = coded / "framework.db"
    db.write_bytes(b"")
    for args in (["docs"], ["--coder", "alice", "code", "add", "dir_london", "1.2", "--start", "0", "--end", "9"]):
        result = run(coded, *args)
        assert result.exit_code == 1
        assert result.stderr.startswith(f"framework: {db}: the project database is empty (0 bytes)")
        assert "'framework restore'" in result.stderr and result.stderr.count("\n") == 1
        assert db.stat().st_size == 0 and not Path(f"{db}-wal").exists()
    doctor = run(coded, "doctor", "--json")
    assert doctor.exit_code == 1 and json.loads(doctor.stdout)["findings"][0]["check"] == "open"
    restored = run(coded, "restore", "1", "--yes")
    assert restored.exit_code == 0, restored.output
    assert "moved to" in restored.stderr and list(coded.glob("framework.db.damaged-*"))[0].stat().st_size == 0
    assert len(json.loads(run(coded, "code", "list", "--json").stdout)) == 6


# -- damaged pages -----------------------------------------------------------------------------------------------


def _damage(db: Path, table: str = "codings") -> None:
    """Scramble the middle of a page of ``table``, as a failing disk or a bad copy would."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    root_page = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    conn.close()
    data = bytearray(db.read_bytes())
    for i in range(8, page - 8):
        data[(root_page - 1) * page + i] ^= 0x5A
    db.write_bytes(bytes(data))


def test_damaged_pages_refuse_every_write_and_doctor_reports_them(coded: Path) -> None:
    db = coded / "framework.db"
    backups = sorted(p.name for p in (coded / ".framework" / "backups").iterdir())
    _damage(db)
    damaged = db.read_bytes()
    for args in (["--coder", "alice", "code", "add", "dir_london", "1.2", "--start", "0", "--end", "9"],
                 ["--coder", "alice", "chart", "cell", "ad_county", "1.1", "--summary", "x"],
                 ["backup"], ["themes", "sync"], ["undo"]):
        result = run(coded, *args)
        assert result.exit_code == 1, (args, result.output)
        last = result.stderr.strip().splitlines()[-1]
        assert last.startswith("framework: ") and "damaged" in last and "framework restore" in last, last
    listing = run(coded, "docs")  # reads what it can, says the rest, never a traceback
    assert isinstance(listing.exception, (SystemExit, type(None))), listing.exception
    assert "the project database is damaged" in listing.stderr
    for args in (["doctor"], ["doctor", "--json"], ["doctor", "--fix"], ["doctor", "--fix", "--json"]):
        result = run(coded, *args)
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), (args, result.exception)
        if "--json" in args:
            report = json.loads(result.stdout)
            assert [f["check"] for f in report["findings"]] == ["integrity"] and not report["fixed"]
        else:
            assert "SQLite reports damage in the database file" in result.stderr
            assert "framework restore" in result.stderr
    assert db.read_bytes() == damaged  # nothing written: no coding, no sync, no repair
    assert sorted(p.name for p in (coded / ".framework" / "backups").iterdir()) == backups  # no copy of the damage
    restored = run(coded, "restore", "1", "--yes")
    assert restored.exit_code == 0, restored.output
    aside = list(coded.glob("framework.db.damaged-*"))
    assert [p.read_bytes() for p in aside if not p.name.endswith(("-wal", "-shm"))] == [damaged]
    assert sorted(p.name for p in (coded / ".framework" / "backups").iterdir()) == backups  # still the newest
    assert run(coded, "doctor").exit_code == 0
    again = run(coded, "--coder", "alice", "code", "add", "dir_london", "1.2", "--start", "0", "--end", "9")
    assert again.exit_code == 0, again.output


# -- .part files left by killed backups and restores ----------------------------------------------------------------

WRITER = """
import sys, time
from pathlib import Path
from framework.store import parts
from tests.hostile_files import dump
with parts.writing(Path(sys.argv[1])) as part:
    part.write_bytes(b"x" * 1024)
    print("writing", flush=True)
    time.sleep(60)
"""


def _writer(part: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(part)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    return proc


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


@pytest.mark.skipif(not hasattr(signal, "SIGKILL") or parts.fcntl is None, reason="needs SIGKILL and flock")
def test_part_files_of_killed_processes_are_removed_and_live_ones_kept(coded: Path) -> None:
    folder = coded / ".framework" / "backups"
    killed = parts.part_name(folder / "framework-20261123T101500Z-before-merge.db")
    live = parts.part_name(folder / "framework-20261123T101501Z-manual.db")
    restoring = parts.part_name(coded / "framework.db")
    victims = [_writer(killed), _writer(restoring)]
    writer = _writer(live)
    try:
        for proc in victims:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        for part in (killed, live, restoring):
            _age(part, 3 * 3600)  # even old, a file still being written is kept
        assert run(coded, "docs").exit_code == 0  # opening the project cleans up
        assert not killed.exists() and not restoring.exists()
        assert live.exists()
        assert bk.backup(coded, "later").exists()  # so does every backup
        assert live.exists()
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    _age(live, 3600)
    assert bk.backup(coded, "after").exists()
    assert not live.exists()


def test_a_part_file_just_created_is_left_a_moment(tmp_path: Path) -> None:
    """Between creating its file and locking it, a writer must not lose it."""
    part = tmp_path / ".framework-x.db.1-ab.part"
    part.write_bytes(b"")
    assert parts.remove_stale(tmp_path, bk.PARTS) == []
    _age(part, parts.SETTLE_S + 1)
    assert parts.remove_stale(tmp_path, bk.PARTS) == [part]


def test_a_restore_into_a_missing_database_never_writes_it_in_place(coded: Path, monkeypatch) -> None:
    db = coded / "framework.db"
    db.unlink()
    seen: list[Path] = []
    real = sqlite3.connect

    def connect(target, *args, **kwargs):
        seen.append(Path(str(target)))
        return real(target, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", connect)
    from framework.safety.restore import restore

    restore(coded, bk.list_backups(coded)[0].path)
    monkeypatch.undo()
    assert db not in seen and any(p.name.endswith(parts.SUFFIX) for p in seen)
    assert not list(coded.glob(f"*{parts.SUFFIX}")) and not list(coded.glob(f".*{parts.SUFFIX}"))
    assert len(json.loads(run(coded, "code", "list", "--json").stdout)) == 6


SETTING = """
import sys
from framework.project import open_project
project = open_project(sys.argv[1])
project.save_setting("recent_themes", ["1.1", "2.1"])
print(project.settings()["recent_themes"], project.store.read_only is not None)
"""


def test_settings_changed_in_a_read_only_folder_hold_for_the_session(read_only: Path) -> None:
    before = sorted(p.name for p in (read_only / ".framework").iterdir())
    proc = subprocess.run([*PREFIX, sys.executable, "-c", SETTING, str(read_only)], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["['1.1',", "'2.1']", "True"]
    assert sorted(p.name for p in (read_only / ".framework").iterdir()) == before


def test_a_large_damaged_database_is_read_at_once_and_refused_at_its_first_write(coded: Path, monkeypatch) -> None:
    """The check for damage reads the whole file: past the size checked on every opening, a
    reading command does not wait for it, and the first write finds the damage and refuses."""
    import framework.project as opening
    from framework.errors import StoreError

    _damage(coded / "framework.db")
    damaged = (coded / "framework.db").read_bytes()
    monkeypatch.setattr(opening, "CHECK_ON_OPENING", 0)
    project = open_project(coded)
    try:
        assert not any("damaged" in w for w in project.warnings)
        assert [d.name for d in project.store.documents.list()] == ["ad_county", "dir_london", "hos_met"]
        doc = project.store.documents.get("hos_met")
        with pytest.raises(StoreError, match="the project database is damaged"):
            coding.add_coding(project.store, "alice", doc.id, "1.1", 0, 5)
    finally:
        project.close()
    assert (coded / "framework.db").read_bytes() == damaged
