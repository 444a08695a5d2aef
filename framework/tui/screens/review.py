"""The review screen: coders' versions of a document side by side, and a consensus.

Each coder's codings are shown in their own pane (the panes scroll together), or all
versions passage by passage (``i``). A passage is a stretch where the coders' codings
overlap (see :mod:`framework.analysis.consensus`): all agree, only one coder coded it, different
themes, or the same themes with different boundaries. ``n``/``p`` move between undecided
disagreements (across documents); ``a``/``b`` (or ``1``-``4``) accept one coder's version,
``+`` accepts every coder's, ``x`` rejects, ``e`` edits the boundaries, ``m`` adds a note;
each decision writes the consensus layer through :func:`framework.analysis.consensus.decide`.
``y`` accepts every agreement at once; ``u`` undoes the last decision (``U`` redoes it) and
backspace takes the passage back to undecided. Progress is always on the bottom line, counted
as ``framework consensus status`` counts it. Without coders named, the screen compares the
coders chosen last (on this screen or the agreement screen), else the two coders with the
most codings in common. When another process changes the project (a coder's codings, a
decision made by a colleague), the progress and the document are read again and the
current passage is kept while it is there; a decision on a passage that changed meanwhile
is refused by the core and the passage is shown as it is now.

Where each key leads is worked out by :class:`framework.views.review.Walk`; the text of the
bars is drawn by :mod:`framework.tui.widgets.review_panels`. This class composes the
screen, routes the keys and runs the workers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from framework.analysis.compare import coders_with_codings
from framework.analysis.consensus import Decision, Passage, Progress, accept_agreements, decide, reopen
from framework.coding import actions as core
from framework.tui.dialogs.bounds import BoundsRow, EditBoundsDialog
from framework.tui.dialogs.coders import CoderSelection
from framework.tui.dialogs.common import ChoiceDialog, ConfirmDialog
from framework.tui.dialogs.memo import MemoDialog
from framework.tui.dialogs.theme_picker import PickResult, ThemePicker
from framework.tui.screens.following import FollowsProject
from framework.tui.widgets import review_panels as panels
from framework.tui.widgets.review_view import Mark, ReviewTranscript, status_class
from framework.views.compared import compared_coders, remember
from framework.views.review import (
    MAX_CODERS,
    DocSummary,
    Go,
    ReviewData,
    Walk,
    letter,
    load_document,
    survey,
    theme_extents,
)


class ReviewScreen(FollowsProject[None]):
    """Walk through the coders' disagreements and decide a consensus coding for each."""

    CSS_PATH = "analysis.tcss"

    BINDINGS = [
        Binding("n", "next", "Next", id="review.next", tooltip="Go to the next undecided disagreement"),
        Binding("p", "previous", "Prev", id="review.previous", tooltip="Go to the previous undecided disagreement"),
        Binding("a", "accept(1)", "Accept A", priority=True, id="review.accept_a",
                tooltip="Keep coder A's version of this passage"),
        Binding("b", "accept(2)", "Accept B", priority=True, id="review.accept_b",
                tooltip="Keep coder B's version of this passage"),
        *[Binding(str(n), f"accept({n})", f"Accept coder {n}", show=False, id=f"review.accept{n}",
                  tooltip=f"Keep the version of the coder numbered {n} on screen (A is 1, B is 2, C is 3, D is 4)")
          for n in range(1, MAX_CODERS + 1)],
        Binding("plus,equals_sign", "both", "Both", id="review.both",
                tooltip="Keep every coder's codings of this passage"),
        Binding("x", "reject", "Reject", id="review.reject", tooltip="No consensus coding for this passage"),
        Binding("e", "edit", "Edit bounds", id="review.edit",
                tooltip="Decide the boundaries yourself (start and end per theme)"),
        Binding("m", "note", "Note", id="review.note", tooltip="Write a note on the decision for this passage"),
        Binding("y", "accept_agreements", "Accept agreed", show=False, id="review.accept_agreements",
                tooltip="Accept every passage all coders coded alike, in every document (asks first)"),
        Binding("u", "undo", "Undo", id="review.undo", tooltip="Undo your last decision (or other action)"),
        Binding("U,ctrl+r", "redo", "Redo", show=False, id="review.redo", tooltip="Redo what was undone"),
        Binding("backspace,delete", "reopen", "Undecide", show=False, priority=True, id="review.reopen",
                tooltip="Take this passage back to undecided (its consensus codings go)"),
        Binding("i", "toggle_interleaved", "Side/interleaved", id="review.interleave",
                tooltip="Switch between side by side and interleaved (passage by passage)"),
        Binding("full_stop", "step(1)", "Next passage", show=False, id="review.next_passage",
                tooltip="Go to the next passage, decided or not"),
        Binding("comma", "step(-1)", "Previous passage", show=False, id="review.previous_passage",
                tooltip="Go to the previous passage, decided or not"),
        Binding("right_square_bracket", "document(1)", "Next document", show=False, id="review.next_document"),
        Binding("left_square_bracket", "document(-1)", "Previous document", show=False,
                id="review.previous_document"),
        Binding("d", "choose_document", "Document", show=False, id="review.document",
                tooltip="Choose the document to review"),
        Binding("t", "theme_filter", "Theme filter", show=False, priority=True, id="review.theme",
                tooltip="Review only the disagreements on one theme (again: all themes)"),
        Binding("c", "choose_coders", "Coders", show=False, id="review.coders", tooltip="Choose the coders to compare"),
        Binding("escape", "back", "Back", id="review.back"),
    ]

    interleaved: reactive[bool] = reactive(False, init=False)

    @dataclass
    class Surveyed(Message):
        coders: list[str]
        everyone: list[str]
        documents: list[DocSummary]
        progress: Progress

    @dataclass
    class Loaded(Message):
        data: ReviewData

    @dataclass
    class Decided(Message):
        decision: Decision
        key: tuple[int, int, int]

    @dataclass
    class Accepted(Message):
        count: int

    @dataclass
    class Stepped(Message):
        """An undo or redo (or a passage taken back to undecided) is done."""

        what: str

    @dataclass
    class Problem(Message):
        message: str

    class Refused(Message):
        """A decision was not written (the passage changed meanwhile, or another error)."""

    def __init__(self, coders: list[str] | None = None, *, document: int | str | None = None,
                 theme_ids: list[str] | None = None, theme_title: str | None = None,
                 documents: list[str] | None = None) -> None:
        super().__init__()
        self.walk = Walk(coders=list(coders or []), theme_ids=frozenset(theme_ids) if theme_ids else None)
        self.everyone: list[str] = []
        self.start_document = document
        self.theme_title = theme_title
        self.scope_names = documents
        self.pending: tuple[str, object] | None = None
        self.message = ""
        self._mounted_coders: list[str] = []
        self._following = False
        self._filter_news = theme_ids is not None

    # What the walk holds, by the names the rest of the program uses.

    @property
    def coders(self) -> list[str]:
        return self.walk.coders

    @property
    def theme_ids(self) -> frozenset[str] | None:
        return self.walk.theme_ids

    @property
    def data(self) -> ReviewData | None:
        return self.walk.data

    @property
    def index(self) -> int | None:
        return self.walk.index

    @property
    def done(self) -> Progress | None:
        return self.walk.done

    def current_passage(self) -> Passage | None:
        return self.walk.current()

    def compose(self) -> ComposeResult:
        yield Header(icon="▦")
        yield Static("", id="review-title", classes="analysis-bar")
        yield Horizontal(id="sides")
        yield OptionList(id="interleaved")
        yield Static("", id="passage-detail", classes="analysis-detail")
        yield Static("", id="review-progress", classes="analysis-bar")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#sides").loading = True
        self.watch(self.app, "theme", self._restyle, init=False)
        self.refresh_survey()

    def _restyle(self) -> None:
        if self.walk.data is not None:
            self._fill_interleaved()
            self._describe()

    @property
    def views(self) -> list[ReviewTranscript]:
        return list(self.query(ReviewTranscript))

    # -- loading ------------------------------------------------------------------------------------

    def refresh_survey(self) -> None:
        self.run_survey(list(self.walk.coders), self.walk.theme_ids, self.scope_names)

    def project_changed(self) -> None:
        """Changed elsewhere: read the progress again, then the document, keeping the current passage."""
        self._following = True
        self.refresh_survey()

    @on(Refused)
    def _refused(self) -> None:
        self.project_changed()

    def _follow(self) -> None:
        """After a survey asked for by :meth:`project_changed`: the document as it is now."""
        data, current = self.walk.data, self.walk.current()
        if data is None:
            return
        if self.walk.in_scope():
            self.open_document(data.document.id, ("keep", current) if current else None)
            return
        self.walk.data, self.walk.index = None, None
        self.message = f"{data.document.name} is no longer reviewed (changed elsewhere)"
        self._open_first()

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-survey")
    def run_survey(self, coders: list[str], theme_ids: frozenset[str] | None, names: list[str] | None) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        everyone = coders_with_codings(store)
        coders = coders or compared_coders(self.app.project).coders[:MAX_CODERS]  # type: ignore[attr-defined]
        if len(coders) < 2:
            found = ", ".join(everyone) or "none"
            self.post_message(self.Problem(f"Review needs two or more coders with codings (found: {found})."))
            return
        documents, done = survey(store, coders, theme_ids, names)
        self.post_message(self.Surveyed(coders, everyone, documents, done))

    @on(Worker.StateChanged)
    def _failed(self, event: Worker.StateChanged) -> None:
        """A survey or a document that could not be read: stop waiting (the app shows why)."""
        if event.state == WorkerState.ERROR and (event.worker.group or "").startswith("review-"):
            self.query_one("#sides").loading = False

    @on(Problem)
    def _problem(self, event: Problem) -> None:
        self.query_one("#sides").loading = False
        self.query_one("#passage-detail", Static).update(Text(event.message, style="bold"))

    @on(Surveyed)
    async def _surveyed(self, event: Surveyed) -> None:
        self.walk.coders, self.everyone = event.coders, event.everyone
        self.walk.documents, self.walk.done = event.documents, event.progress
        if self._mounted_coders != self.walk.coders:
            await self._mount_views()
        following, self._following = self._following, False
        if self.walk.data is None:
            self._open_first()
        elif following:
            self._follow()
        if self._filter_news:
            self._filter_news = False
            self.say(self.walk.filter_summary())
        self._describe_progress()

    async def _mount_views(self) -> None:
        sides = self.query_one("#sides", Horizontal)
        await sides.remove_children()
        panes = []
        for i, coder in enumerate(self.walk.coders):
            view = ReviewTranscript(coder, classes="review-view")
            pane = Vertical(Static(Text.assemble((f" {letter(i)} ", "reverse bold"), f" {coder}"),
                                   classes="analysis-pane-title"), view, classes="review-side")
            panes.append(pane)
        await sides.mount_all(panes)
        self._mounted_coders = list(self.walk.coders)
        for view in self.views:
            self.watch(view, "scroll_y", partial(self._sync_scroll, view), init=False)
        if self.views and not self.interleaved:
            self.views[0].focus()

    def _sync_scroll(self, source: ReviewTranscript, y: float) -> None:
        for view in self.views:
            if view is not source and view.scroll_y != y:
                view.scroll_to(y=y, animate=False)

    def _open_first(self) -> None:
        chosen = self.walk.first_document(self.start_document)
        if chosen is None:
            self.query_one("#sides").loading = False
            self.query_one("#passage-detail", Static).update(
                Text(f"No document has codings by {', '.join(self.walk.coders)}.", style="bold"))
            return
        self.open_document(chosen.document.id, ("first-open", None))

    def open_document(self, document_id: int, select: tuple[str, object] | None) -> None:
        self.pending = select
        data = self.walk.data
        self.query_one("#sides").loading = data is None or data.document.id != document_id
        self.run_load(list(self.walk.coders), document_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-document")
    def run_load(self, coders: list[str], document_id: int) -> None:
        self.post_message(self.Loaded(load_document(self.app.store, coders, document_id)))  # type: ignore[attr-defined]

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        data = event.data
        if list(data.codings) != self.walk.coders:
            return
        before = self.walk.data
        if self.walk.show(data):
            catalog = self.app.catalog  # type: ignore[attr-defined]
            for view, coder in zip(self.views, self.walk.coders):
                view.show_document(data.text, data.units, data.codings.get(coder, []))
                view.set_view(catalog, coder, False)
        elif before is not None and before.codings != data.codings:  # coders' codings changed elsewhere
            for view, coder in zip(self.views, self.walk.coders):
                view.set_codings(data.codings.get(coder, []))
        self.query_one("#sides").loading = False
        pending, self.pending = self.pending, None
        message = self.walk.place(pending)
        if message:
            self.message = message
        self._mark()
        if self.walk.index is not None:
            self._show(self.walk.index)
        self._fill_interleaved()
        self._describe()

    def _mark(self) -> None:
        if self.walk.data is None:
            return
        marks = [Mark(p.start, p.end, p.status, p.decided) for p in self.walk.data.passages]
        current = self.walk.current()
        for view in self.views:
            view.set_marks(marks, (current.start, current.end) if current else None)

    # -- showing -----------------------------------------------------------------------------------------

    def select(self, index: int) -> None:
        """Make passage ``index`` of this document the current one."""
        self.walk.index = index
        self.message = ""
        self._show(index)
        self._describe()

    def _show(self, index: int) -> None:
        p = self.walk.data.passages[index] if self.walk.data else None
        if p is None:
            return
        for view in self.views:
            view.set_current((p.start, p.end))
            view.goto_offset(p.start)
        listing = self.query_one("#interleaved", OptionList)
        if listing.option_count > index and listing.highlighted != index:
            listing.highlighted = index

    def _status_style(self, p: Passage) -> Style | str:
        views = self.views
        return views[0].mark_style(status_class(p.status)) + Style(bold=True, underline=False) if views else "bold"

    def _fill_interleaved(self) -> None:
        listing = self.query_one("#interleaved", OptionList)
        catalog = self.app.catalog  # type: ignore[attr-defined]
        found = self.walk.data.passages if self.walk.data else []
        listing.set_options([Option(panels.interleaved_entry(self.walk, catalog, p, n, self._status_style(p)), id=str(n))
                             for n, p in enumerate(found)])
        if self.walk.index is not None and self.walk.index < len(found):
            listing.highlighted = self.walk.index

    def _describe(self) -> None:
        self.query_one("#review-title", Static).update(panels.title(self.walk, self.theme_title))
        self._describe_passage()
        self._describe_progress()

    def _describe_passage(self) -> None:
        p = self.walk.current()
        style = self._status_style(p) if p is not None else "bold"
        text = panels.detail(self.walk, self.app.catalog, style, self.message)  # type: ignore[attr-defined]
        self.query_one("#passage-detail", Static).update(text)

    def _describe_progress(self) -> None:
        self.query_one("#review-progress", Static).update(panels.progress_line(self.walk, self.theme_title))

    # -- moving ---------------------------------------------------------------------------------------

    def _go(self, go: Go) -> None:
        if go.index is not None:
            self.select(go.index)
        elif go.document is not None:
            self.open_document(go.document, (go.how, None))
        elif go.message:
            self.say(go.message)

    def action_next(self) -> None:
        self._go(self.walk.next_open())

    def action_previous(self) -> None:
        self._go(self.walk.previous_open())

    def action_step(self, step: int) -> None:
        self._go(self.walk.step(step))

    def action_document(self, step: int) -> None:
        self._go(self.walk.other_document(step))

    def action_choose_document(self) -> None:
        if not self.walk.documents:
            return
        choices = [(Text.assemble((s.document.name, "bold"),
                                  (f"  {s.open_matching if self.walk.theme_ids else s.open} to decide · "
                                   f"{s.passages} passages", "dim")), s.document.id) for s in self.walk.documents]
        self.app.push_screen(ChoiceDialog("Review document", choices),
                             lambda doc_id: self.open_document(doc_id, ("first-open", None)) if doc_id else None)

    @on(OptionList.OptionHighlighted, "#interleaved")
    def _listing_moved(self, event: OptionList.OptionHighlighted) -> None:
        index = int(event.option.id or 0)
        if index != self.walk.index and self.interleaved:
            self.select(index)

    def say(self, message: str) -> None:
        self.message = message
        self._describe_passage()

    def _write(self, action: Callable[[], Any], done: Callable[[Any], Message],
               failed: Callable[[], Message] | None = None) -> None:
        """Run an action that changes the project. What the status line said about the state before
        goes at once; the action's outcome (or the place the walk moves to) says what is now."""
        if self.message:
            self.say("")
        self.app.write(self, action, done, failed)  # type: ignore[attr-defined]

    # -- deciding ------------------------------------------------------------------------------------

    def _decide(self, choice: str, *, accept: str | None = None,
                edited: list[tuple[int, int, str]] | None = None, note: str | None = None) -> None:
        p = self.walk.current()
        if p is None:
            self.say("No passage here to decide")
            return
        decider = self.app.coder  # type: ignore[attr-defined]
        if not decider:
            self.notify("Choose who you are first (C): decisions are logged under your name", timeout=5)
            return
        store, coders = self.app.store, list(self.walk.coders)  # type: ignore[attr-defined]
        note = self.walk.notes.get(p.key, "") if note is None else note
        seen = self.walk.data.document.sha256 if self.walk.data else None
        self._write(lambda: decide(store, decider, coders, p, choice, accept=accept, edited=edited, note=note,
                                   seen_sha256=seen),
                    lambda decision: self.Decided(decision, p.key), self.Refused)

    @on(Decided)
    def _decided(self, event: Decided) -> None:
        self.walk.notes.pop(event.key, None)
        if self.walk.data is not None:
            self.open_document(self.walk.data.document.id, ("after", event.key))
        self.refresh_survey()

    def action_accept(self, number: int) -> None:
        if not 1 <= number <= len(self.walk.coders):
            return
        self._decide("accept", accept=self.walk.coders[number - 1])

    def action_both(self) -> None:
        self._decide("both")

    def action_reject(self) -> None:
        self._decide("reject")

    def action_edit(self) -> None:
        p = self.walk.current()
        if p is None or self.walk.data is None:
            return
        catalog = self.app.catalog  # type: ignore[attr-defined]
        rows = [BoundsRow(theme_id, catalog.get(theme_id).label if catalog.get(theme_id) else "", a, b)
                for theme_id, a, b in theme_extents(p)]
        title = f"Consensus boundaries · {self.walk.data.document.name} {self.walk.line_ref(p.start, p.end)}"
        self.app.push_screen(EditBoundsDialog(title, self.walk.data.text, rows, (p.start, p.end)),
                             lambda spans: self._decide("edit", edited=spans) if spans else None)

    def action_note(self) -> None:
        p = self.walk.current()
        if p is None or self.walk.data is None:
            return
        current = p.decision.note if p.decision is not None else self.walk.notes.get(p.key, "")
        quote = self.walk.data.text[p.start:p.end]
        self.app.push_screen(MemoDialog(f"Note on the decision · {self.walk.line_ref(p.start, p.end)}", quote, current),
                             lambda note: self._noted(p, note))

    def _noted(self, p: Passage, note: str | None) -> None:
        if note is None:
            return
        if p.decision is None:
            self.walk.notes[p.key] = note
            self.say("The note goes with the decision you make on this passage")
            return
        d = p.decision
        if d.choice.startswith("accept:"):
            self._decide("accept", accept=d.choice[len("accept:"):], note=note)
        elif d.choice == "edit":
            self._decide("edit", edited=[tuple(x) for x in d.result], note=note)  # type: ignore[misc]
        else:
            self._decide(d.choice, note=note)

    def action_accept_agreements(self) -> None:
        done = self.walk.done
        if done is None or not self.walk.documents:
            return
        if not done.agreements:
            self.say("No undecided passage on which all coders agree")
            return
        if not self.app.coder:  # type: ignore[attr-defined]
            self.notify("Choose who you are first (C): decisions are logged under your name", timeout=5)
            return
        question = (f"{done.agreements} undecided passages on which {', '.join(self.walk.coders)} coded exactly "
                    f"alike, in {len(self.walk.documents)} documents, will be copied to the consensus layer as they are.")
        self.app.push_screen(ConfirmDialog("Accept every agreement?", question, yes="Accept them"),
                             self._confirm_agreements)

    def _confirm_agreements(self, yes: bool | None) -> None:
        if not yes:
            return
        store, decider, coders = self.app.store, self.app.coder, list(self.walk.coders)  # type: ignore[attr-defined]
        ids = [s.document.id for s in self.walk.documents]
        self._write(lambda: accept_agreements(store, decider, coders, ids), self.Accepted)

    @on(Accepted)
    def _accepted(self, event: Accepted) -> None:
        current = self.walk.current()
        if self.walk.data is not None:
            self.open_document(self.walk.data.document.id, ("key", current.key) if current else None)
        self.say(f"{event.count} agreed passage{'s' if event.count != 1 else ''} accepted into the consensus "
                 f"layer (u takes {'them' if event.count != 1 else 'it'} back)" if event.count
                 else "No agreement was left to accept")
        self.refresh_survey()

    # -- taking decisions back ---------------------------------------------------------------------

    def action_undo(self) -> None:
        self._history(redo=False)

    def action_redo(self) -> None:
        self._history(redo=True)

    def _history(self, *, redo: bool) -> None:
        coder = self.app.coder  # type: ignore[attr-defined]
        if not coder:
            self.notify("Choose who you are first (C): undo takes back your own actions", timeout=5)
            return
        store = self.app.store  # type: ignore[attr-defined]
        step = core.redo if redo else core.undo
        self._write(lambda: step(store, coder), lambda result: self.Stepped(
            f"{'Redone' if redo else 'Undone'}: {core.describe_action(store, *result)}" if result
            else ("Nothing to redo" if redo else "Nothing to undo")))

    def action_reopen(self) -> None:
        p = self.walk.current()
        if p is None:
            return
        if p.decision is None:
            self.say("This passage is not decided")
            return
        decider = self.app.coder  # type: ignore[attr-defined]
        if not decider:
            self.notify("Choose who you are first (C): decisions are logged under your name", timeout=5)
            return
        store, coders = self.app.store, list(self.walk.coders)  # type: ignore[attr-defined]
        seen = self.walk.data.document.sha256 if self.walk.data else None
        self._write(lambda: reopen(store, decider, coders, p, seen_sha256=seen),
                    lambda _: self.Stepped("Undecided again (u puts the decision back)"), self.Refused)

    @on(Stepped)
    def _stepped(self, event: Stepped) -> None:
        current = self.walk.current()
        if self.walk.data is not None:
            self.open_document(self.walk.data.document.id, ("key", current.key) if current else None)
        self.message = event.what
        self.refresh_survey()
        self._describe_passage()

    # -- views and filters -------------------------------------------------------------------------

    def watch_interleaved(self) -> None:
        self.set_class(self.interleaved, "-interleaved")
        if self.interleaved:
            listing = self.query_one("#interleaved", OptionList)
            if self.walk.index is not None and self.walk.index < listing.option_count:
                listing.highlighted = self.walk.index
            listing.focus()
        elif self.views:
            self.views[0].focus()
            if self.walk.index is not None:
                self._show(self.walk.index)

    def action_toggle_interleaved(self) -> None:
        self.interleaved = not self.interleaved

    def action_theme_filter(self) -> None:
        if self.walk.theme_ids is not None:
            self.walk.theme_ids, self.theme_title = None, None
            self._filter_changed()
            return
        app = self.app
        picker = ThemePicker(app.catalog, app.recent, title="Review only the disagreements on",  # type: ignore[attr-defined]
                             allow_create=False)
        app.push_screen(picker, self._theme_picked)

    def _theme_picked(self, result: PickResult | None) -> None:
        if result is None:
            return
        catalog = self.app.catalog  # type: ignore[attr-defined]
        self.walk.theme_ids = frozenset(catalog.descendants(result.theme_id))
        self.theme_title = catalog.title(result.theme_id)
        self._filter_changed()

    def _filter_changed(self) -> None:
        self.message = ""
        self._filter_news = True
        self.refresh_survey()
        self._describe()

    def action_choose_coders(self) -> None:
        if len(self.everyone) < 2:
            return
        self.app.push_screen(CoderSelection(self.everyone, self.walk.coders, title="Review the coders"),
                             self._coders_chosen)

    def _coders_chosen(self, coders: list[str] | None) -> None:
        if not coders or coders == self.walk.coders:
            return
        if len(coders) > MAX_CODERS:
            self.notify(f"Up to {MAX_CODERS} coders side by side: comparing the first {MAX_CODERS}", timeout=4)
            coders = coders[:MAX_CODERS]
        self.walk.coders, self.walk.data, self.walk.index = coders, None, None
        self.say("")
        self.query_one("#sides").loading = True
        self.remember_coders(coders)
        self.refresh_survey()

    @work(thread=True, exit_on_error=False, group="review-settings")
    def remember_coders(self, coders: list[str]) -> None:
        remember(self.app.project, coders)  # type: ignore[attr-defined]

    def action_back(self) -> None:
        self.app.pop_screen()
