"""Backups of the project database, and restoring one.

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

When
    before a schema upgrade, a bulk code import, removing themes, a restore and
    ``doctor --fix`` (and merges and QDPX imports); at most hourly while working,
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
import secrets
import sqlite3
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from .errors import InputError, StoreError
from .store.db import BUSY_TIMEOUT_S, Store

if TYPE_CHECKING:
    from .project import Project

DB_NAME = "framework.db"
DEFAULT_DIR = Path(".framework") / "backups"
SETTING = "backup_dir"
KEEP_RECENT = 20
KEEP_DAYS = 30
HOURLY = dt.timedelta(hours=1)
_STAMP = "%Y%m%dT%H%M%SZ"
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


@dataclass(frozen=True)
class RestoreResult:
    """What a restore did: the backup restored, the copy of the database it replaced,
    and (when the old database could not be opened) where that file was moved."""

    restored: Path
    previous: Path | None
    moved_aside: Path | None = None


# -- where ------------------------------------------------------------------------------------


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _root_and_store(target: Any) -> tuple[Path, Store | None]:
    """(project folder, open store or None) for a Project, a Store or a folder."""
    if isinstance(target, Store):
        if target.path is None:
            raise StoreError("an in-memory database has no project folder to keep backups in.")
        return target.path.parent, target
    if hasattr(target, "store") and hasattr(target, "root"):
        return Path(target.root), target.store
    return Path(target), None


def backup_dir(target: Any) -> Path:
    """The folder backups of this project go to (see the module docstring)."""
    root, _store = _root_and_store(target)
    try:
        settings = json.loads((root / ".framework" / "settings.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
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
        at = dt.datetime.strptime(m.group(1), _STAMP).replace(tzinfo=dt.UTC)
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
    root, store = _root_and_store(target)
    own = store is None
    if own:
        db_path = root / DB_NAME
        if not db_path.exists():
            raise InputError(f"{root}: there is no {DB_NAME} to back up.")
        store = Store(db_path)
    try:
        return _backup(store, backup_dir(target), reason, now or _utcnow())
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


def _backup(store: Store, folder: Path, reason: str, now: dt.datetime) -> Path:
    stem = f"framework-{now.astimezone(dt.UTC).strftime(_STAMP)}-{_slug(reason)}"
    part = folder / f".{stem}.{os.getpid()}-{secrets.token_hex(4)}.part"
    try:
        folder.mkdir(parents=True, exist_ok=True)
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
        try:
            part.unlink(missing_ok=True)
        except OSError:
            pass
        raise StoreError(
            f"{folder}: could not write a backup of {store.path} ({exc}). Nothing was changed. "
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
    today = (now or _utcnow()).astimezone(dt.UTC).date()
    infos = _infos(folder)
    keep = {info.path for info in infos[:keep_recent]}
    days: set[dt.date] = set()
    for info in infos:  # newest first: the first of each day is that day's newest
        day = info.at.date()
        if 0 <= (today - day).days < keep_days and day not in days:
            days.add(day)
            keep.add(info.path)
    removed = []
    for stale in folder.glob(".framework-*.part"):  # left by a process that was killed mid-backup
        try:
            if time.time() - stale.stat().st_mtime > 3600:
                stale.unlink()
        except OSError:
            pass
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


def _open_readonly(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)


def maybe_hourly(project: Project, *, now: dt.datetime | None = None) -> Path | None:
    """Back up if the newest backup is an hour old or more and the project changed since."""
    now = now or _utcnow()
    infos = list_backups(project)
    if infos:
        if now - infos[0].at < HOURLY:
            return None
        with project.store.lock:
            current = _fingerprint_of(project.store.conn)
        try:
            newest = _open_readonly(infos[0].path)
            try:
                previous = _fingerprint_of(newest)
            finally:
                newest.close()
        except sqlite3.Error:
            previous = None
        if current is not None and current == previous:
            return None
    return backup(project, "hourly", now=now)


# -- restoring ----------------------------------------------------------------------------------


def check_backup(path: Path) -> None:
    """Refuse a file that is not a usable backup: unreadable, damaged or from a newer version."""
    from .store import migrations as schema

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such backup file. Run 'framework restore' to list the backups.")
    try:
        conn = _open_readonly(path)
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


def _is_damaged(db_path: Path) -> bool:
    """True when the file exists but SQLite cannot read it as a sound database."""
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
    database too damaged to open is moved aside (``framework.db.damaged-<time>``),
    never deleted. ``target`` is a Project (its store is reopened) or a project folder.
    """
    source = Path(backup_path)
    check_backup(source)
    root, store = _root_and_store(target)
    db_path = root / DB_NAME
    now = now or _utcnow()
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
    if store is None:
        _copy_into(source, db_path)
        return RestoreResult(source, None, moved)
    try:
        previous = _backup(store, backup_dir(target), "before-restore", now)
        with store.lock:
            src = _open_readonly(source)
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
                src = _open_readonly(previous)
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
    stamp = now.astimezone(dt.UTC).strftime(_STAMP)
    aside = db_path.with_name(f"{db_path.name}.damaged-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(db_path) + suffix)
        if src.exists():
            os.replace(src, Path(str(aside) + suffix))
    return aside


def _copy_into(source: Path, db_path: Path) -> None:
    """Write a backup into a new database file with the backup API, then check it."""
    src = _open_readonly(source)
    try:
        dst = sqlite3.connect(db_path)
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


# -- cloud-sync folders ---------------------------------------------------------------------------

_EXACT = {
    "dropbox": "Dropbox",
    "onedrive": "OneDrive", "skydrive": "OneDrive",
    "google drive": "Google Drive", "googledrive": "Google Drive", "my drive": "Google Drive",
    "icloud drive": "iCloud Drive", "iclouddrive": "iCloud Drive", "mobile documents": "iCloud Drive",
    "com~apple~clouddocs": "iCloud Drive",
    "box": "Box", "box sync": "Box", "box drive": "Box",
    "cloudstorage": "a cloud storage service",
}
_GENERIC = "a cloud storage service"
_PREFIXES = (
    ("dropbox (", "Dropbox"), ("dropbox-", "Dropbox"),
    ("onedrive - ", "OneDrive"), ("onedrive-", "OneDrive"),
    ("googledrive-", "Google Drive"), ("google drive-", "Google Drive"),
    ("box-", "Box"),
)


def cloud_sync_warning(path: Path | str | PurePath) -> str | None:
    """A warning when ``path`` is inside a Dropbox, OneDrive, Google Drive, iCloud or Box
    folder (recognised by the folder names those services use), else None."""
    parts = PurePath(path).parts if isinstance(path, PurePath) else Path(str(path)).parts
    if "\\" in str(path) and len(parts) <= 1:
        from pathlib import PureWindowsPath

        parts = PureWindowsPath(str(path)).parts
    found = [_EXACT.get(name) or next((s for p, s in _PREFIXES if name.startswith(p)), None)
             for name in (part.casefold().strip() for part in parts)]
    named = [s for s in found if s]
    if not named:
        return None
    service = next((s for s in named if s != _GENERIC), _GENERIC)
    return (
        f"{path} is in a folder synced by {service}. Sync services can copy the database while it is "
        "being written, or keep two versions of it, and a project can be lost that way. Keep "
        "the project outside synced folders (share it with 'framework' exports or a shared "
        "server folder instead), or at least quit framework on every computer before syncing."
    )
