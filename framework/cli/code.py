"""``framework code ...``, ``undo``, ``redo`` and ``log``: codings from the command line."""

from __future__ import annotations

from pathlib import Path

import click

from framework.cli.common import (
    StreamTable,
    emit_json,
    err,
    input_file_or_stdin,
    out,
    progress_bar,
    project_option,
    state,
    table,
)
from framework.coding.anchoring import DEFAULT_MIN_SCORE
from framework.errors import InputError


@click.group()
def code() -> None:
    """Add, list, remove and import codings."""


@code.command("add", epilog="To add many codings in one go (much faster than one call each), pipe them "
              "to 'framework code import -' as JSON Lines, one coding a line: "
              '{"document": "dir_london_01", "theme": "1.2", "quote": "..."}.')
@click.argument("document")
@click.argument("theme")
@click.option("--start", type=int, default=None, help="First character (0-based).")
@click.option("--end", type=int, default=None, help="One past the last character.")
@click.option("--quote", default=None, help="The passage's text, instead of offsets.")
@click.option("--occurrence", type=int, default=None,
              help="When the quote is found more than once: which one (1, 2, ...; on --line if given).")
@click.option("--line", type=int, default=None,
              help="When the quote is found more than once: the line it is on (as 'framework show' numbers lines).")
@click.option("--min-score", type=float, default=DEFAULT_MIN_SCORE, show_default=True,
              help="Lowest fuzzy-match score (0-100) for placing a quote that is not found as written.")
@click.option("--memo", default="", help="A memo on the coding.")
@click.option("--json", "as_json", is_flag=True, help="Print the new coding as JSON.")
@project_option
def code_add(document: str, theme: str, start: int | None, end: int | None, quote: str | None,
             occurrence: int | None, line: int | None, min_score: float, memo: str, as_json: bool) -> None:
    """Code a passage of DOCUMENT with THEME (by --start/--end or --quote).

    A quote is placed where it is found as written; otherwise by fuzzy match on whole
    words, reported with its score, if it scores at least --min-score. A quote found
    more than once is refused with the line numbers unless --occurrence or --line picks one.
    """
    from framework.coding import actions as coding

    s = state()
    store = s.project().store
    who = s.current_coder()
    doc = store.documents.get(document)
    text, sha = store.documents.text_and_hash(doc.id)
    placed = None
    if quote is not None:
        if start is not None or end is not None:
            raise click.UsageError("give either --start/--end or --quote, not both.")
        placed = _place(text, quote, doc.name, occurrence=occurrence, line=line, min_score=min_score)
        start, end = placed.start, placed.end
    elif start is None or end is None:
        raise click.UsageError("give --start and --end, or --quote.")
    elif occurrence is not None or line is not None:
        raise click.UsageError("--occurrence and --line choose among the places a --quote is found.")
    result = coding.add_coding(store, who, doc.id, theme, start, end, memo, seen=coding.TextSeen(sha, text))
    how = {"method": placed.method if placed else "offsets", "score": placed.score if placed else None}
    if as_json:
        emit_json({**result.as_json(), "placed": how})
        return
    out.print(f"coding {result.id}: {doc.name} [{result.start}:{result.end}] {theme} ({who})", markup=False)
    if placed is not None and placed.method == "fuzzy":
        flat = " ".join(result.quote.split())
        out.print(f"placed by fuzzy match (score {placed.score:.1f}, the quote was not found as written): "
                  f"{flat[:80] + ('…' if len(flat) > 80 else '')!r}", markup=False)
    elif _cuts_words(text, result.start, result.end):
        err.print("note: the passage begins or ends inside a word; widen it with 'code change' if that "
                  "was not meant.", markup=False)


def _cuts_words(text: str, start: int, end: int) -> bool:
    from framework.coding.anchoring import inside_word

    return inside_word(text, start) or inside_word(text, end)


def _place(text: str, quote: str, name: str, *, occurrence: int | None, line: int | None, min_score: float):  # noqa: ANN202
    from framework.coding.anchoring import Placement, place_quote

    placed = place_quote(text, quote, min_score=min_score, occurrence=occurrence, line=line)
    if not isinstance(placed, Placement):
        raise InputError(placed.message(name, quote, min_score=min_score, choose="--occurrence N or --line L"))
    return placed


@code.command("list")
@click.option("--coder", "coder_filter", default=None, help="Only this coder's codings.")
@click.option("--theme", default=None, help="Only this theme (and not its subthemes).")
@click.option("--document", default=None, help="Only this document.")
@click.option("--detached", is_flag=True, help="Only codings that could not be placed after a text change.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@project_option(coder=False)
def code_list(coder_filter: str | None, theme: str | None, document: str | None, detached: bool, as_json: bool) -> None:
    """List codings (printed as they are read)."""
    store = state().project().store
    doc_id = store.documents.get(document).id if document else None
    if theme:
        store.themes.get(theme)
    rows = store.codings.iter(coder=coder_filter, document_id=doc_id, theme_ids=[theme] if theme else None,
                              detached_only=detached, streaming=not (theme or document))
    if as_json:
        emit_json(r.as_json() for r in rows)
        return
    t = StreamTable("id", "coder", "document", "theme", "span", "quote", right=("id",))
    for r in rows:
        quote = " ".join(r.quote.split())
        t.add(str(r.id), r.coder, r.document, r.theme_id, f"{r.start}-{r.end}" + (" detached" if r.detached else ""),
              quote if out.wide else quote[:200])
    t.close()


@code.command("remove")
@click.argument("coding_ids", nargs=-1, type=int, required=True)
@click.option("--as-owner", is_flag=True, help="Remove other coders' codings too (the log records it).")
@project_option
def code_remove(coding_ids: tuple[int, ...], as_owner: bool) -> None:
    """Remove codings by id (undo brings them back). Only your own, unless --as-owner."""

    from framework.coding import actions as coding

    s = state()
    store = s.project().store
    who = s.current_coder()
    for coding_id in coding_ids:
        removed = coding.remove_coding(store, who, coding_id, as_owner=as_owner)
        owner = f", {removed.coder}'s" if removed.coder != who else ""
        out.print(f"removed coding {removed.id} ({removed.document}, {removed.theme_id}{owner})", markup=False)


@code.command("change")
@click.argument("coding_id", type=int)
@click.option("--theme", default=None, help="Its new theme.")
@click.option("--start", type=int, default=None, help="Its new first character (0-based).")
@click.option("--end", type=int, default=None, help="Its new end (one past the last character).")
@click.option("--memo", default=None, help="Its new memo ('' removes it).")
@click.option("--as-owner", is_flag=True, help="Change another coder's coding (the log records it).")
@click.option("--json", "as_json", is_flag=True, help="Print the coding as JSON.")
@project_option
def code_change(coding_id: int, theme: str | None, start: int | None, end: int | None, memo: str | None,
                as_owner: bool, as_json: bool) -> None:
    """Change a coding's theme, boundaries or memo (undo takes it back). Only your own, unless --as-owner."""
    from framework.coding import actions as coding

    s = state()
    store = s.project().store
    who = s.current_coder()
    if theme is None and start is None and end is None and memo is None:
        raise click.UsageError("say what to change: --theme, --start/--end or --memo.")
    seen = None
    if start is not None or end is not None:
        current = store.codings.get(coding_id)
        seen = coding.TextSeen(store.documents.text_and_hash(current.document_id)[1])
    result = coding.update_coding(store, who, coding_id, theme_id=theme, start=start, end=end, memo=memo,
                                  as_owner=as_owner, seen=seen)
    if as_json:
        emit_json(result.as_json())
    else:
        out.print(f"coding {result.id}: {result.document} [{result.start}:{result.end}] {result.theme_id} "
                  f"({result.coder})", markup=False)


@code.command("import")
@click.argument("file", type=input_file_or_stdin)
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "tsv", "xlsx"]), default=None,
              help="The file's format (default: from its name; standard input: jsonl).")
@click.option("--min-score", type=float, default=DEFAULT_MIN_SCORE, show_default=True,
              help="Lowest fuzzy-match score (0-100) for placing a quote that is not found as written.")
@click.option("--skip-bad", is_flag=True, help="Import the usable rows and list the others.")
@project_option
def code_import(file: Path, fmt: str | None, min_score: float, skip_bad: bool) -> None:
    """Import codings from .jsonl, .csv, .tsv or .xlsx, or JSON Lines from standard input (FILE '-').

    Each row: document (or case), theme, start and end or quote, and optionally memo,
    occurrence or line (which of several places a quote is found), e.g.
    {"document": "dir_london_01", "theme": "1.2", "quote": "we rely on agency staff"}.
    """
    from framework.ingest.codings import import_codings

    data = click.get_binary_stream("stdin").read() if str(file) == "-" else None
    s = state()
    who = s.current_coder()
    with progress_bar() as progress:
        report = import_codings(s.project().store, file, coder=who, min_score=min_score, skip_bad=skip_bad,
                                progress=progress, data=data, fmt=fmt)
    out.print(report.summary(), markup=False)
    for row in (*report.fuzzy, *report.partial):
        out.print(f"  {row.describe()}", markup=False)
    for problem in report.skipped:
        err.print(f"skipped: {problem}", markup=False)


@click.command()
@project_option
def undo() -> None:
    """Undo your last coding or chart action."""

    from framework.coding import actions as coding

    s = state()
    done = coding.undo(s.project().store, s.current_coder())
    if done is None:
        err.print("nothing to undo", markup=False)
    else:
        out.print(f"undid {coding.describe_action(s.project().store, *done)}", markup=False)


@click.command()
@project_option
def redo() -> None:
    """Redo the action you last undid."""

    from framework.coding import actions as coding

    s = state()
    done = coding.redo(s.project().store, s.current_coder())
    if done is None:
        err.print("nothing to redo", markup=False)
    else:
        out.print(f"redid {coding.describe_action(s.project().store, *done)}", markup=False)


@click.command()
@click.option("--coder", "coder_filter", default=None, help="Only this coder's actions.")
@click.option("--since", default=None, help="Only actions at or after this date/time (ISO, e.g. 2026-03-01).")
@click.option("--limit", type=int, default=None)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@project_option(coder=False)
def log(coder_filter: str | None, since: str | None, limit: int | None, as_json: bool) -> None:
    """Show the action log: who did what, when."""
    actions = state().project().store.actions.list(coder=coder_filter, since=since, limit=limit)
    if as_json:
        emit_json([a.as_json() for a in actions])
        return
    t = table("id", "at", "coder", "action", "detail")
    for a in actions:
        detail = ", ".join(f"{k}={v}" for k, v in sorted(a.payload.items()) if not isinstance(v, (dict, list)))
        t.add_row(str(a.id), a.at, a.coder, a.kind, detail[:80])
    out.print(t)


COMMANDS = {"code": code, "undo": undo, "redo": redo, "log": log}
