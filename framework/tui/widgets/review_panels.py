"""The text panels of the review screen: the title, the passage under review and the progress.

Each function draws part of a :class:`framework.views.review.Walk` as rich text; the
screen puts the text into its bars.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from framework.analysis.consensus import Passage, change_lines
from framework.views.catalog import ThemeCatalog
from framework.views.review import Walk, letter, status_words


def passage_heading(walk: Walk, p: Passage, n: int, style: Style | str, total: int | None = None) -> Text:
    """``■ status · L12-14 · passage 3 of 9 · decided: ...``, the mark in the status colour."""
    text = Text.assemble((f"■ {status_words(p.status)}", style), f" · {walk.line_ref(p.start, p.end)}")
    text.append(f" · passage {n + 1}" + (f" of {total}" if total else ""))
    if p.stale and p.decision is not None:
        text.append(f" · changed since decided ({p.decision.choice})", style="bold italic")
    elif p.decision is not None:
        text.append(f" · decided: {p.decision.choice}", style="italic")
    elif walk.notes.get(p.key):
        text.append(" · note waiting", style="italic")
    return text


def version(walk: Walk, catalog: ThemeCatalog, p: Passage, coder: str, *, quotes: bool = False) -> Text:
    """One coder's codings of the passage: theme and lines (and the quote)."""
    codings = p.codings.get(coder, ())
    if not codings:
        return Text("— (not coded)", style="dim")
    text = Text()
    for k, coding in enumerate(codings):
        if k:
            text.append(" · " if not quotes else "\n    ")
        text.append("■ ", style=catalog.colour(coding.theme_id))
        text.append(f"{catalog.title(coding.theme_id)} {walk.line_ref(coding.start, coding.end)}")
        if quotes:
            words = " ".join(coding.quote.split())
            text.append(f" “{words[:160] + '…' if len(words) > 160 else words}”", style="dim")
    return text


def interleaved_entry(walk: Walk, catalog: ThemeCatalog, p: Passage, n: int, style: Style | str) -> Text:
    """A passage with every coder's version and quotes, for the interleaved list."""
    text = passage_heading(walk, p, n, style)
    for i, coder in enumerate(walk.coders):
        text.append(f"\n {letter(i)} {coder}: ", style="bold")
        text.append_text(version(walk, catalog, p, coder, quotes=True))
    return text


def title(walk: Walk, theme_title: str | None) -> Text:
    """The document, its case's attributes, its place in scope, the coders and the filter."""
    text = Text()
    data = walk.data
    if data is not None:
        text.append(data.document.name, style="bold")
        values = [v for v in data.case.attributes.values() if v]
        if data.case.name != data.document.name:
            values.insert(0, data.case.name)
        if values:
            text.append(f" ({', '.join(values)})", style="dim")
        number = walk.document_position()
        if number is not None:
            text.append(f" · document {number + 1} of {len(walk.documents)}")
    text.append(" · " + " vs ".join(f"{letter(i)} {c}" for i, c in enumerate(walk.coders)))
    if walk.theme_ids is not None:
        text.append(f" · only {theme_title or 'the chosen themes'}", style="bold")
    return text


def detail(walk: Walk, catalog: ThemeCatalog, style: Style | str, message: str) -> Text | str:
    """The current passage: its heading, each coder's version, the decision or waiting note."""
    p = walk.current()
    if p is None or walk.data is None:
        return "No coded passage in this document." if walk.data else ""
    text = passage_heading(walk, p, walk.index or 0, style, len(walk.data.passages))
    text.append(" · undecided" if p.decision is None else "")
    for i, coder in enumerate(walk.coders):
        text.append(f"\n{letter(i)} {coder}: ", style="bold")
        text.append_text(version(walk, catalog, p, coder))
    if p.decision is not None:
        d = p.decision
        text.append(f"\nDecided {d.choice} by {d.decided_by} ({d.at[:16].replace('T', ' ')})", style="italic")
        if d.note:
            text.append(f" · note: {d.note}", style="italic")
        if p.stale:
            then = ("backspace takes it and its consensus codings away" if not p.codings
                    else "decide again (or backspace: undecided)")
            text.append(f"\nChanged since decided: {'; '.join(change_lines(p, walk.data.text))} · {then}",
                        style="bold")
    elif walk.notes.get(p.key):
        text.append(f"\nNote for the decision: {walk.notes[p.key]}", style="italic")
    if message:
        text.append(f"\n{message}", style="italic")
    return text


def progress_line(walk: Walk, theme_title: str | None) -> Text:
    """Decided and remaining in scope, and what is left here and on the filter."""
    text = Text()
    done = walk.done
    if done is None:
        text.append("Counting passages…", style="dim")
    else:
        text.append(f"Decided {done.decided}", style="bold")
        text.append(f" · remaining {done.remaining}", style="bold")
        if done.changed:
            text.append(f" ({len(done.changed)} changed since decided)")
        if done.agreements:
            text.append(f" ({done.agreements} agreed by all: y accepts them)")
    if walk.data is not None:
        text.append(f" · this document: {walk.to_decide_here()} to decide")
    if walk.theme_ids is not None:
        text.append(f" · on {theme_title or 'the filter'}: {walk.left_on_filter()} left")
        hidden = walk.hidden()
        text.append(f", {hidden} hidden (t: every theme)" if hidden else " (t: every theme)")
    if walk.data is not None and not walk.in_scope():
        text.append(" · (document outside the compared ones)", style="dim")
    return text
