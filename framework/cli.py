"""The ``framework`` command line: a thin layer that parses, calls the core, prints.

Exit status: 0 on success, 1 on a user error (one message on stderr naming the
file, row or line), 2 on wrong usage. Every listing has ``--json``.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from . import coding
from .errors import FrameworkError, InputError
from .project import Project, init_project, open_project

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


# -- plumbing ------------------------------------------------------------------------------


class State:
    """Options shared by every command."""

    def __init__(self) -> None:
        self.project_dir: Path = Path(".")
        self.coder: str | None = None
        self._project: Project | None = None

    def project(self) -> Project:
        if self._project is None:
            with progress_bar() as progress:
                self._project = open_project(self.project_dir, progress=progress)
            for warning in self._project.warnings:
                err.print(f"[yellow]note:[/] {warning}", markup=True)
            if self.coder and self._project.coder != self.coder:
                self._project.save_setting("coder", self.coder)
        return self._project

    def current_coder(self, required: bool = True) -> str | None:
        if self.coder:
            return self.coder
        remembered = self.project().coder
        if remembered or not required:
            return remembered
        raise InputError("say who is coding: add --coder NAME (it is remembered for this project).")

    def close(self) -> None:
        if self._project is not None:
            self._project.close()


@contextlib.contextmanager
def progress_bar(threshold: int = 5) -> Iterator[Callable[[int, int, str], None]]:
    """A progress callback that shows a rich bar on stderr for long operations."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar: Progress | None = None
    task = None

    def update(done: int, total: int, label: str) -> None:
        nonlocal bar, task
        if total <= threshold:
            return
        if bar is None:
            bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                           TimeRemainingColumn(), console=err, transient=True)
            bar.start()
            task = bar.add_task(label, total=total)
        bar.update(task, completed=done, total=total, description=label)

    try:
        yield update
    finally:
        if bar is not None:
            bar.stop()


def project_option(func: Callable | None = None, *, coder: bool = True) -> Callable:
    """``--project DIR`` (and ``--coder NAME`` unless the command filters by coder)
    accepted after any command too."""

    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args: Any, project_dir: Path | None, **kwargs: Any) -> Any:
            state = click.get_current_context().find_object(State)
            if project_dir is not None:
                state.project_dir = project_dir
            name = kwargs.pop("acting_coder", None)
            if name is not None:
                state.coder = coding.check_coder(name)
            return func(*args, **kwargs)

        wrapped = click.option("--project", "project_dir", type=click.Path(file_okay=False, path_type=Path),
                               default=None, help="The project folder (default: the current folder).")(wrapper)
        if coder:
            wrapped = click.option("--coder", "acting_coder", default=None,
                                   help="Who is coding (remembered per project).")(wrapped)
        return wrapped

    return decorate(func) if func is not None else decorate


def emit_json(value: Any) -> None:
    """Print ``value`` as indented JSON. A list is written item by item (the same text as
    one ``json.dumps``), so a long listing is never held twice in memory."""
    if not isinstance(value, list) or not value:
        click.echo(json.dumps(value, ensure_ascii=False, indent=2))
        return
    click.echo("[")
    last = len(value) - 1
    for i, item in enumerate(value):
        text = json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        click.echo("  " + text + ("," if i < last else ""))
    click.echo("]")


def table(*columns: str) -> Table:
    t = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for column in columns:
        t.add_column(column, overflow="fold")
    return t


def state() -> State:
    return click.get_current_context().find_object(State)



# -- the group ---------------------------------------------------------------------------------


class FrameworkGroup(click.Group):
    """Turns user errors into one stderr line and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FrameworkError as exc:
            err.print(f"framework: {exc}", markup=False)
            ctx.exit(1)
        finally:
            obj = ctx.find_object(State)
            if obj is not None:
                obj.close()


@click.group(cls=FrameworkGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--project", "project_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              help="The project folder (default: the current folder).")
@click.option("--coder", default=None, help="Who is coding (remembered per project).")
@click.version_option(package_name="framework")
@click.pass_context
def main(ctx: click.Context, project_dir: Path, coder: str | None) -> None:
    """framework: Framework Method analysis of interviews and survey comments.

    Run it alone to open the project in the current folder.
    """
    obj = ctx.ensure_object(State)
    obj.project_dir = project_dir
    obj.coder = coding.check_coder(coder) if coder else None
    if ctx.invoked_subcommand is None:
        _run_tui(obj)


def _run_tui(obj: State, document: str | None = None, line: int | None = None) -> None:
    project = obj.project()
    from .tui.app import run

    run(project, coder=obj.coder or project.coder, document=document, line=line)


@main.command("open")
@click.argument("document")
@click.option("--line", type=int, default=None, help="Start at this line.")
@project_option
def open_cmd(document: str, line: int | None) -> None:
    """Open DOCUMENT (name or id) in the reader."""
    s = state()
    s.project().store.documents.get(document)
    _run_tui(s, document=document, line=line)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Create an empty project in DIRECTORY."""
    root = init_project(directory)
    out.print(f"created a project in {root}: edit {root / 'themes.yaml'}, then 'framework import' your transcripts.")


# -- import --------------------------------------------------------------------------------------


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--name", default=None, help="Document name (one file only; default: the file's stem).")
@click.option("--case", "case", default=None, help="The case the documents belong to (default: the file's stem).")
@project_option
def import_cmd(paths: tuple[Path, ...], name: str | None, case: str | None) -> None:
    """Import transcripts (.txt .md .docx .rtf .odt .vtt .srt, files or folders) or a REFI-QDA project (.qdpx)."""
    from .importing import import_paths

    s = state()
    project = s.project()
    qdpx = [p for p in paths if p.suffix.lower() == ".qdpx"]
    if qdpx:
        if len(paths) != 1:
            raise InputError("import a .qdpx project on its own, not together with other files.")
        from .exchange.refi import import_qdpx

        _print_import(import_qdpx(project, qdpx[0], s.current_coder(required=False) or "import"))
        return
    with progress_bar() as progress:
        report = import_paths(project.store, list(paths), root=project.root, name=name, case=case,
                              coder=s.current_coder(required=False) or "import", progress=progress)
    _print_import(report)


def _print_import(report: Any) -> None:
    out.print(report.summary())
    for warning in report.warnings:
        err.print(f"note: {warning}", markup=False)
    if report.detached:
        err.print(f"{len(report.detached)} coding(s) could not be placed in the changed text; they are kept, "
                  "marked detached ('framework code list --detached'):", markup=False)
        for doc, coding_id, quote in report.detached[:20]:
            err.print(f"  {doc} coding {coding_id}: {quote[:70]!r}", markup=False)


@main.command("import-survey")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--id", "id_column", default=None, help="Column holding respondent ids (default: generated).")
@click.option("--text-columns", default=None, help="Comma-separated free-text columns (default: detected).")
@click.option("--autocode-questions", "question_map", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="YAML or CSV of 'question: theme-id' pairs: code each answer with its question's theme.")
@project_option
def import_survey_cmd(file: Path, id_column: str | None, text_columns: str | None, question_map: Path | None) -> None:
    """Import a survey export (.csv .tsv .xlsx): a case per respondent, a document per answer."""
    from .importing import import_survey, load_question_map

    s = state()
    project = s.project()
    columns = [c.strip() for c in text_columns.split(",")] if text_columns else None
    mapping = load_question_map(question_map) if question_map else None
    coder_name = s.current_coder(required=bool(mapping)) or "import"
    with progress_bar() as progress:
        report = import_survey(project.store, file, root=project.root, id_column=id_column, text_columns=columns,
                               question_map=mapping, coder=coder_name, progress=progress)
    _print_import(report)


# -- cases and documents --------------------------------------------------------------------------------


@main.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@project_option
@click.pass_context
def cases(ctx: click.Context, as_json: bool) -> None:
    """List cases with their attributes (or import them: cases import FILE)."""
    if ctx.invoked_subcommand is not None:
        return
    store = state().project().store
    rows = store.cases.list()
    docs: dict[str, int] = {}
    for d in store.documents.list():
        docs[d.case] = docs.get(d.case, 0) + 1
    if as_json:
        emit_json([{"id": c.id, "name": c.name, "attributes": c.attributes, "documents": docs.get(c.name, 0)} for c in rows])
        return
    names = [a.name for a in store.cases.attributes()]
    t = table("case", *names, "docs")
    for c in rows:
        t.add_row(c.name, *(c.attributes.get(n, "") for n in names), str(docs.get(c.name, 0)))
    out.print(t)


@cases.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@project_option
def cases_import(file: Path) -> None:
    """Import case attributes from a table whose first column is 'case'."""
    from .importing import import_cases

    s = state()
    updated, created, warnings = import_cases(s.project().store, file, coder=s.current_coder(required=False) or "import")
    out.print(f"cases: {updated} updated, {created} created")
    for w in warnings:
        err.print(f"note: {w}", markup=False)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--kind", type=click.Choice(["transcript", "survey"]), default=None)
@project_option
def docs(as_json: bool, kind: str | None) -> None:
    """List documents with their case, kind, size and codings."""
    store = state().project().store
    rows = store.documents.list(kind)
    counts = store.documents.coded_counts()
    if as_json:
        emit_json([{**d.as_json(), "codings": sum(counts.get(d.id, {}).values())} for d in rows])
        return
    t = table("id", "document", "case", "kind", "chars", "codings", "source")
    for d in rows:
        t.add_row(str(d.id), d.name, d.case, d.kind, f"{d.length:,}", str(sum(counts.get(d.id, {}).values())), d.source or "")
    out.print(t)


@main.command()
@click.argument("document")
@click.option("--lines", "line_range", default=None, help="Lines to show, e.g. 10-40.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@project_option
def show(document: str, line_range: str | None, as_json: bool) -> None:
    """Print a document with line numbers and speakers."""
    from .queries import lines, parse_line_range

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


@main.command()
@click.argument("text")
@click.option("--limit", default=100, show_default=True, help="Most hits to show.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@project_option
def search(text: str, limit: int, as_json: bool) -> None:
    """Search every document (full-text) and show hits with case and line."""
    from .queries import search as run_search

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


def _register_commands() -> None:
    """Command groups live in their own modules; each adds itself to ``main``."""
    import importlib

    for name in ("cli_themes", "cli_code", "cli_team", "cli_chart", "cli_exchange", "cli_reliability"):
        importlib.import_module(f".{name}", __package__).register(main)


_register_commands()
