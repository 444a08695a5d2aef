"""Importing a large REFI-QDA project (.qdpx), against its targets.

Generates (``tests/refi_files.py``) a .qdpx of 50 transcripts holding 150,000 codings by
two coders and 100,000 notes (50,000 coding memos, 25,000 annotations, 25,000 journals):
a ``project.qde`` of about 96 MB. Then, each in a fresh process, prints beside its target
and the raw baselines measured in the same run:

- ``framework import FILE.qdpx`` into a new project: time (target: under 30 s for
  100,000 notes; it took about 510 s when each memo was looked up with a query, each
  code's parent found by a scan of the list and each annotation's lines counted from the
  start of its text) and peak memory (target: under 500 MB);
- the same import again into that project (everything already there: same targets).

The baseline is the XML parser alone reading the same ``project.qde`` out of the archive
as a stream (``ElementTree.iterparse``, each element cleared once read); building the
whole tree (``ElementTree.parse``) is printed beside it. Times are wall-clock; the CPU
time (user + system) of each is printed too, since the machine may be shared.

Run: python bench/bench_exchange.py [--codings 150000] [--notes 100000] [--keep DIR]
The exit status is 1 when a figure misses its target.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.refi_files import write_large_qdpx  # noqa: E402

TARGET_MB = 500
TARGET_SECONDS = 30
"""For 100,000 notes; scaled with the number of notes asked for."""

MEASURE = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)\n"
    "wall = time.perf_counter() - t\n"
    "use = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "if done.returncode:\n"
    "    sys.exit(done.stderr[-2000:])\n"
    "last = [x for x in done.stdout.splitlines() if x.strip() and not x.startswith(' ')][-1:]\n"
    "print(round(use.ru_maxrss / 1024), round(wall, 2), round(use.ru_utime + use.ru_stime, 2), *last, sep='\\t')\n"
)
STREAM = ("import sys, zipfile\nfrom xml.etree.ElementTree import iterparse\n"
          "with zipfile.ZipFile(sys.argv[1]) as z, z.open('project.qde') as f:\n"
          "    n = 0\n"
          "    for _, elem in iterparse(f):\n"
          "        elem.clear()\n"
          "        n += 1\n"
          "print(n, 'elements')\n")
TREE = ("import sys, zipfile\nfrom xml.etree.ElementTree import parse\n"
        "with zipfile.ZipFile(sys.argv[1]) as z, z.open('project.qde') as f:\n"
        "    root = parse(f).getroot()\n"
        "print(sum(1 for _ in root.iter()), 'elements')\n")


def measure(*command: str) -> tuple[float, float, float, str]:
    """Peak resident MB, wall seconds, CPU seconds and the last summary line of ``command``."""
    done = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    peak, wall, cpu, *rest = done.stdout.strip().split("\t")
    return float(peak), float(wall), float(cpu), (rest[0] if rest else "")


def row(label: str, value: str, target: str, baseline: str, ok: bool | None) -> bool:
    verdict = "" if ok is None else "ok" if ok else "MISSED"
    print(f"{label:<40} {value:>16}   target {target:<24} baseline {baseline:<20} {verdict}", flush=True)
    return ok is not False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--codings", type=int, default=150_000)
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, default=None, help="Write the file and the project in this folder.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        made = write_large_qdpx(folder / "large.qdpx", codings=args.codings, notes=args.notes)
        print(f"{made.path.name}: {made.sources} transcripts, {made.codings:,} codings, {made.notes:,} notes "
              f"({made.coding_memos:,} coding memos, {made.annotations:,} annotations, {made.journals:,} journals); "
              f"project.qde {made.qde_bytes / 1048576:.0f} MB, the file {made.path.stat().st_size / 1048576:.0f} MB "
              f"(made in {time.perf_counter() - started:.0f} s)\n", flush=True)
        project = folder / "project"
        subprocess.run([sys.executable, "-m", "framework", "init", str(project)], check=True, capture_output=True)
        stream = measure(sys.executable, "-c", STREAM, str(made.path))
        tree = measure(sys.executable, "-c", TREE, str(made.path))
        base = f"{stream[1]:.1f} s (tree {tree[1]:.1f} s)"
        cli = [sys.executable, "-m", "framework", "--project", str(project), "--coder", "carol", "import",
               str(made.path)]
        ok = True
        target = TARGET_SECONDS * max(args.notes, 1) / 100_000
        for label in ("import into a new project", "the same import again"):
            peak, wall, cpu, summary = measure(*cli)
            ok &= row(label, f"{wall:.1f} s", f"< {target:.0f} s", base, wall < target)
            row("  ratio to the streamed parse", f"{wall / stream[1]:.1f}x", "", f"1x (tree {tree[1] / stream[1]:.1f}x)",
                None)
            row("  CPU time (user + system)", f"{cpu:.1f} s", "", f"{stream[2]:.1f} s (tree {tree[2]:.1f} s)", None)
            ok &= row("  peak memory", f"{peak:.0f} MB", f"< {TARGET_MB} MB", f"{stream[0]:.0f} MB (tree {tree[0]:.0f} MB)",
                      peak < TARGET_MB)
            print(f"  {summary[:150]}", flush=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
