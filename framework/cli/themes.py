"""``framework themes ...``: the thematic framework from the command line."""

from __future__ import annotations

from pathlib import Path

import click

from framework.cli.common import emit_json, err, input_file, out, project_option, state, table
from framework.errors import InputError


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--all", "show_archived", is_flag=True, help="Include archived themes.")
@click.option("--layer", default=None, metavar="CODER",
              help="Count one coder's codings (a coder's name or 'consensus'; default: every coder's).")
@project_option
@click.pass_context
def themes(ctx: click.Context, as_json: bool, show_archived: bool, layer: str | None) -> None:
    """Print the theme tree with how many codings and cases each theme has (a main theme counts
    those of its subthemes too, as the charts do), of every coder or of one (--layer)."""
    if ctx.invoked_subcommand is not None:
        return
    from framework.analysis.charting import check_layer, theme_usage

    store = state().project().store
    if layer is not None:
        check_layer(store, layer)
    rows = store.themes.list(include_archived=show_archived)
    usage = theme_usage(store, layer)
    depth: dict[str, int] = {}
    for t in rows:
        depth[t.id] = depth.get(t.parent_id, -1) + 1 if t.parent_id else 0
    if as_json:
        emit_json([{**t.as_json(), "depth": depth[t.id], "layer": layer, "codings": usage.get(t.id, (0, 0))[0],
                    "cases": usage.get(t.id, (0, 0))[1]} for t in rows])
        return
    whose = f"{layer}'s codings" if layer else "every coder's codings"
    out.print(f"Themes with {whose} (a main theme counts its subthemes' too)", markup=False)
    tbl = table("id", "theme", "codings", "cases")
    for t in rows:
        n, c = usage.get(t.id, (0, 0))
        label = "  " * depth[t.id] + t.label + (" (archived)" if t.archived else "")
        tbl.add_row(t.id, label, str(n), str(c))
    out.print(tbl)


@themes.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--project", "project_dir", type=click.Path(file_okay=False, path_type=Path), default=None)
def check(file: Path | None, project_dir: Path | None) -> None:
    """Validate themes.yaml and list every problem with its line."""
    from framework.themes.validate import check_themes

    root = project_dir or state().project_dir
    path = file or root / "themes.yaml"
    if not path.exists():
        raise InputError(f"{path}: no such file.")
    parsed, problems = check_themes(path)
    if problems:
        for p in problems:
            err.print(str(p), markup=False)
        raise InputError(f"{path}: {len(problems)} problem(s) found.")
    count = len(parsed.flat()) if parsed else 0
    out.print(f"{path}: ok ({count} themes)")


@themes.command()
@click.option("--archive", is_flag=True, help="Keep removed themes that have codings under an archived theme.")
@project_option
def sync(archive: bool) -> None:
    """Load themes.yaml into the project (safe: codings are never dropped)."""
    from framework.themes.sync import sync_themes

    s = state()
    s.sync_themes = False  # loaded here, once, so that one result is reported
    project = s.project()
    if project.created and project.themes_loaded is not None:
        report = project.themes_loaded  # the first run has just loaded it
    else:
        report = sync_themes(project.store, project.themes_path, archive=archive,
                             coder=s.current_coder(required=False) or "import")
    out.print(report.summary())


@themes.command("import")
@click.argument("file", type=input_file)
@click.option("--on-clash", type=click.Choice(["rename", "refuse"]), default="rename", show_default=True,
              help="A code whose id is taken by another theme: give it the next free id, or import nothing.")
@project_option
def themes_import(file: Path, on_clash: str) -> None:
    """Add the themes of a codebook (.csv, or REFI-QDA .qdc) to themes.yaml, then sync."""
    from framework.themes.codebook import merge_codebook, read_codebook_csv
    from framework.themes.edit import add_theme_to_file, theme_file_text
    from framework.themes.sync import sync_themes
    from framework.themes.validate import load_themes

    s = state()
    s.sync_themes = False  # loaded once, after the codebook is added
    project = s.project()
    path = project.themes_path
    existing = load_themes(path).flat() if path.exists() else []
    if file.suffix.lower() in (".qdc", ".qdpx"):
        from framework.exchange.qdpx import read_qdc

        specs = read_qdc(file, taken={t.id for t in existing})
    else:
        specs = read_codebook_csv(file)
    merge = merge_codebook(specs, existing, on_clash=on_clash, source=str(file))
    if not path.exists():
        path.write_text(theme_file_text(None, specs), encoding="utf-8")
    else:
        for spec, parent in merge.adds:
            add_theme_to_file(path, spec, parent)
    report = sync_themes(project.store, path, coder=s.current_coder(required=False) or "import")
    out.print(f"{len(merge.adds)} theme(s) added to {path.name}; {report.summary()}")
    same = len(merge.ids) - len(merge.adds)
    if same:
        err.print(f"note: {same} code(s) are themes already in {path.name}", markup=False)
    for line in merge.mapped + merge.renamed:
        err.print(f"note: {line}", markup=False)


@themes.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "md"]), default="csv", show_default=True)
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (default: print).")
@project_option
def themes_export(fmt: str, out_file: Path | None) -> None:
    """Write the codebook (id, path, label, description, include, exclude) as CSV or Markdown."""
    import io

    from framework.themes.codebook import write_codebook_csv, write_codebook_markdown
    from framework.themes.validate import load_themes

    project = state().project()
    parsed = load_themes(project.themes_path)
    buffer = io.StringIO(newline="")
    (write_codebook_csv if fmt == "csv" else write_codebook_markdown)(parsed, buffer)
    if out_file:
        out_file.write_text(buffer.getvalue(), encoding="utf-8", newline="")
        out.print(f"wrote {out_file}")
    else:
        click.echo(buffer.getvalue(), nl=False)


COMMANDS = {"themes": themes}
