"""Indexing: apply, change and remove codings, with undo and redo from the action log.

Each function is one user action: it validates its input, writes the change and
its action-log entry in one transaction, and returns the result. The command line
and the TUI both call these; nothing else writes codings one by one.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from framework.coding import batch
from framework.coding.anchoring import context
from framework.errors import InputError
from framework.store import CONSENSUS, SYSTEM_CODERS, ChartCell, Coding, Store, changes, now
from framework.store.queries import line_number, line_starts
from framework.store.repo import coding_row

UNDOABLE = ("coding.add", "coding.remove", "coding.update", "cell.update", *batch.KINDS)


def check_coder(name: str, *, allow_consensus: bool = False) -> str:
    """A valid coder name, or a clear error."""
    if not name or name != name.strip() or any(ch in name for ch in "\n\r\t,|"):
        raise InputError(
            f"coder name {name!r} is not usable: give a short name without commas, bars or "
            "surrounding spaces, e.g. --coder alice."
        )
    if name == CONSENSUS and not allow_consensus:
        raise InputError(
            f"the coder name {CONSENSUS!r} is reserved for the agreed coding layer; choose another name."
        )
    if name in SYSTEM_CODERS and not allow_consensus:
        raise InputError(
            f"the coder name {name!r} is what the project's own {name}s are logged as; choose a person's name."
        )
    return name


def check_span(store: Store, document_id: int, start: int, end: int, *, where: str = "") -> str:
    """The document's text, after checking 0 <= start < end <= length."""
    text = store.documents.text(document_id)
    _check_offsets(text, start, end, where)
    return text


def _check_offsets(text: str, start: int, end: int, where: str = "") -> None:
    prefix = f"{where}: " if where else ""
    if start < 0 or end < 0:
        raise InputError(f"{prefix}offsets must not be negative (start {start}, end {end}).")
    if end <= start:
        raise InputError(f"{prefix}end ({end}) must be after start ({start}).")
    if end > len(text):
        raise InputError(
            f"{prefix}end {end} is past the end of the text ({len(text)} characters)."
        )


@dataclass(frozen=True)
class TextSeen:
    """The version of a document's text that a span was chosen in (its content hash, and the text).

    A write that carries one is checked against the document in the same transaction:
    if the text changed meanwhile (another process imported a new version), the span
    follows its words into the new text when they are unchanged (the text is needed for
    that), and the write is refused with :class:`TextChanged` otherwise.
    """

    sha256: str
    text: str | None = None


class TextChanged(InputError):
    """The document's text changed under a write, and the span could not follow its words."""


class NotYours(InputError):
    """A coder tried to remove or change another coder's coding without saying so."""

    def __init__(self, coding: Coding, verb: str) -> None:
        self.owner = coding.coder
        super().__init__(
            f"coding {coding.id} is {coding.coder}'s ({coding.document}, {coding.theme_id}); you can {verb} "
            f"only your own codings. To {verb} it anyway, add --as-owner (the log records that you did it "
            f"for {coding.coder})."
        )


def _current(store: Store, document_id: int) -> tuple[str, str]:
    """The document's text and content hash, read inside the caller's transaction."""
    row = store.conn.execute("SELECT text, sha256 FROM documents WHERE id = ?", (document_id,)).fetchone()
    if row is None:
        raise InputError(f"no document with id {document_id} (it may have been removed by another process).")
    return str(row[0]), str(row[1])


def _against(store: Store, document_id: int, start: int, end: int, seen: TextSeen | None) -> tuple[str, int, int]:
    """Inside a write: the current text and the span on it, following the words if the text changed."""
    text, sha = _current(store, document_id)
    if seen is not None and seen.sha256 != sha:
        start, end = _follow(store, document_id, text, start, end, seen)
    _check_offsets(text, start, end)
    return text, start, end


def _follow(store: Store, document_id: int, text: str, start: int, end: int, seen: TextSeen) -> tuple[int, int]:
    from framework.coding.realign import OffsetMap, follow

    placed = None
    if seen.text is not None and 0 <= start < end <= len(seen.text):
        placed = follow(OffsetMap(seen.text, text), start, end, min_score=100.0)
    if placed is None or placed.method != "exact":
        name = store.scalar("SELECT name FROM documents WHERE id = ?", (document_id,))
        raise TextChanged(
            f"{name}: the text changed since it was read (another process imported a new version) and "
            "the passage is no longer there as it was; nothing was saved. Open the document again and "
            "select the passage in the new text."
        )
    return placed.start, placed.end


def new_coding_row(
    store: Store, coder: str, document_id: int, theme_id: str, start: int, end: int, memo: str, text: str
) -> dict[str, Any]:
    before, after = context(text, start, end)
    stamp = now()
    return {
        "coder": coder, "document_id": document_id, "theme_id": theme_id, "start": start, "end": end,
        "quote": text[start:end], "before": before, "after": after, "memo": memo,
        "detached": 0, "created_at": stamp, "updated_at": stamp,
    }


def add_coding(
    store: Store,
    coder: str,
    document_id: int,
    theme_id: str,
    start: int,
    end: int,
    memo: str = "",
    *,
    allow_consensus: bool = False,
    seen: TextSeen | None = None,
) -> Coding:
    """Code ``[start, end)`` of a document with a theme. Coding it again is a no-op.

    With ``seen``, the document's text is checked in the same transaction (see :class:`TextSeen`).
    """
    check_coder(coder, allow_consensus=allow_consensus)
    theme = store.themes.get(theme_id)
    if theme.archived:
        raise InputError(f"theme {theme_id!r} is archived; choose a current theme.")
    with store.write() as conn:
        text, start, end = _against(store, document_id, start, end, seen)
        existing = conn.execute(
            'SELECT id FROM codings WHERE coder = ? AND document_id = ? AND theme_id = ? AND start = ? AND "end" = ?',
            (coder, document_id, theme_id, start, end),
        ).fetchone()
        if existing:
            return store.codings.get(int(existing[0]))
        store.ensure_coder(coder)
        row = new_coding_row(store, coder, document_id, theme_id, start, end, memo, text)
        row["id"] = store.codings.insert(row)
        store.log(coder, "coding.add", {"coding": row})
    return store.codings.get(row["id"])


def code_whole(store: Store, coder: str, document_ids: list[int], theme_id: str, *,
               how: str = "answers") -> batch.BatchResult:
    """Code each document (a survey answer), whole, with a theme: one action, one undo.

    Answers this coder has already coded so are left as they are.
    """
    check_coder(coder)
    theme = store.themes.get(theme_id)
    if theme.archived:
        raise InputError(f"theme {theme_id!r} is archived; choose a current theme.")
    texts = batch.texts_of(store, document_ids)
    spans = [batch.Span(doc, 0, len(texts[doc])) for doc in dict.fromkeys(document_ids) if texts.get(doc)]
    return batch.add_many(store, coder, theme_id, spans, how=how, texts=texts)


def uncode_whole(store: Store, coder: str, document_ids: list[int], theme_id: str) -> batch.BatchResult:
    """Remove this coder's codings of a theme from these documents: one action, one undo."""
    check_coder(coder, allow_consensus=True)
    wanted = set(document_ids)
    found = [c for c in store.codings.list(coder=coder, theme_ids=[theme_id]) if c.document_id in wanted]
    return batch.remove_many(store, coder, found, how="answers", details={"theme": theme_id})


def _owned(store: Store, coder: str, coding_id: int, verb: str, as_owner: bool) -> Coding:
    """The coding as it is now (inside the write), if ``coder`` may change it."""
    coding = store.codings.find(coding_id)
    if coding is None:
        raise InputError(
            f"coding {coding_id} is not in the project (removed by another coder or process?); "
            "'framework code list' shows the codings there are."
        )
    if coding.coder != coder and not as_owner:
        raise NotYours(coding, verb)
    return coding


def _on_behalf(coder: str, coding: Coding) -> dict[str, Any]:
    """What the log adds when a coder acts on another coder's coding."""
    return {"owner": coding.coder, "as_owner": True} if coding.coder != coder else {}


def remove_coding(store: Store, coder: str, coding_id: int, *, as_owner: bool = False) -> Coding:
    """Remove one coding; the action log keeps it so undo can bring it back.

    Another coder's coding is removed only ``as_owner`` (and the log says so).
    """
    with store.write():
        coding = _owned(store, coder, coding_id, "remove", as_owner)
        store.codings.delete(coding_id)
        store.log(coder, "coding.remove", {"coding": coding_row(coding), **_on_behalf(coder, coding)})
    return coding


def update_coding(
    store: Store,
    coder: str,
    coding_id: int,
    *,
    theme_id: str | None = None,
    start: int | None = None,
    end: int | None = None,
    memo: str | None = None,
    as_owner: bool = False,
    seen: TextSeen | None = None,
) -> Coding:
    """Change a coding's theme, boundaries or memo (one action).

    Another coder's coding is changed only ``as_owner``; new boundaries chosen in a text
    that has changed since are checked as :func:`add_coding` checks them (``seen``).
    """
    if theme_id is not None and store.themes.get(theme_id).archived:
        raise InputError(f"theme {theme_id!r} is archived; choose a current theme.")
    with store.write():
        old = _owned(store, coder, coding_id, "change", as_owner)
        changes: dict[str, Any] = {}
        if theme_id is not None and theme_id != old.theme_id:
            changes["theme_id"] = theme_id
        if start is not None or end is not None:
            new_start = old.start if start is None else start
            new_end = old.end if end is None else end
            if (new_start, new_end) != (old.start, old.end) or seen is not None:
                text, new_start, new_end = _against(store, old.document_id, new_start, new_end, seen)
            if (new_start, new_end) != (old.start, old.end):
                before, after = context(text, new_start, new_end)
                changes.update(start=new_start, end=new_end, quote=text[new_start:new_end],
                               before=before, after=after, detached=0)
        if memo is not None and memo != old.memo:
            changes["memo"] = memo
        if not changes:
            return old
        if {"theme_id", "start"} & changes.keys():
            _refuse_duplicate(store, old, changes)
        previous = {k: getattr(old, k) for k in changes}
        if "detached" in previous:
            previous["detached"] = int(old.detached)
        changes["updated_at"] = now()
        previous["updated_at"] = old.updated_at
        store.codings.update(coding_id, changes)
        store.log(coder, "coding.update", {"id": coding_id, "before": previous, "after": changes,
                                           **_on_behalf(coder, old)})
    return store.codings.get(coding_id)


def _refuse_duplicate(store: Store, old: Coding, changes: dict[str, Any]) -> None:
    """Refuse a change that would make a coding identical to another of the same coder's."""
    theme_id = changes.get("theme_id", old.theme_id)
    start, end = changes.get("start", old.start), changes.get("end", old.end)
    twin = store.conn.execute(
        'SELECT id FROM codings WHERE coder = ? AND document_id = ? AND theme_id = ? AND start = ? AND "end" = ?'
        " AND id != ?",
        (old.coder, old.document_id, theme_id, start, end, old.id),
    ).fetchone()
    if twin:
        raise InputError(
            f"{old.coder} has already coded this passage ({start}-{end}) with theme {theme_id!r} "
            f"(coding {twin[0]}); nothing was changed. Remove one of the two codings instead."
        )


class CellChanged(InputError):
    """A cell's summary was changed by someone else since the writer read it; nothing was saved.

    ``current`` is the cell as it is now (their summary, who and when).
    """

    def __init__(self, message: str, current: ChartCell) -> None:
        super().__init__(message)
        self.current = current


def set_cell(
    store: Store, coder: str, case_id: int, theme_id: str, layer: str, *, summary: str | None = None,
    status: str | None = None, seen: str | None = None,
) -> ChartCell:
    """Write a chart cell's summary and/or status (one undoable action).

    ``seen`` is the summary the writer last read: if the cell holds another one now (written
    meanwhile by another process) and not the new one, nothing is saved and
    :class:`CellChanged` carries the cell as it is, checked in the same transaction.
    """
    with store.write():
        old = store.cells.find(case_id, theme_id, layer)
        if seen is not None and (old.summary if old else "") not in (seen, summary):
            _refuse_changed(store, old or ChartCell(case_id, theme_id, layer, "", "empty", now(), "someone"))
        new_summary = summary if summary is not None else (old.summary if old else "")
        new_status = status if status is not None else (old.status if old else ("draft" if new_summary else "empty"))
        if old is None and new_status == "empty" and new_summary:
            new_status = "draft"
        cell = ChartCell(case_id, theme_id, layer, new_summary, new_status, now(), coder)
        store.cells.put(cell)
        store.log(coder, "cell.update", {
            "before": _cell_json(old) if old else None,
            "after": _cell_json(cell),
        })
    return cell


def _refuse_changed(store: Store, current: ChartCell) -> None:
    case = store.scalar("SELECT name FROM cases WHERE id = ?", (current.case_id,)) or f"case {current.case_id}"
    raise CellChanged(
        f"{case} x {current.theme_id} ({current.layer}): {current.updated_by} changed this summary at "
        f"{local_time(current.updated_at)} since you read it; yours was not saved. Keep yours, take theirs or "
        "put both together.", current)


def local_time(stamp: str) -> str:
    """``14:03``: a stored UTC time stamp as the local time of day."""
    try:
        return dt.datetime.fromisoformat(stamp).astimezone().strftime("%H:%M")
    except ValueError:
        return stamp


def _cell_json(cell: ChartCell) -> dict[str, Any]:
    return {"case_id": cell.case_id, "theme_id": cell.theme_id, "layer": cell.layer,
            "summary": cell.summary, "status": cell.status, "updated_at": cell.updated_at,
            "updated_by": cell.updated_by}


# -- undo / redo -------------------------------------------------------------------------


@dataclass(frozen=True)
class History:
    """A coder's undo and redo stacks, derived from the action log."""

    done: list[tuple[int, str, dict[str, Any]]]
    undone: list[tuple[int, str, dict[str, Any]]]


def history(store: Store, coder: str) -> History:
    """Undoable actions are the kinds in ``UNDOABLE`` and any action that saved a change set
    (see :mod:`framework.store.changes`)."""
    kinds = (*UNDOABLE, "undo", "redo")
    rows = store.query(
        f"SELECT id, kind, payload FROM actions WHERE coder = ? AND (kind IN ({','.join('?' * len(kinds))}) "
        "OR json_extract(payload, '$.changeset') IS NOT NULL) ORDER BY id",
        (coder, *kinds),
    )
    done: list[tuple[int, str, dict[str, Any]]] = []
    undone: list[tuple[int, str, dict[str, Any]]] = []
    for r in rows:
        kind = r["kind"]
        if kind not in ("undo", "redo"):
            done.append((r["id"], kind, json.loads(r["payload"])))
            undone.clear()
        elif kind == "undo" and done:
            undone.append(done.pop())
        elif kind == "redo" and undone:
            done.append(undone.pop())
    return History(done, undone)


def _apply(store: Store, kind: str, payload: dict[str, Any], *, reverse: bool) -> None:
    conn = store.conn
    if "changeset" in payload:
        changes.apply(store, int(payload["changeset"]), reverse=reverse)
    elif kind in ("coding.add", "coding.remove"):
        row = payload["coding"]
        insert = (kind == "coding.remove") == reverse
        if insert:
            exists = conn.execute("SELECT 1 FROM codings WHERE id = ?", (row["id"],)).fetchone()
            if not exists:
                store.ensure_coder(row["coder"])
                store.codings.insert(row)
                _refit(store, row["id"])
        else:
            store.codings.delete(row["id"])
    elif kind == "coding.update":
        values = payload["before"] if reverse else payload["after"]
        store.codings.update(payload["id"], values)
        if "start" in values or "end" in values:
            _refit(store, payload["id"])
    elif kind in batch.KINDS:
        batch.apply(store, kind, payload, reverse=reverse)
    elif kind == "cell.update":
        cell = payload["before"] if reverse else payload["after"]
        if cell is None:
            after = payload["after"]
            conn.execute(
                "DELETE FROM chart_cells WHERE case_id = ? AND theme_id = ? AND layer = ?",
                (after["case_id"], after["theme_id"], after["layer"]),
            )
        else:
            store.cells.put(ChartCell(**cell))


def _refit(store: Store, coding_id: int) -> None:
    """A coding brought back by undo or redo sits on its own words, even if the text changed since.

    If the text at its offsets is no longer its quote, it is placed again by its quote and
    context, or kept detached when that fails (as a re-import does).
    """
    from framework.coding.anchoring import locate

    row = store.conn.execute(
        'SELECT document_id, start, "end", quote, before, after FROM codings WHERE id = ?', (coding_id,)
    ).fetchone()
    if row is None:
        return
    document_id, start, end, quote, before, after = row
    text, _sha = _current(store, document_id)
    if text[start:end] == quote:
        return
    placed = locate(text, quote, before=before, after=after, hint=start)
    if placed is None:
        store.codings.update(coding_id, {"detached": 1})
        return
    new_before, new_after = context(text, placed.start, placed.end)
    store.codings.update(coding_id, {"start": placed.start, "end": placed.end, "quote": text[placed.start:placed.end],
                                     "before": new_before, "after": new_after, "detached": 0})


def _step(store: Store, coder: str, *, back: bool) -> tuple[str, dict[str, Any]] | None:
    """Undo (``back``) or redo one action of the coder, logged as such."""
    with store.write():
        state = history(store, coder)
        stack = state.done if back else state.undone
        if not stack:
            return None
        action_id, kind, payload = stack[-1]
        _apply(store, kind, payload, reverse=back)
        store.log(coder, "undo" if back else "redo", {"target": action_id, "kind": kind})
    return kind, payload


def undo(store: Store, coder: str) -> tuple[str, dict[str, Any]] | None:
    """Undo the coder's last action; returns what was undone, or None."""
    return _step(store, coder, back=True)


def redo(store: Store, coder: str) -> tuple[str, dict[str, Any]] | None:
    """Redo the coder's last undone action; returns what was redone, or None."""
    return _step(store, coder, back=False)


# -- saying what an action was -----------------------------------------------------------------


def describe_action(store: Store, kind: str, payload: dict[str, Any]) -> str:
    """What an undoable action did, in words, with the theme and where: ``adding 1.2 Agency
    staff to dir_london_01 L40-42``. Used to say what an undo or redo undid or redid; an
    action of a kind not known here is named by its kind, or by the words it was logged with
    (``described`` in its payload)."""
    if isinstance(payload.get("described"), str):
        return payload["described"]
    try:
        if kind in batch.KINDS:
            return batch.describe(kind, payload)
        if kind in ("coding.add", "coding.remove"):
            row = payload["coding"]
            where = _place(store, row["document_id"], row["start"], row["end"])
            theme = _theme_title(store, row["theme_id"])
            return f"adding {theme} to {where}" if kind == "coding.add" else f"removing {theme} from {where}"
        if kind == "coding.update":
            return _describe_update(store, payload)
        if kind == "cell.update":
            cell = payload.get("after") or payload.get("before") or {}
            case = store.scalar("SELECT name FROM cases WHERE id = ?", (cell["case_id"],)) or f"case {cell['case_id']}"
            return f"the summary of {case} x {_theme_title(store, cell['theme_id'])} ({cell['layer']}'s chart)"
    except (KeyError, TypeError, InputError):
        pass
    return kind.replace(".", " ")


def _describe_update(store: Store, payload: dict[str, Any]) -> str:
    coding = store.codings.find(int(payload["id"]))
    before, after = payload.get("before", {}), payload.get("after", {})
    if coding is None:
        return f"a change to coding {payload['id']}"
    where = _place(store, coding.document_id, coding.start, coding.end)
    theme = _theme_title(store, coding.theme_id)
    if "theme_id" in after:
        return f"changing {_theme_title(store, before['theme_id'])} to {_theme_title(store, after['theme_id'])} on {where}"
    if "start" in after or "end" in after:
        return f"the boundaries of {theme} on {where}"
    if "memo" in after:
        return f"the memo on {theme} at {where}"
    return f"a change to {theme} on {where}"


def _theme_title(store: Store, theme_id: str) -> str:
    theme = store.themes.find(theme_id)
    return f"{theme_id} {theme.label}" if theme is not None else str(theme_id)


def _place(store: Store, document_id: int, start: int, end: int) -> str:
    """``dir_london_01 L40-42``: the document and the lines of a passage."""
    name = store.scalar("SELECT name FROM documents WHERE id = ?", (document_id,))
    if name is None:
        return f"document {document_id}"
    starts = line_starts(store.documents.text(document_id))
    first, last = line_number(starts, start), line_number(starts, max(start, end - 1))
    return f"{name} L{first}" if first == last else f"{name} L{first}-{last}"
