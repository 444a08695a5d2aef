"""``framework autocode``: code every passage a text search finds, after a preview."""

from __future__ import annotations

from typing import Any

import click

from framework.cli.common import emit_json, err, out, project_option, state
from framework.errors import InputError

SCOPE_CHOICES = ("hit", "sentence", "paragraph", "answer")


@click.command()
@click.argument("query")
@click.option("--theme", required=True, help="The theme to code the passages with.")
@click.option("--scope", type=click.Choice(SCOPE_CHOICES), default="sentence", show_default=True,
              help="Code the words found, their sentence, paragraph, or whole answer (in a transcript: the turn).")
@click.option("--question", default=None, help="Only answers to this question (q1, q2, ... or words of its text).")
@click.option("--where", "where", multiple=True,
              help="Only cases with attribute=value (repeatable; values of one attribute are alternatives).")
@click.option("--kind", type=click.Choice(["transcript", "survey"]), default=None, help="Only these documents.")
@click.option("--dry-run", is_flag=True, help="Show what would be coded; write nothing.")
@click.option("--yes", "-y", "assume_yes", is_flag=True, help="Code without asking (after printing the preview).")
@click.option("--show", type=int, default=10, show_default=True, help="Passages to show in the preview.")
@click.option("--json", "as_json", is_flag=True, help="Print the preview (and what was coded) as JSON.")
@project_option
def autocode(query: str, theme: str, scope: str, question: str | None, where: tuple[str, ...], kind: str | None,
             dry_run: bool, assume_yes: bool, show: int, as_json: bool) -> None:
    """Code every passage where QUERY is found with --theme, after a preview and a count.

    QUERY uses SQLite's full-text syntax: words, "a phrase", OR, AND, NOT, prefix* and
    NEAR(a b, 5); case and accents are ignored. The coding is one action: 'framework undo'
    takes all of it back.

        framework autocode "agency OR locum*" --theme 1.2 --question q1 --where setting=CSD
    """
    from framework.coding.autocode import Search, apply, parse_where, preview

    s = state()
    store = s.project().store
    who = s.current_coder()
    search = Search(query, scope=scope, question=question, where=parse_where(where), kind=kind)
    found = preview(store, search, theme, who)
    label = f"{theme} {store.themes.get(theme).label}"
    if as_json:
        report: dict[str, Any] = _as_json(found)
    else:
        _print_preview(found, label, show)
    coded = None
    if found.new and not dry_run:
        if not assume_yes:
            if as_json:
                raise InputError("with --json, add --yes to code (or --dry-run to only look).")
            try:
                agreed = click.confirm(f"Code {len(found.new):,} passage(s) with {label}?", default=False, err=True)
            except click.Abort:
                agreed = False
            if not agreed:
                raise InputError("nothing was coded (answer y to code, or add --yes).")
        coded = apply(store, found)
    if as_json:
        report["coded"] = coded.added if coded else 0
        emit_json(report)
    elif coded is not None:
        out.print(f"coded {coded.added:,} passage(s) with {label} as {who} (one action: 'framework undo' "
                  "takes it back)", markup=False)
    elif dry_run:
        err.print("dry run: nothing was coded", markup=False)


def _print_preview(found: Any, label: str, show: int) -> None:
    from rich.markup import escape

    for hit in found.hits[:show]:
        line, marks = found.snippet(hit, 100)
        text, at = "", 0
        for start, end in marks:
            text += escape(line[at:start]) + f"[reverse]{escape(line[start:end])}[/]"
            at = end
        text += escape(line[at:])
        mark = "=" if hit.already else " "
        out.print(f"{mark} [bold]{escape(hit.document)}[/]  {text}", soft_wrap=False, overflow="ellipsis",
                  no_wrap=True)
    if len(found.hits) > show:
        out.print(f"  ... and {len(found.hits) - show:,} more passage(s)", markup=False)
    for name in found.unsearchable[:5]:
        err.print(f"note: {name} holds control characters that mark hits; it was left out", markup=False)
    err.print(found.summary().replace(f" {found.theme_id}", f" {label}", 1)
              + ("; '=' marks those" if len(found.new) < len(found.hits) else ""), markup=False)


def _as_json(found: Any) -> dict[str, Any]:
    return {
        **found.search.describe(), "theme": found.theme_id, "coder": found.coder, "matches": found.matches,
        "documents": found.documents, "passages": len(found.hits), "new": len(found.new),
        "hits": [{"document": h.document, "case": h.case, "start": h.start, "end": h.end,
                  "text": found.texts[h.document_id][h.start:h.end], "already": h.already,
                  "found": [list(m) for m in h.matches]} for h in found.hits],
    }


COMMANDS = {"autocode": autocode}
