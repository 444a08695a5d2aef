"""Pilot tests of review and agreement as a team uses them: decisions undone and taken back to
undecided, the boundaries dialog at the sizes people use, the walk's messages, the help
text, and which coders are compared (chosen once, carried from agreement to review)."""

from __future__ import annotations

import pytest
from textual.widgets import Checkbox, Input, Static

from framework.analysis.consensus import passages
from framework.coding.actions import add_coding, remove_coding
from framework.store import CONSENSUS
from framework.tui.dialogs.bounds import EditBoundsDialog
from framework.tui.dialogs.common import ChoiceDialog
from framework.tui.screens.agreement import AgreementScreen
from framework.tui.screens.help import HelpScreen
from framework.tui.screens.review import ReviewScreen

from .conftest import INTERVIEW, SECOND
from .helpers import SIZE, press, scenario, settle
from .test_analysis_screens import GUIDELINE, PROTECTED, VACANCY, WEIGHTING, consensus, open_screen, study  # noqa: F401


def detail(app) -> str:
    return str(app.screen.query_one("#passage-detail").render())


@scenario
async def test_u_undoes_a_decision_and_backspace_takes_it_back_to_undecided(make, study) -> None:  # noqa: F811
    store = study.store
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, ReviewScreen(["alice", "bob"], document="int_07"))
        screen = app.screen
        await press(pilot, "b")  # bob's theme for the weighting passage
        assert consensus(store, "int_07") == [(*WEIGHTING, "2.1")]
        assert (screen.done.decided, screen.done.remaining) == (1, 4)
        await press(pilot, "u")
        assert consensus(store, "int_07") == []
        assert (screen.done.decided, screen.done.remaining) == (0, 5)
        assert "Undone: the decision (accept:bob) on int_07 L5" in detail(app)
        await press(pilot, "U")
        assert consensus(store, "int_07") == [(*WEIGHTING, "2.1")]
        assert "Redone: the decision (accept:bob) on int_07 L5" in detail(app)
        await press(pilot, "comma", "comma", "comma")
        assert screen.index == 0 and screen.current_passage().decision is not None
        await press(pilot, "backspace")
        assert screen.current_passage().decision is None
        assert consensus(store, "int_07") == []
        assert (screen.done.decided, screen.done.remaining) == (0, 5)
        assert "Undecided again (u puts the decision back)" in detail(app)
        await press(pilot, "backspace")
        assert "This passage is not decided" in detail(app)
        await press(pilot, "u")
        assert screen.current_passage().decision.choice == "accept:bob"
        assert consensus(store, "int_07") == [(*WEIGHTING, "2.1")]


@scenario
async def test_after_the_last_one_the_walk_goes_back_to_those_left_in_the_document(make, study) -> None:  # noqa: F811
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, ReviewScreen(["alice", "bob"], document="int_07"))
        screen = app.screen
        await press(pilot, "n", "n")
        assert screen.index == 3  # the last undecided disagreement of int_07
        await press(pilot, "x")
        assert screen.index == 0
        assert "No undecided disagreement after this one" not in detail(app)
        assert "Back to the first undecided disagreement of this document (2 left here)" in detail(app)
        await press(pilot, "a", "a")  # the two left here
        assert ("Every disagreement in this document is decided; 1 left in other documents: n goes on"
                in detail(app))
        await press(pilot, "n")
        assert screen.data.document.name == "int_08"
        await press(pilot, "plus")
        assert "Every disagreement is decided" in detail(app)


@pytest.mark.parametrize("size", [(160, 45), (200, 50), (80, 24)])
@scenario
async def test_the_boundaries_dialog_shows_both_ends_the_whole_id_and_the_passage(make, study, size) -> None:  # noqa: F811
    store = study.store
    d7 = store.documents.get("int_07").id
    add_coding(store, "alice", d7, "1.2", *VACANCY)  # two themes on the vacancy passage
    app = make()
    async with app.run_test(size=size) as pilot:
        await open_screen(pilot, ReviewScreen(["alice", "bob"], document="int_07"))
        screen = app.screen
        await press(pilot, "n")
        assert screen.current_passage().start == VACANCY[0]
        await press(pilot, "e")
        dialog = app.screen
        assert isinstance(dialog, EditBoundsDialog)
        themes = [str(s.render()) for s in dialog.query(".bounds--theme")]
        assert themes == ["1.1  Vacancies", "1.2  Agency and locum staff"]
        box = dialog.query_one("Vertical").region
        for field in ("#start-0", "#end-0", "#start-1", "#end-1"):
            region = dialog.query_one(field, Input).region
            assert region.width >= 8 and box.contains_region(region), (field, region, box)
            assert app.screen.get_widget_at(region.x + 1, region.y)[0] is dialog.query_one(field, Input)
        preview = dialog.shown
        line = INTERVIEW.index("Respondent: Our vacancy")
        assert preview.plain == INTERVIEW[line:INTERVIEW.index("\n", line)]  # the whole passage, on its lines
        highlighted = [preview.plain[s.start:s.end] for s in preview.spans if "reverse" in str(s.style)]
        assert highlighted == ["Our vacancy rate is around a third"]
        dialog.query_one("#end-0", Input).value = "L10:45"  # "...around a thi": two letters short of a word end
        await settle(pilot)
        assert str(dialog.query_one("#size-0", Static).render()) == "L10 · 7 words, 34 characters"
        await press(pilot, "ctrl+t")  # to the character, as typed
        assert not dialog.query_one("#snap", Checkbox).value
        assert str(dialog.query_one("#size-0", Static).render()) == "L10 · 7 words, 32 characters"
        await press(pilot, "ctrl+t")
        dialog.query_one("#start-1", Input).value = ""
        dialog.query_one("#end-1", Input).value = ""
        await press(pilot, "ctrl+s")
    assert consensus(store, "int_07") == [(*VACANCY, "1.1")]


@scenario
async def test_the_review_help_reads_properly(make, study) -> None:  # noqa: F811
    from framework.tui.app import help_sections

    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = HelpScreen(help_sections())
        app.push_screen(screen)
        await settle(pilot)
        bindings = dict(help_sections())["Review and consensus"]
        rows = dict(screen.rows(bindings))
        assert rows["1-4"] == "Keep the version of the coder numbered 1-4 on screen (A is 1, B is 2, C is 3, D is 4)"
        assert rows["u"] == "Undo your last decision (or other action)"
        assert "1-9" not in " ".join(rows.values())


@scenario
async def test_agreement_compares_the_two_with_most_in_common_and_review_follows(make, study) -> None:  # noqa: F811
    store = study.store
    d8 = store.documents.get("int_08").id
    add_coding(store, "carol", d8, "3", *PROTECTED)  # a third coder, with one document
    app = make()
    async with app.run_test(size=(120, 34)) as pilot:
        await open_screen(pilot, AgreementScreen())
        screen = app.screen
        assert screen.result["coders"] == ["alice", "bob"]
        assert "(most codings in common; c to choose)" in str(screen.query_one("#agreement-title").render())
        await press(pilot, "c")  # choose alice and carol: remembered, carried to review
        selection = app.screen.query_one("SelectionList")
        selection.deselect("bob")
        selection.select("carol")
        await press(pilot, "enter")
        assert screen.result["coders"] == ["alice", "carol"]
        from framework.views.compared import remembered

        assert remembered(study) == ["alice", "carol"]
        title = str(screen.query_one("#agreement-title").render())
        assert "1 document (1 left out: l lists them)" in title
        await press(pilot, "l")
        assert isinstance(app.screen, ChoiceDialog)
        assert [value for _, value in app.screen.choices] == ["int_07", "themes coded only in these documents "
                                                                        "(not in the table)"]
        await press(pilot, "escape", "escape")
        await press(pilot, "R")
        review = app.screen
        assert isinstance(review, ReviewScreen) and review.coders == ["alice", "carol"]
        assert [s.document.name for s in review.walk.documents] == ["int_08"]


@scenario
async def test_a_theme_coded_only_where_the_other_coder_never_coded_is_not_silent(make, study) -> None:  # noqa: F811
    store = study.store
    d7, d8 = store.documents.get("int_07").id, store.documents.get("int_08").id
    add_coding(store, "alice", d8, "2.1", 0, 10)  # 2.1 also in int_08...
    for c in store.codings.list(coder="bob", document_id=d8):
        remove_coding(store, "bob", c.id)  # ...which bob never coded
    app = make()
    async with app.run_test(size=(120, 34)) as pilot:
        await open_screen(pilot, AgreementScreen(["alice", "bob"]))
        screen = app.screen
        assert screen.result["documents"] == ["int_07"]
        screen.table.move_cursor(row=[str(k.value) for k in screen.table.rows].index("2.1"), animate=False)
        await settle(pilot)
        assert screen.table.get_cell("2.1", "theme").plain.startswith("2.1*")
        text = str(screen.query_one("#agreement-detail").render())
        assert "* also coded in documents left out, not counted here: alice 1 in int_08" in text
    assert passages(store, ["alice", "bob"], d7)  # nothing was written
    assert store.codings.list(coder=CONSENSUS) == []
    assert GUIDELINE and SECOND
