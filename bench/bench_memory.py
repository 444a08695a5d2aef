"""Peak memory of command-line commands on a large project, against the 500 MB target.

Builds a project of 1,000 transcripts (8,000 words each, about 50 MB of text) with
100,000 codings, then runs each command in a fresh process and reports its peak
resident memory next to the target and next to a raw baseline: a bare Python process
running the same query with ``sqlite3`` and printing the same rows.

Commands: ``framework docs``, ``framework docs --json``, ``framework code list``,
``framework code list --json``, ``framework search``, ``framework search --json``. The exit
status is 1 when a command is over the target.

Run: python bench/bench_memory.py [--docs 1000] [--words 8000] [--codings 100000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_MB = 500
WORDS = (
    "caseload supervision allocation agency vacancy team manager social worker family child adult "
    "assessment review duty referral training placement recruitment retention pressure budget the a "
    "of and to in we they it is was that have for on with as at by this but not are be".split()
)
THEMES = "".join(f'  - id: "{i}"\n    label: Theme {i}\n' for i in range(1, 61))

MEASURE = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)\n"
    "if done.returncode:\n"
    "    sys.exit(done.stderr)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, time.perf_counter() - t)\n"
)

RAW = {
    "docs": (
        "SELECT d.id, d.name, c.name, d.kind, d.length, d.source, "
        "(SELECT count(*) FROM codings k WHERE k.document_id = d.id) "
        "FROM documents d JOIN cases c ON c.id = d.case_id ORDER BY c.name, d.name"
    ),
    "codings": (
        'SELECT k.id, k.coder, k.document_id, d.name, k.theme_id, k.start, k."end", k.quote, k.before, '
        "k.after, k.memo, k.created_at, k.updated_at, k.detached FROM codings k "
        'JOIN documents d ON d.id = k.document_id ORDER BY d.name, k.start, k."end", k.theme_id, k.coder'
    ),
    "search": (
        "SELECT d.name, snippet(documents_fts, 0, '[', ']', '...', 12) FROM documents_fts "
        "JOIN documents d ON d.id = documents_fts.rowid WHERE documents_fts MATCH ? LIMIT 100"
    ),
}
RAW_SCRIPT = (
    "import json, sqlite3, sys\n"
    "conn = sqlite3.connect(sys.argv[1])\n"
    "rows = conn.execute(sys.argv[2], sys.argv[4:]).fetchall()\n"
    "if sys.argv[3] == 'json':\n"
    "    print(json.dumps([list(r) for r in rows], ensure_ascii=False, indent=2))\n"
    "else:\n"
    "    for r in rows:\n"
    "        print('  '.join(map(str, r)))\n"
)


def make_project(root: Path, docs: int, words: int, codings: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    (root / "transcripts").mkdir(parents=True)
    (root / "themes.yaml").write_text("themes:\n" + THEMES, encoding="utf-8")
    lengths = []
    for n in range(docs):
        turns, count = [], 0
        while count < words:
            size = rng.randint(20, 160)
            speaker = "Interviewer" if len(turns) % 2 == 0 else "Respondent"
            turns.append(f"{speaker}: " + " ".join(rng.choice(WORDS) for _ in range(size)) + ".")
            count += size
        text = "\n\n".join(turns) + "\n"
        lengths.append(len(text) - 1)
        (root / "transcripts" / f"int_{n:04d}.txt").write_text(text, encoding="utf-8")
    step(root, "first build", "docs")
    coders = ["alice", "bob", "carol", "dan"]
    files: dict[str, list[str]] = {c: [] for c in coders}
    for i in range(codings):
        doc = i % docs
        start = rng.randrange(0, lengths[doc] - 400)
        row = {"document": f"int_{doc:04d}", "theme": str(rng.randint(1, 60)), "start": start,
               "end": start + rng.randint(20, 400)}
        files[coders[i % len(coders)]].append(json.dumps(row))
    for coder, rows in files.items():
        path = root / f"{coder}.jsonl"
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        step(root, f"code import ({coder}, {len(rows):,} rows)", "--coder", coder, "code", "import", str(path))


def step(root: Path, label: str, *args: str) -> None:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "framework", "--project", str(root), *args],
                          capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{label} failed:\n{done.stderr}")
    print(f"  {label}: {time.perf_counter() - started:.1f} s", flush=True)


def measure(*command: str) -> tuple[float, float]:
    done = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    peak, seconds = done.stdout.split()
    return float(peak), float(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--words", type=int, default=8000)
    parser.add_argument("--codings", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, default=None, help="Build (or reuse) the project in this folder.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp) / "project"
        if not (root / "framework.db").exists():
            print(f"building {args.docs:,} transcripts of {args.words:,} words with {args.codings:,} codings "
                  f"in {root}", flush=True)
            make_project(root, args.docs, args.words, args.codings)
        db = str(root / "framework.db")
        cli = [sys.executable, "-m", "framework", "--project", str(root)]
        runs = [
            ("framework docs", [*cli, "docs"], ("docs", "text")),
            ("framework docs --json", [*cli, "docs", "--json"], ("docs", "json")),
            ("framework code list", [*cli, "code", "list"], ("codings", "text")),
            ("framework code list --json", [*cli, "code", "list", "--json"], ("codings", "json")),
            ("framework search caseload", [*cli, "search", "caseload"], ("search", "text", "caseload")),
            ("framework search --json", [*cli, "search", "caseload", "--json"], ("search", "json", "caseload")),
        ]
        measure(*cli, "docs")  # warm the file cache
        print(f"\n{'command':<30} {'peak MB':>8} {'target':>8} {'raw MB':>8} {'time s':>7} {'raw s':>6}  result")
        failed = False
        for label, command, (query, fmt, *params) in runs:
            peak, seconds = measure(*command)
            raw_peak, raw_seconds = measure(sys.executable, "-c", RAW_SCRIPT, db, RAW[query], fmt, *params)
            ok = peak < TARGET_MB
            failed |= not ok
            print(f"{label:<30} {peak:>8.0f} {'< ' + str(TARGET_MB):>8} {raw_peak:>8.0f} {seconds:>7.2f} "
                  f"{raw_seconds:>6.2f}  {'ok' if ok else 'OVER TARGET'}", flush=True)
        size = (root / "framework.db").stat().st_size / 1048576
        print(f"\nproject database: {size:.0f} MB")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
