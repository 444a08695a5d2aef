"""The reader never codes text or codings it no longer has.

Each test changes the project from a second connection to the same database file (as
another ``framework`` process does) while a screen is open, then checks what the
screen shows and what lands in the store.
"""

from __future__ import annotations

from framework.coding import actions as coding
from framework.ingest.documents import import_paths
from framework.store import Store
from framework.tui.dialogs.common import ConfirmDialog
from framework.tui.dialogs.theme_picker import ThemePicker
from framework.tui.screens.documents import DocumentsScreen
from framework.tui.screens.reader import ReaderScreen

from .conftest import INTERVIEW
from .helpers import SIZE, press, scenario, settle, type_text

EDITED = INTERVIEW.replace("Interview 07 — telephone", "Interview 07 — telephone, transcript checked by the team")


def elsewhere(project) -> Store:
    """A second connection to the project's database, as another process has."""
    return Store(project.store.path)


def reimport(project, text: str) -> None:
    """Another process imports a new version of int_07.txt."""
    path = project.root / "transcripts" / "int_07.txt"
    path.write_text(text, encoding="utf-8")
    other = elsewhere(project)
    try:
        import_paths(other, [path], root=project.root)
    finally:
        other.close()


async def select(pilot, start: int, length: int) -> None:
    view = pilot.app.screen.view
    view.goto_offset(start)
    await pilot.press(*["shift+right"] * length)
    await settle(pilot)


async def code_with(pilot, theme: str) -> None:
    await press(pilot, "c")
    assert isinstance(pilot.app.screen, ThemePicker)
    await type_text(pilot, theme)
    await press(pilot, "enter")


def quiet(app):
    """The app with its timer slowed down: the tests say when it looks for changes."""
    app.changes_every = 3600
    return app


async def notice_changes(pilot) -> None:
    """What the app's timer does every second: look whether another process changed the project."""
    pilot.app.look_for_changes()
    await settle(pilot)


@scenario
async def test_a_transcript_reimported_elsewhere_is_shown_and_coded_in_its_new_version(make, tui_project) -> None:
    app = quiet(make(document="int_07"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reimport(tui_project, EDITED)
        await notice_changes(pilot)
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader.view.text == EDITED and reader.data.text == EDITED
        start = EDITED.index("weighting system")
        await select(pilot, start, len("weighting system"))
        await code_with(pilot, "2.2")
    [made] = tui_project.store.codings.list()
    assert (made.start, made.quote) == (start, "weighting system")


@scenario
async def test_a_selection_made_in_the_old_text_is_coded_on_the_same_words(make, tui_project) -> None:
    app = quiet(make(document="int_07"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        old = INTERVIEW.index("weighting system")
        await select(pilot, old, len("weighting system"))
        reimport(tui_project, EDITED)  # before the app has looked: the reader still shows the old text
        await code_with(pilot, "2.2")
        assert app.screen.view.text == EDITED
        assert "coded the same words in the new version" in app.screen.message
    [made] = tui_project.store.codings.list()
    assert (made.start, made.quote) == (EDITED.index("weighting system"), "weighting system")


@scenario
async def test_a_selection_whose_words_changed_is_not_coded(make, tui_project) -> None:
    app = quiet(make(document="int_07"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(pilot, INTERVIEW.index("weighting system"), len("weighting system"))
        reimport(tui_project, INTERVIEW.replace("weighting system", "workload tool"))
        await code_with(pilot, "2.2")
        assert app.screen.view.text == INTERVIEW.replace("weighting system", "workload tool")
        assert app.screen.view.layout_map.codings == {}
    assert tui_project.store.codings.list() == []


@scenario
async def test_codings_removed_elsewhere_disappear_and_are_not_navigable(make, tui_project) -> None:
    store = tui_project.store
    doc = store.documents.get("int_07").id
    first = coding.add_coding(store, "alice", doc, "2.2", *_span("weighting system"))
    second = coding.add_coding(store, "alice", doc, "1.1", *_span("vacancy rate"))
    app = quiet(make(document="int_07"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.screen.view
        assert set(view.layout_map.codings) == {first.id, second.id}
        other = elsewhere(tui_project)
        coding.remove_coding(other, "alice", first.id)
        other.close()
        await notice_changes(pilot)
        assert set(view.layout_map.codings) == {second.id}
        view.goto_offset(0)
        await press(pilot, "right_square_bracket")
        assert view.cursor_offset == second.start
        await press(pilot, "right_square_bracket")
        assert view.cursor_offset == second.start  # nothing more below


@scenario
async def test_removing_a_coding_already_removed_elsewhere_reloads_instead(make, tui_project) -> None:
    store = tui_project.store
    made = coding.add_coding(store, "alice", store.documents.get("int_07").id, "2.2", *_span("weighting system"))
    app = quiet(make(document="int_07"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        other = elsewhere(tui_project)
        coding.remove_coding(other, "alice", made.id)
        other.close()
        app.screen.view.goto_offset(made.start + 2)
        await press(pilot, "x")  # the app has not looked yet: the highlight is still there
        assert app.screen.view.layout_map.codings == {}
    removals = [a for a in store.actions.list() if a.kind == "coding.remove"]
    assert len(removals) == 1


@scenario
async def test_removing_another_coders_coding_asks_first_and_is_logged(make, tui_project) -> None:
    store = tui_project.store
    theirs = coding.add_coding(store, "bob", store.documents.get("int_07").id, "2.2", *_span("weighting system"))
    app = quiet(make(document="int_07"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.view.goto_offset(theirs.start + 2)
        await press(pilot, "x")
        assert "None of your codings here" in app.screen.message  # bob's are hidden
        await press(pilot, "o")
        await press(pilot, "x")
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "n")
        assert store.codings.find(theirs.id) is not None
        await press(pilot, "x")
        await press(pilot, "y")
    assert store.codings.find(theirs.id) is None
    last = store.actions.list()[-1]
    assert (last.coder, last.kind, last.payload["owner"], last.payload["as_owner"]) == (
        "alice", "coding.remove", "bob", True)


@scenario
async def test_the_documents_list_shows_a_transcript_imported_elsewhere(make, tui_project) -> None:
    app = quiet(make())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DocumentsScreen)
        table = screen.table

        def names() -> list[str]:
            return [table.row(e).document for e in table.entries if table.row(e) is not None]

        assert names() == ["arabic_03", "int_07", "int_08"]
        path = tui_project.root / "new_09.txt"
        path.write_text("Interviewer: Hello.\n\nRespondent: Hello again.\n", encoding="utf-8")
        other = elsewhere(tui_project)
        import_paths(other, [path], root=tui_project.root)
        other.close()
        await notice_changes(pilot)
        assert names() == ["arabic_03", "int_07", "int_08", "new_09"]


def _span(words: str) -> tuple[int, int]:
    start = INTERVIEW.index(words)
    return start, start + len(words)
