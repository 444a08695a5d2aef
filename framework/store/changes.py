"""The rows one action wrote, kept so that a bulk action can be undone and redone as one.

An action that writes many rows (a coder import, a merge, a consensus decision) notes each
row it inserts, deletes or updates in a :class:`ChangeSet`, saves it (``row_changes``,
under one number) and names that number in its action-log entry (``{"changeset": n}``).
:func:`apply` plays the changes backwards (undo) or forwards (redo). An inserted row is
noted by its key only; its content is kept when it is undone, so that redo can put it back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from framework.store.db import Store

KEYS: dict[str, tuple[str, ...]] = {
    "codings": ("id",),
    "decisions": ("id",),
    "chart_cells": ("case_id", "theme_id", "layer"),
}
"""The tables a change set may touch, with the columns that identify a row."""


def _key(table: str, row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in KEYS[table]}


def _where(table: str) -> str:
    return " AND ".join(f'"{k}" = ?' for k in KEYS[table])


def read_row(store: Store, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
    """The whole row with this key, or None."""
    cursor = store.conn.execute(f"SELECT * FROM {table} WHERE {_where(table)}", [key[k] for k in KEYS[table]])
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cursor.description], row))


def _insert(store: Store, table: str, row: dict[str, Any]) -> None:
    columns = list(row)
    quoted = ", ".join(f'"{c}"' for c in columns)
    store.conn.execute(f"INSERT OR IGNORE INTO {table}({quoted}) VALUES ({','.join('?' * len(columns))})",
                       [row[c] for c in columns])


def _delete(store: Store, table: str, key: dict[str, Any]) -> None:
    store.conn.execute(f"DELETE FROM {table} WHERE {_where(table)}", [key[k] for k in KEYS[table]])


def _update(store: Store, table: str, values: dict[str, Any]) -> None:
    keys = KEYS[table]
    sets = {k: v for k, v in values.items() if k not in keys}
    if not sets:
        return
    store.conn.execute(
        f"UPDATE {table} SET {', '.join(f'{chr(34)}{c}{chr(34)} = ?' for c in sets)} WHERE {_where(table)}",
        [*sets.values(), *(values[k] for k in keys)],
    )


@dataclass
class ChangeSet:
    """Row changes noted during one action, in the order they were made."""

    rows: list[tuple[str, dict[str, Any] | None, dict[str, Any] | None]] = field(default_factory=list)

    def inserted(self, table: str, row: dict[str, Any]) -> None:
        """A row was inserted (only its key is kept)."""
        self.rows.append((table, None, _key(table, row)))

    def deleted(self, table: str, row: dict[str, Any]) -> None:
        """A row was deleted: ``row`` is the whole row as it was."""
        self.rows.append((table, dict(row), None))

    def updated(self, table: str, key: dict[str, Any], before: dict[str, Any], after: dict[str, Any]) -> None:
        """Some columns of a row changed from ``before`` to ``after``."""
        k = _key(table, key)
        self.rows.append((table, {**before, **k}, {**after, **k}))

    def __len__(self) -> int:
        return len(self.rows)

    def save(self, store: Store) -> int:
        """Write the changes (inside the action's transaction); returns the change set's number."""
        number = int(store.conn.execute("SELECT coalesce(max(changeset), 0) + 1 FROM row_changes").fetchone()[0])
        store.conn.executemany(
            "INSERT INTO row_changes(changeset, seq, tbl, before, after) VALUES (?, ?, ?, ?, ?)",
            [(number, seq, table, None if before is None else json.dumps(before, ensure_ascii=False),
              None if after is None else json.dumps(after, ensure_ascii=False))
             for seq, (table, before, after) in enumerate(self.rows)],
        )
        return number


def apply(store: Store, changeset: int, *, reverse: bool) -> int:
    """Undo (``reverse``) or redo the changes of one change set (inside a write); how many rows."""
    rows = store.conn.execute(
        "SELECT seq, tbl, before, after FROM row_changes WHERE changeset = ? ORDER BY seq" + (" DESC" if reverse else ""),
        (changeset,),
    ).fetchall()
    for seq, table, before_text, after_text in rows:
        if table not in KEYS:
            raise ValueError(f"change set {changeset} names an unknown table {table!r}")
        before = None if before_text is None else json.loads(before_text)
        after = None if after_text is None else json.loads(after_text)
        if before is None and after is not None:  # an insert
            if reverse:
                whole = read_row(store, table, after)
                if whole is not None:
                    store.conn.execute("UPDATE row_changes SET after = ? WHERE changeset = ? AND seq = ?",
                                       (json.dumps(whole, ensure_ascii=False), changeset, seq))
                    _delete(store, table, after)
            elif set(after) != set(KEYS[table]):
                _insert(store, table, after)
        elif after is None and before is not None:  # a delete
            if reverse:
                _insert(store, table, before)
            else:
                _delete(store, table, before)
        elif before is not None and after is not None:
            _update(store, table, before if reverse else after)
    return len(rows)
