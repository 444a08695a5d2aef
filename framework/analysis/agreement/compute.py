"""``compute_agreement``: check the arguments, merge every coder's spans at once (on arrays, see
:mod:`framework.analysis.agreement.arrays`), then one function per level."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import repeat
from operator import itemgetter
from typing import Any

import numpy as np

from framework.analysis.agreement import arrays
from framework.analysis.agreement.levels import char_pair, presence_level
from framework.analysis.agreement.model import LEVELS, Span
from framework.analysis.agreement.reasons import r6, reason_text, variation_reason
from framework.analysis.agreement.statistics import alpha_binary
from framework.errors import InputError


@dataclass(frozen=True)
class Scope:
    """What is compared: coders (and their pairs), documents with their lengths, units."""

    coders: list[str]
    documents: Mapping[str, int]
    units: dict[str, tuple[list[int], list[int], int]]
    """Per document: sorted paragraph starts, ends and the index of its first paragraph overall."""
    min_overlap: int

    @cached_property
    def pairs(self) -> list[tuple[int, int]]:
        return list(itertools.combinations(range(len(self.coders)), 2))

    def pair_name(self, i: int, j: int) -> str:
        return f"{self.coders[i]}|{self.coders[j]}"

    @cached_property
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
    merged = arrays.merge(*span_arrays(spans, scope, themes, parents, rollup), len(documents), len(scope.coders))
    found: dict[str, Any] = {}
    if "paragraph" in levels:
        offsets, unit_start, unit_end = arrays.global_units(documents, scope.units)
        found["paragraph"] = arrays.unit_masks(merged, offsets, unit_start, unit_end, scope.min_overlap,
                                                       listed=include_matrix)
    if "document" in levels:
        found["document"] = arrays.document_masks(merged, scope.min_overlap, listed=include_matrix)
    if "char" in levels:
        found["char"] = arrays.mask_lengths(merged, len(documents), by_document=False)
        if per_document:
            found["char-documents"] = arrays.mask_lengths(merged, len(documents), by_document=True)
    result_themes: dict[str, Any] = {}
    for t, theme in enumerate(themes):
        out: dict[str, Any] = {}
        for level in levels:
            if level == "paragraph":
                out[level] = paragraph_level(t, found[level], scope, include_matrix=include_matrix)
            elif level == "document":
                out[level] = document_level(t, found[level], scope, include_matrix=include_matrix)
            else:
                out[level] = char_level(t, found[level], found.get("char-documents"), scope)
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


def span_arrays(
    spans: Iterable[Span], scope: Scope, themes: Sequence[str], parents: Mapping[str, str | None], rollup: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The spans in scope as arrays of theme, document and coder indices, start and end.

    Spans of coders, documents or themes out of scope are left out; with ``rollup`` a span
    also counts for every reported ancestor of its theme; ends past the text are cut at it.
    A span is a :class:`Span` or any ``(coder, document, theme, start, end)`` tuple.
    """
    theme_index = {t: i for i, t in enumerate(themes)}
    doc_index = {d: i for i, d in enumerate(scope.documents)}
    lengths = list(scope.documents.values())
    coder_index = {c: i for i, c in enumerate(scope.coders)}
    target_cache: dict[str, tuple[int, ...]] = {}

    def targets(theme: str) -> tuple[int, ...]:
        hit = target_cache.get(theme)
        if hit is None:
            if rollup:
                hit = tuple(theme_index[t] for t in ancestor_chain(theme, parents) if t in theme_index)
            else:
                hit = (theme_index[theme],) if theme in theme_index else ()
            target_cache[theme] = hit
        return hit

    rows = spans if isinstance(spans, list) else list(spans)
    if not rows:
        return tuple(np.zeros(0, dtype=np.int64) for _ in range(5))  # type: ignore[return-value]
    n = len(rows)
    ci = np.fromiter(map(coder_index.get, map(itemgetter(0), rows), repeat(-1)), dtype=np.int64, count=n)
    di = np.fromiter(map(doc_index.get, map(itemgetter(1), rows), repeat(-1)), dtype=np.int64, count=n)
    distinct = list(dict.fromkeys(map(itemgetter(2), rows)))
    code = dict(zip(distinct, range(len(distinct))))
    wanted = [targets(t) for t in distinct]
    ti = np.fromiter(map(code.__getitem__, map(itemgetter(2), rows)), dtype=np.int64, count=n)
    many = np.array([len(w) for w in wanted], dtype=np.int64)[ti]
    s = np.fromiter(map(itemgetter(3), rows), dtype=np.int64, count=n)
    e = np.fromiter(map(itemgetter(4), rows), dtype=np.int64, count=n)
    keep = (ci >= 0) & (di >= 0) & (many > 0)
    bad = keep & ((s < 0) | (e < s))
    if bad.any():
        coder, document, theme, start, end = rows[int(np.flatnonzero(bad)[0])]
        raise InputError(f"coding [{start}, {end}) of '{theme}' by {coder} in '{document}' has invalid offsets")
    e = np.minimum(e, np.asarray(lengths + [0], dtype=np.int64)[di])
    keep &= s < e
    ci, di, ti, s, e, many = ci[keep], di[keep], ti[keep], s[keep], e[keep], many[keep]
    flat = np.array([t for w in wanted for t in w], dtype=np.int64)
    first = np.concatenate([[0], np.cumsum([len(w) for w in wanted])[:-1]]).astype(np.int64)
    row = np.repeat(np.arange(len(ti)), many)
    step = np.arange(len(row)) - np.repeat(np.cumsum(many) - many, many)
    theme = flat[first[ti[row]] + step]
    return theme, di[row], ci[row], s[row], e[row]


# -- one function per level ---------------------------------------------------------------------


def paragraph_level(t: int, found: tuple[dict, dict], scope: Scope, *, include_matrix: bool) -> dict[str, Any]:
    """Presence per paragraph: a coder has the theme in a paragraph holding at least
    ``min_overlap`` of their coded characters."""
    counts, present = found
    n_units = scope.n_units
    out = presence_level(counts.get(t, Counter()), n_units, scope.coders, scope.pairs, "paragraph")
    if include_matrix:
        out["matrix"] = [_indicator(sorted(present.get((t, c), [])), n_units) for c in range(len(scope.coders))]
    return out


def document_level(t: int, found: tuple[dict, dict], scope: Scope, *, include_matrix: bool) -> dict[str, Any]:
    """Code existence per document (as MAXQDA): at least ``min_overlap`` coded characters."""
    counts, present = found
    out = presence_level(counts.get(t, Counter()), len(scope.documents), scope.coders, scope.pairs, "document")
    if include_matrix:
        out["matrix"] = [[1 if d in present.get((t, c), ()) else 0 for d in range(len(scope.documents))]
                         for c in range(len(scope.coders))]
    return out


def _pair_counts(masks: dict[int, int], i: int, j: int) -> tuple[int, int, int]:
    """Characters coded by both coders ``i`` and ``j``, by ``i`` and by ``j``."""
    both = sum(n for mask, n in masks.items() if mask >> i & 1 and mask >> j & 1)
    return both, sum(n for mask, n in masks.items() if mask >> i & 1), sum(n for mask, n in masks.items() if mask >> j & 1)


def char_level(t: int, lengths: dict[tuple[int, ...], dict[int, int]],
               per_document: dict[tuple[int, ...], dict[int, int]] | None, scope: Scope) -> dict[str, Any]:
    """Every character coded or not, per pair of coders, pooled over the documents (as NVivo),
    with Krippendorff's alpha over all coders."""
    coders, pairs = scope.coders, scope.pairs
    m = len(coders)
    total = sum(scope.documents.values())
    masks = lengths.get((t,), {})
    hist = [0] * (m + 1)  # characters by how many coders coded them
    for mask, n in masks.items():
        hist[mask.bit_count()] += n
    out: dict[str, Any] = {"n": total, "pairs": {}}
    for i, j in pairs:
        out["pairs"][scope.pair_name(i, j)] = char_pair(*_pair_counts(masks, i, j), total, coders[i], coders[j])
    hist[0] = total - sum(hist[1:])
    alpha = alpha_binary(hist) if total else None
    out["percent_agreement"] = r6((hist[0] + hist[m]) / total) if total else None
    out["krippendorff_alpha"] = r6(alpha)
    if per_document is not None:
        tables: dict[str, Any] = {}
        for d, (doc, size) in enumerate(scope.documents.items()):
            here = per_document.get((t, d), {})
            tables[doc] = {scope.pair_name(i, j): char_pair(*_pair_counts(here, i, j), size, coders[i], coders[j])
                           for i, j in pairs}
        out["per_document"] = tables
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
