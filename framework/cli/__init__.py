"""The ``framework`` command line: a thin layer that parses, calls the core, prints.

Exit status: 0 on success, 1 on a user error (one message on stderr naming the
file, row or line), 2 on wrong usage. Every listing has ``--json``.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import click

from framework.cli.common import State, check_coder, err, run_tui
from framework.errors import FrameworkError

COMMANDS = {
    **dict.fromkeys(("init", "open", "import", "import-survey", "cases", "docs", "show", "search"), "documents"),
    "themes": "themes",
    "autocode": "autocode",
    **dict.fromkeys(("code", "undo", "redo", "log"), "code"),
    **dict.fromkeys(("coder", "merge", "agreement", "consensus"), "team"),
    **dict.fromkeys(("chart", "map", "quotes"), "chart"),
    **dict.fromkeys(("export", "import-qdpx", "pseudonym"), "exchange"),
    **dict.fromkeys(("backup", "restore", "doctor"), "safety"),
}
"""Each command and the module of ``framework.cli`` that defines it (in its ``COMMANDS``).
A module is imported only when one of its commands runs (or ``--help`` lists them), and
each module imports the core only inside its commands, so a command starts quickly."""

# -- the group ---------------------------------------------------------------------------------


class FrameworkGroup(click.Group):
    """Finds each command in its own module when it is needed; turns user errors into one
    stderr line and exit status 1."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        module = COMMANDS.get(name)
        if module is None:
            return None
        return importlib.import_module(f"framework.cli.{module}").COMMANDS[name]

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
    obj.coder = check_coder(coder) if coder else None
    if ctx.invoked_subcommand is None:
        run_tui(obj)
