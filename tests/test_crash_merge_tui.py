"""Crash safety of a merge and of coding in the interface: real processes killed
with SIGKILL at random moments, and inside their transactions.

A merge brings every coder's work from another copy of the project in one transaction,
logged as one ``merge`` action. After every kill the database must pass ``PRAGMA
integrity_check`` and open with ``Store``; every coder's codings and chart summaries and
the ``merge`` log entry are all there or none of them are; running the merge again
completes it exactly.

A run of the real interface, headless (Pilot), codes one passage after another: select
a passage, code it with the theme picker or a number key, and report the coding once the
interface has it back from the committed write. After every kill, each reported coding
is in the store with its ``coding.add`` log entry, and only the action in flight may be
lost.

How these tests were checked to fail (each change made temporarily, in a scratch copy):
- ``PRAGMA journal_mode = OFF`` set in the merge child: after the kill inside the
  transaction ``PRAGMA integrity_check`` reports damage.
- A ``COMMIT; BEGIN IMMEDIATE`` after a coder's rows in the merge child (in the patched
  ``reconcile.apply``): the kill inside the transaction leaves coders merged and no
  ``merge`` entry.
- The merge committing after every coder, with the kills inside transactions turned
  off: the random kills of the real command leave some coders merged and others not.
- The interface child committing every third ``Store.write``: reported codings are
  missing after the first kill.
- The interface child committing a coding before writing its log entry: more codings
  than ``coding.add`` entries after a kill inside the transaction.
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
import time
from pathlib import Path

import pytest

from framework.ingest.codings import import_codings
from framework.project import open_project
from framework.store import ChartCell, now
from tests.conftest import write_project
from tests.test_crash import SEED, count, kill, sound, spawn

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

WORDS = "staff caseload supervision team manager agency vacancy duty the a of and to in we".split()

# -- a merge -----------------------------------------------------------------------------------

THEME_OF = {"alice": "1.1", "bob": "1.2", "carol": "2.1", "dave": "2.2", "erin": "3"}
CODERS = sorted(THEME_OF)  # the merge imports coders in this order
PER_CODER = 5000  # in the other copy; some 0.05 s of writing per coder
OWN = 500  # alice's codings in this copy; the other copy has them too
MERGE_KILLS = 6  # a third inside the transaction, the rest at random moments of the real command
CELLS = {"bob": 2, "carol": 3}

# Runs the real command line in-process, pausing inside the merge's transaction once the
# STOP-th coder's rows are written, with uncommitted pages spilled into the -wal file.
MERGE_CHILD = """
import sys, time
from framework.coding import coderfile, reconcile
from framework.cli import main
stop = int(sys.argv[1])
original_apply = reconcile.apply
calls = []
def apply(store, plan, changes):
    if not calls:
        store.conn.execute("PRAGMA cache_size = 5")
    original_apply(store, plan, changes)
    calls.append(1)
    if len(calls) == stop:
        print("inside", flush=True)
        time.sleep(30)
coderfile.apply = apply
main(sys.argv[2:], prog_name="framework")
"""


def _rows(n: int, step: int, theme: str) -> str:
    return "\n".join(json.dumps({"document": "big", "theme": theme, "start": (k * step) % 150_000,
                                 "end": (k * step) % 150_000 + 1 + k % 50}) for k in range(n)) + "\n"


@pytest.fixture(scope="module")
def copies(tmp_path_factory) -> tuple[Path, Path]:
    """This copy of a project (alice has coded some of it) and another copy, made from it,
    in which five coders, alice among them, coded thousands of passages more."""
    rng = random.Random(SEED + 10)
    top = tmp_path_factory.mktemp("merge")
    here = write_project(top / "here")
    big = "\n\n".join(" ".join(rng.choice(WORDS) for _ in range(60)) for _ in range(600))
    (here / "transcripts" / "big.txt").write_text(big, encoding="utf-8")
    project = open_project(here)
    (top / "own.jsonl").write_text(_rows(OWN, 7, "1.1"), encoding="utf-8")
    import_codings(project.store, top / "own.jsonl", coder="alice")
    project.close()
    other = top / "other"
    other.mkdir()
    for name in ("framework.db", "themes.yaml"):
        shutil.copyfile(here / name, other / name)
    project = open_project(other)
    store = project.store
    for i, coder in enumerate(CODERS):
        path = top / f"{coder}.jsonl"
        path.write_text(_rows(PER_CODER, 11 + 2 * i, THEME_OF[coder]), encoding="utf-8")
        import_codings(store, path, coder=coder)
    cases = store.cases.list()
    with store.write():
        for coder, n in CELLS.items():
            for case in cases[:n]:
                store.cells.put(ChartCell(case.id, THEME_OF[coder], coder, f"{coder} on {case.name}", "draft",
                                          now(), coder))
    project.close()
    return here, other


def _fresh(here: Path, tmp_path: Path, n: int) -> Path:
    root = tmp_path / f"merge{n}"
    root.mkdir()
    for name in ("framework.db", "themes.yaml"):
        shutil.copyfile(here / name, root / name)
    return root


def _keys(db: Path) -> dict[str, set[tuple]]:
    conn = sqlite3.connect(db)
    keys: dict[str, set[tuple]] = {}
    for row in conn.execute('SELECT c.coder, d.name, c.theme_id, c.start, c."end" FROM codings c '
                            "JOIN documents d ON d.id = c.document_id"):
        keys.setdefault(row[0], set()).add(row[1:])
    conn.close()
    return keys


def _state(conn: sqlite3.Connection, coder: str) -> tuple[int, int, int]:
    """(codings, chart summaries) of one coder, and the merge's log entries."""
    return (count(conn, f"SELECT count(*) FROM codings WHERE coder = '{coder}'"),
            count(conn, f"SELECT count(*) FROM chart_cells WHERE layer = '{coder}'"),
            count(conn, "SELECT count(*) FROM actions WHERE kind = 'merge'"))


def _first_write(db: Path, proc: subprocess.Popen) -> None:
    """Wait until the process has written to the database's -wal file (its first commit)."""
    wal = Path(f"{db}-wal")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        if wal.exists() and wal.stat().st_size > 0:
            return
        time.sleep(0.002)
    raise AssertionError(f"the merge wrote nothing: {proc.stderr.read() if proc.poll() is not None else ''}")


def _merged(db: Path, before: dict, after: dict, n: int) -> set[str]:
    """Check a killed merge; returns the coders whose work is in (all of them or none)."""
    conn = sound(db)
    merged = set()
    for coder in CODERS:
        state = _state(conn, coder)
        assert state in (before[coder], after[coder]), (
            f"kill {n}: {coder} half merged: (codings, summaries, log entries) {state}, "
            f"expected {before[coder]} or {after[coder]}")
        if state == after[coder]:
            merged.add(coder)
    conn.close()
    assert merged in (set(), set(CODERS)), f"kill {n}: only {sorted(merged)} merged"
    return merged


def test_killed_merges_bring_every_coder_or_none(copies, tmp_path: Path) -> None:
    here, other = copies
    rng = random.Random(SEED + 11)
    mine, theirs = _keys(here / "framework.db"), _keys(other / "framework.db")
    before = {c: (len(mine.get(c, ())), 0, 0) for c in CODERS}
    after = {c: (len(mine.get(c, set()) | theirs[c]), CELLS.get(c, 0), 1) for c in CODERS}
    assert all(after[c][0] > before[c][0] for c in CODERS)
    assert sum(after[c][0] for c in CODERS) > 20_000

    # one whole merge, timed
    root = _fresh(here, tmp_path, 99)
    started = time.perf_counter()
    whole = subprocess.run([sys.executable, "-m", "framework", "--project", str(root), "merge", str(other)],
                           capture_output=True, text=True, timeout=60)
    duration = time.perf_counter() - started
    assert whole.returncode == 0, whole.stderr
    assert _merged(root / "framework.db", before, after, 99) == set(CODERS)

    random_outcomes = []
    for n in range(MERGE_KILLS):
        root = _fresh(here, tmp_path, n)
        db = root / "framework.db"
        cli = ["--project", str(root), "merge", str(other)]
        stop = rng.randint(1, len(CODERS)) if n % 3 == 0 else 0
        if stop:  # inside the transaction, after the rows of some coders
            proc = spawn("-c", MERGE_CHILD, str(stop), *cli)
            for line in proc.stdout:
                if line.strip() == "inside":
                    break
            else:
                raise AssertionError(f"the merge ended before pausing: {proc.stderr.read()}")
            time.sleep(rng.uniform(0, 0.05))
            assert os.path.getsize(f"{db}-wal") > 0
        elif n % 3 == 1:  # at a random moment of the real command once it has begun to write
            proc = spawn("-m", "framework", *cli)
            _first_write(db, proc)
            time.sleep(rng.uniform(0, 0.3))
        else:  # at a random moment of the real command
            proc = spawn("-m", "framework", *cli)
            time.sleep(rng.uniform(0.1, duration))
        kill(proc)
        merged = _merged(db, before, after, n)
        if stop:
            assert merged == set(), f"kill {n} inside the merge, after {CODERS[stop - 1]}'s rows: {merged}"
        else:
            random_outcomes.append(merged == set(CODERS))
        # the same merge again completes it: the rest added once, nothing twice
        again = subprocess.run([sys.executable, "-m", "framework", *cli], capture_output=True, text=True,
                               timeout=60)
        assert again.returncode == 0, again.stderr
        for coder in CODERS:
            added = 0 if coder in merged else after[coder][0] - before[coder][0]
            assert f"{coder}: {added} added, 0 removed, 0 changed" in again.stdout, again.stdout
        assert _merged(db, before, after, n) == set(CODERS)
    assert not all(random_outcomes), "no random kill landed before the merge was done"
    # the other copy was only read
    conn = sound(other / "framework.db")
    assert {c: _state(conn, c) for c in CODERS} == {
        c: (len(theirs[c]), CELLS.get(c, 0), 0) for c in CODERS}
    conn.close()


# -- coding in the interface ----------------------------------------------------------------------

# How each run of the interface is killed: at a random moment while it starts; at a random
# moment once it has saved a coding; inside the transaction of a coding.
RUNS = ["starting", "coding", "inside", "coding", "inside", "coding", "inside"]

# The real app, headless. Each action: put the cursor somewhere, select a word or two
# (ctrl+shift+right), code the selection with the picker (c, the theme id, Enter) or with
# recent theme 1 or 2; wait for the workers; print the coding the reader got back from the
# committed write. When STOP > 0, the STOP-th coding pauses inside its transaction, after
# its row and its log entry are written.
INTERFACE_CHILD = """
import asyncio, json, sys, time
from framework.project import open_project
from framework.store import Store
from framework.tui.app import make_app
from framework.tui.dialogs.theme_picker import ThemePicker
from framework.tui.screens.reader import ReaderScreen

root, coder, run, stop = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
THEMES = ["1.1", "1.2", "2.1", "2.2", "3"]
if stop:
    original_log = Store.log
    added = []
    def log(self, who, kind, payload):
        action = original_log(self, who, kind, payload)
        if kind == "coding.add":
            added.append(1)
            if len(added) == stop:
                print("inside", flush=True)
                time.sleep(30)
        return action
    Store.log = log

async def settle(pilot):
    app = pilot.app
    for _ in range(50):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in app.workers) and app.gate.idle:
            return
    raise AssertionError("workers did not settle")

async def main():
    app = make_app(open_project(root), coder, document="notes")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        reader = app.screen
        assert isinstance(reader, ReaderScreen), reader
        view = reader.view
        length = len(reader.data.text)
        print("ready", flush=True)
        n = 0
        while True:
            view.goto_offset((run * 1009 + n * 211) % (length - 40))
            await pilot.press(*["ctrl+shift+right"] * (1 + (n % 4 == 3)))
            span = view.selected_span()
            recent = app.catalog.recent_valid(app.recent)
            if n % 5 == 0 or len(recent) < 2:
                theme = THEMES[(run + n // 5) % len(THEMES)]
                await pilot.press("c")
                await settle(pilot)
                assert isinstance(app.screen, ThemePicker), app.screen
                await pilot.press(*theme, "enter")
            else:
                key = 1 + n % 2
                theme = recent[key - 1]
                await pilot.press(str(key))
            await settle(pilot)
            assert app.screen is reader, app.screen
            made = [c for c in view.layout_map.codings.values()
                    if c.id > 0 and (c.start, c.end, c.theme_id, c.coder) == (*span, theme, coder)]
            assert len(made) == 1, (span, theme, made)
            print(json.dumps([made[0].id, *span, theme]), flush=True)
            n += 1

asyncio.run(main())
"""


@pytest.fixture
def study_root(tmp_path: Path) -> Path:
    rng = random.Random(SEED + 12)
    root = write_project(tmp_path / "study")
    turns = [("Interviewer: " if j % 2 == 0 else "Respondent: ") + " ".join(rng.choice(WORDS) for _ in range(25))
             for j in range(24)]
    (root / "transcripts" / "notes.txt").write_text("\n\n".join(turns), encoding="utf-8")
    open_project(root).close()
    return root


def test_killed_interface_keeps_every_coding_it_showed_as_saved(study_root: Path) -> None:
    rng = random.Random(SEED + 13)
    db = study_root / "framework.db"
    reported: dict[int, tuple] = {}
    random_kills = 0
    extra_before: set[int] = set()
    for n, how in enumerate(RUNS):
        stop = rng.randint(1, 5) if how == "inside" else 0
        proc = spawn("-c", INTERFACE_CHILD, str(study_root), "alice", str(n), str(stop))
        lines = []
        if how == "starting":  # while the project opens and the app starts (or soon after)
            time.sleep(rng.uniform(0.1, 1.2))
        else:
            for line in proc.stdout:
                line = line.strip()
                if line == "inside":
                    break
                lines.append(line)
                if how == "coding" and line.startswith("["):
                    break
            else:
                raise AssertionError(f"the interface ended on its own: {proc.stderr.read()}")
            time.sleep(rng.uniform(0, 0.05) if stop else rng.uniform(0, 2.0))
        running, rest = kill(proc)
        assert running, proc.stderr.read()
        random_kills += not stop
        now_reported = {r[0]: tuple(r[1:]) for r in (json.loads(x) for x in lines + rest if x.startswith("["))}
        if stop:  # the codings before the one in flight
            assert len(now_reported) == stop - 1, lines + rest
        elif how == "coding":
            assert now_reported, "the interface reported nothing before it was killed"
        reported |= now_reported

        conn = sound(db)
        present = {r[0]: r[1:] for r in conn.execute(
            'SELECT id, start, "end", theme_id FROM codings WHERE coder = \'alice\'')}
        lost = {i: v for i, v in reported.items() if present.get(i) != v}
        assert not lost, f"run {n}: reported codings lost or changed: {lost}"
        logged = {r[0] for r in conn.execute(
            "SELECT json_extract(payload, '$.coding.id') FROM actions WHERE kind = 'coding.add' AND coder = 'alice'")}
        assert set(reported) <= logged, f"run {n}: codings without their log entry"
        assert count(conn, "SELECT count(*) FROM codings") == count(
            conn, "SELECT count(*) FROM actions WHERE kind = 'coding.add'")
        # at most the action in flight per kill (committed, not yet shown), and none when the
        # kill came inside its transaction
        extra = set(present) - set(reported)
        assert len(extra) <= random_kills, (n, sorted(extra))
        if stop:
            assert extra == extra_before, f"run {n}: the coding in flight was kept: {sorted(extra - extra_before)}"
        extra_before = extra
        conn.close()
        settings = study_root / ".framework" / "settings.json"
        if settings.exists():
            json.loads(settings.read_text(encoding="utf-8"))
    assert len(reported) >= 4
