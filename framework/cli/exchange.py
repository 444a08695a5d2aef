"""``framework export qdc|qdpx``, ``import-qdpx`` and ``pseudonym ...`` from the command line."""

from __future__ import annotations

from pathlib import Path

import click

from framework.cli.common import emit_json, err, input_file, out, project_option, state, table


def _exports_dir() -> Path:
    return state().project_dir / "exports"


@click.group()
def export() -> None:
    """Export the project for other programs."""


@click.command("qdc")
@click.option("--out", "out_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The .qdc file to write.")
@project_option
def export_qdc(out_file: Path) -> None:
    """Write the framework as a REFI-QDA codebook (.qdc) for NVivo, ATLAS.ti, MAXQDA, QualCoder."""
    from framework.exchange.qdpx import export_qdc as run

    s = state()
    result = run(s.project(), out_file, coder=s.current_coder(required=False) or "export")
    out.print(result.summary(), markup=False)


@click.command("qdpx")
@click.option("--out", "out_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The .qdpx file to write.")
@click.option("--pseudonymise", "key_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Replace the names in this pseudonym key (CSV: term,replacement) in everything written.")
@click.option("--positions", type=click.Choice(["standard", "nvivo"]), default="standard", show_default=True,
              help="Count positions in characters, as the standard says (QualCoder, ATLAS.ti, MAXQDA), or in "
                   "UTF-16 code units, as NVivo does (differs only where a text holds emoji and the like).")
@project_option
def export_qdpx(out_file: Path, key_file: Path | None, positions: str) -> None:
    """Write the project (sources, themes, codings, cases, summaries, memos) as REFI-QDA (.qdpx)."""
    from framework.confidentiality.key import Pseudonymiser
    from framework.exchange.qdpx import export_qdpx as run

    s = state()
    key = Pseudonymiser.load(key_file) if key_file else None
    result = run(s.project(), out_file, coder=s.current_coder(required=False) or "export", key=key,
                 positions=positions)
    out.print(result.summary(), markup=False)
    for item in result.skipped[:20]:
        err.print(f"not exported: {item}", markup=False)
    for warning in result.warnings:
        err.print(f"note: {warning}", markup=False)


@click.command("import-qdpx")
@click.argument("file", type=input_file)
@project_option
def import_qdpx_cmd(file: Path) -> None:
    """Import a REFI-QDA project (.qdpx): sources, codes, coders, codings, cases, notes."""
    from framework.exchange.qdpx import import_qdpx

    s = state()
    report = import_qdpx(s.project(), file, s.current_coder(required=False) or "import")
    out.print(report.summary(), markup=False)
    for warning in report.warnings:
        err.print(f"note: {warning}", markup=False)


# -- pseudonyms -----------------------------------------------------------------------------------


@click.group()
def pseudonym() -> None:
    """Pseudonym keys: suggest names to replace, edit a key, check an export."""


_key_option = click.option("--key", "key_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
                           help="The pseudonym key file (CSV: term,replacement), kept outside exports/.")


@pseudonym.command("suggest")
@click.option("--min-count", type=int, default=1, show_default=True, help="Only terms found at least this often.")
@click.option("--key", "key_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Leave out the terms already in this key.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@project_option(coder=False)
def pseudonym_suggest(min_count: int, key_file: Path | None, as_json: bool) -> None:
    """List capitalised names and places found in the documents, to review for the key."""
    from framework.confidentiality.key import Pseudonymiser
    from framework.confidentiality.suggest import suggest

    store = state().project().store
    key = Pseudonymiser.load(key_file) if key_file and key_file.exists() else None
    found = suggest([store.documents.text(d.id) for d in store.documents.list()], min_count=min_count, key=key)
    if as_json:
        emit_json([s.as_json() for s in found])
        return
    t = table("term", "count", "documents")
    for s in found:
        t.add_row(s.term, str(s.count), str(s.documents))
    out.print(t)


@pseudonym.command("add")
@click.argument("term")
@click.argument("replacement")
@_key_option
def pseudonym_add(term: str, replacement: str, key_file: Path) -> None:
    """Add TERM -> REPLACEMENT to the key (or change TERM's replacement)."""
    from framework.confidentiality.key import add_entry, check_key_location, mark

    check_key_location(key_file, _exports_dir())
    outcome = add_entry(key_file, term, replacement)
    out.print(f"{outcome}: {' '.join(term.split())} -> {mark(replacement)} in {key_file}", markup=False)


@pseudonym.command("remove")
@click.argument("term")
@_key_option
def pseudonym_remove(term: str, key_file: Path) -> None:
    """Remove TERM from the key."""
    from framework.confidentiality.key import remove_entry
    from framework.errors import InputError

    if not remove_entry(key_file, term):
        raise InputError(f"{key_file}: {term!r} is not in the key; see 'framework pseudonym list --key {key_file}'.")
    out.print(f"removed {term!r} from {key_file}", markup=False)


@pseudonym.command("list")
@_key_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def pseudonym_list(key_file: Path, as_json: bool) -> None:
    """List the key's terms and their replacements."""
    from framework.confidentiality.key import Pseudonymiser

    key = Pseudonymiser.load(key_file)
    if as_json:
        emit_json([{"term": t, "replacement": r} for t, r in key.entries])
        return
    t = table("term", "replacement")
    for term, replacement in key.entries:
        t.add_row(term, replacement)
    out.print(t)


@pseudonym.command("check")
@click.argument("file", type=input_file)
@_key_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def pseudonym_check(file: Path, key_file: Path, as_json: bool) -> None:
    """List key terms still present in an export (.txt .md .csv .html .docx .xlsx .qdpx); exit 1 if any."""
    from framework.confidentiality.check import check_counts
    from framework.confidentiality.key import Pseudonymiser

    key = Pseudonymiser.load(key_file)
    counts = check_counts(file, key)
    found = [(term, counts[term]) for term in key.terms if counts[term]]
    if as_json:
        emit_json([{"term": term, "count": n} for term, n in found])
    elif found:
        err.print(f"{file}: {len(found)} key term(s) still present:", markup=False)
        for term, n in found:
            click.echo(f"{term}\t{n}")
    else:
        out.print(f"{file}: no key terms found ({len(key.terms)} checked)", markup=False)
    if found:
        click.get_current_context().exit(1)


export.add_command(export_qdc)
export.add_command(export_qdpx)
COMMANDS = {"export": export, "import-qdpx": import_qdpx_cmd, "pseudonym": pseudonym}
