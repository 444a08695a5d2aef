"""``framework coder ...``, ``merge``, ``agreement`` and ``consensus``: team work."""

from __future__ import annotations

import json
from pathlib import Path

import click

from framework.cli.common import emit_json, err, input_file, input_folder, out, project_option, state, table
from framework.errors import InputError


def _backup(reason: str) -> None:
    try:
        from framework.store.backups import backup
    except ImportError:  # pragma: no cover - backups are part of the package
        return
    backup(state().project(), reason)


@click.group()
def coder() -> None:
    """Who is coding, and moving one coder's work between copies of a project."""


@coder.command("use")
@click.argument("name", required=False)
@click.option("--project", "project_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The project folder (default: the current folder).")
def coder_use(name: str | None, project_dir: Path | None) -> None:
    """Code as NAME from now on in this project (remembered for you); without NAME, say who you code as."""
    from framework.cli.common import check_coder
    from framework.project import os_user

    s = state()
    if project_dir is not None:
        s.project_dir = project_dir
    project = s.project()
    before = project.coder
    if name is None:
        out.print(f"you ({os_user()}) code as {before} in this project" if before
                  else "no coder chosen yet: framework coder use NAME", markup=False)
        return
    project.remember_coder(check_coder(name))
    said = "already coding" if before == name else f"now coding (was {before})" if before else "now coding"
    out.print(f"{said} as {name} in this project (remembered for {os_user()})", markup=False)


@coder.command("export")
@click.argument("name")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), required=True)
@project_option
def coder_export(name: str, out_file: Path) -> None:
    """Write NAME's codings and chart summaries to a portable file."""
    from framework.coding.coderfile import write_coder_file

    project = state().project()
    n = write_coder_file(project.store, name, out_file, project_name=project.root.resolve().name)
    out.print(f"wrote {n} codings by {name} to {out_file}")


def _print_result(result, as_json: bool, actor: str) -> None:
    if as_json:
        emit_json(result.as_json())
        return
    for line in result.summary():
        out.print(line, markup=False)
    if result.action is not None:
        out.print(f"One action: 'framework undo --coder {actor}' takes it all back.", markup=False)
    elif not result.dry_run:
        out.print("Nothing to change: this copy already holds that work.", markup=False)


_SYNC_OPTIONS = [
    click.option("--map", "mapping", multiple=True, help="Map a theme id: OLD=NEW (repeatable)."),
    click.option("--dry-run", is_flag=True, help="Show what would change; change nothing."),
    click.option("--remove-missing", is_flag=True,
                 help="Also remove codings here that are not in their copy (by default kept and listed)."),
    click.option("--json", "as_json", is_flag=True, help="Print what changed as JSON."),
]


def _sync_options(func):
    for option in reversed(_SYNC_OPTIONS):
        func = option(func)
    return func


@coder.command("import")
@click.argument("file", type=input_file)
@_sync_options
@project_option
def coder_import(file: Path, mapping: tuple[str, ...], dry_run: bool, remove_missing: bool, as_json: bool) -> None:
    """Make a coder's work here equal to their file: adds, removals, changes (twice changes nothing)."""
    from framework.coding.coderfile import import_coder, parse_mapping, read_coder_file

    data = read_coder_file(file)
    maps = parse_mapping(mapping)
    s = state()
    store = s.project().store
    actor = s.current_coder(required=False) or data["coder"]
    result = import_coder(store, data, mapping=maps, source=str(file), remove_missing=remove_missing,
                          dry_run=dry_run, actor=actor, before_write=lambda: _backup("before-coder-import"))
    _print_result(result, as_json, actor)


@click.command()
@click.argument("other", type=input_folder)
@_sync_options
@project_option
def merge(other: Path, mapping: tuple[str, ...], dry_run: bool, remove_missing: bool, as_json: bool) -> None:
    """Make every coder's work here equal to theirs in another copy, with its consensus decisions."""
    from framework.coding.coderfile import merge_project, parse_mapping
    from framework.paths import DB_NAME

    maps = parse_mapping(mapping)
    s = state()
    store = s.project().store
    actor = s.current_coder(required=False) or "merge"
    result = merge_project(store, other / DB_NAME, mapping=maps, remove_missing=remove_missing, dry_run=dry_run,
                           actor=actor, before_write=lambda: _backup("before-merge"))
    _print_result(result, as_json, actor)


def _coders(value: str | None) -> list[str]:
    """The coders named with --coders, else those chosen last, else the two with the most codings in common."""
    from framework.views.compared import compared_coders

    names = [c.strip() for c in value.split(",") if c.strip()] if value else None
    if names is not None and len(names) < 2:
        raise click.BadParameter("name two or more coders, e.g. --coders alice,bob")
    chosen = compared_coders(state().project(), names)
    if len(chosen.coders) < 2:
        raise InputError("comparing needs two coders with codings; "
                         f"coders with codings here: {', '.join(chosen.coders) or 'none'}.")
    if chosen.why != "given":
        err.print(f"note: {chosen.describe()}", markup=False)
    return chosen.coders


CODERS_HELP = "Comma-separated coders, e.g. alice,bob (default: as chosen last, else the two with most in common)."


@click.command()
@click.option("--coders", "coder_list", default=None, help=CODERS_HELP)
@click.option("--unit", type=click.Choice(["paragraph", "char", "document"]), default=None,
              help="One level only (default: all three).")
@click.option("--theme", "themes", multiple=True, help="Only this theme (repeatable; default: all used).")
@click.option("--rollup", is_flag=True, help="A subtheme's coding also counts for its ancestors.")
@click.option("--min-overlap", type=int, default=1, show_default=True,
              help="Coded characters needed in a unit for the coder to 'have' the theme there.")
@click.option("--documents", default=None, help="Comma-separated documents (default: coded by every coder).")
@click.option("--per-document", is_flag=True, help="Also give character-level tables per document.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@project_option(coder=False)
def agreement(coder_list: str | None, unit: str | None, themes: tuple[str, ...], rollup: bool, min_overlap: int,
              documents: str | None, per_document: bool, as_json: bool) -> None:
    """Inter-coder agreement per theme: percent agreement, Krippendorff's alpha, kappa."""
    from framework.analysis.agreement import LEVELS, format_report
    from framework.analysis.compare import project_agreement

    if min_overlap < 1:
        raise click.BadParameter("--min-overlap must be 1 or more")
    result = project_agreement(
        state().project().store, _coders(coder_list), themes=list(themes) or None,
        documents=[d.strip() for d in documents.split(",")] if documents else None,
        levels=(unit,) if unit else LEVELS, rollup=rollup, min_overlap=min_overlap, per_document=per_document,
    )
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        click.echo(format_report(result))


@click.group()
def consensus() -> None:
    """Review disagreements and agree a consensus coding."""


@consensus.command("status")
@click.option("--coders", "coder_list", default=None, help=CODERS_HELP)
@click.option("--json", "as_json", is_flag=True)
@project_option(coder=False)
def consensus_status(coder_list: str | None, as_json: bool) -> None:
    """How many passages are decided and how many remain, in the documents every coder coded."""
    from framework.analysis.compare import document_scope
    from framework.analysis.consensus import progress

    store = state().project().store
    coders = _coders(coder_list)
    scope = document_scope(store, coders)
    p = progress(store, coders, [d.id for d in scope.documents])
    changed = _changed_since(store, p.changed)
    if as_json:
        emit_json({"coders": coders, "decided": p.decided, "remaining": p.remaining,
                   "agreements_undecided": p.agreements, "documents": [d.name for d in scope.documents],
                   "left_out": [x.as_json() for x in scope.left_out], "changed_since_decided": changed})
        return
    also = f"; {len(changed)} changed since decided" if changed else ""
    out.print(f"{p.decided} decided, {p.remaining} remaining ({p.agreements} of them agreements{also}) "
              f"in {p.documents} documents coded by every one of {', '.join(coders)}", markup=False)
    for c in changed:
        out.print(f"  changed since decided: {c['where']} ({c['choice']} by {c['decided_by']}): "
                  f"{'; '.join(c['changed'])}", markup=False)
    for x in scope.left_out:
        out.print(f"  not counted: {x.document}: {x.reason}", markup=False)


def _changed_since(store, stale: tuple) -> list[dict]:
    """Each passage whose decision was made on codings that changed since, and what changed."""
    from framework.analysis.consensus import change_lines, where

    texts: dict[int, str] = {}
    found = []
    for p in stale:
        text = texts.get(p.document_id)
        if text is None:
            text = texts[p.document_id] = store.documents.text(p.document_id)
        found.append({"document": p.document, "start": p.start, "end": p.end, "where": where(p, text),
                      "choice": p.decision.choice, "decided_by": p.decision.decided_by,
                      "changed": change_lines(p, text)})
    return found


def _passages(coder_list: str | None, document: str):
    from framework.analysis.consensus import passages

    store = state().project().store
    coders = _coders(coder_list)
    return store, coders, passages(store, coders, store.documents.get(document).id)


def _numbered(rows: list, number: int, document: str):
    if not 1 <= number <= len(rows):
        raise InputError(f"{document} has {len(rows)} passages; give --passage 1-{len(rows)}.")
    return rows[number - 1]


@consensus.command("list")
@click.option("--coders", "coder_list", default=None, help=CODERS_HELP)
@click.option("--document", required=True)
@click.option("--json", "as_json", is_flag=True)
@project_option(coder=False)
def consensus_list(coder_list: str | None, document: str, as_json: bool) -> None:
    """Passages of a document with each coder's codings and any decision."""
    from framework.analysis.consensus import passage_json

    _store, coders, rows = _passages(coder_list, document)
    if as_json:
        emit_json([passage_json(p, coders) for p in rows])
        return
    t = table("#", "span", "status", *coders, "decision")
    for i, p in enumerate(rows, start=1):
        t.add_row(str(i), f"{p.start}-{p.end}", p.status,
                  *(" ".join(f"{t}[{s}-{e}]" for s, e, t in p.spans(c)) for c in coders),
                  (p.decision.choice + (" (changed since decided)" if p.stale else "")) if p.decision else "")
    out.print(t)


@consensus.command("accept-agreements")
@click.option("--coders", "coder_list", default=None, help=CODERS_HELP)
@project_option
def consensus_accept(coder_list: str | None) -> None:
    """Accept every passage on which all coders agree (one action: undo takes it back)."""
    from framework.analysis.consensus import accept_agreements

    s = state()
    n = accept_agreements(s.project().store, s.current_coder(), _coders(coder_list))
    out.print(f"{n} agreed passages accepted into the consensus layer")


@consensus.command("decide")
@click.option("--coders", "coder_list", default=None, help=CODERS_HELP)
@click.option("--document", required=True)
@click.option("--passage", "number", type=int, required=True, help="The passage number from 'consensus list'.")
@click.option("--accept", "accept", default=None, help="Accept this coder's version.")
@click.option("--both", is_flag=True, help="Accept every coder's codings (one span per theme where they overlap).")
@click.option("--reject", is_flag=True, help="Reject: no consensus coding here.")
@click.option("--note", default="", help="Why.")
@project_option
def consensus_decide(coder_list: str | None, document: str, number: int, accept: str | None, both: bool,
                     reject: bool, note: str) -> None:
    """Decide one passage (undo takes the decision back)."""
    from framework.analysis.consensus import decide

    if sum(bool(x) for x in (accept, both, reject)) != 1:
        raise click.UsageError("give exactly one of --accept CODER, --both, --reject.")
    s = state()
    store, coders, rows = _passages(coder_list, document)
    choice = "accept" if accept else "both" if both else "reject"
    d = decide(store, s.current_coder(), coders, _numbered(rows, number, document), choice, accept=accept, note=note)
    out.print(f"passage {number}: {d.choice} -> {len(d.result)} consensus coding(s)")


@consensus.command("reopen")
@click.option("--coders", "coder_list", default=None, help=CODERS_HELP)
@click.option("--document", required=True)
@click.option("--passage", "number", type=int, required=True, help="The passage number from 'consensus list'.")
@project_option
def consensus_reopen(coder_list: str | None, document: str, number: int) -> None:
    """Take a passage back to undecided: its consensus codings go (undo brings them back)."""
    from framework.analysis.consensus import reopen

    s = state()
    store, coders, rows = _passages(coder_list, document)
    p = _numbered(rows, number, document)
    was = p.decision.choice if p.decision else ""
    reopen(store, s.current_coder(), coders, p)
    out.print(f"passage {number}: undecided again (was {was})")


COMMANDS = {"coder": coder, "merge": merge, "agreement": agreement, "consensus": consensus}
