"""What agreement is computed on and from: spans, segments, levels and thresholds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

LEVELS = ("paragraph", "char", "document")
"""The levels of comparison, in their usual order."""

ALPHA_RELIABLE = 0.800
ALPHA_TENTATIVE = 0.667


class Span(NamedTuple):
    """One coding: a coder applied a theme to ``[start, end)`` of a document (a tuple, so
    that a hundred thousand of them are cheap to make)."""

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
