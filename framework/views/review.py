"""What the review screen shows and where its keys lead, computed without Textual.

The screen compares coders' versions of the documents in scope passage by passage (see
:mod:`framework.analysis.consensus`). This module reads what is reviewed
(:func:`survey`, :func:`load_document`) and keeps the walk through it (:class:`Walk`):
which passage is current, where ``n``/``p`` go (the next undecided disagreement, in this
document or the next one), and the counts on the bottom line. The screen only draws the
walk and routes keys to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from framework.analysis.consensus import Passage, Progress, passages, progress
from framework.store import Case, Coding, Document, Store, Unit
from framework.views.layout import LineIndex

LETTERS = "ABCD"
MAX_CODERS = 4
"""Coders compared side by side at most."""


def letter(index: int) -> str:
    """How coder ``index`` is named on screen: A, B, C, D, then numbers."""
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
    """One document as reviewed: its text, units, each coder's codings and the passages."""

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
    """A document with every compared coder's codings and its passages."""
    doc = store.documents.get(document_id)
    codings: dict[str, list[Coding]] = {c: [] for c in coders}
    for coding in store.codings.list(coder=coders, document_id=doc.id):
        codings[coding.coder].append(coding)
    return ReviewData(doc, store.cases.get(doc.case_id), store.documents.text(doc.id),
                      store.documents.units(doc.id), codings, passages(store, coders, doc.id))


def theme_extents(p: Passage) -> list[tuple[str, int, int]]:
    """Per theme coded in the passage (by any coder), the widest span: where editing bounds starts."""
    extents: dict[str, tuple[int, int]] = {}
    for codings in p.codings.values():
        for k in codings:
            a, b = extents.get(k.theme_id, (k.start, k.end))
            extents[k.theme_id] = (min(a, k.start), max(b, k.end))
    return [(theme_id, a, b) for theme_id, (a, b) in sorted(extents.items())]


@dataclass(frozen=True)
class Go:
    """Where a move leads: a passage of this document, another document, or nowhere (and why).

    ``index`` selects a passage here; ``document`` opens another document with ``how``
    (``first-open`` or ``last-open``); ``message`` says why nothing moved.
    """

    index: int | None = None
    document: int | None = None
    how: str = ""
    message: str = ""


@dataclass
class Walk:
    """The review's position: documents in scope, the open document, the current passage,
    the theme filter and notes waiting for a decision."""

    coders: list[str] = field(default_factory=list)
    theme_ids: frozenset[str] | None = None
    documents: list[DocSummary] = field(default_factory=list)
    done: Progress | None = None
    data: ReviewData | None = None
    index: int | None = None
    lines: LineIndex = field(default_factory=lambda: LineIndex(""))
    notes: dict[tuple[int, int, int], str] = field(default_factory=dict)

    # -- reading it ---------------------------------------------------------------------------

    def current(self) -> Passage | None:
        if self.data is None or self.index is None or not 0 <= self.index < len(self.data.passages):
            return None
        return self.data.passages[self.index]

    def line_ref(self, start: int, end: int) -> str:
        return "L" + self.lines.line_ref(start, end)

    def open_indices(self) -> list[int]:
        """Undecided disagreements of this document on the filter, by position."""
        if self.data is None:
            return []
        return [i for i, p in enumerate(self.data.passages) if is_open(p) and touches(p, self.theme_ids)]

    def document_position(self) -> int | None:
        if self.data is None:
            return None
        return next((i for i, s in enumerate(self.documents) if s.document.id == self.data.document.id), None)

    def to_decide_here(self) -> int:
        return len(self.open_indices())

    def left_on_filter(self) -> int:
        return sum(s.open_matching for s in self.documents)

    def in_scope(self) -> bool:
        return self.document_position() is not None

    # -- loading ---------------------------------------------------------------------------------

    def show(self, data: ReviewData) -> bool:
        """Take a freshly loaded document; whether its text is new to the screen."""
        same = self.data is not None and self.data.document.id == data.document.id and self.data.text == data.text
        self.data = data
        if not same:
            self.lines = LineIndex(data.text)
        return not same

    def place(self, pending: tuple[str, object] | None) -> str:
        """Choose the current passage after loading, as asked: ``first-open``, ``last-open``,
        ``after`` a decided passage's key, or the passage with ``key``; a message when there
        is no undecided disagreement after a decision."""
        assert self.data is not None
        found = self.data.passages
        keys = [p.key for p in found]
        index: int | None = None
        message = ""
        if pending is None:
            if self.index is not None and self.index < len(found):
                index = self.index
        else:
            how, key = pending
            opened = self.open_indices()
            if how == "first-open":
                index = opened[0] if opened else (0 if found else None)
            elif how == "last-open":
                index = opened[-1] if opened else (len(found) - 1 if found else None)
            elif how == "after" and key in keys:
                here = keys.index(key)  # type: ignore[arg-type]
                index = next((i for i in opened if i > here), None)
                if index is None:
                    index = here
                    message = "No undecided disagreement after this one in this document: ] next document"
            elif how == "key" and key in keys:
                index = keys.index(key)  # type: ignore[arg-type]
        self.index = index
        return message

    def first_document(self, wanted: int | str | None) -> DocSummary | None:
        """The document to open first: the one asked for, else the first with something to decide."""
        if not self.documents:
            return None
        if wanted is not None:
            key = str(wanted)
            chosen = next((s for s in self.documents if s.document.name == key or str(s.document.id) == key), None)
            if chosen is not None:
                return chosen
        return next((s for s in self.documents if s.open_matching), self.documents[0])

    # -- moving ------------------------------------------------------------------------------------

    def next_open(self) -> Go:
        """The next undecided disagreement: in this document, else the first of a later one."""
        if self.data is None:
            return Go()
        current = -1 if self.index is None else self.index
        following = next((i for i in self.open_indices() if i > current), None)
        if following is not None:
            return Go(index=following)
        position = self.document_position()
        later = self.documents[(position + 1 if position is not None else 0):]
        target = next((s for s in later if s.open_matching), None)
        if target is not None:
            return Go(document=target.document.id, how="first-open")
        return Go(message="No undecided disagreement after this one")

    def previous_open(self) -> Go:
        """The previous undecided disagreement: in this document, else the last of an earlier one."""
        if self.data is None:
            return Go()
        current = len(self.data.passages) if self.index is None else self.index
        earlier = [i for i in self.open_indices() if i < current]
        if earlier:
            return Go(index=earlier[-1])
        position = self.document_position()
        before = self.documents[:position] if position is not None else []
        target = next((s for s in reversed(before) if s.open_matching), None)
        if target is not None:
            return Go(document=target.document.id, how="last-open")
        return Go(message="No undecided disagreement before this one")

    def step(self, step: int) -> Go:
        """The next or previous passage, decided or not (stopping at the ends)."""
        if self.data is None or not self.data.passages:
            return Go()
        current = self.index if self.index is not None else (-1 if step > 0 else len(self.data.passages))
        return Go(index=min(max(current + step, 0), len(self.data.passages) - 1))

    def other_document(self, step: int) -> Go:
        """The next or previous document in scope (round the list)."""
        if not self.documents:
            return Go()
        position = self.document_position()
        position = 0 if position is None else (position + step) % len(self.documents)
        return Go(document=self.documents[position].document.id, how="first-open")
