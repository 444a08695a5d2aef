"""What the cell editor reads again, and what it does with a summary changed elsewhere (no Textual here).

While a summary is being written, another process may change the same cell (a colleague
on the same project, ``framework chart cell``). The editor reads the cell again when that
happens (:func:`read_cell`) and :func:`meet` says what to do with the summary it finds:
nothing (it is the one the editor knows), take it (nothing of yours is unsaved), or keep
both (yours stays in the editor, theirs is shown, and you choose).
"""

from __future__ import annotations

from dataclasses import dataclass

from framework.analysis.charting import Extract, build_charts
from framework.errors import InputError
from framework.store import ChartCell, Store

SAME, TAKE, CLASH = "same", "take", "clash"


@dataclass(frozen=True)
class CellNow:
    """A cell as it is in the project: its passages and its stored summary (None: never written).

    ``gone`` says why the cell can no longer be read (its theme or case was removed elsewhere).
    """

    extracts: tuple[Extract, ...] = ()
    cell: ChartCell | None = None
    gone: str = ""

    @property
    def summary(self) -> str:
        return self.cell.summary if self.cell is not None else ""


def read_cell(store: Store, layer: str, chart_theme_id: str, case_id: int, column_id: str) -> CellNow:
    """The cell's passages and stored summary, as they are now."""
    try:
        chart = build_charts(store, layer, theme_ids=[chart_theme_id]).charts[0]
    except InputError as error:
        return CellNow(gone=str(error))
    if not any(c.id == column_id for c in chart.columns):
        return CellNow(gone=f"theme {column_id!r} is no longer a column of this chart.")
    if not any(r.case.id == case_id for r in chart.rows):
        return CellNow(gone="the case is no longer in the project.")
    return CellNow(chart.cell(case_id, column_id).extracts, store.cells.find(case_id, column_id, layer))


def meet(stored: str, *, known: str, sent: str, typed: str, busy: bool) -> str:
    """What to do with the summary ``stored`` now, read after another process changed the project.

    ``known`` is the summary the editor last read or saved, ``sent`` the last one it sent
    to be saved, ``typed`` what is in the editor, ``busy`` whether a save is pending.
    ``SAME``: nothing to do; ``TAKE``: show it (nothing unsaved is lost); ``CLASH``: keep
    both and let the writer choose.
    """
    if stored in (known, sent):
        return SAME
    if typed == known and not busy:
        return TAKE
    if typed == stored:
        return TAKE
    return CLASH


def both(theirs: str, mine: str) -> str:
    """Their summary, then yours, to be edited into one."""
    if not theirs.strip():
        return mine
    if not mine.strip():
        return theirs
    return f"{theirs.rstrip()}\n\n{mine.lstrip()}"
