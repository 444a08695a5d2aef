"""Inter-coder agreement between two or more coders' span codings.

Pure functions, no database: the store reads codings and paragraph ranges and
passes them in. Offsets are 0-based, end-exclusive character indices, as in the
store.

Three levels of comparison are offered for every theme:

``paragraph`` (the primary level)
    The units are the paragraph ranges of the documents. A coder *has* a theme in
    a paragraph when at least ``min_overlap`` of that coder's characters coded
    with the theme fall inside the paragraph (a coder's codings of one theme are
    merged first, so overlapping codings count once). Presence/absence is then
    compared with percent agreement, Krippendorff's alpha (nominal), Cohen's
    kappa (exactly two coders) and Fleiss' kappa (three or more coders).

``char``
    The coding comparison of NVivo: for each pair of coders and each document,
    every character is coded or not coded by each coder. Kappa is
    ``(agree - sumEF) / (N - sumEF)`` with
    ``sumEF = (nA*nB + (N-nA)*(N-nB)) / N``. The pooled value sums the 2x2
    tables over the documents before computing kappa. All of it is done with
    interval arithmetic (sort, merge, intersect), never character by character.

``document``
    Code existence, as in MAXQDA: a coder has a theme in a document when at
    least ``min_overlap`` characters of the document are coded with it.

Percent agreement, for units (paragraphs or documents), is the share of units
on which *all* coders make the same presence judgement. With two coders this is
the ordinary percent agreement; with more coders it is stricter than the mean
of the pairwise agreements, which is reported next to it as
``mean_pairwise_percent_agreement`` (and per pair under ``pairs``).

A statistic that cannot be computed (nobody coded the theme, everybody coded
everything, no units, or a statistic that does not apply to the number of
coders) is ``None``, never 0 or NaN; the level's dict then carries
``null_reasons`` (statistic -> reason code) and ``note`` (the reasons in plain
words). Floats in the result are rounded to 6 decimals.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from framework.errors import InputError

LEVELS = ("paragraph", "char", "document")
"""The levels of comparison, in their usual order."""

ALPHA_RELIABLE = 0.800
ALPHA_TENTATIVE = 0.667


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """One coding: a coder applied a theme to ``[start, end)`` of a document."""

    coder: str
    document: str
    theme: str
    start: int
    end: int


@dataclass(frozen=True)
class Segment:
    """A maximal stretch ``[start, end)`` of a document with one coding pattern.

    ``themes_by_coder`` maps every compared coder (in the order given) to the
    themes that coder applied to the stretch (an empty frozenset when none).
    ``status`` is ``"both"`` (all coders applied the same, non-empty set of
    themes), ``"only:<coder>"`` (one coder coded the stretch, the others did not)
    or ``"different"`` (any other pattern: coders applied different themes, or,
    with three or more coders, some coded and some did not). Segments compare
    equal by value; they are not hashable (``themes_by_coder`` is a dict).
    """

    start: int
    end: int
    themes_by_coder: dict[str, frozenset[str]]
    status: str


# ---------------------------------------------------------------------------
# Interval arithmetic
# ---------------------------------------------------------------------------


def merge_intervals(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort and merge ``[start, end)`` intervals; overlapping or touching ones join.

    Empty intervals (``end <= start``) are dropped. The result is sorted and
    disjoint, so its total length counts every position once.
    """
    items = sorted((s, e) for s, e in intervals if e > s)
    if not items:
        return []
    out: list[tuple[int, int]] = []
    cur_s, cur_e = items[0]
    for s, e in items[1:]:
        if s <= cur_e:
            if e > cur_e:
                cur_e = e
        else:
            out.append((cur_s, cur_e))
            cur_s, cur_e = s, e
    out.append((cur_s, cur_e))
    return out


def total_length(merged: Sequence[tuple[int, int]]) -> int:
    """Number of positions covered by sorted, disjoint intervals."""
    return sum(e - s for s, e in merged)


def intersection_length(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> int:
    """Number of positions covered by both of two sorted, disjoint interval lists."""
    i = j = 0
    na, nb = len(a), len(b)
    total = 0
    while i < na and j < nb:
        a_s, a_e = a[i]
        b_s, b_e = b[j]
        lo = a_s if a_s > b_s else b_s
        hi = a_e if a_e < b_e else b_e
        if hi > lo:
            total += hi - lo
        if a_e < b_e:
            i += 1
        else:
            j += 1
    return total


def coverage_histogram(merged_lists: Sequence[Sequence[tuple[int, int]]]) -> list[int]:
    """Positions covered by exactly k of the lists, for k = 0..len(merged_lists).

    Each list must be sorted and disjoint. Entry 0 is always 0: positions covered
    by no list depend on the length of the text, which the caller knows.
    """
    m = len(merged_lists)
    hist = [0] * (m + 1)
    events: list[tuple[int, int]] = []
    for merged in merged_lists:
        for s, e in merged:
            events.append((s, 1))
            events.append((e, -1))
    events.sort()
    depth = 0
    prev = 0
    for pos, delta in events:
        if depth and pos > prev:
            hist[depth] += pos - prev
        depth += delta
        prev = pos
    return hist


def unit_overlaps(
    merged: Sequence[tuple[int, int]], unit_starts: Sequence[int], unit_ends: Sequence[int]
) -> dict[int, int]:
    """Characters of ``merged`` inside each unit, as ``{unit index: characters}``.

    Units are given as parallel, sorted lists of starts and ends of disjoint
    ranges; only units that receive at least one character appear in the result.
    """
    acc: dict[int, int] = {}
    n = len(unit_starts)
    for s, e in merged:
        i = bisect_right(unit_ends, s)
        while i < n and unit_starts[i] < e:
            u_s = unit_starts[i]
            u_e = unit_ends[i]
            ov = (e if e < u_e else u_e) - (s if s > u_s else u_s)
            if ov > 0:
                acc[i] = acc.get(i, 0) + ov
            i += 1
    return acc


# ---------------------------------------------------------------------------
# Statistics
# ---------------------------------------------------------------------------


def cohen_kappa(table: Sequence[Sequence[float]]) -> float | None:
    """Cohen's kappa from a square confusion table (rows: coder 1, columns: coder 2).

    ``(p_o - p_e) / (1 - p_e)``; ``None`` when the table is empty or chance
    agreement is complete (``p_e == 1``: both coders used one and the same
    category throughout).
    """
    k = len(table)
    if k == 0 or any(len(row) != k for row in table):
        raise ValueError("Cohen's kappa needs a non-empty square table")
    n = sum(sum(row) for row in table)
    if n == 0:
        return None
    rows = [sum(row) for row in table]
    cols = [sum(table[i][j] for i in range(k)) for j in range(k)]
    diag = sum(table[i][i] for i in range(k))
    chance = sum(r * c for r, c in zip(rows, cols))
    num = n * diag - chance
    den = n * n - chance
    exact = all(isinstance(x, int) for row in table for x in row)
    if den == 0 or (not exact and abs(den) <= 1e-12 * n * n):
        return None
    return num / den


def _kappa_2x2(both: int, a_only: int, b_only: int, neither: int) -> float | None:
    """Cohen's kappa of a 2x2 presence table in exact integer arithmetic."""
    n = both + a_only + b_only + neither
    if n == 0:
        return None
    n_a = both + a_only
    n_b = both + b_only
    ef = n_a * n_b + (n - n_a) * (n - n_b)  # sumEF * N
    den = n * n - ef
    if den == 0:
        return None
    return ((both + neither) * n - ef) / den


def fleiss_kappa(counts: Sequence[Sequence[int]]) -> float | None:
    """Fleiss' kappa from a subjects x categories table of rater counts.

    Every row must sum to the same number of raters (at least two). ``None``
    when there are no subjects or chance agreement is complete (all ratings in
    one category).
    """
    if not counts:
        return None
    n_cat = len(counts[0])
    if n_cat == 0 or any(len(row) != n_cat for row in counts):
        raise ValueError("Fleiss' kappa needs rows of equal length (one column per category)")
    raters = sum(counts[0])
    if any(sum(row) != raters for row in counts):
        raise ValueError("Fleiss' kappa needs the same number of raters for every subject")
    if raters < 2:
        return None
    n_subj = len(counts)
    total = Fraction(n_subj * raters)
    sq = sum(Fraction(x) * x for row in counts for x in row)
    p_bar = (sq - total) / (total * (raters - 1))
    p_e = sum((Fraction(sum(row[j] for row in counts)) / total) ** 2 for j in range(n_cat))
    if p_e == 1:
        return None
    return float((p_bar - p_e) / (1 - p_e))


def krippendorff_alpha_nominal(data: Sequence[Sequence[Hashable | None]]) -> float | None:
    """Krippendorff's alpha for nominal data; rows are units, columns coders.

    ``None`` marks a missing value. Units with fewer than two values cannot be
    paired and are left out. Computed from the coincidence matrix:
    ``alpha = 1 - (n - 1) * sum(o_ck, c != k) / sum(n_c * n_k, c != k)``.
    ``None`` when expected disagreement is zero (a single value throughout, or
    no pairable unit).
    """
    d_o = Fraction(0)
    n_c: Counter[Hashable] = Counter()
    for row in data:
        values = [v for v in row if v is not None]
        m = len(values)
        if m < 2:
            continue
        cnt = Counter(values)
        d_o += Fraction(m * m - sum(c * c for c in cnt.values()), m - 1)
        n_c.update(cnt)
    n = sum(n_c.values())
    d_e = n * n - sum(c * c for c in n_c.values())
    if d_e == 0:
        return None
    return float(1 - (n - 1) * d_o / d_e)


def _alpha_binary(hist: Sequence[int]) -> float | None:
    """Nominal alpha for presence data without missing values.

    ``hist[k]`` is the number of units that exactly k of the m coders marked
    present (m = len(hist) - 1).
    """
    m = len(hist) - 1
    n = sum(hist) * m
    n1 = sum(k * c for k, c in enumerate(hist))
    n0 = n - n1
    den = (m - 1) * n0 * n1
    if den == 0:
        return None
    num = (n - 1) * sum(c * k * (m - k) for k, c in enumerate(hist))
    return (den - num) / den


def _fleiss_binary(hist: Sequence[int]) -> float | None:
    """Fleiss' kappa for presence data, from the same histogram as ``_alpha_binary``."""
    m = len(hist) - 1
    subjects = sum(hist)
    if subjects == 0 or m < 2:
        return None
    total = subjects * m
    n1 = sum(k * c for k, c in enumerate(hist))
    p_e = Fraction(n1 * n1 + (total - n1) * (total - n1), total * total)
    if p_e == 1:
        return None
    sq = sum(c * (k * k + (m - k) * (m - k)) for k, c in enumerate(hist))
    p_bar = Fraction(sq - total, total * (m - 1))
    return float((p_bar - p_e) / (1 - p_e))


# ---------------------------------------------------------------------------
# Reasons for undefined values
# ---------------------------------------------------------------------------

_SHORT_REASONS = {
    "no_units": "nothing to compare",
    "none_coded": "nobody coded it: no variation",
    "all_coded": "coded everywhere by all: no variation",
    "two_coders_only": "only for two coders",
    "three_coders_or_more": "only for three or more coders",
    "no_variation": "no variation",
}

_UNIT_WORDS = {
    "paragraph": ("paragraph", "paragraphs"),
    "document": ("document", "documents"),
    "char": ("character", "characters"),
}


def _reason_text(code: str, level: str, pair: tuple[str, str] | None = None) -> str:
    """The reason ``code`` in plain words; ``pair`` names the two coders of a pair."""
    one, many = _UNIT_WORDS[level]
    if code == "no_units":
        return f"there are no {many} in scope, so nothing can be compared"
    if code == "none_coded":
        if pair is None:
            lead = f"no coder applied this theme in any {one}"
        else:
            lead = f"neither {pair[0]} nor {pair[1]} applied this theme in any {one}"
        return f"{lead}: agreement is trivially complete and kappa/alpha are undefined"
    if code == "all_coded":
        if pair is None:
            lead = f"every coder applied this theme in every {one}"
        else:
            lead = f"both {pair[0]} and {pair[1]} applied this theme in every {one}"
        return f"{lead}: there is no variation, so kappa/alpha are undefined"
    if code == "no_variation":
        return "there is no variation to correct for chance, so kappa/alpha are undefined"
    if code == "two_coders_only":
        return "Cohen's kappa is defined for exactly two coders; see the pairwise values under 'pairs'"
    if code == "three_coders_or_more":
        return "Fleiss' kappa is reported only for three or more coders; with two coders see Cohen's kappa"
    raise ValueError(code)


def _variation_reason(n: int, n_present: int, n_absent: int) -> str:
    """Why a chance-corrected value is undefined.

    ``n_present``: units where anyone has the theme; ``n_absent``: units where
    not everyone has it.
    """
    if n == 0:
        return "no_units"
    if n_present == 0:
        return "none_coded"
    if n_absent == 0:
        return "all_coded"
    return "no_variation"


def _attach_notes(
    d: dict[str, Any], reasons: dict[str, str], level: str, pair: tuple[str, str] | None = None
) -> None:
    """Add ``null_reasons`` and a plain-words ``note`` when some value is null."""
    if not reasons:
        return
    d["null_reasons"] = dict(reasons)
    texts: list[str] = []
    for code in reasons.values():
        text = _reason_text(code, level, pair)
        if text not in texts:
            texts.append(text)
    d["note"] = ". ".join(texts) + "."


def _r6(x: float | None) -> float | None:
    if x is None:
        return None
    return round(x, 6) + 0.0  # + 0.0 turns -0.0 into 0.0


# ---------------------------------------------------------------------------
# Level results
# ---------------------------------------------------------------------------


def _presence_level(
    masks: Counter[int],
    n_units: int,
    coders: Sequence[str],
    pairs: Sequence[tuple[int, int]],
    level: str,
) -> dict[str, Any]:
    """Statistics of binary presence per unit.

    ``masks`` counts units by the bit mask of coders who marked the theme
    present (bit i = coders[i]); units nobody marked are not in it.
    """
    m = len(coders)
    full = (1 << m) - 1
    n_marked = sum(masks.values())
    n_none = n_units - n_marked
    hist = [0] * (m + 1)
    hist[0] = n_none
    for mask, c in masks.items():
        hist[mask.bit_count()] += c
    coded = [sum(c for mask, c in masks.items() if mask >> i & 1) for i in range(m)]
    reasons: dict[str, str] = {}
    n_all = masks.get(full, 0)
    if n_units:
        percent = (n_none + n_all) / n_units
    else:
        percent = None
        reasons["percent_agreement"] = "no_units"
    var_reason = _variation_reason(n_units, n_marked, n_units - n_all)

    pair_out: dict[str, Any] = {}
    pair_agree: list[float] = []
    for i, j in pairs:
        both = a_only = b_only = 0
        for mask, c in masks.items():
            a = mask >> i & 1
            b = mask >> j & 1
            if a and b:
                both += c
            elif a:
                a_only += c
            elif b:
                b_only += c
        neither = n_units - both - a_only - b_only
        pa = (both + neither) / n_units if n_units else None
        kappa = _kappa_2x2(both, a_only, b_only, neither)
        entry: dict[str, Any] = {"percent_agreement": _r6(pa), "cohen_kappa": _r6(kappa)}
        pair_reasons: dict[str, str] = {}
        if pa is None:
            pair_reasons["percent_agreement"] = "no_units"
        if kappa is None:
            pair_reasons["cohen_kappa"] = _variation_reason(n_units, both + a_only + b_only, n_units - both)
        _attach_notes(entry, pair_reasons, level, (coders[i], coders[j]))
        pair_out[f"{coders[i]}|{coders[j]}"] = entry
        if pa is not None:
            pair_agree.append(pa)

    alpha = _alpha_binary(hist) if n_units else None
    if alpha is None:
        reasons["krippendorff_alpha"] = var_reason
    if m == 2:
        cohen = _kappa_2x2(
            masks.get(3, 0), masks.get(1, 0), masks.get(2, 0), n_none
        )
        if cohen is None:
            reasons["cohen_kappa"] = var_reason
    else:
        cohen = None
        reasons["cohen_kappa"] = "two_coders_only"
    if m >= 3:
        fleiss = _fleiss_binary(hist)
        if fleiss is None:
            reasons["fleiss_kappa"] = var_reason
    else:
        fleiss = None
        reasons["fleiss_kappa"] = "three_coders_or_more"

    out: dict[str, Any] = {
        "n_units": n_units,
        "percent_agreement": _r6(percent),
        "krippendorff_alpha": _r6(alpha),
        "cohen_kappa": _r6(cohen),
        "fleiss_kappa": _r6(fleiss),
        "mean_pairwise_percent_agreement": _r6(sum(pair_agree) / len(pair_agree)) if pair_agree else None,
        "units_coded": dict(zip(coders, coded)),
        "pairs": pair_out,
    }
    if out["mean_pairwise_percent_agreement"] is None:
        reasons["mean_pairwise_percent_agreement"] = "no_units"
    _attach_notes(out, reasons, level)
    return out


def _char_pair(both: int, n_a: int, n_b: int, size: int, a: str, b: str) -> dict[str, Any]:
    """The 2x2 character table of coders ``a`` and ``b`` and its statistics.

    ``a_only``/``b_only`` are the characters only the first/second coder of the
    pair (as named in ``"A|B"``) coded.
    """
    a_only = n_a - both
    b_only = n_b - both
    neither = size - n_a - n_b + both
    kappa = _kappa_2x2(both, a_only, b_only, neither)
    alpha = _alpha_binary([neither, a_only + b_only, both]) if size else None
    out: dict[str, Any] = {
        "n": size,
        "both": both,
        "a_only": a_only,
        "b_only": b_only,
        "neither": neither,
        "percent_agreement": _r6((both + neither) / size) if size else None,
        "cohen_kappa": _r6(kappa),
        "sum_ef": _r6((n_a * n_b + (size - n_a) * (size - n_b)) / size) if size else None,
        "krippendorff_alpha": _r6(alpha),
    }
    reasons: dict[str, str] = {}
    if not size:
        reasons["percent_agreement"] = "no_units"
    if kappa is None:
        reasons["cohen_kappa"] = _variation_reason(size, n_a + n_b, size - both)
    if alpha is None:
        reasons["krippendorff_alpha"] = _variation_reason(size, n_a + n_b, size - both)
    if not size:
        reasons["sum_ef"] = "no_units"
    _attach_notes(out, reasons, "char", (a, b))
    return out


# ---------------------------------------------------------------------------
# Main entry point
# ---------------------------------------------------------------------------


def _ancestor_chain(theme: str, parents: Mapping[str, str | None]) -> list[str]:
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


def _prepare_units(
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
    (see the module docstring); with three or more coders the mean pairwise
    value is given as well.

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
    coders = list(coders)
    if len(coders) < 2:
        raise InputError("agreement needs at least two coders")
    if len(set(coders)) != len(coders):
        raise InputError("each coder may be named only once")
    levels = list(levels)
    for level in levels:
        if level not in LEVELS:
            raise InputError(f"unknown agreement level '{level}': use one of {', '.join(LEVELS)}")
    if len(set(levels)) != len(levels):
        raise InputError("each agreement level may be requested only once")
    if int(min_overlap) != min_overlap or min_overlap < 1:
        raise InputError("min_overlap must be a whole number of characters, at least 1")
    for doc, length in documents.items():
        if length < 0:
            raise InputError(f"document '{doc}' has a negative length")
    themes = list(themes)
    theme_set = set(themes)
    if len(theme_set) != len(themes):
        raise InputError("each theme may be reported only once")

    m = len(coders)
    coder_index = {c: i for i, c in enumerate(coders)}
    pairs = list(itertools.combinations(range(m), 2))
    pair_names = [f"{coders[i]}|{coders[j]}" for i, j in pairs]
    do_para = "paragraph" in levels
    do_char = "char" in levels
    do_doc = "document" in levels
    unit_index = _prepare_units(documents, units) if do_para else {}
    n_para_units = sum(len(v[0]) for v in unit_index.values())
    total_chars = sum(documents.values())

    # Which reported themes a coding of a given theme counts for.
    target_cache: dict[str, tuple[str, ...]] = {}

    def targets(theme: str) -> tuple[str, ...]:
        hit = target_cache.get(theme)
        if hit is None:
            if rollup:
                hit = tuple(t for t in _ancestor_chain(theme, parents) if t in theme_set)
            else:
                hit = (theme,) if theme in theme_set else ()
            target_cache[theme] = hit
        return hit

    # Group spans once: theme -> document -> one list of intervals per coder.
    grouped: dict[str, dict[str, list[list[tuple[int, int]]]]] = {t: {} for t in themes}
    for sp in spans:
        ci = coder_index.get(sp.coder)
        if ci is None:
            continue
        length = documents.get(sp.document)
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
        if e > length:
            e = length
        if s >= e:
            continue
        for t in tg:
            by_doc = grouped[t]
            lists = by_doc.get(sp.document)
            if lists is None:
                lists = by_doc[sp.document] = [[] for _ in range(m)]
            lists[ci].append((s, e))

    result_themes: dict[str, Any] = {}
    for theme in themes:
        by_doc = grouped[theme]
        para_masks: Counter[int] = Counter()
        doc_masks: Counter[int] = Counter()
        pooled = [[0, 0, 0] for _ in pairs]  # both, n_a, n_b
        char_hist = [0] * (m + 1)
        per_doc_tables: dict[str, dict[str, Any]] = {}
        para_present: list[list[int]] = [[] for _ in range(m)]
        doc_present: list[set[str]] = [set() for _ in range(m)]
        for doc, lists in by_doc.items():
            merged = [merge_intervals(x) if len(x) > 1 else x for x in lists]
            lengths = [total_length(x) for x in merged]
            if do_para:
                starts, ends, offset = unit_index[doc]
                unit_masks: dict[int, int] = {}
                for ci, iv in enumerate(merged):
                    if not iv:
                        continue
                    bit = 1 << ci
                    for u, chars in unit_overlaps(iv, starts, ends).items():
                        if chars >= min_overlap:
                            unit_masks[u] = unit_masks.get(u, 0) | bit
                            if include_matrix:
                                para_present[ci].append(offset + u)
                para_masks.update(unit_masks.values())
            if do_doc:
                mask = 0
                for ci, n in enumerate(lengths):
                    if n >= min_overlap:
                        mask |= 1 << ci
                        doc_present[ci].add(doc)
                if mask:
                    doc_masks[mask] += 1
            if do_char:
                size = documents[doc]
                tables = {}
                for p, (i, j) in enumerate(pairs):
                    both = intersection_length(merged[i], merged[j]) if lengths[i] and lengths[j] else 0
                    acc = pooled[p]
                    acc[0] += both
                    acc[1] += lengths[i]
                    acc[2] += lengths[j]
                    if per_document:
                        tables[pair_names[p]] = _char_pair(
                            both, lengths[i], lengths[j], size, coders[i], coders[j]
                        )
                    if m == 2:
                        char_hist[2] += both
                        char_hist[1] += lengths[0] + lengths[1] - 2 * both
                if m > 2:
                    hist = coverage_histogram([iv for iv in merged if iv])
                    for k in range(1, m + 1):
                        char_hist[k] += hist[k] if k < len(hist) else 0
                if per_document:
                    per_doc_tables[doc] = tables

        theme_out: dict[str, Any] = {}
        for level in levels:
            if level == "paragraph":
                out = _presence_level(para_masks, n_para_units, coders, pairs, "paragraph")
                if include_matrix:
                    out["matrix"] = [_indicator(sorted(p), n_para_units) for p in para_present]
            elif level == "document":
                out = _presence_level(doc_masks, len(documents), coders, pairs, "document")
                if include_matrix:
                    out["matrix"] = [[1 if d in present else 0 for d in documents] for present in doc_present]
            else:
                out = {"n": total_chars, "pairs": {}}
                for p, (i, j) in enumerate(pairs):
                    both, n_a, n_b = pooled[p]
                    out["pairs"][pair_names[p]] = _char_pair(
                        both, n_a, n_b, total_chars, coders[i], coders[j]
                    )
                char_hist[0] = total_chars - sum(char_hist[1:])
                alpha = _alpha_binary(char_hist) if total_chars else None
                out["percent_agreement"] = (
                    _r6((char_hist[0] + char_hist[m]) / total_chars) if total_chars else None
                )
                out["krippendorff_alpha"] = _r6(alpha)
                if per_document:
                    out["per_document"] = {
                        doc: per_doc_tables.get(doc) or _empty_tables(documents[doc], coders, pairs)
                        for doc in documents
                    }
                texts = [
                    (f"{name}: " if m > 2 else "") + entry["note"]
                    for name, entry in out["pairs"].items()
                    if "note" in entry
                ]
                if alpha is None:
                    code = _variation_reason(
                        total_chars, sum(char_hist[1:]), total_chars - char_hist[m]
                    )
                    out["null_reasons"] = {"krippendorff_alpha": code}
                    if not total_chars:
                        out["null_reasons"]["percent_agreement"] = "no_units"
                    text = _reason_text(code, "char") + "."
                    if m > 2 or not texts:
                        texts.append(("all coders: " if m > 2 else "") + text)
                if texts:
                    out["note"] = " ".join(texts)
            theme_out[level] = out
        result_themes[theme] = theme_out

    result: dict[str, Any] = {
        "coders": coders,
        "documents": list(documents),
        "rollup": bool(rollup),
        "min_overlap": int(min_overlap),
        "levels": levels,
        "themes": result_themes,
    }
    if include_matrix and do_para:
        result["paragraph_units"] = [
            [doc, s, e]
            for doc, (starts, ends, _) in unit_index.items()
            for s, e in zip(starts, ends)
        ]
    return result


def _indicator(indices: Sequence[int], n: int) -> list[int]:
    row = [0] * n
    for i in indices:
        row[i] = 1
    return row


def _empty_tables(size: int, coders: Sequence[str], pairs: Sequence[tuple[int, int]]) -> dict[str, Any]:
    return {f"{coders[i]}|{coders[j]}": _char_pair(0, 0, 0, size, coders[i], coders[j]) for i, j in pairs}


# ---------------------------------------------------------------------------
# Side-by-side comparison of one document
# ---------------------------------------------------------------------------


def compare_document(spans_by_coder: Mapping[str, Sequence[Span]]) -> list[Segment]:
    """Maximal segments of one document where at least one coder coded something.

    The keys of ``spans_by_coder`` are the coders compared (a coder with no spans
    still counts: they coded nothing). Stretches nobody coded are left out;
    neighbouring stretches with identical coding are merged. See ``Segment`` for
    the statuses.
    """
    coders = list(spans_by_coder)
    events: list[tuple[int, int, str, str]] = []
    for coder, spans in spans_by_coder.items():
        for sp in spans:
            if sp.end > sp.start:
                events.append((sp.start, 1, coder, sp.theme))
                events.append((sp.end, -1, coder, sp.theme))
    if not events:
        return []
    events.sort(key=lambda ev: ev[0])
    active: dict[str, Counter[str]] = {c: Counter() for c in coders}
    segments: list[Segment] = []
    i = 0
    n_ev = len(events)
    while i < n_ev:
        pos = events[i][0]
        while i < n_ev and events[i][0] == pos:
            _, delta, coder, theme = events[i]
            cnt = active[coder]
            cnt[theme] += delta
            if not cnt[theme]:
                del cnt[theme]
            i += 1
        if i == n_ev:
            break
        nxt = events[i][0]
        state = {c: frozenset(active[c]) for c in coders}
        if not any(state.values()):
            continue
        if segments and segments[-1].end == pos and segments[-1].themes_by_coder == state:
            last = segments[-1]
            segments[-1] = Segment(last.start, nxt, last.themes_by_coder, last.status)
        else:
            segments.append(Segment(pos, nxt, state, _segment_status(state)))
    return segments


def _segment_status(state: Mapping[str, frozenset[str]]) -> str:
    coded = [c for c, themes in state.items() if themes]
    if len(coded) == 1 and len(state) > 1:
        return f"only:{coded[0]}"
    sets = set(state.values())
    if len(sets) == 1 and coded:
        return "both"
    return "different"


# ---------------------------------------------------------------------------
# Text report
# ---------------------------------------------------------------------------


def _alpha_flag(value: float) -> str:
    if value >= ALPHA_RELIABLE:
        return "reliable"
    if value >= ALPHA_TENTATIVE:
        return "tentative"
    return "unreliable"


def _kappa_flag(value: float) -> str:
    """Landis & Koch (1977) bands."""
    if value < 0:
        return "poor"
    if value <= 0.20:
        return "slight"
    if value <= 0.40:
        return "fair"
    if value <= 0.60:
        return "moderate"
    if value <= 0.80:
        return "substantial"
    return "almost perfect"


_STAT_NAMES = {
    "krippendorff_alpha": "Krippendorff's alpha (nominal)",
    "cohen_kappa": "Cohen's kappa",
    "fleiss_kappa": "Fleiss' kappa",
}


def _report_rows(result: dict) -> list[list[str]]:
    coders = result["coders"]
    m = len(coders)
    rows: list[list[str]] = []

    def pct(x: float | None) -> str:
        return "n/a" if x is None else f"{x * 100:.1f}%"

    def stat_row(theme: str, level: str, n: int, pa: float | None, stat: str,
                 value: float | None, reason: str | None) -> None:
        if value is None:
            shown, flag = "n/a", _SHORT_REASONS.get(reason or "", reason or "undefined")
        else:
            shown = f"{value:.3f}"
            flag = _alpha_flag(value) if stat == "krippendorff_alpha" else _kappa_flag(value)
        rows.append([theme, level, str(n), pct(pa), _STAT_NAMES[stat], shown, flag])

    for theme, levels in result["themes"].items():
        for level, d in levels.items():
            if level in ("paragraph", "document"):
                stats = ["krippendorff_alpha"]
                if level == "paragraph":
                    stats.append("cohen_kappa" if m == 2 else "fleiss_kappa")
                reasons = d.get("null_reasons", {})
                for stat in stats:
                    stat_row(theme, level, d["n_units"], d["percent_agreement"], stat, d[stat],
                             reasons.get(stat))
            else:
                for name, entry in d["pairs"].items():
                    reason = entry.get("null_reasons", {}).get("cohen_kappa")
                    stat_row(theme, f"char {name}", entry["n"], entry["percent_agreement"],
                             "cohen_kappa", entry["cohen_kappa"], reason)
                if m > 2:
                    reason = d.get("null_reasons", {}).get("krippendorff_alpha")
                    stat_row(theme, "char all", d["n"], d["percent_agreement"], "krippendorff_alpha",
                             d["krippendorff_alpha"], reason)
    return rows


def format_report(result: dict) -> str:
    """The result of ``compute_agreement`` as a fixed-width text table with a legend."""
    coders = result["coders"]
    header = ["Theme", "Level", "n", "Agree", "Statistic", "Value", "Assessment"]
    rows = _report_rows(result)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    right = {2, 3, 5}

    def line(cells: Sequence[str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            out.append(cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]))
        return "  ".join(out).rstrip()

    overlap = result["min_overlap"]
    lines = [
        f"Inter-coder agreement: {', '.join(coders)}; {len(result['documents'])} document(s); "
        f"roll-up {'on' if result['rollup'] else 'off'}; "
        f"minimum overlap {overlap} character{'s' if overlap != 1 else ''}",
        "",
        line(header),
        "  ".join("-" * w for w in widths),
    ]
    lines.extend(line(r) for r in rows)
    lines += [
        "",
        "Levels: paragraph = a coder has the theme in a paragraph when at least the minimum overlap of",
        "  their coded characters falls inside it; char = every character, per pair of coders, pooled",
        "  over documents (as NVivo's coding comparison); document = the theme is used in the document.",
        "Agree: share of units on which all coders agree (for characters: share of characters the pair",
        "  coded alike).",
        "Krippendorff's alpha (nominal): chance-corrected agreement for any number of coders;",
        f"  >= {ALPHA_RELIABLE:.3f} reliable, {ALPHA_TENTATIVE:.3f}-{ALPHA_RELIABLE:.3f} tentative,"
        " below unreliable.",
        "Cohen's kappa (two coders) and Fleiss' kappa (three or more): chance-corrected agreement; bands",
        "  of Landis & Koch: < 0 poor, 0-0.20 slight, 0.21-0.40 fair, 0.41-0.60 moderate,",
        "  0.61-0.80 substantial, 0.81-1 almost perfect.",
        "n/a: the value is undefined (no variation to correct for chance) or does not apply; the reason",
        "  follows it.",
    ]
    return "\n".join(lines) + "\n"
