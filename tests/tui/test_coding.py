"""Pilot tests of coding in the reader: every action checked in the store afterwards."""

from __future__ import annotations

import re

from framework.coding.actions import add_coding
from framework.tui.dialogs.common import ChoiceDialog
from framework.tui.dialogs.memo import MemoDialog
from framework.tui.dialogs.theme_picker import ThemePicker
from framework.tui.screens.reader import ReaderScreen

from .conftest import ARABIC, INTERVIEW
from .helpers import SIZE, press, scenario, settle, type_text

WEIGHTING = "weighting system"
W_START = INTERVIEW.index(WEIGHTING)
W_END = W_START + len(WEIGHTING)


def doc_id(project, name: str) -> int:
    return project.store.documents.get(name).id


async def select(pilot, start: int, length: int) -> None:
    """Put the cursor at ``start`` and select ``length`` characters with shift+right."""
    view = pilot.app.screen.view
    view.goto_offset(start)
    await pilot.press(*["shift+right"] * length)
    await settle(pilot)


@scenario
async def test_select_and_code_with_the_picker(make, tui_project) -> None:
    app = make(document="int_07")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        await select(pilot, W_START, len(WEIGHTING))
        assert app.screen.view.selected_span() == (W_START, W_END)
        await press(pilot, "c")
        assert isinstance(app.screen, ThemePicker)
        await type_text(pilot, "weighting")
        await press(pilot, "enter")
        assert isinstance(app.screen, ReaderScreen)
    [coding] = tui_project.store.codings.list()
    assert (coding.coder, coding.theme_id, coding.start, coding.end) == ("alice", "2.2", W_START, W_END)
    assert coding.quote == WEIGHTING
    assert coding.document_id == doc_id(tui_project, "int_07")


@scenario
async def test_enter_on_a_selection_opens_the_picker_and_ctrl_o_adds_a_memo(make, tui_project) -> None:
    app = make(document="int_07")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, W_START, len(WEIGHTING))
        await press(pilot, "enter")
        assert isinstance(app.screen, ThemePicker)
        await type_text(pilot, "2.2")
        await press(pilot, "ctrl+o")
        assert isinstance(app.screen, MemoDialog)
        await type_text(pilot, "tried and dropped")
        await press(pilot, "ctrl+s")
    [coding] = tui_project.store.codings.list()
    assert (coding.theme_id, coding.quote, coding.memo) == ("2.2", WEIGHTING, "tried and dropped")


@scenario
async def test_recent_theme_number_keys(make, tui_project) -> None:
    app = make(document="int_07")
    vacancy = INTERVIEW.index("vacancy rate")
    agency = INTERVIEW.index("agency staff")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, W_START, len(WEIGHTING))
        await press(pilot, "c")
        await type_text(pilot, "2.2")
        await press(pilot, "enter")
        await select(pilot, vacancy, len("vacancy rate"))
        await press(pilot, "c")
        await type_text(pilot, "1.1")
        await press(pilot, "enter")
        assert app.recent[:2] == ["1.1", "2.2"]
        await select(pilot, agency, len("agency staff"))
        await press(pilot, "2")  # the second most recent: 2.2
        await press(pilot, "9")  # nothing there yet: nothing happens
    codings = {(c.theme_id, c.start, c.end, c.quote) for c in tui_project.store.codings.list()}
    assert codings == {
        ("2.2", W_START, W_END, WEIGHTING),
        ("1.1", vacancy, vacancy + 12, "vacancy rate"),
        ("2.2", agency, agency + 12, "agency staff"),
    }
    assert tui_project.settings()["recent_themes"]["alice"][:2] == ["2.2", "1.1"]


@scenario
async def test_remove_chooses_which_when_codings_overlap(make, tui_project) -> None:
    store = tui_project.store
    doc = doc_id(tui_project, "int_07")
    wide = add_coding(store, "alice", doc, "2.2", W_START - 10, W_END)
    narrow = add_coding(store, "alice", doc, "2.1", W_START, W_END)
    app = make(document="int_07")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.view.goto_offset(W_START + 3)
        await press(pilot, "x")
        assert isinstance(app.screen, ChoiceDialog)
        # the narrower passage is listed first
        await press(pilot, "2")
    assert [c.id for c in store.codings.list()] == [narrow.id]
    assert store.codings.find(wide.id) is None


@scenario
async def test_remove_a_single_coding_then_undo_and_redo(make, tui_project) -> None:
    store = tui_project.store
    coding = add_coding(store, "alice", doc_id(tui_project, "int_07"), "2.2", W_START, W_END)
    app = make(document="int_07")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.view.goto_offset(W_START)
        await press(pilot, "x")
        assert store.codings.list() == []
        await press(pilot, "u")
        [back] = store.codings.list()
        assert (back.id, back.start, back.end, back.theme_id) == (coding.id, W_START, W_END, "2.2")
        assert app.screen.view.layout_map.codings.keys() == {coding.id}
        await press(pilot, "ctrl+r")
        assert store.codings.list() == []
        await press(pilot, "u")
        await press(pilot, "u")  # undoes the add made by add_coding too
        assert store.codings.list() == []
        await press(pilot, "U")
        assert [c.id for c in store.codings.list()] == [coding.id]


@scenario
async def test_each_undo_says_what_it_undid_and_where(make, tui_project) -> None:
    store = tui_project.store
    elsewhere = add_coding(store, "alice", doc_id(tui_project, "int_08"), "3", 0, 11)
    add_coding(store, "alice", doc_id(tui_project, "int_07"), "2.2", W_START, W_END)
    app = make(document="int_07")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "u")
        assert app.screen.message == "Undone: adding 2.2 Weighting systems to int_07 L5"
        await press(pilot, "u")
        assert app.screen.message == "Undone: adding 3 Supervision to int_08 L1"
        await press(pilot, "u")
        assert app.screen.message == "Nothing to undo"
        await press(pilot, "U")
        assert app.screen.message == "Redone: adding 3 Supervision to int_08 L1"
    assert [c.id for c in store.codings.list()] == [elsewhere.id]


@scenario
async def test_memo_on_a_coded_passage(make, tui_project) -> None:
    store = tui_project.store
    coding = add_coding(store, "alice", doc_id(tui_project, "int_07"), "2.2", W_START, W_END)
    app = make(document="int_07")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.view.goto_offset(W_START + 2)
        await press(pilot, "m")
        assert isinstance(app.screen, MemoDialog)
        await type_text(pilot, "points system abandoned")
        await press(pilot, "ctrl+s")
        assert store.codings.get(coding.id).memo == "points system abandoned"
        await press(pilot, "u")
    assert store.codings.get(coding.id).memo == ""


@scenario
async def test_change_theme_and_adjust_boundaries(make, tui_project) -> None:
    store = tui_project.store
    coding = add_coding(store, "alice", doc_id(tui_project, "int_07"), "2.2", W_START, W_END)
    app = make(document="int_07")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.view.goto_offset(W_START)
        await press(pilot, "e")
        assert isinstance(app.screen, ThemePicker)
        await type_text(pilot, "caseloads")
        await press(pilot, "enter")
        assert store.codings.get(coding.id).theme_id == "2.1"
        await press(pilot, "b")
        assert app.screen.view.selected_span() == (W_START, W_END)
        await press(pilot, "shift+left", "shift+left", "shift+left", "shift+left", "shift+left", "shift+left",
                    "shift+left")  # drop " system"
        await press(pilot, "enter")
    changed = store.codings.get(coding.id)
    assert (changed.theme_id, changed.start, changed.end, changed.quote) == ("2.1", W_START, W_START + 9, "weighting")


@scenario
async def test_changing_onto_an_identical_coding_shows_the_refusal(make, tui_project) -> None:
    store = tui_project.store
    doc = doc_id(tui_project, "int_07")
    kept = add_coding(store, "alice", doc, "2.1", W_START, W_END)
    narrow = add_coding(store, "alice", doc, "2.2", W_START, W_START + 9)
    app = make(document="int_07")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.screen.view.goto_offset(W_START + 3)
        await press(pilot, "e")
        assert isinstance(app.screen, ChoiceDialog)
        await press(pilot, "1")  # the narrower passage is listed first
        assert isinstance(app.screen, ThemePicker)
        await type_text(pilot, "caseloads")  # 2.1, which alice has on the wider span only: allowed
        await press(pilot, "enter")
        assert store.codings.get(narrow.id).theme_id == "2.1"
        await press(pilot, "b")
        assert isinstance(app.screen, ChoiceDialog)
        await press(pilot, "1")
        await press(pilot, *["shift+right"] * 7)  # onto " system": the span alice already coded 2.1
        await press(pilot, "enter")
        assert isinstance(app.screen, ReaderScreen)
        refusals = [n.message for n in app._notifications if n.title == "Not done"]
    assert refusals == [f"alice has already coded this passage ({W_START}-{W_END}) with theme '2.1' "
                        f"(coding {kept.id}); nothing was changed. Remove one of the two codings instead."]
    assert sorted((c.id, c.theme_id, c.start, c.end) for c in store.codings.list()) == [
        (kept.id, "2.1", W_START, W_END), (narrow.id, "2.1", W_START, W_START + 9)]


@scenario
async def test_select_turn_and_line(make, tui_project) -> None:
    app = make(document="int_07")
    body = INTERVIEW.index("We don't have")
    turn_end = INTERVIEW.index("per worker.") + len("per worker.")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.screen.view
        view.goto_offset(body + 20)
        await press(pilot, "t")
        assert view.selected_span() == (body, turn_end)
        view.goto_offset(body + 20)
        await press(pilot, "shift+right", "v")
        line_start = INTERVIEW.index("Respondent: We don't")
        assert view.selected_span() == (line_start, INTERVIEW.index("\nSo what"))
        await press(pilot, "1")  # no recent theme yet: nothing is coded
        await press(pilot, "c")
        await type_text(pilot, "weighting")
        await press(pilot, "enter")
    [coding] = tui_project.store.codings.list()
    assert coding.quote == INTERVIEW[line_start:INTERVIEW.index("\nSo what")]


@scenario
async def test_next_and_previous_coded_passage_and_others(make, tui_project) -> None:
    store = tui_project.store
    doc = doc_id(tui_project, "int_07")
    first = add_coding(store, "alice", doc, "2.2", W_START, W_END)
    second = add_coding(store, "alice", doc, "1.1", INTERVIEW.index("vacancy rate"), INTERVIEW.index("vacancy rate") + 12)
    theirs = add_coding(store, "bob", doc, "1.2", INTERVIEW.index("agency"), INTERVIEW.index("agency") + 6)
    app = make(document="int_07")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.screen.view
        await press(pilot, "right_square_bracket")
        assert view.cursor_offset == first.start
        await press(pilot, "right_square_bracket")
        assert view.cursor_offset == second.start
        await press(pilot, "right_square_bracket")  # bob's is hidden
        assert view.cursor_offset == second.start
        await press(pilot, "o")
        assert app.show_others
        await press(pilot, "right_square_bracket")
        assert view.cursor_offset == theirs.start
        await press(pilot, "left_square_bracket", "left_square_bracket")
        assert view.cursor_offset == first.start
        # others' codings cannot be removed by this coder
        view.goto_offset(theirs.start + 1)
        await press(pilot, "x")
    assert store.codings.find(theirs.id) is not None


@scenario
async def test_search_next_and_previous(make, tui_project) -> None:
    app = make(document="int_07")
    hits = [m.start() for m in re.finditer("we", INTERVIEW, re.IGNORECASE)]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "slash")
        await type_text(pilot, "we")
        await press(pilot, "enter")
        view = app.screen.view
        assert [m[0] for m in view.matches] == hits
        assert view.cursor_offset == hits[0]
        await press(pilot, "n")
        assert view.cursor_offset == hits[1]
        await press(pilot, "N", "N")
        assert view.cursor_offset == hits[-1]


@scenario
async def test_right_to_left_text_codes_at_the_selected_characters(make, tui_project) -> None:
    word = "نقص في الموظفين"
    start = ARABIC.index(word)
    app = make(document="arabic_03")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, start, len(word))
        await press(pilot, "c")
        await type_text(pilot, "vacancies")
        await press(pilot, "enter")
        view = app.screen.view
        await press(pilot, "ctrl+shift+right")  # a word more
        assert view.selected_span() is None or view.selected_span()[0] >= start
    [coding] = tui_project.store.codings.list()
    assert (coding.start, coding.end, coding.quote, coding.theme_id) == (start, start + len(word), word, "1.1")
    assert tui_project.store.documents.text(coding.document_id)[coding.start:coding.end] == word


@scenario
async def test_open_at_a_line(make) -> None:
    app = make(document="int_07", line=8)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.view.selection.end == (7, 0)
        await press(pilot, "escape")
        assert app.screen.__class__.__name__ == "DocumentsScreen"


@scenario
async def test_select_with_the_mouse_and_code(make, tui_project) -> None:
    app = make(document="int_07")
    start = INTERVIEW.index("How do")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.screen.view
        gutter = view.gutter_width
        await pilot.mouse_down(view, offset=(gutter + 13, 2))
        await pilot.hover(view, offset=(gutter + 19, 2))
        await pilot.mouse_up(view, offset=(gutter + 19, 2))
        await settle(pilot)
        assert view.selected_span() == (start, start + 6)
        await press(pilot, "c")
        await type_text(pilot, "caseloads")
        await press(pilot, "enter")
    [coding] = tui_project.store.codings.list()
    assert (coding.start, coding.end, coding.quote, coding.theme_id) == (start, start + 6, "How do", "2.1")


@scenario
async def test_quick_keys_are_saved_in_the_order_pressed(make, tui_project) -> None:
    app = make(document="int_07")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, W_START, len(WEIGHTING))
        await press(pilot, "c")
        await type_text(pilot, "2.2")
        await pilot.press("enter", "u")  # code, then undo at once
        await settle(pilot)
        assert tui_project.store.codings.list() == []
        assert app.screen.view.layout_map.codings == {}
        await press(pilot, "U")
    [coding] = tui_project.store.codings.list()
    assert (coding.theme_id, coding.quote) == ("2.2", WEIGHTING)
