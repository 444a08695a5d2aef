"""SVG snapshots of the answers screen and of the documents screen with long names, at 80x24 and
120x40 (pytest-textual-snapshot); refresh with --snapshot-update after looking at them."""

from __future__ import annotations

from pathlib import Path

import pytest

from framework.coding.actions import code_whole
from framework.ingest.documents import import_cases, import_paths
from framework.ingest.survey import import_survey

from .helpers import settle, still

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

DATA = Path(__file__).parents[1] / "data" / "surveys"
LONG_NAMES = {
    "assistant_director_county_council_authority": "We carry vacancies in every team and rely on agency staff.",
    "head_of_childrens_safeguarding_and_specialist_services": "Supervision is monthly and it is protected.",
    "principal_operations_manager_in_a_large_county": "Caseloads are weighted by points.",
}


@pytest.fixture
def long_names(tui_project, tmp_path: Path):
    folder = tmp_path / "long"
    folder.mkdir()
    for name, text in LONG_NAMES.items():
        (folder / f"{name}.txt").write_text(f"Interviewer: And?\n\nRespondent: {text}\n", encoding="utf-8")
    import_paths(tui_project.store, [folder])
    cases = tmp_path / "cases.csv"
    cases.write_text("case,role,service\n" + "".join(
        f"{name},Assistant director of children's services and education,Children's services and early help\n"
        for name in LONG_NAMES), encoding="utf-8")
    import_cases(tui_project.store, cases)
    return tui_project


@pytest.fixture
def surveyed(tui_project):
    store = tui_project.store
    import_survey(store, DATA / "qualtrics.csv")
    import_survey(store, DATA / "surveymonkey.csv")
    ids = [d.id for d in store.documents.list("survey") if d.name.endswith(".q1")]
    code_whole(store, "alice", ids[:3], "2.1")
    code_whole(store, "bob", ids[2:4], "1.2")
    return tui_project


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_documents_with_long_names(snap_compare, make, long_names, size) -> None:
    assert snap_compare(make(), terminal_size=size, run_before=still)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_answers_screen(snap_compare, make, surveyed, size) -> None:
    async def before(pilot) -> None:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        await pilot.press("down", "space", "down", "space", "down")
        await still(pilot)

    assert snap_compare(make(), terminal_size=size, run_before=before)


def test_answers_wrapped_and_filtered(snap_compare, make, surveyed) -> None:
    async def before(pilot) -> None:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        await pilot.press("w", "slash", *"caseload", "enter")
        await still(pilot)

    assert snap_compare(make(), terminal_size=(100, 30), run_before=before)
