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
