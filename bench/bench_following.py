"""Benchmark of the analysis screens following a change made by another process, headless with Pilot.

    python bench/bench_following.py [--documents N]

Builds a temporary project (200 interviews by default, 100 codings each by two coders, the
sample project's themes), opens each screen, commits one change through a second
connection to the database (as another ``framework`` process does), and measures the time
from the app's look for changes (done every second) to the screen showing the change.
Each figure is printed beside its target and a raw baseline measured in the same run: the
core function that computes what the screen shows, called alone.

Target: the change is on screen within the second between two looks (< 1 s), so that what
another process commits is shown at most two seconds later.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_tui import CODER, SIZE, many_documents  # noqa: E402

from framework.analysis.charting import build_charts  # noqa: E402
from framework.analysis.compare import project_agreement  # noqa: E402
from framework.analysis.consensus import decide, passages  # noqa: E402
from framework.coding.actions import add_coding, set_cell  # noqa: E402
from framework.store import Store  # noqa: E402
from framework.tui.app import make_app  # noqa: E402
from framework.tui.screens.agreement import AgreementScreen  # noqa: E402
from framework.tui.screens.matrix import MatrixScreen  # noqa: E402
from framework.tui.screens.review import ReviewScreen  # noqa: E402
from framework.views.review import load_document, survey  # noqa: E402

TARGET_S = 1.0
OTHER = "other"


async def until(pilot, condition, timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not reached")
        await pilot.pause(0.001)


async def settled(pilot) -> None:
    app = pilot.app
    for _ in range(50):
        await pilot.pause()
        await app.workers.wait_for_complete()
        if not any(w.is_running for w in app.workers) and app.gate.idle:
            return


async def followed(project, screen, change, shown) -> float:
    """Seconds from the app's look for changes to ``shown()``, after ``change(other_store)``."""
    app = make_app(project, CODER)
    app.changes_every = 3600  # the benchmark says when to look
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        app.push_screen(screen)
        await settled(pilot)
        other = Store(project.store.path)
        try:
            change(other)
        finally:
            other.close()
        start = time.perf_counter()
        app.look_for_changes()
        await until(pilot, shown)
        app.screen._on_timer_update()
        return time.perf_counter() - start


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def row(label: str, seconds: float, baseline: str) -> None:
    verdict = "ok" if seconds < TARGET_S else "OVER"
    print(f"{label:<46} {seconds:7.3f} s  target < {TARGET_S:.0f} s  {verdict:<4}  baseline {baseline}")


async def main(documents: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = many_documents(Path(tmp) / "study", random.Random(7), count=documents)
        store = project.store
        first = store.documents.list()[0]
        case = first.case_id
        theme = next(t.id for t in store.themes.list() if t.parent_id)
        chart = theme.split(".")[0]
        text = store.documents.text(first.id)
        print(f"{documents} documents, {len(store.codings.list())} codings, two coders\n")

        def summary(other: Store) -> None:
            set_cell(other, OTHER, case, theme, CODER, summary="Written in another process", status="done")

        matrix = MatrixScreen(CODER, chart=chart)
        seconds = await followed(project, matrix, summary, lambda: matrix.charts is not None and any(
            c.cell(case, theme).summary for c in matrix.charts.charts if c.theme.id == chart))
        row("matrix: a summary written elsewhere", seconds,
            f"{timed(lambda: build_charts(store, CODER)):.3f} s (build_charts alone)")

        def coding(other: Store) -> None:
            add_coding(other, OTHER, first.id, theme, 0, min(40, len(text)))

        agreement = AgreementScreen([CODER, OTHER])
        before: list[object] = []
        seconds = await followed(project, agreement, lambda o: (before.append(agreement.result), coding(o)),
                                 lambda: agreement.result is not None and agreement.result is not before[0])
        row("agreement: a coding added elsewhere", seconds,
            f"{timed(lambda: project_agreement(store, [CODER, OTHER])):.3f} s (project_agreement alone)")

        def decision(other: Store) -> None:
            decide(other, "carol", [CODER, OTHER], passages(other, [CODER, OTHER], first.id)[0], "reject")

        review = ReviewScreen([CODER, OTHER], document=first.name)
        seconds = await followed(project, review, decision, lambda: review.data is not None and bool(
            review.data.passages) and review.data.passages[0].decision is not None and review.done is not None
            and review.done.decided == 1)
        baseline = timed(lambda: (survey(store, [CODER, OTHER], None, None),
                                  load_document(store, [CODER, OTHER], first.id)))
        row("review: a decision made elsewhere", seconds, f"{baseline:.3f} s (survey and load_document alone)")
        project.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200)
    asyncio.run(main(parser.parse_args().documents))
