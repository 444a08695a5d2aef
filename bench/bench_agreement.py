"""Benchmark of computing inter-coder agreement, against its targets.

The project of bench_team.py (1,000 documents, about 8 million characters, 60 themes,
100,000 codings by two coders) is generated; then, in this one process:

- **reading**: the raw baseline, just reading the codings (coder, document, theme, start,
  end) and the paragraph ranges from SQLite;
- **agreement**: ``compute_agreement`` at all three levels (paragraph, character,
  document) on what was read; start-up (interpreter, imports) is not counted. The whole of
  ``project_agreement`` (reading through the store, then computing) is shown beside it;
- **per-character loop**: QualCoder's way of counting, for each theme a counter per
  character of every document and a loop over all of them, run on a share of the themes
  and scaled up to all of them.

Targets: computing agreement at least 100x faster than the per-character loop, and
within 5x of reading. Run: python bench/bench_agreement.py [--docs 1000] [--codings 100000] [--share 0.05]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_team import build  # noqa: E402


def reading(db: Path) -> float:
    conn = sqlite3.connect(db)
    start = time.perf_counter()
    conn.execute('SELECT k.coder, d.name, k.theme_id, k.start, k."end" FROM codings k '
                 "JOIN documents d ON d.id = k.document_id WHERE k.detached = 0").fetchall()
    conn.execute('SELECT document_id, start, "end" FROM units ORDER BY document_id, ordinal').fetchall()
    took = time.perf_counter() - start
    conn.close()
    return took


def per_character(db: Path, share: float) -> tuple[float, int, int]:
    """Seconds of QualCoder's per-character count over ``share`` of the themes, and how many
    themes it covered of how many.

    As QualCoder's coder comparison does (``calculate_agreement_for_code``): for each theme,
    for every document, a list with a counter per character, 1 added for each character
    each coder coded, then a loop over every character counting the ones coded by nobody,
    one coder or both. (QualCoder also queries the database per document; here the codings
    are read beforehand, which only makes the baseline faster.)
    """
    conn = sqlite3.connect(db)
    lengths = list(conn.execute("SELECT id, length FROM documents ORDER BY id"))
    spans: dict[tuple[str, int, str], list[tuple[int, int]]] = {}
    for coder, doc, theme, s, e in conn.execute('SELECT coder, document_id, theme_id, start, "end" FROM codings'):
        spans.setdefault((theme, doc, coder), []).append((s, e))
    conn.close()
    themes = sorted({t for t, _, _ in spans}, key=int)
    chosen = themes[: max(1, round(len(themes) * share))]
    start = time.perf_counter()
    for theme in chosen:
        total = {"dual_coded": 0, "single_coded": 0, "uncoded": 0, "characters": 0}
        for doc, size in lengths:
            char_list = [0] * size
            for coder in ("alice", "bob"):
                for s, e in spans.get((theme, doc, coder), ()):
                    for char in range(s, e):
                        char_list[char] += 1
            uncoded = single_coded = dual_coded = 0
            for char in char_list:
                if char == 0:
                    uncoded += 1
                if char == 1:
                    single_coded += 1
                if char == 2:
                    dual_coded += 1
            total["dual_coded"] += dual_coded
            total["single_coded"] += single_coded
            total["uncoded"] += uncoded
            total["characters"] += size
    return time.perf_counter() - start, len(chosen), len(themes)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--codings", type=int, default=100_000)
    ap.add_argument("--share", type=float, default=0.05, help="share of the themes the per-character loop runs on")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    from framework.analysis.agreement import compute_agreement
    from framework.analysis.compare import project_agreement
    from framework.project import open_project

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        build(root, args.docs, args.codings)
        project = open_project(root)
        project_agreement(project.store, ["alice", "bob"])  # warm the page cache and the imports
        read = statistics.median(reading(root / "framework.db") for _ in range(args.runs))
        store = project.store
        spans = store.codings.spans(["alice", "bob"])
        docs = {d.name: d for d in store.documents.list()}
        all_units = store.documents.all_units()
        names = sorted({document for _, document, *_ in spans})
        themes = sorted({theme for _, _, theme, *_ in spans}, key=int)
        inputs = dict(coders=["alice", "bob"], documents={n: docs[n].length for n in names},
                      units={n: all_units.get(docs[n].id, []) for n in names}, spans=spans, themes=themes,
                      parents={t: None for t in themes})
        times, whole = [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            result = compute_agreement(**inputs)
            times.append(time.perf_counter() - start)
            start = time.perf_counter()
            project_agreement(store, ["alice", "bob"])
            whole.append(time.perf_counter() - start)
        took = statistics.median(times)
        project.close()
        loop, covered, themes = per_character(root / "framework.db", args.share)
        loop_all = loop * themes / covered
        print(f"agreement, 3 levels: {len(result['documents'])} documents, {len(result['themes'])} themes, "
              f"{args.codings:,} codings by 2 coders (median of {args.runs} runs)\n")
        print(f"{'figure':48} {'result':>10}   {'target':<22} baseline")
        print(f"{'reading codings and paragraphs (baseline)':48} {read:9.3f}s")
        print(f"{'computing agreement':48} {took:9.3f}s   {'<= 5x reading':<22} {took / read:.1f}x reading"
              f"{'' if took <= 5 * read else '  MISSED'}")
        print(f"{'  project_agreement (reading, then computing)':48} {statistics.median(whole):9.3f}s")
        print(f"{'per-character loop, all themes':48} {loop_all:9.1f}s   "
              f"(measured on {covered} of {themes} themes: {loop:.1f}s, scaled)")
        speed = loop_all / took
        print(f"{'computing agreement against the loop':48} {speed:8.0f}x   {'>= 100x faster':<22}"
              f"{'' if speed >= 100 else '  MISSED'}")


if __name__ == "__main__":
    main()
