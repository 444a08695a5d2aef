# ruff: noqa: F811 (the fixtures shared with the analysis and key screen tests)
"""Every analysis screen shows the project as it is when another process changes it.

Each test opens a screen, changes the project through a second ``Store`` on the same
database file (as another ``framework`` process or a colleague does), lets the app look
for changes as its timer does every second, and checks exactly what the screen shows
then; or writes from the screen against a change it has not seen yet, and checks that
nothing stale lands in the project.
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, OptionList, Static, TextArea

from framework.analysis.compare import project_agreement
from framework.analysis.consensus import decide, passages
from framework.coding.actions import add_coding, remove_coding, set_cell, update_coding
from framework.confidentiality.key import add_entry
from framework.ingest.documents import import_cases
from framework.store import Store
from framework.tui.dialogs.common import ChoiceDialog
from framework.tui.dialogs.pseudonym_entry import EntryDialog
from framework.tui.screens import cell_editor
from framework.tui.screens.agreement import AgreementScreen
from framework.tui.screens.mapping import MappingScreen
from framework.tui.screens.matrix import MatrixScreen
from framework.tui.screens.retrieval import RetrievalScreen
from framework.tui.screens.review import ReviewScreen
from framework.views.workbench import load_passages

from .conftest import SECOND
from .helpers import SIZE, press, scenario, settle, type_text, until
from .test_analysis_screens import (  # noqa: F401
    AGENCY,
    GUIDELINE,
    VACANCY,
    WEIGHTING,
    case_id,
    cell,
    consensus,
    mapped,
    open_editor,
    open_screen,
    study,
    to_cell,
)
from .test_pseudonym_screen import key_file, rows  # noqa: F401
from .test_pseudonym_screen import open_screen as open_key_screen
from .test_staleness import notice_changes, quiet

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


class Elsewhere:
    """Another process on the same project: its own connection to the database file."""

    def __init__(self, project) -> None:
        self.store = Store(project.store.path)
        self.project = project

    def __enter__(self) -> Store:
        return self.store

    def __exit__(self, *exc: object) -> None:
        self.store.close()


def doc(project, name: str) -> int:
    return project.store.documents.get(name).id


def cursor_keys(table: DataTable) -> tuple[str, str]:
    keys = table.coordinate_to_cell_key(table.cursor_coordinate)
    return str(keys.row_key.value), str(keys.column_key.value)


def messages(app, title: str) -> list[str]:
    return [n.message for n in app._notifications if n.title == title]


def span(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


# -- matrix ---------------------------------------------------------------------------------------------


@scenario
async def test_the_matrix_shows_codings_and_summaries_made_elsewhere_and_keeps_its_cursor(make, study) -> None:
    app = quiet(make())
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, MatrixScreen(chart="2"))
        screen = app.screen
        await to_cell(pilot, "int_07", "2.2")
        assert cell(app, "int_07", "2.2") == "○ 1 passage"
        assert cell(app, "int_08", "2.1") == "·"
        with Elsewhere(study) as other:
            add_coding(other, "alice", doc(study, "int_08"), "2.1", *span(SECOND, "short of staff"))
            set_cell(other, "alice", case_id(study, "int_07"), "2.2", "alice", summary="Tool dropped", status="done")
        await notice_changes(pilot)
        assert cell(app, "int_08", "2.1") == "○ 1 passage"
        assert cell(app, "int_07", "2.2") == "● Tool dropped"
        assert screen.charts.charts[screen.chart_index].theme.id == "2"
        assert cursor_keys(screen.table) == (f"case:{case_id(study, 'int_07')}", "2.2")
        assert "done" in str(screen.query_one("#matrix-status").render())


@scenario
async def test_a_matrix_covered_by_another_screen_reads_again_when_it_comes_back(make, study) -> None:
    app = quiet(make())
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, MatrixScreen(chart="1"))
        matrix = app.screen
        await open_screen(pilot, AgreementScreen())
        with Elsewhere(study) as other:
            remove_coding(other, "alice", next(c.id for c in other.codings.list(coder="alice", theme_ids=["1.1"])))
        await notice_changes(pilot)
        assert matrix.changed_while_covered  # read again only when it is shown
        await press(pilot, "escape")
        assert app.screen is matrix and not matrix.changed_while_covered
        assert cell(app, "int_07", "1.1") == "·"


# -- cell editor ----------------------------------------------------------------------------------------


@scenario
async def test_the_cell_editor_lists_passages_coded_elsewhere(make, study) -> None:
    app = quiet(make())
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_editor(pilot, "int_07", "2.1", "2")
        assert [e.reference for e in editor.extracts] == ["[int_07 L6]"]
        with Elsewhere(study) as other:
            add_coding(other, "alice", doc(study, "int_07"), "2.1", *AGENCY)
        await notice_changes(pilot)
        assert [e.reference for e in editor.extracts] == ["[int_07 L6]", "[int_07 L10]"]
        assert editor.query_one("#extracts", OptionList).option_count == 2
        assert str(editor.query_one("#extracts-title").render()) == "Coded passages (2)"
        assert editor.query_one("#summary", TextArea).text == "18 per worker [int_07 L6]"  # unchanged
        assert editor.theirs is None and not editor.query_one("#theirs").display


@scenario
async def test_a_summary_changed_elsewhere_is_shown_when_nothing_of_yours_is_unsaved(make, study) -> None:
    app = quiet(make())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        editor = await open_editor(pilot, "int_07", "2.1", "2")
        with Elsewhere(study) as other:
            set_cell(other, "bob", case_id(study, "int_07"), "2.1", "alice", summary="About 18 each", status="draft")
        await notice_changes(pilot)
        assert editor.query_one("#summary", TextArea).text == "About 18 each"
        assert (editor.known, editor.status, editor.save_state, editor.theirs) == (
            "About 18 each", "draft", "saved", None)
        assert messages(app, "Summary changed")[0].startswith("bob changed this summary at ")
        await press(pilot, "escape")
        assert cell(app, "int_07", "2.1") == "◐ About 18 each"
    assert study.store.cells.find(case_id(study, "int_07"), "2.1", "alice").updated_by == "bob"


@scenario
async def test_a_summary_changed_elsewhere_while_you_type_keeps_both_until_you_choose(
        make, study, monkeypatch) -> None:
    monkeypatch.setattr(cell_editor, "SAVE_DELAY", 3600)  # what is typed stays unsaved until Escape
    key = (case_id(study, "int_07"), "2.2", "alice")
    app = quiet(make())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        editor = await open_editor(pilot, "int_07", "2.2", "2")
        area = editor.query_one("#summary", TextArea)
        await type_text(pilot, "Mine")
        with Elsewhere(study) as other:
            set_cell(other, "bob", *key, summary="Theirs")
        await notice_changes(pilot)
        assert area.text == "Mine"  # yours stays
        assert editor.save_state == "clash" and editor.theirs.summary == "Theirs"
        panel = editor.query_one("#theirs", Static)
        assert panel.display and str(panel.render()).splitlines()[-1] == "Theirs"
        assert "NOT SAVED: changed elsewhere" in str(editor.query_one("#editor-status").render())
        await press(pilot, "escape")  # leaving asks first
        dialog = app.screen
        assert isinstance(dialog, ChoiceDialog)
        assert [v for _, v in dialog.choices] == ["mine", "theirs", "both", ""]
        await press(pilot, "4")  # decide later: still writing
        assert app.screen is editor and study.store.cells.find(*key).summary == "Theirs"
        await press(pilot, "ctrl+g", "1")  # keep mine: written over theirs, then on
        assert study.store.cells.find(*key).summary == "Mine"
        assert editor.theirs is None and not panel.display and editor.save_state == "saved"
        await press(pilot, "escape")
        assert isinstance(app.screen, MatrixScreen)
        assert cell(app, "int_07", "2.2") == "◐ Mine"


@scenario
async def test_a_save_over_a_summary_written_meanwhile_is_refused_and_both_are_kept(make, study) -> None:
    key = (case_id(study, "int_07"), "2.2", "alice")
    app = quiet(make())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        editor = await open_editor(pilot, "int_07", "2.2", "2")
        with Elsewhere(study) as other:  # the app has not looked: the editor still knows no summary here
            set_cell(other, "bob", *key, summary="Theirs")
        await type_text(pilot, "Mine")
        await until(pilot, lambda: editor.save_state == "clash")
        assert study.store.cells.find(*key).summary == "Theirs"
        assert editor.query_one("#summary", TextArea).text == "Mine"
        warning = messages(app, "Summary changed elsewhere")[0]
        assert "int_07 x 2.2 (alice): bob changed this summary at " in warning
        await press(pilot, "ctrl+g", "3")  # both, to edit into one
        assert editor.query_one("#summary", TextArea).text == "Theirs\n\nMine"
        await until(pilot, lambda: editor.save_state == "saved" and editor.known == "Theirs\n\nMine")
        assert study.store.cells.find(*key).summary == "Theirs\n\nMine"


@scenario
async def test_taking_theirs_drops_yours_and_saves_nothing(make, study, monkeypatch) -> None:
    monkeypatch.setattr(cell_editor, "SAVE_DELAY", 3600)
    key = (case_id(study, "int_07"), "2.1", "alice")
    app = quiet(make())
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_editor(pilot, "int_07", "2.1", "2")
        await type_text(pilot, " and more")
        with Elsewhere(study) as other:
            set_cell(other, "bob", *key, summary="Theirs", status="done")
        await notice_changes(pilot)
        assert editor.save_state == "clash"
        before = len(study.store.actions.list())
        await press(pilot, "ctrl+g", "2")
        assert editor.query_one("#summary", TextArea).text == "Theirs"
        await press(pilot, "escape")
        assert isinstance(app.screen, MatrixScreen)
        assert len(study.store.actions.list()) == before  # nothing written
        assert cell(app, "int_07", "2.1") == "● Theirs"


# -- mapping --------------------------------------------------------------------------------------------


@scenario
async def test_mapping_counts_again_and_keeps_the_cursor_on_its_theme_and_group(make, study, tmp_path) -> None:
    app = quiet(make())
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, MappingScreen(by="service"))
        screen = app.screen
        table = screen.table
        table.move_cursor(row=table.get_row_index("2.1"), column=table.get_column_index("g1"), animate=False)
        await settle(pilot)
        assert mapped(app, "2.1", "g1") == "1/3 33%"  # Children's services
        (tmp_path / "new.csv").write_text("case,service\nint_11,Agency\n", encoding="utf-8")
        with Elsewhere(study) as other:
            import_cases(other, tmp_path / "new.csv")
            add_coding(other, "alice", doc(study, "int_08"), "2.1", *span(SECOND, "short of staff"))
        await notice_changes(pilot)
        assert screen.result.values == (("Adult services", 1), ("Agency", 1), ("Children's services", 3),
                                        ("Joint", 1))
        assert mapped(app, "2.1", "all") == "2/6 33%"
        assert mapped(app, "2.1", "g0") == "1/1 100%"  # Adult services: int_08 now
        assert cursor_keys(table) == ("2.1", "g2")  # still Children's services
        assert mapped(app, "2.1", "g2") == "1/3 33%"
        assert "Children's services: 1 of 3 cases" in str(screen.query_one("#mapping-status").render())


# -- agreement ------------------------------------------------------------------------------------------


@scenario
async def test_agreement_is_computed_again_in_the_same_order_on_the_same_row(make, study) -> None:
    app = quiet(make())
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, AgreementScreen())
        screen = app.screen
        await press(pilot, "s", "3")  # by percent agreement, highest first
        screen.table.move_cursor(row=screen.table.get_row_index("1.1"), animate=False)
        await settle(pilot)
        with Elsewhere(study) as other:
            add_coding(other, "bob", doc(study, "int_07"), "1.1", *VACANCY)
        await notice_changes(pilot)
        expected = project_agreement(study.store, ["alice", "bob"])
        assert screen.result == expected
        assert (screen.sort_key, screen.sort_reverse, screen.level) == ("agree", True, "paragraph")
        keys = [str(k.value) for k in screen.table.rows]
        values = [expected["themes"][k]["paragraph"]["percent_agreement"] for k in keys]
        assert values == sorted(values, reverse=True)
        assert screen.current().key == "1.1"
        assert screen.table.get_cell("1.1", "agree").plain == \
            f"{expected['themes']['1.1']['paragraph']['percent_agreement'] * 100:.1f}%"


# -- review ---------------------------------------------------------------------------------------------


def detail(app) -> str:
    return str(app.screen.query_one("#passage-detail").render())


@scenario
async def test_review_shows_codings_and_decisions_made_elsewhere_and_keeps_the_passage(make, study) -> None:
    app = quiet(make())
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, ReviewScreen(["alice", "bob"], document="int_07"))
        screen = app.screen
        await press(pilot, "n")
        assert screen.index == 2 and screen.current_passage().status == "only:alice"
        with Elsewhere(study) as other:
            add_coding(other, "bob", doc(study, "int_07"), "1.1", *VACANCY)
            agency = passages(other, ["alice", "bob"], doc(study, "int_07"))[3]
            decide(other, "carol", ["alice", "bob"], agency, "reject", note="not about staffing")
        await notice_changes(pilot)
        assert screen.index == 2
        assert screen.current_passage().status == "agree"  # bob coded it too
        assert [v.coder for v in screen.views] == ["alice", "bob"]
        bob = screen.views[1]
        assert sorted((c.start, c.end) for c in bob.layout_map.codings.values()) == sorted(
            [WEIGHTING, GUIDELINE, VACANCY, AGENCY])
        assert "This passage was changed elsewhere: shown as it is now" in detail(app)
        decided = screen.data.passages[3].decision
        assert (decided.choice, decided.decided_by) == ("reject", "carol")
        assert (screen.done.decided, screen.done.remaining, screen.done.agreements) == (1, 4, 2)
        assert "Decided 1 · remaining 4" in str(screen.query_one("#review-progress").render())


@scenario
async def test_a_decision_on_a_passage_changed_meanwhile_is_refused(make, study) -> None:
    store = study.store
    app = quiet(make())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_screen(pilot, ReviewScreen(["alice", "bob"], document="int_07"))
        screen = app.screen
        assert screen.index == 0 and screen.current_passage().status == "theme"
        with Elsewhere(study) as other:  # the app has not looked yet
            bobs = next(c for c in other.codings.list(coder="bob") if (c.start, c.end) == WEIGHTING)
            update_coding(other, "bob", bobs.id, theme_id="2.2")
        await press(pilot, "b")  # accept bob's version, as shown: his theme 2.1
        assert consensus(store, "int_07") == []
        assert not [a for a in store.actions.list() if a.kind == "consensus.decide"]
        (refusal,) = messages(app, "Not done")
        assert refusal.startswith("int_07 L5: bob's codings of this passage changed since it was read")
        assert screen.index == 0
        assert screen.current_passage().status == "agree"  # shown as it is now
        assert "This passage was changed elsewhere" in detail(app)
        await press(pilot, "b")  # deciding again on what is shown works
        assert consensus(store, "int_07") == [(*WEIGHTING, "2.2")]


@scenario
async def test_a_passage_decided_by_someone_else_meanwhile_is_not_decided_over(make, study) -> None:
    store = study.store
    app = quiet(make())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_screen(pilot, ReviewScreen(["alice", "bob"], document="int_07"))
        screen = app.screen
        with Elsewhere(study) as other:
            first = passages(other, ["alice", "bob"], doc(study, "int_07"))[0]
            decide(other, "carol", ["alice", "bob"], first, "accept", accept="alice")
        await press(pilot, "b")
        assert consensus(store, "int_07") == [(*WEIGHTING, "2.2")]  # carol's decision stands
        (refusal,) = messages(app, "Not done")
        assert "carol decided it (accept:alice) since it was read; nothing was decided" in refusal
        assert screen.current_passage().decision.decided_by == "carol"


@scenario
async def test_the_document_reviewed_is_left_when_it_is_no_longer_compared(make, study) -> None:
    app = quiet(make())
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, ReviewScreen(["alice", "bob"], document="int_08"))
        screen = app.screen
        assert screen.data.document.name == "int_08"
        with Elsewhere(study) as other:
            for c in other.codings.list(coder="bob", document_id=doc(study, "int_08")):
                remove_coding(other, "bob", c.id)
        await notice_changes(pilot)
        assert [s.document.name for s in screen.walk.documents] == ["int_07"]
        assert screen.data.document.name == "int_07"
        assert "int_08 is no longer reviewed (changed elsewhere)" in detail(app)


# -- retrieval ------------------------------------------------------------------------------------------


@scenario
async def test_retrieval_reads_the_passages_again_and_keeps_the_one_highlighted(make, study) -> None:
    store = study.store
    app = quiet(make())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_retrieval("2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RetrievalScreen)
        listing = screen.query_one("#passages", OptionList)
        assert [(p.coding.start, p.coding.end) for p in screen.passages] == [WEIGHTING, GUIDELINE]
        listing.highlighted = 1
        await settle(pilot)
        guideline = screen.passages[1].coding.id
        with Elsewhere(study) as other:
            remove_coding(other, "alice", screen.passages[0].coding.id)
            add_coding(other, "alice", doc(study, "arabic_03"), "2.1", 0, 5)
            add_coding(other, "alice", doc(study, "int_07"), "2.2", *AGENCY)
        await notice_changes(pilot)
        expected = [p.coding.id for p in load_passages(store, ["2", "2.1", "2.2"], ["alice"])]
        assert [p.coding.id for p in screen.passages] == expected and len(expected) == 3
        assert screen.passages[listing.highlighted].coding.id == guideline
        assert "3 passages in 2 cases" in str(screen.query_one("#retrieval-title").render())


# -- pseudonym key --------------------------------------------------------------------------------------


@scenario
async def test_the_key_file_written_by_another_program_is_read_again(make, key_file) -> None:
    app = quiet(make())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_key_screen(pilot)
        assert [r[:2] for r in rows(screen)] == [("Margaret Hill", "[Director A]"), ("Northshire", "[County 1]")]
        screen.look_at_key()  # what the screen's timer does every second
        await settle(pilot)
        assert messages(app, "Key changed") == []  # nothing changed: nothing said
        add_entry(key_file, "Tom Baker", "Person 2")  # as 'framework pseudonym add' does
        screen.look_at_key()
        await settle(pilot)
        assert [r[:2] for r in rows(screen)] == [("Margaret Hill", "[Director A]"), ("Northshire", "[County 1]"),
                                                 ("Tom Baker", "[Person 2]")]
        assert "Tom Baker" not in [c.term for c in screen.suggestions]
        assert messages(app, "Key changed") == ["The key file was changed by another program: it has been read again."]


@scenario
async def test_an_entry_changed_in_the_file_meanwhile_is_not_overwritten(make, key_file) -> None:
    app = quiet(make())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_key_screen(pilot)
        add_entry(key_file, "Northshire", "Region 4")  # another program; the screen has not looked
        await press(pilot, "down", "e")
        assert isinstance(app.screen, EntryDialog)
        app.screen.query_one("#replacement").value = "Area 7"
        await press(pilot, "enter")
        assert key_file.read_text(encoding="utf-8") == "term,replacement\nMargaret Hill,Director A\nNorthshire,Region 4\n"
        (refusal,) = messages(app, "Not done")
        assert refusal == ("study-key.csv: Northshire → [County 1] was changed in the key meanwhile to Northshire → "
                           "[Region 4], by another program or person; nothing was changed. The key is read again: "
                           "change it as it is now.")
        assert rows(screen)[1][:2] == ("Northshire", "[Region 4]")


@scenario
async def test_texts_imported_elsewhere_are_scanned_for_names(make, key_file, tui_project) -> None:
    from framework.ingest.documents import import_paths

    app = quiet(make())
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_key_screen(pilot)
        assert "Saltmere" not in [c.term for c in screen.suggestions]
        path = tui_project.root / "transcripts" / "int_12.txt"
        path.write_text("Interviewer: Where?\n\nRespondent: We moved the team to Saltmere and then to Saltmere "
                        "again.\n", encoding="utf-8")
        with Elsewhere(tui_project) as other:
            import_paths(other, [path], root=tui_project.root)
        await notice_changes(pilot)
        assert ("Saltmere", 2) in [(c.term, c.count) for c in screen.suggestions]
