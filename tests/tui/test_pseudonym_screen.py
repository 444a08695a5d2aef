"""The pseudonym key screen: choosing the key file, adding, editing and deleting entries,
suggestions from the texts, and the preview; pushed inside the real app built by ``make_app``.

The test project gets one more transcript with names and places in it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, OptionList, Static

from framework.confidentiality.key import Pseudonymiser
from framework.confidentiality.kinds import guess_kind
from framework.confidentiality.suggest import suggest
from framework.tui.dialogs.common import ConfirmDialog, TextPrompt
from framework.tui.dialogs.pseudonym_entry import EntryDialog
from framework.tui.screens.pseudonyms import PseudonymScreen
from framework.tui.widgets.pseudonym_panels import SamplePreview
from framework.views.pseudonyms import (
    KEY_SETTING,
    candidates,
    clip,
    next_replacement,
    sample,
)

from .conftest import write_project
from .helpers import SIZE, press, scenario, settle, type_text

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

NAMES = """\
Interview 09 — in person

Interviewer: Who leads the service now?

Respondent: Margaret Hill took over last year. Before that we reported to Tom Baker at Northshire County Council.
Margaret Hill wants the teams in Northshire to stay together, and Tom Baker agreed.

Interviewer: And the other offices?

Respondent: The office in Eastbury closed, so staff moved to Northshire. I told Margaret Hill it was a mistake.
"""

KEY = "term,replacement\nMargaret Hill,Director A\nNorthshire,County 1\n"


@pytest.fixture
def tui_project(tmp_path: Path):
    """The interface test project, with a transcript naming people, places and a council."""
    from framework.project import open_project

    root = write_project(tmp_path / "study")
    (root / "transcripts" / "int_09.txt").write_text(NAMES, encoding="utf-8")
    project = open_project(root)
    yield project
    project.close()


@pytest.fixture
def key_file(tui_project, tmp_path: Path) -> Path:
    """A key of two entries, kept beside the project and remembered for it."""
    path = tmp_path / "keys" / "study-key.csv"
    path.parent.mkdir()
    path.write_text(KEY, encoding="utf-8")
    tui_project.save_setting(KEY_SETTING, "../keys/study-key.csv")
    return path


async def open_screen(pilot) -> PseudonymScreen:
    await settle(pilot)
    pilot.app.push_screen(PseudonymScreen())
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, PseudonymScreen)
    return screen


def rows(screen: PseudonymScreen) -> list[tuple[str, str, str]]:
    table = screen.query_one("#entries", DataTable)
    return [tuple(cell.plain for cell in table.get_row_at(n)) for n in range(table.row_count)]


def preview_lines(screen: PseudonymScreen) -> list[str]:
    return str(screen.query_one(SamplePreview).render()).splitlines()


async def fill(pilot, selector: str, value: str) -> None:
    field = pilot.app.screen.query_one(selector, Input)
    field.value = value
    field.focus()
    await settle(pilot)


# -- the core pieces the screen relies on --------------------------------------------------------------


def test_suggestions_have_a_guessed_kind() -> None:
    texts = [("int_09", NAMES)]
    assert [(c.term, c.count, c.documents, c.kind) for c in candidates(texts, [])] == [
        ("Margaret Hill", 3, 1, "Person"),
        ("Northshire", 2, 1, "Place"),
        ("Tom Baker", 2, 1, "Person"),
        ("Eastbury", 1, 1, "Place"),
        ("Northshire County Council", 1, 1, "Organisation"),
    ]
    # the same terms and counts as the core's suggest
    assert [(s.term, s.count) for s in suggest([NAMES])] == [(c.term, c.count) for c in candidates(texts, [])]
    assert guess_kind("Kings Road") == "Place"
    # named systems, programmes and groups are not people, whatever the words around them
    assert [guess_kind(t, person=5) for t in ("Task Force", "Integrated Children's System", "Common Assessment "
                                              "Framework", "Margaret Hill")] == [
        "Organisation", "Organisation", "Organisation", "Person"]


def test_a_name_covered_by_a_key_term_is_not_suggested() -> None:
    # "Hill" alone is a candidate (at a sentence start "Margaret" is dropped), but every "Hill"
    # is part of "Margaret Hill", which the key replaces first.
    texts = [("int_09", NAMES)]
    assert [(c.term, c.count) for c in candidates(texts, [("Margaret Hill", "Director A")])] == [
        ("Northshire", 2), ("Tom Baker", 2), ("Eastbury", 1), ("Northshire County Council", 1)]


def test_the_next_pseudonym_of_a_kind() -> None:
    entries = [("Margaret Hill", "Person 1"), ("Tom Baker", "[Person 3]"), ("Northshire", "County 1")]
    assert next_replacement("Person", entries) == "Person 4"
    assert next_replacement("Place", entries) == "Place 1"


def test_a_sample_sentence_before_and_after_the_key() -> None:
    texts = [("int_07", "Nothing here."), ("int_09", NAMES)]
    found = sample(texts, [("Margaret Hill", "Director A"), ("Northshire", "County 1")], "Northshire")
    assert found is not None
    assert found.document == "int_09"
    # "Northshire County Council" is not replaced by the key's "Northshire": whole words count,
    # so its first sample is that sentence; the key replaces "Northshire" in it.
    assert found.before == "Before that we reported to Tom Baker at Northshire County Council."
    assert found.after == "Before that we reported to Tom Baker at [County 1] County Council."
    assert found.after[slice(*found.replaced)] == "[County 1]"
    proposed = sample(texts, [("Northshire", "County 1")], "Tom Baker", "Person 1")
    assert proposed is not None
    assert proposed.after == "Before that we reported to [Person 1] at [County 1] County Council."
    assert Pseudonymiser([("Tom Baker", "Person 1")]).apply(proposed.before).count("[Person 1]") == 1
    # a sentence too long for the line is cut before the term, at a word
    assert clip(found.before, found.span, 12) == ("…Baker at Northshire County Council.", (10, 20))


# -- the screen ------------------------------------------------------------------------------------------


@scenario
async def test_choose_a_key_file_and_add_an_entry_with_the_form(make, tui_project, tmp_path) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        assert str(screen.query_one("#key-path", Static).render()).startswith("none chosen")
        await press(pilot, "a")  # no key yet: the file is asked for first
        assert isinstance(app.screen, TextPrompt)
        await fill(pilot, "Input", "../private/key.csv")
        await press(pilot, "enter")
        assert tui_project.settings()[KEY_SETTING] == "../private/key.csv"
        assert isinstance(app.screen, EntryDialog)
        await type_text(pilot, "Margaret   Hill")
        await press(pilot, "enter")  # on to the replacement
        await type_text(pilot, "Director A")
        assert str(app.screen.query_one("#shown", Static).render()) == "In exports: [Director A]"
        await press(pilot, "enter")
        assert app.screen is screen
        key = tmp_path / "private" / "key.csv"
        assert key.read_text(encoding="utf-8") == "term,replacement\nMargaret Hill,Director A\n"
        assert rows(screen) == [("Margaret Hill", "[Director A]", "3")]
        # the new entry's term is no longer suggested
        assert "Margaret Hill" not in [c.term for c in screen.suggestions]


@scenario
async def test_edit_an_entry(make, key_file) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        assert rows(screen) == [("Margaret Hill", "[Director A]", "3"), ("Northshire", "[County 1]", "3")]
        await press(pilot, "down", "e")
        dialog = app.screen
        assert isinstance(dialog, EntryDialog)
        assert dialog.query_one("#term", Input).value == "Northshire"
        assert dialog.query_one("#replacement", Input).value == "County 1"
        await fill(pilot, "#replacement", "Area 7")
        await press(pilot, "enter")
        assert key_file.read_text(encoding="utf-8") == "term,replacement\nMargaret Hill,Director A\nNorthshire,Area 7\n"
        assert rows(screen)[1] == ("Northshire", "[Area 7]", "3")
        assert screen.query_one("#entries", DataTable).cursor_row == 1


@scenario
async def test_a_term_already_in_the_key_is_refused_by_the_form(make, key_file) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot)
        await press(pilot, "a")
        await fill(pilot, "#term", "northshire")
        await fill(pilot, "#replacement", "Town 2")
        await press(pilot, "enter")
        assert isinstance(app.screen, EntryDialog)
        assert str(app.screen.query_one(".dialog--error", Static).render()) == (
            "'northshire' is already in the key; edit that entry instead.")
        await press(pilot, "escape")
        assert key_file.read_text(encoding="utf-8") == KEY


@scenario
async def test_delete_an_entry_after_confirming(make, key_file) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        await press(pilot, "d")
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "n")  # not deleted
        assert key_file.read_text(encoding="utf-8") == KEY
        await press(pilot, "d", "y")
        assert app.screen is screen
        assert key_file.read_text(encoding="utf-8") == "term,replacement\nNorthshire,County 1\n"
        assert rows(screen) == [("Northshire", "[County 1]", "3")]
        # deleted, so suggested again
        assert ("Margaret Hill", 3) in [(c.term, c.count) for c in screen.suggestions]


@scenario
async def test_suggestions_list_names_with_their_counts(make, key_file) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        options = screen.query_one("#suggestions", OptionList)
        shown = [str(options.get_option_at_index(n).prompt) for n in range(options.option_count)]
        assert shown == [
            "   2 Tom Baker  person · 1 doc",
            "   1 Eastbury  place · 1 doc",
            "   1 Northshire County Council  organisation · 1 doc",
        ]
        assert str(screen.query_one("#suggestion-title", Static).render()) == "Suggestions  3 · Enter adds"


@scenario
async def test_enter_on_a_suggestion_fills_the_form_with_the_next_pseudonym(make, key_file) -> None:
    key_file.write_text("term,replacement\nNorthshire,County 1\nAnn Lee,Person 1\n", encoding="utf-8")
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        await press(pilot, "tab")
        assert screen.focused is screen.query_one("#suggestions")
        assert screen.suggestions[0].term == "Margaret Hill"
        assert preview_lines(screen) == [
            "Preview  Margaret Hill  (if added as [Person 2])  in int_09",
            "Before   Respondent: Margaret Hill took over last year.",
            "After    Respondent: [Person 2] took over last year.",
        ]
        await press(pilot, "enter")
        dialog = app.screen
        assert isinstance(dialog, EntryDialog)
        assert dialog.query_one("#term", Input).value == "Margaret Hill"
        assert dialog.query_one("#replacement", Input).value == "Person 2"
        assert dialog.focused is dialog.query_one("#replacement")
        await press(pilot, "enter")
        assert key_file.read_text(encoding="utf-8") == (
            "term,replacement\nNorthshire,County 1\nAnn Lee,Person 1\nMargaret Hill,Person 2\n")
        assert [c.term for c in screen.suggestions] == [
            "Tom Baker", "Eastbury", "Northshire County Council"]


@scenario
async def test_the_preview_shows_the_highlighted_entry_before_and_after(make, key_file) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        assert preview_lines(screen) == [
            "Preview  Margaret Hill  in int_09",
            "Before   Respondent: Margaret Hill took over last year.",
            "After    Respondent: [Director A] took over last year.",
        ]
        await press(pilot, "down")
        assert preview_lines(screen) == [
            "Preview  Northshire  in int_09",
            "Before   Before that we reported to Tom Baker at Northshire County Council.",
            "After    Before that we reported to Tom Baker at [County 1] County Council.",
        ]


@scenario
async def test_a_key_file_in_exports_is_refused(make, tui_project, key_file) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot)
        await press(pilot, "f")
        prompt = app.screen
        assert isinstance(prompt, TextPrompt)
        assert prompt.query_one(Input).value == "../keys/study-key.csv"
        await fill(pilot, "Input", "exports/key.csv")
        await press(pilot, "enter")
        assert app.screen is prompt  # still asking
        exports = tui_project.exports_dir
        assert str(prompt.query_one(".dialog--error", Static).render()) == (
            f"{exports / 'key.csv'}: a pseudonym key must not be kept in {exports} (exports are shared and "
            "the key would undo the pseudonyms); keep it in another folder.")
        await press(pilot, "escape")
        assert tui_project.settings()[KEY_SETTING] == "../keys/study-key.csv"
        assert not (exports / "key.csv").exists()


@scenario
async def test_an_unreadable_key_is_shown_and_left_alone(make, key_file) -> None:
    key_file.write_text("name,pseudonym\nA,B\n", encoding="utf-8")
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        assert rows(screen) == []
        assert str(screen.query_one("#key-path", Static).render()) == "../keys/study-key.csv  cannot be used (see below)"
        assert str(screen.query_one("#key-empty", Static).render()).splitlines()[0] == (
            f"{key_file}: the first row must be 'term,replacement'.")
        await press(pilot, "a")
        await fill(pilot, "#term", "Tom Baker")
        await fill(pilot, "#replacement", "Person 9")
        await press(pilot, "enter")
        assert key_file.read_text(encoding="utf-8") == "name,pseudonym\nA,B\n"


# -- snapshot ----------------------------------------------------------------------------------------------


def test_pseudonym_screen_snapshot(snap_compare, make, key_file) -> None:
    async def before(pilot) -> None:
        await settle(pilot)
        pilot.app.push_screen(PseudonymScreen())
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)

    assert snap_compare(make(), terminal_size=SIZE, run_before=before)
