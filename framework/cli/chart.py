"""``framework chart ...``, ``map`` and ``quotes``: charting and its exports from the command line."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from framework.cli.common import (
    emit_json,
    err,
    kept_note,
    key_path,
    out,
    project_option,
    pseudonymise_option,
    state,
)
from framework.errors import InputError
from framework.export.options import CELL_MODES, DEFAULT_PATTERN, FORMATS, QUOTE_FORMATS, REFS
from framework.store.model import CONSENSUS

if TYPE_CHECKING:
    from framework.analysis.charting import Cell
    from framework.confidentiality.key import Pseudonymiser

STATUS_MARK = {"done": "✓ ", "draft": "✎ ", "empty": ""}


def layer_options(func: Callable) -> Callable:
    """``--project DIR`` and ``--coder NAME``: whose layer to chart (``consensus`` allowed)."""

    @click.option("--project", "project_dir", type=click.Path(file_okay=False, path_type=Path),
                  default=None, help="The project folder (default: the current folder).")
    @click.option("--coder", "coder", default=None,
                  help=f"Whose codings and summaries: a coder's name or {CONSENSUS!r} (default: you).")
    @functools.wraps(func)
    def wrapper(*args: Any, project_dir: Path | None, coder: str | None, **kwargs: Any) -> Any:
        from framework.coding import actions as coding

        s = state()
        if project_dir is not None:
            s.project_dir = project_dir
        if coder is not None:
            coding.check_coder(coder, allow_consensus=True)
        return func(*args, layer=coder or s.current_coder(), **kwargs)

    return wrapper




def _key(key_file: Path | None, exports_dir: Path) -> Pseudonymiser | None:
    """The pseudonym key to apply, or None; refused if kept in the exports folder."""

    from framework.confidentiality.key import Pseudonymiser, check_key_location

    if key_file is None:
        return None
    key_file = key_path(key_file)
    key = Pseudonymiser.load(key_file)
    check_key_location(key_file, exports_dir)
    return key


_refs_option = click.option(
    "--refs", type=click.Choice(REFS), default=None,
    help="References to passages: left out, shown through the key (cases and documents by their labels), "
         "or in full [default: pseudonymised with --pseudonymise, else full].")


def _done(key: Pseudonymiser | None) -> str:
    return f" (pseudonymised with {key.path}; checked: no key terms)" if key is not None else ""


def out_target(out: Path | None, fmt: str | None, formats: tuple[str, ...], default: Path | None,
               fallback: str) -> tuple[str, Path | None, str | None]:
    """What ``--out`` and ``--format`` ask for, alike for every export: the format, the folder
    and the file's stem (None: the export's own name). ``--out`` ending in one of ``formats``'
    extensions names the file (and gives the format when ``--format`` does not); a folder, or
    a name without extension, is where the export's own names go."""
    if out is None or out.is_dir():
        return fmt or fallback, out if out is not None else default, None
    suffix = out.suffix.lstrip(".").lower()
    if not suffix:
        return fmt or fallback, out, None  # a new folder
    if suffix not in formats:
        raise InputError(f"--out {out}: give a folder, or a file name ending in "
                         f"{', '.join('.' + f for f in formats)}.")
    if fmt is not None and suffix != fmt:
        raise InputError(f"--out {out} does not end in .{fmt}; name the file {out.stem}.{fmt}.")
    return suffix, out.parent, out.stem


def _group_by(value: tuple[str, ...]) -> list[str]:
    return [part.strip() for item in value for part in item.split(",") if part.strip()]


@click.group()
def chart() -> None:
    """Framework charts: show them, write cell summaries, export them."""


@chart.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="xlsx, docx, html, md or csv (default: from --out's extension, else xlsx).")
@click.option("--theme", "themes", multiple=True, help="Chart this theme (repeatable; default: every main theme).")
@click.option("--cells", "mode", type=click.Choice(CELL_MODES), default="both", show_default=True,
              help="What cells hold: your summaries, the coded passages, or both.")
@click.option("--group-by", "group_by", multiple=True, help="Group and sort rows by these attributes (ATTR[,ATTR]).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="A folder to write to, or the file to write (charts.xlsx; where several files are written, "
                   "their names start so: charts-long.csv). Default: the project's exports/, named "
                   "charts-<layer>.<format>.")
@click.option("--force", is_flag=True, help="Replace existing files (otherwise a numbered name is used).")
@click.option("--presence", is_flag=True, help="Write the 0/1 case x theme table (csv or md).")
@click.option("--long", "long", is_flag=True, help="Write one row per case x theme x passage (csv or md).")
@click.option("--skip-empty", is_flag=True, help="Leave out the cases with nothing coded or written in these charts.")
@click.option("--label", default=None, metavar="ATTR",
              help="Name the cases by this attribute (or a pattern such as \"{role}, {region}\") instead of "
                   "their ids; a label shared by several cases is numbered.")
@pseudonymise_option
@_refs_option
@layer_options
def chart_export(layer: str, fmt: str | None, themes: tuple[str, ...], mode: str, group_by: tuple[str, ...],
                 out_dir: Path | None, force: bool, presence: bool, long: bool, skip_empty: bool,
                 label: str | None, key_file: Path | None, refs: str | None) -> None:
    """Export the charts as xlsx, docx, html, md or csv."""

    from framework.export import export_charts

    s = state()
    project = s.project()
    fmt, folder, stem = out_target(out_dir, fmt, FORMATS, project.exports_dir, "xlsx")
    key = _key(key_file, project.exports_dir)
    paths = export_charts(project.store, layer, fmt, folder, theme_ids=list(themes),
                          mode=mode, group_by=_group_by(group_by), force=force, long=long, presence=presence,
                          key=key, coder=s.current_coder(required=False) or "export", skip_empty=skip_empty,
                          label=label, refs=refs, stem=stem)
    for path in paths:
        out.print(f"wrote {path}{_done(key)}{kept_note(path)}", markup=False)


@chart.command("cell")
@click.argument("case")
@click.argument("theme")
@click.option("--summary", default=None, help="The summary, in your own words, with references like [doc L12-14].")
@click.option("--status", type=click.Choice(["draft", "done"]), default=None)
@click.option("--layer", default=None, help=f"Write to this layer (default: your own; {CONSENSUS!r} allowed).")
@click.option("--json", "as_json", is_flag=True, help="Print the cell as JSON.")
@project_option
def chart_cell(case: str, theme: str, summary: str | None, status: str | None, layer: str | None,
               as_json: bool) -> None:
    """Write the summary and/or status of the cell CASE x THEME."""

    from framework.coding import actions as coding

    if summary is None and status is None:
        raise click.UsageError("give --summary, --status or both.")
    s = state()
    store = s.project().store
    who = s.current_coder()
    if layer is not None:
        coding.check_coder(layer, allow_consensus=True)
    target = store.cases.get(case)
    store.themes.get(theme)
    cell = coding.set_cell(store, who, target.id, theme, layer or who, summary=summary, status=status)
    if as_json:
        emit_json({"case": target.name, "theme": cell.theme_id, "layer": cell.layer, "summary": cell.summary,
                   "status": cell.status, "updated_at": cell.updated_at, "updated_by": cell.updated_by})
    else:
        out.print(f"{target.name} x {theme} ({cell.layer}): {cell.status}", markup=False)


def _preview(cell: Cell, width: int, lines: int = 1) -> str:
    """The status mark and the start of the summary in ``lines`` lines of ``width``
    (wrapped at words), or the number of coded passages when there is no summary."""
    import textwrap

    mark = STATUS_MARK.get(cell.status, "")
    if lines <= 1 or not cell.summary.strip():
        return mark + cell.preview(max(1, width - len(mark)))
    wrapped = textwrap.wrap(mark + " ".join(cell.summary.split()), width, break_long_words=False,
                            break_on_hyphens=False) or [""]
    wrapped = [line if len(line) <= width else line[: width - 1] + "…" for line in wrapped]  # a word too long
    if len(wrapped) > lines:
        last = wrapped[lines - 1]
        wrapped = wrapped[: lines - 1] + [(last if len(last) < width else last[: width - 1]) + "…"]
    return "\n".join(wrapped)


@chart.command("show")
@click.option("--theme", "themes", multiple=True, help="Show this theme's chart (repeatable; default: all).")
@click.option("--group-by", "group_by", multiple=True, help="Group and sort rows by these attributes (ATTR[,ATTR]).")
@click.option("--width", type=click.IntRange(min=4), default=None,
              help="Characters of each summary line (default: the columns share the terminal's width).")
@click.option("--lines", type=click.IntRange(min=1), default=1, show_default=True,
              help="Lines of each summary to show.")
@click.option("--json", "as_json", is_flag=True, help="Print every cell in full, with its passages, as JSON.")
@layer_options
def chart_show(layer: str, themes: tuple[str, ...], group_by: tuple[str, ...], width: int | None, lines: int,
               as_json: bool) -> None:
    """Print the charts: the start of each summary, or its number of coded passages.

    The columns share the terminal's width (a chart with more columns than fit is
    printed in several blocks, each with the case column); long case names are
    shortened in the middle, so their ends still tell them apart.
    """

    from rich.markup import escape

    from framework.analysis.charting import build_charts

    charts = build_charts(state().project().store, layer, theme_ids=list(themes), group_by=_group_by(group_by))
    if as_json:
        emit_json(charts.as_json())
        return
    import shutil

    from rich.console import Console

    screen = shutil.get_terminal_size((out.width, 24)).columns  # COLUMNS, the terminal, or rich's guess
    console = Console(width=screen, highlight=False)
    for n, one in enumerate(charts.charts):
        console.print(("\n" if n else "") + f"[bold]{escape(one.title)}[/] ({escape(charts.layer)})")
        for part in _chart_parts(charts, one, screen, width, lines):
            console.print(part)
    err.print("✓ done  ✎ draft; 'N passages': coded, no summary yet", markup=False)


def _chart_parts(charts: Any, chart: Any, screen_width: int, cell: int | None, lines: int) -> list[Any]:
    """One chart as what to print to fit ``screen_width``: for each block of columns, the
    header, then each group's heading and its rows (one line a case unless ``lines``),
    in columns of fixed widths so every part lines up."""
    from rich.table import Table
    from rich.text import Text

    from framework.views.matrix import column_blocks, shorten

    case_w = min(max([len(r.case.name) for r in charts.rows] + [4]), max(16, screen_width // 5 + 2))
    blocks, cell_w = column_blocks(len(chart.columns), screen_width, case_w, cell)
    parts: list[Any] = []

    def new_table(columns: list[Any], header: bool) -> Any:
        t = Table(show_header=header, header_style="bold", box=None, pad_edge=False, expand=False)
        t.add_column("case", width=case_w, no_wrap=True, overflow="ellipsis")
        for column in columns:
            t.add_column(column.heading, width=cell_w, overflow="ellipsis")
        return t

    ended_blank = True
    for block in blocks:
        columns = [chart.columns[i] for i in block]
        if not ended_blank:
            parts.append(Text(""))  # between two blocks of columns
        body = new_table(columns, header=True)
        for group, rows in charts.groups():
            if charts.group_by:
                parts.append(body)
                parts.append(Text(" › ".join(group) + f" ({len(rows)})", style="bold"))
                body = new_table(columns, header=False)
            for row in rows:
                cells = [_preview(chart.cell(row.case.id, c), cell_w, lines) for c in columns]
                body.add_row(Text(shorten(row.case.name, case_w)), *map(Text, cells))
                ended_blank = any("\n" in text for text in cells)
                if ended_blank:
                    body.add_row()  # a blank line after a case that takes several
        parts.append(body)
    return parts


def _heat(share: float) -> str:
    """A background from white to blue by share (a small share still tinted), readable text."""
    from framework.export.common import heat_level

    level = heat_level(share)
    base, top = (255, 255, 255), (0x4E, 0x79, 0xA7)
    r, g, b = (round(lo + (hi - lo) * level) for lo, hi in zip(base, top))
    return f"{'white' if level > 0.6 else 'black'} on #{r:02x}{g:02x}{b:02x}" if level else "dim"


@click.command("map")
@click.option("--by", default=None, help="Break the counts down by this case attribute.")
@click.option("--theme", "themes", multiple=True, help="Only this theme and those below it (repeatable).")
@click.option("--cases", "show_cases", is_flag=True, help="List the cases behind each number.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, with the case lists.")
@layer_options
def map_cmd(layer: str, by: str | None, themes: tuple[str, ...], show_cases: bool, as_json: bool) -> None:
    """Mapping: how many cases (and which) raised each theme, by group."""

    from rich.markup import escape
    from rich.table import Table

    from framework.analysis.charting import mapping
    from framework.export.common import percent

    result = mapping(state().project().store, layer, by=by, theme_ids=list(themes) or None)
    if as_json:
        emit_json(result.as_json())
        return
    out.print(f"Mapping of {layer}'s codings: the cases that raised each theme (a main theme counts its "
              "subthemes' too)", markup=False)
    t = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    t.add_column("theme", no_wrap=True, overflow="ellipsis", max_width=48)
    for heading in [f"all ({result.total})", *(f"{v} ({n})" for v, n in result.values)]:
        t.add_column(escape(heading), overflow="ellipsis", min_width=11)
    for row in result.rows:
        label = escape("  " * row.depth + f"{row.theme.id} {row.theme.label}")
        counts = [f"[{_heat(g.share)}] {g.count}/{g.total} {percent(g.share):>4} [/]" for g in (row.all, *row.groups)]
        t.add_row(label, *counts)
    out.print(t)
    if show_cases:
        for row in result.rows:
            for g in (row.all, *row.groups):
                if g.cases:
                    where = f" ({by} = {g.value})" if g.value else ""
                    out.print(f"{row.theme.id}{where}: {', '.join(g.cases)}", markup=False)


@click.command()
@click.option("--theme", required=True, help="The theme whose passages to gather (with the themes below it).")
@click.option("--format", "fmt", type=click.Choice(QUOTE_FORMATS), default=None,
              help="docx, md or csv (default: from --out's extension, else md).")
@click.option("--pattern", default=DEFAULT_PATTERN, show_default=True,
              help="Attribution from case attributes, e.g. \"[{role}, {authority_type}]\".")
@click.option("--out", "out_file", type=click.Path(path_type=Path), default=None,
              help="A folder to write to, or the file to write (default: exports/quotes_<theme>.<format>).")
@click.option("--force", is_flag=True, help="Replace an existing file (otherwise a numbered name is used).")
@pseudonymise_option
@_refs_option
@layer_options
def quotes(layer: str, theme: str, fmt: str | None, pattern: str, out_file: Path | None, force: bool,
           key_file: Path | None, refs: str | None) -> None:
    """Every coded passage of a theme, attributed, for the write-up.

    With --pseudonymise, cases are shown by their labels ({case} gives "Case 3") and references
    through them; an attribution of attributes (e.g. "[{role}, {authority_type}]") reads best.
    """

    from framework.export import export_quotes

    s = state()
    fmt, folder, stem = out_target(out_file, fmt, QUOTE_FORMATS, None, "md")
    out_file = folder / f"{stem}.{fmt}" if stem is not None else folder
    project = s.project()
    key = _key(key_file, project.exports_dir)
    path, count = export_quotes(project.store, layer, theme, fmt=fmt, pattern=pattern, out=out_file,
                                directory=project.exports_dir, force=force, key=key,
                                coder=s.current_coder(required=False) or "export", refs=refs)
    out.print(f"wrote {count} quotes to {path}{_done(key)}{kept_note(path)}", markup=False)


COMMANDS = {"chart": chart, "map": map_cmd, "quotes": quotes}
