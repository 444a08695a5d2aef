"""Pilot tests of the review screen when codings change after a decision: the decision shows
as changed since decided, with what changed, and counts as remaining until decided again."""

from __future__ import annotations

import pytest

from framework.coding.actions import update_coding
from framework.store import Store
from framework.tui.screens.review import ReviewScreen

from .helpers import SIZE, press, scenario
from .test_analysis_screens import WEIGHTING, consensus, open_screen, study  # noqa: F401
from .test_staleness import notice_changes, quiet

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def detail(app) -> str:
    return str(app.screen.query_one("#passage-detail").render())


def progress_line(app) -> str:
    return str(app.screen.query_one("#review-progress").render())


@scenario
async def test_a_decision_whose_codings_changed_shows_so_and_counts_as_remaining(make, study) -> None:  # noqa: F811
    store = study.store
    app = quiet(make())
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, ReviewScreen(["alice", "bob"], document="int_07"))
        screen = app.screen
        await press(pilot, "b")  # bob's theme (2.1) for the weighting passage
        assert (screen.done.decided, screen.done.remaining) == (1, 4)
        other = Store(store.path)  # bob changes his theme, in another process
        try:
            bobs = next(c for c in other.codings.list(coder="bob") if (c.start, c.end) == WEIGHTING)
            update_coding(other, "bob", bobs.id, theme_id="2.2")
        finally:
            other.close()
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
