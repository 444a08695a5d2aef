"""The cell editor: a case x theme cell's coded passages beside its summary.

Left, every passage coded for the case and the column's theme (and the themes below it),
with its line reference. Right, the summary, saved as you type (half a second after the
last key, through :func:`framework.coding.set_cell`). ``ctrl+r`` inserts the reference of
the highlighted passage, ``ctrl+t`` the passage as a marked quote with its reference
(summarise, mark quotes, always reference). Escape returns to the matrix with the cell updated.
What others change meanwhile is followed by :class:`~framework.tui.screens.cell_sync.CellSync`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Footer, Header, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from framework.analysis.charting import Extract
from framework.coding.actions import CellChanged
from framework.store import CONSENSUS, ChartCell
from framework.tui.screens.cell_sync import CellSync
from framework.tui.shared import CellTarget, EditorResult

SAVE_DELAY = 0.5
"""Seconds after the last key before the summary is saved."""
STATUS_WORDS = {"empty": "○ empty", "draft": "◐ draft", "done": "● done"}


class CellEditorScreen(CellSync):
    """Write the summary of one cell beside the passages it summarises."""

    CSS_PATH = "analysis.tcss"

    BINDINGS = [
        Binding("ctrl+r", "insert_reference", "Insert ref", id="cell.reference",
                tooltip="Insert the reference of the highlighted passage, e.g. [int_07 L12-14]"),
        Binding("ctrl+t", "insert_quote", "Insert quote", id="cell.quote",
                tooltip="Insert the highlighted passage as a marked quote with its reference"),
        Binding("ctrl+s", "status('done')", "Done", id="cell.done", tooltip="Mark the cell done"),
        Binding("ctrl+b", "status('draft')", "Draft", id="cell.draft", tooltip="Mark the cell draft"),
        Binding("ctrl+down", "passage(1)", "Next passage", show=False, id="cell.next_passage",
                tooltip="Highlight the next passage (also while typing)"),
        Binding("ctrl+up", "passage(-1)", "Previous passage", show=False, id="cell.previous_passage",
                tooltip="Highlight the previous passage (also while typing)"),
        Binding("ctrl+o", "open_passage", "Open in reader", id="cell.open",
                tooltip="Open the highlighted passage in the reader"),
        Binding("ctrl+g", "resolve", "Keep yours/theirs", id="cell.resolve",
                tooltip="The summary was changed elsewhere while you wrote: keep yours, take theirs or both"),
        Binding("escape", "close", "Back", id="cell.back", tooltip="Save and go back to the matrix"),
    ]

    save_state: reactive[str] = reactive("saved", init=False)
    """``saved``, ``unsaved`` (typing), ``saving``, ``failed`` or ``clash`` (changed elsewhere meanwhile)."""
    status: reactive[str] = reactive("empty", init=False)

    @dataclass
    class Saved(Message):
        cell: ChartCell

    @dataclass
    class NotSaved(Message):
        pass

    def __init__(self, target: CellTarget) -> None:
        super().__init__()
        self.target = target
        self.extracts = list(target.cell.extracts)
        self.saved_summary = self.known = target.cell.summary
        self.last: ChartCell | None = None
        self.in_flight = 0
        self.closing = False
        self.visited_reader = False
        self.saved_at = ""
        self._timer: Timer | None = None
        self.set_reactive(CellEditorScreen.status, target.cell.status)

    @property
    def writable(self) -> bool:
        coder = self.app.coder  # type: ignore[attr-defined]
        return bool(coder) and self.target.layer in (coder, CONSENSUS)

    def compose(self) -> ComposeResult:
        yield Header(icon="▦")
        yield Static(self._title(), id="editor-title", classes="analysis-bar")
        with Horizontal(id="editor-body"):
            with Vertical(id="extracts-pane"):
                yield Static("", id="extracts-title", classes="analysis-pane-title")
                yield OptionList(id="extracts")
            with Vertical(id="summary-pane"):
                yield Static("Summary  [dim]in your own words · ctrl+r reference · ctrl+t quote[/]",
                             id="summary-title", classes="analysis-pane-title")
                yield TextArea(self.target.cell.summary, id="summary", soft_wrap=True, tab_behavior="focus",
                               show_line_numbers=False)
                yield Static("", id="theirs", markup=False)
        yield Static("", id="editor-status", classes="analysis-bar")
        yield Footer()

    def on_mount(self) -> None:
        area = self.query_one("#summary", TextArea)
        area.read_only = not self.writable
        area.move_cursor(area.document.end)
        self._fill_extracts()
        (area if self.writable else self.query_one("#extracts")).focus()
        self.query_one("#theirs").display = False
        self._show_status()

    def _title(self) -> Text:
        case, column = self.target.case, self.target.column
        text = Text.assemble((case.name, "bold"))
        values = [v for v in case.attributes.values() if v]
        if values:
            text.append(f" ({', '.join(values)})", style="dim")
        text.append(" × ")
        text.append(column.heading, style="bold")
        if column.id != self.target.chart_theme.id:
            text.append(f" · chart {self.target.chart_theme.id} {self.target.chart_theme.label}", style="dim")
        text.append(f" · layer {self.target.layer}", style="dim")
        return text

    # -- passages ------------------------------------------------------------------------------

    def _fill_extracts(self) -> None:
        options: list[Option | None] = []
        catalog = self.app.catalog  # type: ignore[attr-defined]
        for n, extract in enumerate(self.extracts):
            if n:
                options.append(None)
            text = Text.assemble((extract.reference, "bold"))
            if extract.theme_id != self.target.column.id:
                text.append(f"  {catalog.title(extract.theme_id)}", style="dim")
            text.append("\n" + " ".join(extract.quote.split()))
            if extract.memo:
                text.append(f"\nmemo: {extract.memo}", style="italic")
            options.append(Option(text, id=str(n)))
        extracts = self.query_one("#extracts", OptionList)
        extracts.set_options(options)
        if self.extracts:
            extracts.highlighted = 0
        count = len(self.extracts)
        self.query_one("#extracts-title", Static).update(
            f"Coded passages ({count})" if count else "No coded passages for this cell")

    def highlighted(self) -> Extract | None:
        extracts = self.query_one("#extracts", OptionList)
        index = extracts.highlighted
        if index is None:
            return None
        option = extracts.get_option_at_index(index)
        return self.extracts[int(option.id or 0)]

    def action_passage(self, step: int) -> None:
        extracts = self.query_one("#extracts", OptionList)
        if not self.extracts:
            return
        current = extracts.highlighted
        ids = [i for i in range(extracts.option_count) if not extracts.get_option_at_index(i).disabled]
        if current is None or current not in ids:
            extracts.highlighted = ids[0]
            return
        position = max(0, min(len(ids) - 1, ids.index(current) + step))
        extracts.highlighted = ids[position]

    def action_insert_reference(self) -> None:
        extract = self.highlighted()
        if extract is not None:
            self._insert(extract.reference)

    def action_insert_quote(self) -> None:
        extract = self.highlighted()
        if extract is not None:
            self._insert(extract.marked_quote)

    def _insert(self, text: str) -> None:
        area = self.query_one("#summary", TextArea)
        if area.read_only:
            self.notify(self._read_only_reason(), timeout=4)
            return
        start, end = sorted(area.selection)
        before = area.document.get_line(start[0])[: start[1]]
        if before and not before[-1].isspace():
            text = " " + text
        area.replace(text, start, end, maintain_selection_offset=False)
        area.focus()

    def _read_only_reason(self) -> str:
        if not self.app.coder:  # type: ignore[attr-defined]
            return "Choose who you are first (C) to write summaries"
        return f"This is {self.target.layer}'s chart: summaries are written in your own layer or the consensus"

    def action_open_passage(self) -> None:
        extract = self.highlighted()
        if extract is None:
            return
        self.visited_reader = True
        if extract.detached:
            self.app.show_passage(extract.document_id, line=extract.line_start)  # type: ignore[attr-defined]
        else:
            self.app.show_passage(extract.document_id, span=(extract.start, extract.end))  # type: ignore[attr-defined]

    def on_screen_suspend(self) -> None:
        """Covered by the reader: save what was typed now rather than when typing pauses."""
        if self._timer is not None and self.writable:
            self._save()

    def on_screen_resume(self) -> None:
        if self.visited_reader:
            self.read_cell()

    # -- saving ----------------------------------------------------------------------------------

    @on(TextArea.Changed, "#summary")
    def _typed(self, event: TextArea.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.theirs is not None:
            return
        if event.text_area.text == self.saved_summary:
            if not self.in_flight:
                self.save_state = "saved"
            return
        self.save_state = "unsaved"
        self._timer = self.set_timer(SAVE_DELAY, self._save)

    def _save(self, status: str | None = None) -> None:
        """Save the summary (and a status) through the core, in a worker, in key order."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.theirs is not None:  # changed elsewhere: nothing is saved until you choose
            if status is not None:
                self.action_resolve()
            return
        text = self.query_one("#summary", TextArea).text
        if status is None and text == self.saved_summary:
            if self.save_state == "unsaved":
                self.save_state = "saved"
            return
        self.in_flight += 1
        self.save_state = "saving"
        self.saved_summary = text
        self.app.write(  # type: ignore[attr-defined]
            self, self.save_action(text, status),
            lambda r: self.Clashed(r.current, str(r)) if isinstance(r, CellChanged) else self.Saved(r),
            self.NotSaved,
        )

    @on(Saved)
    def _saved(self, event: Saved) -> None:
        self.in_flight -= 1
        self.last = event.cell
        self.known = event.cell.summary
        self.status = event.cell.status
        self.saved_at = event.cell.updated_at[11:19] if len(event.cell.updated_at) >= 19 else event.cell.updated_at
        pending = self._timer is not None or self.query_one("#summary", TextArea).text != self.saved_summary
        if not self.in_flight and not pending:
            self.save_state = "saved"
        if self.closing and not self.in_flight:
            self._finish()

    @on(NotSaved)
    def _not_saved(self) -> None:
        self.in_flight -= 1
        self.closing = False
        self.saved_summary = self.known
        self.save_state = "failed"

    def action_status(self, status: str) -> None:
        if not self.writable:
            self.notify(self._read_only_reason(), timeout=4)
            return
        self._save(status=status)

    def action_close(self) -> None:
        if self.theirs is not None:
            self.action_resolve(then_close=True)
            return
        if self.writable:
            self._save()
        self.closing = True
        if not self.in_flight:
            self._finish()

    def _finish(self) -> None:
        self.closing = False
        self.dismiss(EditorResult(self.last, reload=self.visited_reader))

    # -- the status line ----------------------------------------------------------------------------

    def watch_save_state(self) -> None:
        self._show_status()

    def watch_status(self) -> None:
        self._show_status()

    def _show_status(self) -> None:
        text = Text.assemble((STATUS_WORDS.get(self.status, self.status), "bold"))
        if not self.writable:
            text.append(f" · read only: {self._read_only_reason()}", style="italic")
        elif self.save_state == "saving":
            text.append(" · saving…")
        elif self.save_state == "unsaved":
            text.append(" · typing (saved when you pause)", style="italic")
        elif self.save_state == "failed":
            text.append(" · NOT SAVED (see the message; keep typing to try again)", style="bold")
        elif self.save_state == "clash":
            text.append(" · NOT SAVED: changed elsewhere meanwhile (theirs below) · ctrl+g chooses", style="bold")
        elif self.saved_at:
            text.append(f" · saved ✓ {self.saved_at}")
        else:
            text.append(" · saved as you type")
        text.append("   ctrl+s done · ctrl+b draft · Esc back", style="dim")
        self.set_class(self.save_state in ("failed", "clash"), "-failed")
        self.query_one("#editor-status", Static).update(text)
