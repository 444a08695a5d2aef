"""Making one coder's layer here equal to that coder's layer in another copy.

A coder's file (or the other copy itself, for a merge) is that coder's state. :func:`plan`
compares it with the coder's codings here and works out the difference: codings to add,
codings the coder removed in their copy, codings changed there (theme, boundaries, memo),
and codings made here that their copy never had. Nothing is written; :func:`apply` then
writes a plan in the caller's transaction, noting every row in a change set so the whole
import is one undoable action.

Codings are matched by their ``uid`` (kept by every copy), else by where they fall and
their theme (copies built apart from the same files). A coding removed in the other copy
is known by its uid in the file's ``removed`` list. Every incoming coding is placed in this
copy's own text: at its offsets if its quote is there verbatim, else by its quote and
context (:func:`framework.coding.anchoring.locate`); one that cannot be placed is kept,
detached, and listed. Codings made here and not in the other copy are kept and listed
(unless ``remove_missing``). In a merge, the newer version of a coding wins; versions of
the same moment are settled by a rule both copies apply alike (:func:`_ours_wins_tie`), so
merging each way leaves nothing to bring.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from framework.coding.anchoring import context, locate
from framework.store import ChartCell, Coding, Document, Store, now
from framework.store.changes import ChangeSet, read_row
from framework.store.queries import line_starts
from framework.store.repo import coding_row

LISTED = 50
"""Added codings listed one by one in a summary (the others are counted)."""
ASIDE = 1 << 40
"""Where a coding that moves waits while the others move (past the end of any text)."""


@dataclass(frozen=True)
class Item:
    """One coding as a summary names it: where, which theme, its words, and what happened."""

    document: str
    lines: str
    theme: str
    quote: str
    note: str = ""
    uid: str = ""

    def text(self) -> str:
        words = " ".join(self.quote.split())
        if len(words) > 70:
            words = words[:45] + " … " + words[-20:]
        where = f"{self.document} {self.lines}".strip()
        return f"{where}  {self.theme}  “{words}”" + (f"  ({self.note})" if self.note else "")

    def as_json(self) -> dict[str, Any]:
        return {"document": self.document, "lines": self.lines, "theme": self.theme, "quote": self.quote,
                "note": self.note, "uid": self.uid}


@dataclass
class Change:
    """An existing coding and the values it takes (``silent``: only its context or uid)."""

    coding: Coding
    values: dict[str, Any]
    item: Item
    silent: bool = False


@dataclass
class CoderPlan:
    """The difference between a coder's layer here and in their copy, and what to do about it."""

    coder: str
    source: str = ""
    remove_missing: bool = False
    added: list[tuple[dict[str, Any], Item]] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    removed: list[tuple[Coding, Item]] = field(default_factory=list)
    extra: list[tuple[Coding, Item]] = field(default_factory=list)
    detached: list[Item] = field(default_factory=list)
    placed: list[Item] = field(default_factory=list)
    duplicates: list[Item] = field(default_factory=list)
    missing_documents: list[str] = field(default_factory=list)
    cells: list[tuple[ChartCell | None, ChartCell]] = field(default_factory=list)
    newer_cells: list[str] = field(default_factory=list)
    kept_newer: list[Item] = field(default_factory=list)
    """Codings changed (or removed) here after their copy's version: kept as they are here."""
    unchanged: int = 0

    @property
    def visible_changes(self) -> list[Change]:
        return [c for c in self.changed if not c.silent]

    @property
    def any(self) -> bool:
        """Whether applying the plan writes anything."""
        return bool(self.added or self.changed or self.removed or self.cells
                    or (self.remove_missing and self.extra))

    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "removed": len(self.removed) + (len(self.extra) if self.remove_missing else 0),
                "changed": len(self.visible_changes), "detached": len(self.detached), "unchanged": self.unchanged,
                "kept": 0 if self.remove_missing else len(self.extra), "cells": len(self.cells),
                "placed": len(self.placed), "not_here": len(self.missing_documents),
                "kept_newer": len(self.kept_newer)}

    def summary(self, *, dry_run: bool = False) -> list[str]:
        """The counts on one line, then every difference on its own line."""
        n = self.counts()
        would = "would be " if dry_run else ""
        head = (f"{self.coder}: {n['added']} {would}added, {n['removed']} {would}removed, {n['changed']} {would}changed, "
                f"{n['detached']} detached; {n['unchanged']} unchanged")
        if n["kept"]:
            head += f"; {n['kept']} kept that are not in their copy (--remove-missing removes them)"
        if self.kept_newer:
            head += f"; {len(self.kept_newer)} kept as here (changed here later)"
        if self.cells:
            head += f"; {len(self.cells)} chart summaries {would}updated"
        lines = [head]
        lines += [f"  added     {item.text()}" for _, item in self.added[:LISTED]]
        if len(self.added) > LISTED:
            lines.append(f"  added     … and {len(self.added) - LISTED} more (--json lists every one)")
        lines += [f"  removed   {item.text()}" for _, item in self.removed]
        lines += [f"  changed   {change.item.text()}" for change in self.visible_changes]
        if self.remove_missing:
            lines += [f"  removed   {item.text()}" for _, item in self.extra]
        else:
            lines += [f"  kept      {item.text()}" for _, item in self.extra]
        lines += [f"  kept      {item.text()}" for item in self.kept_newer]
        lines += [f"  detached  {item.text()}" for item in self.detached]
        lines += [f"  placed    {item.text()}" for item in self.placed]
        lines += [f"  same as another coding, not added: {item.text()}" for item in self.duplicates]
        lines += [f"  not here  {line}" for line in self.missing_documents]
        lines += [f"  summary kept (newer here): {line}" for line in self.newer_cells]
        return lines

    def as_json(self) -> dict[str, Any]:
        return {
            "coder": self.coder, "counts": self.counts(),
            "added": [i.as_json() for _, i in self.added],
            "removed": [i.as_json() for _, i in self.removed] + ([i.as_json() for _, i in self.extra]
                                                                  if self.remove_missing else []),
            "changed": [c.item.as_json() for c in self.visible_changes],
            "kept": [] if self.remove_missing else [i.as_json() for _, i in self.extra],
            "kept_newer": [i.as_json() for i in self.kept_newer],
            "detached": [i.as_json() for i in self.detached],
            "placed": [i.as_json() for i in self.placed],
            "duplicates": [i.as_json() for i in self.duplicates],
            "missing_documents": list(self.missing_documents),
            "newer_cells_kept": list(self.newer_cells),
        }


class Texts:
    """This copy's documents, matched to another copy's by content hash then by name, with
    their texts and line starts read once."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.by_sha: dict[str, list[Document]] = {}
        self.by_name: dict[str, Document] = {}
        for d in store.documents.list():
            self.by_sha.setdefault(d.sha256, []).append(d)
            self.by_name[d.name] = d
        self.by_id = {d.id: d for d in self.by_name.values()}
        self._texts: dict[int, str] = {}
        self._starts: dict[int, list[int]] = {}

    def find(self, name: str, sha256: str = "") -> Document | None:
        candidates = self.by_sha.get(sha256, [])
        doc = next((d for d in candidates if d.name == name), None)
        return doc or self.by_name.get(name) or (candidates[0] if candidates else None)

    def text(self, document_id: int) -> str:
        text = self._texts.get(document_id)
        if text is None:
            text = self._texts[document_id] = self.store.documents.text(document_id)
        return text

    def lines(self, document_id: int, start: int, end: int, detached: bool = False) -> str:
        if detached:
            return "(detached)"
        starts = self._starts.get(document_id)
        if starts is None:
            starts = self._starts[document_id] = line_starts(self.text(document_id))
        first = bisect_right(starts, start)
        last = bisect_right(starts, max(start, end - 1))
        return f"L{first}" if first == last else f"L{first}-{last}"

    def item(self, coding: Coding, note: str = "") -> Item:
        return Item(coding.document, self.lines(coding.document_id, coding.start, coding.end, coding.detached),
                    coding.theme_id, coding.quote, note, coding.uid)


@dataclass(frozen=True)
class Placed:
    """Where an incoming coding falls in this copy's text."""

    start: int
    end: int
    quote: str
    before: str
    after: str
    detached: bool
    how: str
    """``same`` (its offsets), ``exact`` (its quote elsewhere), ``fuzzy`` (a near match) or ``detached``."""


def place(text: str, c: dict[str, Any], hint: int | None = None) -> Placed:
    """Place an incoming coding in this copy's text: its offsets, else its quote and context."""
    start, end, quote = int(c["start"]), int(c["end"]), c["quote"]
    before, after = c.get("before", ""), c.get("after", "")
    if 0 <= start < end <= len(text) and text[start:end] == quote and quote:
        b, a = context(text, start, end)
        return Placed(start, end, quote, b, a, False, "same")
    found = locate(text, quote, before=before, after=after, hint=start if hint is None else hint)
    if found is None:
        return Placed(start, end, quote, before, after, True, "detached")
    b, a = context(text, found.start, found.end)
    return Placed(found.start, found.end, text[found.start:found.end], b, a, False, found.method)


def _describe_change(old: Coding, values: dict[str, Any], texts: Texts) -> str:
    parts = []
    if "theme_id" in values:
        parts.append(f"theme {old.theme_id} → {values['theme_id']}")
    if "start" in values or "end" in values:
        was = texts.lines(old.document_id, old.start, old.end, old.detached)
        then = texts.lines(values.get("document_id", old.document_id), values.get("start", old.start),
                           values.get("end", old.end), bool(values.get("detached", old.detached)))
        parts.append(f"boundaries {was} → {then}" if was != then else "boundaries")
    elif "detached" in values:
        parts.append("placed again" if not values["detached"] else "detached")
    if "memo" in values:
        parts.append("memo")
    return ", ".join(parts) or "placement"


@dataclass
class _Entry:
    """An incoming coding: its document here, theme, placement and the coding here it is."""

    data: dict[str, Any]
    doc: Document
    theme: str
    placed: Placed
    existing: Coding | None = None

    @property
    def uid(self) -> str:
        return self.data.get("uid") or ""

    @property
    def key(self) -> tuple[int, str, int, int]:
        return (self.doc.id, self.theme, self.placed.start, self.placed.end)


class _Layer:
    """The coder's codings here, findable by uid, by place and theme, and by quote; which are matched."""

    def __init__(self, codings: Iterable[Coding]) -> None:
        self.all = list(codings)
        self.by_uid = {c.uid: c for c in self.all if c.uid}
        self.by_key = {(c.document_id, c.theme_id, c.start, c.end): c for c in self.all}
        self.by_quote: dict[tuple[int, str, str], list[Coding]] = {}
        for c in self.all:
            self.by_quote.setdefault((c.document_id, c.theme_id, c.quote), []).append(c)
        self.matched: set[int] = set()

    def free(self, c: Coding | None) -> Coding | None:
        return c if c is not None and c.id not in self.matched else None

    def take(self, c: Coding) -> Coding:
        self.matched.add(c.id)
        return c

    def load_removed(self, store: Store, coder: str) -> None:
        """The coder's codings removed here, by uid and by document, theme and quote."""
        self.removed_uid: dict[str, str] = {}
        self.removed_quote: dict[tuple[int, str, str], str] = {}
        for r in store.query('SELECT uid, document_id, theme_id, quote, removed_at FROM removed_codings '
                             "WHERE coder = ?", (coder,)):
            self.removed_uid[r["uid"]] = r["removed_at"]
            key = (r["document_id"], r["theme_id"], r["quote"])
            self.removed_quote[key] = max(self.removed_quote.get(key, ""), r["removed_at"])

    def removed_at(self, uid: str, doc_id: int, theme: str, quote: str) -> str:
        """When a coding like this one was removed here ("" if it was not)."""
        return (self.removed_uid.get(uid, "") if uid else "") or self.removed_quote.get((doc_id, theme, quote), "")


def plan(
    store: Store, data: dict[str, Any], *, coder: str, mapping: dict[str, str] | None = None,
    remove_missing: bool = False, source: str = "", texts: Texts | None = None, prefer_newer: bool = False,
) -> CoderPlan:
    """What importing a coder's state (a coder file's data) would change here; writes nothing.

    With ``prefer_newer`` (a merge), a coding changed or removed here after their copy's
    version of it was last changed is kept as it is here (and listed)."""
    mapping = mapping or {}
    texts = texts or Texts(store)
    result = CoderPlan(coder, source, remove_missing)
    layer = _Layer(store.codings.list(coder=coder))
    layer.load_removed(store, coder)
    others = {r["uid"] for r in store.query("SELECT uid FROM codings WHERE coder != ?", (coder,))}
    codings = [{**c, "uid": ""} if c.get("uid") in others else c for c in data["codings"]]  # imported under a new name
    entries = _place_all(result, layer, texts, codings, mapping)
    for e in entries:  # copies built apart: the same passage and theme, or the same quote
        if e.existing is None and not e.placed.detached:
            e.existing = layer.free(layer.by_key.get(e.key))
        if e.existing is None:
            e.existing = next((c for c in layer.by_quote.get((e.doc.id, e.theme, e.placed.quote), [])
                               if c.id not in layer.matched), None)
        if e.existing is not None:
            layer.take(e.existing)
        if e.placed.detached and e.existing is not None and e.existing.detached and e.existing.document_id == e.doc.id:
            # The offsets of a detached coding mean nothing: it stays where it is here.
            e.placed = replace(e.placed, start=e.existing.start, end=e.existing.end)
    _plan_removed(result, layer, texts, data.get("removed", []), mapping, prefer_newer)
    _plan_extra(result, layer, texts, data)
    _settle_places(result, layer, texts, entries)
    for e in entries:
        _plan_entry(result, texts, e, coder, layer, prefer_newer)
    _plan_cells(store, result, data.get("cells", []), mapping, coder)
    return result


def _place_all(result: CoderPlan, layer: _Layer, texts: Texts, codings: list[dict[str, Any]],
               mapping: dict[str, str]) -> list[_Entry]:
    """Place every incoming coding in this copy's text; match those whose uid is here."""
    entries = []
    for c in codings:
        theme = mapping.get(c["theme"], c["theme"])
        doc = texts.find(c["document"], c.get("sha256", ""))
        if doc is None:
            words = " ".join(c["quote"].split())[:50]
            result.missing_documents.append(f"{c['document']} {theme} “{words}” (no such document in this copy)")
            continue
        existing = layer.free(layer.by_uid.get(c.get("uid") or ""))
        hint = existing.start if existing is not None and existing.document_id == doc.id else None
        entries.append(_Entry(c, doc, theme, place(texts.text(doc.id), c, hint),
                              layer.take(existing) if existing is not None else None))
    return entries


def _settle_places(result: CoderPlan, layer: _Layer, texts: Texts, entries: list[_Entry]) -> None:
    """No two codings of the coder end up on the same passage with the same theme.

    A coding kept here that sits exactly where an incoming one lands is the same coding
    twice: it goes (listed). Two incoming codings placed on one passage become one. A
    detached coding keeps its offsets, moved on by a character if another sits there.
    """
    kept = {} if result.remove_missing else {
        (c.document_id, c.theme_id, c.start, c.end): i for i, (c, _) in enumerate(result.extra)}
    taken: set[tuple[int, str, int, int]] = set()
    drop_extra: set[int] = set()
    for e in list(entries):
        if e.placed.detached:
            start, end = e.placed.start, e.placed.end
            while (e.doc.id, e.theme, start, end) in taken or (e.doc.id, e.theme, start, end) in kept:
                end += 1
            e.placed = Placed(start, end, e.placed.quote, e.placed.before, e.placed.after, True, "detached")
        elif e.key in taken:
            entries.remove(e)
            item = Item(e.doc.name, texts.lines(e.doc.id, *e.key[2:]), e.theme, e.placed.quote,
                        "placed on the same passage as another of their codings",
                        e.uid if e.existing is None else e.existing.uid)
            if e.existing is None:
                result.duplicates.append(item)
            else:
                result.removed.append((e.existing, item))
            continue
        elif e.key in kept:
            drop_extra.add(kept.pop(e.key))
        taken.add(e.key)
    for i in sorted(drop_extra, reverse=True):
        c, _ = result.extra.pop(i)
        result.removed.append((c, texts.item(c, "the same passage and theme as a coding in their copy")))


def _plan_entry(result: CoderPlan, texts: Texts, e: _Entry, coder: str, layer: _Layer, prefer_newer: bool) -> None:
    p, c, doc, theme = e.placed, e.data, e.doc, e.theme
    lines = texts.lines(doc.id, p.start, p.end, p.detached)
    theirs = c.get("updated_at") or ""
    uid = e.uid or (e.existing.uid if e.existing is not None else "")
    if e.existing is None:
        gone = layer.removed_at(e.uid, doc.id, theme, c["quote"])
        if prefer_newer and gone and gone >= theirs:
            result.kept_newer.append(Item(doc.name, lines, theme, p.quote, "removed here after their last change",
                                          e.uid))
            return
    elif prefer_newer and e.existing.updated_at >= theirs and _differs(e, p, c):
        if e.existing.updated_at > theirs:
            result.kept_newer.append(texts.item(e.existing, "changed here after their last change"))
            return
        if _ours_wins_tie(e, p, c):
            _keep_tied(result, texts, e, c)
            return
    if p.detached:
        result.detached.append(Item(doc.name, lines, theme, p.quote, "quote not found in this copy's text", uid))
    elif p.how == "fuzzy" or (p.how == "exact" and p.quote != c["quote"]):
        result.placed.append(Item(doc.name, lines, theme, p.quote, "placed by a near match: the texts differ", uid))
    elif c.get("detached"):
        result.placed.append(Item(doc.name, lines, theme, p.quote, "detached in their copy; its quote is here", uid))
    new = {"document_id": doc.id, "theme_id": theme, "start": p.start, "end": p.end, "quote": p.quote,
           "before": p.before, "after": p.after, "memo": c.get("memo", "") or "", "detached": int(p.detached)}
    if e.existing is None:
        stamp = now()
        row = {"coder": coder, **new, "created_at": c.get("created_at") or stamp,
               "updated_at": c.get("updated_at") or stamp}
        if e.uid:
            row["uid"] = e.uid
        gone = layer.removed_at(e.uid, doc.id, theme, c["quote"])
        result.added.append((row, Item(doc.name, lines, theme, p.quote, "removed here earlier" if gone else "",
                                       e.uid)))
        return
    old = coding_row(e.existing)
    values = {k: v for k, v in new.items() if old[k] != v}
    if e.uid and e.existing.uid != e.uid:
        values["uid"] = e.uid
    unseen = {"before", "after", "uid"} | ({"start", "end"} if p.detached and e.existing.detached else set())
    if not values.keys() - unseen:
        result.unchanged += 1
        if values:  # only context or identity: brought in step, not a change anyone would see
            result.changed.append(Change(e.existing, values, Item(doc.name, lines, theme, p.quote), silent=True))
        return
    values["updated_at"] = c.get("updated_at") or now()
    note = _describe_change(e.existing, values, texts)
    if e.existing.updated_at > theirs:
        note += "; this copy's version was newer"
    result.changed.append(Change(e.existing, values, Item(doc.name, lines, theme, p.quote, note, e.existing.uid)))


def _keep_tied(result: CoderPlan, texts: Texts, e: _Entry, c: dict[str, Any]) -> None:
    """List a coding kept as it is here after a tie (see :func:`_ours_wins_tie`)."""
    old = e.existing
    assert old is not None
    if (old.theme_id, old.memo) != (e.theme, c.get("memo", "") or ""):
        result.kept_newer.append(texts.item(old, "changed here at the same time; this version kept"))
        return
    result.unchanged += 1  # one version, placed in each copy's own text
    if old.detached:
        result.detached.append(texts.item(old, "quote not found in this copy's text"))
    elif old.quote != c["quote"]:
        result.placed.append(texts.item(old, "placed in this copy's own text: the texts differ"))


def _ours_wins_tie(e: _Entry, p: Placed, c: dict[str, Any]) -> bool:
    """Which version stays when a coding was last changed at the same moment in both copies.

    Both copies must choose alike, or merging each way undoes the other. The same theme and
    memo: it is one version placed in two texts, and each copy keeps its own placement (a
    placement in the other text, brought back, would only lose words), unless it is detached
    here and theirs is placed. Different theme or memo (two changes in the same second): the
    greater one, as both copies order it."""
    old = e.existing
    assert old is not None
    ours, theirs = (old.theme_id, old.memo), (e.theme, c.get("memo", "") or "")
    if ours != theirs:
        return ours > theirs
    return not (old.detached and not p.detached)


def _differs(e: _Entry, p: Placed, c: dict[str, Any]) -> bool:
    """Whether an incoming coding differs, as anyone would see it, from the coding here."""
    old = e.existing
    assert old is not None
    if (old.theme_id, old.memo, bool(old.detached)) != (e.theme, c.get("memo", "") or "", p.detached):
        return True
    if p.detached:  # both detached: their offsets mean nothing, their words do
        return old.quote != p.quote
    return (old.document_id, old.start, old.end) != (e.doc.id, p.start, p.end)


def _plan_removed(result: CoderPlan, layer: _Layer, texts: Texts, removed: list[dict[str, Any]],
                  mapping: dict[str, str], prefer_newer: bool = False) -> None:
    """Codings here that the coder removed in their copy: by uid, else by document, theme and quote
    (a coding made before the removal)."""
    for r in removed:
        c = layer.free(layer.by_uid.get(r.get("uid") or ""))
        if c is None:
            doc = texts.find(r["document"], r.get("sha256", ""))
            theme = mapping.get(r["theme"], r["theme"])
            if doc is not None:
                c = next((k for k in layer.by_quote.get((doc.id, theme, r["quote"]), [])
                          if k.id not in layer.matched and k.created_at <= r.get("removed_at", "")), None)
        if c is None:
            continue
        layer.take(c)
        if prefer_newer and c.updated_at > r.get("removed_at", ""):
            result.kept_newer.append(texts.item(c, "changed here after they removed it"))
        else:
            result.removed.append((c, texts.item(c, "removed in their copy")))


def _plan_extra(result: CoderPlan, layer: _Layer, texts: Texts, data: dict[str, Any]) -> None:
    """Codings here their copy never had: kept and listed (removed with ``remove_missing``)."""
    theirs = data.get("copy_documents")
    known = None if theirs is None else {d["name"] for d in theirs} | {d.get("sha256", "") for d in theirs}
    for c in layer.all:
        if c.id in layer.matched:
            continue
        doc = texts.by_id.get(c.document_id)
        if known is not None and doc is not None and doc.name not in known and doc.sha256 not in known:
            continue  # a document their copy does not have: nothing to compare with
        note = "removed: not in their copy" if result.remove_missing else "coded here, not in their copy"
        result.extra.append((c, texts.item(c, note)))


def _plan_cells(store: Store, result: CoderPlan, cells: list[dict[str, Any]], mapping: dict[str, str],
                coder: str) -> None:
    """Chart summaries: theirs where they differ, unless the one here is newer (kept and listed)."""
    cases = {c.name: c.id for c in store.cases.list()}
    for cell in cells:
        case_id = cases.get(cell["case"])
        if case_id is None:
            result.missing_documents.append(f"chart summary for {cell['case']} (no such case in this copy)")
            continue
        theme_id = mapping.get(cell["theme"], cell["theme"])
        old = store.cells.find(case_id, theme_id, coder)
        if old is not None and (old.summary, old.status) == (cell["summary"], cell["status"]):
            continue
        if old is not None and old.updated_at > cell.get("updated_at", ""):
            result.newer_cells.append(f"{cell['case']} × {theme_id}")
            continue
        result.cells.append((old, ChartCell(case_id, theme_id, coder, cell["summary"], cell["status"],
                                            cell.get("updated_at") or now(), cell.get("updated_by") or coder)))


# -- writing a plan ------------------------------------------------------------------------------


def apply(store: Store, plan_: CoderPlan, changes: ChangeSet) -> None:
    """Write a plan (inside the caller's ``store.write()``), noting every row in ``changes``."""
    conn = store.conn
    store.ensure_coder(plan_.coder)
    gone = [c for c, _ in plan_.removed] + ([c for c, _ in plan_.extra] if plan_.remove_missing else [])
    for c in gone:
        row = read_row(store, "codings", {"id": c.id})
        if row is not None:
            changes.deleted("codings", row)
            conn.execute("DELETE FROM codings WHERE id = ?", (c.id,))
    # Codings that move step aside first (one may move to where another one was).
    moving = [ch for ch in plan_.changed if ch.values.keys() & {"start", "end", "theme_id", "document_id"}]
    for ch in moving:
        aside = ASIDE + 2 * ch.coding.id
        conn.execute('UPDATE codings SET start = ?, "end" = ? WHERE id = ?', (aside, aside + 1, ch.coding.id))
    for ch in plan_.changed:
        old = coding_row(ch.coding)
        values = dict(ch.values)
        if ch in moving:
            values = {"start": ch.coding.start, "end": ch.coding.end, **values}
        before = {k: old.get(k) if k != "uid" else (ch.coding.uid or None) for k in values}
        store.codings.update(ch.coding.id, values)
        changes.updated("codings", {"id": ch.coding.id}, before, values)
    for row, _ in plan_.added:
        changes.inserted("codings", {"id": store.codings.insert(row)})
    fields = ("summary", "status", "updated_at", "updated_by")
    for old, cell in plan_.cells:
        store.cells.put(cell)
        key = {"case_id": cell.case_id, "theme_id": cell.theme_id, "layer": cell.layer}
        if old is None:
            changes.inserted("chart_cells", key)
        else:
            changes.updated("chart_cells", key, {f: getattr(old, f) for f in fields},
                            {f: getattr(cell, f) for f in fields})
