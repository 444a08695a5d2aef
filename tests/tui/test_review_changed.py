"""Pilot tests of what the review and agreement screens say: a decision whose codings changed
shows as changed since decided (and counts as remaining until decided again), a theme filter
says how many disagreements it hides and how to see them, and no status line goes on
describing a state that an undo, a decision or a new choice has changed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from framework.coding.actions import remove_coding, update_coding
from framework.store import Store
from framework.tui.screens.agreement import AgreementScreen
from framework.tui.screens.review import ReviewScreen

from .helpers import SIZE, press, scenario, settle
from .test_analysis_screens import AGENCY, GUIDELINE, WEIGHTING, consensus, open_screen, study  # noqa: F401
from .test_staleness import notice_changes, quiet

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@contextmanager
def elsewhere(store: Store) -> Iterator[Store]:
    """Another process on the same project: its own connection to the database file."""
    other = Store(store.path)
    try:
        yield other
    finally:
        other.close()


def detail(app) -> str:
    return str(app.screen.query_one("#passage-detail").render())


def progress_line(app) -> str:
    return str(app.screen.query_one("#review-progress").render())


@scenario
async def test_a_decision_whose_codings_changed_shows_so_and_counts_as_remaining(make, study) -> None:  # noqa: F811
    store = study.store
    app = quiet(make())
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        await press(pilot, "b")  # bob's theme (2.1) for the weighting passage
        assert (screen.done.decided, screen.done.remaining) == (1, 4)
        with elsewhere(store) as other:  # bob changes his theme, in another process
            bobs = next(c for c in other.codings.list(coder="bob") if (c.start, c.end) == WEIGHTING)
            update_coding(other, "bob", bobs.id, theme_id="2.2")
        await notice_changes(pilot)
        assert (screen.done.decided, screen.done.remaining) == (0, 5)
        assert progress_line(app).startswith("Decided 0 · remaining 5 (1 changed since decided)")
        await press(pilot, "p")  # the walk goes back to it: it is to be decided again
        assert screen.index == 0
        shown = detail(app)
        assert "changed since decided (accept:bob)" in shown.splitlines()[0]
        assert ("Changed since decided: bob: 2.2 L5 (was 2.1 L5) · decide again (or backspace: undecided)"
                in shown)
        assert screen.data.passages[0].decision.choice == "accept:bob"
        await press(pilot, "a")  # decided again: alice's version, now the same as bob's
        assert consensus(store, "int_07") == [(*WEIGHTING, "2.2")]
        assert (screen.done.decided, screen.done.remaining) == (1, 4)
        assert screen.data.passages[0].decided
        assert "Changed since decided" not in detail(app)


@scenario
async def test_with_a_filter_on_review_says_what_it_hides_and_how_to_see_it(make, study) -> None:  # noqa: F811
    app = quiet(make())
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, ReviewScreen(["alice", "bob"], document="int_07", theme_ids=["1.1", "1.2"],
                                              theme_title="Staffing"))
        screen = app.screen
        assert screen.index == 2  # alice's vacancy: the first on the filter
        assert detail(app).endswith("\n2 to decide on this filter; 2 more on other themes, hidden by the filter: "
                                    "t shows every theme")
        assert progress_line(app).endswith(" · on Staffing: 2 left, 2 hidden (t: every theme)")
        await press(pilot, "a", "b")  # the vacancy (alice's), then the agency passage (bob's)
        assert (screen.done.decided, screen.done.remaining) == (2, 3)
        assert detail(app).endswith("\nEvery disagreement on this filter is decided, but not all: 2 more on other "
                                    "themes, hidden by the filter: t shows every theme")
        assert "Every disagreement is decided" not in detail(app)
        assert progress_line(app).endswith(" · on Staffing: 0 left, 2 hidden (t: every theme)")
        await press(pilot, "n")  # nowhere to go on the filter: it says so again
        assert screen.index == 3
        assert detail(app).endswith("but not all: 2 more on other themes, hidden by the filter: t shows every theme")
        await press(pilot, "t")  # every theme again
        assert screen.theme_ids is None
        assert detail(app).endswith("\nEvery theme shown: 2 to decide")
        assert "hidden" not in progress_line(app) and "on Staffing" not in progress_line(app)
        await press(pilot, "n")
        assert screen.data.document.name == "int_08"  # the weighting passage is before; int_08 comes next


async def open_review(pilot) -> ReviewScreen:
    """Review alice's and bob's int_07."""
    await open_screen(pilot, ReviewScreen(["alice", "bob"], document="int_07"))
    return pilot.app.screen


def toasts(app) -> list[str]:
    return [n.message for n in app._notifications]


@scenario
async def test_the_status_line_never_describes_an_earlier_state(make, study) -> None:  # noqa: F811
    store = study.store
    app = quiet(make())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_review(pilot)
        await press(pilot, "y", "y")  # every agreement, after the question
        assert consensus(store, "int_07") == [(*GUIDELINE, "2.1")]
        assert detail(app).endswith("\n1 agreed passage accepted into the consensus layer (u takes it back)")
        assert not [t for t in toasts(app) if "accepted" in t]  # said where it is replaced, not in a toast
        await press(pilot, "u")
        assert consensus(store, "int_07") == []
        assert detail(app).endswith("\nUndone: accepting 1 agreed passages")
        assert "accepted into the consensus layer" not in detail(app)
        await press(pilot, "U")
        assert detail(app).endswith("\nRedone: accepting 1 agreed passages")
        assert "Undone" not in detail(app)
        await press(pilot, "b")  # a decision: what was said about the redo goes
        assert consensus(store, "int_07") == sorted([(*WEIGHTING, "2.1"), (*GUIDELINE, "2.1")])
        assert "Redone" not in detail(app) and "accepting" not in detail(app)
        assert screen.index == 2
        await press(pilot, "backspace")
        assert detail(app).endswith("\nThis passage is not decided")
        await press(pilot, "u")  # the decision on the weighting passage is taken back
        assert detail(app).endswith("\nUndone: the decision (accept:bob) on int_07 L5")
        assert "This passage is not decided" not in detail(app)


@scenario
async def test_agreement_shows_nothing_of_the_coders_before_while_computing(make, study) -> None:  # noqa: F811
    app = quiet(make())
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, AgreementScreen())
        screen = app.screen
        title = str(screen.query_one("#agreement-title").render())
        assert title.startswith("Agreement · alice, bob (most codings in common; c to choose) · 2 documents")
        assert str(screen.query_one("#agreement-detail").render()) != ""
        screen.coders = ["alice", "bob"]
        screen.load()  # as after choosing the coders with c
        assert str(screen.query_one("#agreement-title").render()) == "Agreement · alice, bob · computing…"
        assert str(screen.query_one("#agreement-detail").render()) == ""
        await settle(pilot)
        title = str(screen.query_one("#agreement-title").render())
        assert title.startswith("Agreement · alice, bob · 2 documents")
        assert str(screen.query_one("#agreement-detail").render()) != ""


@scenario
async def test_a_decision_left_where_nobody_codes_any_more_is_taken_back_with_backspace(make, study) -> None:  # noqa: F811
    store = study.store
    app = quiet(make())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_review(pilot)
        await press(pilot, "n", "n")
        assert screen.current_passage().status == "only:bob"  # the agency passage
        await press(pilot, "b")
        assert consensus(store, "int_07") == [(*AGENCY, "1.2")]
        with elsewhere(store) as other:  # bob removes his coding there, in another process
            agency = next(c for c in other.codings.list(coder="bob") if (c.start, c.end) == AGENCY)
            remove_coding(other, "bob", agency.id)
        await notice_changes(pilot)
        assert [p.status for p in screen.data.passages] == ["theme", "agree", "only:alice", "gone"]
        assert (screen.done.decided, screen.done.remaining) == (0, 5)
        screen.select(3)
        shown = detail(app)
        assert shown.startswith("■ no coder codes it any more · L10 · passage 4 of 4 · changed since decided "
                                "(accept:bob)")
        assert ("Changed since decided: bob: not coded (was 1.2 L10) · backspace takes it and its consensus codings "
                "away") in shown
        await press(pilot, "b")
        assert [t for t in toasts(app) if "nothing to decide" in t]
        assert consensus(store, "int_07") == [(*AGENCY, "1.2")]
        await press(pilot, "backspace")
        assert consensus(store, "int_07") == []
        assert [p.status for p in screen.data.passages] == ["theme", "agree", "only:alice"]
        assert (screen.done.decided, screen.done.remaining) == (0, 4)
