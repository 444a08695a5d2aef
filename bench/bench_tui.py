"""Benchmark of the coding workbench, headless with Pilot.

    python bench/bench_tui.py [--runs N]

Builds temporary projects and prints each figure beside its target and a raw baseline
measured in the same run:

* opening a 20,000-word transcript with 1,000 codings, from Enter on the documents screen
  to the reader showing it (target < 0.5 s; baseline: a bare TextArea loading the same text);
* applying a theme from the picker, from the Enter key to the repainted highlight, median
  (target < 50 ms; baseline: a cursor move in the same reader, measured the same way). The
  highlight is painted at once and the write to the project database follows in a worker;
  the time until the write is committed and confirmed on screen is printed too;
* the documents screen of a 1,000-document, 100,000-coding project (target < 1 s; baseline: a bare DataTable
  with the same rows).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from textual import events  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402
from textual.widgets import DataTable, TextArea  # noqa: E402

from framework.coding.actions import new_coding_row  # noqa: E402
from framework.ingest.text import paragraphs  # noqa: E402
from framework.project import open_project  # noqa: E402
from framework.store import NewDocument  # noqa: E402
from framework.tui.app import make_app  # noqa: E402
from framework.tui.dialogs.theme_picker import ThemePicker  # noqa: E402
from framework.tui.screens.documents import DocumentsScreen  # noqa: E402
from framework.tui.screens.reader import ReaderScreen  # noqa: E402

SIZE = (120, 40)
CODER = "bench"
WORDS = ("the team staff cases workers caseload manager supervision agency vacancy allocation "
         "children families assessment duty pressure budget training review practice social work "
         "time week month year council service director plan risk meeting support recruitment "
         "retention locum newly qualified reflective audit performance indicator").split()


def transcript(words: int, rng: random.Random) -> str:
    parts, count, turn = ["Interview 99 — telephone, generated for the benchmark", ""], 0, 0
    while count < words:
        if turn % 2 == 0:
            n = rng.randint(8, 20)
            parts.append("Interviewer: " + " ".join(rng.choices(WORDS, k=n)).capitalize() + "?")
        else:
            n = rng.randint(80, 220)
            sentences = []
            left = n
            while left > 0:
                k = min(left, rng.randint(6, 18))
                sentences.append(" ".join(rng.choices(WORDS, k=k)).capitalize() + ".")
                left -= k
            parts.append("Respondent: " + " ".join(sentences))
        parts.append("")
        count += n
        turn += 1
    return "\n".join(parts)


def new_document(name: str, case: str, text: str) -> NewDocument:
    units = [(p.start, p.end, p.speaker) for p in paragraphs(text)]
    return NewDocument(name=name, case=case, kind="transcript", source=None, text=text,
                       sha256=hashlib.sha256(text.encode()).hexdigest(), encoding="utf-8",
                       format="txt", units=units)


def big_project(root: Path, rng: random.Random):
    root.mkdir(parents=True)
    (root / "themes.yaml").write_text((ROOT / "themes.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    project = open_project(root)
    store = project.store
    text = transcript(20_000, rng)
    small = "Interviewer: Anything else?\n\nRespondent: No, that is all.\n"
    with store.write():
        store.documents.insert_many([new_document("big", "case_big", text), new_document("other", "case_other", small)])
    doc = store.documents.get("big")
    themes = [t.id for t in store.themes.list()]
    rows = []
    for _ in range(1000):
        start = rng.randrange(0, len(text) - 400)
        end = start + rng.randint(20, 400)
        rows.append(new_coding_row(store, CODER, doc.id, rng.choice(themes), start, end, "", text))
    with store.write():
        store.ensure_coder(CODER)
        seen = set()
        for row in rows:
            key = (row["theme_id"], row["start"], row["end"])
            if key not in seen:
                seen.add(key)
                store.codings.insert(row)
    return project, text


def many_documents(root: Path, rng: random.Random, count: int = 1000):
    root.mkdir(parents=True)
    (root / "themes.yaml").write_text((ROOT / "themes.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    project = open_project(root)
    store = project.store
    docs = [new_document(f"doc_{i:04d}", f"case_{i:04d}", transcript(300, rng)) for i in range(count)]
    attributes = ["role", "service", "authority_type", "region", "years"]
    with store.write():
        store.documents.insert_many(docs)
        store.cases.ensure_attributes(attributes)
        for case in store.cases.list():
            store.cases.set_attributes(case.id, {
                "role": rng.choice(["Director", "Head of service", "Team manager"]),
                "service": rng.choice(["Children's services", "Adult services", "Joint"]),
                "authority_type": rng.choice(["County", "London borough", "Unitary"]),
                "region": rng.choice(["North", "South", "London", "Midlands"]),
                "years": str(rng.randint(1, 30)),
            })
    # 100,000 codings (100 a document, two coders), as in a large finished project.
    themes = [t.id for t in store.themes.list()]
    rows = []
    for d in store.documents.list():
        text = store.documents.text(d.id)
        for i in range(100):
            start = rng.randrange(0, max(1, len(text) - 200))
            end = min(len(text), start + rng.randint(20, 200))
            who = CODER if i % 2 else "other"
            rows.append(new_coding_row(store, who, d.id, rng.choice(themes), start, end, "", text))
    with store.write() as conn:
        store.ensure_coder(CODER)
        store.ensure_coder("other")
        cols = list(rows[0])
        conn.executemany(
            "INSERT OR IGNORE INTO codings(" + ", ".join(f'"{c}"' for c in cols) + ") VALUES ("
            + ",".join("?" * len(cols)) + ")",
            [tuple(r[c] for c in cols) for r in rows],
        )
    return project


async def key_to_paint(app, key: str, condition, timeout: float = 30.0) -> float:
    """Seconds from a key event reaching the app to the screen being repainted after ``condition``.

    The key is delivered as the terminal driver delivers it; the repaint is the compositor
    update that the screen's refresh timer would run next, run at once.
    """
    start = time.perf_counter()
    event = events.Key(key, key if len(key) == 1 else None)
    event.set_sender(app)
    app._driver.send_message(event)
    while not condition():
        if time.perf_counter() - start > timeout:
            raise TimeoutError(key)
        await asyncio.sleep(0.0005)
    app.screen._on_timer_update()
    return time.perf_counter() - start


async def until(pilot, condition, timeout: float = 30.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not reached")
        await pilot.pause()


class BareText(App[None]):
    def compose(self) -> ComposeResult:
        yield TextArea(read_only=True, soft_wrap=True, show_line_numbers=True)


class BareTable(App[None]):
    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row")


async def open_reader(project) -> float:
    app = make_app(project, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DocumentsScreen) and app.screen.table.rows)
        await pilot.pause()
        return await key_to_paint(app, "enter", lambda: isinstance(app.screen, ReaderScreen)
                                  and app.screen.data is not None)


async def bare_text(text: str) -> float:
    app = BareText()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        start = time.perf_counter()
        app.query_one(TextArea).load_text(text)
        app.screen._on_timer_update()
        return time.perf_counter() - start


async def apply_themes(project, text: str, runs: int) -> tuple[list[float], list[float], list[float]]:
    app = make_app(project, CODER, document="big")
    rng = random.Random(7)
    apply, move, saved = [], [], []
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.data is not None)
        reader = app.screen
        for _ in range(runs):
            start = rng.randrange(0, len(text) - 200)
            reader.view.goto_offset(start)
            await pilot.pause()
            where = reader.view.selection
            move.append(await key_to_paint(app, "right", lambda where=where: reader.view.selection != where))
            await pilot.press(*["shift+right"] * 12, "c")
            await until(pilot, lambda: isinstance(app.screen, ThemePicker))
            await pilot.press("5", ".", "4")
            await pilot.pause()
            before = len(reader.view.layout_map.codings)
            t0 = time.perf_counter()
            apply.append(await key_to_paint(app, "enter", lambda n=before: len(reader.view.layout_map.codings) > n))
            await until_saved(app, reader, before)
            saved.append(time.perf_counter() - t0)
            await app.workers.wait_for_complete()
            await pilot.pause()
    return apply, move, saved


async def until_saved(app, reader, before: int) -> None:
    """Until the coding is committed and its highlight confirmed (no provisional one left)."""
    codings = reader.view.layout_map.codings
    while not (len(codings) > before and all(cid > 0 for cid in codings)):
        await asyncio.sleep(0.0005)
        codings = reader.view.layout_map.codings
    app.screen._on_timer_update()


async def documents_screen(project) -> float:
    start = time.perf_counter()
    app = make_app(project, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DocumentsScreen)
                    and len(app.screen.table.entries) >= 1000 and app.screen.table.rows, timeout=60)
        await pilot.pause()
        return time.perf_counter() - start


async def bare_table(project) -> float:
    rows = [(d.case, d.name, "Director", "Joint", "County", "North", "12", "0", "0")
            for d in project.store.documents.list()]
    start = time.perf_counter()
    app = BareTable()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(DataTable)
        table.add_columns("case", "document", "role", "service", "type", "region", "years", "mine", "others")
        for row in rows:
            table.add_row(*row)
        await pilot.pause()
        return time.perf_counter() - start


async def scrolling(project, runs: int) -> float:
    """Median page-down in the reader, key to repaint."""
    app = make_app(project, CODER, document="big")
    times = []
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.data is not None)
        view = app.screen.view
        for _ in range(runs):
            before = view.scroll_y
            times.append(await key_to_paint(app, "pagedown", lambda y=before: view.scroll_y != y))
            await pilot.pause()
    return statistics.median(times)


async def bare_scrolling(text: str, runs: int) -> float:
    app = BareText()
    times = []
    async with app.run_test(size=SIZE) as pilot:
        area = app.query_one(TextArea)
        area.load_text(text)
        area.focus()
        await pilot.pause()
        for _ in range(runs):
            before = area.scroll_y
            times.append(await key_to_paint(app, "pagedown", lambda y=before: area.scroll_y != y))
            await pilot.pause()
    return statistics.median(times)


def line(name: str, value: float, target: float, baseline: float, unit: str = "ms") -> str:
    scale = 1000 if unit == "ms" else 1
    ok = "ok" if value < target else "OVER TARGET"
    return (f"{name:<50} {value * scale:7.1f} {unit}   target < {target * scale:g} {unit}   "
            f"baseline {baseline * scale:7.1f} {unit}   {ok}")


async def main(runs: int) -> None:
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        project, text = big_project(Path(tmp) / "big", rng)
        words = len(text.split())
        codings = project.store.codings.count()
        opened = min([await open_reader(project) for _ in range(3)])
        baseline_open = min([await bare_text(text) for _ in range(3)])
        apply, move, saved = await apply_themes(project, text, runs)
        scroll = await scrolling(project, runs)
        baseline_scroll = await bare_scrolling(text, runs)
        project.close()
        many = many_documents(Path(tmp) / "many", rng)
        many_codings = many.store.codings.count()
        docs = min([await documents_screen(many) for _ in range(2)])
        baseline_docs = min([await bare_table(many) for _ in range(2)])
        many.close()
    print(f"transcript: {words:,} words, {len(text):,} characters, {codings:,} codings; "
          f"documents screen: 1,000 documents with {many_codings:,} codings; window {SIZE[0]}x{SIZE[1]}")
    print(line("reader shows the transcript (Enter -> painted)", opened, 0.5, baseline_open))
    print(line(f"page down in the reader (median of {runs})", scroll, 0.050, baseline_scroll)
          .replace("OVER TARGET", "(no target)"))
    print(line(f"apply a theme from the picker (median of {runs})", statistics.median(apply), 0.050,
               statistics.median(move)))
    print(line("  ... and saved: committed, confirmed on screen", statistics.median(saved), 0.050,
               statistics.median(move)).replace("OVER TARGET", "(for information)").replace("   ok", ""))
    print(line("documents screen, 1,000 docs, 100k codings", docs, 1.0, baseline_docs))
    print("baselines: a bare read-only TextArea loading the same text; a cursor move in the same "
          "reader; a bare TextArea paging down the same text; a bare DataTable filled with the same "
          "rows (app start included, as for the screen).")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=25, help="theme applications to time (default 25)")
    asyncio.run(main(parser.parse_args().runs))
