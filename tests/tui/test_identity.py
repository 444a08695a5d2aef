"""Pilot tests: who is coding is always shown, changes only on purpose and says so; the
project's opening notes are shown inside the interface."""

from __future__ import annotations

from framework.cli.common import State
from framework.coding.actions import add_coding
from framework.tui.app import make_app
from framework.tui.dialogs.common import TextPrompt
from framework.tui.screens.documents import DocumentsScreen

from .helpers import SIZE, press, scenario, settle, type_text


def notes_shown(app) -> list[tuple[str, str]]:
    return [(n.title, n.message) for n in app._notifications]


def session(tui_project, coder: str | None) -> State:
    """The command line's state after ``framework [--coder NAME]`` opened the project."""
    state = State()
    state.project_dir = tui_project.root
    state.coder = coder
    state._project = None
    return state


@scenario
async def test_a_one_off_coder_codes_this_session_only_and_says_so(tui_project) -> None:
    tui_project.remember_coder("carol")
    state = session(tui_project, "alice")
    project = state.project(quiet=True)
    try:
        assert state.notes == ["coding as alice for this run only; you stay carol here "
                               "('framework coder use alice' switches for good)."]
        app = make_app(project, state.coder or project.coder, notes=state.notes)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.coder == "alice"
            assert app.screen.query_one("HeaderTitle").render().plain.endswith("coder: alice")
            assert notes_shown(app) == [("Notes on opening the project", "• " + state.notes[0])]
        assert project.coder == "carol"
        again = make_app(project, None)
        async with again.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert again.coder == "carol"
            assert again.sub_title == "coder: carol"
            assert notes_shown(again) == []
    finally:
        project.close()


@scenario
async def test_the_switch_offers_people_only_and_says_who_now_codes(make, tui_project) -> None:
    store = tui_project.store
    doc = store.documents.get("int_07").id
    add_coding(store, "bob", doc, "1.1", 0, 9)
    add_coding(store, "consensus", doc, "1.1", 0, 9, allow_consensus=True)
    with store.write():
        for system in ("import", "export", "doctor"):
            store.ensure_coder(system)
    app = make(coder="alice")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "C")
        prompt = app.screen
        assert isinstance(prompt, TextPrompt)
        assert prompt.suggestions == ["bob"]
        assert "Now coding as alice" in prompt.hint
        await type_text(pilot, "dana")
        await press(pilot, "enter")
        assert app.coder == "dana" and app.sub_title == "coder: dana"
        assert notes_shown(app)[-1] == ("Coder", "Coding as dana now (was alice); remembered for you in this project")
        await press(pilot, "C")
        assert app.screen.suggestions == ["alice", "bob"]
    assert tui_project.coder == "dana"


@scenario
async def test_first_run_notes_are_shown_inside(tui_project) -> None:
    assert tui_project.warnings == ["first run: imported 3 transcripts from transcripts/"]
    app = make_app(tui_project, "alice", notes=tui_project.warnings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DocumentsScreen)
        assert notes_shown(app) == [("Notes on opening the project",
                                     "• first run: imported 3 transcripts from transcripts/")]
        await pilot.pause()
        toasts = [str(t.render()) for t in app.screen.query("Toast")]
        assert any("imported 3 transcripts" in t for t in toasts)


@scenario
async def test_many_notes_are_counted(tui_project) -> None:
    notes = [f"cases.csv row {n}: no transcript for case x{n}" for n in range(12)]
    app = make_app(tui_project, "alice", notes=notes)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        (shown,) = notes_shown(app)
        lines = shown[1].split("\n")
        assert lines[:8] == [f"• {n}" for n in notes[:8]]
        assert lines[8] == "… and 4 more ('framework doctor' checks the project)"
        assert len(lines) == 9
