"""The ``framework`` command line: a thin layer that parses, calls the core, prints.

Exit status: 0 on success, 1 on a user error (one message on stderr naming the
file, row or line), 2 on wrong usage. Every listing has ``--json``.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import click

from framework.cli.common import State, check_coder, err, failure_message, not_text, run_tui
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

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["not_text"] = not_text(args)
        if ctx.meta["not_text"]:
            return []  # nothing is parsed; invoke reports it
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        if ctx.meta.get("not_text"):
            err.print(f"framework: {ctx.meta['not_text']}", markup=False)
            ctx.exit(1)
        try:
            return super().invoke(ctx)
        except FrameworkError as exc:
            err.print(f"framework: {exc}", markup=False)
            ctx.exit(1)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:  # the reader of the output went away (framework docs | head)
            ctx.exit(1)
        except Exception as exc:
            obj = ctx.find_object(State)
            message = failure_message(exc, obj.project_dir if obj is not None else Path("."))
            if message is None:
                raise
            err.print(f"framework: {message}", markup=False)
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
@click.option("--wide", is_flag=True, help="Show long values whole in tables (lines may be longer than the terminal).")
@click.version_option(package_name="framework")
@click.pass_context
def main(ctx: click.Context, project_dir: Path, coder: str | None, wide: bool) -> None:
    """framework: Framework Method analysis of interviews and survey comments.

    Run it alone to open the project in the current folder.
    """
    obj = ctx.ensure_object(State)
    obj.project_dir = project_dir
    obj.coder = check_coder(coder) if coder else None
    obj.set_wide(wide)
    if ctx.invoked_subcommand is None:
        run_tui(obj)
