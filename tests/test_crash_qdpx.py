"""Crash safety of ``framework import X.qdpx``: killed at random moments and inside its
transaction, the import leaves ``themes.yaml`` and the database in step.

After every kill, ``framework doctor`` (which, like opening the project, completes a
``themes.yaml`` whose import committed) must pass, the database must hold all of the
import or none of it, and ``themes.yaml`` must name exactly the themes the database has.
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import time
import zipfile
from pathlib import Path

import pytest

from framework.project import open_project
from framework.themes.validate import load_themes
from tests.conftest import write_project
from tests.test_crash import SEED, kill, sound, spawn, wait_for

pytestmark = pytest.mark.skipif(not hasattr(__import__("signal"), "SIGKILL"), reason="needs SIGKILL")

KILLS = 12
SOURCES = 150
PER_SOURCE = 40
NS = "urn:QDA-XML:project:1.0"
WORDS = "staff caseload supervision team manager agency vacancy duty the a of and to in we".split()


def _guid(kind: int, n: int) -> str:
    return f"{kind:08x}-0000-4000-8000-{n:012d}"


def foreign_qdpx(path: Path) -> Path:
    """A project from another program: 12 codes (new to the project), many sources and codings."""
    rng = random.Random(SEED)
    codes = "".join(f'<Code guid="{_guid(2, i)}" name="Topic {i}" isCodable="true"/>' for i in range(12))
    sources, members = [], {}
    for s in range(SOURCES):
        words = [rng.choice(WORDS) for _ in range(600)]
        text = " ".join(words)
        sels, at = [], 0
        for k in range(PER_SOURCE):
            start = text.index(" ", at) + 1
            end = text.index(" ", start + 20)
            sels.append(f'<PlainTextSelection guid="{_guid(4, s * 1000 + k)}" startPosition="{start}" '
                        f'endPosition="{end}"><Coding guid="{_guid(5, s * 1000 + k)}" creatingUser="{_guid(1, 0)}">'
                        f'<CodeRef targetGUID="{_guid(2, k % 12)}"/></Coding></PlainTextSelection>')
            at = end
        sources.append(f'<TextSource guid="{_guid(3, s)}" name="site_{s:03d}" '
                       f'plainTextPath="internal://{_guid(3, s)}.txt">{"".join(sels)}</TextSource>')
        members[f"sources/{_guid(3, s)}.txt"] = text.encode()
    qde = (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="Other" origin="MAXQDA 2022">'
           f'<Users><User guid="{_guid(1, 0)}" name="dana"/></Users><CodeBook><Codes>{codes}</Codes></CodeBook>'
           f'<Sources>{"".join(sources)}</Sources></Project>')
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde)
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    top = tmp_path_factory.mktemp("crash_qdpx")
    root = write_project(top / "base")
    open_project(root).close()
    foreign_qdpx(top / "other.qdpx")
    return root


def fresh(base: Path, tmp_path: Path, n: int) -> Path:
    root = tmp_path / f"run{n}"
    root.mkdir()
    for name in ("framework.db", "themes.yaml"):
        shutil.copyfile(base / name, root / name)
    return root


INSIDE = """
import sys, time
from pathlib import Path
from framework.exchange import importer
from framework.project import open_project
project = open_project(sys.argv[1])
original = importer._write_codings
def slow(ctx):
    original(ctx)
    print("inside", flush=True)
    time.sleep(30)
importer._write_codings = slow
importer.import_project(project, Path(sys.argv[2]), "carol")
"""


def themes_in_step(root: Path) -> tuple[int, int]:
    """Run doctor as a user would; return (codings, themes) and check the file and the database agree."""
    done = spawn("-m", "framework", "--project", str(root), "doctor", "--json")
    assert done.wait() == 0, done.stdout.read() + done.stderr.read()
    assert json.loads(done.stdout.read())["ok"]
    assert not (root / ".themes.yaml.pending").exists()
    conn = sound(root / "framework.db")
    in_db = {r[0] for r in conn.execute("SELECT id FROM themes WHERE archived = 0")}
    codings = conn.execute("SELECT count(*) FROM codings WHERE coder = 'dana'").fetchone()[0]
    conn.close()
    in_file = {t.id for t in load_themes(root / "themes.yaml").flat()}
    assert in_file == in_db
    return codings, len(in_file)


def test_killed_qdpx_imports_leave_themes_yaml_and_the_database_in_step(base: Path, tmp_path: Path) -> None:
    rng = random.Random(SEED + 7)
    qdpx = base.parent / "other.qdpx"
    before = len(load_themes(base / "themes.yaml").flat())
    started = time.perf_counter()
    whole = spawn("-m", "framework", "--project", str(fresh(base, tmp_path, 99)), "import", str(qdpx))
    assert whole.wait() == 0, whole.stderr.read()
    duration = time.perf_counter() - started
    assert themes_in_step(tmp_path / "run99") == (SOURCES * PER_SOURCE, before + 12)
    outcomes = []
    for n in range(KILLS):
        root = fresh(base, tmp_path, n)
        if n % 3 == 0:  # inside the transaction: themes staged, rows written, nothing committed
            proc = spawn("-c", INSIDE, str(root), str(qdpx))
            wait_for(proc, "inside")
            time.sleep(rng.uniform(0, 0.05))
            assert (root / ".themes.yaml.pending").exists()
        else:  # at a random moment of the real command
            proc = spawn("-m", "framework", "--project", str(root), "import", str(qdpx))
            time.sleep(rng.uniform(0.05, duration * 1.1))
        kill(proc)
        codings, themes = themes_in_step(root)
        assert (codings, themes) in ((0, before), (SOURCES * PER_SOURCE, before + 12)), f"kill {n}"
        outcomes.append(codings > 0)
        if n == 0:  # after a crash inside the transaction, the same import simply works
            again = spawn("-m", "framework", "--project", str(root), "import", str(qdpx))
            assert again.wait() == 0, again.stderr.read()
            assert themes_in_step(root) == (SOURCES * PER_SOURCE, before + 12)
    assert not all(outcomes)


def test_a_commit_whose_file_was_not_written_is_completed_on_the_next_start(base: Path, tmp_path: Path) -> None:
    """The narrowest moment: the database committed, the process died before renaming the file."""
    from framework.themes import sync

    root = fresh(base, tmp_path, 0)
    original = sync.finish_pending
    sync_module_finish = "framework.exchange.importer.finish_pending"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sync_module_finish, lambda store, path: False)  # "killed" right after the commit
        project = open_project(root)
        from framework.exchange.qdpx import import_qdpx

        import_qdpx(project, base.parent / "other.qdpx", "carol")
        project.close()
    assert (root / ".themes.yaml.pending").exists()
    assert sync.finish_pending is original
    conn = sqlite3.connect(root / "framework.db")
    assert conn.execute("SELECT count(*) FROM codings WHERE coder = 'dana'").fetchone()[0] == SOURCES * PER_SOURCE
    conn.close()
    project = open_project(root)
    try:
        assert any("brought in step with an import that was interrupted" in w for w in project.warnings)
    finally:
        project.close()
    assert themes_in_step(root) == (SOURCES * PER_SOURCE, len(load_themes(base / "themes.yaml").flat()) + 12)
