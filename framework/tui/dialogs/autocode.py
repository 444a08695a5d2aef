"""Autocode from the interface: type a search, see every hit and the count, then code them all
as one action (``u`` undoes it)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from framework.coding.autocode import SCOPES, SYNTAX_HELP, Preview, Search, apply, preview
from framework.coding.batch import BatchResult
from framework.errors import FrameworkError
from framework.store.questions import Question, questions
from framework.tui.dialogs.common import DIALOG_CSS
from framework.tui.dialogs.theme_picker import PickResult, ThemePicker
from framework.views.paging import clip

HIT_WIDTH = 100
"""Characters of each listed passage (with its document's name) before the list has a width."""
SHOWN_HITS = 300
"""Passages listed in the preview (the count covers them all)."""
EVERYWHERE = "*"
TRANSCRIPTS = "transcript"


class AutocodeDialog(ModalScreen[BatchResult | None]):
    """Search (SQLite FTS5 syntax), preview the passages with a count, code them as one action."""

    DEFAULT_CSS = DIALOG_CSS.format(name="AutocodeDialog") + """
    AutocodeDialog > Vertical { width: 110; height: 90%; max-height: 40; }
    AutocodeDialog #options { height: auto; padding: 0; align-horizontal: left; }
    AutocodeDialog #scope { width: 26; margin-right: 1; }
    AutocodeDialog #within { width: 1fr; margin-right: 1; }
    AutocodeDialog #theme { width: 36; margin: 0; }
    AutocodeDialog OptionList { height: 1fr; min-height: 3; border: none; background: $boost; }
    AutocodeDialog #count { height: auto; padding: 1 0 0 0; text-style: bold; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="autocode.cancel"),
        Binding("ctrl+t", "theme", "Theme", id="autocode.theme", tooltip="Choose the theme to code with"),
    ]

    @dataclass
    class Previewed(Message):
        result: Preview

    @dataclass
    class Failed(Message):
        message: str

    @dataclass
    class QuestionsLoaded(Message):
        questions: list[Question]

    def __init__(self, *, theme_id: str | None, question: str | None = None, scope: str = "sentence",
                 query: str = "") -> None:
        super().__init__()
        self.theme_id = theme_id
        self.question = question
        self.scope = scope
        self.query_text = query
        self.result: Preview | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Autocode by text search", classes="dialog--title")
            yield Input(self.query_text, placeholder='words, "a phrase", OR, NOT, prefix*, NEAR(a b, 5)', id="query")
            with Horizontal(id="options"):
                yield Select([(f"code the {s}" if s != "hit" else "code the words found", s) for s in SCOPES],
                             value=self.scope, allow_blank=False, id="scope", compact=True)
                yield Select([("in every document", EVERYWHERE)], value=EVERYWHERE, allow_blank=False,
                             id="within", compact=True)
                yield Button(self._theme_label(), id="theme", compact=True)
            yield OptionList(id="hits")
            yield Static("Enter searches; nothing is coded until you press Code.", id="count", markup=False)
            yield Static("", classes="dialog--error", markup=False)
            with Horizontal():
                yield Button("Code", variant="primary", id="code", disabled=True)
                yield Button("Preview", id="preview")
                yield Button("Cancel", id="cancel")
            yield Static(f"Search: {SYNTAX_HELP}. Tab moves; Esc cancels.", classes="dialog--hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#query", Input).focus()
        self._load_questions()

    def _theme_label(self) -> str:
        if not self.theme_id:
            return "theme: choose (ctrl+t)"
        return clip(f"theme: {self.app.catalog.title(self.theme_id)}", 34)  # type: ignore[attr-defined]

    @work(thread=True, exclusive=True, exit_on_error=False, group="autocode-questions")
    def _load_questions(self) -> None:
        self.post_message(self.QuestionsLoaded(questions(self.app.store)))  # type: ignore[attr-defined]

    @on(QuestionsLoaded)
    def _questions_loaded(self, event: QuestionsLoaded) -> None:
        options = [("in every document", EVERYWHERE), ("in the transcripts", TRANSCRIPTS)]
        options += [(clip(f"in answers to {q.key}: {q.text}", 36), q.key) for q in event.questions]
        within = self.query_one("#within", Select)
        within.set_options(options)
        if self.question and any(q.key == self.question for q in event.questions):
            within.value = self.question

    # -- the search -----------------------------------------------------------------------------------

    def search(self) -> Search:
        within = self.query_one("#within", Select).value
        scope = str(self.query_one("#scope", Select).value)
        return Search(self.query_one("#query", Input).value.strip(), scope=scope,
                      question=None if within in (EVERYWHERE, TRANSCRIPTS) else str(within),
                      kind=TRANSCRIPTS if within == TRANSCRIPTS else None)

    @on(Input.Submitted, "#query")
    def _submitted(self) -> None:
        self.action_preview()

    @on(Button.Pressed, "#preview")
    def action_preview(self) -> None:
        if not self.theme_id:
            self.action_theme()
            return
        search = self.search()
        if not search.query:
            self._error(f"Type what to search for: {SYNTAX_HELP}.")
            return
        self._error("")
        self.query_one("#count", Static).update("Searching…")
        self._run_preview(search, self.theme_id, self.app.coder)  # type: ignore[attr-defined]

    @work(thread=True, exclusive=True, exit_on_error=False, group="autocode-preview")
    def _run_preview(self, search: Search, theme_id: str, coder: str) -> None:
        try:
            result = preview(self.app.store, search, theme_id, coder)  # type: ignore[attr-defined]
        except FrameworkError as exc:
            self.post_message(self.Failed(str(exc)))
            return
        self.post_message(self.Previewed(result))

    @on(Failed)
    def _failed(self, event: Failed) -> None:
        self.result = None
        self.query_one("#code", Button).disabled = True
        self.query_one("#count", Static).update("")
        self._error(event.message)

    @on(Previewed)
    def _previewed(self, event: Previewed) -> None:
        result = self.result = event.result
        hits = self.query_one("#hits", OptionList)
        hits.clear_options()
        hits.add_options([Option(self._line(result, h)) for h in result.hits[:SHOWN_HITS]])
        more = len(result.hits) - SHOWN_HITS
        if more > 0:
            hits.add_option(Option(Text(f"… and {more:,} more", style="dim"), disabled=True))
        summary = result.summary().replace(f" {result.theme_id}", f" {self.app.catalog.title(result.theme_id)}", 1)  # type: ignore[attr-defined]
        if len(result.new) < len(result.hits):
            summary += "; = marks those"
        self.query_one("#count", Static).update(summary)
        code = self.query_one("#code", Button)
        code.label = f"Code {len(result.new):,}"
        code.disabled = not result.new
        if result.new:
            code.focus()

    def _line(self, result: Preview, hit) -> Text:
        width = self.query_one("#hits", OptionList).scrollable_content_region.width or HIT_WIDTH
        line, marks = result.snippet(hit, max(20, width - len(hit.document) - 6))
        text = Text("= " if hit.already else "  ", style="dim")
        text.append(hit.document, style="bold")
        text.append("  ")
        body = Text(line)
        for start, end in marks:
            body.stylize("reverse", start, end)
        return text + body

    @on(Select.Changed)
    @on(Input.Changed, "#query")
    def _changed(self) -> None:
        """A preview no longer matches what would be searched: it must be made again."""
        if self.result is not None and self.result.search != self.search():
            self.result = None
            self.query_one("#code", Button).disabled = True
            self.query_one("#count", Static).update("Changed: Enter searches again.")

    def _error(self, message: str) -> None:
        self.query_one(".dialog--error", Static).update(message)

    # -- theme, coding, cancelling -------------------------------------------------------------------------

    @on(Button.Pressed, "#theme")
    def action_theme(self) -> None:
        picker = ThemePicker(self.app.catalog, self.app.recent, title="Autocode with…")  # type: ignore[attr-defined]
        self.app.push_screen(picker, self._theme_chosen)

    def _theme_chosen(self, result: PickResult | None) -> None:
        if result is None:
            return
        self.theme_id = result.theme_id
        self.query_one("#theme", Button).label = self._theme_label()
        if self.result is not None or self.query_one("#query", Input).value.strip():
            self.action_preview()

    @on(Button.Pressed, "#code")
    def _code(self) -> None:
        result = self.result
        if result is None or not result.new:
            return
        self.query_one("#code", Button).disabled = True
        self.query_one("#count", Static).update(f"Coding {len(result.new):,} passage(s)…")
        store = self.app.store  # type: ignore[attr-defined]
        self.app.use_theme(result.theme_id)  # type: ignore[attr-defined]
        self.app.write(self, lambda: apply(store, result), self.Done, self.NotCoded)  # type: ignore[attr-defined]

    @dataclass
    class Done(Message):
        result: BatchResult

    @dataclass
    class NotCoded(Message):
        """The write failed (the app shows why)."""

    @on(Done)
    def _done(self, event: Done) -> None:
        self.app.refresh_usage()  # type: ignore[attr-defined]
        self.dismiss(event.result)

    @on(NotCoded)
    def _not_done(self) -> None:
        self.query_one("#code", Button).disabled = self.result is None
        self.query_one("#count", Static).update("Not coded: see the message.")

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
