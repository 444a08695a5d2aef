"""Benchmark of the store, importers and search against their targets.

Generates a synthetic corpus (1,000 transcripts of 8,000 words, about 50 MB), then
measures, each beside its target and beside a raw baseline measured in this run:

- importing every transcript (target: within 3x the baseline of reading the files and
  inserting their text with one executemany plus an FTS5 index, in one transaction);
- peak memory of that import (target: under 500 MB);
- ``code import`` of 100,000 codings by offsets (under 10 s) and by exact quote (under 30 s);
- ``search`` over the corpus (under 100 ms).

Run: python bench/bench_store.py [--docs 1000] [--words 8000] [--codings 100000]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = (
    "caseload supervision allocation agency vacancy team manager social worker family child adult "
    "assessment review duty referral training placement recruitment retention pressure budget the a "
    "of and to in we they it is was that have for on with as at by this but not are be".split()
)
THEMES = "".join(f'  - id: "{i}"\n    label: Theme {i}\n' for i in range(1, 61))


def make_corpus(root: Path, docs: int, words: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    (root / "transcripts").mkdir(parents=True)
    (root / "themes.yaml").write_text("themes:\n" + THEMES, encoding="utf-8")
    for n in range(docs):
        turns, count = [], 0
        while count < words:
            size = rng.randint(20, 160)
            speaker = "Interviewer" if len(turns) % 2 == 0 else "Respondent"
            turns.append(f"{speaker}: " + " ".join(rng.choice(WORDS) for _ in range(size)) + ".")
            count += size
        if n == docs // 2:
            turns.append("Respondent: we rely on a peripatetic locum for night duty.")
        (root / "transcripts" / f"int_{n:04d}.txt").write_text("\n\n".join(turns) + "\n", encoding="utf-8")


def child(code: str, *args: str) -> dict:
    """Run a snippet in a fresh interpreter; returns its JSON result plus peak RSS (MB)."""
    code += "\nimport resource as _r; print(json.dumps({'rss': _r.getrusage(_r.RUSAGE_SELF).ru_maxrss}))"
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark step failed:\n{proc.stderr}")
    lines = proc.stdout.strip().splitlines()
    result = json.loads(lines[-2])
    result["peak_mb"] = json.loads(lines[-1])["rss"] / 1024
    return result


BASELINE = r"""
import json, sqlite3, sys, time
from pathlib import Path
root = Path(sys.argv[1]); db = root / "baseline.db"
t = time.perf_counter()
rows = [(p.stem, p.read_text(encoding="utf-8")) for p in sorted((root / "transcripts").glob("*.txt"))]
conn = sqlite3.connect(db)
conn.execute("PRAGMA journal_mode=WAL")
conn.execute("CREATE TABLE docs(id INTEGER PRIMARY KEY, name TEXT, text TEXT)")
conn.execute("CREATE VIRTUAL TABLE docs_fts USING fts5(text, content='docs', content_rowid='id')")
with conn:
    conn.executemany("INSERT INTO docs(name, text) VALUES (?, ?)", rows)
    conn.execute("INSERT INTO docs_fts(docs_fts) VALUES ('rebuild')")
print(json.dumps({"seconds": time.perf_counter() - t}))
"""

IMPORT = r"""
import json, sys, time
from pathlib import Path
from framework.project import open_project
root = Path(sys.argv[1])
t = time.perf_counter()
p = open_project(root)
n = len(p.store.documents.list())
print(json.dumps({"seconds": time.perf_counter() - t, "docs": n}))
"""

CODE_IMPORT = r"""
import json, sys, time
from pathlib import Path
from framework.project import open_project
from framework.ingest.codings import import_codings
root, path, coder = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
p = open_project(root)
t = time.perf_counter()
report = import_codings(p.store, path, coder=coder)
print(json.dumps({"seconds": time.perf_counter() - t, "added": report.added}))
"""

SEARCH = r"""
import json, sys, time, statistics
from pathlib import Path
from framework.project import open_project
from framework.store.queries import search
p = open_project(Path(sys.argv[1]))
times, hits = [], 0
for word in ["peripatetic locum", "supervision", "caseload allocation"]:
    for _ in range(5):
        t = time.perf_counter(); hits = len(search(p.store, word)); times.append(time.perf_counter() - t)
print(json.dumps({"seconds": statistics.median(times), "worst": max(times)}))
"""


def write_codings(root: Path, count: int, by_quote: bool, seed: int = 11) -> Path:
    rng = random.Random(seed)
    conn = sqlite3.connect(root / "framework.db")
    docs = conn.execute("SELECT name, text FROM documents ORDER BY id").fetchall()
    conn.close()
    path = root / ("by_quote.jsonl" if by_quote else "by_offset.jsonl")
    with path.open("w", encoding="utf-8") as f:
        for i in range(count):
            name, text = docs[i % len(docs)]
            start = rng.randrange(0, len(text) - 400)
            end = start + rng.randint(60, 300)
            row = {"document": name, "theme": str(rng.randint(1, 60))}
            if by_quote:
                row["quote"] = text[start:end]
            else:
                row.update(start=start, end=end)
            f.write(json.dumps(row) + "\n")
    return path


def line(label: str, value: str, target: str, baseline: str, ok: bool) -> None:
    print(f"{label:<42} {value:>12}   target {target:<22} baseline {baseline:<14} {'ok' if ok else 'MISSED'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--words", type=int, default=8000)
    ap.add_argument("--codings", type=int, default=100_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t = time.perf_counter()
        make_corpus(root, args.docs, args.words)
        size = sum(p.stat().st_size for p in (root / "transcripts").iterdir()) / 1e6
        print(f"corpus: {args.docs} transcripts x {args.words} words = {size:.1f} MB "
              f"(generated in {time.perf_counter() - t:.1f} s)\n")
        base = child(BASELINE, str(root))
        imp = child(IMPORT, str(root))
        ratio = imp["seconds"] / base["seconds"]
        line("import transcripts", f"{imp['seconds']:.2f} s", f"<= 3x baseline ({3 * base['seconds']:.2f} s)",
             f"{base['seconds']:.2f} s", ratio <= 3)
        line("  ratio to baseline", f"{ratio:.2f}x", "<= 3x", "1x", ratio <= 3)
        line("peak memory of the import", f"{imp['peak_mb']:.0f} MB", "< 500 MB", f"{base['peak_mb']:.0f} MB",
             imp["peak_mb"] < 500)
        offsets = write_codings(root, args.codings, by_quote=False)
        quotes = write_codings(root, args.codings, by_quote=True)
        by_off = child(CODE_IMPORT, str(root), str(offsets), "bench_a")
        by_quote = child(CODE_IMPORT, str(root), str(quotes), "bench_b")
        raw = time.perf_counter()
        rows = [json.loads(x) for x in offsets.read_text(encoding="utf-8").splitlines()]
        conn = sqlite3.connect(root / "raw.db")
        conn.execute("CREATE TABLE c(doc TEXT, theme TEXT, s INT, e INT)")
        with conn:
            conn.executemany("INSERT INTO c VALUES (?,?,?,?)", [(r["document"], r["theme"], r["start"], r["end"]) for r in rows])
        raw = time.perf_counter() - raw
        line(f"code import, {by_off['added']:,} by offsets", f"{by_off['seconds']:.2f} s", "< 10 s",
             f"{raw:.2f} s", by_off["seconds"] < 10)
        line(f"code import, {by_quote['added']:,} by quote", f"{by_quote['seconds']:.2f} s", "< 30 s",
             f"{raw:.2f} s", by_quote["seconds"] < 30)
        srch = child(SEARCH, str(root))
        conn = sqlite3.connect(root / "framework.db")
        times = []
        for _ in range(5):
            t = time.perf_counter()
            conn.execute("SELECT rowid FROM documents_fts WHERE documents_fts MATCH 'supervision'").fetchall()
            times.append(time.perf_counter() - t)
        line("search (median of 15)", f"{srch['seconds'] * 1000:.1f} ms", "< 100 ms",
             f"{statistics.median(times) * 1000:.1f} ms", srch["seconds"] < 0.1)
        line("  search (worst)", f"{srch['worst'] * 1000:.1f} ms", "< 100 ms", "", srch["worst"] < 0.1)
        cli, bare = [], []
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "framework", "--project", str(root), "search", "peripatetic locum"],
                           capture_output=True, check=True)
            cli.append(time.perf_counter() - t)
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", "pass"], capture_output=True, check=True)
            bare.append(time.perf_counter() - t)
        line("  whole 'framework search' command", f"{min(cli) * 1000:.0f} ms", "(start-up included)",
             f"{min(bare) * 1000:.0f} ms", True)


if __name__ == "__main__":
    main()
