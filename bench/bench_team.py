"""Benchmark of team work against its targets.

A generated project of 1,000 documents (8 million characters) and 60 themes with two
coders and 100,000 codings; prints each figure beside its target and a raw baseline
measured in the same run:

- ``framework agreement`` at all three levels (target: under 5 s and under 1 GB);
- ``coder import`` of a 50,000-coding file, again (nothing to change), and its undo (target: each
  under 15 s).

Run: python bench/bench_team.py [--docs 1000] [--codings 100000]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = "caseload supervision allocation agency vacancy team manager social worker family child review".split()


def build(root: Path, docs: int, codings: int, seed: int = 3) -> None:
    """A project with ``docs`` documents of ~8,000 characters and two coders' codings."""
    from framework.coding.actions import new_coding_row
    from framework.project import open_project

    rng = random.Random(seed)
    (root / "transcripts").mkdir(parents=True)
    (root / "themes.yaml").write_text(
        "themes:\n" + "".join(f'  - id: "{i}"\n    label: Theme {i}\n' for i in range(1, 61)), encoding="utf-8")
    for n in range(docs):
        paras, size = [], 0
        while size < 8000:
            para = ("Respondent: " if len(paras) % 2 else "Interviewer: ") + " ".join(
                rng.choice(WORDS) for _ in range(rng.randint(10, 60))) + "."
            paras.append(para)
            size += len(para) + 2
        (root / "transcripts" / f"doc_{n:04d}.txt").write_text("\n\n".join(paras), encoding="utf-8")
    project = open_project(root)
    store = project.store
    texts = {d.id: store.documents.text(d.id) for d in store.documents.list()}
    ids = sorted(texts)
    rows = []
    for i in range(codings // 2):
        doc = ids[i % len(ids)]
        text = texts[doc]
        start = rng.randrange(0, len(text) - 300)
        end = start + rng.randint(40, 300)
        theme = str(rng.randint(1, 60))
        rows.append(new_coding_row(store, "alice", doc, theme, start, end, "", text))
        # Bob agrees on most passages, with shifted boundaries or another theme now and then.
        shift = rng.randint(-20, 20) if rng.random() < 0.5 else 0
        other = theme if rng.random() < 0.8 else str(rng.randint(1, 60))
        s2 = max(0, start + shift)
        rows.append(new_coding_row(store, "bob", doc, other, s2, max(s2 + 1, end + shift), "", text))
    with store.write() as conn:
        store.ensure_coder("alice")
        store.ensure_coder("bob")
        cols = list(rows[0])
        conn.executemany(
            f"INSERT OR IGNORE INTO codings({', '.join(repr(c).replace(chr(39), chr(34)) for c in cols)}) "
            f"VALUES ({','.join('?' * len(cols))})",
            [tuple(r[c] for c in cols) for r in rows],
        )
    project.close()


def run(*args: str) -> tuple[float, float, str]:
    """Run a command in a fresh interpreter: (seconds, peak MB, stdout)."""
    code = (
        "import resource, runpy, sys, time\n"
        f"sys.argv = {['framework', *args]!r}\n"
        "t = time.perf_counter()\n"
        "try:\n    runpy.run_module('framework', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "sys.stderr.write(f'\\nBENCH {time.perf_counter() - t} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    line = [x for x in proc.stderr.splitlines() if x.startswith("BENCH ")]
    if not line:
        raise SystemExit(f"command failed: framework {' '.join(args)}\n{proc.stderr[-2000:]}")
    _, seconds, rss = line[-1].split()
    return float(seconds), int(rss) / 1024, proc.stdout


def show(label: str, value: str, target: str, baseline: str, ok: bool) -> None:
    print(f"{label:<44} {value:>10}   target {target:<16} baseline {baseline:<12} {'ok' if ok else 'MISSED'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--codings", type=int, default=100_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        t = time.perf_counter()
        build(root, args.docs, args.codings)
        conn = sqlite3.connect(root / "framework.db")
        chars = conn.execute("SELECT sum(length) FROM documents").fetchone()[0]
        n = conn.execute("SELECT count(*) FROM codings").fetchone()[0]
        print(f"project: {args.docs} documents, {chars:,} characters, {n:,} codings by 2 coders, 60 themes "
              f"(built in {time.perf_counter() - t:.1f} s)\n")
        t = time.perf_counter()
        conn.execute('SELECT coder, document_id, theme_id, start, "end" FROM codings').fetchall()  # baseline: read them
        conn.close()
        raw = time.perf_counter() - t
        seconds, peak, out = run("--project", str(root), "agreement", "--coders", "alice,bob", "--json")
        themes = len(json.loads(out)["themes"])
        show(f"agreement, 3 levels, {themes} themes", f"{seconds:.2f} s", "< 5 s", f"{raw:.2f} s", seconds < 5)
        show("  peak memory", f"{peak:.0f} MB", "< 1 GB", "", peak < 1024)
        out_file = Path(tmp) / "alice.json"
        run("--project", str(root), "coder", "export", "alice", "--out", str(out_file))
        copy = Path(tmp) / "copy"
        (copy / "transcripts").mkdir(parents=True)
        for p in (root / "transcripts").iterdir():
            (copy / "transcripts" / p.name).write_bytes(p.read_bytes())
        (copy / "themes.yaml").write_bytes((root / "themes.yaml").read_bytes())
        run("--project", str(copy), "docs", "--json")
        t = time.perf_counter()
        data = json.loads(out_file.read_text(encoding="utf-8"))
        raw = time.perf_counter() - t
        seconds, peak, out = run("--project", str(copy), "coder", "import", str(out_file))
        show(f"coder import, {len(data['codings']):,} codings", f"{seconds:.2f} s", "< 15 s", f"{raw:.2f} s",
             seconds < 15)
        print(f"  ({out.splitlines()[0]})")
        seconds, peak, out = run("--project", str(copy), "coder", "import", str(out_file))
        show("  the same file again (nothing to change)", f"{seconds:.2f} s", "< 15 s", f"{raw:.2f} s", seconds < 15)
        seconds, peak, out = run("--project", str(copy), "--coder", "alice", "undo")
        show("  undo of that import", f"{seconds:.2f} s", "< 15 s", "", seconds < 15)
        print(f"  ({out.strip()})")


if __name__ == "__main__":
    main()
