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

The package: :mod:`~.model` (spans, levels), :mod:`~.intervals` (interval arithmetic),
:mod:`~.statistics` (kappa, alpha), :mod:`~.levels` (one level's statistics),
:mod:`~.compute` (:func:`compute_agreement`), :mod:`~.segments` (side by side),
:mod:`~.reasons` and :mod:`~.report` (the text table).
"""

from framework.analysis.agreement.compute import compute_agreement
from framework.analysis.agreement.intervals import (
    coverage_histogram,
    intersection_length,
    merge_intervals,
    total_length,
    unit_overlaps,
)
from framework.analysis.agreement.model import ALPHA_RELIABLE, ALPHA_TENTATIVE, LEVELS, Segment, Span
from framework.analysis.agreement.report import format_report
from framework.analysis.agreement.segments import compare_document
from framework.analysis.agreement.statistics import cohen_kappa, fleiss_kappa, krippendorff_alpha_nominal

__all__ = [
    "ALPHA_RELIABLE", "ALPHA_TENTATIVE", "LEVELS", "Segment", "Span", "cohen_kappa", "compare_document",
    "compute_agreement", "coverage_histogram", "fleiss_kappa", "format_report", "intersection_length",
    "krippendorff_alpha_nominal", "merge_intervals", "total_length", "unit_overlaps",
]
