"""Charts as CSV for R, SPSS or pandas: wide (one file per chart), long, and presence 0/1.

Files are UTF-8 with a byte-order mark (so spreadsheets read the accents right) and a
header row. Text that a spreadsheet would run as a formula starts with ``'``.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from framework.analysis.charting import ChartSet
from framework.export.common import (
    base_name,
    chart_name,
    chart_table,
    check_mode,
    csv_cell,
    long_table,
    part_names,
    presence_table,
    safe_stem,
    write_file,
)


def write_csv(path: Path, header: Sequence[Any], rows: Sequence[Sequence[Any]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([csv_cell(h) for h in header])
        writer.writerows([csv_cell(v) for v in row] for row in rows)


def export_csv(charts: ChartSet, directory: Path, *, mode: str = "both", force: bool = False,
               long: bool = False, presence: bool = False, stem: str | None = None) -> list[Path]:
    """Wide: ``chart-<id>-<layer>.csv`` per chart. ``long``: ``<base>-long.csv``; ``presence``:
    ``<base>-presence.csv`` (``<base>`` as :func:`base_name` gives it). A ``stem`` given names
    the one file (``stem.csv``) or starts each name (``stem-long.csv``, ``stem-1.csv``)."""
    check_mode(mode)
    written = []
    if long or presence:
        wanted = [(suffix, table) for on, suffix, table in ((long, "long", long_table),
                                                             (presence, "presence", presence_table)) if on]
        names = part_names(stem or base_name(charts), [suffix for suffix, _ in wanted], stem is not None)
        for name, (_, table) in zip(names, wanted):
            header, rows = table(charts)
            written.append(write_file(directory, f"{name}.csv", force,
                                      lambda p, h=header, r=rows: write_csv(p, h, r)))
        return written
    names: set[str] = set()
    for chart, given in zip(charts.charts, part_names(stem or "", [safe_stem(c.theme.id) for c in charts.charts],
                                                       True)):
        header, rows = chart_table(charts, chart, mode)
        name = base = given if stem is not None else chart_name(charts, chart)
        n = 2
        while name.casefold() in names:  # two ids that make the same file name
            name, n = f"{base}_{n}", n + 1
        names.add(name.casefold())
        written.append(write_file(directory, f"{name}.csv", force,
                                  lambda p, h=header, r=rows: write_csv(p, h, r)))
    return written
