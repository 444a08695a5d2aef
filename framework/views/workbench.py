"""What the screens load, read from the store in thread workers (no Textual here).

Each function reads through the store's repositories and returns plain dataclasses;
the screens only ever see these.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from framework.project import Project
from framework.store import Attribute, Case, Coding, Document, Store, Unit
from framework.themes.edit import add_theme_to_file
from framework.themes.model import ThemeSpec
from framework.themes.sync import sync_themes
from framework.views.catalog import RECENT_SIZE, ThemeCatalog
from framework.views.layout import LineIndex

RECENT_SETTING = "recent_themes"


def load_catalog(store: Store, coder: str | None = None) -> ThemeCatalog:
    """The themes with their project-wide counts (of one coder, or of everyone)."""
    return ThemeCatalog(store.themes.list(), store.themes.usage(coder))


@dataclass(frozen=True)
class DocRow:
    """One document on the documents screen, with its case and coded counts."""

    document: Document
    case: Case
    mine: int
    others: int


@dataclass(frozen=True)
class DocumentList:
    attributes: list[Attribute]
    rows: list[DocRow]
    cases_without_documents: int


def load_documents(store: Store, coder: str | None) -> DocumentList:
    cases = {c.id: c for c in store.cases.list()}
    counts = store.documents.coded_counts()
    rows = []
    for doc in store.documents.list():
        per_coder = counts.get(doc.id, {})
        mine = per_coder.get(coder, 0) if coder else 0
        rows.append(DocRow(doc, cases.get(doc.case_id, Case(doc.case_id, doc.case)), mine,
                           sum(per_coder.values()) - mine))
    with_docs = {r.document.case_id for r in rows}
    return DocumentList(store.cases.attributes(), rows, len(set(cases) - with_docs))


@dataclass(frozen=True)
class ReaderData:
    """A document opened in the reader."""

    document: Document
    case: Case
    text: str
    units: list[Unit]
    codings: list[Coding]


def load_reader(store: Store, document: str | int) -> ReaderData:
    doc = store.documents.get(document)
    return ReaderData(
        doc, store.cases.get(doc.case_id), store.documents.text(doc.id), store.documents.units(doc.id),
        store.codings.list(document_id=doc.id),
    )


@dataclass(frozen=True)
class Passage:
    """A coded passage on the retrieval screen."""

    coding: Coding
    case: Case
    line_ref: str


def load_passages(store: Store, theme_ids: Sequence[str], coders: Sequence[str] | None) -> list[Passage]:
    codings = store.codings.list(theme_ids=list(theme_ids), coder=list(coders) if coders is not None else None)
    if not codings:
        return []
    docs = {d.id: d for d in store.documents.list()}
    cases = {c.id: c for c in store.cases.list()}
    indexes: dict[int, LineIndex] = {}
    out = []
    for coding in codings:
        doc = docs[coding.document_id]
        if coding.document_id not in indexes:
            indexes[coding.document_id] = LineIndex(store.documents.text(coding.document_id))
        ref = "detached" if coding.detached else indexes[coding.document_id].line_ref(coding.start, coding.end)
        out.append(Passage(coding, cases.get(doc.case_id, Case(doc.case_id, doc.case)), ref))
    return out


def create_theme(project: Project, coder: str, spec: ThemeSpec, parent_id: str | None) -> ThemeCatalog:
    """Add a theme to ``themes.yaml`` (keeping the file's other content), then load it into the store."""
    add_theme_to_file(project.themes_path, spec, parent_id)
    sync_themes(project.store, project.themes_path, coder=coder)
    return load_catalog(project.store, coder)


def recent_themes(project: Project, coder: str) -> list[str]:
    """The coder's recently used themes, as remembered in the project's local settings."""
    saved = project.settings().get(RECENT_SETTING, {})
    value = saved.get(coder, []) if isinstance(saved, dict) else []
    if value:
        return [str(t) for t in value][:RECENT_SIZE]
    return project.store.codings.recent_themes(coder, RECENT_SIZE)


def save_recent(project: Project, coder: str, recent: list[str]) -> None:
    saved = project.settings().get(RECENT_SETTING, {})
    saved = saved if isinstance(saved, dict) else {}
    saved[coder] = recent
    project.save_setting(RECENT_SETTING, saved)


# -- the reader's status line ---------------------------------------------------------------


@dataclass(frozen=True)
class CodingHere:
    """A coding at the reader's cursor, as the status line names it."""

    theme_id: str
    title: str
    colour: str
    coder: str | None = None
    """Whose coding, when it is not the current coder's own."""
    memo: bool = False


Segment = tuple[str, str]
"""A piece of the status line: its text and a rich style."""
HERE_SHOWN = 3
"""How many codings at the cursor the status line names; the rest are counted."""


def status_line(position: str, notes: Sequence[str], here: Sequence[CodingHere], *, memo: str = "",
                message: str = "", width: int = 80) -> list[Segment]:
    """The reader's status line in at most ``width`` characters.

    It shows the cursor ``position``, ``notes`` (what is selected, what is being
    adjusted), the codings at the cursor, a memo there and the ``message`` of the last
    action. The message is what the user is waiting for ("saved", "Undone: ..."), so it
    never gives way: the memo goes first, then theme labels shrink to ids, then the codings
    to a count, and only then is the message itself shortened.
    """
    head: list[Segment] = [(position, "bold"), *((f" · {n}", "") for n in notes)]
    tail: list[Segment] = [(f"  — {message}", "italic")] if message else []
    for level in range(4):
        middle = _codings_segments(here, level)
        if level == 0 and memo and not message:
            middle.append((f"  memo: {' '.join(memo.split())}", "italic"))
        line = head + middle + tail
        if _length(line) <= width:
            return line
    return _cut(head + tail, width)


def _codings_segments(here: Sequence[CodingHere], level: int) -> list[Segment]:
    """Full titles (0, 1), theme ids only (2), a count (3)."""
    if not here:
        return []
    if level == 3:
        return [("  ", ""), *(("■", c.colour) for c in here[:HERE_SHOWN]),
                (f" {len(here)} coding{'s' if len(here) != 1 else ''} here", "")]
    out: list[Segment] = []
    for c in here[:HERE_SHOWN]:
        out += [("  ■", c.colour), (f" {c.title if level < 2 else c.theme_id}", "")]
        if c.coder:
            out.append((f" ({c.coder})", "italic"))
        if c.memo:
            out.append((" *", "bold"))
    if len(here) > HERE_SHOWN:
        out.append((f"  +{len(here) - HERE_SHOWN}", ""))
    return out


def _length(segments: Sequence[Segment]) -> int:
    return sum(len(text) for text, _ in segments)


def _cut(segments: Sequence[Segment], width: int) -> list[Segment]:
    """The segments shortened to ``width`` characters, the last cut one ending in an ellipsis."""
    out: list[Segment] = []
    room = width
    for text, style in segments:
        if len(text) <= room:
            out.append((text, style))
            room -= len(text)
            continue
        if room > 0:
            out.append((text[: room - 1] + "…", style))
        break
    return out


# -- counts in the theme panel ----------------------------------------------------------------


def rolled_up(catalog: ThemeCatalog, counts: Mapping[str, int]) -> dict[str, int]:
    """Each theme's count with the counts of every theme below it added, so a main theme
    whose passages are all coded at its subthemes does not read 0."""
    out: dict[str, int] = {}
    for theme_id, n in counts.items():
        if not n:
            continue
        seen: set[str] = set()
        current: str | None = theme_id
        while current is not None and current not in seen:
            seen.add(current)
            out[current] = out.get(current, 0) + n
            theme = catalog.get(current)
            current = theme.parent_id if theme is not None and theme.parent_id in catalog.by_id else None
    return out
