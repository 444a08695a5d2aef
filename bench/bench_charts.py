"""Benchmark: charts and their XLSX export on generated projects.

    python bench/bench_charts.py [--quick]

Builds two projects in a temporary folder (200 cases x 60 themes with 20,000 codings,
and 1,000 cases x 60 themes with 100,000 codings; one transcript per case, summaries in
about 40% of cells) and prints each figure beside its target and a raw baseline
measured in the same run:

- building the charts (what the matrix screen shows) vs reading the codings alone;
- exporting every chart to XLSX vs openpyxl writing the same text as plain cells;
- the peak memory of the export (its own process) vs the plain openpyxl writer.

``--quick`` uses a tenth of the sizes (a smoke test of this script).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from framework.analysis.charting import build_charts
from framework.coding.actions import new_coding_row
from framework.export import export_charts
from framework.export.common import chart_table, overview_table
from framework.store import ChartCell, NewDocument, Store, Theme, now

CODER = "bench"
WORDS = ("staff", "caseload", "supervision", "agency", "vacancy", "team", "manager", "review", "families",
         "allocation", "training", "budget", "pressure", "duty", "referral", "morale", "placement", "the",
         "we", "and", "of", "it", "is", "have", "a", "to", "in", "that", "really", "think")
ROLES = ("Director", "Assistant director", "Head of service", "Service manager")
SERVICES = ("Children's services", "Adult services", "Joint")
AUTHORITIES = ("London borough", "County council", "Unitary authority", "Metropolitan borough")


def make_project(path: Path, cases: int, codings: int, lines: int = 240, seed: int = 4) -> None:
    """A project database with ``cases`` transcripts, 60 themes and ``codings`` codings."""
    rng = random.Random(seed)
    store = Store(path)
    themes = []
    for main in range(1, 11):
        themes.append(Theme(str(main), None, f"Main theme {main}", "", "", "", "#4e79a7", len(themes), False))
        for sub in range(1, 6):
            themes.append(Theme(f"{main}.{sub}", str(main), f"Subtheme {main}.{sub}", "", "", "", "#4e79a7",
                                len(themes), False))
    docs = []
    for i in range(cases):
        body = "\n".join(
            ("Interviewer: " if n % 6 == 0 else "Respondent: ") + " ".join(rng.choices(WORDS, k=rng.randint(8, 18)))
            for n in range(lines)) + "\n"
        docs.append(NewDocument(f"case_{i:04d}", f"case_{i:04d}", "transcript", None, body,
                                hashlib.sha256(body.encode()).hexdigest(), "utf-8", "txt", [(0, len(body), None)]))
    with store.write():
        store.ensure_coder(CODER)
        for t in themes:
            store.themes.upsert(t)
        store.cases.ensure_attributes(["role", "service", "authority_type"])
        ids = store.documents.insert_many(docs)
        for c in store.cases.list():
            store.cases.set_attributes(c.id, {"role": rng.choice(ROLES), "service": rng.choice(SERVICES),
                                              "authority_type": rng.choice(AUTHORITIES)})
        texts = {doc_id: doc.text for doc_id, doc in zip(ids, docs)}
        starts = {doc_id: [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"] for doc_id, text in texts.items()}
        coded = [t.id for t in themes if t.parent_id] * 9 + [t.id for t in themes if not t.parent_id]
        seen: set[tuple[int, str, int, int]] = set()
        while len(seen) < codings:
            doc_id, theme_id = rng.choice(ids), rng.choice(coded)
            first = rng.randrange(lines - 4)
            start, end = starts[doc_id][first], starts[doc_id][first + rng.randint(1, 3)] - 1
            if (doc_id, theme_id, start, end) in seen:
                continue
            seen.add((doc_id, theme_id, start, end))
            row = new_coding_row(store, CODER, doc_id, theme_id, start, end, "", texts[doc_id])
            if rng.random() < 0.1:
                row["memo"] = "a memo on this passage"
            store.codings.insert(row)
        stamp = now()
        for case in store.cases.list():
            for t in themes:
                if t.parent_id and rng.random() < 0.4:
                    text = " ".join(rng.choices(WORDS, k=rng.randint(25, 60)))
                    store.cells.put(ChartCell(case.id, t.id, CODER, f"{text} [{case.name} L{rng.randint(1, 200)}]",
                                              rng.choice(("draft", "done")), stamp, CODER))
    store.close()


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def child(db: str, out: str, kind: str) -> None:
    """Run one export in this process and print its time and peak memory as JSON."""
    store = Store(db)
    if kind == "export":
        seconds, _ = timed(lambda: export_charts(store, CODER, "xlsx", Path(out), force=True))
    else:
        from openpyxl import Workbook

        charts = build_charts(store, CODER)
        tables = [chart_table(charts, c, "both") for c in charts.charts] + [overview_table(charts)]

        def plain() -> None:
            wb = Workbook(write_only=True)
            for header, rows in tables:
                ws = wb.create_sheet()
                ws.append(header)
                for row in rows:
                    ws.append(row)
            wb.save(Path(out) / "plain.xlsx")

        seconds, _ = timed(plain)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb}))


def run_child(db: Path, out: Path, kind: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", str(db), str(out), kind],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def row(label: str, value: str, target: str, baseline: str) -> None:
    print(f"{label:<44} {value:>10}  {target:>9}  {baseline}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    parser.add_argument("--child", nargs=3, metavar=("DB", "OUT", "KIND"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    scale = 10 if args.quick else 1
    small_n, large_n = 200 // scale, 1000 // scale
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        small, large = folder / "small.db", folder / "large.db"
        gen_small, _ = timed(lambda: make_project(small, 200 // scale, 20_000 // scale))
        gen_large, _ = timed(lambda: make_project(large, 1000 // scale, 100_000 // scale))
        print(f"generated: {200 // scale} cases / {20_000 // scale} codings in {gen_small:.1f} s; "
              f"{1000 // scale} cases / {100_000 // scale} codings in {gen_large:.1f} s\n")
        row("figure", "measured", "target", "baseline (same run)")

        store = Store(small)
        read, _ = timed(lambda: store.codings.list(coder=CODER))
        build, charts = timed(lambda: build_charts(store, CODER))
        grid, _ = timed(lambda: [[c.preview(30) for c in r] for chart in charts.charts for r in chart.grid()])
        row(f"{small_n}x60: build charts (matrix data)", f"{build:.2f} s", "< 1 s", f"reading the codings alone {read:.2f} s")
        row(f"{small_n}x60: + cell previews of every chart", f"{build + grid:.2f} s", "< 1 s", "")
        store.close()

        out = folder / "out"
        out.mkdir()
        ours, plain = run_child(small, out, "export"), run_child(small, out, "plain")
        row(f"{small_n}x60: XLSX export, all charts", f"{ours['seconds']:.2f} s", "< 5 s",
            f"openpyxl plain cells {plain['seconds']:.2f} s")
        ours, plain = run_child(large, out, "export"), run_child(large, out, "plain")
        row(f"{large_n}x60: XLSX export, all charts", f"{ours['seconds']:.2f} s", "< 20 s",
            f"openpyxl plain cells {plain['seconds']:.2f} s")
        row(f"{large_n}x60: XLSX export, peak memory", f"{ours['peak_mb']:.0f} MB", "< 1024 MB",
            f"openpyxl plain cells {plain['peak_mb']:.0f} MB (process peak RSS)")
        size = max(p.stat().st_size for p in out.glob("charts*.xlsx")) / 1e6  # named by layer: charts-<coder>.xlsx
        print(f"\nlarge workbook: {size:.1f} MB")


if __name__ == "__main__":
    main()
