"""The one connection to a project's SQLite database.

WAL journal, foreign keys on, a busy timeout so a writer waits for another
process's lock before reporting it, and a lock so the TUI's thread workers can share
the connection. Every user action runs inside ``Store.write()``: one
``BEGIN IMMEDIATE`` transaction, committed at once, rolled back on any error.
"""

from __future__ import annotations

import contextlib
import json
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
        target = str(path)
        try:
            conn = sqlite3.connect(target, check_same_thread=False, timeout=busy_timeout)
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot open the project database ({exc}).") from exc
        self.conn = conn
        self._db: Any = None
        self.lock = threading.RLock()
        self.busy_timeout = busy_timeout
        try:
            self._check_is_database()
            self._refuse_newer()
            if self.path is not None and conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = wal")
            conn.execute("PRAGMA foreign_keys = ON")
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

    # -- set-up ---------------------------------------------------------------------

    def _check_is_database(self) -> None:
        try:
            self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            if "locked" in str(exc):
                raise
            raise StoreError(
                f"{self.path}: this file is not a framework database ({exc}). "
                "Move it away or pass another --project folder."
            ) from exc

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
