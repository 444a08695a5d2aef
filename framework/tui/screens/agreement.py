"""The agreement screen: inter-coder agreement per theme, flagged against the usual thresholds.

The table is :func:`framework.analysis.compare.project_agreement`'s result, computed once in a
thread worker for all three levels: paragraphs (the primary measure), characters (per
pair of coders, as NVivo's coding comparison) and documents; ``u`` switches between them.
Values are flagged as the text report flags them (Krippendorff's alpha: >= 0.800
reliable, 0.667-0.800 tentative; kappa: Landis & Koch bands); an undefined value shows
``n/a`` and its reason is on the detail line. Enter reviews the theme's disagreements.

Without coders named, the screen compares the coders chosen last (here or on the review
screen), else the two coders with the most codings in common; a choice made with ``c`` is
remembered and carried to the review screen. The documents are those every compared coder
coded; the others are counted in the title and listed with ``l``, each with the reason, and
a theme also coded in them is marked ``*``. When another process changes the project, the
agreement is computed again, keeping the unit, the sort and the row under the cursor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import Worker, WorkerState

from framework.analysis.agreement import ALPHA_RELIABLE, ALPHA_TENTATIVE, LEVELS
from framework.analysis.compare import coders_with_codings, project_agreement
from framework.errors import FrameworkError
from framework.tui.dialogs.coders import CoderSelection
from framework.tui.dialogs.common import ChoiceDialog
from framework.tui.screens.following import FollowsProject
from framework.tui.widgets.agreement_table import AgreementTable
from framework.views.agreement import StatLine, columns, left_out_lines, sorted_lines, stat_lines
from framework.views.compared import compared_coders, remember

LEGEND = (f"alpha ≥ {ALPHA_RELIABLE:.3f} reliable, {ALPHA_TENTATIVE:.3f}–{ALPHA_RELIABLE:.3f} tentative · "
          "kappa: Landis & Koch bands · n/a: why, above")


class AgreementScreen(FollowsProject[None]):
    """Agreement per theme between two or more coders; Enter opens its disagreements."""

    CSS_PATH = "analysis.tcss"
    AUTO_FOCUS = "#agreement"

    BINDINGS = [
        Binding("enter", "review", "Review theme", priority=True, id="agreement.review",
                tooltip="Review this theme's disagreements side by side"),
        Binding("u", "cycle_level", "Unit", id="agreement.unit",
                tooltip="Switch between paragraph, character and document level"),
        Binding("s", "sort", "Sort", id="agreement.sort", tooltip="Sort by a column (again: reverse)"),
        Binding("c", "choose_coders", "Coders", id="agreement.coders", tooltip="Choose the coders to compare"),
        Binding("o", "toggle_rollup", "Roll-up", show=False, id="agreement.rollup",
                tooltip="Count a subtheme's coding for its parents too (on/off)"),
        Binding("r", "review_all", "Review all", id="agreement.review_all",
                tooltip="Review every disagreement, document by document"),
        Binding("l", "left_out", "Left out", id="agreement.left_out",
                tooltip="The documents left out of the comparison, and why"),
        Binding("escape", "back", "Back", id="agreement.back"),
    ]

    level: reactive[str] = reactive("paragraph", init=False)
    sort_key: reactive[str] = reactive("theme", init=False)
    sort_reverse: reactive[bool] = reactive(False, init=False)

    @dataclass
    class Computed(Message):
        result: dict[str, Any]
        labels: dict[str, str]
        everyone: list[str]
        why: str = "given"

    @dataclass
    class Problem(Message):
        message: str
        everyone: list[str]

    def __init__(self, coders: list[str] | None = None, *, rollup: bool = False) -> None:
        super().__init__()
        self.coders = list(coders) if coders else None
        self.rollup = rollup
        self.result: dict[str, Any] | None = None
        self.labels: dict[str, str] = {}
        self.everyone: list[str] = []
        self.rows: list[StatLine] = []
        self.why = "given"

    def compose(self) -> ComposeResult:
        yield Header(icon="▦")
        yield Static("", id="agreement-title", classes="analysis-bar")
        yield AgreementTable(id="agreement")
        yield Static("", id="agreement-detail", classes="analysis-detail")
        yield Static(LEGEND, id="agreement-legend", classes="analysis-bar")
        yield Footer()

    @property
    def table(self) -> AgreementTable:
        return self.query_one("#agreement", AgreementTable)

    def on_mount(self) -> None:
        self.watch(self.app, "theme", self._rebuild, init=False)
        self.load()

    # -- computing -------------------------------------------------------------------------------

    def load(self, *, quietly: bool = False) -> None:
        """Compute in a worker; ``quietly`` keeps the table as it is until the result comes."""
        if not quietly:  # nothing about the coders compared before stays on screen meanwhile
            self.table.loading = True
            coders = f" · {', '.join(self.coders)}" if self.coders else ""
            self.query_one("#agreement-title", Static).update(Text.assemble(("Agreement", "bold"), coders,
                                                                            (" · computing…", "dim")))
            self.query_one("#agreement-detail", Static).update("")
        self.compute(self.coders, self.rollup)

    def project_changed(self) -> None:
        """Codings changed elsewhere: the agreement as it is now, in the same order, on the same row."""
        self.load(quietly=True)

    @work(thread=True, exclusive=True, exit_on_error=False, group="agreement")
    def compute(self, coders: list[str] | None, rollup: bool) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        everyone = coders_with_codings(store)
        compared = compared_coders(self.app.project, coders)  # type: ignore[attr-defined]
        chosen = compared.coders
        if len(chosen) < 2:
            found = ", ".join(everyone) or "none"
            self.post_message(self.Problem(
                f"Agreement needs two or more coders with codings (coders with codings: {found}).", everyone))
            return
        try:
            result = project_agreement(store, chosen, rollup=rollup)
        except FrameworkError as error:
            self.post_message(self.Problem(str(error), everyone))
            return
        labels = {t.id: t.label for t in store.themes.list()}
        self.post_message(self.Computed(result, labels, everyone, compared.why))

    @on(Computed)
    def _computed(self, event: Computed) -> None:
        self.table.loading = False
        if (event.result, event.labels, event.everyone, event.why) == (self.result, self.labels, self.everyone,
                                                                        self.why):
            self._describe()  # as it was: the title and detail line again, in place of "computing"
            return
        self.result, self.labels, self.everyone = event.result, event.labels, event.everyone
        self.why = event.why
        self.coders = list(event.result["coders"])
        self.table.loading = False
        self._rebuild()

    @on(Worker.StateChanged)
    def _failed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "agreement" and event.state == WorkerState.ERROR:
            self.table.loading = False

    @on(Problem)
    def _problem(self, event: Problem) -> None:
        self.result, self.everyone, self.rows = None, event.everyone, []
        table = self.table
        table.loading = False
        table.clear(columns=True)
        self.query_one("#agreement-title", Static).update(Text("Agreement", style="bold"))
        self.query_one("#agreement-detail", Static).update(
            Text.assemble((event.message, "bold"), "\nPress c to choose the coders, Esc to go back."))

    # -- the table ---------------------------------------------------------------------------------

    def columns(self) -> list[tuple[str, str]]:
        """(key, heading) of the columns at the current level."""
        coders = self.result["coders"] if self.result else []
        return columns(self.level, coders, wide=self.size.width >= 110)

    def build_rows(self) -> list[StatLine]:
        """The rows at the current level, sorted as chosen."""
        if self.result is None:
            return []
        return sorted_lines(stat_lines(self.result, self.level, self.labels), self.sort_key, self.sort_reverse)

    def _rebuild(self) -> None:
        if self.result is None:
            return
        self.rows = self.build_rows()
        self.table.show(self.rows, self.columns(), self.sort_key, self.sort_reverse)
        self._describe()

    def on_resize(self) -> None:
        self._rebuild()

    def current(self) -> StatLine | None:
        return self.table.current()

    def _describe(self) -> None:
        result = self.result
        if result is None:
            return
        title = Text.assemble(("Agreement", "bold"), f" · {', '.join(result['coders'])}")
        if self.why == "most in common":
            title.append(" (most codings in common; c to choose)", style="dim")
        title.append(f" · {len(result['documents'])} document{'s' if len(result['documents']) != 1 else ''}")
        left = len(result.get("left_out", []))
        if left:
            title.append(f" ({left} left out: l lists them)", style="bold")
        title.append(f" · roll-up {'on' if result['rollup'] else 'off'}")
        title.append(" · unit: ")
        for level in LEVELS:
            title.append(f" {level} ", style="reverse bold" if level == self.level else "dim")
        self.query_one("#agreement-title", Static).update(title)
        self._describe_row()

    @on(DataTable.RowHighlighted, "#agreement")
    def _highlighted(self) -> None:
        self._describe_row()

    def _describe_row(self) -> None:
        detail = self.query_one("#agreement-detail", Static)
        row = self.current()
        if row is None:
            detail.update("No theme was coded in the documents compared." if self.result else "")
            return
        text = Text.assemble((row.title, "bold"), row.detail)
        for note in row.notes:
            text.append(f"\nn/a: {note}", style="italic")
        if row.left_out:
            text.append(f"\n* {row.left_out}", style="bold")
        detail.update(text)

    # -- keys ---------------------------------------------------------------------------------------

    def watch_level(self) -> None:
        self._rebuild()

    def watch_sort_key(self) -> None:
        self._rebuild()

    def watch_sort_reverse(self) -> None:
        self._rebuild()

    def action_cycle_level(self) -> None:
        self.level = LEVELS[(LEVELS.index(self.level) + 1) % len(LEVELS)]
        if self.sort_key not in dict(self.columns()):
            self.sort_key = "theme"

    def action_sort(self) -> None:
        choices = [(heading + ("  (again: reverse)" if key == self.sort_key else ""), key)
                   for key, heading in self.columns()]
        self.app.push_screen(ChoiceDialog("Sort by", choices), self._sort_by)

    @on(DataTable.HeaderSelected, "#agreement")
    def _header(self, event: DataTable.HeaderSelected) -> None:
        self._sort_by(str(event.column_key.value))

    def _sort_by(self, key: str | None) -> None:
        if key is None:
            return
        if key == self.sort_key:
            self.sort_reverse = not self.sort_reverse
        else:
            self.set_reactive(AgreementScreen.sort_reverse, key not in ("theme", "pair"))
            self.sort_key = key

    def action_choose_coders(self) -> None:
        if len(self.everyone) < 2:
            self.notify("Fewer than two coders have codings yet", timeout=4)
            return
        chosen = self.coders or self.everyone
        self.app.push_screen(CoderSelection(self.everyone, chosen), self._coders_chosen)

    def _coders_chosen(self, coders: list[str] | None) -> None:
        if coders:
            self.coders = coders
            self.remember_coders(coders)
            self.load()

    @work(thread=True, exit_on_error=False, group="agreement-settings")
    def remember_coders(self, coders: list[str]) -> None:
        """Keep the choice for this person's next agreement or review screen."""
        remember(self.app.project, coders)  # type: ignore[attr-defined]

    def action_left_out(self) -> None:
        if self.result is None:
            return
        lines = left_out_lines(self.result)
        if not lines:
            self.notify("No document was left out: every compared coder coded each one", timeout=4)
            return
        choices = [(Text(line), line.split(":", 1)[0]) for line in lines]
        self.app.push_screen(ChoiceDialog("Left out of this comparison (Enter opens the document)", choices),
                             self._open_left_out)

    def _open_left_out(self, name: str | None) -> None:
        if name and self.result is not None and any(x["document"] == name for x in self.result["left_out"]):
            self.app.show_passage(name)  # type: ignore[attr-defined]

    def action_toggle_rollup(self) -> None:
        self.rollup = not self.rollup
        self.load()

    def review_filter(self, theme: str) -> list[str]:
        """The themes a theme's disagreements are about: itself, and with roll-up those below."""
        if self.rollup:
            return list(self.app.catalog.descendants(theme))  # type: ignore[attr-defined]
        return [theme]

    def action_review(self) -> None:
        row = self.current()
        if row is None or self.result is None:
            return
        self._open_review(theme=row.theme)

    def action_review_all(self) -> None:
        if self.result is not None:
            self._open_review(theme=None)

    def _open_review(self, theme: str | None) -> None:
        result = self.result
        assert result is not None
        theme_ids = self.review_filter(theme) if theme else None
        title = f"{theme} {self.labels.get(theme, '')}".strip() if theme else None
        self.app.open_review(list(result["coders"]), theme_ids=theme_ids,  # type: ignore[attr-defined]
                             theme_title=title, documents=list(result["documents"]))

    def action_back(self) -> None:
        self.app.pop_screen()

