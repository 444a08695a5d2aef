"""``compute_agreement``: check the arguments, group the spans once, then one function per level."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from framework.analysis.agreement.intervals import (
    coverage_histogram,
    intersection_length,
    merge_intervals,
    total_length,
    unit_overlaps,
)
from framework.analysis.agreement.levels import char_pair, presence_level
from framework.analysis.agreement.model import LEVELS, Span
from framework.analysis.agreement.reasons import r6, reason_text, variation_reason
from framework.analysis.agreement.statistics import alpha_binary
from framework.errors import InputError

Intervals = list[tuple[int, int]]
"""One coder's merged, sorted ``(start, end)`` stretches of one theme in one document."""


@dataclass(frozen=True)
class Scope:
    """What is compared: coders (and their pairs), documents with their lengths, units."""

    coders: list[str]
    documents: Mapping[str, int]
    units: dict[str, tuple[list[int], list[int], int]]
    """Per document: sorted paragraph starts, ends and the index of its first paragraph overall."""
    min_overlap: int

    @property
    def pairs(self) -> list[tuple[int, int]]:
        return list(itertools.combinations(range(len(self.coders)), 2))

    def pair_name(self, i: int, j: int) -> str:
        return f"{self.coders[i]}|{self.coders[j]}"

    @property
    def n_units(self) -> int:
        return sum(len(starts) for starts, _, _ in self.units.values())


def compute_agreement(
    *,
    coders: Sequence[str],
    documents: Mapping[str, int],
    units: Mapping[str, Sequence[tuple[int, int]]],
    spans: Iterable[Span],
    themes: Sequence[str],
    parents: Mapping[str, str | None],
    rollup: bool = False,
    min_overlap: int = 1,
    levels: Sequence[str] = LEVELS,
    per_document: bool = False,
    include_matrix: bool = False,
) -> dict:
    """Inter-coder agreement per theme at the requested levels.

    ``documents`` maps the documents in scope to their text lengths; ``units``
    maps them to their paragraph ``(start, end)`` ranges (needed only for the
    paragraph level; ranges must not overlap). Spans of other documents, other
    coders, or themes not reported (and, with ``rollup``, not below a reported
    theme) are ignored; spans reaching past the end of a text are cut at it.

    With ``rollup`` a coding of a subtheme also counts for every ancestor theme
    (through ``parents``, any depth). ``min_overlap`` is the number of a coder's
    characters a paragraph (or document) must contain for the coder to have the
    theme there. ``per_document`` adds the character tables of every document
    under ``char.per_document``; ``include_matrix`` adds the 0/1 presence
    matrices (rows: coders, columns: units) and the list of paragraph units.

    Percent agreement on units is the share of units where all coders agree
    (see :mod:`framework.analysis.agreement`); with three or more coders the mean
    pairwise value is given as well.

    The result (JSON-ready; floats rounded to 6 decimals, undefined values None)::

        {"coders": [...], "documents": [...], "rollup": bool, "min_overlap": int,
         "levels": [...],
         "themes": {theme: {
            "paragraph": {"n_units", "percent_agreement", "krippendorff_alpha",
                          "cohen_kappa", "fleiss_kappa", "mean_pairwise_percent_agreement",
                          "units_coded": {coder: n}, "pairs": {"A|B": {"percent_agreement",
                          "cohen_kappa"}}},
            "char": {"n", "percent_agreement", "krippendorff_alpha",
                     "pairs": {"A|B": {"n", "both", "a_only", "b_only", "neither",
                                       "percent_agreement", "cohen_kappa", "sum_ef",
                                       "krippendorff_alpha"}},
                     "per_document": {document: {"A|B": {...same as pairs...}}}},
            "document": {...same keys as paragraph...}}}}

    Any dict holding a None value also has ``null_reasons`` (key -> reason
    code: ``no_units``, ``none_coded``, ``all_coded``, ``no_variation``,
    ``two_coders_only``, ``three_coders_or_more``) and ``note`` (plain words);
    the char level's ``note`` gathers the notes of its pairs.
    """
    levels = _check_levels(levels)
    themes = _check_themes(themes)
    scope = Scope(_check_coders(coders), documents,
                  prepare_units(documents, units) if "paragraph" in levels else {},
                  _check_min_overlap(min_overlap))
    for doc, length in documents.items():
        if length < 0:
            raise InputError(f"document '{doc}' has a negative length")
    grouped = group_spans(spans, scope, themes, parents, rollup)
    result_themes: dict[str, Any] = {}
    for theme in themes:
        merged = {doc: [merge_intervals(x) if len(x) > 1 else x for x in lists]
                  for doc, lists in grouped[theme].items()}
        out: dict[str, Any] = {}
        for level in levels:
            if level == "paragraph":
                out[level] = paragraph_level(merged, scope, include_matrix=include_matrix)
            elif level == "document":
                out[level] = document_level(merged, scope, include_matrix=include_matrix)
            else:
                out[level] = char_level(merged, scope, per_document=per_document)
        result_themes[theme] = out
    result: dict[str, Any] = {
        "coders": scope.coders,
        "documents": list(documents),
        "rollup": bool(rollup),
        "min_overlap": scope.min_overlap,
        "levels": levels,
        "themes": result_themes,
    }
    if include_matrix and "paragraph" in levels:
        result["paragraph_units"] = [
            [doc, s, e] for doc, (starts, ends, _) in scope.units.items() for s, e in zip(starts, ends)
        ]
    return result


# -- arguments ---------------------------------------------------------------------------------


def _check_coders(coders: Sequence[str]) -> list[str]:
    coders = list(coders)
    if len(coders) < 2:
        raise InputError("agreement needs at least two coders")
    if len(set(coders)) != len(coders):
        raise InputError("each coder may be named only once")
    return coders


def _check_levels(levels: Sequence[str]) -> list[str]:
    levels = list(levels)
    for level in levels:
        if level not in LEVELS:
            raise InputError(f"unknown agreement level '{level}': use one of {', '.join(LEVELS)}")
    if len(set(levels)) != len(levels):
        raise InputError("each agreement level may be requested only once")
    return levels


def _check_min_overlap(min_overlap: int) -> int:
    if int(min_overlap) != min_overlap or min_overlap < 1:
        raise InputError("min_overlap must be a whole number of characters, at least 1")
    return int(min_overlap)


def _check_themes(themes: Sequence[str]) -> list[str]:
    themes = list(themes)
    if len(set(themes)) != len(themes):
        raise InputError("each theme may be reported only once")
    return themes


def ancestor_chain(theme: str, parents: Mapping[str, str | None]) -> list[str]:
    """The theme and its ancestors, nearest first; a cycle in ``parents`` is an error."""
    chain = [theme]
    seen = {theme}
    cur = parents.get(theme)
    while cur is not None:
        if cur in seen:
            raise InputError(f"theme hierarchy has a cycle through '{cur}': fix the parent of '{theme}'")
        seen.add(cur)
        chain.append(cur)
        cur = parents.get(cur)
    return chain


def prepare_units(
    documents: Mapping[str, int], units: Mapping[str, Sequence[tuple[int, int]]]
) -> dict[str, tuple[list[int], list[int], int]]:
    """Per document: sorted unit starts, ends and the global index of its first unit."""
    out: dict[str, tuple[list[int], list[int], int]] = {}
    offset = 0
    for doc, length in documents.items():
        if doc not in units:
            raise InputError(f"no paragraph ranges were given for document '{doc}'")
        ranges = sorted((int(s), int(e)) for s, e in units[doc])
        prev_end = 0
        for s, e in ranges:
            if s < 0 or e < s or e > length:
                raise InputError(
                    f"paragraph [{s}, {e}) of document '{doc}' lies outside its text (length {length})"
                )
            if s < prev_end:
                raise InputError(f"paragraphs of document '{doc}' overlap near offset {s}")
            prev_end = e
        out[doc] = ([s for s, _ in ranges], [e for _, e in ranges], offset)
        offset += len(ranges)
    return out


def group_spans(
    spans: Iterable[Span], scope: Scope, themes: Sequence[str], parents: Mapping[str, str | None], rollup: bool
) -> dict[str, dict[str, list[Intervals]]]:
    """theme -> document -> one list of ``(start, end)`` per coder, in the coders' order.

    Spans of coders, documents or themes out of scope are left out; with ``rollup`` a span
    also counts for every reported ancestor of its theme.
    """
    theme_set = set(themes)
    coder_index = {c: i for i, c in enumerate(scope.coders)}
    m = len(scope.coders)
    target_cache: dict[str, tuple[str, ...]] = {}

    def targets(theme: str) -> tuple[str, ...]:
        hit = target_cache.get(theme)
        if hit is None:
            if rollup:
                hit = tuple(t for t in ancestor_chain(theme, parents) if t in theme_set)
            else:
                hit = (theme,) if theme in theme_set else ()
            target_cache[theme] = hit
        return hit

    grouped: dict[str, dict[str, list[Intervals]]] = {t: {} for t in themes}
    for sp in spans:
        ci = coder_index.get(sp.coder)
        if ci is None:
            continue
        length = scope.documents.get(sp.document)
        if length is None:
            continue
        tg = targets(sp.theme)
        if not tg:
            continue
        s, e = sp.start, sp.end
        if s < 0 or e < s:
            raise InputError(
                f"coding [{s}, {e}) of '{sp.theme}' by {sp.coder} in '{sp.document}' has invalid offsets"
            )
        e = min(e, length)
        if s >= e:
            continue
        for t in tg:
            by_doc = grouped[t]
            lists = by_doc.get(sp.document)
            if lists is None:
                lists = by_doc[sp.document] = [[] for _ in range(m)]
            lists[ci].append((s, e))
    return grouped


# -- one function per level ---------------------------------------------------------------------


def paragraph_level(merged: Mapping[str, list[Intervals]], scope: Scope, *, include_matrix: bool) -> dict[str, Any]:
    """Presence per paragraph: a coder has the theme in a paragraph holding at least
    ``min_overlap`` of their coded characters."""
    masks: Counter[int] = Counter()
    present: list[list[int]] = [[] for _ in scope.coders]
    for doc, lists in merged.items():
        starts, ends, offset = scope.units[doc]
        unit_masks: dict[int, int] = {}
        for ci, iv in enumerate(lists):
            if not iv:
                continue
            bit = 1 << ci
            for u, chars in unit_overlaps(iv, starts, ends).items():
                if chars >= scope.min_overlap:
                    unit_masks[u] = unit_masks.get(u, 0) | bit
                    if include_matrix:
                        present[ci].append(offset + u)
        masks.update(unit_masks.values())
    n_units = scope.n_units
    out = presence_level(masks, n_units, scope.coders, scope.pairs, "paragraph")
    if include_matrix:
        out["matrix"] = [_indicator(sorted(p), n_units) for p in present]
    return out


def document_level(merged: Mapping[str, list[Intervals]], scope: Scope, *, include_matrix: bool) -> dict[str, Any]:
    """Code existence per document (as MAXQDA): at least ``min_overlap`` coded characters."""
    masks: Counter[int] = Counter()
    present: list[set[str]] = [set() for _ in scope.coders]
    for doc, lists in merged.items():
        mask = 0
        for ci, iv in enumerate(lists):
            if total_length(iv) >= scope.min_overlap:
                mask |= 1 << ci
                present[ci].add(doc)
        if mask:
            masks[mask] += 1
    out = presence_level(masks, len(scope.documents), scope.coders, scope.pairs, "document")
    if include_matrix:
        out["matrix"] = [[1 if d in here else 0 for d in scope.documents] for here in present]
    return out


def char_level(merged: Mapping[str, list[Intervals]], scope: Scope, *, per_document: bool) -> dict[str, Any]:
    """Every character coded or not, per pair of coders, pooled over the documents (as NVivo),
    with Krippendorff's alpha over all coders."""
    coders, pairs = scope.coders, scope.pairs
    m = len(coders)
    total = sum(scope.documents.values())
    pooled = [[0, 0, 0] for _ in pairs]  # both, n_a, n_b
    hist = [0] * (m + 1)  # characters by how many coders coded them
    tables: dict[str, dict[str, Any]] = {}
    for doc, lists in merged.items():
        lengths = [total_length(x) for x in lists]
        size = scope.documents[doc]
        doc_tables = {}
        for p, (i, j) in enumerate(pairs):
            both = intersection_length(lists[i], lists[j]) if lengths[i] and lengths[j] else 0
            acc = pooled[p]
            acc[0] += both
            acc[1] += lengths[i]
            acc[2] += lengths[j]
            if per_document:
                doc_tables[scope.pair_name(i, j)] = char_pair(both, lengths[i], lengths[j], size, coders[i], coders[j])
            if m == 2:
                hist[2] += both
                hist[1] += lengths[0] + lengths[1] - 2 * both
        if m > 2:
            counts = coverage_histogram([iv for iv in lists if iv])
            for k in range(1, m + 1):
                hist[k] += counts[k] if k < len(counts) else 0
        if per_document:
            tables[doc] = doc_tables
    out: dict[str, Any] = {"n": total, "pairs": {}}
    for p, (i, j) in enumerate(pairs):
        both, n_a, n_b = pooled[p]
        out["pairs"][scope.pair_name(i, j)] = char_pair(both, n_a, n_b, total, coders[i], coders[j])
    hist[0] = total - sum(hist[1:])
    alpha = alpha_binary(hist) if total else None
    out["percent_agreement"] = r6((hist[0] + hist[m]) / total) if total else None
    out["krippendorff_alpha"] = r6(alpha)
    if per_document:
        out["per_document"] = {
            doc: tables.get(doc) or _empty_tables(scope.documents[doc], scope) for doc in scope.documents
        }
    texts = [(f"{name}: " if m > 2 else "") + entry["note"] for name, entry in out["pairs"].items() if "note" in entry]
    if alpha is None:
        code = variation_reason(total, sum(hist[1:]), total - hist[m])
        out["null_reasons"] = {"krippendorff_alpha": code}
        if not total:
            out["null_reasons"]["percent_agreement"] = "no_units"
        text = reason_text(code, "char") + "."
        if m > 2 or not texts:
            texts.append(("all coders: " if m > 2 else "") + text)
    if texts:
        out["note"] = " ".join(texts)
    return out


def _indicator(indices: Sequence[int], n: int) -> list[int]:
    row = [0] * n
    for i in indices:
        row[i] = 1
    return row


def _empty_tables(size: int, scope: Scope) -> dict[str, Any]:
    coders = scope.coders
    return {scope.pair_name(i, j): char_pair(0, 0, 0, size, coders[i], coders[j]) for i, j in scope.pairs}
