"""Reviewing coders' disagreements and agreeing a consensus coding.

A *passage* is a stretch of a document where the listed coders' codings overlap
(chained: codings that overlap one another form one passage). Each passage has a
status: ``agree`` (every coder has exactly the same codings), ``only:<coders>`` (some
coders coded it, the others did not: ``only:alice``, or ``only:alice,bob`` of three),
``theme`` (coders used different themes) or ``bounds`` (the same themes, different
boundaries; a coder's several codings of one theme count as that theme once).

A decision on a passage writes the chosen codings to the ``consensus`` layer, replacing
what the consensus layer held there, and records who decided, when, how and why. Every
decision is one undoable action (its rows are kept, see :mod:`framework.store.changes`),
and a passage can go back to undecided (:func:`reopen`), which takes its consensus
codings away. Decisions are kept as a history: the latest for a passage counts.

A decision is made on a passage as it was shown. It is checked against the passage as it
is, in the same transaction as the write: if another process changed a coder's codings
there, imported a new version of the text (when the caller says which it read), or
another person decided the passage or took it back meanwhile, nothing is written and
:class:`PassageChanged` says what changed.

A decision records what it was made on: each coder's codings of the passage (coder,
start, end, theme; its *basis*). When a coder's codings there change afterwards (a
boundary moved, a theme changed, a coding removed or added), the decision is *changed
since decided* (:attr:`Passage.changed`): it is still shown, with what changed, but the
passage counts as remaining until it is decided again. A decision whose passage no
longer has its span (a boundary moved) goes with the passage now over its words.
Deciding such a passage again, or taking it back, replaces the old decision and its
consensus codings.

Progress counts the passages of the documents every compared coder has coded (those
agreement compares; see :func:`framework.analysis.compare.document_scope`): *decided*
passages have a decision made on the codings as they are, *remaining* ones do not
(agreements not yet accepted and decisions changed since included).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from framework.analysis.compare import document_scope
from framework.coding.anchoring import context
from framework.errors import InputError
from framework.store import CONSENSUS, Coding, Store, now
from framework.store.changes import ChangeSet, read_row
from framework.store.queries import line_number, line_starts

CHOICES = ("accept", "both", "reject", "edit")
GONE = "gone"
"""The status of a decided passage that no compared coder codes any more (its consensus codings stay)."""
REOPENED = "reopen"
"""The choice recorded when a passage goes back to undecided."""


Basis = tuple[tuple[str, int, int, str], ...]
"""Each coder's codings a decision was made on: (coder, start, end, theme), sorted."""


@dataclass(frozen=True)
class Decision:
    """The latest decision on a passage: the choice, the consensus spans written, who, why, when,
    the span decided and the codings it was made on."""

    id: int
    choice: str
    result: list[tuple[int, int, str]]
    decided_by: str
    note: str
    at: str
    span: tuple[int, int] = (-1, -1)
    basis: Basis = ()


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
    changed: tuple[str, ...] = ()
    """The coders whose codings here are not those the decision was made on (empty: none)."""

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.document_id, self.start, self.end)

    @property
    def decided(self) -> bool:
        """Decided, on the codings as they are (a decision changed since is not)."""
        return self.decision is not None and not self.changed

    @property
    def stale(self) -> bool:
        """Decided, but a coder's codings here changed since."""
        return self.decision is not None and bool(self.changed)

    def basis(self) -> Basis:
        """Each coder's codings of the passage as they are: what a decision now is made on."""
        return basis_of(self.codings)

    def spans(self, coder: str) -> list[tuple[int, int, str]]:
        return sorted((c.start, c.end, c.theme_id) for c in self.codings.get(coder, ()))


def fingerprint(p: Passage | None) -> tuple[Any, ...] | None:
    """What a decision on a passage rests on: its span, every coding in it and its decision."""
    if p is None:
        return None
    codings = tuple(sorted((coder, k.id, k.start, k.end, k.theme_id) for coder, ks in p.codings.items() for k in ks))
    return (p.key, codings, p.decision.id if p.decision else None)


class PassageChanged(InputError):
    """The passage is not as it was shown (changed by another process); nothing was written."""

def basis_of(codings: dict[str, tuple[Coding, ...]]) -> Basis:
    return tuple(sorted((coder, k.start, k.end, k.theme_id) for coder, ks in codings.items() for k in ks))


def changed_coders(coders: list[str], decision: Decision, codings: dict[str, tuple[Coding, ...]]) -> tuple[str, ...]:
    """The coders whose codings are not those the decision was made on."""
    now = basis_of(codings)
    return tuple(c for c in coders
                 if [b for b in decision.basis if b[0] == c] != [b for b in now if b[0] == c])


def status_of(coders: list[str], by_coder: dict[str, tuple[Coding, ...]]) -> str:
    """``agree``, ``only:<coders>``, ``bounds`` or ``theme`` (see the module's docstring)."""
    present = [c for c in coders if by_coder.get(c)]
    if len(present) < len(coders):
        return "only:" + ",".join(present)
    spans = [sorted((k.start, k.end, k.theme_id) for k in by_coder[c]) for c in coders]
    if all(s == spans[0] for s in spans):
        return "agree"
    themes = [{t for _, _, t in s} for s in spans]
    return "bounds" if all(t == themes[0] for t in themes) else "theme"


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
            out.append(Passage(document_id, doc.name, start, end, by_coder, status_of(coders, by_coder)))
        group, end = ([c], c.end) if c is not None else ([], -1)
    return _with_decisions(out, decisions, coders, doc.id, doc.name)


def _with_decisions(found: list[Passage], decisions: dict[tuple[int, int], Decision],
                    coders: list[str], document_id: int, document: str) -> list[Passage]:
    """Each passage with its decision: the one on its span, else the latest one whose span no
    passage has any more and which overlaps it (changed since decided, see the module's docstring).

    A decision that left consensus codings where no compared coder codes anything any more
    is a passage of its own, ``gone``, changed since decided: it is to be taken back."""
    spans = {(p.start, p.end) for p in found}
    moved = sorted((d for span, d in decisions.items() if span not in spans), key=lambda d: (d.at, d.id))
    out = []
    for p in found:
        decision = decisions.get((p.start, p.end))
        if decision is None:
            decision = next((d for d in reversed(moved) if d.span[0] < p.end and d.span[1] > p.start), None)
        if decision is not None:
            changed = changed_coders(coders, decision, p.codings)
            if not changed and decision.span != (p.start, p.end):
                changed = tuple(coders)
            p = replace(p, decision=decision, changed=changed)
        out.append(p)
    gone: list[Passage] = []
    for d in reversed(moved):  # the latest first: an older one under it is not shown again
        a, b = d.span
        if not d.result or any(p.start < b and p.end > a for p in [*found, *gone]):
            continue
        changed = tuple(c for c in coders if any(x[0] == c for x in d.basis)) or tuple(coders)
        gone.append(Passage(document_id, document, a, b, {}, GONE, d, changed))
    return sorted(out + gone, key=lambda p: (p.start, p.end)) if gone else out


def _decisions(store: Store, document_id: int, coders: list[str]) -> dict[tuple[int, int], Decision]:
    """The latest decision per passage span (a reopened passage has none)."""
    out: dict[tuple[int, int], Decision] = {}
    for r in store.query(
        'SELECT id, start, "end", choice, result, decided_by, note, at, basis FROM decisions '
        "WHERE document_id = ? AND coders = ? ORDER BY at, id",
        (document_id, ",".join(sorted(coders))),
    ):
        if r["choice"] == REOPENED:
            out.pop((r["start"], r["end"]), None)
            continue
        basis = tuple(sorted((str(c), int(a), int(b), str(t)) for c, a, b, t in json.loads(r["basis"] or "[]")))
        out[(r["start"], r["end"])] = Decision(
            r["id"], r["choice"], [tuple(x) for x in json.loads(r["result"])], r["decided_by"], r["note"], r["at"],
            (r["start"], r["end"]), basis,
        )
    return out


def change_lines(p: Passage, text: str) -> list[str]:
    """What changed since a passage was decided, a line per coder: ``bob: 1.2 L4-5 (was 1.2 L4)``."""
    if not p.stale or p.decision is None:
        return []
    starts = line_starts(text)

    def spans(items: list[tuple[int, int, str]], words: bool) -> str:
        def lines(a: int, b: int) -> str:
            first, last = line_number(starts, a), line_number(starts, max(a, b - 1))
            ref = f"L{first}" + (f"-{last}" if last != first else "")
            if not words:
                return ref
            quote = " ".join(text[a:b].split())
            return f"{ref} “{quote if len(quote) <= 40 else quote[:39] + '…'}”"
        return ", ".join(f"{t} {lines(a, b)}" for a, b, t in items) or "not coded"

    out = []
    for coder in p.changed:
        was = [(a, b, t) for c, a, b, t in p.decision.basis if c == coder]
        now = p.spans(coder)
        if was != now:
            words = spans(now, False) == spans(was, False)  # the same lines: say which words
            out.append(f"{coder}: {spans(now, words)} (was {spans(was, words)})")
    return out or [f"the passage's span changed (was {p.decision.span[0]}-{p.decision.span[1]})"]


def where(passage: Passage, text: str) -> str:
    """``dir_london_01 L40-42``: a passage's document and lines."""
    starts = line_starts(text)
    first, last = line_number(starts, passage.start), line_number(starts, max(passage.start, passage.end - 1))
    return f"{passage.document} L{first}" + (f"-{last}" if last != first else "")


def union_by_theme(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Per theme, overlapping or touching spans made one: every coder's coding as one span."""
    out: list[tuple[int, int, str]] = []
    for theme in sorted({t for _, _, t in spans}):
        merged: list[list[int]] = []
        for start, end, _ in sorted(s for s in spans if s[2] == theme):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        out.extend((a, b, theme) for a, b in merged)
    return sorted(out)


def _result(passage: Passage, coders: list[str], choice: str, accept: str | None,
            edited: list[tuple[int, int, str]] | None) -> tuple[list[tuple[int, int, str]], str]:
    if choice not in CHOICES:
        raise InputError(f"a decision is one of {', '.join(CHOICES)}; got {choice!r}.")
    if choice == "accept":
        if accept not in coders:
            raise InputError(f"accept whose coding? name one of {', '.join(coders)}.")
        return passage.spans(accept), f"accept:{accept}"
    if choice == "both":
        return union_by_theme([s for c in coders for s in passage.spans(c)]), "both"
    if choice == "reject":
        return [], "reject"
    if not edited:
        raise InputError("an edited decision needs at least one (start, end, theme).")
    return sorted(edited), "edit"


def _check(store: Store, passage: Passage, result: list[tuple[int, int, str]]) -> str:
    text = store.documents.text(passage.document_id)
    for start, end, theme_id in result:
        if not (0 <= start < end <= len(text)):
            raise InputError(f"{passage.document}: span {start}-{end} is outside the text.")
        if store.themes.find(theme_id) is None:
            raise InputError(f"no theme with id {theme_id!r}.")
    return text


def _clear(store: Store, passage: Passage, spans: list[tuple[int, int, str]], changes: ChangeSet) -> None:
    """Take away the consensus codings inside the passage (and inside ``spans``, and the span and
    result of the decision it had), noting them."""
    old = passage.decision
    edges = [(passage.start, passage.end), *((s, e) for s, e, _ in spans)]
    if old is not None:
        edges += [old.span, *((s, e) for s, e, _ in old.result)]
    lo = min(s for s, _ in edges if s >= 0)
    hi = max(e for _, e in edges)
    for (coding_id,) in store.conn.execute(
        'SELECT id FROM codings WHERE coder = ? AND document_id = ? AND start >= ? AND "end" <= ?',
        (CONSENSUS, passage.document_id, lo, hi),
    ).fetchall():
        row = read_row(store, "codings", {"id": coding_id})
        assert row is not None
        changes.deleted("codings", row)
        store.conn.execute("DELETE FROM codings WHERE id = ?", (coding_id,))


def _record(store: Store, passage: Passage, coders: list[str], label: str, result: list[tuple[int, int, str]],
            decider: str, note: str, stamp: str, changes: ChangeSet) -> int:
    """Insert a decision on the passage (with what it is made on), or take one back (``reopen``).

    A decision the passage had on another span (its boundaries moved since) is taken back
    on that span too, so that it never comes back as the decision of a passage there.
    """
    old = passage.decision
    if old is not None and old.span != (passage.start, passage.end) and old.span[0] >= 0:
        _insert(store, passage.document_id, old.span, coders, REOPENED, [], decider, "", stamp, (), changes)
        if label == REOPENED:
            return 0
    basis = passage.basis() if label != REOPENED else ()
    return _insert(store, passage.document_id, (passage.start, passage.end), coders, label, result, decider, note,
                   stamp, basis, changes)


def _insert(store: Store, document_id: int, span: tuple[int, int], coders: list[str], label: str,
            result: list[tuple[int, int, str]], decider: str, note: str, stamp: str, basis: Basis,
            changes: ChangeSet) -> int:
    cursor = store.conn.execute(
        'INSERT INTO decisions(document_id, start, "end", coders, choice, result, decided_by, note, at, basis) '
        "VALUES (?,?,?,?,?,?,?,?,?,?)",
        (document_id, span[0], span[1], ",".join(sorted(coders)), label, json.dumps(result), decider, note, stamp,
         json.dumps([list(b) for b in basis]) if label != REOPENED else None),
    )
    changes.inserted("decisions", {"id": int(cursor.lastrowid)})
    return int(cursor.lastrowid)


def _write_decision(store: Store, decider: str, coders: list[str], passage: Passage, label: str,
                    result: list[tuple[int, int, str]], note: str, text: str, stamp: str,
                    changes: ChangeSet) -> Decision:
    """The consensus codings and the decision of one passage (inside a write)."""
    store.ensure_coder(CONSENSUS)
    _clear(store, passage, result, changes)
    memos = {(c.start, c.end, c.theme_id): c.memo for cs in passage.codings.values() for c in cs if c.memo}
    for start, end, theme_id in result:
        before, after = context(text, start, end)
        cursor = store.conn.execute(
            'INSERT OR IGNORE INTO codings(coder, document_id, theme_id, start, "end", quote, before, after, '
            "memo, detached, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,0,?,?)",
            (CONSENSUS, passage.document_id, theme_id, start, end, text[start:end], before, after,
             memos.get((start, end, theme_id), ""), stamp, stamp),
        )
        if cursor.rowcount:
            changes.inserted("codings", {"id": int(cursor.lastrowid)})
    decision_id = _record(store, passage, coders, label, result, decider, note, stamp, changes)
    return Decision(decision_id, label, result, decider, note, stamp, (passage.start, passage.end), passage.basis())


def _latest_by(store: Store, passage: Passage, coders: list[str]) -> str:
    """Who made the latest decision (or took it back) on the passage's span."""
    return str(store.scalar(
        'SELECT decided_by FROM decisions WHERE document_id = ? AND start = ? AND "end" = ? AND coders = ? '
        "ORDER BY at DESC, id DESC LIMIT 1",
        (passage.document_id, passage.start, passage.end, ",".join(sorted(coders)))) or "someone")


def _changed_coders(store: Store, passage: Passage, coders: list[str]) -> list[str]:
    """The coders whose codings over the passage's span are not those shown."""
    changed = []
    for coder in coders:
        shown = sorted((k.id, k.start, k.end, k.theme_id) for k in passage.codings.get(coder, ()))
        found = store.codings.list(coder=coder, document_id=passage.document_id)
        current = sorted((k.id, k.start, k.end, k.theme_id) for k in found
                         if not k.detached and k.start < passage.end and k.end > passage.start)
        if current != shown:
            changed.append(coder)
    return changed


def as_it_is(store: Store, decider: str, coders: list[str], passage: Passage,
             seen_sha256: str | None = None) -> tuple[Passage, str]:
    """Inside a write: the passage as it is now and the document's text, or :class:`PassageChanged`.

    Refused when the document is gone, its text is not the one read (``seen_sha256``), a
    coder's codings of the passage changed, or another person decided it or took it back
    since it was read. A decision changed by ``decider`` (a quick second key) is no change.
    """
    row = store.conn.execute("SELECT text, sha256 FROM documents WHERE id = ?", (passage.document_id,)).fetchone()
    if row is None:
        raise PassageChanged(f"{passage.document} was removed from the project by another process; nothing was "
                             "decided.")
    text, sha = str(row[0]), str(row[1])
    if seen_sha256 is not None and sha != seen_sha256:
        raise PassageChanged(f"{passage.document}: the text changed since it was read (another process imported a "
                             "new version); nothing was decided. Look at the passage in the new text and decide again.")
    current = next((p for p in passages(store, coders, passage.document_id) if p.key == passage.key), None)
    place = where(passage, text)
    if current is None or fingerprint(replace(current, decision=None)) != fingerprint(replace(passage, decision=None)):
        who = _changed_coders(store, passage, coders) or coders
        raise PassageChanged(f"{place}: {', '.join(who)}'s codings of this passage changed since it was read "
                             "(another coder or process changed them); nothing was decided. Look at the passage as "
                             "it is now and decide again.")
    if fingerprint(current) != fingerprint(passage):
        by = _latest_by(store, passage, coders)
        if by != decider:
            did = f"decided it ({current.decision.choice})" if current.decision else "took it back to undecided"
            raise PassageChanged(f"{place}: {by} {did} since it was read; nothing was decided. Look at the "
                                 "passage as it is now and decide again to change it.")
    return current, text


def _refuse_gone(passage: Passage) -> None:
    if passage.status == GONE:
        raise InputError(f"{passage.document} [{passage.start}-{passage.end}]: no compared coder codes this passage "
                         "any more, so there is nothing to decide; take the decision back (backspace in Review, or "
                         "consensus reopen) to remove its consensus codings.")


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
    seen_sha256: str | None = None,
) -> Decision:
    """Settle a passage: accept one coder's codings, both (all), reject, or edit. One undoable action.

    The passage is checked as it is now, in the same transaction (see :func:`as_it_is`).
    """
    _result(passage, coders, choice, accept, edited)  # a wrong choice is refused before anything is read
    stamp = now()
    _refuse_gone(passage)
    with store.write():
        passage, _text = as_it_is(store, decider, coders, passage, seen_sha256)
        _refuse_gone(passage)
        result, label = _result(passage, coders, choice, accept, edited)
        text = _check(store, passage, result)
        changes = ChangeSet()
        decision = _write_decision(store, decider, coders, passage, label, result, note, text, stamp, changes)
        store.log(decider, "consensus.decide", {
            "document": passage.document, "start": passage.start, "end": passage.end, "choice": label,
            "result": result, "note": note, "changeset": changes.save(store),
            "described": f"the decision ({label}) on {where(passage, text)}",
        })
    return decision


def reopen(store: Store, decider: str, coders: list[str], passage: Passage, *, seen_sha256: str | None = None) -> None:
    """Take a passage back to undecided: its consensus codings go, the decision stays in the history.

    The passage is checked as it is now, in the same transaction (see :func:`as_it_is`).
    """
    if passage.decision is None:
        raise InputError(f"{passage.document} [{passage.start}-{passage.end}] has no decision to take back.")
    stamp = now()
    with store.write():
        passage, text = as_it_is(store, decider, coders, passage, seen_sha256)
        if passage.decision is None:
            raise InputError(f"{where(passage, text)} is already undecided; nothing was changed.")
        changes = ChangeSet()
        _clear(store, passage, passage.decision.result, changes)
        _record(store, passage, coders, REOPENED, [], decider, "", stamp, changes)
        store.log(decider, "consensus.reopen", {
            "document": passage.document, "start": passage.start, "end": passage.end,
            "was": passage.decision.choice, "changeset": changes.save(store),
            "described": f"taking {where(passage, text)} back to undecided",
        })


def accept_agreements(store: Store, decider: str, coders: list[str], document_ids: list[int] | None = None) -> int:
    """Accept every undecided passage on which all coders agree (one undoable action); returns how many."""
    ids = document_ids if document_ids is not None else [d.id for d in document_scope(store, coders).documents]
    stamp = now()
    count = 0
    with store.write():
        changes = ChangeSet()
        for document_id in ids:
            text = store.documents.text(document_id)
            for p in passages(store, coders, document_id):
                if p.status == "agree" and not p.decided:
                    result, label = _result(p, coders, "both", None, None)
                    _write_decision(store, decider, coders, p, label, result, "agreed by all coders", text, stamp,
                                    changes)
                    count += 1
        if count:
            store.log(decider, "consensus.accept", {"coders": coders, "accepted": count,
                                                    "changeset": changes.save(store),
                                                    "described": f"accepting {count} agreed passages"})
    return count


@dataclass(frozen=True)
class Progress:
    """Passages decided and remaining (agreements among them) in the documents compared."""

    decided: int
    remaining: int
    agreements: int
    documents: int = 0
    changed: tuple[Passage, ...] = ()
    """The passages whose decision was made on codings that changed since (counted as remaining)."""

    @property
    def total(self) -> int:
        return self.decided + self.remaining


def tally(found: list[Passage]) -> tuple[int, int, int]:
    """(decided, remaining, agreements among the remaining) of some passages; a decision
    changed since it was made counts as remaining."""
    decided = sum(p.decided for p in found)
    agree = sum(not p.decided and p.status == "agree" for p in found)
    return decided, len(found) - decided, agree


def progress(store: Store, coders: list[str], document_ids: list[int] | None = None) -> Progress:
    """Progress over the documents given, else over those every coder coded (see the module's docstring)."""
    ids = document_ids if document_ids is not None else [d.id for d in document_scope(store, coders).documents]
    decided = remaining = agree = 0
    changed: list[Passage] = []
    for document_id in ids:
        found = passages(store, coders, document_id)
        d, r, a = tally(found)
        decided, remaining, agree = decided + d, remaining + r, agree + a
        changed += [p for p in found if p.stale]
    return Progress(decided, remaining, agree, len(ids), tuple(changed))


def passage_json(p: Passage, coders: list[str]) -> dict[str, Any]:
    return {
        "document": p.document, "start": p.start, "end": p.end, "status": p.status,
        "codings": {c: [{"id": k.id, "start": k.start, "end": k.end, "theme": k.theme_id} for k in p.codings.get(c, ())]
                    for c in coders},
        "decision": None if p.decision is None else {
            "choice": p.decision.choice, "result": p.decision.result, "by": p.decision.decided_by,
            "note": p.decision.note, "at": p.decision.at, "changed_since": list(p.changed),
            "made_on": {c: [[a, b, t] for k, a, b, t in p.decision.basis if k == c] for c in coders}},
    }
