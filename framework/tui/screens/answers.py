"""The answers screen: one survey question at a time, its answers as rows, coded one by one or
many at once.

Each row is a respondent's answer with their attributes and the themes it is coded with. The
cursor's answer, or the marked ones (space, shift+arrows, ``*`` for all shown), are coded with
the picker (``c``) or a recent theme (``1``-``9``) as one action that ``u`` undoes whole.
Enter opens the answer in the reader, under its question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Footer, Header, Static

from framework.coding import actions as core
from framework.coding.batch import BatchResult, describe
from framework.store import Attribute
from framework.store.questions import Question
from framework.tui.dialogs.common import ChoiceDialog
from framework.tui.dialogs.theme_picker import PickResult, ThemePicker
from framework.tui.messages import ProjectChanged
from framework.tui.screens.listing import LIST_BINDINGS, ListScreen
from framework.tui.widgets.paged_table import Column, PagedTable
from framework.views.answers import (
    CODED,
    LENGTH,
    METADATA,
    RESPONDENT,
    AnswerQuery,
    AnswerRow,
    AnswersStart,
    answer_rows,
    order_answers,
    start_answers,
)
from framework.views.paging import Ordered, highlighter, parse_filter

WRAPPED_LINES = 3
COLUMNS_SETTING = "answer_columns"


class AnswersScreen(ListScreen):
    """A question's answers: filter, sort, group, mark, code; Enter opens one in the reader."""

    AUTO_FOCUS = "#answers"
    NOUN = "answers"
    CSS_PATH = "answers.tcss"

    BINDINGS = [
        Binding("enter", "open", "Open", id="answers.open", tooltip="Read the answer in the reader, under its question"),
        Binding("c", "code", "Code", id="answers.code", tooltip="Code the marked answers (or this one) with a theme"),
        *[Binding(str(n), f"recent({n})", f"Recent theme {n}", show=False, id=f"answers.recent{n}",
                  tooltip=f"Code the marked answers (or this one) with recent theme {n}") for n in range(1, 10)],
        Binding("space", "mark", "Mark", id="answers.mark", tooltip="Mark or unmark this answer, then go down"),
        Binding("shift+down", "mark_move(1)", "Mark down", show=False, id="answers.mark_down",
                tooltip="Mark this answer and the next"),
        Binding("shift+up", "mark_move(-1)", "Mark up", show=False, id="answers.mark_up",
                tooltip="Mark this answer and the one above"),
        Binding("asterisk,ctrl+a", "mark_all", "Mark all", id="answers.mark_all",
                tooltip="Mark every answer shown (the filter's), or unmark them"),
        Binding("x", "uncode", "Uncode", show=False, id="answers.uncode",
                tooltip="Remove a theme from the marked answers (or this one)"),
        Binding("u", "undo", "Undo", id="answers.undo", tooltip="Undo your last action (a whole batch at once)"),
        Binding("ctrl+r,U", "redo", "Redo", show=False, id="answers.redo", tooltip="Redo what was undone"),
        *LIST_BINDINGS,
        Binding("right_square_bracket", "question(1)", "Next question", show=False, id="answers.next_question"),
        Binding("left_square_bracket", "question(-1)", "Previous question", show=False,
                id="answers.previous_question"),
        Binding("Q", "choose_question", "Question", id="answers.question", tooltip="Choose the question to read"),
        Binding("w", "wrap", "Wrap", show=False, id="answers.wrap", tooltip="Show answers on three lines, or one"),
        Binding("a", "columns", "Columns", show=False, id="answers.columns",
                tooltip="Choose the attributes shown as columns"),
        Binding("o", "toggle_others", "Others", show=False, id="answers.others",
                tooltip="Show or hide other coders' themes"),
        Binding("f", "autocode", "Autocode", id="answers.autocode",
                tooltip="Code every answer a text search finds (with a preview)"),
        Binding("r", "retrieval", "Retrieve", show=False, id="answers.retrieval",
                tooltip="Read every passage of a theme, across cases"),
    ]

    @dataclass
    class Started(Message):
        version: int
        start: AnswersStart

    @dataclass
    class Coded(Message):
        result: BatchResult
        ids: list[int]
        theme_id: str
        removed: bool = False

    @dataclass
    class Undone(Message):
        result: tuple[str, dict] | None
        redo: bool

    def __init__(self, question: str | None = None) -> None:
        super().__init__()
        self.question_ref = question
        self.question: Question | None = None
        self.questions: list[Question] = []
        self.attributes: list[Attribute] = []
        self.shown_attributes: list[str] = []
        self.marks: set[int] = set()
        self.message = ""
        self.set_reactive(ListScreen.sort_key, RESPONDENT)

    def compose(self) -> ComposeResult:
        yield Header(icon="▦")
        yield Static("", id="question", markup=False)
        with Horizontal(id="answers-bar"):
            yield from self.filter_bar("/ to filter: words in the answers (OR, NOT, \"a phrase\"), or attribute=value")
        yield PagedTable(self.cells, id="answers")
        yield Static("", id="summary", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.table.loading = True
        self.table.focus()
        self.watch(self.app, "coder", self._coder_changed, init=False)
        self.watch(self.app, "catalog_version", self._catalog_changed, init=False)
        self.watch(self.app, "show_others", self._catalog_changed, init=False)
        self._start(self.question_ref)

    def on_screen_resume(self) -> None:
        if self.ordered.entries:
            self.refresh_rows()

    def _coder_changed(self) -> None:
        self.reorder()

    @on(ProjectChanged)
    def _project_changed(self) -> None:
        """Another process coded or imported something: show the answers as they are now."""
        if self.question is not None:
            self.reorder()

    def _catalog_changed(self) -> None:
        self.table.repaint_cells()

    # -- loading ----------------------------------------------------------------------------------------

    def list_query(self) -> AnswerQuery:
        return AnswerQuery(self.question.text if self.question else "", self.filter_text, self.sort_key,
                           self.sort_reverse, self.group_key, self.app.coder)  # type: ignore[attr-defined]

    def _start(self, question: str | None) -> None:
        self.version += 1
        saved = self.app.project.settings().get(COLUMNS_SETTING)  # type: ignore[attr-defined]
        self._load_start(self.version, self.list_query(), question, saved if isinstance(saved, list) else None)

    @work(thread=True, exclusive=True, exit_on_error=False, group="list-order")
    def _load_start(self, version: int, query: AnswerQuery, question: str | None, columns: list[str] | None) -> None:
        start = start_answers(self.app.store, query, question, columns)  # type: ignore[attr-defined]
        self.post_message(self.Started(version, start))

    @on(Started)
    def _started(self, event: Started) -> None:
        if event.version != self.version:
            return
        start = event.start
        self.questions, self.question, self.attributes = start.questions, start.question, start.attributes
        self.shown_attributes = start.columns
        self.marks.clear()
        self.table.set_marks(())
        self.table.set_columns(self.columns())
        self._show_question()
        self.post_message(self.Reordered(event.version, start.ordered, start.rows, None))

    def order(self) -> Ordered:
        return order_answers(self.app.store, self.list_query(), self.attributes)  # type: ignore[attr-defined]

    def read_rows(self, ids: Sequence[int]) -> dict[int, AnswerRow]:
        return answer_rows(self.app.store, ids, self.app.coder)  # type: ignore[attr-defined]

    def watch_filter_text(self) -> None:
        self._highlight = highlighter(parse_filter(self.filter_text, self.attributes))
        self.table.repaint_cells()
        super().watch_filter_text()

    _highlight = None

    # -- the table -----------------------------------------------------------------------------------------

    def columns(self) -> list[Column]:
        columns = [Column("mark", "", natural=1, minimum=1), Column(RESPONDENT, "Respondent", minimum=6, maximum=20, keep=True)]
        columns += [Column(name, name, minimum=4, maximum=18) for name in self.shown_attributes]
        columns += [Column("answer", "Answer", minimum=20, flexible=True, wrap=True),
                    Column("themes", "Themes", minimum=6, maximum=24)]
        return columns

    def cells(self, row: AnswerRow) -> list[Text]:
        answer = Text(row.text)
        if self._highlight is not None:
            answer.highlight_regex(self._highlight, style="reverse")
        mark = Text("●" if row.document_id in self.marks else " ", style="bold")
        return [mark, Text(row.case, style="bold"), *(Text(row.attributes.get(n, "")) for n in self.shown_attributes),
                answer, self._themes(row)]

    def _themes(self, row: AnswerRow) -> Text:
        catalog = self.app.catalog  # type: ignore[attr-defined]
        text = Text()
        for theme_id in row.mine:
            text.append("■", style=catalog.colour(theme_id))
            text.append(f"{theme_id} ")
        if row.others and self.app.show_others:  # type: ignore[attr-defined]
            text.append(" ".join(row.others), style="italic dim")
        elif row.others:
            text.append(f"+{len(row.others)}", style="dim")
        return text

    def _show_question(self) -> None:
        q = self.question
        if q is None:
            text = "No survey answers yet: bring a survey export in with 'framework import-survey FILE'."
        else:
            number = next((i for i, x in enumerate(self.questions, 1) if x.key == q.key), 1)
            text = f"{q.key} ({number} of {len(self.questions)}) · {q.text}"
        self.query_one("#question", Static).update(text)

    def summary(self) -> Text:
        text = Text(self.counted())
        if self.marks:
            text.append(f" · {len(self.marks):,} marked", style="bold")
        key = self.table.current_id
        row = self.table.row(key) if key is not None else None
        if row is not None and not self.message:
            text.append(f" · {row.case}", style="bold")
            attributes = " · ".join(v for k, v in row.attributes.items()
                                    if v and re.sub(r"[^a-z0-9]", "", k.casefold()) not in METADATA)
            if attributes:
                text.append(f" · {attributes}")
        if self.message:
            text.append(f" · {self.message}", style="italic")
        return text

    def say(self, message: str) -> None:
        """Show a message in the summary line until the cursor moves."""
        self.message = message
        self._message_at = self.table.cursor
        self.show_summary()

    _message_at = -1

    def show_summary(self) -> None:
        if self.message and self.table.cursor != self._message_at:
            self.message = ""
        super().show_summary()

    def sort_choices(self) -> list[str]:
        return [RESPONDENT, *[a.name for a in self.attributes], LENGTH, CODED]

    def group_choices(self) -> list[str]:
        return [a.name for a in self.attributes]

    def descending_first(self, key: str) -> bool:
        return key in (LENGTH, CODED)

    # -- marking -------------------------------------------------------------------------------------------

    def _set_marks(self, marks: set[int]) -> None:
        changed = marks ^ self.marks
        self.marks = marks
        self.table.set_marks(marks)
        self.table.redraw(changed)
        self.show_summary()

    def action_mark(self) -> None:
        key = self.table.current_id
        if key is not None:
            self._set_marks(self.marks ^ {key})
        self.table.action_move(1)

    def action_mark_move(self, delta: int) -> None:
        key = self.table.current_id
        self.table.action_move(delta)
        after = self.table.current_id
        self._set_marks(self.marks | {k for k in (key, after) if k is not None})

    def action_mark_all(self) -> None:
        shown = set(self.ordered.ids)
        self._set_marks(set() if shown and shown <= self.marks else self.marks | shown)
        self.say(f"{len(self.marks):,} marked" if self.marks else "Nothing marked")

    def action_escape(self) -> None:
        if self.marks and not self.filter_input.has_focus:
            self._set_marks(set())
            self.say("Marks cleared")
            return
        super().action_escape()

    def targets(self) -> list[int]:
        """The marked answers, in list order; else the one under the cursor."""
        if self.marks:
            shown = self.ordered.ids
            in_list = set(shown)
            return [k for k in shown if k in self.marks] + [k for k in self.marks if k not in in_list]
        key = self.table.current_id
        return [key] if key is not None else []

    # -- coding -------------------------------------------------------------------------------------------

    def _ready(self) -> bool:
        if not self.app.coder:  # type: ignore[attr-defined]
            self.app.ask_coder(first=True)  # type: ignore[attr-defined]
            return False
        if not self.targets():
            self.say("No answer here to code")
            return False
        return True

    def action_code(self) -> None:
        if not self._ready():
            return
        n = len(self.targets())
        title = f"Code {n:,} marked answers with…" if self.marks else "Code this answer with…"
        picker = ThemePicker(self.app.catalog, self.app.recent, title=title)  # type: ignore[attr-defined]
        self.app.push_screen(picker, self._picked)

    def _picked(self, result: PickResult | None) -> None:
        if result is not None:
            self.code(result.theme_id)

    def action_recent(self, number: int) -> None:
        recent = self.app.catalog.recent_valid(self.app.recent)  # type: ignore[attr-defined]
        if number > len(recent):
            self.say(f"No recent theme {number} yet: code with c first")
            return
        self.code(recent[number - 1])

    def code(self, theme_id: str) -> None:
        """Code the targets whole with a theme: shown at once, saved as one action in turn."""
        if not self._ready():
            return
        ids = self.targets()
        app = self.app
        store, coder = app.store, app.coder  # type: ignore[attr-defined]
        app.use_theme(theme_id)  # type: ignore[attr-defined]
        shown = {k: replace(r, mine=(*r.mine, theme_id)) for k in ids
                 if (r := self.table.rows.get(k)) is not None and theme_id not in r.mine}
        self.table.add_rows(shown)
        app.write(self, lambda: core.code_whole(store, coder, ids, theme_id),  # type: ignore[attr-defined]
                  lambda result: self.Coded(result, ids, theme_id), after_refresh=True)

    @on(Coded)
    def _coded(self, event: Coded) -> None:
        title = self.app.catalog.title(event.theme_id)  # type: ignore[attr-defined]
        result = event.result
        if event.removed:
            self.say(f"Removed {title} from {result.added:,} answer(s) (u undoes)")
        else:
            done = f"Coded {result.added:,} answer(s) with {title}"
            self.say(done + (f"; {result.skipped:,} already were" if result.skipped else "") + " (u undoes)")
        self.refresh_rows(event.ids)
        self.app.refresh_usage()  # type: ignore[attr-defined]

    def action_uncode(self) -> None:
        if not self._ready():
            return
        ids = self.targets()
        present = list(dict.fromkeys(t for k in ids if (r := self.table.row(k)) is not None for t in r.mine))
        if not present:
            self.say("None of your themes on these answers")
            return
        catalog = self.app.catalog  # type: ignore[attr-defined]
        choices = [(f"{catalog.title(t)}", t) for t in present]
        self.app.push_screen(ChoiceDialog(f"Remove which theme from {len(ids):,} answer(s)?", choices),
                             lambda theme_id: self._uncode(ids, theme_id) if theme_id else None)

    def _uncode(self, ids: list[int], theme_id: str) -> None:
        store, coder = self.app.store, self.app.coder  # type: ignore[attr-defined]
        self.app.write(self, lambda: core.uncode_whole(store, coder, ids, theme_id),  # type: ignore[attr-defined]
                       lambda result: self.Coded(result, ids, theme_id, removed=True))

    def action_undo(self) -> None:
        if self.app.coder:  # type: ignore[attr-defined]
            store, coder = self.app.store, self.app.coder  # type: ignore[attr-defined]
            self.app.write(self, lambda: core.undo(store, coder),  # type: ignore[attr-defined]
                           lambda result: self.Undone(result, False))

    def action_redo(self) -> None:
        if self.app.coder:  # type: ignore[attr-defined]
            store, coder = self.app.store, self.app.coder  # type: ignore[attr-defined]
            self.app.write(self, lambda: core.redo(store, coder),  # type: ignore[attr-defined]
                           lambda result: self.Undone(result, True))

    @on(Undone)
    def _undone(self, event: Undone) -> None:
        if event.result is None:
            self.say("Nothing to redo" if event.redo else "Nothing to undo")
            return
        kind, payload = event.result
        what = describe(kind, payload) if kind.endswith("_many") else kind.replace(".", " ")
        self.say(f"{'Redone' if event.redo else 'Undone'}: {what}")
        self.refresh_rows()
        self.app.refresh_usage()  # type: ignore[attr-defined]

    # -- moving around ----------------------------------------------------------------------------------------

    @on(PagedTable.Chosen)
    def _chosen(self, event: PagedTable.Chosen) -> None:
        if isinstance(event.entry, int):
            self.app.show_passage(event.entry)  # type: ignore[attr-defined]

    def action_open(self) -> None:
        self.table.action_choose()

    def action_question(self, delta: int) -> None:
        if not self.questions or self.question is None:
            return
        at = next((i for i, q in enumerate(self.questions) if q.key == self.question.key), 0)
        self._switch((at + delta) % len(self.questions))

    def action_choose_question(self) -> None:
        choices = [(f"{q.key}  {q.text}  ({q.answers:,})", i) for i, q in enumerate(self.questions)]
        self.app.push_screen(ChoiceDialog("Which question?", choices),
                             lambda i: self._switch(i) if i is not None else None)

    def _switch(self, index: int) -> None:
        question = self.questions[index]
        if self.question is not None and question.key == self.question.key:
            return
        self.question = question
        self.table.loading = True
        self._start(question.key)

    def action_wrap(self) -> None:
        table = self.table
        table.row_height = 1 if table.row_height > 1 else WRAPPED_LINES

    def action_columns(self) -> None:
        choices = [(("✓ " if a.name in self.shown_attributes else "  ") + a.name, a.name) for a in self.attributes]
        self.app.push_screen(ChoiceDialog("Show or hide an attribute column", choices), self._toggle_column)

    def _toggle_column(self, name: str | None) -> None:
        if name is None:
            return
        shown = self.shown_attributes
        self.shown_attributes = [n for n in shown if n != name] if name in shown else [
            a.name for a in self.attributes if a.name in shown or a.name == name]
        self.table.set_columns(self.columns())
        self.table.set_entries(self.ordered.entries, self.table.rows)
        self.arranged()
        self._remember_columns(list(self.shown_attributes))

    @work(thread=True, exclusive=True, exit_on_error=False, group="answer-columns")
    def _remember_columns(self, names: list[str]) -> None:
        self.app.project.save_setting(COLUMNS_SETTING, names)  # type: ignore[attr-defined]

    def action_toggle_others(self) -> None:
        app = self.app
        app.show_others = not app.show_others  # type: ignore[attr-defined]
        self.say("Showing others' themes" if app.show_others else "Showing your themes only")  # type: ignore[attr-defined]

    def action_autocode(self) -> None:
        self.app.open_autocode(question=self.question.key if self.question else None,  # type: ignore[attr-defined]
                               scope="answer", done=self.autocoded)

    def autocoded(self, result: BatchResult | None) -> None:
        """The autocode dialog coded (or not): show what it did."""
        if result is not None and result.added:
            self.say(f"Autocoded {result.added:,} passage(s) (u undoes)")
            self.refresh_rows()

    def action_retrieval(self) -> None:
        key = self.table.current_id
        row = self.table.row(key) if key is not None else None
        self.app.open_retrieval(row.mine[0] if row is not None and row.mine else None)  # type: ignore[attr-defined]
