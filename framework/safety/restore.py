"""Restoring a backup into a project (see :mod:`framework.store.backups` for taking them)."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from framework.errors import StoreError
from framework.paths import DB_NAME
from framework.store import Store, parts
from framework.store.backups import STAMP, backup_dir, check_backup, open_readonly, root_and_store, utcnow, write_backup


@dataclass(frozen=True)
class RestoreResult:
    """What a restore did: the backup restored, the copy of the database it replaced,
    and (when the old database could not be opened) where that file was moved."""

    restored: Path
    previous: Path | None
    moved_aside: Path | None = None


def _is_damaged(db_path: Path) -> bool:
    """True when the file exists but SQLite cannot read it as a sound database (an empty
    file is a lost database, not a new one)."""
    try:
        if db_path.stat().st_size == 0:
            return True
    except OSError:
        return False
    try:
        conn = sqlite3.connect(db_path, timeout=1.0)
        try:
            return conn.execute("PRAGMA quick_check").fetchone()[0] != "ok"
        finally:
            conn.close()
    except sqlite3.OperationalError as exc:
        return "locked" not in str(exc) and "busy" not in str(exc)
    except sqlite3.DatabaseError:
        return True


def restore(target: Any, backup_path: Path | str, *, now: dt.datetime | None = None) -> RestoreResult:
    """Replace the project's database with a backup.

    The backup is checked first; then the current database is itself backed up
    (reason ``before-restore``); then the backup's pages are written into the live
    database with the backup API (other processes see the change through SQLite's
    locks); then the result is checked with ``PRAGMA integrity_check``. A current
    database that is damaged (too damaged to open, or found damaged when opened) or empty
    is moved aside (``framework.db.damaged-<time>``), never deleted, and never copied
    among the backups, where it would be the newest and push good ones out.
    ``target`` is a Project (its store is reopened) or a project folder.
    """
    source = Path(backup_path)
    check_backup(source)
    root, store = root_and_store(target)
    db_path = root / DB_NAME
    now = now or utcnow()
    moved = None
    own = store is None
    if own and db_path.exists():
        try:
            store = Store(db_path)
        except StoreError:
            if not _is_damaged(db_path):
                raise
            moved = _move_aside(db_path, now)
    elif own and any(Path(f"{db_path}{s}").exists() for s in ("-wal", "-shm")):
        moved = _move_aside(db_path, now)
    if store is not None and store.read_only:
        refused = store.refusal()
        if own:
            store.close()
        raise refused
    if store is not None and store.damage:
        store.close()
        moved = _move_aside(db_path, now)
        store = None
    if store is None:
        _copy_into(source, db_path)
        if not own:
            target.store = Store(db_path)
        return RestoreResult(source, None, moved)
    try:
        previous = write_backup(store, backup_dir(target), "before-restore", now)
        with store.lock:
            src = open_readonly(source)
            try:
                src.backup(store.conn)
            except sqlite3.Error as exc:
                raise StoreError(f"{db_path}: could not restore {source.name} ({exc}); "
                                 f"the database as it was is in {previous}.") from exc
            finally:
                src.close()
        result = store.integrity_check()
        if result != "ok":
            with store.lock:
                src = open_readonly(previous)
                try:
                    src.backup(store.conn)
                finally:
                    src.close()
            raise StoreError(f"{db_path}: the restored database failed its check ({result}); "
                             "the previous database was put back.")
    finally:
        if own:
            store.close()
    if not own:
        store.close()  # reopen, so an older backup is upgraded to the current schema
        target.store = Store(db_path)
    return RestoreResult(source, previous, moved)


def _move_aside(db_path: Path, now: dt.datetime) -> Path:
    stamp = now.astimezone(dt.UTC).strftime(STAMP)
    aside = db_path.with_name(f"{db_path.name}.damaged-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(db_path) + suffix)
        if src.exists():
            os.replace(src, Path(str(aside) + suffix))
    return aside


def _copy_into(source: Path, db_path: Path) -> None:
    """Write a backup into a new database file with the backup API, check it, then put it
    in place in one step (a restore killed half-way leaves only a ``.part`` file, which is
    cleaned up later, never a half-written database)."""
    part = parts.part_name(db_path)
    with parts.writing(part):
        src = open_readonly(source)
        try:
            dst = sqlite3.connect(part)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode = WAL")
                result = dst.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                dst.close()
        finally:
            src.close()
        if result != "ok":
            raise StoreError(f"{db_path}: the restored database failed its check ({result}).")
        os.replace(part, db_path)
