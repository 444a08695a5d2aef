"""Two (or three) coders, one project file: concurrent processes never lose or overwrite
each other's codings; a writer waits briefly for the lock, then reports it clearly."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from framework.coding import actions as coding
from framework.errors import StoreError
from framework.store import Store

PER_CODER = 1000

CODER = """
import sys
from framework.coding import actions as coding
from framework.store import Store
store = Store(sys.argv[1])
doc = store.documents.get("dir_london")
print("ready", flush=True)
sys.stdin.readline()
for n in range(int(sys.argv[3])):
    start = n % 300
    coding.add_coding(store, sys.argv[2], doc.id, "1.1", start, start + 1 + n // 300)
print("done", flush=True)
"""

READER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
print("ready", flush=True)
sys.stdin.readline()
checks = 0
while True:
    conn.execute("BEGIN")
    codings = conn.execute("SELECT count(*) FROM codings").fetchone()[0]
    logged = conn.execute("SELECT count(*) FROM actions WHERE kind = 'coding.add'").fetchone()[0]
    conn.execute("COMMIT")
    assert codings == logged, (codings, logged)
    checks += 1
    if codings >= int(sys.argv[2]):
        break
print(checks, flush=True)
"""

HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO meta(key, value) VALUES ('holder', 'x')")
print("locked", flush=True)
if sys.argv[2] == "until-told":
    sys.stdin.readline()
else:
    time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
print("released", flush=True)
"""


def spawn(code: str, *args: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(60, proc.kill)
    watchdog.daemon = True
    watchdog.start()
    return proc


def expect(proc: subprocess.Popen, line: str) -> None:
    got = proc.stdout.readline().strip()
    assert got == line, f"expected {line!r}, got {got!r}: {proc.stderr.read() if not got else ''}"


def test_three_coders_writing_at_once_lose_nothing(project) -> None:
    db = str(project.db_path)
    coders = ["alice", "bob", "carol"]
    procs = [spawn(CODER, db, name, str(PER_CODER)) for name in coders]
    reader = spawn(READER, db, str(PER_CODER * len(coders)))
    for proc in [*procs, reader]:
        expect(proc, "ready")
    for proc in [*procs, reader]:  # all start together
        proc.stdin.write("go\n")
        proc.stdin.flush()
    for proc in procs:
        expect(proc, "done")
        assert proc.wait() == 0, proc.stderr.read()
    assert int(reader.stdout.readline()) > 0 and reader.wait() == 0, reader.stderr.read()
    store = project.store
    assert store.integrity_check() == "ok"
    per_coder = {r["coder"]: r["n"] for r in store.query("SELECT coder, count(*) AS n FROM codings GROUP BY coder")}
    assert per_coder == {name: PER_CODER for name in coders}
    logged = {r["coder"]: r["n"] for r in store.query(
        "SELECT coder, count(*) AS n FROM actions WHERE kind = 'coding.add' GROUP BY coder")}
    assert logged == per_coder
    # the same passages, coded by each coder: three separate rows each, none overwritten
    spans = store.query('SELECT start, "end", count(DISTINCT coder) AS n FROM codings GROUP BY start, "end"')
    assert len(spans) == PER_CODER and {s["n"] for s in spans} == {3}
    for name in coders:
        assert len(coding.history(store, name).done) == PER_CODER


def test_two_bulk_code_imports_at_once_both_land(project) -> None:
    rows = project.root / "rows.jsonl"
    rows.write_text("\n".join(json.dumps({"document": "dir_london", "theme": "2.1", "start": n % 300,
                                          "end": n % 300 + 1 + n // 300}) for n in range(3000)), encoding="utf-8")
    procs = [subprocess.Popen([sys.executable, "-m", "framework", "--project", str(project.root), "--coder", name,
                               "code", "import", str(rows)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name in ("alice", "bob")]
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert "3000 added" in out
    counts = {r["coder"]: r["n"] for r in project.store.query("SELECT coder, count(*) AS n FROM codings GROUP BY coder")}
    assert counts == {"alice": 3000, "bob": 3000}


def _blocked(project, timeout: float) -> tuple[StoreError, float]:
    holder = spawn(HOLDER, str(project.db_path), "30")
    try:
        expect(holder, "locked")
        store = Store(project.db_path, busy_timeout=timeout)  # opening only reads: not blocked
        doc = store.documents.get("dir_london")
        started = time.perf_counter()
        with pytest.raises(StoreError) as blocked:
            coding.add_coding(store, "alice", doc.id, "1.1", 0, 10)
        elapsed = time.perf_counter() - started
    finally:
        holder.kill()
        holder.wait()
    assert store.codings.count() == 0
    coding.add_coding(store, "alice", doc.id, "1.1", 0, 10)  # the lock is gone: it works
    assert store.codings.count() == 1
    store.close()
    return blocked.value, elapsed


def test_a_writer_blocked_past_the_busy_timeout_gets_a_clear_error(project) -> None:
    error, elapsed = _blocked(project, 0.3)
    message = str(error)
    assert str(project.db_path) in message
    assert "busy" in message and "another framework process is writing" in message
    assert "Nothing was changed" in message
    assert 0.25 <= elapsed < 9  # its own timeout, not the default 10 s


def test_the_busy_message_gives_the_timeout_that_was_used(project) -> None:
    error, _elapsed = _blocked(project, 0.3)
    assert "within 0.3 s" in str(error)


def test_a_writer_waits_for_a_short_lock_and_then_succeeds(project) -> None:
    holder = spawn(HOLDER, str(project.db_path), "until-told")
    made = []
    try:
        expect(holder, "locked")
        doc = project.store.documents.get("dir_london")
        writer = threading.Thread(target=lambda: made.append(
            coding.add_coding(project.store, "alice", doc.id, "1.1", 0, 10)))
        writer.start()
        writer.join(0.3)
        assert writer.is_alive() and not made  # waiting for the lock, not failing
        holder.stdin.write("release\n")
        holder.stdin.flush()
        expect(holder, "released")
        writer.join(30)
    finally:
        holder.kill()
        holder.wait()
    assert len(made) == 1 and made[0].id
    assert project.store.get_meta("holder") == "x"  # the other process's write is kept too
    conn = sqlite3.connect(project.db_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_opening_while_another_process_writes_does_not_wait(project) -> None:
    holder = spawn(HOLDER, str(project.db_path), "until-told")
    try:
        expect(holder, "locked")
        # The lock is held until told: if opening needed it, this would fail as busy after 0.2 s.
        other = Store(project.db_path, busy_timeout=0.2)
        assert [d.name for d in other.documents.list()] == ["ad_county", "dir_london", "hos_met"]
        other.close()
    finally:
        holder.kill()
        holder.wait()


def test_readers_see_whole_actions_only(project) -> None:
    """A reader never sees a coding without its log entry, even mid-write (checked by READER above)."""
    path: Path = project.db_path
    writer = spawn(CODER, str(path), "dave", "300")
    reader = spawn(READER, str(path), "300")
    for proc in (writer, reader):
        expect(proc, "ready")
    for proc in (writer, reader):
        proc.stdin.write("go\n")
        proc.stdin.flush()
    expect(writer, "done")
    assert int(reader.stdout.readline()) > 1 and reader.wait() == 0, reader.stderr.read()
    assert writer.wait() == 0
