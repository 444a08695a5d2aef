"""The statistics of one level: presence per unit (paragraphs, documents) and character tables."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from framework.analysis.agreement.reasons import attach_notes, r6, variation_reason
from framework.analysis.agreement.statistics import alpha_binary, fleiss_binary, kappa_2x2


def presence_level(
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
    var_reason = variation_reason(n_units, n_marked, n_units - n_all)

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
        kappa = kappa_2x2(both, a_only, b_only, neither)
        entry: dict[str, Any] = {"percent_agreement": r6(pa), "cohen_kappa": r6(kappa)}
        pair_reasons: dict[str, str] = {}
        if pa is None:
            pair_reasons["percent_agreement"] = "no_units"
        if kappa is None:
            pair_reasons["cohen_kappa"] = variation_reason(n_units, both + a_only + b_only, n_units - both)
        attach_notes(entry, pair_reasons, level, (coders[i], coders[j]))
        pair_out[f"{coders[i]}|{coders[j]}"] = entry
        if pa is not None:
            pair_agree.append(pa)

    alpha = alpha_binary(hist) if n_units else None
    if alpha is None:
        reasons["krippendorff_alpha"] = var_reason
    if m == 2:
        cohen = kappa_2x2(
            masks.get(3, 0), masks.get(1, 0), masks.get(2, 0), n_none
        )
        if cohen is None:
            reasons["cohen_kappa"] = var_reason
    else:
        cohen = None
        reasons["cohen_kappa"] = "two_coders_only"
    if m >= 3:
        fleiss = fleiss_binary(hist)
        if fleiss is None:
            reasons["fleiss_kappa"] = var_reason
    else:
        fleiss = None
        reasons["fleiss_kappa"] = "three_coders_or_more"

    out: dict[str, Any] = {
        "n_units": n_units,
        "percent_agreement": r6(percent),
        "krippendorff_alpha": r6(alpha),
        "cohen_kappa": r6(cohen),
        "fleiss_kappa": r6(fleiss),
        "mean_pairwise_percent_agreement": r6(sum(pair_agree) / len(pair_agree)) if pair_agree else None,
        "units_coded": dict(zip(coders, coded)),
        "pairs": pair_out,
    }
    if out["mean_pairwise_percent_agreement"] is None:
        reasons["mean_pairwise_percent_agreement"] = "no_units"
    attach_notes(out, reasons, level)
    return out


def char_pair(both: int, n_a: int, n_b: int, size: int, a: str, b: str) -> dict[str, Any]:
    """The 2x2 character table of coders ``a`` and ``b`` and its statistics.

    ``a_only``/``b_only`` are the characters only the first/second coder of the
    pair (as named in ``"A|B"``) coded.
    """
    a_only = n_a - both
    b_only = n_b - both
    neither = size - n_a - n_b + both
    kappa = kappa_2x2(both, a_only, b_only, neither)
    alpha = alpha_binary([neither, a_only + b_only, both]) if size else None
    out: dict[str, Any] = {
        "n": size,
        "both": both,
        "a_only": a_only,
        "b_only": b_only,
        "neither": neither,
        "percent_agreement": r6((both + neither) / size) if size else None,
        "cohen_kappa": r6(kappa),
        "sum_ef": r6((n_a * n_b + (size - n_a) * (size - n_b)) / size) if size else None,
        "krippendorff_alpha": r6(alpha),
    }
    reasons: dict[str, str] = {}
    if not size:
        reasons["percent_agreement"] = "no_units"
    if kappa is None:
        reasons["cohen_kappa"] = variation_reason(size, n_a + n_b, size - both)
    if alpha is None:
        reasons["krippendorff_alpha"] = variation_reason(size, n_a + n_b, size - both)
    if not size:
        reasons["sum_ef"] = "no_units"
    attach_notes(out, reasons, "char", (a, b))
    return out
