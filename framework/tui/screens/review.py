"""The review screen: coders' versions of a document side by side, and a consensus.

Each coder's codings are shown in their own pane (the panes scroll together), or all
versions passage by passage (``i``). A passage is a stretch where the coders' codings
overlap (see :mod:`framework.consensus`): all agree, only one coder coded it, different
themes, or the same themes with different boundaries. ``n``/``p`` move between undecided
disagreements (across documents); ``a``/``b`` (or ``1``-``4``) accept one coder's version,
``+`` accepts every coder's, ``x`` rejects, ``e`` edits the boundaries, ``m`` adds a note;
each decision writes the consensus layer through :func:`framework.consensus.decide`.
``y`` accepts every agreement at once. Progress is always on the bottom line.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from ...consensus import Decision, Passage, Progress, accept_agreements, decide, passages, progress
from ...store import Case, Coding, Document, Store, Unit
from ..dialogs.bounds import BoundsRow, EditBoundsDialog
from ..dialogs.coders import CoderSelection
from ..dialogs.common import ChoiceDialog, ConfirmDialog
from ..dialogs.memo import MemoDialog
from ..dialogs.theme_picker import PickResult, ThemePicker
from ..layout import LineIndex
from ..widgets.review_view import Mark, ReviewTranscript, status_class
from .agreement import coders_with_codings

LETTERS = "ABCD"
MAX_CODERS = 4


def letter(index: int) -> str:
    return LETTERS[index] if index < len(LETTERS) else str(index + 1)


def status_words(status: str) -> str:
    """A passage status in words."""
    if status.startswith("only:"):
        return f"only {status[5:]}"
    return {"agree": "all agree", "theme": "different themes",
            "bounds": "same themes, different boundaries"}.get(status, status)


def is_open(p: Passage) -> bool:
    """An undecided disagreement."""
    return p.decision is None and p.status != "agree"


def touches(p: Passage, theme_ids: frozenset[str] | None) -> bool:
    """Whether any coder's coding in the passage is of one of the themes (no filter: yes)."""
    return theme_ids is None or any(k.theme_id in theme_ids for cs in p.codings.values() for k in cs)


@dataclass(frozen=True)
class DocSummary:
    """A document in scope with its passages: all, undecided disagreements, and those on the filter."""

    document: Document
    passages: int
    open: int
    open_matching: int


@dataclass(frozen=True)
class ReviewData:
    document: Document
    case: Case
    text: str
    units: list[Unit]
    codings: dict[str, list[Coding]]
    passages: list[Passage]


def survey(store: Store, coders: list[str], theme_ids: frozenset[str] | None,
           names: list[str] | None) -> tuple[list[DocSummary], Progress]:
    """The documents to review (those every coder coded, or the named ones) and the progress."""
    counts = store.documents.coded_counts()
    docs = store.documents.list()
    if names:
        wanted = set(names)
        scope = [d for d in docs if d.name in wanted]
    else:
        scope = [d for d in docs if all(counts.get(d.id, {}).get(c) for c in coders)]
        scope = scope or [d for d in docs if any(counts.get(d.id, {}).get(c) for c in coders)]
    out = []
    for doc in scope:
        found = passages(store, coders, doc.id)
        out.append(DocSummary(doc, len(found), sum(is_open(p) for p in found),
                              sum(is_open(p) and touches(p, theme_ids) for p in found)))
    done = progress(store, coders, [d.id for d in scope]) if scope else Progress(0, 0, 0)
    return out, done


def load_document(store: Store, coders: list[str], document_id: int) -> ReviewData:
    doc = store.documents.get(document_id)
    codings: dict[str, list[Coding]] = {c: [] for c in coders}
    for coding in store.codings.list(coder=coders, document_id=doc.id):
        codings[coding.coder].append(coding)
    return ReviewData(doc, store.cases.get(doc.case_id), store.documents.text(doc.id),
                      store.documents.units(doc.id), codings, passages(store, coders, doc.id))


class ReviewScreen(Screen[None]):
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
                  tooltip=f"Keep the version of coder {n} (as numbered on screen: A is 1)") for n in range(1, MAX_CODERS + 1)],
        Binding("plus,equals_sign", "both", "Both", id="review.both",
                tooltip="Keep every coder's codings of this passage"),
        Binding("x", "reject", "Reject", id="review.reject", tooltip="No consensus coding for this passage"),
        Binding("e", "edit", "Edit bounds", id="review.edit",
                tooltip="Decide the boundaries yourself (start and end per theme)"),
        Binding("m", "note", "Note", id="review.note", tooltip="Write a note on the decision for this passage"),
        Binding("y", "accept_agreements", "Accept agreed", show=False, id="review.accept_agreements",
                tooltip="Accept every passage all coders coded alike, in every document (asks first)"),
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
    class Problem(Message):
        message: str

    def __init__(self, coders: list[str] | None = None, *, document: int | str | None = None,
                 theme_ids: list[str] | None = None, theme_title: str | None = None,
                 documents: list[str] | None = None) -> None:
        super().__init__()
        self.coders: list[str] = list(coders or [])
        self.everyone: list[str] = []
        self.start_document = document
        self.theme_ids = frozenset(theme_ids) if theme_ids else None
        self.theme_title = theme_title
        self.scope_names = documents
        self.documents: list[DocSummary] = []
        self.done: Progress | None = None
        self.data: ReviewData | None = None
        self.lines = LineIndex("")
        self.index: int | None = None
        self.pending: tuple[str, object] | None = None
        self.notes: dict[tuple[int, int, int], str] = {}
        self.message = ""
        self._mounted_coders: list[str] = []

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
        if self.data is not None:
            self._fill_interleaved()
            self._describe()

    @property
    def views(self) -> list[ReviewTranscript]:
        return list(self.query(ReviewTranscript))

    # -- loading ------------------------------------------------------------------------------------

    def refresh_survey(self) -> None:
        self.run_survey(list(self.coders), self.theme_ids, self.scope_names)

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-survey")
    def run_survey(self, coders: list[str], theme_ids: frozenset[str] | None, names: list[str] | None) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        everyone = coders_with_codings(store)
        coders = coders or everyone[:MAX_CODERS]
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
        self.coders, self.everyone = event.coders, event.everyone
        self.documents, self.done = event.documents, event.progress
        if self._mounted_coders != self.coders:
            await self._mount_views()
        if self.data is None:
            self._open_first()
        self._describe_progress()

    async def _mount_views(self) -> None:
        sides = self.query_one("#sides", Horizontal)
        await sides.remove_children()
        panes = []
        for i, coder in enumerate(self.coders):
            view = ReviewTranscript(coder, classes="review-view")
            pane = Vertical(Static(Text.assemble((f" {letter(i)} ", "reverse bold"), f" {coder}"),
                                   classes="analysis-pane-title"), view, classes="review-side")
            panes.append(pane)
        await sides.mount_all(panes)
        self._mounted_coders = list(self.coders)
        for view in self.views:
            self.watch(view, "scroll_y", partial(self._sync_scroll, view), init=False)
        if self.views and not self.interleaved:
            self.views[0].focus()

    def _sync_scroll(self, source: ReviewTranscript, y: float) -> None:
        for view in self.views:
            if view is not source and view.scroll_y != y:
                view.scroll_to(y=y, animate=False)

    def _open_first(self) -> None:
        if not self.documents:
            self.query_one("#sides").loading = False
            self.query_one("#passage-detail", Static).update(
                Text(f"No document has codings by {', '.join(self.coders)}.", style="bold"))
            return
        chosen = None
        if self.start_document is not None:
            key = str(self.start_document)
            chosen = next((s for s in self.documents if s.document.name == key or str(s.document.id) == key), None)
        if chosen is None:
            chosen = next((s for s in self.documents if s.open_matching), self.documents[0])
        self.open_document(chosen.document.id, ("first-open", None))

    def open_document(self, document_id: int, select: tuple[str, object] | None) -> None:
        self.pending = select
        self.query_one("#sides").loading = self.data is None or self.data.document.id != document_id
        self.run_load(list(self.coders), document_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-document")
    def run_load(self, coders: list[str], document_id: int) -> None:
        self.post_message(self.Loaded(load_document(self.app.store, coders, document_id)))  # type: ignore[attr-defined]

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        data = event.data
        if list(data.codings) != self.coders:
            return
        same = self.data is not None and self.data.document.id == data.document.id and self.data.text == data.text
        self.data = data
        catalog, views = self.app.catalog, self.views  # type: ignore[attr-defined]
        if not same:
            self.lines = LineIndex(data.text)
            for view, coder in zip(views, self.coders):
                view.show_document(data.text, data.units, data.codings.get(coder, []))
                view.set_view(catalog, coder, False)
        self.query_one("#sides").loading = False
        self._place(data)
        self._fill_interleaved()
        self._describe()

    def _place(self, data: ReviewData) -> None:
        """Choose the passage to show after loading, as asked (first open, last open, after a decision)."""
        pending, self.pending = self.pending, None
        found = data.passages
        keys = [p.key for p in found]
        index: int | None = None
        if pending is None:
            if self.index is not None and self.index < len(found):
                index = self.index
        else:
            how, key = pending
            opened = [i for i, p in enumerate(found) if is_open(p) and touches(p, self.theme_ids)]
            if how == "first-open":
                index = opened[0] if opened else (0 if found else None)
            elif how == "last-open":
                index = opened[-1] if opened else (len(found) - 1 if found else None)
            elif how == "after" and key in keys:
                here = keys.index(key)  # type: ignore[arg-type]
                index = next((i for i in opened if i > here), None)
                if index is None:
                    index = here
                    self.message = "No undecided disagreement after this one in this document: ] next document"
            elif how == "key" and key in keys:
                index = keys.index(key)  # type: ignore[arg-type]
        self.index = index
        self._mark()
        if index is not None:
            self._show(index)

    def _mark(self) -> None:
        if self.data is None:
            return
        marks = [Mark(p.start, p.end, p.status, p.decision is not None) for p in self.data.passages]
        current = self.current_passage()
        for view in self.views:
            view.set_marks(marks, (current.start, current.end) if current else None)

    # -- showing -----------------------------------------------------------------------------------------

    def current_passage(self) -> Passage | None:
        if self.data is None or self.index is None or not 0 <= self.index < len(self.data.passages):
            return None
        return self.data.passages[self.index]

    def select(self, index: int) -> None:
        """Make passage ``index`` of this document the current one."""
        self.index = index
        self.message = ""
        self._show(index)
        self._describe()

    def _show(self, index: int) -> None:
        p = self.data.passages[index] if self.data else None
        if p is None:
            return
        for view in self.views:
            view.set_current((p.start, p.end))
            view.goto_offset(p.start)
        listing = self.query_one("#interleaved", OptionList)
        if listing.option_count > index and listing.highlighted != index:
            listing.highlighted = index

    def _lines(self, start: int, end: int) -> str:
        return "L" + self.lines.line_ref(start, end)

    def _fill_interleaved(self) -> None:
        listing = self.query_one("#interleaved", OptionList)
        options = []
        for n, p in enumerate(self.data.passages if self.data else []):
            text = self._passage_heading(p, n)
            for i, coder in enumerate(self.coders):
                text.append(f"\n {letter(i)} {coder}: ", style="bold")
                text.append_text(self._version(p, coder, quotes=True))
            options.append(Option(text, id=str(n)))
        listing.set_options(options)
        if self.index is not None and self.index < len(options):
            listing.highlighted = self.index

    def _passage_heading(self, p: Passage, n: int, total: int | None = None) -> Text:
        views = self.views
        style = views[0].mark_style(status_class(p.status)) + Style(bold=True, underline=False) if views else "bold"
        text = Text.assemble((f"■ {status_words(p.status)}", style), f" · {self._lines(p.start, p.end)}")
        text.append(f" · passage {n + 1}" + (f" of {total}" if total else ""))
        if p.decision is not None:
            text.append(f" · decided: {p.decision.choice}", style="italic")
        elif self.notes.get(p.key):
            text.append(" · note waiting", style="italic")
        return text

    def _version(self, p: Passage, coder: str, *, quotes: bool = False) -> Text:
        """One coder's codings of the passage: theme and lines (and the quote)."""
        catalog = self.app.catalog  # type: ignore[attr-defined]
        codings = p.codings.get(coder, ())
        if not codings:
            return Text("— (not coded)", style="dim")
        text = Text()
        for k, coding in enumerate(codings):
            if k:
                text.append(" · " if not quotes else "\n    ")
            text.append("■ ", style=catalog.colour(coding.theme_id))
            text.append(f"{catalog.title(coding.theme_id)} {self._lines(coding.start, coding.end)}")
            if quotes:
                words = " ".join(coding.quote.split())
                text.append(f" “{words[:160] + '…' if len(words) > 160 else words}”", style="dim")
        return text

    def _describe(self) -> None:
        data = self.data
        title = Text()
        if data is not None:
            title.append(data.document.name, style="bold")
            values = [v for v in data.case.attributes.values() if v]
            if data.case.name != data.document.name:
                values.insert(0, data.case.name)
            if values:
                title.append(f" ({', '.join(values)})", style="dim")
            number = next((i for i, s in enumerate(self.documents) if s.document.id == data.document.id), None)
            if number is not None:
                title.append(f" · document {number + 1} of {len(self.documents)}")
        title.append(" · " + " vs ".join(f"{letter(i)} {c}" for i, c in enumerate(self.coders)))
        if self.theme_ids is not None:
            title.append(f" · only {self.theme_title or 'the chosen themes'}", style="bold")
        self.query_one("#review-title", Static).update(title)
        self._describe_passage()
        self._describe_progress()

    def _describe_passage(self) -> None:
        detail = self.query_one("#passage-detail", Static)
        p = self.current_passage()
        if p is None or self.data is None:
            detail.update("No coded passage in this document." if self.data else "")
            return
        text = self._passage_heading(p, self.index or 0, len(self.data.passages))
        text.append(" · undecided" if p.decision is None else "")
        for i, coder in enumerate(self.coders):
            text.append(f"\n{letter(i)} {coder}: ", style="bold")
            text.append_text(self._version(p, coder))
        if p.decision is not None:
            d = p.decision
            text.append(f"\nDecided {d.choice} by {d.decided_by} ({d.at[:16].replace('T', ' ')})", style="italic")
            if d.note:
                text.append(f" · note: {d.note}", style="italic")
        elif self.notes.get(p.key):
            text.append(f"\nNote for the decision: {self.notes[p.key]}", style="italic")
        if self.message:
            text.append(f"\n{self.message}", style="italic")
        detail.update(text)

    def _describe_progress(self) -> None:
        text = Text()
        done = self.done
        if done is None:
            text.append("Counting passages…", style="dim")
        else:
            text.append(f"Decided {done.decided}", style="bold")
            text.append(f" · remaining {done.remaining}", style="bold")
            if done.agreements:
                text.append(f" ({done.agreements} agreed by all: y accepts them)")
        summary = next((s for s in self.documents if self.data and s.document.id == self.data.document.id), None)
        if self.data is not None:
            here = sum(is_open(p) and touches(p, self.theme_ids) for p in self.data.passages)
            text.append(f" · this document: {here} to decide")
        if self.theme_ids is not None:
            left = sum(s.open_matching for s in self.documents)
            text.append(f" · on {self.theme_title or 'the filter'}: {left} left")
        if summary is None and self.data is not None:
            text.append(" · (document outside the compared ones)", style="dim")
        self.query_one("#review-progress", Static).update(text)

    # -- moving ---------------------------------------------------------------------------------------

    def _open_indices(self) -> list[int]:
        if self.data is None:
            return []
        return [i for i, p in enumerate(self.data.passages) if is_open(p) and touches(p, self.theme_ids)]

    def _document_position(self) -> int | None:
        if self.data is None:
            return None
        return next((i for i, s in enumerate(self.documents) if s.document.id == self.data.document.id), None)

    def action_next(self) -> None:
        if self.data is None:
            return
        current = -1 if self.index is None else self.index
        following = next((i for i in self._open_indices() if i > current), None)
        if following is not None:
            self.select(following)
            return
        position = self._document_position()
        later = self.documents[(position + 1 if position is not None else 0):]
        target = next((s for s in later if s.open_matching), None)
        if target is not None:
            self.open_document(target.document.id, ("first-open", None))
        else:
            self.say("No undecided disagreement after this one")

    def action_previous(self) -> None:
        if self.data is None:
            return
        current = len(self.data.passages) if self.index is None else self.index
        earlier = [i for i in self._open_indices() if i < current]
        if earlier:
            self.select(earlier[-1])
            return
        position = self._document_position()
        before = self.documents[: position] if position is not None else []
        target = next((s for s in reversed(before) if s.open_matching), None)
        if target is not None:
            self.open_document(target.document.id, ("last-open", None))
        else:
            self.say("No undecided disagreement before this one")

    def action_step(self, step: int) -> None:
        if self.data is None or not self.data.passages:
            return
        current = self.index if self.index is not None else (-1 if step > 0 else len(self.data.passages))
        self.select(min(max(current + step, 0), len(self.data.passages) - 1))

    def action_document(self, step: int) -> None:
        if not self.documents:
            return
        position = self._document_position()
        position = 0 if position is None else (position + step) % len(self.documents)
        self.open_document(self.documents[position].document.id, ("first-open", None))

    def action_choose_document(self) -> None:
        if not self.documents:
            return
        choices = [(Text.assemble((s.document.name, "bold"),
                                  (f"  {s.open_matching if self.theme_ids else s.open} to decide · "
                                   f"{s.passages} passages", "dim")), s.document.id) for s in self.documents]
        self.app.push_screen(ChoiceDialog("Review document", choices),
                             lambda doc_id: self.open_document(doc_id, ("first-open", None)) if doc_id else None)

    @on(OptionList.OptionHighlighted, "#interleaved")
    def _listing_moved(self, event: OptionList.OptionHighlighted) -> None:
        index = int(event.option.id or 0)
        if index != self.index and self.interleaved:
            self.select(index)

    def say(self, message: str) -> None:
        self.message = message
        self._describe_passage()

    # -- deciding ------------------------------------------------------------------------------------

    def _decide(self, choice: str, *, accept: str | None = None,
                edited: list[tuple[int, int, str]] | None = None, note: str | None = None) -> None:
        p = self.current_passage()
        if p is None:
            self.say("No passage here to decide")
            return
        decider = self.app.coder  # type: ignore[attr-defined]
        if not decider:
            self.notify("Choose who you are first (C): decisions are logged under your name", timeout=5)
            return
        store, coders = self.app.store, list(self.coders)  # type: ignore[attr-defined]
        note = self.notes.get(p.key, "") if note is None else note
        self.app.write(  # type: ignore[attr-defined]
            self, lambda: decide(store, decider, coders, p, choice, accept=accept, edited=edited, note=note),
            lambda decision: self.Decided(decision, p.key))

    @on(Decided)
    def _decided(self, event: Decided) -> None:
        self.notes.pop(event.key, None)
        if self.data is not None:
            self.open_document(self.data.document.id, ("after", event.key))
        self.refresh_survey()

    def action_accept(self, number: int) -> None:
        if not 1 <= number <= len(self.coders):
            return
        self._decide("accept", accept=self.coders[number - 1])

    def action_both(self) -> None:
        self._decide("both")

    def action_reject(self) -> None:
        self._decide("reject")

    def action_edit(self) -> None:
        p = self.current_passage()
        if p is None or self.data is None:
            return
        catalog = self.app.catalog  # type: ignore[attr-defined]
        extents: dict[str, tuple[int, int]] = {}
        for codings in p.codings.values():
            for k in codings:
                a, b = extents.get(k.theme_id, (k.start, k.end))
                extents[k.theme_id] = (min(a, k.start), max(b, k.end))
        rows = [BoundsRow(theme_id, catalog.get(theme_id).label if catalog.get(theme_id) else "", a, b)
                for theme_id, (a, b) in sorted(extents.items())]
        title = f"Consensus boundaries · {self.data.document.name} {self._lines(p.start, p.end)}"
        self.app.push_screen(EditBoundsDialog(title, self.data.text, rows),
                             lambda spans: self._decide("edit", edited=spans) if spans else None)

    def action_note(self) -> None:
        p = self.current_passage()
        if p is None or self.data is None:
            return
        current = p.decision.note if p.decision is not None else self.notes.get(p.key, "")
        quote = self.data.text[p.start:p.end]
        self.app.push_screen(MemoDialog(f"Note on the decision · {self._lines(p.start, p.end)}", quote, current),
                             lambda note: self._noted(p, note))

    def _noted(self, p: Passage, note: str | None) -> None:
        if note is None:
            return
        if p.decision is None:
            self.notes[p.key] = note
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
        done = self.done
        if done is None or not self.documents:
            return
        if not done.agreements:
            self.say("No undecided passage on which all coders agree")
            return
        if not self.app.coder:  # type: ignore[attr-defined]
            self.notify("Choose who you are first (C): decisions are logged under your name", timeout=5)
            return
        question = (f"{done.agreements} undecided passages on which {', '.join(self.coders)} coded exactly alike, "
                    f"in {len(self.documents)} documents, will be copied to the consensus layer as they are.")
        self.app.push_screen(ConfirmDialog("Accept every agreement?", question, yes="Accept them"),
                             self._confirm_agreements)

    def _confirm_agreements(self, yes: bool | None) -> None:
        if not yes:
            return
        store, decider, coders = self.app.store, self.app.coder, list(self.coders)  # type: ignore[attr-defined]
        ids = [s.document.id for s in self.documents]
        self.app.write(self, lambda: accept_agreements(store, decider, coders, ids), self.Accepted)  # type: ignore[attr-defined]

    @on(Accepted)
    def _accepted(self, event: Accepted) -> None:
        self.notify(f"{event.count} agreed passages accepted into the consensus layer", timeout=4)
        current = self.current_passage()
        if self.data is not None:
            self.open_document(self.data.document.id, ("key", current.key) if current else None)
        self.refresh_survey()

    # -- views and filters -------------------------------------------------------------------------

    def watch_interleaved(self) -> None:
        self.set_class(self.interleaved, "-interleaved")
        if self.interleaved:
            listing = self.query_one("#interleaved", OptionList)
            if self.index is not None and self.index < listing.option_count:
                listing.highlighted = self.index
            listing.focus()
        elif self.views:
            self.views[0].focus()
            if self.index is not None:
                self._show(self.index)

    def action_toggle_interleaved(self) -> None:
        self.interleaved = not self.interleaved

    def action_theme_filter(self) -> None:
        if self.theme_ids is not None:
            self.theme_ids, self.theme_title = None, None
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
        self.theme_ids = frozenset(catalog.descendants(result.theme_id))
        self.theme_title = catalog.title(result.theme_id)
        self._filter_changed()

    def _filter_changed(self) -> None:
        self.refresh_survey()
        self._describe()

    def action_choose_coders(self) -> None:
        if len(self.everyone) < 2:
            return
        self.app.push_screen(CoderSelection(self.everyone, self.coders, title="Review the coders"),
                             self._coders_chosen)

    def _coders_chosen(self, coders: list[str] | None) -> None:
        if not coders or coders == self.coders:
            return
        if len(coders) > MAX_CODERS:
            self.notify(f"Up to {MAX_CODERS} coders side by side: comparing the first {MAX_CODERS}", timeout=4)
            coders = coders[:MAX_CODERS]
        self.coders, self.data, self.index = coders, None, None
        self.query_one("#sides").loading = True
        self.refresh_survey()

    def action_back(self) -> None:
        self.app.pop_screen()
