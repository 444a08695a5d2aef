"""Exporting charts: build them for a layer, then write them in the chosen format."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from framework.analysis.charting import ChartSet, build_charts, mapping
from framework.confidentiality.key import Pseudonymiser
from framework.errors import InputError
from framework.export.common import check_mode
from framework.export.options import FORMATS, TABLE_FORMATS
from framework.export.pseudonymise import check_key, log_export, pseudonymise_charts, pseudonymise_mapping
from framework.store import Store


def export_chart_set(
    charts: ChartSet, fmt: str, directory: Path, *, mode: str = "both", force: bool = False,
    long: bool = False, presence: bool = False, store: Store | None = None, key: Pseudonymiser | None = None,
    coder: str | None = None,
) -> list[Path]:
    """Write built charts; returns the files written. HTML adds the mapping when given the store.

    With ``key`` every text written is pseudonymised (this needs the store, for the document
    texts the passages are cut from). Given the store, the export is logged (as ``coder``).
    """
    check_mode(mode)
    if fmt not in FORMATS:
        raise InputError(f"format {fmt!r}: choose one of {', '.join(FORMATS)}.")
    if (long or presence) and fmt not in TABLE_FORMATS:
        raise InputError(f"the long and presence tables are written as md or csv, not {fmt}; "
                         "add --format csv (or md).")
    if key is not None and store is None:
        raise InputError("a pseudonymised export needs the project's store (the passages are replaced "
                         "within their documents).")
    check_key(key, store, directory)
    paths = _write(charts, fmt, directory, mode, force, long, presence, store, key)
    if store is not None:
        log_export(store, coder, fmt, paths, key, export="charts", layer=charts.layer,
                   themes=[c.theme.id for c in charts.charts])
    return paths


def _write(
    original: ChartSet, fmt: str, directory: Path, mode: str, force: bool, long: bool, presence: bool,
    store: Store | None, key: Pseudonymiser | None,
) -> list[Path]:
    charts = original if key is None or store is None else pseudonymise_charts(original, key, store)
    pseudonymised = key is not None
    if fmt == "xlsx":
        from framework.export.xlsx import export_xlsx

        return export_xlsx(charts, directory, mode=mode, force=force, pseudonymised=pseudonymised)
    if fmt == "docx":
        from framework.export.docx import export_docx

        return export_docx(charts, directory, mode=mode, force=force, pseudonymised=pseudonymised)
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
        if table is not None and key is not None:
            table = pseudonymise_mapping(table, key, charts)
        return export_html(charts, directory, mode=mode, force=force, mapping=table, pseudonymised=pseudonymised)
    if fmt == "md":
        from framework.export.markdown import export_markdown

        return export_markdown(charts, directory, mode=mode, force=force, long=long, presence=presence,
                               pseudonymised=pseudonymised)
    from framework.export.csv import export_csv

    return export_csv(charts, directory, mode=mode, force=force, long=long, presence=presence)


def export_charts(
    store: Store, layer: str, fmt: str, directory: Path, *, theme_ids: Sequence[str] | None = None,
    mode: str = "both", group_by: Sequence[str] = (), force: bool = False, long: bool = False,
    presence: bool = False, key: Pseudonymiser | None = None, coder: str | None = None,
) -> list[Path]:
    """Build the charts of ``layer`` and write them as ``fmt`` into ``directory``.

    ``key`` pseudonymises everything written; ``coder`` is who the action log names
    (default ``export``).
    """
    check_mode(mode)
    if fmt not in FORMATS:
        raise InputError(f"format {fmt!r}: choose one of {', '.join(FORMATS)}.")
    charts = build_charts(store, layer, theme_ids=theme_ids, group_by=group_by)
    return export_chart_set(charts, fmt, directory, mode=mode, force=force, long=long, presence=presence,
                            store=store, key=key, coder=coder)
