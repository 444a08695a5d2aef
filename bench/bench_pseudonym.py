"""Benchmark: applying a pseudonym key, a pseudonymised export, and checking it.

    python bench/bench_pseudonym.py [--quick]

Builds a project of 200 cases (one transcript each, 60 themes, 20,000 codings, summaries
in about 40% of cells; as ``bench_charts.py``) and a key of 200 terms, a few of them
frequent words so that replacing really happens, and prints each figure beside its target
and a raw baseline measured in the same run:

- applying the key to every transcript, per MB of text, vs one case-insensitive regular
  expression of the terms as whole words (the way keys were applied before the matcher);
- a pseudonymised XLSX export of every chart (replacing, writing, checking the file before
  it gets its name) vs the same export without a key;
- ``pseudonym check`` of that file vs unzipping it, folding every entry and looking for
  each term as a plain substring.

``--quick`` uses a tenth of the sizes (a smoke test of this script).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
import unicodedata
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_charts import CODER, make_project  # noqa: E402

from framework.confidentiality.check import scan  # noqa: E402
from framework.confidentiality.key import Pseudonymiser  # noqa: E402
from framework.export import export_charts  # noqa: E402
from framework.store import Store  # noqa: E402

FREQUENT = ["agency", "morale", "duty", "budget", "referral"]


def key_entries(size: int) -> list[tuple[str, str]]:
    entries = [(word, f"Word {i + 1}") for i, word in enumerate(FREQUENT)]
    entries += [(f"Firstname{i} Surname{i}", f"Person {i + 1}") for i in range(size - len(FREQUENT))]
    return entries


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def old_way(entries: list[tuple[str, str]]):
    """Terms as one case-insensitive alternation of whole words, longest first."""
    ordered = sorted(entries, key=lambda e: -len(e[0]))
    pattern = re.compile("|".join(
        r"(?<!\w)" + r"\s+".join(map(re.escape, term.split())) + r"(?!\w)" for term, _ in ordered), re.IGNORECASE)
    return pattern


def plain_scan(path: Path, terms: list[str]) -> int:
    """Unzip, read every entry, fold, and count the terms as substrings."""
    folded = [unicodedata.normalize("NFKD", t.casefold()) for t in terms]
    found = 0
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            text = unicodedata.normalize("NFKD", archive.read(info).decode("utf-8", "replace").casefold())
            found += sum(text.count(t) for t in folded)
    return found


def row(label: str, value: str, target: str, baseline: str) -> None:
    print(f"{label:<52} {value:>12}   target {target:<10} baseline {baseline}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    cases, codings = (20, 2_000) if args.quick else (200, 20_000)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        db = root / "framework.db"
        make_project(db, cases, codings)
        store = Store(db)
        texts = [store.documents.text(d.id) for d in store.documents.list()]
        megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
        entries = key_entries(200)
        key_file = root / "keys" / "key.csv"
        key_file.parent.mkdir()
        key_file.write_text("term,replacement\n" + "".join(f"{t},{r}\n" for t, r in entries), encoding="utf-8")
        key = Pseudonymiser.load(key_file)

        seconds, replaced = timed(lambda: sum(len(key.matches(t)) for t in texts))
        sample = texts[: max(1, len(texts) // 10)]
        sample_mb = sum(len(t.encode("utf-8")) for t in sample) / 1e6
        pattern = old_way(entries)
        old_seconds, old_found = timed(lambda: sum(len(pattern.findall(t)) for t in sample))
        print(f"{cases} transcripts, {megabytes:.1f} MB of text; a key of {len(entries)} terms; "
              f"{replaced:,} replacements")
        row("applying the key, seconds per MB", f"{seconds / megabytes:.2f}", "<= 1.0",
            f"{old_seconds / sample_mb:.2f} (one regular expression, on {len(sample)} transcripts: "
            f"{old_found:,} found)")

        out = root / "exports"
        plain_seconds, _ = timed(lambda: export_charts(store, CODER, "xlsx", out / "plain", force=True))
        pseudo_seconds, paths = timed(lambda: export_charts(store, CODER, "xlsx", out / "shared", force=True,
                                                            key=key))
        row("pseudonymised XLSX export (replace, write, check), s", f"{pseudo_seconds:.2f}",
            f"<= {3 * plain_seconds:.1f}", f"{plain_seconds:.2f} (the same export without a key; target 3x)")

        (path,) = paths
        check_seconds, hits = timed(lambda: scan(path, key))
        raw_seconds, raw_found = timed(lambda: plain_scan(path, key.terms))
        size = path.stat().st_size / 1e6
        row(f"pseudonym check of that file ({size:.1f} MB zipped), s", f"{check_seconds:.2f}", "<= 10",
            f"{raw_seconds:.2f} (unzip, fold, substrings: {raw_found} found; the check: {len(hits)})")
        store.close()


if __name__ == "__main__":
    main()
