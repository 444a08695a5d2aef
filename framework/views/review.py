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

from framework.analysis.compare import document_scope
from framework.analysis.consensus import Passage, Progress, fingerprint, passages, tally
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
        return "only " + ", ".join(status[5:].split(","))
    return {"agree": "all agree", "theme": "different themes", "bounds": "same themes, different boundaries",
            "gone": "no coder codes it any more"}.get(status, status)


def is_open(p: Passage) -> bool:
    """An undecided disagreement, or a decision changed since it was made (to decide again)."""
    return (p.decision is None and p.status != "agree") or p.stale


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
    """The documents to review (those every coder coded, or the named ones) and the progress
    over them, counted as ``consensus status`` counts it (:func:`framework.analysis.consensus.progress`)."""
    scope = document_scope(store, coders, names).documents
    out = []
    tallies = []
    changed: list[Passage] = []
    for doc in scope:
        found = passages(store, coders, doc.id)
        tallies.append(tally(found))
        changed += [p for p in found if p.stale]
        out.append(DocSummary(doc, len(found), sum(is_open(p) for p in found),
                              sum(is_open(p) and touches(p, theme_ids) for p in found)))
    done = Progress(sum(t[0] for t in tallies), sum(t[1] for t in tallies), sum(t[2] for t in tallies), len(scope),
                    tuple(changed))
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


def _wordy(ch: str) -> bool:
    return ch.isalnum() or ch in "'’-_"


def snap_span(text: str, start: int, end: int) -> tuple[int, int]:
    """A span moved to whole words: a boundary inside a word goes to the nearer end of that
    word (to its start if halfway for a start, to its end for an end); spaces at either
    edge are left out. A span that would vanish is returned as it was."""
    a, b = max(0, min(start, len(text))), max(0, min(end, len(text)))
    if 0 < a < len(text) and _wordy(text[a - 1]) and _wordy(text[a]):
        back = a
        while back > 0 and _wordy(text[back - 1]):
            back -= 1
        forward = a
        while forward < len(text) and _wordy(text[forward]):
            forward += 1
        a = back if a - back <= forward - a else forward
    if 0 < b < len(text) and _wordy(text[b - 1]) and _wordy(text[b]):
        back = b
        while back > 0 and _wordy(text[back - 1]):
            back -= 1
        forward = b
        while forward < len(text) and _wordy(text[forward]):
            forward += 1
        b = forward if forward - b <= b - back else back
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return (a, b) if b > a else (start, end)


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

    def hidden(self) -> int:
        """Undecided disagreements in scope that the theme filter hides (no filter: none)."""
        if self.theme_ids is None:
            return 0
        return sum(s.open - s.open_matching for s in self.documents)

    def hidden_note(self) -> str:
        """``3 more on other themes, hidden by the filter: t shows every theme`` (nothing hidden: empty)."""
        hidden = self.hidden()
        if not hidden:
            return ""
        return f"{hidden} more on other themes, hidden by the filter: t shows every theme"

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
        ``after`` a decided passage's key, the passage with ``key``, or ``keep`` a passage
        (after changes made elsewhere); a message when there is no undecided disagreement
        after a decision, or when the passage kept was changed."""
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
                if index is None and opened:
                    index = opened[0]
                    message = (f"Back to the first undecided disagreement of this document "
                               f"({len(opened)} left here)")
                elif index is None:
                    index = here
                    message = self.done_here()
            elif how == "key" and key in keys:
                index = keys.index(key)  # type: ignore[arg-type]
            elif how == "keep" and isinstance(key, Passage):
                index, message = self.kept(key)
        self.index = index
        return message

    def kept(self, old: Passage) -> tuple[int | None, str]:
        """Where the current passage is after the document was read again: the same passage
        (saying if it changed), else the one now over its words, else the next one."""
        assert self.data is not None
        found = self.data.passages
        keys = [p.key for p in found]
        if old.key in keys:
            here = keys.index(old.key)
            same = fingerprint(found[here]) == fingerprint(old)
            return here, "" if same else "This passage was changed elsewhere: shown as it is now"
        over = [i for i, p in enumerate(found) if p.start < old.end and p.end > old.start]
        if over:
            return over[0], "The codings of the passage you were on were changed elsewhere: this is the passage there now"
        later = [i for i, p in enumerate(found) if p.start >= old.start]
        index = later[0] if later else (len(found) - 1 if found else None)
        return index, "The passage you were on is gone (its codings were removed elsewhere)"

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

    def left_elsewhere(self) -> int:
        """Undecided disagreements on the filter in the other documents in scope."""
        position = self.document_position()
        return sum(s.open_matching for i, s in enumerate(self.documents) if i != position)

    def filter_summary(self) -> str:
        """What to say when the theme filter is put on or taken off."""
        if self.theme_ids is None:
            left = sum(s.open for s in self.documents)
            return f"Every theme shown: {left} to decide" if left else "Every theme shown: every disagreement is decided"
        left, hidden = self.left_on_filter(), self.hidden_note()
        if not left:
            return f"Nothing left to decide on this filter; {hidden}" if hidden else "Every disagreement is decided"
        return f"{left} to decide on this filter" + (f"; {hidden}" if hidden else " (t shows every theme)")

    def done_here(self) -> str:
        """What to say when this document has nothing left to decide (on the filter, if one is on:
        then also how many the filter hides, and that ``t`` shows them)."""
        elsewhere = self.left_elsewhere()
        filtered = self.theme_ids is not None
        hidden = self.hidden_note()
        if elsewhere:
            return (f"Every disagreement{' on this filter' if filtered else ''} in this document is decided; "
                    f"{elsewhere} left{' on it' if filtered else ''} in other documents: n goes on"
                    + (f" ({hidden})" if hidden else ""))
        if hidden:
            return f"Every disagreement on this filter is decided, but not all: {hidden}"
        return "Every disagreement is decided"

    def next_open(self) -> Go:
        """The next undecided disagreement: in this document, else in a later one, else round again
        (the earlier documents, then the start of this one)."""
        return self._move(forward=True)

    def previous_open(self) -> Go:
        """The previous undecided disagreement: in this document, else in an earlier one, else round
        again (the later documents, then the end of this one)."""
        return self._move(forward=False)

    def _move(self, *, forward: bool) -> Go:
        if self.data is None:
            return Go()
        opened = self.open_indices()
        if forward:
            current = -1 if self.index is None else self.index
            here = next((i for i in opened if i > current), None)
        else:
            current = len(self.data.passages) if self.index is None else self.index
            here = next((i for i in reversed(opened) if i < current), None)
        if here is not None:
            return Go(index=here)
        position = self.document_position()
        count = len(self.documents)
        how = "first-open" if forward else "last-open"
        if position is None:
            order = self.documents if forward else list(reversed(self.documents))
        else:
            step = 1 if forward else -1
            order = [self.documents[(position + step * k) % count] for k in range(1, count)]
        target = next((s for s in order if s.open_matching), None)
        if target is not None:
            return Go(document=target.document.id, how=how)
        if opened:  # only earlier (or later) ones in this document
            word = "first" if forward else "last"
            return Go(index=opened[0] if forward else opened[-1],
                      message=f"Round again: the {word} undecided disagreement of this document ({len(opened)} left)")
        return Go(message=self.done_here())

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
