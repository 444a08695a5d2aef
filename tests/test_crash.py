"""Crash safety: real processes killed with SIGKILL at random moments, and inside their
transactions, during a folder import, a bulk code import and a run of single codings.

After every kill the database must pass ``PRAGMA integrity_check``, open with
``Store``, and hold either all of an import or none of it; every single coding the
process reported as committed must be there, each with its action-log entry.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from framework.project import open_project
from framework.store import Store
from tests.conftest import write_project

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

SEED = int(os.environ.get("CRASH_SEED", "20261123"))
KILLS = 10  # per test; 30 in this file
FILES = 300
CODINGS = 20_000
WORDS = "staff caseload supervision team manager agency vacancy duty the a of and to in we".split()


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """A project with a large transcript to code, a folder of transcripts to import and a
    file of codings to import."""
    rng = random.Random(SEED)
    top = tmp_path_factory.mktemp("crash")
    root = write_project(top / "base")
    big = "\n\n".join(" ".join(rng.choice(WORDS) for _ in range(60)) for _ in range(600))
    (root / "transcripts" / "big.txt").write_text(big, encoding="utf-8")
    open_project(root).close()
    folder = top / "incoming"
    folder.mkdir()
    for i in range(FILES):
        turns = [("Interviewer: " if j % 2 == 0 else "Respondent: ") + " ".join(rng.choice(WORDS) for _ in range(50))
                 for j in range(60)]
        (folder / f"int_{i:03d}.txt").write_text("\n\n".join(turns), encoding="utf-8")
    rows = [{"document": "big", "theme": "1.1", "start": (n * 7) % 150_000, "end": (n * 7) % 150_000 + 1 + n % 50}
            for n in range(CODINGS)]
    (top / "codings.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return root


def fresh(base: Path, tmp_path: Path, n: int) -> Path:
    root = tmp_path / f"run{n}"
    root.mkdir()
    shutil.copyfile(base / "framework.db", root / "framework.db")
    shutil.copyfile(base / "themes.yaml", root / "themes.yaml")
    return root


def spawn(*args: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(30, proc.kill)
    watchdog.daemon = True
    watchdog.start()
    return proc


def wait_for(proc: subprocess.Popen, marker: str) -> None:
    for line in proc.stdout:
        if line.strip() == marker:
            return
    raise AssertionError(f"the child ended before {marker!r}: {proc.stderr.read()}")


def kill(proc: subprocess.Popen) -> tuple[bool, list[str]]:
    """SIGKILL the child; (whether it was still running, the lines it had printed)."""
    running = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    rest = proc.stdout.read().splitlines()
    proc.wait()
    return running, rest


def sound(db: Path) -> sqlite3.Connection:
    """Open a crashed database as SQLite would and check it; returns the connection."""
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    Store(db).close()
    return conn


def count(conn: sqlite3.Connection, sql: str) -> int:
    return conn.execute(sql).fetchone()[0]


# -- importing a folder -----------------------------------------------------------------------------

IMPORT_INSIDE = """
import sys, time
from pathlib import Path
from framework.ingest.documents import import_paths
from framework.store import Store
store = Store(sys.argv[1])
store.conn.execute("PRAGMA cache_size = 5")  # uncommitted pages spill into the -wal file
original = store.documents.insert_many
def insert_many(docs):
    ids = original(docs)
    print("inside", flush=True)
    time.sleep(30)
    return ids
store.documents.insert_many = insert_many
import_paths(store, [Path(sys.argv[2])])
"""


def test_killed_folder_imports_leave_all_or_nothing(base: Path, tmp_path: Path) -> None:
    rng = random.Random(SEED + 1)
    incoming = base.parent / "incoming"
    started = time.perf_counter()
    whole = spawn("-m", "framework", "--project", str(fresh(base, tmp_path, 99)), "import", str(incoming))
    assert whole.wait() == 0, whole.stderr.read()
    duration = time.perf_counter() - started
    outcomes = []
    for n in range(KILLS):
        root = fresh(base, tmp_path, n)
        db = root / "framework.db"
        if n % 2 == 0:  # inside the transaction, rows written but not committed
            proc = spawn("-c", IMPORT_INSIDE, str(db), str(incoming))
            wait_for(proc, "inside")
            time.sleep(rng.uniform(0, 0.05))
            assert os.path.getsize(f"{db}-wal") > 0
        else:  # at a random moment of the real command
            proc = spawn("-m", "framework", "--project", str(root), "import", str(incoming))
            time.sleep(rng.uniform(0.05, duration * 1.2))
        kill(proc)
        conn = sound(db)
        docs = count(conn, "SELECT count(*) FROM documents")
        assert docs in (4, 4 + FILES), f"kill {n}: {docs - 4} of {FILES} documents"
        units = count(conn, "SELECT count(*) FROM units u JOIN documents d ON d.id = u.document_id "
                            "WHERE d.name LIKE 'int_%'")
        assert units == (60 * FILES if docs > 4 else 0)
        assert count(conn, "SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'caseload'") <= docs
        outcomes.append(docs > 4)
        conn.close()
        if n == 0:  # after a crash inside the transaction, the same import simply works
            again = spawn("-m", "framework", "--project", str(root), "import", str(incoming))
            assert again.wait() == 0, again.stderr.read()
            conn = sound(db)
            assert count(conn, "SELECT count(*) FROM documents") == 4 + FILES
            conn.close()
    assert not all(outcomes)


# -- a bulk code import ----------------------------------------------------------------------------

CODES_INSIDE = """
import sys, time
from pathlib import Path
from framework.ingest.codings import import_codings
from framework.store import Store
store = Store(sys.argv[1])
store.conn.execute("PRAGMA cache_size = 5")
original = store.codings.count
calls = []
def count():
    calls.append(1)
    if len(calls) == 2:  # the second count runs after the insert, inside the transaction
        print("inside", flush=True)
        time.sleep(30)
    return original()
store.codings.count = count
import_codings(store, Path(sys.argv[2]), coder="bob")
"""


def test_killed_bulk_code_imports_leave_all_or_nothing(base: Path, tmp_path: Path) -> None:
    rng = random.Random(SEED + 2)
    rows = base.parent / "codings.jsonl"
    cli = ["-m", "framework", "--coder", "bob", "code", "import", str(rows)]
    started = time.perf_counter()
    whole = spawn(*cli[:-3], "--project", str(fresh(base, tmp_path, 99)), *cli[-3:])
    assert whole.wait() == 0, whole.stderr.read()
    duration = time.perf_counter() - started
    outcomes = []
    for n in range(KILLS):
        root = fresh(base, tmp_path, n)
        db = root / "framework.db"
        if n % 2 == 0:
            proc = spawn("-c", CODES_INSIDE, str(db), str(rows))
            wait_for(proc, "inside")
            time.sleep(rng.uniform(0, 0.05))
        else:
            proc = spawn(*cli[:-3], "--project", str(root), *cli[-3:])
            time.sleep(rng.uniform(0.05, duration * 1.2))
        kill(proc)
        conn = sound(db)
        codings = count(conn, "SELECT count(*) FROM codings")
        assert codings in (0, CODINGS), f"kill {n}: {codings} of {CODINGS} codings"
        assert count(conn, "SELECT count(*) FROM actions WHERE kind = 'code.import'") == (codings > 0)
        outcomes.append(codings > 0)
        conn.close()
    assert not all(outcomes)


# -- single codings, one after another --------------------------------------------------------------

LOOP = """
import sys
from framework.coding import actions as coding
from framework.store import Store
store = Store(sys.argv[1])
doc = store.documents.get("big")
print("ready", flush=True)
n = 0
while True:
    start = (n * 13) % 150000
    made = coding.add_coding(store, sys.argv[2], doc.id, "2.1", start, start + 1 + n % 40)
    print(made.id, flush=True)
    n += 1
"""


def test_every_reported_single_coding_survives_kills(base: Path, tmp_path: Path) -> None:
    rng = random.Random(SEED + 3)
    db = fresh(base, tmp_path, 0) / "framework.db"
    reported: set[int] = set()
    for n in range(KILLS):
        proc = spawn("-c", LOOP, str(db), f"coder{n}")
        wait_for(proc, "ready")
        time.sleep(rng.uniform(0.15, 0.6))
        running, lines = kill(proc)
        assert running, proc.stderr.read()
        ids = {int(x) for x in lines}
        assert ids, "the child committed nothing before it was killed"
        reported |= ids
        conn = sound(db)
        present = {r[0] for r in conn.execute("SELECT id FROM codings")}
        assert reported <= present, f"kill {n}: lost codings {sorted(reported - present)[:10]}"
        # each coding was committed together with its action-log entry
        assert count(conn, "SELECT count(*) FROM codings") == count(
            conn, "SELECT count(*) FROM actions WHERE kind = 'coding.add'")
        assert len(present - reported) <= n + 1  # at most the one in flight per kill
        conn.close()
