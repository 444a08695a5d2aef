"""Backups of the project database: taking, listing, rotating and checking them.

Every backup is an online copy made with SQLite's backup API
(``sqlite3.Connection.backup``), never a file copy: it is a consistent snapshot of
the last committed state even while another process is writing, and it includes
what still sits in the ``-wal`` file. Each backup is one self-contained ``.db`` file
(rollback journal, no ``-wal`` beside it) that SQLite or ``framework`` can open.

Where
    ``.framework/backups/`` in the project folder, or the folder in the project
    setting ``backup_dir`` (``Project.save_setting("backup_dir", "D:/backups/study")``;
    a relative path is taken from the project folder, ``~`` is expanded). Use one
    folder per project: rotation counts every backup in the folder.

Names
    ``framework-<UTC time>-<reason>.db``, e.g. ``framework-20261123T101500Z-before-merge.db``.
    A backup is written under a hidden ``.part`` name, locked by its writer, and renamed
    when complete; one left by a killed process is removed later, never one still being
    written (:mod:`framework.store.parts`).

When
    before a schema upgrade, a bulk code import, removing themes, a restore and
    ``doctor --fix`` (and merges, coder imports and QDPX imports; a merge or coder import
    that finds nothing to change takes none); at most hourly while working,
    and only when the project changed since the newest backup (:func:`maybe_hourly`);
    and by hand with ``framework backup``.

Rotation
    After each backup the folder keeps the :data:`KEEP_RECENT` (20) newest backups
    plus the newest backup of each of the :data:`KEEP_DAYS` (30) most recent UTC days,
    today included: at most 50 files. Older backups are deleted. Only files named
    like backups are ever touched.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from framework.errors import InputError, StoreError
from framework.paths import DB_NAME, LOCAL_DIR, SETTINGS
from framework.store import migrations as schema
from framework.store import parts

if TYPE_CHECKING:
    from framework.store.db import Store

DEFAULT_DIR = Path(LOCAL_DIR) / "backups"
SETTING = "backup_dir"
KEEP_RECENT = 20
KEEP_DAYS = 30
HOURLY = dt.timedelta(hours=1)
STAMP = "%Y%m%dT%H%M%SZ"
"""How a backup's name writes its UTC time."""
BUSY_TIMEOUT_S = 10.0
"""How long a backup waits for a busy database (the store's own timeout when it has one)."""
PARTS = f".framework-*{parts.SUFFIX}"
"""The names of backups being written (see :mod:`framework.store.parts`)."""
_NAME_RE = re.compile(r"^framework-(\d{8}T\d{6}Z)-([a-z0-9][a-z0-9-]*)\.db$")


@dataclass(frozen=True)
class BackupInfo:
    """One backup file: where, when (UTC), why and how big."""

    path: Path
    at: dt.datetime
    reason: str
    size: int

    def as_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "name": self.path.name, "at": self.at.isoformat(),
                "reason": self.reason, "bytes": self.size}


# -- where ------------------------------------------------------------------------------------


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def root_and_store(target: Any) -> tuple[Path, Store | None]:
    """(project folder, open store or None) for a Project, a Store or a folder."""
    if hasattr(target, "conn") and not hasattr(target, "root"):  # a Store
        if target.path is None:
            raise StoreError("an in-memory database has no project folder to keep backups in.")
        return target.path.parent, target
    if hasattr(target, "store") and hasattr(target, "root"):
        return Path(target.root), target.store
    return Path(target), None


def backup_dir(target: Any) -> Path:
    """The folder backups of this project go to (see the module docstring)."""
    root, _store = root_and_store(target)
    try:
        settings = json.loads((root / LOCAL_DIR / SETTINGS).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        settings = {}
    chosen = settings.get(SETTING) if isinstance(settings, dict) else None
    if isinstance(chosen, str) and chosen.strip():
        folder = Path(chosen.strip()).expanduser()
        return folder if folder.is_absolute() else root / folder
    return root / DEFAULT_DIR


def _slug(reason: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", reason).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40].strip("-") or "manual"


def _parse(path: Path) -> BackupInfo | None:
    m = _NAME_RE.match(path.name)
    if not m:
        return None
    try:
        at = dt.datetime.strptime(m.group(1), STAMP).replace(tzinfo=dt.UTC)
        size = path.stat().st_size
    except (ValueError, OSError):
        return None
    return BackupInfo(path, at, m.group(2), size)


def _infos(folder: Path) -> list[BackupInfo]:
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    found = [info for p in entries if p.is_file() and (info := _parse(p)) is not None]

    def key(info: BackupInfo) -> tuple[dt.datetime, int, str]:
        try:
            mtime = info.path.stat().st_mtime_ns
        except OSError:
            mtime = 0
        return info.at, mtime, info.path.name

    return sorted(found, key=key, reverse=True)


def list_backups(target: Any) -> list[BackupInfo]:
    """The project's backups, newest first (a Project, a Store or a project folder)."""
    return _infos(backup_dir(target))


# -- making one -------------------------------------------------------------------------------


def backup(target: Any, reason: str = "manual", *, now: dt.datetime | None = None) -> Path:
    """Back up the project's database now; returns the new file. Rotates the folder."""
    root, store = root_and_store(target)
    if store is not None and getattr(store, "damage", None):
        raise StoreError(
            f"{store.path}: the project database is damaged ({store.damage}); no backup was made, so that its "
            "copy does not push good backups out. 'framework restore' puts back a backup."
        )
    own = store is None
    if own:
        db_path = root / DB_NAME
        if not db_path.exists():
            raise InputError(f"{root}: there is no {DB_NAME} to back up.")
        store = _FileOnly(db_path)
    try:
        return write_backup(store, backup_dir(target), reason, now or utcnow())
    finally:
        if own:
            store.close()


def backup_before(store: Store, reason: str) -> Path | None:
    """The backup taken before a risky action; nothing for an in-memory store.

    Raises :class:`StoreError` if the backup cannot be written, so that the action
    does not go ahead without it.
    """
    if store.path is None:
        return None
    return backup(store, reason)


def write_backup(store: Store, folder: Path, reason: str, now: dt.datetime) -> Path:
    stem = f"framework-{now.astimezone(dt.UTC).strftime(STAMP)}-{_slug(reason)}"
    part = parts.part_name(folder / f"{stem}.db")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with parts.writing(part):
            # A connection of its own reads the last committed state, even when the store's
            # connection is inside a transaction; other processes may keep writing meanwhile.
            source = sqlite3.connect(store.path, timeout=store_timeout(store))
            try:
                target = sqlite3.connect(part)
                try:
                    source.backup(target)
                    target.execute("PRAGMA journal_mode = DELETE")
                finally:
                    target.close()
            finally:
                source.close()
            _fsync(part)
            path = _place(part, folder, stem)
        _fsync(folder)
    except (sqlite3.Error, OSError) as exc:
        existing = next((p for p in (folder, *folder.parents) if p.exists()), folder)
        why = "the folder is read-only" if not os.access(existing, os.W_OK | os.X_OK) else str(exc)
        raise StoreError(
            f"{folder}: could not write a backup of {store.path} ({why}). Nothing was changed. "
            "Check the free space and permissions there, or choose another folder with the "
            f"project setting {SETTING!r}."
        ) from exc
    rotate(folder, now=now)
    return path


def _place(part: Path, folder: Path, stem: str) -> Path:
    """Give the finished file its name, never replacing another backup (two processes may
    back up in the same second)."""
    for n in range(1, 1000):
        path = folder / (f"{stem}.db" if n == 1 else f"{stem}-{n}.db")
        if path.exists():
            continue
        try:
            os.link(part, path)
        except FileExistsError:
            continue
        except OSError:  # a file system without hard links
            os.replace(part, path)
            return path
        part.unlink()
        return path
    raise OSError(f"too many backups named {stem}")


def store_timeout(store: Store) -> float:
    return float(getattr(store, "busy_timeout", BUSY_TIMEOUT_S))


def _fsync(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def rotate(folder: Path, *, now: dt.datetime | None = None,
           keep_recent: int = KEEP_RECENT, keep_days: int = KEEP_DAYS) -> list[Path]:
    """Delete backups beyond the rotation rule (see the module docstring); returns them."""
    today = (now or utcnow()).astimezone(dt.UTC).date()
    infos = _infos(folder)
    keep = {info.path for info in infos[:keep_recent]}
    days: set[dt.date] = set()
    for info in infos:  # newest first: the first of each day is that day's newest
        day = info.at.date()
        if 0 <= (today - day).days < keep_days and day not in days:
            days.add(day)
            keep.add(info.path)
    removed = []
    parts.remove_stale(folder, PARTS)  # left by a process that was killed mid-backup
    for info in infos:
        if info.path not in keep:
            try:
                info.path.unlink()
                removed.append(info.path)
            except OSError:
                pass
    return removed


_FINGERPRINT = (
    "SELECT (SELECT max(id) FROM actions), (SELECT count(*) FROM codings), "
    "(SELECT count(*) FROM documents), (SELECT count(*) FROM themes), "
    "(SELECT max(updated_at) FROM chart_cells), (SELECT count(*) FROM memos)"
)


def _fingerprint_of(conn: sqlite3.Connection) -> tuple | None:
    try:
        return tuple(conn.execute(_FINGERPRINT).fetchone())
    except sqlite3.Error:
        return None


def open_readonly(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)


def maybe_hourly(project: Any, *, now: dt.datetime | None = None) -> Path | None:
    """Back up if the newest backup is an hour old or more and the project changed since."""
    now = now or utcnow()
    infos = list_backups(project)
    if infos:
        if now - infos[0].at < HOURLY:
            return None
        with project.store.lock:
            current = _fingerprint_of(project.store.conn)
        try:
            newest = open_readonly(infos[0].path)
            try:
                previous = _fingerprint_of(newest)
            finally:
                newest.close()
        except sqlite3.Error:
            previous = None
        if current is not None and current == previous:
            return None
    if getattr(project.store, "damage", None):
        return None  # a copy of a damaged file would push good backups out
    return backup(project, "hourly", now=now)


# -- checking a backup ----------------------------------------------------------------------------------


def check_backup(path: Path) -> None:
    """Refuse a file that is not a usable backup: unreadable, damaged or from a newer version."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such backup file. Run 'framework restore' to list the backups.")
    try:
        conn = open_readonly(path)
        try:
            result = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            names = [r[0] for r in conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", (schema.MIGRATION_SET,)
            )] if "_sqlite_migrations" in tables else []
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise InputError(f"{path}: cannot be read as a framework database ({exc}); choose another backup.") from exc
    if result != ["ok"]:
        raise InputError(f"{path}: this backup is damaged ({'; '.join(result[:3])}); choose another backup.")
    if not names or "codings" not in tables:
        raise InputError(f"{path}: this is not a framework database; choose another backup.")
    unknown = [n for n in names if n not in schema.known_names()]
    if unknown:
        raise InputError(
            f"{path}: this backup was written by a newer version of framework (schema steps "
            f"{', '.join(unknown)}); upgrade framework to restore it."
        )




class _FileOnly:
    """A database known by its path only: what a backup of a project folder needs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.busy_timeout = BUSY_TIMEOUT_S

    def close(self) -> None:
        pass
