"""The agreement statistics: Cohen's and Fleiss' kappa and Krippendorff's alpha (nominal)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from fractions import Fraction


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


def kappa_2x2(both: int, a_only: int, b_only: int, neither: int) -> float | None:
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


def alpha_binary(hist: Sequence[int]) -> float | None:
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


def fleiss_binary(hist: Sequence[int]) -> float | None:
    """Fleiss' kappa for presence data, from the same histogram as ``alpha_binary``."""
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
