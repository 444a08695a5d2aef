"""Pilot tests of the answers screen, the autocode dialog and typing on the documents screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import OptionList

from framework.ingest.survey import import_survey
from framework.tui.dialogs.autocode import AutocodeDialog
from framework.tui.dialogs.common import ChoiceDialog
from framework.tui.dialogs.theme_picker import ThemePicker
from framework.tui.screens.answers import AnswersScreen
from framework.tui.screens.documents import DocumentsScreen
from framework.tui.screens.reader import ReaderScreen
from framework.views.paging import Heading

from .helpers import SIZE, press, scenario, settle, type_text

DATA = Path(__file__).parents[1] / "data" / "surveys"
CASELOAD = "How do you count your caseload, and is it manageable?"
Q1 = ["R_1dGf0WnQm7TzKe9", "R_2pXr4HsLb8VuMo1", "R_3kVq8XbPz1aYc2L", "R_4wEh1GiDy6XcFa8", "R_6tNc2YjAe5QwRi3"]


@pytest.fixture
def surveyed(tui_project):
    import_survey(tui_project.store, DATA / "qualtrics.csv")
    return tui_project


def shown(app) -> list[str]:
    """The rows of the answers screen: respondents, and group headings as 'group:value'."""
    table = app.screen.table
    return [f"group:{e.value}" if isinstance(e, Heading) else table.rows[e].case if e in table.rows else f"?{e}"
            for e in table.entries]


def mine(store, coder: str = "alice") -> list[tuple[str, str]]:
    return sorted((c.document, c.theme_id) for c in store.codings.list(coder=coder))


@scenario
async def test_open_at_a_question_shows_its_text_and_answers(make, surveyed) -> None:
    from framework.tui.app import make_app

    app = make_app(surveyed, "alice", question="q1")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AnswersScreen)
        assert str(screen.query_one("#question").render()) == f"q1 (1 of 2) · {CASELOAD}"
        assert shown(app) == Q1
        assert screen.shown_attributes == ["Q1", "Q2", "Q3"]
        await press(pilot, "right_square_bracket")
        assert screen.question.key == "q2"
        assert shown(app) == ["R_1dGf0WnQm7TzKe9", "R_2pXr4HsLb8VuMo1", "R_3kVq8XbPz1aYc2L", "R_4wEh1GiDy6XcFa8"]
        await press(pilot, "Q")
        assert isinstance(app.screen, ChoiceDialog)
        await press(pilot, "1")
        assert screen.question.key == "q1"


@scenario
async def test_filter_by_words_and_by_attribute_then_sort_and_group(make, surveyed) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "S")
        assert isinstance(app.screen, AnswersScreen)
        await press(pilot, "slash")
        await type_text(pilot, "caseload")
        assert shown(app) == ["R_1dGf0WnQm7TzKe9", "R_2pXr4HsLb8VuMo1", "R_4wEh1GiDy6XcFa8"]  # and "caseloads"
        await type_text(pilot, " q3=assess")
        assert shown(app) == ["R_4wEh1GiDy6XcFa8"]
        await press(pilot, "enter")  # back to the list, filter kept
        assert app.screen.table.has_focus
        await press(pilot, "escape")
        assert len(shown(app)) == 5
        await press(pilot, "s")
        assert isinstance(app.screen, ChoiceDialog)
        choices = [value for _label, value in app.screen.choices]
        assert choices[0] == "respondent" and "Q2" in choices and choices[-2:] == ["length", "coded"]
        app.screen.query_one(OptionList).highlighted = choices.index("length")
        await press(pilot, "enter")
        lengths = [len(app.screen.table.row(e).text) for e in app.screen.table.entries]
        assert lengths == sorted(lengths, reverse=True)
        await press(pilot, "g")
        app.screen.query_one(OptionList).highlighted = [v for _l, v in app.screen.choices].index("Q1")
        await press(pilot, "enter")
        assert shown(app) == ["group:Adult services", "R_1dGf0WnQm7TzKe9",
                              "group:Children's services", "R_2pXr4HsLb8VuMo1", "R_3kVq8XbPz1aYc2L",
                              "R_4wEh1GiDy6XcFa8", "group:Private or voluntary", "R_6tNc2YjAe5QwRi3"]  # longest first


@scenario
async def test_code_one_then_many_marked_and_undo_the_batch_at_once(make, surveyed) -> None:
    store = surveyed.store
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "S")
        screen = app.screen
        await press(pilot, "c")
        assert isinstance(app.screen, ThemePicker)
        await type_text(pilot, "caseloads")
        await press(pilot, "enter")
        assert mine(store) == [("R_1dGf0WnQm7TzKe9.q1", "2.1")]
        assert screen.table.row(screen.table.current_id).mine == ("2.1",)
        await press(pilot, "down", "space", "shift+down", "down")  # marks rows 2, 3 and 4
        assert len(screen.marks) == 3
        await press(pilot, "1")  # the recent theme: 2.1
        assert mine(store) == [(f"{r}.q1", "2.1") for r in Q1[:4]]
        assert screen.message == "Coded 3 answer(s) with 2.1 Caseloads (u undoes)"
        await press(pilot, "asterisk")  # every answer shown
        assert len(screen.marks) == 5
        await press(pilot, "c")
        await type_text(pilot, "vacancies")
        await press(pilot, "enter")
        assert len(mine(store)) == 9
        await press(pilot, "u")
        assert mine(store) == [(f"{r}.q1", "2.1") for r in Q1[:4]]
        assert screen.message.startswith("Undone: 5 passage(s) coded with 1.1")
        await settle(pilot)
        table = screen.table
        assert [table.rows[e].mine for e in table.entries] == [("2.1",)] * 4 + [()]  # read again
        await press(pilot, "u")
        assert mine(store) == [(f"{r}.q1", "2.1") for r in Q1[:1]]
        await press(pilot, "escape")
        assert screen.marks == set()
        await press(pilot, "home", "x")  # remove a theme: choose which
        assert isinstance(app.screen, ChoiceDialog)
        await press(pilot, "1")
        assert mine(store) == []


@scenario
async def test_enter_opens_the_answer_under_its_question(make, surveyed) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "S", "down", "enter")
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader.data.document.name == "R_2pXr4HsLb8VuMo1.q1"
        question = reader.query_one("#question")
        assert question.display and str(question.render()) == f"Q: {CASELOAD}"
        await press(pilot, "escape")
        assert isinstance(app.screen, AnswersScreen)


@scenario
async def test_autocode_previews_counts_codes_and_undoes(make, surveyed) -> None:
    store = surveyed.store
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "S", "f")
        dialog = app.screen
        assert isinstance(dialog, AutocodeDialog)
        await press(pilot, "ctrl+t")
        await type_text(pilot, "weighting")
        await press(pilot, "enter")
        await type_text(pilot, "caseload*")
        await press(pilot, "enter")
        assert dialog.result is not None and len(dialog.result.hits) == 3
        assert str(dialog.query_one("#count").render()) == (
            "3 hit(s) in 3 document(s): 3 passage(s) to code with 2.2 Weighting systems")
        assert mine(store) == []  # nothing before Code
        assert dialog.focused.id == "code"  # the preview is shown; Enter again codes
        await press(pilot, "enter")
        assert isinstance(app.screen, AnswersScreen)
        assert mine(store) == [(f"{r}.q1", "2.2") for r in (Q1[0], Q1[1], Q1[3])]
        assert app.screen.message == "Autocoded 3 passage(s) (u undoes)"
        await press(pilot, "u")
        assert mine(store) == []


@scenario
async def test_typing_a_word_in_the_documents_filter_runs_no_command(make, tui_project) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "slash")
        await type_text(pilot, "quality Manchester rsg?")
        assert isinstance(app.screen, DocumentsScreen)  # not quit, no retrieval, sort or matrix
        assert app.screen.query_one("#filter").value == "quality Manchester rsg?"
        assert app.screen.table.entries == []
        await press(pilot, "escape", "escape")
        assert len(app.screen.table.entries) == 3
        await press(pilot, "down", "s")  # in the list, letters are commands again
        assert isinstance(app.screen, ChoiceDialog)
