"""SVG snapshots of each screen (pytest-textual-snapshot); refresh with --snapshot-update."""

from __future__ import annotations

import pytest

from framework.coding.actions import add_coding

from .conftest import INTERVIEW
from .helpers import settle, still

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def at(text: str, phrase: str) -> tuple[int, int]:
    start = INTERVIEW.index(phrase)
    return start, start + len(phrase)


@pytest.fixture
def coded(tui_project):
    """The test project with a few codings by two coders, overlapping, one with a memo."""
    store = tui_project.store
    doc = store.documents.get("int_07").id
    add_coding(store, "alice", doc, "2.2", *at(INTERVIEW, "We don't have a weighting system"), "tried once")
    add_coding(store, "alice", doc, "2.1", *at(INTERVIEW, "a guideline of about 18 children per worker"))
    add_coding(store, "alice", doc, "1.1", *at(INTERVIEW, "Our vacancy rate is around a third"))
    add_coding(store, "alice", doc, "1.2", *at(INTERVIEW, "a third, and most of it is covered by agency staff"))
    add_coding(store, "bob", doc, "2", *at(INTERVIEW, "We did try one, and the managers stopped using it."))
    return tui_project



def test_documents_screen(snap_compare, make, coded) -> None:
    assert snap_compare(make(), terminal_size=(100, 30), run_before=still)


def test_reader_with_codings(snap_compare, make, coded) -> None:
    async def before(pilot) -> None:
        await settle(pilot)
        await pilot.press("o")  # others' codings too
        view = pilot.app.screen.view
        view.goto_offset(INTERVIEW.index("18 children"))
        await still(pilot)

    assert snap_compare(make(document="int_07"), terminal_size=(100, 30), run_before=before)


def test_reader_with_the_picker_open(snap_compare, make, coded) -> None:
    async def before(pilot) -> None:
        await settle(pilot)
        view = pilot.app.screen.view
        view.goto_offset(INTERVIEW.index("So what we have"))
        await pilot.press("v", "c", "w", "o", "r", "k")
        await still(pilot)

    assert snap_compare(make(document="int_07"), terminal_size=(100, 30), run_before=before)


def test_retrieval_screen(snap_compare, make, coded) -> None:
    async def before(pilot) -> None:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        pilot.app.screen.choose_theme("2")
        await still(pilot)

    assert snap_compare(make(), terminal_size=(100, 30), run_before=before)


def test_help_screen(snap_compare, make) -> None:
    async def before(pilot) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await still(pilot)

    assert snap_compare(make(), terminal_size=(100, 30), run_before=before)


def test_reader_small_terminal(snap_compare, make, coded) -> None:
    async def before(pilot) -> None:
        await settle(pilot)
        pilot.app.screen.view.goto_offset(INTERVIEW.index("weighting"))
        await pilot.press("shift+right", "shift+right", "shift+right")
        await still(pilot)

    assert snap_compare(make(document="int_07"), terminal_size=(80, 24), run_before=before)


def test_reader_light_theme(snap_compare, make, coded) -> None:
    async def before(pilot) -> None:
        pilot.app.theme = "textual-light"
        await settle(pilot)
        await pilot.press("o")
        await still(pilot)

    assert snap_compare(make(document="int_07"), terminal_size=(100, 30), run_before=before)


def test_reader_status_line_with_others_shown_at_80_columns(snap_compare, make, coded) -> None:
    """Four codings under the cursor, others' shown: the message after the action stays whole."""
    store = coded.store
    doc = store.documents.get("int_07").id
    add_coding(store, "bob", doc, "1.2", *at(INTERVIEW, "most of it is covered by agency staff"), "bank staff?")
    add_coding(store, "carol", doc, "1.1", *at(INTERVIEW, "Our vacancy rate is around a third"))

    async def before(pilot) -> None:
        await settle(pilot)
        pilot.app.screen.view.goto_offset(INTERVIEW.index("a third") + 2)
        await pilot.press("o")  # others' codings too; the status line says so
        await still(pilot)

    assert snap_compare(make(document="int_07"), terminal_size=(80, 24), run_before=before)
