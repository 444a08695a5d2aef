"""Peak memory of importing hostile files, against the 500 MB target.

Generates, in a temporary folder: a .docx with millions of paragraphs (about 185 MB of
XML in a file of about 20 MB, the XML varied so it is no zip bomb by ratio), a .docx whose
text is over 50 MB, a .docx within the limits (35 MB of text in 100,000 paragraphs), an
.xlsx with a cell in column XFD on 200,000 rows, a .csv of nothing but separators, a survey
export of 100,000 respondents x 40 columns (46 MB: 34 closed questions, 5 free-text), a
folder of 40 transcripts of about 5 MB each, a .txt of 16 million one-letter paragraphs and an .rtf of 45 MB. Each is imported by
``framework`` in a fresh process; its peak resident memory and time are printed next to
the target and next to two baselines measured in the same run: the floor (the same
command importing a one-line transcript) and a raw reader (python-docx for .docx,
openpyxl in read-only mode for .xlsx, Python's csv module for .csv, each keeping the
rows or paragraphs as a table or document reader must; for the folder, every file's text
read and kept; limited to 2 GB of address space and 120 s).

Run: python bench/bench_hostile.py [--paragraphs 5000000] [--keep DIR] [--no-raw]
The exit status is 1 when an import is over the target or ends otherwise than with
exit status 0 or 1.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.hostile_files import cell, write_docx, write_wide_survey, write_xlsx  # noqa: E402

TARGET_MB = 500
RAW_LIMIT_MB = 2048

MEASURE = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
    "line = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ''\n"
    "print(done.returncode, round(peak), round(time.perf_counter() - t, 1), line[:110], sep='\\t')\n"
)
RAW = {
    "docx": "import docx, sys\nd = docx.Document(sys.argv[1])\nprint(sum(len(p.text) for p in d.paragraphs))\n",
    "xlsx": ("import openpyxl, sys\nwb = openpyxl.load_workbook(sys.argv[1], read_only=True, data_only=True)\n"
             "rows = list(wb.worksheets[0].iter_rows(values_only=True))\nprint(len(rows))\n"),
    "csv": "import csv, sys\nprint(len(list(csv.reader(open(sys.argv[1], encoding='utf-8')))))\n",
    "": ("import pathlib, sys\ntexts = [p.read_text(encoding='utf-8') for p in sorted(pathlib.Path(sys.argv[1]).iterdir())]"
         "\nprint(sum(map(len, texts)))\n"),
}
RAW_SECONDS = 120
LIMITED = ("import resource, signal, sys\nlimit = int(sys.argv[1]) << 20\n"
           "resource.setrlimit(resource.RLIMIT_AS, (limit, limit))\nsignal.alarm(int(sys.argv[2]))\n"
           "sys.argv = sys.argv[3:]\nexec(compile(sys.argv[0], '<raw>', 'exec'))\n")


def make_files(folder: Path, paragraphs: int) -> list[tuple[str, Path, list[str]]]:
    rng = random.Random(2026)
    words = [bytes(rng.choices(b"abcdefghijklmnopqrstuvwxyz", k=rng.randint(2, 9))) for _ in range(4000)]
    files = []
    files.append(("docx, millions of paragraphs", write_docx(folder / "millions.docx",
                  (b"%x" % rng.getrandbits(24) for _ in range(paragraphs))), ["import"]))
    files.append(("docx, text over 50 MB", write_docx(folder / "long.docx",
                  (b" ".join(rng.choices(words, k=20_000)) for _ in range(500))), ["import"]))
    files.append(("docx, 35 MB of text (imports)", write_docx(folder / "within.docx",
                  (b"Respondent: " + b" ".join(rng.choices(words, k=60)) for _ in range(100_000))), ["import"]))
    header = f'<row r="1">{cell("A1", "case")}{cell("B1", "answer")}</row>'.encode()
    files.append(("xlsx, cell in XFD on 200,000 rows", write_xlsx(folder / "xfd.xlsx", [header, *(
        f'<row r="{n}">{cell(f"A{n}", f"r{n}")}{cell(f"XFD{n}", "x")}</row>'.encode()
        for n in range(2, 200_002))]), ["import-survey"]))
    commas = folder / "commas.csv"
    with commas.open("w", encoding="utf-8") as out:
        out.write("case," + ",".join(f"c{i}" for i in range(2_000)) + "\n")
        out.writelines("x" + ",y" * 2_000 + "\n" for _ in range(12_000))
    files.append(("csv, 24 million separators", commas, ["cases", "import"]))
    files.append(("csv, survey 100,000 x 40 (imports)", write_wide_survey(folder / "survey.csv"), ["import-survey"]))
    interviews = folder / "interviews"
    interviews.mkdir(exist_ok=True)
    for n in range(40):
        turns = (("Interviewer: " if t % 2 == 0 else "Respondent: ") + " ".join(
            w.decode() for w in rng.choices(words, k=rng.randint(20, 150))) + "." for t in range(8_000))
        (interviews / f"int_{n:02d}.txt").write_text("\n\n".join(turns) + "\n", encoding="utf-8")
    files.append(("folder, 40 transcripts (imports)", interviews, ["import"]))
    tiny = folder / "tiny.txt"
    tiny.write_bytes(b"x\n\n" * (16 * 1024 * 1024))
    files.append(("txt, 16 million paragraphs", tiny, ["import"]))
    rtf = folder / "long.rtf"
    rtf.write_text("{\\rtf1\\ansi " + ("word " * 60 + "\\par ") * 150_000 + "}", encoding="ascii")
    files.append(("rtf, 45 MB", rtf, ["import"]))
    return files


def measure(*command: str) -> tuple[int, int, float, str]:
    done = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=True)
    code, peak, seconds, line = (done.stdout.rstrip("\n").split("\t") + [""])[:4]
    return int(code), int(peak), float(seconds), line


def raw(kind: str, path: Path) -> str:
    script = RAW.get(kind)
    if script is None:
        return "-"
    try:
        code, peak, seconds, line = measure(sys.executable, "-c", LIMITED, str(RAW_LIMIT_MB), str(RAW_SECONDS),
                                            script, str(path))
    except subprocess.CalledProcessError:
        return "?"
    if code == -14:
        return f"over {RAW_SECONDS} s ({peak} MB)"
    if code != 0:
        if "MemoryError" in line or "XMLSyntaxError" in line:  # lxml reports a failed allocation so
            return f">{RAW_LIMIT_MB} MB (out of memory, {seconds:.0f} s)"
        return f"{line.split(':')[0].rsplit('.', 1)[-1] or f'exit {code}'} ({seconds:.0f} s)"
    return f"{peak} MB, {seconds:.0f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paragraphs", type=int, default=5_000_000)
    parser.add_argument("--keep", type=Path, default=None, help="Generate the files here and keep them.")
    parser.add_argument("--no-raw", action="store_true", help="Skip the raw readers (they take minutes).")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-hostile-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"generating files in {folder} ...", flush=True)
    files = make_files(folder, args.paragraphs)
    project = folder / "project"
    if not project.exists():
        subprocess.run([sys.executable, "-m", "framework", "init", str(project)], check=True, capture_output=True)
    one_line = folder / "one line.txt"
    one_line.write_text("Interviewer: one line.\n", encoding="utf-8")
    _, floor, floor_s, _ = measure(sys.executable, "-m", "framework", "--project", str(project), "import",
                                   str(one_line))
    print(f"target: {TARGET_MB} MB peak; floor (a one-line transcript): {floor} MB, {floor_s} s\n")
    print(f"{'file':36} {'size':>8} {'peak':>8} {'time':>7}  {'exit':4} {'raw reader':28} outcome")
    failed = False
    for label, path, command in files:
        code, peak, seconds, line = measure(sys.executable, "-m", "framework", "--project", str(project),
                                            *command, str(path))
        over = peak > TARGET_MB or code not in (0, 1) or "Traceback" in line
        failed |= over
        baseline = "-" if args.no_raw else raw(path.suffix[1:], path)
        outcome = line.split(": ", 2)[-1][:70] if code == 1 else "imported"
        size = sum(p.stat().st_size for p in (path.iterdir() if path.is_dir() else [path]))
        size = f"{size / 1048576:.1f} MB"
        print(f"{label:36} {size:>8} {peak:>5} MB {seconds:>5.1f} s  {code:<4} {baseline:28} "
              f"{'OVER TARGET ' if over else ''}{outcome}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
