"""Agreement between coders of this project: the store's codings fed to :mod:`agreement`.

Which coders and documents are compared, by default: the two coders with the most
codings in common (:func:`default_pair`), and the documents every one of them has coded
(:func:`document_scope`). The documents left out are named, with the reason, so that a
theme coded by one coder in a document the other never coded cannot pass unnoticed.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from framework.analysis.agreement import LEVELS, compute_agreement
from framework.errors import InputError
from framework.store import Document, Store, people


@dataclass(frozen=True)
class LeftOut:
    """A document with codings by some of the compared coders but not all: left out, and why."""

    document: str
    coded_by: dict[str, int]
    """Codings (placed) per coder who coded it."""
    not_coded_by: list[str]

    @property
    def reason(self) -> str:
        who = ", ".join(f"{c} ({n})" for c, n in self.coded_by.items())
        if not self.not_coded_by:
            return f"not among the documents named (coded by {who})"
        return f"coded only by {who}; no codings by {', '.join(self.not_coded_by)}"

    def as_json(self) -> dict[str, Any]:
        return {"document": self.document, "coded_by": self.coded_by, "not_coded_by": self.not_coded_by,
                "reason": self.reason}


@dataclass(frozen=True)
class DocumentScope:
    """The documents compared (every coder coded them) and those left out."""

    documents: list[Document]
    left_out: list[LeftOut] = field(default_factory=list)


def _placed_counts(store: Store, coders: Sequence[str]) -> dict[int, dict[str, int]]:
    """Per document, the placed (not detached) codings of each of ``coders``."""
    out: dict[int, dict[str, int]] = {}
    for r in store.query(
        f"SELECT document_id, coder, count(*) AS n FROM codings WHERE detached = 0 AND coder IN "
        f"({','.join('?' * len(coders))}) GROUP BY document_id, coder", list(coders)
    ):
        out.setdefault(r["document_id"], {})[r["coder"]] = r["n"]
    return out


def document_scope(store: Store, coders: Sequence[str], names: Sequence[str] | None = None) -> DocumentScope:
    """The documents compared: those named, else those every coder has coded; and those left out
    (coded by some of the coders only, or, when documents are named, coded but not named)."""
    counts = _placed_counts(store, coders)
    docs = store.documents.list()
    if names:
        wanted = set(names)
        chosen = [d for d in docs if d.name in wanted or str(d.id) in wanted]
    else:
        chosen = [d for d in docs if all(counts.get(d.id, {}).get(c) for c in coders)]
    ids = {d.id for d in chosen}
    left = [LeftOut(d.name, {c: counts[d.id][c] for c in coders if counts[d.id].get(c)},
                    [c for c in coders if not counts[d.id].get(c)])
            for d in docs if d.id not in ids and counts.get(d.id)]
    return DocumentScope(chosen, left)


def default_pair(store: Store) -> list[str]:
    """The two people (never the consensus layer or a name the program acts under) with the most
    codings in common: codings of either in the documents both have coded. Ties go to more
    codings overall, then by name."""
    counts = store.documents.coded_counts()
    coders = sorted(people({c for per in counts.values() for c in per}), key=str.casefold)
    best: tuple[tuple[int, int, int], list[str]] | None = None
    for a, b in itertools.combinations(coders, 2):
        common = sum(per[a] + per[b] for per in counts.values() if per.get(a) and per.get(b))
        total = sum(per.get(a, 0) + per.get(b, 0) for per in counts.values())
        score = (common, total, 0)
        if best is None or score > best[0]:
            best = (score, [a, b])
    return best[1] if best else coders


def project_agreement(
    store: Store,
    coders: Sequence[str],
    *,
    themes: Sequence[str] | None = None,
    documents: Sequence[str] | None = None,
    levels: Sequence[str] = LEVELS,
    rollup: bool = False,
    min_overlap: int = 1,
    per_document: bool = False,
) -> dict[str, Any]:
    """Agreement per theme between ``coders`` (see :func:`agreement.compute_agreement`).

    Documents default to every document in which each listed coder has at least one
    coding; themes default to every theme that any listed coder used (with roll-up,
    their ancestors too), in framework order.
    """
    coders = list(dict.fromkeys(coders))
    if len(coders) < 2:
        raise InputError("agreement needs two or more coders: --coders alice,bob")
    known = set(store.coders())
    missing = [c for c in coders if c not in known]
    if missing:
        raise InputError(f"no coder named {', '.join(map(repr, missing))}; coders here: {', '.join(sorted(people(known))) or 'none'}.")
    codings = store.codings.spans(coders)
    docs = {d.name: d for d in store.documents.list()}
    if documents:
        unknown = [d for d in documents if d not in docs]
        if unknown:
            raise InputError(f"no document named {', '.join(map(repr, unknown))}.")
    found = document_scope(store, coders, documents)
    scope = [d.name for d in found.documents]
    in_scope = set(scope)
    if not scope:
        left = "; ".join(f"{x.document}: {x.reason}" for x in found.left_out[:5])
        raise InputError(
            f"no document has codings by every one of {', '.join(coders)}"
            + (f" ({left})" if left else "") + "; name documents with --documents."
        )
    all_themes = store.themes.list()
    parents = {t.id: t.parent_id for t in all_themes}
    order = [t.id for t in all_themes]
    if themes:
        for t in themes:
            store.themes.get(t)
        wanted = list(themes)
    else:
        used = {theme for _coder, document, theme, _start, _end in codings if document in in_scope}
        if rollup:
            for t in list(used):
                p = parents.get(t)
                while p:
                    used.add(p)
                    p = parents.get(p)
        wanted = [t for t in order if t in used]
    unit_map = store.documents.all_units()
    result = compute_agreement(
        coders=coders,
        documents={name: docs[name].length for name in scope},
        units={name: unit_map.get(docs[name].id, []) for name in scope},
        spans=codings,
        themes=wanted,
        parents=parents,
        rollup=rollup,
        min_overlap=min_overlap,
        levels=levels,
        per_document=per_document,
    )
    result["left_out"] = [x.as_json() for x in found.left_out]
    result["themes_left_out"] = themes_left_out(codings, in_scope, wanted)
    return result


def themes_left_out(codings: Sequence[tuple[str, str, str, int, int]], in_scope: set[str],
                    reported: Sequence[str]) -> dict[str, Any]:
    """Per theme, the codings of each coder in documents left out of the comparison: what the
    values do not see. A theme coded only there is named too (it is not in the table)."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    for coder, document, theme, _start, _end in codings:
        if document not in in_scope:
            per = out.setdefault(theme, {}).setdefault(coder, {})
            per[document] = per.get(document, 0) + 1
    return {theme: {"in_table": theme in reported, "codings": per} for theme, per in sorted(out.items())}


def coders_with_codings(store: Store) -> list[str]:
    """Every coder with at least one coding, by name: people only, never the consensus layer
    or a name the project acts under (:data:`framework.store.SYSTEM_CODERS`)."""
    names = {c for per_doc in store.documents.coded_counts().values() for c in per_doc}
    return sorted(people(names), key=str.casefold)
