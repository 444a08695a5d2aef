"""Render the README screenshots (SVG) from the bundled sample project.

    python scripts/screenshots.py [--out docs/screenshots]

Copies the sample project (themes.yaml, cases.csv, transcripts/) to a temporary folder,
codes a few passages as two coders, imports the sample survey and codes some answers, and saves
the documents screen, the reader with coded passages, the reader with the theme picker open,
the answers screen and the retrieval screen.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from framework.coding.actions import add_coding  # noqa: E402
from framework.project import open_project  # noqa: E402
from framework.tui.app import make_app  # noqa: E402

SIZE = (120, 34)
CODER, OTHER = "alex", "sam"
DOCUMENT = "dir_london_01"

# (coder, theme, phrase, memo) in the document shown in the reader
PASSAGES = [
    (CODER, "1.1", "on a good day we have about 95 of those filled by permanent staff", ""),
    (CODER, "1.1", "So you're looking at a vacancy rate of, what, a third?", ""),
    (CODER, "1.2", "And the rest, almost all of it, is covered by agency.", ""),
    (CODER, "1.2", "so a locum costs us half as much again as a permanent worker, maybe more",
     "Cost of agency cover: compare with ad_county_02."),
    (CODER, "1.3", "But the bigger cost is continuity. A family can have three, four social workers in a year", ""),
    (CODER, "6.2", "A family can have three, four social workers in a year, and every time that happens you start again", ""),
    (CODER, "1.2", "we've gone to a single managed contract with one agency", ""),
    (OTHER, "1.2", "covered by agency", ""),
    (OTHER, "1.3", "continuity", ""),
]


def build(folder: Path):
    for name in ("themes.yaml", "cases.csv"):
        shutil.copy(ROOT / name, folder / name)
    shutil.copytree(ROOT / "transcripts", folder / "transcripts")
    project = open_project(folder)
    store = project.store
    doc = store.documents.get(DOCUMENT)
    text = store.documents.text(doc.id)
    for coder, theme, phrase, memo in PASSAGES:
        start = text.index(phrase)
        add_coding(store, coder, doc.id, theme, start, start + len(phrase), memo)
    # agency cover in other cases too, for the retrieval screen
    for other in store.documents.list():
        if other.id == doc.id:
            continue
        body = store.documents.text(other.id)
        found = re.search(r"[^.?!\n]*\bagency\b[^.?!\n]*[.?!]", body)
        if found:
            start = found.start() + len(found.group()) - len(found.group().lstrip())
            add_coding(store, CODER, other.id, "1.2", start, found.end())
    # the sample survey, some answers coded, for the answers screen
    from framework.coding.actions import code_whole
    from framework.ingest.survey import import_survey

    import_survey(store, ROOT / "survey" / "staff_survey.csv", root=folder)
    answers = [d for d in store.documents.list("survey") if d.name.endswith(".q1")]
    for theme, words in (("2.1", ("caseload", "children", "cases")), ("6.1", ("recording", "computer", "forms"))):
        chosen = [d.id for d in answers if any(w in store.documents.text(d.id).lower() for w in words)]
        code_whole(store, CODER, chosen, theme)
    code_whole(store, OTHER, [d.id for d in answers[:6]], "2.1")
    project.save_setting("coder", CODER)
    return project, text


async def settle(pilot) -> None:
    app = pilot.app
    for _ in range(30):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            break
    for widget in app.screen.query("Input, TextArea"):
        widget.cursor_blink = False
    await pilot.pause()


async def shoot(project, text: str, out: Path) -> list[Path]:
    saved: list[Path] = []

    def save(app, name: str) -> None:
        path = out / f"{name}.svg"
        app.save_screenshot(filename=path.name, path=str(out))
        saved.append(path)

    app = make_app(project, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        save(app, "documents")

    app = make_app(project, CODER, document=DOCUMENT)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        app.screen.view.goto_offset(text.index("In the assessment teams"))
        await settle(pilot)
        save(app, "reader")
        start = text.index("In the assessment teams it's worse, frankly.")
        app.screen.view.select_span(start, start + len("In the assessment teams it's worse, frankly."))
        await pilot.press("c", "v", "a", "c")
        await settle(pilot)
        save(app, "picker")

    app = make_app(project, CODER, question="q1")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "space", "down", "space", "down", "space", "down")
        await settle(pilot)
        save(app, "answers")

    app = make_app(project, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        app.screen.choose_theme("1.2")
        await settle(pilot)
        app.screen.query_one("#passages").focus()
        await settle(pilot)
        save(app, "retrieval")
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "sample"
        folder.mkdir()
        project, text = build(folder)
        try:
            for path in asyncio.run(shoot(project, text, out)):
                print(path)
        finally:
            project.close()


if __name__ == "__main__":
    main()
