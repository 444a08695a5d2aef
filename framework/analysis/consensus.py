"""Reviewing coders' disagreements and agreeing a consensus coding.

A *passage* is a stretch of a document where the listed coders' codings overlap
(chained: codings that overlap one another form one passage). Each passage has a
status: ``agree`` (every coder has exactly the same codings), ``only:<coder>`` (one
coder coded it, the others did not), ``theme`` (coders used different themes) or
``bounds`` (same themes, different boundaries). A decision on a passage writes the
chosen codings to the ``consensus`` layer, replacing any earlier decision there, and
records who decided, when, how and why.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from framework.coding.anchoring import context
from framework.errors import InputError
from framework.store import CONSENSUS, Coding, Store, now

CHOICES = ("accept", "both", "reject", "edit")


@dataclass(frozen=True)
class Decision:
    id: int
    choice: str
    result: list[tuple[int, int, str]]
    decided_by: str
    note: str
    at: str


@dataclass(frozen=True)
class Passage:
    """Overlapping codings of several coders in one document."""

    document_id: int
    document: str
    start: int
    end: int
    codings: dict[str, tuple[Coding, ...]]
    status: str
    decision: Decision | None = None

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.document_id, self.start, self.end)

    def spans(self, coder: str) -> list[tuple[int, int, str]]:
        return sorted((c.start, c.end, c.theme_id) for c in self.codings.get(coder, ()))


def _status(coders: list[str], by_coder: dict[str, tuple[Coding, ...]]) -> str:
    present = [c for c in coders if by_coder.get(c)]
    if len(present) == 1:
        return f"only:{present[0]}"
    spans = [sorted((k.start, k.end, k.theme_id) for k in by_coder.get(c, ())) for c in coders]
    if len(present) == len(coders) and all(s == spans[0] for s in spans):
        return "agree"
    themes = [sorted({t for _, _, t in s}) for s in spans]
    if len(present) == len(coders) and all(t == themes[0] for t in themes):
        return "bounds"
    return "theme"


def passages(store: Store, coders: list[str], document_id: int) -> list[Passage]:
    """Every passage of a document coded by any of ``coders``, with its decision."""
    if len(coders) < 2:
        raise InputError("review needs at least two coders, e.g. --coders alice,bob.")
    doc = store.documents.get(document_id)
    codings = sorted(
        (c for c in store.codings.list(coder=coders, document_id=document_id) if not c.detached),
        key=lambda c: (c.start, c.end),
    )
    decisions = _decisions(store, document_id, coders)
    out: list[Passage] = []
    group: list[Coding] = []
    end = -1
    for c in [*codings, None]:
        if c is not None and (not group or c.start < end):
            group.append(c)
            end = max(end, c.end)
            continue
        if group:
            by_coder: dict[str, tuple[Coding, ...]] = {}
            for k in group:
                by_coder[k.coder] = (*by_coder.get(k.coder, ()), k)
            start = min(k.start for k in group)
            out.append(Passage(document_id, doc.name, start, end, by_coder, _status(coders, by_coder),
                               decisions.get((start, end))))
        group, end = ([c], c.end) if c is not None else ([], -1)
    return out


def _decisions(store: Store, document_id: int, coders: list[str]) -> dict[tuple[int, int], Decision]:
    out = {}
    for r in store.query(
        'SELECT id, start, "end", choice, result, decided_by, note, at FROM decisions '
        "WHERE document_id = ? AND coders = ? ORDER BY id",
        (document_id, ",".join(sorted(coders))),
    ):
        out[(r["start"], r["end"])] = Decision(
            r["id"], r["choice"], [tuple(x) for x in json.loads(r["result"])], r["decided_by"], r["note"], r["at"]
        )
    return out


def decide(
    store: Store,
    decider: str,
    coders: list[str],
    passage: Passage,
    choice: str,
    *,
    accept: str | None = None,
    edited: list[tuple[int, int, str]] | None = None,
    note: str = "",
) -> Decision:
    """Settle a passage: accept one coder's codings, both (all), reject, or edit."""
    if choice not in CHOICES:
        raise InputError(f"a decision is one of {', '.join(CHOICES)}; got {choice!r}.")
    if choice == "accept":
        if accept not in coders:
            raise InputError(f"accept whose coding? name one of {', '.join(coders)}.")
        result = passage.spans(accept)
        label = f"accept:{accept}"
    elif choice == "both":
        result = sorted({s for c in coders for s in passage.spans(c)})
        label = "both"
    elif choice == "reject":
        result, label = [], "reject"
    else:
        if not edited:
            raise InputError("an edited decision needs at least one (start, end, theme).")
        result, label = sorted(edited), "edit"
    text = store.documents.text(passage.document_id)
    for start, end, theme_id in result:
        if not (0 <= start < end <= len(text)):
            raise InputError(f"{passage.document}: span {start}-{end} is outside the text.")
        if store.themes.find(theme_id) is None:
            raise InputError(f"no theme with id {theme_id!r}.")
    stamp = now()
    with store.write() as conn:
        store.ensure_coder(CONSENSUS)
        lo = min([passage.start, *(s for s, _, _ in result)])
        hi = max([passage.end, *(e for _, e, _ in result)])
        conn.execute(
            'DELETE FROM codings WHERE coder = ? AND document_id = ? AND start >= ? AND "end" <= ?',
            (CONSENSUS, passage.document_id, lo, hi),
        )
        memos = {(c.start, c.end, c.theme_id): c.memo for cs in passage.codings.values() for c in cs if c.memo}
        for start, end, theme_id in result:
            before, after = context(text, start, end)
            conn.execute(
                'INSERT OR IGNORE INTO codings(coder, document_id, theme_id, start, "end", quote, before, after, '
                "memo, detached, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,0,?,?)",
                (CONSENSUS, passage.document_id, theme_id, start, end, text[start:end], before, after,
                 memos.get((start, end, theme_id), ""), stamp, stamp),
            )
        cursor = conn.execute(
            'INSERT INTO decisions(document_id, start, "end", coders, choice, result, decided_by, note, at) '
            "VALUES (?,?,?,?,?,?,?,?,?)",
            (passage.document_id, passage.start, passage.end, ",".join(sorted(coders)), label,
             json.dumps(result), decider, note, stamp),
        )
        store.log(decider, "consensus.decide", {
            "document": passage.document, "start": passage.start, "end": passage.end, "choice": label,
            "result": result, "note": note,
        })
    return Decision(int(cursor.lastrowid), label, result, decider, note, stamp)


def accept_agreements(store: Store, decider: str, coders: list[str], document_ids: list[int] | None = None) -> int:
    """Accept every undecided passage on which all coders agree; returns how many."""
    ids = document_ids or [d.id for d in store.documents.list()]
    count = 0
    for document_id in ids:
        for p in passages(store, coders, document_id):
            if p.status == "agree" and p.decision is None:
                decide(store, decider, coders, p, "both", note="agreed by all coders")
                count += 1
    return count


@dataclass(frozen=True)
class Progress:
    decided: int
    remaining: int
    agreements: int

    @property
    def total(self) -> int:
        return self.decided + self.remaining


def progress(store: Store, coders: list[str], document_ids: list[int] | None = None) -> Progress:
    ids = document_ids or [d.id for d in store.documents.list()]
    decided = remaining = agree = 0
    for document_id in ids:
        for p in passages(store, coders, document_id):
            if p.decision is not None:
                decided += 1
            else:
                remaining += 1
                agree += p.status == "agree"
    return Progress(decided, remaining, agree)


def passage_json(p: Passage, coders: list[str]) -> dict[str, Any]:
    return {
        "document": p.document, "start": p.start, "end": p.end, "status": p.status,
        "codings": {c: [{"id": k.id, "start": k.start, "end": k.end, "theme": k.theme_id} for k in p.codings.get(c, ())]
                    for c in coders},
        "decision": None if p.decision is None else {
            "choice": p.decision.choice, "result": p.decision.result, "by": p.decision.decided_by,
            "note": p.decision.note, "at": p.decision.at},
    }
