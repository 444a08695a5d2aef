"""``framework export qdc|qdpx``, ``import-qdpx`` and ``pseudonym ...`` from the command line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from framework.cli.common import (
    emit_json,
    err,
    input_file,
    kept_note,
    key_path,
    out,
    project_option,
    pseudonymise_option,
    remembered_key,
    state,
    table,
)


def _exports_dir() -> Path:
    return state().project_dir / "exports"


@click.group()
def export() -> None:
    """Export the project for other programs."""


def _out_option(ext: str, name: str) -> Callable:
    return click.option(
        "--out", "out_file", type=click.Path(path_type=Path), default=None,
        help=f"A folder to write to, or the .{ext} file to write (default: exports/{name}).")


_force_option = click.option("--force", is_flag=True,
                             help="Replace an existing file (otherwise a numbered name is used).")


def _target(out_file: Path | None, ext: str, name: str, force: bool) -> Path:
    """Where an export named ``name`` goes for ``--out``, as charts and quotes take it: a
    folder (or a name without extension) gets ``name``; a file name must end in ``.ext``. An
    existing file is kept and the new one numbered, unless ``force``."""
    from framework.errors import InputError
    from framework.export.common import output_path

    if out_file is None or out_file.is_dir() or not out_file.suffix:
        folder = out_file if out_file is not None else _exports_dir()
    elif out_file.suffix.lower() != f".{ext}":
        raise InputError(f"--out {out_file}: give a folder, or a file name ending in .{ext}.")
    else:
        folder, name = out_file.parent, out_file.name
    if out_file is not None and folder == out_file and not folder.exists() and folder.parent.is_dir():
        folder.mkdir()  # a new folder, named as such
    return output_path(folder, name, force)


@click.command("qdc")
@_out_option("qdc", "framework.qdc")
@_force_option
@pseudonymise_option
@project_option
def export_qdc(out_file: Path | None, force: bool, key_file: Path | None) -> None:
    """Write the framework as a REFI-QDA codebook (.qdc) for NVivo, ATLAS.ti, MAXQDA, QualCoder."""
    from framework.confidentiality.key import Pseudonymiser
    from framework.exchange.qdpx import export_qdc as run
    from framework.fileio import check_writable

    path = _target(out_file, "qdc", "framework.qdc", force)
    check_writable(path)  # before the project is opened: nothing is written when the file cannot be
    s = state()
    key = Pseudonymiser.load(key_path(key_file)) if key_file else None
    result = run(s.project(), path, coder=s.current_coder(required=False) or "export", key=key)
    out.print(result.summary() + (" (pseudonymised)" if key is not None else "") + kept_note(path), markup=False)


@click.command("qdpx")
@_out_option("qdpx", "project.qdpx")
@_force_option
@pseudonymise_option
@click.option("--positions", type=click.Choice(["standard", "nvivo"]), default="standard", show_default=True,
              help="Count positions in characters, as the standard says (QualCoder, ATLAS.ti, MAXQDA), or in "
                   "UTF-16 code units, as NVivo does (differs only where a text holds emoji and the like).")
@project_option
def export_qdpx(out_file: Path | None, force: bool, key_file: Path | None, positions: str) -> None:
    """Write the project (sources, themes, codings, cases, summaries, memos) as REFI-QDA (.qdpx)."""
    from framework.confidentiality.key import Pseudonymiser
    from framework.exchange.qdpx import export_qdpx as run
    from framework.fileio import check_writable

    path = _target(out_file, "qdpx", "project.qdpx", force)
    check_writable(path)  # before the project is opened: nothing is written when the file cannot be
    s = state()
    key = Pseudonymiser.load(key_path(key_file)) if key_file else None
    result = run(s.project(), path, coder=s.current_coder(required=False) or "export", key=key,
                 positions=positions)
    out.print(result.summary() + kept_note(path), markup=False)
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


_key_option = click.option(
    "--key", "key_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="The pseudonym key file (CSV: term,replacement), kept outside exports/ (default: the key chosen for "
         "this project; the first key given to 'pseudonym add' is chosen).")


@pseudonym.command("suggest")
@click.option("--min-count", type=int, default=1, show_default=True,
              help="Only terms found at least this often (in the texts and the names together).")
@click.option("--key", "key_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Leave out the terms already in this key (default: the key chosen for this project).")
@click.option("--acronyms", is_flag=True, help="Offer acronyms (ICS, PQ) too.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@project_option(coder=False)
def pseudonym_suggest(min_count: int, key_file: Path | None, acronyms: bool, as_json: bool) -> None:
    """List names and places found in the documents and in document and case names, to review for the key,
    each with a guessed kind (Person, Place, Organisation).

    Names starting a sentence are offered too; ordinary words starting one, common words, acronyms,
    titles of laws, national policies, countries and peoples are left out.
    """
    from framework.confidentiality.key import Pseudonymiser
    from framework.confidentiality.suggest import suggest

    store = state().project().store
    key_file = key_file or remembered_key()
    key = Pseudonymiser.load(key_file) if key_file and key_file.exists() else None
    documents = store.documents.list()
    names = [d.name for d in documents] + [c.name for c in store.cases.list()]
    found = suggest([store.documents.text(d.id) for d in documents], min_count=min_count, key=key, names=names,
                    acronyms=acronyms)
    if as_json:
        emit_json([s.as_json() for s in found])
        return
    t = table("term", "kind", "count", "documents", "in names")
    for s in found:
        t.add_row(s.term, s.kind, str(s.count), str(s.documents), str(s.names))
    out.print(t)


@pseudonym.command("add")
@click.argument("term")
@click.argument("replacement")
@_key_option
@project_option(coder=False)
def pseudonym_add(term: str, replacement: str, key_file: Path | None) -> None:
    """Add TERM -> REPLACEMENT to the key (or change TERM's replacement)."""
    from framework.confidentiality.key import add_entry, check_key_location, mark

    if key_file is not None:
        check_key_location(key_file, _exports_dir())
    key_file = key_path(key_file, choose=True)
    outcome = add_entry(key_file, term, replacement)
    out.print(f"{outcome}: {' '.join(term.split())} -> {mark(replacement)} in {key_file}", markup=False)


@pseudonym.command("remove")
@click.argument("term")
@_key_option
@project_option(coder=False)
def pseudonym_remove(term: str, key_file: Path | None) -> None:
    """Remove TERM from the key."""
    from framework.confidentiality.key import remove_entry
    from framework.errors import InputError

    key_file = key_path(key_file)
    if not remove_entry(key_file, term):
        raise InputError(f"{key_file}: {term!r} is not in the key; see 'framework pseudonym list --key {key_file}'..")
    out.print(f"removed {term!r} from {key_file}", markup=False)


@pseudonym.command("list")
@_key_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@project_option(coder=False)
def pseudonym_list(key_file: Path | None, as_json: bool) -> None:
    """List the key's terms and their replacements."""
    from framework.confidentiality.key import Pseudonymiser

    key = Pseudonymiser.load(key_path(key_file))
    if as_json:
        emit_json([{"term": t, "replacement": r} for t, r in key.entries])
        return
    t = table("term", "replacement")
    for term, replacement in key.entries:
        t.add_row(term, replacement)
    out.print(t)


@pseudonym.command("check")
@click.argument("files", nargs=-1, required=True, type=input_file)
@click.option("--key", "key_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The pseudonym key file (default: the key chosen for this project).")
@click.option("--json", "as_json", is_flag=True, help="Print every hit as JSON.")
@project_option(coder=False)
def pseudonym_check(files: tuple[Path, ...], key_file: Path | None, as_json: bool) -> None:
    """Look for the key's terms in exports (.xlsx .docx .qdpx .html .md .csv, text): every part of
    each file, its properties and its name. Prints each hit with its place; exit 1 if any."""
    from framework.confidentiality.check import scan
    from framework.confidentiality.key import Pseudonymiser

    key_file = key_path(key_file)
    key = Pseudonymiser.load(key_file)
    hits = []
    leaking = 0
    for file in files:
        found = scan(file, key)
        hits += found
        leaking += bool(found)
        if not as_json:
            for hit in found:
                click.echo(hit.describe())
    if as_json:
        emit_json([hit.as_json() for hit in hits])
    elif hits:
        err.print(f"{len(hits)} key term(s) found in {leaking} of {len(files)} file(s) "
                  f"(looked for the {_terms(key)} of {key_file})", markup=False)
    else:
        out.print(f"no key terms found in {len(files)} file(s) (looked for the {_terms(key)} of {key_file})",
                  markup=False)
    if hits:
        click.get_current_context().exit(1)


def _terms(key: object) -> str:
    n = len(key.terms)  # type: ignore[attr-defined]
    return f"{n} term{'' if n == 1 else 's'}"


@pseudonym.command("labels")
@click.option("--key", "key_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The pseudonym key file (default: the key chosen for this project).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@project_option(coder=False)
def pseudonym_labels(key_file: Path | None, as_json: bool) -> None:
    """List how pseudonymised exports show each case and document ([Case 3]), to find a passage again."""
    from framework.confidentiality.key import Pseudonymiser
    from framework.export.references import labels, natural

    key_file = key_path(key_file)
    store = state().project().store
    found = labels(store, Pseudonymiser.load(key_file))
    rows = sorted([("case", name, label) for name, label in found.cases.items()],
                  key=lambda r: (natural(r[2]), r[1]))
    rows += sorted([("document", name, label) for name, label in found.documents.items()],
                   key=lambda r: (natural(r[2]), r[1]))
    if as_json:
        emit_json([{"kind": kind, "name": name, "label": label} for kind, name, label in rows])
        return
    t = table("kind", "name", "label")
    for kind, name, label in rows:
        t.add_row(kind, name, label)
    out.print(t)


export.add_command(export_qdc)
export.add_command(export_qdpx)
COMMANDS = {"export": export, "import-qdpx": import_qdpx_cmd, "pseudonym": pseudonym}
