"""Benchmark of coding many passages at once by quote, against the same passages by offsets.

A study of 50 one-hour interviews (about 9,000 words each) gets a batch of 1,000
codings through ``framework code import``, measured three ways in this run:

- by offsets (the baseline the target is set against);
- by quote, every quote as written in the transcript (target: within 2x of by offsets);
- by quote with one in twenty a near miss (a word left out), placed by fuzzy match on
  whole words (target: within 2x of by offsets).

Each is timed as the whole command a script runs (start-up included) and as the import
step alone (in the same process, start-up excluded), best of five runs from the same
database; the raw floor
of parsing the rows and inserting them with sqlite3 is printed beside them.

Run: python bench/bench_quotes.py [--docs 50] [--words 9000] [--codings 1000]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = (
    "caseload supervision allocation agency vacancy team manager social worker family child adult "
    "assessment review duty referral training placement recruitment retention pressure budget locum "
    "weighting waiting list court deadline newly qualified practice educator panel audit director "
    "the a of and to in we they it is was that have for on with as at by this but not are be".split()
)
THEMES = "".join(f'  - id: "{i}"\n    label: Theme {i}\n' for i in range(1, 61))

STEP = r"""
import json, sys, time
from pathlib import Path
from framework.project import open_project
from framework.ingest.codings import import_codings
p = open_project(Path(sys.argv[1]))
t = time.perf_counter()
report = import_codings(p.store, Path(sys.argv[2]), coder=sys.argv[3])
print(json.dumps({"seconds": time.perf_counter() - t, "added": report.added, "fuzzy": len(report.fuzzy)}))
"""


def make_study(root: Path, docs: int, words: int, seed: int = 5) -> None:
    rng = random.Random(seed)
    (root / "transcripts").mkdir(parents=True)
    (root / "themes.yaml").write_text("themes:\n" + THEMES, encoding="utf-8")
    for n in range(docs):
        turns, count = [], 0
        while count < words:
            size = rng.randint(20, 160)
            speaker = "Interviewer" if len(turns) % 2 == 0 else "Respondent"
            sentences = []
            while size > 0:
                length = min(size, rng.randint(6, 25))
                sentences.append(" ".join(rng.choice(WORDS) for _ in range(length)).capitalize() + ".")
                size -= length
            turns.append(f"{speaker}: " + " ".join(sentences))
            count += sum(len(s.split()) for s in sentences)
        (root / "transcripts" / f"int_{n:02d}.txt").write_text("\n\n".join(turns) + "\n", encoding="utf-8")


def passages(root: Path, count: int, seed: int = 9) -> list[tuple[str, int, int, str]]:
    """``count`` passages of 8-40 whole words, each found once in its transcript."""
    rng = random.Random(seed)
    conn = sqlite3.connect(root / "framework.db")
    docs = conn.execute("SELECT name, text FROM documents ORDER BY id").fetchall()
    conn.close()
    chosen: list[tuple[str, int, int, str]] = []
    while len(chosen) < count:
        name, text = rng.choice(docs)
        spaces = [i for i in range(len(text)) if text[i] == " "]
        first = rng.randrange(0, len(spaces) - 50)
        start, end = spaces[first] + 1, spaces[first + rng.randint(8, 40)]
        quote = text[start:end]
        if "\n" not in quote and text.count(quote) == 1:
            chosen.append((name, start, end, quote))
    return chosen


def write_rows(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def batches(root: Path, chosen: list[tuple[str, int, int, str]]) -> dict[str, Path]:
    rng = random.Random(3)
    offsets = [{"document": d, "theme": str(i % 60 + 1), "start": s, "end": e} for i, (d, s, e, _q) in enumerate(chosen)]
    quotes = [{"document": d, "theme": str(i % 60 + 1), "quote": q} for i, (d, _s, _e, q) in enumerate(chosen)]
    near = []
    for i, row in enumerate(quotes):
        words = row["quote"].split(" ")
        if i % 20 == 0:
            words.pop(rng.randrange(1, len(words) - 1))
        near.append({**row, "quote": " ".join(words)})
    return {"offsets": write_rows(root / "offsets.jsonl", offsets), "quotes": write_rows(root / "quotes.jsonl", quotes),
            "near": write_rows(root / "near.jsonl", near)}


def fresh(root: Path) -> None:
    """The project as it was before any batch: every run starts from the same database."""
    for suffix in ("-wal", "-shm"):
        (root / f"framework.db{suffix}").unlink(missing_ok=True)
    shutil.copyfile(root / "pristine.db", root / "framework.db")
    shutil.rmtree(root / ".framework" / "backups", ignore_errors=True)


def keep_pristine(root: Path) -> None:
    conn = sqlite3.connect(root / "framework.db")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    shutil.copyfile(root / "framework.db", root / "pristine.db")


def command(root: Path, path: Path, coder: str) -> tuple[float, dict]:
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "framework", "--project", str(root), "--coder", coder, "code", "import",
                           str(path)], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"code import failed:\n{proc.stderr}")
    return seconds, {"summary": proc.stdout.splitlines()[0]}


def step(root: Path, path: Path, coder: str) -> tuple[float, dict]:
    proc = subprocess.run([sys.executable, "-c", STEP, str(root), str(path), coder], capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        raise SystemExit(f"import step failed:\n{proc.stderr}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    return result["seconds"], result


def raw_floor(path: Path, root: Path) -> float:
    t = time.perf_counter()
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    conn = sqlite3.connect(root / "raw.db")
    conn.execute("CREATE TABLE IF NOT EXISTS c(doc TEXT, theme TEXT, s INT, e INT)")
    with conn:
        conn.executemany("INSERT INTO c VALUES (?,?,?,?)", [(r["document"], r["theme"], r["start"], r["end"])
                                                             for r in rows])
    conn.close()
    return time.perf_counter() - t


def line(label: str, value: str, target: str, baseline: str, ok: bool | None) -> None:
    mark = "" if ok is None else ("ok" if ok else "MISSED")
    print(f"{label:<44} {value:>10}   target {target:<26} baseline {baseline:<10} {mark}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=50)
    ap.add_argument("--words", type=int, default=9000)
    ap.add_argument("--codings", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_study(root, args.docs, args.words)
        subprocess.run([sys.executable, "-m", "framework", "--project", str(root), "docs"], capture_output=True,
                       check=True)
        files = batches(root, passages(root, args.codings))
        print(f"study: {args.docs} transcripts x {args.words} words; batches of {args.codings:,} codings\n")
        floor = raw_floor(files["offsets"], root)
        keep_pristine(root)
        for how, measure in (("whole command", command), ("import step alone", step)):
            best: dict[str, float] = {}
            facts: dict[str, dict] = {}
            keys = ["offsets", "quotes", "near"]
            for run in range(args.runs):  # interleaved in turn, each from the same database
                for key in keys[run % 3:] + keys[:run % 3]:
                    fresh(root)
                    took, facts[key] = measure(root, files[key], "bench")
                    best[key] = min(best.get(key, took), took)
            base = best["offsets"]
            line(f"{how}: {args.codings:,} by offsets", f"{base:.3f} s", "(the baseline)", f"{floor:.3f} s", None)
            for key, label in (("quotes", "by quote"), ("near", "by quote, 1 in 20 near misses")):
                ratio = best[key] / base
                line(f"{how}: {args.codings:,} {label}", f"{best[key]:.3f} s", f"<= 2x by offsets ({2 * base:.3f} s)",
                     f"{base:.3f} s", ratio <= 2)
                line("  ratio to by offsets", f"{ratio:.2f}x", "<= 2x", "1x", ratio <= 2)
                if "fuzzy" in facts[key]:
                    print(f"  ({facts[key]['added']:,} added, {facts[key]['fuzzy']} placed by fuzzy match)")
            print()

if __name__ == "__main__":
    main()
