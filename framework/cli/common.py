"""What every command shares: the consoles, the project and coder options, tables and JSON."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from framework.errors import InputError
from framework.paths import DB_NAME

if TYPE_CHECKING:
    from rich.table import Table

    from framework.project import Project


WIDE = 100_000
"""The line width of ``--wide`` output: as long as the longest value needs."""


class LazyConsole:
    """A rich ``Console`` made on first use: a command that prints no table never loads rich.

    Plain strings are printed as they are (no markup, no emoji codes: a quote or a name
    holding "[...]" or ":smile:" is shown as written); rich objects (tables, text) and
    strings printed with ``markup=True`` go through rich.
    """

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Any = None
        self.wide = False

    def print(self, *objects: Any, markup: bool | None = None, **options: Any) -> None:
        if not markup and not options and all(isinstance(o, str) for o in objects):
            click.echo(" ".join(objects), err=bool(self._options.get("stderr")))
            return
        if markup is not None:
            options["markup"] = markup
        self.console.print(*objects, **options)

    @property
    def console(self) -> Any:
        """The rich ``Console`` itself (for rich objects that take one)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        if self.wide and self._console.width != WIDE:
            self._console.width = WIDE
        return self._console

    @property
    def width(self) -> int:
        """The width output is fitted to: the terminal's (80 when not a terminal), or no limit."""
        return WIDE if self.wide else self.console.width

    def __getattr__(self, name: str) -> Any:
        return getattr(self.console, name)


out = LazyConsole(highlight=False, soft_wrap=True)
err = LazyConsole(stderr=True, highlight=False, soft_wrap=True)


def check_coder(name: str) -> str:
    """A coder's name as given with ``--coder``, checked (see :func:`framework.coding.actions.check_coder`)."""
    from framework.coding.actions import check_coder as check

    problem = not_text(["--coder", name])
    if problem:
        raise InputError(problem)
    return check(name)


# -- arguments ------------------------------------------------------------------------------

_NOT_UTF8 = re.compile("[\udc80-\udcff]+")
"""How Python shows bytes of an argument that are not UTF-8 (``surrogateescape``)."""


def not_text(args: Sequence[str]) -> str | None:
    """The message for the first argument holding bytes that are not UTF-8 (a terminal or
    script in another encoding), naming the option it belongs to; None when all are text.

    Such bytes cannot be stored, written to JSON or shown, so they are refused before any
    command runs, whatever the option (``--memo``, ``--coder``, ``--summary``, a file name)."""
    for n, arg in enumerate(args):
        found = _NOT_UTF8.search(arg)
        if found is None:
            continue
        raw = os.fsencode(found.group())
        advice = "Type it again in a UTF-8 terminal (e.g. LANG=en_GB.UTF-8)"
        if arg.startswith("--") and "=" in arg:
            option, arg = arg.split("=", 1)
            where = f"the value of {option}"
        elif n > 0 and args[n - 1].startswith("-"):
            where = f"the value of {args[n - 1]}"
        else:
            where = "the argument"
            advice += "; if it is a file name, rename the file"
        shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        return (f"{where} {shown!r} is not UTF-8 text (byte 0x{raw[0]:02X} is not UTF-8); nothing was changed. "
                f"{advice}.")
    return None


class InputPath(click.ParamType):
    """A file (or folder) the command reads: a missing or unreadable one is bad input (exit
    status 1, one line naming it), as every command treats its input files."""

    name = "path"

    def __init__(self, *, folder: bool = False, dash: bool = False) -> None:
        self.folder = folder
        self.dash = dash
        """``-`` stands for standard input."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        path = Path(value)
        if self.dash and str(value) == "-":
            return path
        what = "folder" if self.folder else "file"
        if not path.exists():
            raise InputError(f"{path}: {what} not found. Check the path and try again.")
        if self.folder and not path.is_dir():
            raise InputError(f"{path}: is a file, not a folder. Give the path of a folder.")
        if not self.folder and path.is_dir():
            raise InputError(f"{path}: is a folder, not a file. Give the path of a file.")
        if not os.access(path, os.R_OK | (os.X_OK if self.folder else 0)):
            raise InputError(f"{path}: cannot be read (permission denied). Check its permissions.")
        return path


input_file = InputPath()
input_file_or_stdin = InputPath(dash=True)
input_folder = InputPath(folder=True)


def failure_message(exc: BaseException, project_dir: Path) -> str | None:
    """One line for a failure of the disk or of the database file met in the middle of a
    command (a full or read-only disk, a database found damaged while reading it), or
    None for any other exception (a bug, which keeps its traceback)."""
    sqlite3 = sys.modules.get("sqlite3")
    if sqlite3 is not None and isinstance(exc, sqlite3.DatabaseError):
        db = project_dir / DB_NAME
        text = str(exc)
        if isinstance(exc, sqlite3.OperationalError) and "malformed" not in text:
            return f"{db}: the database could not be used ({text}); the change in progress was undone."
        return (f"{db}: the project database is damaged ({text}); the change in progress, if any, was undone. "
                "'framework doctor' shows the damage; 'framework restore' puts back a backup.")
    if isinstance(exc, OSError) and exc.strerror:
        where = exc.filename if exc.filename is not None else project_dir
        return f"{where}: {exc.strerror}; the command stopped there. Check the disk's free space and permissions."
    return None


# -- plumbing ------------------------------------------------------------------------------


class State:
    """Options shared by every command."""

    def __init__(self) -> None:
        self.project_dir: Path = Path(".")
        self.coder: str | None = None
        self.wide = False
        self._project: Project | None = None
        self.notes: list[str] = []
        """What opening the project had to say, and who is coding if that changed."""
        self.sync_themes = True
        """Load a changed themes.yaml on opening (off for the commands that load it themselves)."""

    def set_wide(self, wide: bool) -> None:
        """``--wide``: tables keep every value whole, however long the lines get."""
        if wide:
            self.wide = True
            out.wide = True

    def project(self, *, quiet: bool = False) -> Project:
        """The open project. Its notes (first run, themes.yaml reloaded, cloud folder) and
        who is coding are printed on stderr, unless ``quiet`` (the TUI shows them itself)."""
        if self._project is None:
            from framework.project import open_project

            with progress_bar() as progress:
                self._project = open_project(self.project_dir, progress=progress, sync=self.sync_themes)
            self.notes = list(self._project.warnings)
            coder_note = self.settle_coder()
            if coder_note:
                self.notes.append(coder_note)
            if not quiet:
                for note in self.notes:
                    err.print(f"[yellow]note:[/] {escape_markup(note)}", markup=True)
        return self._project

    def settle_coder(self) -> str | None:
        """Take ``--coder`` for this run; it is remembered only when this person has no coder
        yet, so a one-off ``--coder`` never changes who the next session codes as.
        Returns a note saying what happened, if anything worth saying."""
        project = self._project
        if not self.coder or project is None:
            return None
        remembered = project.coder
        if remembered is None and project.store.refusal() is not None:
            return None  # nothing can be written here; the name counts for this run
        if remembered is None:
            project.remember_coder(self.coder)
            return f"coding as {self.coder} (remembered for you in this project)."
        if remembered != self.coder:
            return (f"coding as {self.coder} for this run only; you stay {remembered} here "
                    f"('framework coder use {self.coder}' switches for good).")
        return None

    def current_coder(self, required: bool = True) -> str | None:
        if self.coder:
            return self.coder
        remembered = self.project().coder
        if remembered or not required:
            return remembered
        raise InputError("say who is coding: add --coder NAME (it is remembered for you in this project), "
                         "or run 'framework coder use NAME'.")

    def close(self) -> None:
        if self._project is not None:
            self._project.close()


def escape_markup(text: str) -> str:
    """``text`` with rich markup brackets escaped."""
    from rich.markup import escape

    return escape(text)


@contextlib.contextmanager
def progress_bar(threshold: int = 5) -> Iterator[Callable[[int, int, str], None]]:
    """A progress callback that shows a rich bar on stderr for long operations."""
    bar: Any = None
    task = None

    def update(done: int, total: int, label: str) -> None:
        nonlocal bar, task
        if total <= threshold:
            return
        if bar is None:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                           TimeRemainingColumn(), console=err.console, transient=True)
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
            state.set_wide(kwargs.pop("wide_output", False))
            name = kwargs.pop("acting_coder", None)
            if name is not None:
                state.coder = check_coder(name)
            return func(*args, **kwargs)

        wrapped = click.option("--project", "project_dir", type=click.Path(file_okay=False, path_type=Path),
                               default=None, help="The project folder (default: the current folder).")(wrapper)
        wrapped = click.option("--wide", "wide_output", is_flag=True, default=False,
                               help="Show long values whole in tables (lines may be longer than the terminal).")(wrapped)
        if coder:
            wrapped = click.option("--coder", "acting_coder", default=None,
                                   help="Who is coding (remembered per project).")(wrapped)
        return wrapped

    return decorate(func) if func is not None else decorate


def emit_json(value: Any) -> None:
    """Print ``value`` as indented JSON. A list (or any iterator) is written item by item (the
    same text as one ``json.dumps``), so a long listing starts at once and is never held whole."""
    if isinstance(value, (dict, str, int, float, bool)) or value is None:
        click.echo(json.dumps(value, ensure_ascii=False, indent=2))
        return
    items = iter(value)
    try:
        item = next(items)
    except StopIteration:
        click.echo("[]")
        return
    click.echo("[")
    for following in items:
        click.echo("  " + json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n  ") + ",")
        item = following
    click.echo("  " + json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n  "))
    click.echo("]")


SHORTEST = 8
"""A column is never cut narrower than this (or its widest value, if less)."""


def fitted(natural: list[int], available: int) -> list[int]:
    """Column widths within ``available`` cells: the widest columns give way first."""
    from framework.views.paging import fit_widths

    return fit_widths(natural, [min(n, SHORTEST) for n in natural], [False] * len(natural), available)


def table(*columns: str) -> Table:
    """A table that fits the terminal: long values are cut with an ellipsis, the widest columns
    first (``--wide`` shows them whole)."""
    from rich.cells import cell_len
    from rich.table import Table

    class FittedTable(Table):
        def __rich_console__(self, console: Any, options: Any) -> Any:
            if not out.wide:
                natural = [max([cell_len(str(c.header))] + [cell_len(str(v)) for v in c.cells])
                           for c in self.columns]
                available = options.max_width - 2 * (len(self.columns) - 1)
                for column, width in zip(self.columns, fitted(natural, available)):
                    column.max_width = width
            return super().__rich_console__(console, options)

    t = FittedTable(show_header=True, header_style="bold", box=None, pad_edge=False)
    for column in columns:
        t.add_column(column, no_wrap=True, overflow="ellipsis")
    return t


class StreamTable:
    """Rows printed as they come, in columns fitted to the terminal from the first rows
    (``--wide``: values whole)."""

    SAMPLE = 100
    """Rows read before the first is printed, to size the columns."""
    BATCH = 500
    """Lines written to the terminal at a time."""

    def __init__(self, *columns: str, right: tuple[str, ...] = ()) -> None:
        self.columns = columns
        self.right = {i for i, c in enumerate(columns) if c in right}
        self.widths: list[int] | None = None
        self._waiting: list[tuple[str, ...]] = []
        self._lines: list[str] = []

    def add(self, *cells: str) -> None:
        if self.widths is not None:
            self._lines.append(self._line(cells))
            if len(self._lines) >= self.BATCH:
                self._flush()
            return
        self._waiting.append(cells)
        if len(self._waiting) >= self.SAMPLE:
            self._start()

    def close(self) -> None:
        if self.widths is None:
            self._start()
        self._flush()

    def _start(self) -> None:
        natural = [max([_width(c)] + [_width(r[i]) for r in self._waiting]) for i, c in enumerate(self.columns)]
        self.widths = natural if out.wide else fitted(natural, out.width - 2 * (len(self.columns) - 1))
        self._lines = [self._line(self.columns), *(self._line(row) for row in self._waiting)]
        self._waiting = []
        self._flush()

    def _flush(self) -> None:
        if self._lines:
            click.echo("\n".join(self._lines))
            self._lines = []

    def _line(self, cells: tuple[str, ...]) -> str:
        parts = []
        for i, (value, width) in enumerate(zip(cells, self.widths or ())):
            if "\n" in value:
                value = value.replace("\n", " ")
            size = _width(value)
            if size > width and not out.wide:
                value = _cut(value, width - 1) + "…"
            elif size < width:
                value = " " * (width - size) + value if i in self.right else value + " " * (width - size)
            parts.append(value)
        return "  ".join(parts).rstrip()


def _width(text: str) -> int:
    """Cells ``text`` takes in a terminal (wide characters count two)."""
    if text.isascii():
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


def _cut(text: str, width: int) -> str:
    if text.isascii():
        return text[:width]
    from rich.cells import set_cell_size

    return set_cell_size(text, width)


def state() -> State:
    return click.get_current_context().find_object(State)




def run_tui(obj: State, document: str | None = None, line: int | None = None, question: str | None = None) -> None:
    """Open the project (and DOCUMENT at LINE, or a QUESTION's answers) in the terminal interface;
    the project's notes are shown inside it."""
    project = obj.project(quiet=True)
    if document is not None:
        project.store.documents.get(document)  # an unknown name fails here, before the screen changes
    from framework.tui.app import run

    run(project, coder=obj.coder or project.coder, document=document, line=line, question=question, notes=obj.notes)


# -- the pseudonym key ------------------------------------------------------------------------

PROJECT_KEY = Path("<the project's key>")
"""What ``--pseudonymise`` given without a file stands for: the key chosen for the project."""

pseudonymise_option = click.option(
    "--pseudonymise", "key_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
    is_flag=False, flag_value=str(PROJECT_KEY), metavar="[KEY.csv]",
    help="Replace the names in this pseudonym key (CSV: term,replacement; kept outside exports/) in everything "
         "written, and check the files for them; without a file, the key chosen for this project.")


def remembered_key() -> Path | None:
    """The key file chosen for this project (in the key screen), if any."""
    from framework.paths import LOCAL_DIR, SETTINGS

    root = state().project_dir
    try:
        value = json.loads((root / LOCAL_DIR / SETTINGS).read_text(encoding="utf-8")).get("pseudonym_key")
    except (OSError, ValueError, AttributeError):
        return None
    if not isinstance(value, str) or not value.strip():
        return None
    path = Path(value.strip()).expanduser()
    return path if path.is_absolute() else root / path


def key_path(key_file: Path | None, *, choose: bool = False) -> Path:
    """The key file to use: ``--key`` (or ``--pseudonymise``) when given a file, else the one
    chosen for the project. With ``choose``, a key given where none is chosen yet becomes the
    project's key."""
    if key_file is not None and key_file != PROJECT_KEY:
        if choose and remembered_key() is None and (state().project_dir / DB_NAME).exists():
            state().project().save_setting("pseudonym_key", str(key_file.expanduser().resolve()))
            err.print(f"note: {key_file} is this project's pseudonym key from now on (change it with K in "
                      "framework)", markup=False)
        return key_file
    remembered = remembered_key()
    if remembered is None:
        raise InputError("no pseudonym key chosen for this project: give --key KEY.csv (the first key given to "
                         "'framework pseudonym add' is remembered), or choose one with K in framework.")
    return remembered


def kept_note(path: Path) -> str:
    """A note when an export was written beside an earlier one instead of over it."""
    from framework.export.common import numbered_from

    earlier = numbered_from(path)
    return f" ({earlier.name} was already there and is kept; --force replaces it)" if earlier else ""
