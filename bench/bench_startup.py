"""Benchmark of how fast a command starts, against its target.

A copy of the sample project (the repository's own themes.yaml, transcripts, cases.csv and
codings) is built in a temporary folder; then each command is run many times in a fresh
interpreter and its median wall time is compared with the median of the raw baseline,
``python -c "import sqlite3, json"``, measured in the same run, in the same way:

- ``framework --help``
- ``framework docs --json``
- ``framework code add DOCUMENT THEME --quote "..."`` (one coding by quote)

Target: each within 4x the baseline. Before the numbers, the script checks that the
commands load no heavy library (the same check as tests/test_architecture.py).

Run: python bench/bench_startup.py [--runs 21]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 4.0
FRAMEWORK = [sys.executable, "-m", "framework"]


def sample_project(folder: Path) -> Path:
    """A fresh copy of the sample project, built once (its first run imports everything)."""
    project = folder / "sample"
    project.mkdir()
    for name in ("themes.yaml", "cases.csv"):
        shutil.copy(ROOT / name, project / name)
    for name in ("transcripts", "codings"):
        shutil.copytree(ROOT / name, project / name)
    subprocess.run([*FRAMEWORK, "--project", str(project), "docs"], check=True, capture_output=True, cwd=folder)
    return project


def median_time(command: list[str], runs: int, cwd: Path) -> float:
    """Median wall time of ``runs`` runs (after one unmeasured run that warms the file cache)."""
    subprocess.run(command, capture_output=True, cwd=cwd, check=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, cwd=cwd)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr.decode()}")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        project = sample_project(folder)
        text = (project / "transcripts" / "dir_london_01.txt").read_text(encoding="utf-8")
        quote = next(line for line in text.splitlines() if len(line) > 60)[20:60].strip()
        baseline = median_time([sys.executable, "-c", "import sqlite3, json"], args.runs, folder)
        commands = {
            "framework --help": [*FRAMEWORK, "--help"],
            "framework docs --json": [*FRAMEWORK, "--project", str(project), "docs", "--json"],
            "framework code add ... --quote": [*FRAMEWORK, "--project", str(project), "--coder", "bench", "code",
                                               "add", "dir_london_01", "1.1", "--quote", quote],
        }
        print(f"start-up, median of {args.runs} runs each, on the sample project\n")
        print(f"{'figure':34} {'result':>9} {'ratio':>7} {'target':>9}")
        print(f"{'baseline: import sqlite3, json':34} {baseline * 1000:7.0f} ms")
        failed = False
        for name, command in commands.items():
            took = median_time(command, args.runs, folder)
            ratio = took / baseline
            failed |= ratio > TARGET
            print(f"{name:34} {took * 1000:7.0f} ms {ratio:6.1f}x {'<= ' + str(TARGET) + 'x':>9}"
                  f"{'' if ratio <= TARGET else '  MISSED'}")
        sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
