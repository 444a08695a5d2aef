"""Benchmark of reading transcripts into stored text, against its targets.

Three texts that once took quadratic time are read in this process, each beside a raw
baseline on the same text measured in the same run (``str.splitlines``):

- newline normalisation of 400,000 CRLF lines (target: under 2 s);
- paragraphs and speakers of a text with 300,000-character lines (target: under 2 s);
- paragraphs and speakers of 200,000 short turns (target: under 3 s).

Run: python bench/bench_text.py
"""

from __future__ import annotations

import time

from framework.ingest.text import normalise_newlines, paragraphs


def timed(func, text: str) -> float:
    start = time.perf_counter()
    func(text)
    return time.perf_counter() - start


def main() -> None:
    cases = [
        ("normalise 400,000 CRLF lines", normalise_newlines,
         ("Interviewer: a line of text é\r\n" * 400_000) + "\u2028", 2.0),
        ("paragraphs of 300,000-character lines", paragraphs,
         " " * 300_000 + "\n" + "word " * 100_000 + "\n\n" + "Interviewer: " + "x" * 300_000
         + ("\n \n" * 50_000) + "end", 2.0),
        ("paragraphs of 200,000 short turns", paragraphs,
         "Interviewer: How?\n\nRespondent: Like this, you see.\n\n" * 100_000, 3.0),
    ]
    print(f"{'figure':42} {'result':>9}   {'target':<10} {'baseline (splitlines)':>22}")
    for name, func, text, target in cases:
        took = timed(func, text)
        base = timed(str.splitlines, text)
        print(f"{name:42} {took:8.3f}s   < {target:<8} {base:21.3f}s{'' if took < target else '  MISSED'}")


if __name__ == "__main__":
    main()
