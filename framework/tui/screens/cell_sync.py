"""Keeping the cell editor in step with the project when others change it.

When another process changes the project, the editor reads its cell again
(:func:`framework.views.summary.read_cell`): the passages list is redrawn, and a summary
written meanwhile by someone else is shown at once if nothing of yours is unsaved. If you
have typed since, both are kept: yours stays in the editor (and is not saved), theirs is
shown beneath it, and ``ctrl+g`` (or leaving) asks whether to keep yours, take theirs or put
both together. Every save says which summary it was written over, so a save that would
replace a newer summary is refused by the core (:class:`framework.coding.actions.CellChanged`)
and leads to the same choice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.message import Message
from textual.widgets import Static, TextArea

from framework.coding.actions import CellChanged, local_time, set_cell
from framework.store import ChartCell
from framework.tui.dialogs.common import ChoiceDialog
from framework.tui.screens.following import FollowsProject
from framework.tui.shared import CellTarget, EditorResult
from framework.views.summary import CLASH, TAKE, CellNow, both, meet, read_cell

MINE, THEIRS, BOTH = "mine", "theirs", "both"


class CellSync(FollowsProject[EditorResult]):
    """Reading the cell again after changes made elsewhere, and settling a clash of summaries."""

    target: CellTarget
    saved_summary: str
    in_flight: int
    closing: bool
    status: str
    save_state: str
    known = ""
    """The summary the project held when the editor last read or saved it."""
    theirs: ChartCell | None = None
    """A summary someone else saved over the one you are writing (a clash to settle)."""

    @dataclass
    class Read(Message):
        now: CellNow

    @dataclass
    class Clashed(Message):
        """A save was refused: the cell holds a summary written meanwhile by someone else."""

        current: ChartCell
        message: str

    # provided by the editor
    def _fill_extracts(self) -> None:
        raise NotImplementedError

    def _save(self, status: str | None = None) -> None:
        raise NotImplementedError

    def _show_status(self) -> None:
        raise NotImplementedError

    @property
    def area(self) -> TextArea:
        return self.query_one("#summary", TextArea)

    # -- reading again ---------------------------------------------------------------------------

    def project_changed(self) -> None:
        self.read_cell()

    @work(thread=True, exclusive=True, exit_on_error=False, group="cell-read")
    def read_cell(self) -> None:
        """The cell's passages and summary as they are now (after coding in the reader, or elsewhere)."""
        t = self.target
        self.post_message(self.Read(read_cell(self.app.store, t.layer, t.chart_theme.id,  # type: ignore[attr-defined]
                                              t.case.id, t.column.id)))

    @on(Read)
    def _read(self, event: Read) -> None:
        now = event.now
        if now.gone:
            self.notify(f"This cell cannot be read any more ({now.gone}) It was changed by another process; "
                        "what you typed is still here to copy.", title="Cell removed", severity="warning",
                        timeout=10, markup=False)
            return
        self.extracts = list(now.extracts)
        self._fill_extracts()
        if self.theirs is not None:
            self._clash_again(now)
            return
        outcome = meet(now.summary, known=self.known, sent=self.saved_summary, typed=self.area.text,
                       busy=bool(self.in_flight) or self._timer is not None)  # type: ignore[attr-defined]
        if outcome == TAKE and now.cell is not None:
            if now.summary != self.area.text:
                self.notify(f"{now.cell.updated_by} changed this summary at {local_time(now.cell.updated_at)}: "
                            "shown as it is now.", title="Summary changed", timeout=6, markup=False)
            self._take(now.cell)
        elif outcome == CLASH and now.cell is not None:
            self.clash(now.cell, f"{now.cell.updated_by} changed this summary at {local_time(now.cell.updated_at)} "
                                 "while you were writing.")
        elif now.cell is not None and now.summary == self.known:
            self.status = now.cell.status

    def _take(self, cell: ChartCell) -> None:
        """Show a summary written elsewhere (nothing of yours is lost)."""
        self.known = self.saved_summary = cell.summary
        self.status = cell.status
        if self.area.text != cell.summary:
            self.area.text = cell.summary
            self.area.move_cursor(self.area.document.end)
        self.save_state = "saved"

    def _clash_again(self, now: CellNow) -> None:
        """While a clash waits: their newer summary replaces the one shown; theirs equal to yours ends it."""
        if now.cell is None:
            return
        if now.summary == self.area.text:
            self.theirs = None
            self._take(now.cell)
            self._show_theirs()
        elif now.summary != self.theirs.summary:  # type: ignore[union-attr]
            self.clash(now.cell, f"{now.cell.updated_by} changed this summary again.")

    # -- a clash ------------------------------------------------------------------------------------

    def save_action(self, text: str, status: str | None) -> Callable[[], ChartCell | CellChanged]:
        """The save, in a worker: over the summary last known, or refused with the cell as it is now."""
        store, coder, target, seen = self.app.store, self.app.coder, self.target, self.known  # type: ignore[attr-defined]

        def save() -> ChartCell | CellChanged:
            try:
                return set_cell(store, coder, target.case.id, target.column.id, target.layer, summary=text,
                                status=status, seen=seen)
            except CellChanged as clash:
                return clash

        return save

    @on(Clashed)
    def _clashed(self, event: Clashed) -> None:
        self.in_flight -= 1
        self.closing = False
        self.clash(event.current, event.message)

    def clash(self, theirs: ChartCell, message: str) -> None:
        """Keep yours in the editor (unsaved) and show theirs, until you choose."""
        self.theirs = theirs
        self.saved_summary = self.known
        self.status = theirs.status
        self.save_state = "clash"
        self._show_theirs()
        self.notify(f"{message} Yours is kept in the editor (not saved) and theirs is shown below it: ctrl+g "
                    "chooses.", title="Summary changed elsewhere", severity="warning", timeout=12, markup=False)
        self.refresh_bindings()

    def _show_theirs(self) -> None:
        panel = self.query_one("#theirs", Static)
        panel.display = self.theirs is not None
        if self.theirs is None:
            return
        theirs = self.theirs
        text = Text.assemble((f"Theirs: {theirs.updated_by} at {local_time(theirs.updated_at)}", "bold"),
                             " · yours is above, not saved · ctrl+g: keep yours, take theirs or both\n")
        text.append(theirs.summary or "(emptied)", style="" if theirs.summary else "italic")
        panel.update(text)

    def action_resolve(self, then_close: bool = False) -> None:
        """Choose between your summary and the one saved meanwhile by someone else."""
        theirs = self.theirs
        if theirs is None:
            return
        choices = [(f"Keep mine: replace {theirs.updated_by}'s", MINE), (f"Take {theirs.updated_by}'s: drop mine", THEIRS),
                   ("Both: theirs, then mine, to edit into one", BOTH), ("Decide later: keep writing", "")]
        self.app.push_screen(ChoiceDialog(f"{theirs.updated_by} changed this summary while you were writing",
                                          choices), lambda choice: self._resolved(choice, then_close))

    def _resolved(self, choice: str | None, then_close: bool) -> None:
        theirs = self.theirs
        if not choice or theirs is None:
            return
        self.theirs = None
        self._show_theirs()
        self.refresh_bindings()
        mine = self.area.text
        self.known = self.saved_summary = theirs.summary
        self.save_state = "saved"
        if choice == THEIRS:
            self._take(theirs)
        elif choice == BOTH:
            self.area.text = both(theirs.summary, mine)
            self.area.move_cursor(self.area.document.end)
            self.area.focus()
            return
        else:
            self._save()
        if then_close:
            self.action_close()  # type: ignore[attr-defined]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "resolve":
            return self.theirs is not None
        return True
