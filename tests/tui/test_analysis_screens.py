"""Pilot tests of the analysis screens: matrix, cell editor, mapping, agreement and review.

The project is set up through the core (codings with ``add_coding``, summaries with
``set_cell``), the screens are pushed inside the real app built by ``make_app``, and
what they show or write is checked against the store and the core's own results.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, TextArea

from framework.analysis.agreement.report import alpha_flag as _alpha_flag
from framework.analysis.agreement.report import kappa_flag as _kappa_flag
from framework.analysis.charting import build_charts
from framework.analysis.compare import project_agreement
from framework.analysis.consensus import passages
from framework.coding.actions import add_coding, set_cell
from framework.ingest.documents import import_cases
from framework.store import CONSENSUS
from framework.tui.dialogs.bounds import EditBoundsDialog
from framework.tui.dialogs.common import ChoiceDialog, ConfirmDialog
from framework.tui.screens.agreement import AgreementScreen
from framework.tui.screens.cell_editor import CellEditorScreen
from framework.tui.screens.mapping import MappingScreen
from framework.tui.screens.matrix import MatrixScreen
from framework.tui.screens.reader import ReaderScreen
from framework.tui.screens.review import ReviewScreen

from .conftest import INTERVIEW, SECOND
from .helpers import SIZE, press, scenario, settle, type_text, until

AUTHORITIES = """\
case,authority
int_07,London borough
int_08,County
arabic_03,Unitary
int_09,County
int_10,London borough
"""
MORE_CASES = """\
case,role,service
int_09,Director,Children's services
int_10,Head of service,Children's services
"""


def span(text: str, phrase: str) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


WEIGHTING = span(INTERVIEW, "We don't have a weighting system")
GUIDELINE = span(INTERVIEW, "a guideline of about 18 children per worker")
VACANCY = span(INTERVIEW, "Our vacancy rate is around a third")
AGENCY = span(INTERVIEW, "covered by agency staff")
MONTHLY = span(SECOND, "Supervision is monthly")
PROTECTED = span(SECOND, "Supervision is monthly and it is protected time")


@pytest.fixture
def study(tui_project, tmp_path: Path):
    """Two coders on two interviews; two more cases (no documents) and an authority attribute.

    int_07: weighting (alice 2.2, bob 2.1: different theme), guideline (both 2.1: agree),
    vacancy (alice 1.1 only), agency (bob 1.2 only); int_08: supervision (both 3, bounds).
    """
    store = tui_project.store
    (tmp_path / "more.csv").write_text(MORE_CASES, encoding="utf-8")
    (tmp_path / "authority.csv").write_text(AUTHORITIES, encoding="utf-8")
    import_cases(store, tmp_path / "more.csv")
    import_cases(store, tmp_path / "authority.csv")
    d7, d8 = store.documents.get("int_07").id, store.documents.get("int_08").id
    add_coding(store, "alice", d7, "2.2", *WEIGHTING, "tried once")
    add_coding(store, "alice", d7, "2.1", *GUIDELINE)
    add_coding(store, "alice", d7, "1.1", *VACANCY)
    add_coding(store, "alice", d8, "3", *MONTHLY)
    add_coding(store, "bob", d7, "2.1", *WEIGHTING)
    add_coding(store, "bob", d7, "2.1", *GUIDELINE)
    add_coding(store, "bob", d7, "1.2", *AGENCY)
    add_coding(store, "bob", d8, "3", *PROTECTED)
    case7 = store.cases.get("int_07").id
    set_cell(store, "alice", case7, "2.1", "alice", summary="18 per worker [int_07 L6]",
             status="done")
    return tui_project


def case_id(project, name: str) -> int:
    return project.store.cases.get(name).id


def cell(app, case: str, column: str) -> str:
    table = app.screen.table
    return table.get_cell(f"case:{case_id(app.project, case)}", column).plain


def row_keys(app) -> list[str]:
    return [str(key.value) for key in app.screen.table.rows]


async def open_screen(pilot, screen) -> None:
    await settle(pilot)
    pilot.app.push_screen(screen)
    await settle(pilot)


async def to_cell(pilot, case: str, column: str) -> None:
    table = pilot.app.screen.table
    table.move_cursor(row=table.get_row_index(f"case:{case_id(pilot.app.project, case)}"),
                      column=table.get_column_index(column), animate=False)
    await settle(pilot)


# -- matrix ------------------------------------------------------------------------------------------


@scenario
async def test_matrix_shows_summaries_and_counts_in_their_cells(make, study) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, MatrixScreen())
        screen = app.screen
        assert isinstance(screen, MatrixScreen)
        assert screen.charts.layer == "alice"
        assert [str(c.key.value) for c in screen.table.columns.values()] == ["case", "1.1", "1.2"]
        assert cell(app, "int_07", "1.1") == "○ 1 passage"
        assert cell(app, "int_07", "1.2") == "·"  # bob's coding is not in alice's chart
        assert cell(app, "int_08", "1.1") == "·"
        await press(pilot, "right_square_bracket")
        assert [str(c.key.value) for c in screen.table.columns.values()] == ["case", "2.1", "2.2"]
        assert cell(app, "int_07", "2.1") == "● 18 per worker [int_07 L6]"
        assert cell(app, "int_07", "2.2") == "○ 1 passage"
        assert cell(app, "arabic_03", "2.1") == "·"
        await press(pilot, "right_square_bracket")
        assert cell(app, "int_08", "3") == "○ 1 passage"
        await press(pilot, "c")  # choose: all themes at once
        assert isinstance(app.screen, ChoiceDialog)
        await press(pilot, "4")
        assert [str(c.key.value) for c in screen.table.columns.values()] == ["case", "1.1", "1.2", "2.1", "2.2", "3"]
        assert cell(app, "int_07", "2.1") == "● 18 per worke…"  # narrower columns: the start of it
        await press(pilot, "l")  # bob's layer
        assert isinstance(app.screen, ChoiceDialog)
        assert [value for _, value in app.screen.choices] == ["alice", "bob", CONSENSUS]
        await press(pilot, "2")
        assert screen.charts.layer == "bob"
        assert cell(app, "int_07", "1.2") == "○ 1 passage"
        assert cell(app, "int_07", "2.1") == "○ 2 passages"
        assert cell(app, "int_07", "2.2") == "·"


@scenario
async def test_matrix_rows_grouped_by_two_attributes_in_every_chart(make, study) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, MatrixScreen())
        await press(pilot, "g")
        dialog = app.screen
        assert [value for _, value in dialog.choices] == ["", "role", "service", "authority"]
        await press(pilot, "3")  # service
        assert [value for _, value in app.screen.choices] == ["", "role", "authority"]
        await press(pilot, "3")  # then authority
        assert [value for _, value in app.screen.choices] == ["", "role"]
        await press(pilot, "1")  # nothing more
        screen = app.screen
        assert isinstance(screen, MatrixScreen)
        assert screen.charts.group_by == ("service", "authority")
        ids = {name: f"case:{case_id(study, name)}" for name in ("int_07", "int_08", "int_09", "int_10", "arabic_03")}
        expected = [
            "group:Adult services › County", ids["int_08"],
            "group:Children's services › County", ids["int_09"],
            "group:Children's services › London borough", ids["int_07"], ids["int_10"],
            "group:Joint › Unitary", ids["arabic_03"],
        ]
        assert row_keys(app) == expected
        await press(pilot, "right_square_bracket")
        assert row_keys(app) == expected  # the same order in the next chart
        assert app.project.settings()["matrix_group_by"] == ["service", "authority"]
        rows = build_charts(study.store, "alice", group_by=["service", "authority"]).rows
        assert [f"case:{r.case.id}" for r in rows] == [k for k in expected if k.startswith("case:")]


# -- cell editor -------------------------------------------------------------------------------------


async def open_editor(pilot, case: str, column: str, chart: str) -> CellEditorScreen:
    await open_screen(pilot, MatrixScreen(chart=chart))
    await to_cell(pilot, case, column)
    await press(pilot, "enter")
    screen = pilot.app.screen
    assert isinstance(screen, CellEditorScreen)
    return screen


@scenario
async def test_cell_editor_saves_as_you_type(make, study) -> None:
    app = make()
    store = study.store
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_editor(pilot, "int_07", "2.2", "2")
        assert [e.reference for e in editor.extracts] == ["[int_07 L5]"]
        assert app.screen.query_one("#summary", TextArea).has_focus
        await type_text(pilot, "Weighting tried once and dropped")
        # saved when typing pauses for SAVE_DELAY: wait for it, however busy the machine
        await until(pilot, lambda: editor.save_state == "saved"
                    and editor.saved_summary == "Weighting tried once and dropped")
        saved = store.cells.find(case_id(study, "int_07"), "2.2", "alice")
        assert saved is not None
        assert saved.summary == "Weighting tried once and dropped"
        assert saved.status == "draft"
        assert editor.save_state == "saved"
        assert "saved ✓" in str(editor.query_one("#editor-status").render())
        await press(pilot, "escape")
        assert isinstance(app.screen, MatrixScreen)
        assert cell(app, "int_07", "2.2") == "◐ Weighting tried once and dropped"


@scenario
async def test_cell_editor_inserts_reference_and_marked_quote(make, study) -> None:
    app = make()
    store = study.store
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_editor(pilot, "int_07", "2.2", "2")
        area = editor.query_one("#summary", TextArea)
        await press(pilot, "ctrl+r")
        assert area.text == "[int_07 L5]"
        await press(pilot, "ctrl+t")
        assert area.text == "[int_07 L5] “We don't have a weighting system” [int_07 L5]"
        await press(pilot, "escape")  # saves at once, then back to the matrix
        saved = store.cells.find(case_id(study, "int_07"), "2.2", "alice")
        assert saved.summary == "[int_07 L5] “We don't have a weighting system” [int_07 L5]"
        assert isinstance(app.screen, MatrixScreen)
        assert cell(app, "int_07", "2.2").startswith("◐ [int_07 L5] “We don't")


@scenario
async def test_cell_editor_status_keys(make, study) -> None:
    app = make()
    store = study.store
    key = (case_id(study, "int_07"), "2.1", "alice")
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_editor(pilot, "int_07", "2.1", "2")
        assert editor.status == "done"
        assert [e.reference for e in editor.extracts] == ["[int_07 L6]"]
        await press(pilot, "ctrl+b")
        assert store.cells.find(*key).status == "draft"
        assert editor.status == "draft"
        await press(pilot, "ctrl+s")
        assert store.cells.find(*key).status == "done"
        assert store.cells.find(*key).summary == "18 per worker [int_07 L6]"
        await press(pilot, "escape")
        assert cell(app, "int_07", "2.1").startswith("● 18 per worker")


@scenario
async def test_cell_editor_opens_the_passage_in_the_reader(make, study) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_editor(pilot, "int_07", "2.2", "2")
        await type_text(pilot, "Dropped")
        await press(pilot, "ctrl+o")  # what was typed is saved at once, before the reader covers it
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.view.selected_span() == WEIGHTING
        assert study.store.cells.find(case_id(study, "int_07"), "2.2", "alice").summary == "Dropped"
        await press(pilot, "escape", "escape")
        assert app.screen is editor
        await press(pilot, "escape")  # back in the matrix, read again (coding may have changed)
        assert cell(app, "int_07", "2.2") == "◐ Dropped"


@scenario
async def test_other_coders_chart_is_read_only(make, study) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, MatrixScreen("bob", chart="2"))
        await to_cell(pilot, "int_07", "2.1")
        await press(pilot, "enter")
        editor = app.screen
        assert isinstance(editor, CellEditorScreen)
        assert editor.query_one("#summary", TextArea).read_only
        await press(pilot, "ctrl+s")
        assert study.store.cells.find(case_id(study, "int_07"), "2.1", "bob") is None


# -- mapping -----------------------------------------------------------------------------------------


def mapped(app, theme: str, column: str) -> str:
    return app.screen.table.get_cell(theme, column).plain.strip()


@scenario
async def test_mapping_counts_by_attribute(make, study) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, MappingScreen(by="service"))
        screen = app.screen
        assert screen.result.values == (("Adult services", 1), ("Children's services", 3), ("Joint", 1))
        assert mapped(app, "2.1", "all") == "1/5 20%"
        assert mapped(app, "2.1", "g1") == "1/3 33%"  # Children's services
        assert mapped(app, "2.1", "g0") == "0/1 0%"
        assert mapped(app, "3", "g0") == "1/1 100%"  # Adult services: int_08
        assert mapped(app, "2", "g1") == "1/3 33%"  # a subtheme's coding counts for its main theme
        assert mapped(app, "1", "all") == "1/5 20%"
        await press(pilot, "a")  # the next attribute: authority
        assert screen.result.by == "authority"
        assert screen.result.values == (("County", 2), ("London borough", 2), ("Unitary", 1))
        assert mapped(app, "2.1", "g1") == "1/2 50%"
        assert mapped(app, "3", "g0") == "1/2 50%"
        table = screen.table
        table.move_cursor(row=table.get_row_index("2.1"), column=table.get_column_index("g1"), animate=False)
        await press(pilot, "enter")
        dialog = app.screen
        assert isinstance(dialog, ChoiceDialog)
        assert [value for _, value in dialog.choices] == ["int_07"]
        await press(pilot, "1")  # opens the case's passage of that theme in the reader
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.view.selected_span() == GUIDELINE


# -- agreement ---------------------------------------------------------------------------------------


def expected_stat(value: float | None, kind: str) -> str:
    if value is None:
        return "n/a"
    flag = _alpha_flag(value) if kind == "krippendorff_alpha" else _kappa_flag(value)
    return f"{value:.3f} {flag}"


@scenario
async def test_agreement_table_equals_project_agreement(make, study) -> None:
    expected = project_agreement(study.store, ["alice", "bob"])
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, AgreementScreen())
        screen = app.screen
        table = screen.table
        assert screen.result == expected
        assert row_keys(app) == list(expected["themes"])
        for theme, levels in expected["themes"].items():
            d = levels["paragraph"]
            assert table.get_cell(theme, "n").plain == str(d["n_units"])
            assert table.get_cell(theme, "agree").plain == f"{d['percent_agreement'] * 100:.1f}%"
            assert table.get_cell(theme, "alpha").plain.startswith(expected_stat(d["krippendorff_alpha"],
                                                                                 "krippendorff_alpha"))
            assert table.get_cell(theme, "kappa").plain.startswith(expected_stat(d["cohen_kappa"], "cohen_kappa"))
        await press(pilot, "u")  # characters
        assert screen.level == "char"
        for theme, levels in expected["themes"].items():
            pair = levels["char"]["pairs"]["alice|bob"]
            key = f"{theme}|alice|bob"
            assert table.get_cell(key, "both").plain == str(pair["both"])
            assert table.get_cell(key, "a_only").plain == str(pair["a_only"])
            assert table.get_cell(key, "b_only").plain == str(pair["b_only"])
            assert table.get_cell(key, "kappa").plain.startswith(expected_stat(pair["cohen_kappa"], "cohen_kappa"))
        await press(pilot, "u")  # documents
        for theme, levels in expected["themes"].items():
            d = levels["document"]
            assert table.get_cell(theme, "n").plain == str(d["n_units"])
            assert table.get_cell(theme, "alpha").plain.startswith(expected_stat(d["krippendorff_alpha"],
                                                                                 "krippendorff_alpha"))


@scenario
async def test_agreement_sorting_na_reason_and_review(make, study) -> None:
    store = study.store
    question = span(INTERVIEW, "How do you manage caseloads in the teams?")
    for coder in ("alice", "bob"):  # theme 3 now in both documents by both: no variation by document
        add_coding(store, coder, store.documents.get("int_07").id, "3", *question)
    expected = project_agreement(store, ["alice", "bob"])["themes"]
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, AgreementScreen())
        screen = app.screen
        await press(pilot, "s")
        assert [value for _, value in app.screen.choices] == ["theme", "n", "agree", "alpha", "kappa"]
        await press(pilot, "3")  # by percent agreement, highest first
        values = [expected[k]["paragraph"]["percent_agreement"] for k in row_keys(app)]
        assert values == sorted(values, reverse=True)
        await press(pilot, "u", "u")  # documents: alpha is undefined for every theme here
        screen.table.move_cursor(row=row_keys(app).index("3"), animate=False)
        await settle(pilot)
        assert screen.table.get_cell("3", "alpha").plain == "n/a coded everywhere by all: no variation"
        detail = str(screen.query_one("#agreement-detail").render())
        assert "every coder applied this theme in every document" in detail
        await press(pilot, "u")  # back to paragraphs; Enter reviews the theme's disagreements
        screen.table.move_cursor(row=row_keys(app).index("1.1"), animate=False)
        await press(pilot, "enter")
        review = app.screen
        assert isinstance(review, ReviewScreen)
        assert review.theme_ids == frozenset({"1.1"})
        assert review.current_passage().start == VACANCY[0]


# -- review ------------------------------------------------------------------------------------------


def consensus(store, document: str) -> list[tuple[int, int, str]]:
    doc = store.documents.get(document).id
    return sorted((c.start, c.end, c.theme_id) for c in store.codings.list(coder=CONSENSUS, document_id=doc))


@scenario
async def test_review_navigation_and_decisions(make, study) -> None:
    store = study.store
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, ReviewScreen(["alice", "bob"], document="int_07"))
        screen = app.screen
        found = passages(store, ["alice", "bob"], store.documents.get("int_07").id)
        assert [p.status for p in found] == ["theme", "agree", "only:alice", "only:bob"]
        assert screen.index == 0  # the first undecided disagreement
        assert (screen.done.decided, screen.done.remaining) == (0, 5)
        assert "Decided 0 · remaining 5" in str(screen.query_one("#review-progress").render())
        await press(pilot, "n")
        assert screen.index == 2  # the agreement is skipped
        await press(pilot, "n")
        assert screen.index == 3
        await press(pilot, "n")  # on to the next document with a disagreement
        assert screen.data.document.name == "int_08"
        assert screen.current_passage().status == "bounds"
        await press(pilot, "p")  # back to the last disagreement of the first
        assert screen.data.document.name == "int_07"
        assert screen.index == 3
        await press(pilot, "p")
        assert screen.index == 2
        assert screen.current_passage().status == "only:alice"

        await press(pilot, "a")  # accept A: exactly alice's spans go to the consensus layer
        assert consensus(store, "int_07") == [(*VACANCY, "1.1")]
        assert screen.index == 3  # moved on to the next undecided disagreement
        assert (screen.done.decided, screen.done.remaining) == (1, 4)
        assert "Decided 1 · remaining 4" in str(screen.query_one("#review-progress").render())

        await press(pilot, "x")  # reject bob's only coding: nothing written
        assert consensus(store, "int_07") == [(*VACANCY, "1.1")]
        decided = passages(store, ["alice", "bob"], store.documents.get("int_07").id)
        assert decided[3].decision.choice == "reject"
        assert decided[3].decision.result == []
        assert decided[3].decision.decided_by == "alice"
        assert (screen.done.decided, screen.done.remaining) == (2, 3)

        await press(pilot, "comma", "comma", "comma")  # back to the first passage
        assert screen.index == 0
        await press(pilot, "b")  # accept B: bob's theme for the weighting passage
        assert consensus(store, "int_07") == sorted([(*WEIGHTING, "2.1"), (*VACANCY, "1.1")])

        await press(pilot, "y")  # every agreement, after a question
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "y")
        assert consensus(store, "int_07") == sorted([(*WEIGHTING, "2.1"), (*GUIDELINE, "2.1"), (*VACANCY, "1.1")])
        assert (screen.done.decided, screen.done.remaining) == (4, 1)


@scenario
async def test_review_note_both_and_edited_boundaries(make, study) -> None:
    store = study.store
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, ReviewScreen(["alice", "bob"], document="int_08"))
        screen = app.screen
        assert screen.current_passage().status == "bounds"
        await press(pilot, "m")  # a note first, kept for the decision
        await type_text(pilot, "protected time is part of it")
        await press(pilot, "ctrl+s")
        await press(pilot, "plus")  # both coders' codings: one span for the theme, not two nested ones
        assert consensus(store, "int_08") == [(*PROTECTED, "3")]
        decision = screen.current_passage().decision
        assert (decision.choice, decision.note) == ("both", "protected time is part of it")

        await press(pilot, "e")  # decide the boundaries: by line and column
        dialog = app.screen
        assert isinstance(dialog, EditBoundsDialog)
        assert dialog.query_one("#start-0", Input).value == "L3:13"
        assert dialog.query_one("#end-0", Input).value == "L3:60"
        dialog.query_one("#end-0", Input).value = "L3:36"  # one past "monthly": the space is left out
        await press(pilot, "ctrl+s")
        line = SECOND.index("Respondent: Supervision")
        assert consensus(store, "int_08") == [(line + 12, line + 34, "3")]
        assert screen.current_passage().decision.choice == "edit"
        assert screen.current_passage().decision.note == ""


@scenario
async def test_review_side_by_side_and_interleaved(make, study) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_screen(pilot, ReviewScreen(["alice", "bob"], document="int_07"))
        screen = app.screen
        left, right = screen.views
        assert (left.review_coder, right.review_coder) == ("alice", "bob")
        assert {c.theme_id for c in left.layout_map.codings.values()} == {"2.2", "2.1", "1.1"}
        assert {c.theme_id for c in right.layout_map.codings.values()} == {"2.1", "1.2"}
        assert left.max_scroll_y > 2
        left.scroll_to(y=2, animate=False)
        await settle(pilot)
        assert right.scroll_y == left.scroll_y == 2
        right.scroll_to(y=1, animate=False)
        await settle(pilot)
        assert left.scroll_y == 1
        await press(pilot, "i")
        assert screen.interleaved
        listing = screen.query_one("#interleaved")
        assert listing.has_focus and listing.option_count == 4
        await press(pilot, "down")
        assert screen.index == 1
        assert "all agree" in str(screen.query_one("#passage-detail").render())
