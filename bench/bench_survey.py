"""Benchmark of free-text surveys at scale: 100,000 respondents x 2 free-text questions.

    python bench/bench_survey.py [--respondents 100000] [--keep DIR]

Writes a survey export, then prints each figure beside its target and a raw baseline
measured in the same run:

* ``framework import-survey`` (target: within 3x of the baseline: a bare Python process that
  reads the same CSV with ``csv.reader``, inserts the answers with one ``executemany`` and
  builds the same full-text index);
* the answers screen and the documents screen, headless with Pilot: first rows painted
  (target < 1 s; baseline: a bare Textual DataTable painting one page of the same rows),
  then a jump to the last row, a filter typed, and coding 1,000 marked answers from the
  key press to the confirmed repaint (target < 1 s);
* coding 1,000 answers and autocoding the whole corpus in the core (targets < 1 s and < 2 s;
  baselines: the same rows written by one raw ``executemany``, the same FTS query run raw);
* ``docs``, ``cases`` and ``code list``: time to the first line (target < 0.5 s), whole run,
  and peak memory, for the whole project and for a small part of it (memory flat as rows grow;
  baseline: a bare Python process printing the same rows with ``sqlite3``);
* peak memory of every step (target < 500 MB).

The exit status is 1 when a figure is over its target.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CODER = "bench"
SIZE = (120, 40)
QUESTIONS = ("How do you count your caseload, and is it manageable?",
             "What would help you spend more time with the people you support?")
WORDS = ("the team staff cases workers caseload manager supervision vacancy allocation children families "
         "assessment duty pressure budget training review practice social work time week month year council "
         "service plan risk meeting support recruitment retention newly qualified reflective audit recording "
         "system forms admin travel court visits evenings weekends hospital ward referral placement foster "
         "carers weighting points protected manageable impossible stressful rewarding colleagues").split()
RARE = ("agency", "locum", "locums", "agencies", "interim")
QUERY = "agency OR locum*"
over: list[str] = []


# -- the survey ----------------------------------------------------------------------------------------


def write_survey(path: Path, respondents: int, seed: int = 7) -> None:
    """A survey export: id, four closed questions and two free-text ones (12% left blank)."""
    rng = random.Random(seed)

    def sentence() -> str:
        words = rng.choices(WORDS, k=rng.randint(5, 18))
        if rng.random() < 0.08:
            words[rng.randrange(len(words))] = rng.choice(RARE)
        return " ".join(words).capitalize() + "."

    def answer() -> str:
        return "" if rng.random() < 0.12 else " ".join(sentence() for _ in range(rng.randint(1, 4)))

    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["respondent_id", "setting", "years_qualified", "team_type", "region", *QUESTIONS])
        for i in range(respondents):
            writer.writerow([f"r{i + 1:06d}", rng.choice(["CSD", "DASS", "PVI", "Joint"]),
                             rng.choice(["<1", "1-3", "4-10", "11+"]),
                             rng.choice(["Assessment", "Long-term", "Duty", "Hospital", "Fostering"]),
                             rng.choice(["North", "South", "London", "Midlands", "Wales"]), answer(), answer()])


RAW_IMPORT = """
import csv, sqlite3, sys, time
start = time.perf_counter()
conn = sqlite3.connect(sys.argv[2])
conn.execute("PRAGMA journal_mode = WAL")
conn.execute("PRAGMA synchronous = NORMAL")
conn.executescript("CREATE TABLE documents(id INTEGER PRIMARY KEY, name TEXT, text TEXT);"
                   "CREATE VIRTUAL TABLE documents_fts USING fts5(text, content='documents', content_rowid='id', "
                   "tokenize='unicode61 remove_diacritics 2');")
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    reader = csv.reader(f)
    next(reader)
    rows = [(f"{r[0]}.q{n}", text) for r in reader for n, text in enumerate(r[5:], start=1) if text]
with conn:
    conn.executemany("INSERT INTO documents(name, text) VALUES (?, ?)", rows)
    conn.execute("INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')")
"""

RAW_LIST = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
for row in conn.execute(sys.argv[2]):
    print("  ".join(map(str, row)))
"""
RAW_SQL = {
    "docs": "SELECT d.id, d.name, c.name, d.kind, d.length, (SELECT count(*) FROM codings k WHERE "
            "k.document_id = d.id), d.source FROM cases c JOIN documents d ON d.case_id = c.id ORDER BY c.name, d.name",
    "cases": "SELECT c.name, (SELECT count(*) FROM documents d WHERE d.case_id = c.id) FROM cases c ORDER BY c.name",
    "code list": "SELECT k.id, k.coder, d.name, k.theme_id, k.start, k.\"end\", k.quote FROM documents d JOIN codings k "
                 "ON k.document_id = d.id ORDER BY d.name, k.start, k.\"end\", k.theme_id, k.coder",
}


# -- measuring ---------------------------------------------------------------------------------------------


def run(args: list[str], cwd: Path | None = None) -> tuple[float, float, float]:
    """Run a process to its end: (seconds to its first line of output, seconds in all, peak MB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    first_at = time.perf_counter() - start
    for _ in iter(lambda: proc.stdout.read(1 << 16), b""):
        pass
    _pid, status, usage = os.wait4(proc.pid, 0)
    total = time.perf_counter() - start
    if status:
        raise SystemExit(f"{' '.join(args)} failed: {proc.stderr.read().decode()}")
    return (first_at if first else total), total, usage.ru_maxrss / 1024


def line(name: str, value: float, target: float | None, baseline: float | None, unit: str = "s") -> None:
    ok = "" if target is None else ("ok" if value < target else "OVER TARGET")
    if ok == "OVER TARGET":
        over.append(name)
    text = f"{name:<54} {value:9.2f} {unit:<3}"
    text += f" target < {target:<5.4g} {unit:<3}" if target is not None else " " * 19
    text += f" baseline {baseline:8.2f} {unit}" if baseline is not None else ""
    print(f"{text}   {ok}".rstrip())


def framework(*args: str) -> list[str]:
    return [sys.executable, "-m", "framework", *args]


# -- in-process: core and TUI (run in a child, so that its peak memory is its own) --------------------------


def core(project_dir: Path) -> dict[str, float]:
    from framework.coding.actions import code_whole, undo
    from framework.coding.autocode import Search, apply, preview
    from framework.project import open_project
    from framework.store.questions import questions

    project = open_project(project_dir)
    store = project.store
    first = questions(store)[0].text
    ids = [r["id"] for r in store.query("SELECT id FROM documents WHERE question = ? ORDER BY id LIMIT 1000", (first,))]
    out: dict[str, float] = {}
    start = time.perf_counter()
    code_whole(store, CODER, ids, "1")
    out["code 1,000"] = time.perf_counter() - start
    undo(store, CODER)
    rows = store.query(f"SELECT id, text FROM documents WHERE id IN ({','.join(map(str, ids))})")
    start = time.perf_counter()
    with store.write() as conn:
        store.ensure_coder("raw")
        conn.executemany('INSERT INTO codings(coder, document_id, theme_id, start, "end", quote, created_at, '
                         "updated_at) VALUES ('raw', ?, '1', 0, ?, ?, '', '')",
                         [(r["id"], len(r["text"]), r["text"]) for r in rows])
    out["raw 1,000"] = time.perf_counter() - start
    with store.write() as conn:
        conn.execute("DELETE FROM codings WHERE coder = 'raw'")
    start = time.perf_counter()
    found = preview(store, Search(QUERY), "1.2", CODER)
    out["autocode preview"] = time.perf_counter() - start
    done = apply(store, found)
    out["autocode"] = time.perf_counter() - start
    out["autocoded"] = done.added
    start = time.perf_counter()
    with store.lock:
        n = len(store.conn.execute("SELECT rowid, highlight(documents_fts, 0, '[', ']') FROM documents_fts "
                                   "WHERE documents_fts MATCH ?", (QUERY,)).fetchall())
    out["raw autocode"] = time.perf_counter() - start
    out["raw hits"] = n
    project.close()
    return out


async def tui(project_dir: Path) -> dict[str, float]:
    from framework.project import open_project
    from framework.tui.app import make_app
    from framework.tui.screens.answers import AnswersScreen
    from framework.tui.screens.documents import DocumentsScreen

    project = open_project(project_dir)
    out: dict[str, float] = {}
    start = time.perf_counter()
    app = make_app(project, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DocumentsScreen) and painted(app.screen.table))
        out["documents first rows"] = time.perf_counter() - start
        out["documents"] = len(app.screen.table.entries)
        out["documents end"] = await timed(pilot, "end", lambda: painted(app.screen.table, last=True))
        start = time.perf_counter()
        await pilot.press("S")
        await until(pilot, lambda: isinstance(app.screen, AnswersScreen) and painted(app.screen.table))
        out["answers first rows"] = time.perf_counter() - start
        screen = app.screen
        out["answers"] = len(screen.table.entries)
        out["answers end"] = await timed(pilot, "end", lambda: painted(screen.table, last=True))
        await pilot.press("slash")
        version = screen.version
        out["answers filter"] = await timed(pilot, "enter", lambda: screen.version > version and
                                            screen._shown_version == screen.version and painted(screen.table),
                                            before=lambda: setattr(screen.filter_input, "value", "agency"))
        out["filtered"] = screen.ordered.shown
        await pilot.press("escape")  # the whole list again
        await until(pilot, lambda: screen.ordered.shown == out["answers"] and painted(screen.table))
        marked = set(screen.ordered.ids[:1000])
        screen._set_marks(marked)
        await pilot.pause()
        await pilot.press("c")
        await until(pilot, lambda: app.screen is not screen)
        await pilot.press(*"caseload size")
        out["code 1,000 marked"] = await timed(pilot, "enter",
                                               lambda: screen.message.startswith(f"Coded {len(marked):,}"))
    project.close()
    return out


def painted(table, last: bool = False) -> bool:
    """The table has rows and those on screen are read (no placeholder left)."""
    if not table.entries or table.loading:
        return False
    lines = table.scrollable_content_region.height - 1
    first = int(table.scroll_y) // max(1, table.row_height)
    shown = table.entries[first: first + lines]
    if last and table.cursor != len(table.entries) - 1:
        return False
    return all(not isinstance(e, int) or e in table.rows for e in shown)


async def until(pilot, condition, timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(0.002)
    pilot.app.screen._on_timer_update()


async def timed(pilot, key: str, condition, before=None) -> float:
    if before is not None:
        before()
    start = time.perf_counter()
    await pilot.press(key)
    await until(pilot, condition)
    return time.perf_counter() - start


async def bare_table(project_dir: Path) -> float:
    """A bare DataTable painting one page of the answers (app start included, as for the screens)."""
    import sqlite3

    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    conn = sqlite3.connect(project_dir / "framework.db")
    rows = conn.execute("SELECT c.name, d.text FROM documents d JOIN cases c ON c.id = d.case_id LIMIT 200").fetchall()
    conn.close()

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable(cursor_type="row")

    start = time.perf_counter()
    app = Bare()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(DataTable)
        table.add_columns("respondent", "answer")
        table.add_rows(rows)
        await pilot.pause()
        app.screen._on_timer_update()
        return time.perf_counter() - start


def child(project_dir: Path) -> None:
    """Run the in-process parts and print them as JSON with this process's peak memory."""
    out = core(project_dir)
    out.update(asyncio.run(tui(project_dir)))
    out["bare table"] = min(asyncio.run(bare_table(project_dir)) for _ in range(2))
    out["peak MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


# -- the run --------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--respondents", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, default=None, help="Build the project here and keep it.")
    parser.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        survey = base / "survey.csv"
        write_survey(survey, args.respondents)
        project_dir = base / "study"
        project_dir.mkdir()
        (project_dir / "themes.yaml").write_text((ROOT / "themes.yaml").read_text(encoding="utf-8"), encoding="utf-8")
        raw_import = min(run([sys.executable, "-c", RAW_IMPORT, str(survey), str(base / f"raw{n}.db")])[1]
                         for n in range(2))
        _, imported, import_mb = run(framework("--project", str(project_dir), "import-survey", str(survey)))
        answers = subprocess.run([sys.executable, "-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1])"
                                  ".execute('SELECT count(*) FROM documents').fetchone()[0])",
                                  str(project_dir / "framework.db")], capture_output=True, text=True).stdout.strip()
        print(f"{args.respondents:,} respondents x {len(QUESTIONS)} free-text questions: {int(answers):,} answers "
              f"({survey.stat().st_size / 1e6:.0f} MB of CSV); window {SIZE[0]}x{SIZE[1]}\n")
        line("import-survey (whole command)", imported, 3 * raw_import, raw_import)
        line("  ... as a multiple of the baseline", imported / raw_import, 3.0, 1.0, "x")
        line("  ... peak memory", import_mb, 500, None, "MB")
        done = subprocess.run([sys.executable, __file__, "--child", str(project_dir)], capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(done.stderr)
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"\nin the core ({r['autocoded']:,.0f} passages autocoded for {QUERY!r}):")
        line("code 1,000 answers whole (one action)", r["code 1,000"], 1.0, r["raw 1,000"])
        line(f"autocode the whole corpus: preview ({r['raw hits']:,.0f} documents hit)", r["autocode preview"],
             None, None)
        line("  ... preview, then code every passage (one action)", r["autocode"], 2.0, r["raw autocode"])
        print(f"\nthe screens ({r['documents']:,.0f} documents, {r['answers']:,.0f} answers to q1, "
              f"{r['filtered']:,.0f} with 'agency'):")
        line("documents screen: first rows painted (app start)", r["documents first rows"], 1.0, r["bare table"])
        line("  ... End: the last rows painted", r["documents end"], 1.0, None)
        line("answers screen: first rows painted (S key)", r["answers first rows"], 1.0, r["bare table"])
        line("  ... End: the last rows painted", r["answers end"], 1.0, None)
        line("  ... filter 'agency': rows painted", r["answers filter"], 1.0, None)
        line("  ... code 1,000 marked answers: Enter -> confirmed", r["code 1,000 marked"], 1.0, None)
        line("  ... peak memory (core and screens)", r["peak MB"], 500, None, "MB")
        print("\nlistings: first line, whole run, peak memory (and that of a smaller listing beside it):")
        db = str(project_dir / "framework.db")
        for name, full, part in (("docs", ["docs"], ["docs", "--kind", "transcript"]),
                                 ("cases", ["cases"], ["cases", "--json"]),
                                 ("code list", ["code", "list"], ["code", "list", "--theme", "2.1"])):
            first, total, mb = run(framework("--project", str(project_dir), *full))
            raw_first, raw_total, raw_mb = run([sys.executable, "-c", RAW_LIST, db, RAW_SQL[name]])
            _, _, part_mb = run(framework("--project", str(project_dir), *part))
            line(f"{name}: first line", first, 0.5, raw_first)
            line("  ... whole listing", total, None, raw_total)
            line(f"  ... peak memory ({' '.join(part[1:])}: {part_mb:.0f} MB)", mb, 500, raw_mb, "MB")
    print("\nbaselines: a bare Python process with csv.reader, one executemany and the same FTS5 index; "
          "a bare DataTable painting one page of the answers; one raw executemany of the same 1,000 codings; "
          "the raw FTS query with highlight(); a bare Python process printing the same rows with sqlite3.")
    if over:
        print(f"over target: {', '.join(over)}")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
