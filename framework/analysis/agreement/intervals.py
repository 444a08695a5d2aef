"""Interval arithmetic: merging, measuring and intersecting coded stretches, never character by character."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence


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
