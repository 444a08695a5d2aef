"""``framework backup``, ``restore`` and ``doctor``: keeping a project safe from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from framework.cli.common import emit_json, err, out, project_option, state, table
from framework.errors import InputError, StoreError
from framework.paths import DB_NAME, THEMES

if TYPE_CHECKING:
    from framework.safety import doctor as checks
    from framework.store.backups import BackupInfo


def _when(info: BackupInfo) -> str:
    return info.at.strftime("%Y-%m-%d %H:%M:%S UTC")


@click.command("backup")
@click.option("--reason", default="manual", show_default=True, help="A word or two saying why (kept in the name).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@project_option(coder=False)
def backup_cmd(reason: str, as_json: bool) -> None:
    """Back up the project database now (SQLite online backup).

    Backups go to .framework/backups/ (or the project setting backup_dir); the 20
    newest are kept, plus the newest of each of the last 30 days.
    """

    from framework.store.backups import backup

    project = state().project()
    path = backup(project, reason)
    if as_json:
        emit_json({"path": str(path), "name": path.name, "bytes": path.stat().st_size})
    else:
        out.print(f"backed up {project.db_path} to {path}")


def _choose(which: str, infos: list[BackupInfo], root: Path) -> Path:
    from framework.store.backups import backup_dir

    if which.isdigit():
        number = int(which)
        if not 1 <= number <= len(infos):
            raise InputError(f"there is no backup number {number}; 'framework restore' lists "
                             f"{len(infos)} backup(s), newest first.")
        return infos[number - 1].path
    given = Path(which).expanduser()
    for candidate in (given, backup_dir(root) / which):
        if candidate.is_file():
            return candidate
    raise InputError(f"{which}: no such backup. Give its number or file name from 'framework restore'.")


@click.command("restore")
@click.argument("which", required=False)
@click.option("--yes", is_flag=True, help="Restore without asking.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@project_option(coder=False)
def restore_cmd(which: str | None, yes: bool, as_json: bool) -> None:
    """List backups, or restore backup WHICH (its number in the list, or its file).

    The current database is backed up first, so a restore can itself be undone.
    """

    from framework.safety.restore import restore
    from framework.store.backups import backup_dir, list_backups

    root = state().project_dir
    if not (root / DB_NAME).exists() and not (root / THEMES).exists():
        raise InputError(f"{root.resolve()}: not a framework project (no {DB_NAME} and no {THEMES}).")
    infos = list_backups(root)
    if which is None:
        if as_json:
            emit_json([{"number": n, **info.as_json()} for n, info in enumerate(infos, start=1)])
            return
        if not infos:
            out.print(f"no backups yet in {backup_dir(root)} ('framework backup' makes one)")
            return
        t = table("#", "made", "reason", "size", "file")
        for n, info in enumerate(infos, start=1):
            t.add_row(str(n), _when(info), info.reason, f"{info.size / 1048576:.1f} MB", info.path.name)
        out.print(t)
        out.print(f"in {backup_dir(root)}; restore one with: framework restore NUMBER")
        return
    chosen = _choose(which, infos, root)
    if not yes:
        question = (f"Replace the project database with {chosen.name}? "
                    "The current database is backed up first.")
        if not click.confirm(question, default=False, err=True):
            err.print("nothing was changed", markup=False)
            click.get_current_context().exit(1)
    result = restore(root, chosen)
    if as_json:
        emit_json({"restored": str(result.restored), "previous": str(result.previous) if result.previous else None,
                   "moved_aside": str(result.moved_aside) if result.moved_aside else None})
        return
    out.print(f"restored {chosen.name}")
    if result.previous:
        out.print(f"the database as it was is backed up in {result.previous}")
    if result.moved_aside:
        err.print(f"note: the damaged database was moved to {result.moved_aside}", markup=False)


@click.command("doctor")
@click.option("--fix", "repair", is_flag=True, help="Repair what is safe, after a backup (never deletes codings).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@project_option(coder=False)
def doctor_cmd(repair: bool, as_json: bool) -> None:
    """Check the project database; exit status 1 while errors remain.

    Checks integrity, foreign keys, the search index, codings against their text,
    themes against themes.yaml and orphaned rows. --fix backs up first, then repairs
    what is safe: themes re-synced, codings placed again (or marked detached),
    orphaned paragraphs deleted, the search index rebuilt.
    """

    from framework.project import Project
    from framework.safety import doctor as checks
    from framework.store import Store

    root = state().project_dir
    db_path = root / DB_NAME
    if not db_path.exists():
        if (root / THEMES).exists():
            out.print(f"{root}: no database yet; it is built from the folder's files the first time it is opened.")
            return
        raise InputError(f"{root.resolve()}: not a framework project (no {DB_NAME} and no {THEMES}).")
    try:
        store = Store(db_path)
    except StoreError as exc:
        report = checks.DoctorReport([checks.Finding("open", "error", str(exc))])
        project = None
    else:
        project = Project(root, store)
        try:
            from framework.themes.sync import finish_pending

            if finish_pending(store, project.themes_path):  # as opening the project would
                err.print(f"note: {THEMES} brought in step with an import that was interrupted before writing it",
                          markup=False)
            report = checks.fix(project) if repair else checks.check(project)
        finally:
            store.close()
    if as_json:
        emit_json(report.as_json())
    else:
        _print(report, root)
    if not report.ok:
        click.get_current_context().exit(1)


def _print(report: checks.DoctorReport, root: Path) -> None:
    from framework.safety import doctor as checks
    from framework.store.backups import list_backups

    if report.backup:
        out.print(f"backed up first to {report.backup}")
    for line in report.fixed:
        out.print(f"fixed: {line}")
    for f in report.findings:
        shown = ", ".join(str(i) for i in f.items[: checks.SHOWN])
        more = f" ... and {f.count - checks.SHOWN} more" if f.count > checks.SHOWN and f.items else ""
        hint = " ('framework doctor --fix' repairs this)" if f.fixable and not report.fixed else ""
        stream = err if f.severity == "error" else out
        stream.print(f"{f.severity}: {f.message}{hint}" + (f"\n  {shown}{more}" if shown else ""), markup=False)
    if report.ok:
        out.print("ok: no errors found" + (" (warnings above)" if report.findings else ""))
    else:
        errors = sum(1 for f in report.findings if f.severity == "error")
        infos = list_backups(root)
        advice = (f"; {len(infos)} backup(s) exist, the newest {infos[0].path.name} ('framework restore')"
                  if infos else "")
        err.print(f"{errors} problem(s) found{advice}", markup=False)


COMMANDS = {"backup": backup_cmd, "restore": restore_cmd, "doctor": doctor_cmd}
