"""The reader: the transcript with its codings, the coding stripes and the theme panel."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static, TextArea
from textual.worker import Worker, WorkerState

from framework.store import Coding
from framework.store.queries import search
from framework.tui.dialogs.common import TextPrompt
from framework.tui.screens.coding_actions import CodingActions
from framework.tui.widgets.stripes import CodingStripes
from framework.tui.widgets.theme_tree import ThemeTree
from framework.tui.widgets.transcript import TranscriptView
from framework.views.workbench import CodingHere, ReaderData, load_reader, status_line

SEARCH_LIMIT = 1_000_000
STATUS_WIDTH = 200
"""The status line's width until the screen has been laid out."""


class ReaderScreen(CodingActions, Screen[None]):
    """Read a transcript and code it: select, then ``c`` (or a number key for a recent theme)."""

    BINDINGS = [
        Binding("c", "code", "Code", id="reader.code", tooltip="Code the selection with a theme (picker)"),
        Binding("enter", "code_or_confirm", "Code", show=False, id="reader.enter",
                tooltip="Code the selection (or save adjusted boundaries)"),
        *[Binding(str(n), f"recent({n})", f"Recent theme {n}", show=False, id=f"reader.recent{n}",
                  tooltip=f"Apply recent theme {n} to the selection") for n in range(1, 10)],
        Binding("x", "remove", "Remove", id="reader.remove", tooltip="Remove a coding here"),
        Binding("e", "change_theme", "Change", show=False, id="reader.change",
                tooltip="Change the theme of a coding here"),
        Binding("b", "boundaries", "Bounds", show=False, id="reader.bounds",
                tooltip="Adjust the boundaries of a coding here"),
        Binding("m", "memo", "Memo", id="reader.memo", tooltip="Write or edit the memo on a coding here"),
        Binding("u", "undo", "Undo", id="reader.undo", tooltip="Undo your last action"),
        Binding("ctrl+r,U", "redo", "Redo", show=False, id="reader.redo", tooltip="Redo what was undone"),
        Binding("slash", "search", "Search", id="reader.search", tooltip="Search this transcript"),
        Binding("n", "next_match", "Next match", show=False, id="reader.next_match"),
        Binding("N", "previous_match", "Previous match", show=False, id="reader.previous_match"),
        Binding("right_square_bracket", "next_coded", "Next coded", show=False, id="reader.next_coded",
                tooltip="Jump to the next coded passage"),
        Binding("left_square_bracket", "previous_coded", "Previous coded", show=False,
                id="reader.previous_coded", tooltip="Jump to the previous coded passage"),
        Binding("o", "toggle_others", "Others", id="reader.others", tooltip="Show or hide other coders' codings"),
        Binding("g", "goto_line", "Go to line", show=False, id="reader.goto"),
        Binding("p", "toggle_panel", "Panel", show=False, id="reader.panel", tooltip="Show or hide the theme panel"),
        Binding("r", "retrieval", "Retrieve", show=False, id="reader.retrieval",
                tooltip="Read every passage of the theme here, across cases"),
        Binding("escape", "back", "Back", id="reader.back", tooltip="Back to the documents"),
    ]

    adjusting: reactive[int | None] = reactive(None, init=False)
    """The coding whose boundaries are being adjusted, if any."""

    @dataclass
    class Loaded(Message):
        data: ReaderData

    @dataclass
    class Searched(Message):
        query: str
        matches: list[tuple[int, int]]

    def __init__(self, document: str | int, *, line: int | None = None, span: tuple[int, int] | None = None) -> None:
        super().__init__()
        self.document_ref = document
        self.start_line, self.start_span = line, span
        self.data: ReaderData | None = None
        self.message = ""
        self._message_at: object = None

    def compose(self) -> ComposeResult:
        yield Header(icon="▦")
        with Horizontal(id="reader-body"):
            with Vertical(id="reading"):
                yield Static("", id="question", markup=False)
                yield Static("", id="doc-info", markup=False)
                with Horizontal(id="text-row"):
                    view = TranscriptView(id="transcript")
                    yield view
                    yield CodingStripes(view, id="stripes")
                yield Input(placeholder="Search this transcript: Enter finds, then n / N for next / previous", id="search", compact=True)
                yield Static("", id="status")
            with Vertical(id="side"):
                yield Static("Themes  [dim]here/all[/]", id="side-title")
                yield ThemeTree(id="themes")
        yield Footer()

    @property
    def view(self) -> TranscriptView:
        return self.query_one("#transcript", TranscriptView)

    def on_mount(self) -> None:
        self.view.focus()
        self.view.loading = True
        self.watch(self.app, "catalog_version", self._catalog_changed)
        self.watch(self.app, "coder", self._view_changed, init=False)
        self.watch(self.app, "show_others", self._view_changed, init=False)
        self.load()

    # -- loading -----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="reader")
    def load(self) -> None:
        self.post_message(self.Loaded(load_reader(self.app.store, self.document_ref)))  # type: ignore[attr-defined]

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self.data = event.data
        view = self.view
        view.loading = False
        view.show_document(event.data.text, event.data.units, event.data.codings)
        self._view_changed()
        if self.start_span:
            view.select_span(*self.start_span)
        elif self.start_line:
            view.goto_line(self.start_line)
        self.start_line = self.start_span = None
        self._describe_document()
        question = self.query_one("#question", Static)
        question.update(f"Q: {event.data.document.question}" if event.data.document.question else "")
        question.display = bool(event.data.document.question)

    @on(Worker.StateChanged)
    def _load_failed(self, event: Worker.StateChanged) -> None:
        """A document that cannot be opened: back to the list (the app shows why)."""
        if event.worker.group == "reader" and event.state == WorkerState.ERROR and self.is_current:
            self.app.pop_screen()

    def watch_adjusting(self) -> None:
        self.set_class(self.adjusting is not None, "-adjusting")
        self._update_status()

    def _catalog_changed(self) -> None:
        """New themes: repaint everything; new project counts only: relabel the tree."""
        catalog = self.app.catalog  # type: ignore[attr-defined]
        tree = self.query_one(ThemeTree)
        if tree.catalog is not catalog:
            tree.set_catalog(catalog)
            self._view_changed()
        else:
            view = self.view
            tree.set_counts(view.layout_map.counts(view.is_shown))

    def _view_changed(self) -> None:
        app = self.app
        self.view.set_view(app.catalog, app.coder, app.show_others)  # type: ignore[attr-defined]
        self.codings_changed()

    def codings_changed(self, *spans: tuple[int, int]) -> None:
        """Repaint what shows codings (only the lines of ``spans`` if given): text, stripes, counts."""
        view = self.view
        if spans:
            for start, end in spans:
                view.repaint_span(start, end)
        else:
            view.repaint()
        self.query_one(CodingStripes).refresh()
        self.query_one(ThemeTree).set_counts(view.layout_map.counts(view.is_shown))
        self._describe_document()
        self._update_status()

    def _describe_document(self) -> None:
        if self.data is None:
            return
        doc, case = self.data.document, self.data.case
        parts = [doc.name]
        if case.name != doc.name:
            parts.append(case.name)
        parts += [v for v in case.attributes.values() if v]
        view = self.view
        mine = sum(1 for c in view.layout_map.codings.values() if view.is_mine(c))
        others = len(view.layout_map.codings) - mine
        shown = "shown" if self.app.show_others else "hidden"  # type: ignore[attr-defined]
        parts.append(f"{mine} yours, {others} others' ({shown})" if others else f"{mine} codings")
        self.query_one("#doc-info", Static).update(" · ".join(parts))

    # -- status line ---------------------------------------------------------------------------

    @on(TextArea.SelectionChanged, "#transcript")
    def _selection_changed(self, event: TextArea.SelectionChanged) -> None:
        if event.selection != self.view.selection:
            return  # a state already gone by: the event of the current selection follows
        if event.selection != self._message_at:
            self.message = ""
        self._update_status()

    def say(self, message: str) -> None:
        """Show a message in the status line until the cursor moves."""
        self.message = message
        self._message_at = self.view.selection
        self._update_status()

    def _update_status(self) -> None:
        view = self.view
        row, column = view.selection.end
        notes = []
        span = view.selected_span()
        if span:
            notes.append(f"{span[1] - span[0]} selected")
        if self.adjusting is not None:
            notes.append("adjusting: shift+arrows, then Enter to save, Esc to cancel")
        catalog = self.app.catalog  # type: ignore[attr-defined]
        codings = view.layout_map.at(view.cursor_offset, view.is_shown)
        here = [CodingHere(c.theme_id, catalog.title(c.theme_id), catalog.colour(c.theme_id),
                           None if view.is_mine(c) else c.coder, bool(c.memo)) for c in codings]
        memo = next((c.memo for c in codings if c.memo), "")
        status = self.query_one("#status", Static)
        width = status.content_size.width or STATUS_WIDTH
        segments = status_line(f"Ln {row + 1}, Col {column + 1}", notes, here, memo=memo, message=self.message,
                               width=width)
        status.update(Text.assemble(*segments))

    def on_resize(self) -> None:
        if self.is_mounted and self.data is not None:
            self._update_status()

    # -- moving around -------------------------------------------------------------------------

    def action_next_coded(self) -> None:
        view = self.view
        coding = view.layout_map.next_after(view.cursor_offset, view.is_shown)
        self._jump_to_coding(coding, "No more coded passages below")

    def action_previous_coded(self) -> None:
        view = self.view
        coding = view.layout_map.previous_before(view.cursor_offset, view.is_shown)
        self._jump_to_coding(coding, "No coded passage above")

    def _jump_to_coding(self, coding: Coding | None, none: str) -> None:
        if coding is None:
            self.say(none)
            return
        self.view.goto_offset(coding.start)

    def action_goto_line(self) -> None:
        last = self.view.index.line_count

        def check(value: str) -> str:
            from framework.errors import InputError

            if not value.isdigit() or not 1 <= int(value) <= last:
                raise InputError(f"Give a line number from 1 to {last}.")
            return value

        self.app.push_screen(TextPrompt("Go to line", placeholder=f"1-{last}", check=check),
                             lambda value: self.view.goto_line(int(value)) if value else None)

    def action_toggle_others(self) -> None:
        app = self.app
        app.show_others = not app.show_others  # type: ignore[attr-defined]
        self.say("Showing others' codings" if app.show_others else "Showing your codings only")  # type: ignore[attr-defined]

    def action_toggle_panel(self) -> None:
        side = self.query_one("#side")
        side.display = not side.display

    def action_retrieval(self) -> None:
        view = self.view
        here = view.layout_map.at(view.cursor_offset, view.is_shown)
        tree = self.query_one(ThemeTree)
        theme_id = here[0].theme_id if here else (tree.cursor_node.data if tree.cursor_node else None)
        self.app.open_retrieval(theme_id)  # type: ignore[attr-defined]

    @on(ThemeTree.Chosen)
    def _tree_chosen(self, event: ThemeTree.Chosen) -> None:
        span = self.view.selected_span()
        if span:
            self.apply_theme(event.theme_id, span)
            self.view.focus()
        else:
            self.app.open_retrieval(event.theme_id)  # type: ignore[attr-defined]

    def action_back(self) -> None:
        search = self.query_one("#search", Input)
        if search.has_focus:
            search.display = False
            self.view.focus()
        elif self.adjusting is not None:
            self.adjusting = None
            self.say("Boundaries unchanged")
        elif len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            raise SkipAction()

    # -- search ----------------------------------------------------------------------------------

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.display = True
        search.focus()

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.input.display = False
        self.view.focus()
        if event.value.strip() and self.data is not None:
            self.run_search(event.value.strip(), self.data.document.id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="search")
    def run_search(self, query: str, document_id: int) -> None:
        hits = search(self.app.store, query, limit=SEARCH_LIMIT, document_id=document_id)  # type: ignore[attr-defined]
        self.post_message(self.Searched(query, [(h.start, h.end) for h in hits]))

    @on(Searched)
    def _searched(self, event: Searched) -> None:
        view = self.view
        if not event.matches:
            view.set_matches([])
            self.say(f"No match for “{event.query}” in this transcript")
            return
        offset = view.cursor_offset
        first = next((i for i, m in enumerate(event.matches) if m[0] >= offset), 0)
        view.set_matches(event.matches, first)
        self._show_match(first)

    def _show_match(self, index: int) -> None:
        view = self.view
        view.current_match = index
        start, _end = view.matches[index]
        view.goto_offset(start)
        view.repaint()
        self.say(f"Match {index + 1} of {len(view.matches)}")

    def action_next_match(self) -> None:
        view = self.view
        if not view.matches:
            self.say("No search yet: press / to search")
            return
        self._show_match((view.current_match + 1) % len(view.matches))

    def action_previous_match(self) -> None:
        view = self.view
        if not view.matches:
            self.say("No search yet: press / to search")
            return
        self._show_match((view.current_match - 1) % len(view.matches))

