"""Agreement between coders of this project: the store's codings fed to :mod:`agreement`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from framework.analysis.agreement import LEVELS, compute_agreement
from framework.errors import InputError
from framework.store import Store, people


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
        scope = list(documents)
    else:
        per_coder: dict[str, set[str]] = {c: set() for c in coders}
        for coder, document, _theme, _start, _end in codings:
            per_coder[coder].add(document)
        scope = sorted(set.intersection(*per_coder.values()))
        if not scope:
            raise InputError(
                f"no document has codings by every one of {', '.join(coders)}; name documents with --documents."
            )
    in_scope = set(scope)
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
    return result


def coders_with_codings(store: Store) -> list[str]:
    """Every coder with at least one coding, by name: people only, never the consensus layer
    or a name the project acts under (:data:`framework.store.SYSTEM_CODERS`)."""
    names = {c for per_doc in store.documents.coded_counts().values() for c in per_doc}
    return sorted(people(names), key=str.casefold)
