"""The one connection to a project's SQLite database.

WAL journal, foreign keys on, a busy timeout so a writer waits for another
process's lock before reporting it, and a lock so the TUI's thread workers can share
the connection. Every user action runs inside ``Store.write()``: one
``BEGIN IMMEDIATE`` transaction, committed at once, rolled back on any error.

Opening never hides a problem with the file. An empty (0-byte) database is refused,
never rebuilt as an empty project: it is a lost database, and a backup brings it back.
A database in a read-only folder (or itself read-only) is opened read-only: reading
works, and every write is refused with a message saying why (:attr:`Store.read_only`).
A database whose pages SQLite finds damaged (``PRAGMA quick_check``, run before the first
write, backup or health check of a process: reading commands do not wait for it) can be
read as far as it goes, but every write is refused (:attr:`Store.damage`) until a
backup is restored or the file is repaired, so that nothing is added to a damaged file.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from framework.errors import StoreError
from framework.store import migrations as schema
from framework.store.model import now

BUSY_TIMEOUT_S = 10.0


class Store:
    """A project's database: connection, transactions, schema and repositories."""

    def __init__(self, path: Path | str, *, busy_timeout: float = BUSY_TIMEOUT_S) -> None:
        self.path = Path(path) if str(path) != ":memory:" else None
        self.busy_timeout = busy_timeout
        self.read_only: str | None = None
        """Why this database cannot be written here (a read-only folder or file), or None."""
        self._damage: str | None | bool = False  # False: not checked yet
        if self.path is not None:
            _refuse_empty(self.path)
            self.read_only = read_only_reason(self.path)
        conn = self._connect(str(path))
        self.conn = conn
        self._db: Any = None
        self.lock = threading.RLock()
        try:
            self._check_is_database()
            self._refuse_newer()
            if (self.path is not None and not self.read_only
                    and conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal"):
                conn.execute("PRAGMA journal_mode = wal")
            conn.execute("PRAGMA foreign_keys = ON")
            if not self.read_only:
                conn.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except sqlite3.OperationalError as exc:
            conn.close()
            raise _locked_or(exc, path, busy_timeout) from exc
        except StoreError:
            conn.close()
            raise
        from framework.store.repo import Actions, Cases, Cells, Codings, Documents, Themes

        self.cases = Cases(self)
        self.documents = Documents(self)
        self.themes = Themes(self)
        self.codings = Codings(self)
        self.cells = Cells(self)
        self.actions = Actions(self)

    @property
    def db(self) -> Any:
        """The connection as a sqlite-utils ``Database`` (made when first asked for)."""
        if self._db is None:
            from sqlite_utils import Database

            self._db = Database(self.conn)
        return self._db

    def _connect(self, target: str) -> sqlite3.Connection:
        timeout = self.busy_timeout
        try:
            if self.read_only and self.path is not None:
                uri = self.path.resolve().as_uri()
                conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, check_same_thread=False, timeout=timeout)
                try:
                    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                except sqlite3.OperationalError:
                    # A WAL database closed cleanly has no -shm file, and none can be made in a
                    # read-only folder: read it as a file nobody changes meanwhile.
                    conn.close()
                    conn = sqlite3.connect(f"{uri}?immutable=1", uri=True, check_same_thread=False, timeout=timeout)
                    try:
                        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                    except sqlite3.OperationalError as exc:
                        conn.close()
                        raise StoreError(f"{self.read_only}, and the project database cannot be read from it "
                                         f"({exc}). Copy the project to a folder you can write to.") from exc
                return conn
            return sqlite3.connect(target, check_same_thread=False, timeout=timeout)
        except sqlite3.Error as exc:
            raise StoreError(f"{target}: cannot open the project database ({exc}).") from exc

    # -- set-up ---------------------------------------------------------------------

    def _check_is_database(self) -> None:
        try:
            self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            if "locked" in str(exc):
                raise
            raise StoreError(
                f"{self.path}: this file is not a framework database, or it is too damaged to open ({exc}). "
                "Nothing was changed. Restore a backup ('framework restore'), move the file away, "
                "or pass another --project folder."
            ) from exc

    @property
    def damage(self) -> str | None:
        """What SQLite's quick check finds damaged in the file, or None when it is sound.

        The check reads the whole file, so it runs when first asked for (before a write,
        a backup or ``doctor``), once per process."""
        if self._damage is False:
            self._damage = self._quick_check() if self.path is not None else None
        return self._damage  # type: ignore[return-value]

    def _quick_check(self) -> str | None:
        """What SQLite's quick check finds wrong with the file, or None when it is sound."""
        try:
            rows = [r[0] for r in self.conn.execute("PRAGMA quick_check(1)").fetchall()]
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise
            return str(exc)
        except sqlite3.DatabaseError as exc:
            return str(exc)
        if rows == ["ok"]:
            return None
        found = str(rows[0]).replace("*** in database main ***", "")
        return " ".join(found.split())[:200] or "damage found by SQLite's quick check"

    def refusal(self) -> StoreError | None:
        """Why nothing may be written to this database now, or None."""
        if self.read_only:
            return StoreError(
                f"{self.read_only}, so nothing can be changed here; reading commands work. Copy the project "
                "to a folder you can write to, or ask for write access, and try again."
            )
        if self.damage:
            return StoreError(
                f"{self.path}: the project database is damaged ({self.damage}); nothing was changed, and "
                "nothing can be until it is repaired. 'framework doctor' shows the damage; "
                "'framework restore' puts back a backup."
            )
        return None

    def _refuse_newer(self) -> None:
        """Refuse, before anything is written, a database made by a newer version."""
        applied = schema.applied_names(self.conn)
        known = schema.known_names()
        unknown = [name for name in applied if name not in known]
        if unknown:
            raise StoreError(
                f"{self.path}: this database was written by a newer version of framework "
                f"(schema steps {', '.join(unknown)} are unknown here). "
                "Upgrade framework (pip install -U framework) to open it; nothing was changed."
            )

    def _migrate(self) -> None:
        self._refuse_newer()
        applied = set(schema.applied_names(self.conn))
        if any(name not in applied for name in schema.known_names()):
            refused = self.refusal()
            if refused is not None:
                raise StoreError(f"{self.path}: this database must be upgraded to the current schema before it "
                                 f"can be used, and it cannot be: {refused}")
            tables = self.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
            copy = None
            if self.path is not None and tables:
                from framework.store.backups import backup  # an existing database: keep a copy before upgrading it

                copy = backup(self, "before-migration")
            with self.lock:
                self.conn.execute("PRAGMA foreign_keys = OFF")
                try:
                    schema.migrations.apply(self.db)
                except Exception as exc:
                    if self.conn.in_transaction:
                        self.conn.execute("ROLLBACK")
                    kept = f" A copy from before the upgrade is in {copy}." if copy else ""
                    raise StoreError(
                        f"{self.path}: could not upgrade this database to the current schema ({exc}); "
                        f"the step that failed was undone.{kept}"
                    ) from exc
                finally:
                    self.conn.execute("PRAGMA foreign_keys = ON")

    @property
    def schema_version(self) -> int:
        return len(schema.applied_names(self.conn))

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    # -- transactions -----------------------------------------------------------------

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction: everything inside commits together or not at all.

        Nested uses become savepoints of the outer transaction.
        """
        refused = self.refusal()
        if refused is not None:
            raise refused
        with self.lock:
            conn = self.conn
            if conn.in_transaction:
                name = f"sp_{threading.get_ident()}_{id(object())}"
                conn.execute(f"SAVEPOINT {name}")
                try:
                    yield conn
                except BaseException:
                    if conn.in_transaction:
                        conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                        conn.execute(f"RELEASE SAVEPOINT {name}")
                    raise
                else:
                    conn.execute(f"RELEASE SAVEPOINT {name}")
                return
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise _locked_or(exc, self.path, self.busy_timeout) from exc
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            else:
                try:
                    conn.execute("COMMIT")
                except sqlite3.OperationalError as exc:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise _locked_or(exc, self.path, self.busy_timeout) from exc

    def query(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        """Run a read query and return all rows as dicts."""
        with self.lock:
            cursor = self.conn.execute(sql, params)
            names = [d[0] for d in cursor.description or ()]
            return [dict(zip(names, row)) for row in cursor.fetchall()]

    def tuples(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        """Run a read query and return all rows as tuples (for reading many rows quickly)."""
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    def data_version(self) -> int:
        """A number that changes whenever another connection (another process) commits to the database.

        SQLite's ``PRAGMA data_version``: this connection's own commits leave it unchanged,
        so a session can poll it cheaply to notice what others changed.
        """
        return int(self.scalar("PRAGMA data_version"))

    def iter_query(self, sql: str, params: Any = (), *, size: int = 500) -> Iterator[dict[str, Any]]:
        """Run a read query and yield its rows as dicts, ``size`` at a time: a long listing
        starts at once and never holds all its rows in memory."""
        with self.lock:
            cursor = self.conn.cursor()
            cursor.execute(sql, params)
            names = [d[0] for d in cursor.description or ()]
        try:
            while True:
                with self.lock:
                    rows = cursor.fetchmany(size)
                if not rows:
                    return
                for row in rows:
                    yield dict(zip(names, row))
        finally:
            with contextlib.suppress(sqlite3.Error):  # the store may be closed before a listing is
                cursor.close()

    def scalar(self, sql: str, params: Any = ()) -> Any:
        with self.lock:
            row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    # -- project metadata and the action log -------------------------------------------

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        value = self.scalar("SELECT value FROM meta WHERE key = ?", (key,))
        return default if value is None else value

    def set_meta(self, key: str, value: str) -> None:
        with self.write() as conn:
            conn.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def log(self, coder: str, kind: str, payload: dict[str, Any]) -> int:
        """Append an action to the log; call inside ``write()`` with the change itself."""
        cursor = self.conn.execute(
            "INSERT INTO actions(at, coder, kind, payload) VALUES (?, ?, ?, ?)",
            (now(), coder, kind, json.dumps(payload, ensure_ascii=False, sort_keys=True)),
        )
        return int(cursor.lastrowid)

    def ensure_coder(self, name: str) -> None:
        """Record a coder the first time they act (inside a write)."""
        self.conn.execute(
            "INSERT OR IGNORE INTO coders(name, created_at) VALUES (?, ?)", (name, now())
        )

    def coders(self) -> list[str]:
        return [r["name"] for r in self.query("SELECT name FROM coders ORDER BY name")]

    def integrity_check(self) -> str:
        return str(self.scalar("PRAGMA integrity_check"))


def read_only_reason(path: Path) -> str | None:
    """Why the database at ``path`` cannot be written (its folder or the file itself is
    read-only, for this user or on a read-only disk), or None."""
    folder = path.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"{folder}: the project folder is read-only"
    if path.exists() and not os.access(path, os.W_OK):
        return f"{path}: the project database is read-only"
    return None


def _refuse_empty(path: Path) -> None:
    """A database file of 0 bytes (with nothing in its write-ahead log) is a lost database:
    SQLite would take it for a new one and the project would be rebuilt empty."""
    try:
        size = path.stat().st_size
    except OSError:
        return
    wal = Path(f"{path}-wal")
    if size == 0 and not (wal.exists() and wal.stat().st_size > 0):
        raise StoreError(
            f"{path}: the project database is empty (0 bytes): it was lost or cut short (a full disk, a sync "
            "conflict, a copy that failed). Nothing was changed. 'framework restore' lists the backups and "
            "puts one back; to build a new database from the folder's files instead, move the empty file away."
        )


def _locked_or(
    exc: sqlite3.OperationalError, path: Path | str | None, timeout: float = BUSY_TIMEOUT_S
) -> StoreError:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return StoreError(
            f"{path}: the project database is busy: another framework process is writing to it "
            f"and did not finish within {timeout:g} s. Nothing was changed; "
            "try again in a moment."
        )
    return StoreError(f"{path}: database error: {text}")
