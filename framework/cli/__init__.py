"""The ``framework`` command line: a thin layer that parses, calls the core, prints.

Exit status: 0 on success, 1 on a user error (one message on stderr naming the
file, row or line), 2 on wrong usage. Every listing has ``--json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from framework.cli.common import State, err, run_tui
from framework.coding import actions as coding
from framework.errors import FrameworkError

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
        run_tui(obj)




def _register_commands() -> None:
    """Command groups live in their own modules; each adds itself to ``main``."""
    import importlib

    for name in ("documents", "themes", "code", "team", "chart", "exchange", "safety"):
        importlib.import_module(f"framework.cli.{name}").register(main)


_register_commands()
