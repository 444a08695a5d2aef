"""``framework init``, ``open``, ``import``, ``import-survey``, ``cases``, ``docs``, ``show``
and ``search``: bringing documents in and reading them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from framework.cli.common import (
    StreamTable,
    emit_json,
    err,
    input_file,
    out,
    progress_bar,
    project_option,
    run_tui,
    state,
    table,
)
from framework.errors import InputError


@click.command("open")
@click.argument("document", required=False)
@click.option("--line", type=int, default=None, help="Start at this line.")
@click.option("--question", default=None, help="Open the answers screen at this survey question (q1, q2, ...).")
@project_option
def open_cmd(document: str | None, line: int | None, question: str | None) -> None:
    """Open DOCUMENT (name or id) in the reader, or a survey question's answers (--question)."""
    s = state()
    if question is not None:
        if document is not None:
            raise click.UsageError("give a DOCUMENT or --question, not both.")
        from framework.store.questions import find_question

        run_tui(s, question=find_question(s.project(quiet=True).store, question).key)
        return
    if document is None:
        raise click.UsageError("give a DOCUMENT to open, or --question q1 for a survey question's answers.")
    run_tui(s, document=document, line=line)


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Create an empty project in DIRECTORY."""

    from framework.project import init_project

    root = init_project(directory)
    out.print(f"created a project in {root}: edit {root / 'themes.yaml'}, then 'framework import' your transcripts.")


# -- import --------------------------------------------------------------------------------------


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--name", default=None, help="Document name (one file only; default: the file's stem).")
@click.option("--case", "case", default=None, help="The case the documents belong to (default: the file's stem).")
@project_option
def import_cmd(paths: tuple[Path, ...], name: str | None, case: str | None) -> None:
    """Import transcripts (.txt .md .docx .rtf .odt .vtt .srt, files or folders) or a REFI-QDA project (.qdpx)."""
    from framework.ingest.documents import import_paths

    s = state()
    project = s.project()
    qdpx = [p for p in paths if p.suffix.lower() == ".qdpx"]
    if qdpx:
        if len(paths) != 1:
            raise InputError("import a .qdpx project on its own, not together with other files.")
        from framework.exchange.qdpx import import_qdpx

        _print_import(import_qdpx(project, qdpx[0], s.current_coder(required=False) or "import"))
        return
    with progress_bar() as progress:
        report = import_paths(project.store, list(paths), root=project.root, name=name, case=case,
                              coder=s.current_coder(required=False) or "import", progress=progress)
    _print_import(report)


def _print_import(report: Any) -> None:
    out.print(report.summary(), markup=False)
    for change in getattr(report, "changed", []):
        out.print(f"  words changed: {change.describe()}", markup=False)
    for warning in report.warnings:
        err.print(f"note: {warning}", markup=False)
    if report.detached:
        err.print(f"{len(report.detached)} coding(s) could not be placed in the changed text; they are kept, "
                  "marked detached ('framework code list --detached'):", markup=False)
        for doc, coding_id, quote in report.detached[:20]:
            err.print(f"  {doc} coding {coding_id}: {quote[:70]!r}", markup=False)


@click.command("import-survey")
@click.argument("file", type=input_file)
@click.option("--id", "id_column", default=None,
              help="Column holding respondent ids (default: a column named like one, e.g. ResponseId).")
@click.option("--row-ids", is_flag=True, help="Number respondents r00001, r00002, ... by row instead.")
@click.option("--text-columns", default=None, help="Comma-separated free-text columns (default: detected).")
@click.option("--keep-personal", is_flag=True,
              help="Keep columns of personal data (names, e-mail and IP addresses, locations) as attributes.")
@click.option("--autocode-questions", "question_map", type=input_file,
              default=None, help="YAML or CSV of 'question: theme-id' pairs: code each answer with its question's theme.")
@project_option
def import_survey_cmd(file: Path, id_column: str | None, row_ids: bool, text_columns: str | None, keep_personal: bool,
                      question_map: Path | None) -> None:
    """Import a survey export (.csv .tsv .xlsx): a case per respondent, a document per answer.

    Qualtrics and SurveyMonkey exports are read as they come (their extra header rows give the
    question texts). Every respondent becomes a case, also those who answered no free-text question.
    """
    from framework.ingest.survey import import_survey, load_question_map

    s = state()
    project = s.project()
    columns = [c.strip() for c in text_columns.split(",")] if text_columns else None
    mapping = load_question_map(question_map) if question_map else None
    coder_name = s.current_coder(required=bool(mapping)) or "import"
    with progress_bar() as progress:
        report = import_survey(project.store, file, root=project.root, id_column=id_column, text_columns=columns,
                               question_map=mapping, coder=coder_name, progress=progress, row_ids=row_ids,
                               keep_personal=keep_personal)
    _print_import(report)


# -- cases and documents --------------------------------------------------------------------------------


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@project_option
@click.pass_context
def cases(ctx: click.Context, as_json: bool) -> None:
    """List cases with their attributes (or import them: cases import FILE).

    Cases are printed as they are read, so a survey of 100,000 respondents starts at once.
    """
    if ctx.invoked_subcommand is not None:
        return
    store = state().project().store
    rows = store.cases.iter()
    if as_json:
        emit_json({"id": c.id, "name": c.name, "attributes": c.attributes, "documents": n} for c, n in rows)
        return
    names = [a.name for a in store.cases.attributes()]
    t = StreamTable("case", *names, "docs", right=("docs",))
    for c, n in rows:
        t.add(c.name, *(c.attributes.get(name, "") for name in names), str(n))
    t.close()


@cases.command("import")
@click.argument("file", type=input_file)
@project_option
def cases_import(file: Path) -> None:
    """Import case attributes from a table whose first column is 'case'."""
    from framework.ingest.documents import import_cases

    s = state()
    updated, created, warnings = import_cases(s.project().store, file, coder=s.current_coder(required=False) or "import")
    out.print(f"cases: {updated} updated, {created} created")
    for w in warnings:
        err.print(f"note: {w}", markup=False)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--kind", type=click.Choice(["transcript", "survey"]), default=None)
@project_option
def docs(as_json: bool, kind: str | None) -> None:
    """List documents with their case, kind, size and codings (printed as they are read)."""
    rows = state().project().store.documents.iter(kind)
    if as_json:
        emit_json({**d.as_json(), "codings": n} for d, n in rows)
        return
    t = StreamTable("id", "document", "case", "kind", "chars", "codings", "source", right=("id", "chars", "codings"))
    for d, n in rows:
        t.add(str(d.id), d.name, d.case, d.kind, f"{d.length:,}", str(n), d.source or "")
    t.close()


@click.command()
@click.argument("document")
@click.option("--lines", "line_range", default=None, help="Lines to show, e.g. 10-40.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@project_option
def show(document: str, line_range: str | None, as_json: bool) -> None:
    """Print a document with line numbers and speakers."""
    from framework.store.queries import lines, parse_line_range

    store = state().project().store
    doc = store.documents.get(document)
    first, last = parse_line_range(line_range) if line_range else (1, None)
    rows = lines(store, doc, first, last)
    if as_json:
        emit_json([{"line": r.number, "start": r.start, "speaker": r.speaker, "text": r.text} for r in rows])
        return
    width = len(str(rows[-1].number)) if rows else 1
    for r in rows:
        click.echo(f"{r.number:>{width}}  {r.text}")


@click.command()
@click.argument("text")
@click.option("--limit", default=100, show_default=True, help="Most hits to show.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@project_option
def search(text: str, limit: int, as_json: bool) -> None:
    """Search every document (full-text) and show hits with case and line."""
    from framework.store.queries import search as run_search

    hits = run_search(state().project().store, text, limit=limit)
    if as_json:
        emit_json([h.as_json() for h in hits])
        return
    if not hits:
        err.print(f"no matches for {text!r}", markup=False)
        return
    t = table("document", "case", "line", "text")
    for h in hits:
        t.add_row(h.document, h.case, str(h.line), h.snippet)
    out.print(t)


COMMANDS = {c.name: c for c in (open_cmd, init, import_cmd, import_survey_cmd, cases, docs, show, search)}
