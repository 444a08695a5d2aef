"""Benchmark of the terminal interface as a user feels it: keys into a real terminal.

    python bench/bench_tui_pty.py [--runs 40]

The real ``framework`` program runs in a pseudo-terminal (120x40). The script plays the
terminal: it answers Textual's question whether the terminal supports synchronised output
(as modern terminals do), so that every frame the program draws arrives between
``ESC[?2026h`` and ``ESC[?2026l``, then it types keys and times each from the moment the
key is written to the end of the frame that follows it. Figures are the 95th percentile
and the median of the runs, each beside its target and a raw baseline measured in the same
run: the same measurement on a bare Textual TextArea holding the same transcript.

* on a 20,000-word transcript with 1,000 codings: a cursor move (down), applying a theme to
  a selected line (``1``, the most recent theme), undo (``u``) and the next coded passage
  (``]``): each under 50 ms at the 95th percentile;
* on the sample project: the matrix (``M``) and the agreement screen (``A``) opening, from
  the key to the first frame that shows them: under 0.5 s.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import random
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

COLUMNS, ROWS = 120, 40
SYNC_QUERY = b"\x1b[?2026$p"
SYNC_REPLY = b"\x1b[?2026;2$y"
FRAME_END = b"\x1b[?2026l"
KEYS = {"down": b"\x1b[B", "shift+down": b"\x1b[1;2B", "escape": b"\x1b"}


class Terminal:
    """A program in a pseudo-terminal, read frame by frame."""

    def __init__(self, argv: list[str], cwd: Path) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor", "TEXTUAL_ANIMATIONS": "none"}
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env,
                                     start_new_session=True, close_fds=True)
        os.close(slave)
        self.buffer = b""

    def _read(self, timeout: float) -> bytes:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return b""
        try:
            data = os.read(self.master, 1 << 16)
        except OSError:
            return b""
        if SYNC_QUERY in data:
            os.write(self.master, SYNC_REPLY)
        return data

    def wait_for(self, text: bytes, timeout: float = 30.0) -> None:
        """Read until ``text`` has been drawn and the screen is quiet for a moment."""
        deadline = time.monotonic() + timeout
        seen = b""
        while time.monotonic() < deadline:
            seen += self._read(0.05)
            if text in seen:
                break
        else:
            raise SystemExit(f"the program never showed {text!r}; its last output:\n{seen[-2000:]!r}")
        self.settle()

    def settle(self, quiet: float = 0.3) -> None:
        """Read until nothing arrives for ``quiet`` seconds."""
        while self._read(quiet):
            pass

    def _next_frame(self, timeout: float) -> None:
        """Wait for the end of the next frame (at most ``timeout`` seconds)."""
        seen = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            seen += self._read(max(0.0, deadline - time.monotonic()))
            if FRAME_END in seen:
                return

    def key(self, data: bytes, until: bytes | None = None, timeout: float = 10.0) -> float:
        """Type ``data``; seconds until the end of the first frame after it (or of the first
        frame containing ``until``).

        The key is written just after a frame of the blinking cursor (a blink comes every
        half second while a text area has the focus), so that the frame timed is the key's."""
        self.settle(0.12)
        self._next_frame(0.6)
        start = time.perf_counter()
        os.write(self.master, data)
        seen = b""
        deadline = start + timeout
        while time.perf_counter() < deadline:
            chunk = self._read(deadline - time.perf_counter())
            if not chunk:
                continue
            seen += chunk
            end = seen.find(FRAME_END)
            if end != -1 and (until is None or until in seen[:end]):
                return time.perf_counter() - start
            if end != -1:
                seen = seen[end + len(FRAME_END):]
        raise SystemExit(f"no frame after {data!r} within {timeout} s")

    def close(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)
        os.close(self.master)


BARE = textwrap.dedent("""
    import sys
    from pathlib import Path
    from textual.app import App
    from textual.widgets import TextArea

    class Bare(App):
        def compose(self):
            yield TextArea(Path(sys.argv[1]).read_text(), read_only=True, show_line_numbers=True)

    Bare().run()
""")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def show(name: str, values: list[float], target_ms: float, baseline: list[float] | None) -> bool:
    p95, median = percentile(values, 0.95) * 1000, statistics.median(values) * 1000
    base = f"{percentile(baseline, 0.95) * 1000:6.1f} ms" if baseline else ""
    ok = p95 < target_ms
    print(f"{name:38} p95 {p95:7.1f} ms  median {median:6.1f} ms   < {target_ms:.0f} ms   {base:>10}"
          f"{'' if ok else '  MISSED'}")
    return ok


def reader_figures(runs: int, tmp: Path) -> bool:
    from bench_tui import CODER, big_project

    project, text = big_project(tmp / "big", random.Random(7))
    first_theme = next(t.id for t in project.store.themes.list() if t.parent_id)
    project.save_setting("recent_themes", {CODER: [first_theme]})
    project.close()
    (tmp / "big.txt").write_text(text, encoding="utf-8")
    framework = [sys.executable, "-m", "framework", "--project", str(tmp / "big"), "--coder", CODER]

    bare = Terminal([sys.executable, "-c", BARE, str(tmp / "big.txt")], tmp)
    bare.wait_for(b"nterview 99")
    baseline = [bare.key(KEYS["down"]) for _ in range(runs)]
    bare.close()

    app = Terminal([*framework, "open", "big"], tmp)
    app.wait_for(b"nterview 99")
    moves = [app.key(KEYS["down"]) for _ in range(runs)]
    coded, undone, nexts = [], [], []
    for _ in range(runs):
        app.key(KEYS["shift+down"])
        coded.append(app.key(b"1"))
        undone.append(app.key(b"u"))
        app.key(KEYS["down"])
    for _ in range(runs):
        nexts.append(app.key(b"]"))
    app.close()
    print(f"reader, 20,000-word transcript with 1,000 codings ({runs} presses each; baseline: a bare TextArea)\n")
    ok = show("cursor down", moves, 50, baseline)
    ok &= show("apply the recent theme (1)", coded, 50, baseline)
    ok &= show("undo (u)", undone, 50, baseline)
    ok &= show("next coded passage (])", nexts, 50, baseline)
    return ok


def screen_figures(runs: int, tmp: Path) -> bool:
    from bench_startup import sample_project

    sample = sample_project(tmp)
    framework = [sys.executable, "-m", "framework", "--project", str(sample), "--coder", "alice"]
    app = Terminal(framework, tmp)
    app.wait_for(b"dir_london_01")
    matrix, agreement = [], []
    for _ in range(runs):
        matrix.append(app.key(b"M", until=b"Chart 1 of"))
        app.settle()
        app.key(KEYS["escape"])
        agreement.append(app.key(b"A", until=b"Cohen's kappa"))
        app.settle()
        app.key(KEYS["escape"])
    app.close()
    print(f"\nsample project ({runs} openings each, from the key to the first frame showing the screen)\n")
    ok = show("matrix opens (M)", matrix, 500, None)
    ok &= show("agreement opens (A)", agreement, 500, None)
    return ok


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=40)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ok = reader_figures(args.runs, Path(tmp))
        ok &= screen_figures(max(5, args.runs // 4), Path(tmp))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
