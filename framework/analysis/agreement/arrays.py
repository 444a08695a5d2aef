"""The interval arithmetic of agreement on whole arrays at once (NumPy), for every theme,
document and coder together.

Every coder's spans of a theme in a document are merged; the merged stretches then give
the three levels without ever visiting a character:

- **characters**: the stretches of all coders are cut into segments where the set of
  coders is constant (a bit mask per segment, from a running sum of ``+bit``/``-bit``
  events); the length of the segments per mask gives every pair's 2x2 table and the
  coverage histogram;
- **paragraphs**: each stretch is laid over the paragraph ranges found by binary search;
  a coder has the theme in a paragraph holding at least ``min_overlap`` of their
  characters;
- **documents**: a coder has the theme in a document holding at least ``min_overlap``
  of their characters.

The results are counts keyed by bit masks (bit ``i`` = the ``i``-th coder), which
:mod:`framework.analysis.agreement.levels` turns into statistics.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

Int = np.int64


@dataclass(frozen=True)
class Merged:
    """Merged stretches: theme, document and coder indices, start and end (per document)."""

    theme: np.ndarray
    doc: np.ndarray
    coder: np.ndarray
    start: np.ndarray
    end: np.ndarray


def merge(theme: np.ndarray, doc: np.ndarray, coder: np.ndarray, start: np.ndarray, end: np.ndarray,
          n_docs: int, n_coders: int) -> Merged:
    """Sort the spans and merge the overlapping or touching ones of each (theme, document, coder)."""
    if not len(start):
        empty = np.zeros(0, dtype=Int)
        return Merged(empty, empty, empty, empty, empty)
    group = (theme * n_docs + doc) * n_coders + coder
    packed = _packed((start, group))
    order = np.argsort(packed, kind="stable") if packed is not None else np.lexsort((start, group))
    group, start, end = group[order], start[order], end[order]
    span = int(end.max()) + 1
    reach = np.maximum.accumulate(group * span + end) - group * span  # the furthest end so far, per group
    first = np.ones(len(start), dtype=bool)
    first[1:] = (group[1:] != group[:-1]) | (start[1:] > reach[:-1])
    at = np.flatnonzero(first)
    keys = group[at]
    return Merged(keys // (n_docs * n_coders), (keys // n_coders) % n_docs, keys % n_coders,
                  start[at], np.maximum.reduceat(end, at))


def _packed(keys: tuple[np.ndarray, ...]) -> np.ndarray | None:
    """The keys (last one most significant) as one non-negative int64, or None when they do not fit."""
    packed = np.zeros(len(keys[0]), dtype=Int)
    room = 1
    for key in keys:
        if len(key) and (key.min() < 0):
            return None
        size = int(key.max()) + 1 if len(key) else 1
        room *= size
        if room >= 2**62:
            return None
    scale = 1
    for key in keys:
        packed += key * scale
        scale *= int(key.max()) + 1 if len(key) else 1
    return packed


def _runs(*keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The order that sorts rows by ``keys`` (last one first) and where each run of equal keys starts."""
    packed = _packed(keys)
    if packed is not None:
        order = np.argsort(packed, kind="stable")
        k = packed[order]
        changed = np.ones(len(order), dtype=bool)
        changed[1:] = k[1:] != k[:-1]
        return order, np.flatnonzero(changed)
    order = np.lexsort(keys)
    changed = np.zeros(len(order), dtype=bool)
    if len(order):
        changed[0] = True
        for key in keys:
            k = key[order]
            changed[1:] |= k[1:] != k[:-1]
    return order, np.flatnonzero(changed)


def _counted(rows: int, slots: int) -> bool:
    """Whether to sum groups by counting into a table of ``slots`` (cheap while the table is not
    much bigger than the rows) rather than by sorting."""
    return slots <= max(1 << 16, 8 * rows)


def grouped(keys: tuple[np.ndarray, ...], weights: np.ndarray | None = None
            ) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """The distinct combinations of ``keys`` (the last one most significant) and, for each,
    the sum of its rows' ``weights`` (or its number of rows), in key order. Combinations
    whose sum is 0 are left out."""
    sizes = [int(k.max()) + 1 if len(k) else 1 for k in keys]
    slots = 1
    for size in sizes:
        slots *= size
    if len(keys[0]) and _counted(len(keys[0]), slots) and all(int(k.min()) >= 0 for k in keys):
        packed = np.zeros(len(keys[0]), dtype=Int)
        scale = 1
        for key, size in zip(keys, sizes):
            packed += key * scale
            scale *= size
        sums = np.bincount(packed, weights=weights, minlength=slots)
        where = np.flatnonzero(sums)
        out = []
        for size in sizes:
            out.append(where % size)
            where = where // size
        return tuple(out), sums[np.flatnonzero(sums)].astype(Int)
    order, at = _runs(*keys)
    values = np.ones(len(order), dtype=Int) if weights is None else weights[order]
    sums = np.add.reduceat(values, at) if len(at) else np.zeros(0, dtype=Int)
    rows = order[at]
    keep = sums != 0
    return tuple(k[rows][keep] for k in keys), sums[keep]


def mask_lengths(m: Merged, n_docs: int, by_document: bool) -> dict[tuple[int, ...], dict[int, int]]:
    """Characters per coder mask: ``{(theme,): {mask: length}}``, or per ``(theme, doc)``."""
    if not len(m.start):
        return {}
    where = m.theme * n_docs + m.doc
    bits = np.left_shift(np.ones(len(m.coder), dtype=Int), m.coder)
    pos = np.concatenate([m.start, m.end])
    delta = np.concatenate([bits, -bits])
    key = np.concatenate([where, where])
    packed = _packed((pos, key))
    order = np.argsort(packed, kind="stable") if packed is not None else np.lexsort((pos, key))
    pos, delta, key = pos[order], delta[order], key[order]
    mask = np.cumsum(delta)  # each coder's stretches are disjoint: the sum of bits is the set of coders
    length = np.zeros(len(pos), dtype=Int)
    same = key[1:] == key[:-1]
    length[:-1] = np.where(same, pos[1:] - pos[:-1], 0)
    keep = (mask != 0) & (length > 0)
    mask, length, key = mask[keep], length[keep], key[keep]
    theme, doc = key // n_docs, key % n_docs
    out: dict[tuple[int, ...], dict[int, int]] = {}
    if by_document:
        (mask_of, doc_of, theme_of), totals = grouped((mask, doc, theme), length)
        for t, d, mk, total in zip(theme_of.tolist(), doc_of.tolist(), mask_of.tolist(), totals.tolist()):
            out.setdefault((t, d), {})[mk] = total
    else:
        (mask_of, theme_of), totals = grouped((mask, theme), length)
        for t, mk, total in zip(theme_of.tolist(), mask_of.tolist(), totals.tolist()):
            out.setdefault((t,), {})[mk] = total
    return out


def _mask_counts(held: tuple[np.ndarray, np.ndarray, np.ndarray]) -> dict[int, Counter[int]]:
    """Per theme, how many places (units or documents) have each mask of coders, from the
    (place, coder, theme) combinations that hold the theme."""
    place, coder, theme = held
    bits = np.left_shift(np.ones(len(coder), dtype=Int), coder)
    (place_of, theme_of), masks = grouped((place, theme), bits)  # distinct coders: the sum of bits is their mask
    (mask_of, theme_of), sizes = grouped((masks, theme_of))
    counts: dict[int, Counter[int]] = {}
    for t, mk, n in zip(theme_of.tolist(), mask_of.tolist(), sizes.tolist()):
        counts.setdefault(t, Counter())[mk] = n
    return counts


def unit_masks(m: Merged, doc_offset: np.ndarray, unit_start: np.ndarray, unit_end: np.ndarray,
               min_overlap: int, *, listed: bool = False
               ) -> tuple[dict[int, Counter[int]], dict[tuple[int, int], list[int]]]:
    """Per theme, paragraphs counted by the mask of coders who have the theme there; and per
    (theme, coder) the paragraphs (global indices) they have it in (when ``listed``).

    ``unit_start``/``unit_end`` are every paragraph in global positions (document offset +
    position), sorted; ``doc_offset`` gives each document's offset.
    """
    present: dict[tuple[int, int], list[int]] = {}
    if not len(m.start) or not len(unit_start):
        return {}, present
    s = doc_offset[m.doc] + m.start
    e = doc_offset[m.doc] + m.end
    first = np.searchsorted(unit_end, s, side="right")
    last = np.searchsorted(unit_start, e, side="left") - 1
    many = np.maximum(last - first + 1, 0)
    stretch = np.repeat(np.arange(len(s)), many)
    step = np.arange(len(stretch)) - np.repeat(np.cumsum(many) - many, many)
    unit = first[stretch] + step
    chars = np.minimum(e[stretch], unit_end[unit]) - np.maximum(s[stretch], unit_start[unit])
    (unit, coder, theme), summed = grouped((unit, m.coder[stretch], m.theme[stretch]), chars)
    held = summed >= min_overlap
    unit, coder, theme = unit[held], coder[held], theme[held]
    if listed:
        for t, c, u in zip(theme.tolist(), coder.tolist(), unit.tolist()):
            present.setdefault((t, c), []).append(u)
    return _mask_counts((unit, coder, theme)), present


def document_masks(m: Merged, min_overlap: int, *, listed: bool = False
                   ) -> tuple[dict[int, Counter[int]], dict[tuple[int, int], set[int]]]:
    """Per theme, documents counted by the mask of coders with at least ``min_overlap``
    characters of the theme there; and per (theme, coder) those documents (when ``listed``)."""
    present: dict[tuple[int, int], set[int]] = {}
    if not len(m.start):
        return {}, present
    (doc, coder, theme), totals = grouped((m.doc, m.coder, m.theme), m.end - m.start)
    held = totals >= min_overlap
    doc, coder, theme = doc[held], coder[held], theme[held]
    if listed:
        for t, c, d in zip(theme.tolist(), coder.tolist(), doc.tolist()):
            present.setdefault((t, c), set()).add(d)
    return _mask_counts((doc, coder, theme)), present


def global_units(documents: Mapping[str, int], units: Mapping[str, tuple[Sequence[int], Sequence[int], int]]
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Document offsets and every paragraph's start and end in global positions."""
    lengths = np.fromiter(documents.values(), dtype=Int, count=len(documents))
    offsets = np.zeros(len(lengths), dtype=Int)
    if len(lengths):
        offsets[1:] = np.cumsum(lengths)[:-1]
    starts, ends = [], []
    for i, doc in enumerate(documents):
        if doc in units:
            s, e, _ = units[doc]
            starts.append(np.asarray(s, dtype=Int) + offsets[i])
            ends.append(np.asarray(e, dtype=Int) + offsets[i])
    if not starts:
        return offsets, np.zeros(0, dtype=Int), np.zeros(0, dtype=Int)
    return offsets, np.concatenate(starts), np.concatenate(ends)
