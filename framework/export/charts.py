"""Exporting charts: build them for a layer, then write them in the chosen format.

Before writing, a chart set can be made fit for a write-up: cases with nothing coded or
written left out (:func:`without_empty_cases`, for a survey of many respondents), and
case ids replaced by labels made of their attributes (:func:`labelled`, such as
"Director 2" from ``role``), since a case id can itself identify someone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from framework.analysis.charting import Cell, ChartSet, GroupCount, Mapping, build_charts, mapping
from framework.confidentiality.key import Pseudonymiser
from framework.errors import InputError
from framework.export.common import check_mode
from framework.export.options import FORMATS, TABLE_FORMATS
from framework.export.pseudonymise import Masking, check_key, log_export, pseudonymise_charts, pseudonymise_mapping
from framework.export.staging import staged
from framework.store import Store


def export_chart_set(
    charts: ChartSet, fmt: str, directory: Path, *, mode: str = "both", force: bool = False,
    long: bool = False, presence: bool = False, store: Store | None = None, key: Pseudonymiser | None = None,
    coder: str | None = None, skip_empty: bool = False, label: str | None = None, refs: str | None = None,
    stem: str | None = None,
) -> list[Path]:
    """Write built charts; returns the files written. HTML adds the mapping when given the store.
    ``stem`` names the files (``stem.xlsx``; ``stem-long.csv`` where there are several)
    instead of ``charts-<layer>``.

    With ``key`` every text written is pseudonymised (this needs the store, for the document
    texts the passages are cut from), and every file is checked for the key's terms before it
    is given its name. ``refs`` (``none``, ``pseudonymised``, ``full``; by default
    ``pseudonymised`` with a key, else ``full``) is how references to passages are written.
    Given the store, the export is logged (as ``coder``). ``skip_empty`` leaves out the cases
    with nothing in these charts; ``label`` names the cases by an attribute or a pattern of
    attributes (see :func:`labelled`).
    """
    check_mode(mode)
    if fmt not in FORMATS:
        raise InputError(f"format {fmt!r}: choose one of {', '.join(FORMATS)}.")
    if (long or presence) and fmt not in TABLE_FORMATS:
        raise InputError(f"the long and presence tables are written as md or csv, not {fmt}; "
                         "add --format csv (or md).")
    if (key is not None or refs is not None) and store is None:
        raise InputError("a pseudonymised export needs the project's store (the passages are replaced "
                         "within their documents).")
    check_key(key, store, directory)
    cases = len(charts.rows)
    if skip_empty:
        charts = without_empty_cases(charts)
    labels = case_labels(charts, label) if label else None
    if labels is not None:
        charts = labelled(charts, labels)
    masking = Masking.make(store, key, refs) if store is not None else None
    with staged(key):
        paths = _write(charts, fmt, directory, mode, force, long, presence, store, masking, labels, stem)
    if store is not None:
        extra: dict[str, object] = {"label": label} if label else {}
        if skip_empty:
            extra["left_out"] = cases - len(charts.rows)
        log_export(store, coder, fmt, paths, key, export="charts", layer=charts.layer,
                   themes=[c.theme.id for c in charts.charts], **extra)
    return paths


def _write(
    original: ChartSet, fmt: str, directory: Path, mode: str, force: bool, long: bool, presence: bool,
    store: Store | None, masking: Masking | None, labels: dict[str, str] | None = None, stem: str | None = None,
) -> list[Path]:
    key = masking.key if masking is not None else None
    charts = original if masking is None or not masking.changes else pseudonymise_charts(original, key, store, masking)
    pseudonymised = key is not None
    if fmt == "xlsx":
        from framework.export.xlsx import export_xlsx

        return export_xlsx(charts, directory, mode=mode, force=force, pseudonymised=pseudonymised, stem=stem)
    if fmt == "docx":
        from framework.export.docx import export_docx

        return export_docx(charts, directory, mode=mode, force=force, pseudonymised=pseudonymised, stem=stem)
    if fmt == "html":
        from framework.export.html import export_html

        seen: dict[int, object] = {}
        for chart in original.charts:
            for cell in chart.cells.values():
                seen.update((e.coding_id, e) for e in cell.extracts)
        by = original.group_by[0] if original.group_by else None
        table = None if store is None else mapping(
            store, original.layer, by=by, theme_ids=[c.theme.id for c in original.charts],
            extracts=list(seen.values()))
        if table is not None and labels is not None:
            table = labelled_mapping(table, labels)
        if table is not None and key is not None:
            table = pseudonymise_mapping(table, key, charts, masking)
        return export_html(charts, directory, mode=mode, force=force, mapping=table, pseudonymised=pseudonymised,
                           stem=stem)
    if fmt == "md":
        from framework.export.markdown import export_markdown

        return export_markdown(charts, directory, mode=mode, force=force, long=long, presence=presence,
                               pseudonymised=pseudonymised, stem=stem)
    from framework.export.csv import export_csv

    return export_csv(charts, directory, mode=mode, force=force, long=long, presence=presence, stem=stem)


def export_charts(
    store: Store, layer: str, fmt: str, directory: Path, *, theme_ids: Sequence[str] | None = None,
    mode: str = "both", group_by: Sequence[str] = (), force: bool = False, long: bool = False,
    presence: bool = False, key: Pseudonymiser | None = None, coder: str | None = None,
    skip_empty: bool = False, label: str | None = None, refs: str | None = None, stem: str | None = None,
) -> list[Path]:
    """Build the charts of ``layer`` and write them as ``fmt`` into ``directory``.

    ``key`` pseudonymises everything written; ``refs`` is how references are written;
    ``coder`` is who the action log names (default ``export``); ``skip_empty``, ``label`` and
    ``refs`` as for :func:`export_chart_set`.
    """
    check_mode(mode)
    if fmt not in FORMATS:
        raise InputError(f"format {fmt!r}: choose one of {', '.join(FORMATS)}.")
    charts = build_charts(store, layer, theme_ids=theme_ids, group_by=group_by)
    return export_chart_set(charts, fmt, directory, mode=mode, force=force, long=long, presence=presence,
                            store=store, key=key, coder=coder, skip_empty=skip_empty, label=label,
                            refs=refs, stem=stem)


# -- fit for a write-up --------------------------------------------------------------------------


def has_content(cell: Cell) -> bool:
    """Something coded or written in the cell."""
    return bool(cell.extracts or cell.summary.strip())


def without_empty_cases(charts: ChartSet) -> ChartSet:
    """The charts without the cases that have nothing coded or written in any of them."""
    used = {case_id for chart in charts.charts for (case_id, _), cell in chart.cells.items() if has_content(cell)}
    return _with_rows(charts, [r for r in charts.rows if r.case.id in used])


def case_labels(charts: ChartSet, label: str) -> dict[str, str]:
    """Each case's name -> its label: the value of the attribute ``label``, or a pattern of
    attributes (``"{role}, {authority_type}"``). A label shared by several cases is
    numbered in row order ("Director 1", "Director 2"), so every row stays distinct."""
    from framework.export.quotes import pattern_fields

    pattern = label if "{" in label else "{" + label + "}"
    known = set(charts.attributes)
    for name in pattern_fields(pattern):
        if name not in known:
            listed = ", ".join(charts.attributes) or "none yet"
            raise InputError(f"label {label!r} names {name!r}, which is not a case attribute (attributes: {listed}).")
    fields = pattern_fields(pattern)
    bases: dict[str, str] = {}
    for r in charts.rows:
        values = {name: r.case.attributes.get(name, "").strip() for name in fields}
        missing = [name for name, value in values.items() if not value]
        if missing:
            raise InputError(f"case {r.case.name!r} has no value for {missing[0]!r}, which the label {label!r} "
                             "uses; give it one (framework cases import) or label the cases by another attribute.")
        bases[r.case.name] = pattern.format_map(values).strip()
    counts: dict[str, int] = {}
    for text in bases.values():
        counts[text] = counts.get(text, 0) + 1
    seen: dict[str, int] = {}
    labels = {}
    for name, text in bases.items():
        if counts[text] > 1:
            seen[text] = seen.get(text, 0) + 1
            text = f"{text} {seen[text]}"
        labels[name] = text
    return labels


def labelled(charts: ChartSet, labels: dict[str, str]) -> ChartSet:
    """The charts with each case named by its label, rows sorted by label within their groups."""
    group_rank: dict[tuple[str, ...], int] = {}
    for r in charts.rows:
        group_rank.setdefault(r.group, len(group_rank))
    rows = [replace(r, case=replace(r.case, name=labels.get(r.case.name, r.case.name))) for r in charts.rows]
    rows.sort(key=lambda r: (group_rank[r.group], _natural(r.case.name)))
    return _with_rows(charts, rows)


def labelled_mapping(table: Mapping, labels: dict[str, str]) -> Mapping:
    """The mapping with the cases behind each number named by their labels."""
    def group(g: GroupCount) -> GroupCount:
        return replace(g, cases=tuple(sorted((labels.get(c, c) for c in g.cases), key=_natural)))

    return replace(table, rows=[replace(r, all=group(r.all), groups=tuple(group(g) for g in r.groups))
                                for r in table.rows])


def _natural(text: str) -> list[object]:
    """A sort key that puts "Director 2" before "Director 10"."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part.casefold()) for part in re.split(r"(\d+)", text)]


def _with_rows(charts: ChartSet, rows: list) -> ChartSet:
    charts_out = []
    for chart in charts.charts:
        one = replace(chart, rows=rows)
        charts_out.append(one)
    return replace(charts, rows=rows, charts=charts_out)
