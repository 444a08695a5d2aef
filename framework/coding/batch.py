"""Coding many passages as one action: marked answers coded at once, autocoding by search.

A batch writes (or removes) every coding in one transaction with one entry in the action
log, so one undo takes the whole batch back and one redo brings it again. The log keeps
each new coding compactly, ``[id, document id, start, end, uid]`` under the batch's coder and
theme; a redo takes quote and context from the stored text again. Removed codings are
logged whole (memos included), so that undo restores them exactly.

Callers check the coder's name and the theme first (:func:`framework.coding.actions.code_whole`,
:mod:`framework.coding.autocode`); this module only writes.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from framework.coding.anchoring import context
from framework.store import Coding, Store, now
from framework.store.repo import coding_row

ADD_MANY = "coding.add_many"
REMOVE_MANY = "coding.remove_many"
KINDS = (ADD_MANY, REMOVE_MANY)
CHUNK = 500
"""Ids per ``IN (...)`` list (SQLite allows 32,766 variables; smaller lists keep plans simple)."""

_COLUMNS = ("id", "coder", "document_id", "theme_id", "start", "end", "quote", "before", "after", "memo",
            "detached", "created_at", "updated_at", "uid")
_INSERT = (f"INSERT INTO codings({', '.join(f'{chr(34)}{c}{chr(34)}' for c in _COLUMNS)}) "
           f"VALUES ({','.join('?' * len(_COLUMNS))})")


@dataclass(frozen=True)
class Span:
    """A passage to code: ``[start, end)`` of a document."""

    document_id: int
    start: int
    end: int


@dataclass(frozen=True)
class BatchResult:
    """What one batch did: codings written (or removed), those already there, the log entry."""

    added: int
    skipped: int
    action_id: int | None
    coding_ids: tuple[int, ...] = ()


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def texts_of(store: Store, document_ids: Iterable[int]) -> dict[int, str]:
    """The stored texts of these documents, by id."""
    ids = list(dict.fromkeys(document_ids))
    out: dict[int, str] = {}
    for chunk in chunks(ids):
        out.update(store.conn.execute(
            f"SELECT id, text FROM documents WHERE id IN ({','.join('?' * len(chunk))})", list(chunk)).fetchall())
    return out


def covered(store: Store, coder: str, theme_id: str, document_ids: Sequence[int]) -> dict[int, list[tuple[int, int]]]:
    """Per document, the spans this coder has coded with this theme."""
    out: dict[int, list[tuple[int, int]]] = {}
    ids = list(dict.fromkeys(document_ids))
    if len(ids) > 20 * CHUNK:  # most of the corpus: one pass over the theme's codings
        rows = store.conn.execute(
            'SELECT document_id, start, "end" FROM codings WHERE theme_id = ? AND coder = ?', (theme_id, coder))
        wanted = set(ids)
        for doc, start, end in rows:
            if doc in wanted:
                out.setdefault(doc, []).append((start, end))
        return out
    for chunk in chunks(ids):
        for doc, start, end in store.conn.execute(
            f'SELECT document_id, start, "end" FROM codings WHERE theme_id = ? AND coder = ? '
            f"AND document_id IN ({','.join('?' * len(chunk))})", (theme_id, coder, *chunk)
        ):
            out.setdefault(doc, []).append((start, end))
    return out


def is_covered(span: Span, spans: Sequence[tuple[int, int]]) -> bool:
    return any(start <= span.start and span.end <= end for start, end in spans)


def _next_id(store: Store) -> int:
    seq = store.conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'codings'").fetchone()
    top = store.conn.execute("SELECT coalesce(max(id), 0) FROM codings").fetchone()[0]
    return max(seq[0] if seq else 0, top) + 1


def add_many(store: Store, coder: str, theme_id: str, spans: Sequence[Span], *, how: str,
             details: Mapping[str, Any] | None = None, texts: Mapping[int, str] | None = None) -> BatchResult:
    """Code every span with ``theme_id`` as one action (inside its own transaction).

    A span that this coder's coding of the theme already covers is skipped. ``texts`` may give
    the documents' texts when the caller has read them already. Nothing is logged when there is
    nothing new.
    """
    with store.write():
        have = covered(store, coder, theme_id, [s.document_id for s in spans])
        seen: set[Span] = set()
        todo: list[Span] = []
        for span in spans:
            if span in seen or is_covered(span, have.get(span.document_id, ())):
                continue
            seen.add(span)
            todo.append(span)
        skipped = len(spans) - len(todo)
        if not todo:
            return BatchResult(0, skipped, None)
        missing = [s.document_id for s in todo if texts is None or s.document_id not in texts]
        all_texts = {**(texts or {}), **(texts_of(store, missing) if missing else {})}
        first = _next_id(store)
        stamp = now()
        rows = []
        for n, span in enumerate(todo):
            text = all_texts[span.document_id]
            before, after = context(text, span.start, span.end)
            rows.append((first + n, coder, span.document_id, theme_id, span.start, span.end,
                         text[span.start:span.end], before, after, "", 0, stamp, stamp, new_uid()))
        store.ensure_coder(coder)
        store.conn.executemany(_INSERT, rows)
        payload = {**(details or {}), "how": how, "coder": coder, "theme": theme_id, "at": stamp,
                   "count": len(rows), "skipped": skipped,
                   "codings": [[r[0], r[2], r[4], r[5], r[13]] for r in rows]}
        action = store.log(coder, ADD_MANY, payload)
    return BatchResult(len(rows), skipped, action, tuple(r[0] for r in rows))


def remove_many(store: Store, coder: str, codings: Sequence[Coding], *, how: str,
                details: Mapping[str, Any] | None = None) -> BatchResult:
    """Remove these codings as one action; the log keeps them whole for undo."""
    if not codings:
        return BatchResult(0, 0, None)
    with store.write() as conn:
        ids = [c.id for c in codings]
        for chunk in chunks(ids):
            conn.execute(f"DELETE FROM codings WHERE id IN ({','.join('?' * len(chunk))})", list(chunk))
        payload = {**(details or {}), "how": how, "count": len(codings),
                   "codings": [coding_row(c) for c in codings]}
        action = store.log(coder, REMOVE_MANY, payload)
    return BatchResult(len(codings), 0, action, tuple(ids))


def apply(store: Store, kind: str, payload: dict[str, Any], *, reverse: bool) -> None:
    """Undo (``reverse``) or redo a batch, inside the caller's transaction."""
    if kind == ADD_MANY:
        ids = [c[0] for c in payload["codings"]]
        if reverse:
            _delete(store, ids)
        else:
            _restore_added(store, payload)
    elif kind == REMOVE_MANY:
        rows = payload["codings"]
        if reverse:
            _insert_rows(store, rows)
        else:
            _delete(store, [r["id"] for r in rows])


def _delete(store: Store, ids: Sequence[int]) -> None:
    for chunk in chunks(list(ids)):
        store.conn.execute(f"DELETE FROM codings WHERE id IN ({','.join('?' * len(chunk))})", list(chunk))


def _restore_added(store: Store, payload: dict[str, Any]) -> None:
    """Write a batch again as it was logged; spans that no longer fit their text are left out."""
    spans = payload["codings"]
    texts = texts_of(store, [c[1] for c in spans])
    stamp = payload.get("at") or now()
    rows = []
    for coding_id, doc, start, end, *uid in spans:
        text = texts.get(doc)
        if text is None or end > len(text):
            continue
        before, after = context(text, start, end)
        rows.append((coding_id, payload["coder"], doc, payload["theme"], start, end, text[start:end], before, after,
                     "", 0, stamp, stamp, uid[0] if uid else new_uid()))
    store.ensure_coder(payload["coder"])
    store.conn.executemany(_INSERT.replace("INSERT", "INSERT OR IGNORE", 1), rows)


def _insert_rows(store: Store, rows: Sequence[dict[str, Any]]) -> None:
    """Put removed codings back as they were (with their uid, so copies know them again)."""
    for coder in {r["coder"] for r in rows}:
        store.ensure_coder(coder)
    store.conn.executemany(_INSERT.replace("INSERT", "INSERT OR IGNORE", 1),
                           [tuple(r.get(c) for c in _COLUMNS) for r in rows])


def new_uid() -> str:
    """A coding's uid, as the store makes them (32 hex digits), made here so that a batch
    knows its codings' uids and a redo gives them back the same ones."""
    return secrets.token_hex(16)


def describe(kind: str, payload: dict[str, Any]) -> str:
    """A batch in a few words, for undo and redo messages and the log."""
    count = payload.get("count", len(payload.get("codings", ())))
    if kind == ADD_MANY:
        how = {"autocode": "autocoded", "import": "coded on import"}.get(payload.get("how", ""), "coded")
        return f"{count:,} passage(s) {how} with {payload.get('theme', '?')}"
    return f"{count:,} coding(s) removed"
