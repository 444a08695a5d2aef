"""Charts as Markdown: a table per chart (wide), or the long and presence tables."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from framework.analysis.charting import Cell, ChartSet, Extract, quoted
from framework.export.common import (
    base_name,
    check_mode,
    clean,
    long_table,
    part_names,
    presence_table,
    row_head,
    row_values,
    write_file,
)
from framework.export.pseudonymise import PSEUDONYM_NOTE


def md_cell(value: Any) -> str:
    """A table cell: pipes and backslashes escaped, ``<`` made harmless, lines joined by ``<br>``."""
    text = clean(str(value)).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
    return "<br>".join(line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def _emphasis(text: str) -> str:
    return text.replace("*", "\\*").replace("_", "\\_")


def md_extract(e: Extract) -> str:
    """``*“quote”* [doc L12-14]`` (and the memo)."""
    text = f"*{_emphasis(md_cell(quoted(e.quote)))}*"
    text += f" {md_cell(e.reference)}" if e.reference else ""
    return text + (f" (memo: {md_cell(e.memo.strip())})" if e.memo.strip() else "")


def _cell(cell: Cell, mode: str) -> str:
    parts = []
    if mode in ("summaries", "both") and cell.summary.strip():
        parts.append(md_cell(cell.summary.strip()))
    if mode in ("extracts", "both"):
        parts += [md_extract(e) for e in cell.extracts]
    return "<br>".join(parts)


def md_table(header: Sequence[Any], rows: Sequence[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(md_cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(md_cell(v) for v in row) + " |" for row in rows]
    return lines


def charts_markdown(charts: ChartSet, mode: str, pseudonymised: bool = False) -> str:
    lines = [f"# Framework charts ({md_cell(charts.layer)})", ""]
    if pseudonymised:
        lines += [f"*{PSEUDONYM_NOTE}*", ""]
    for chart in charts.charts:
        header = row_head(charts) + [c.heading for c in chart.columns]
        lines += [f"## {md_cell(chart.title)}", "",
                  "| " + " | ".join(md_cell(h) for h in header) + " |", "|" + "---|" * len(header)]
        for r in charts.rows:
            values = [md_cell(v) for v in row_values(charts, r.case.attributes, r.case.name)]
            values += [_cell(chart.cell(r.case.id, c), mode) for c in chart.columns]
            lines.append("| " + " | ".join(values) + " |")
        lines.append("")
    return "\n".join(lines)


def export_markdown(charts: ChartSet, directory: Path, *, mode: str = "both", force: bool = False,
                    long: bool = False, presence: bool = False, pseudonymised: bool = False,
                    stem: str | None = None) -> list[Path]:
    """``charts-<layer>.md`` (wide); with ``long`` ``charts-<layer>-long.md``; with ``presence``
    ``charts-<layer>-presence.md`` (``chart-<id>-<layer>`` for one chart). A ``stem`` given
    names the one file (``stem.md``) or starts each name (``stem-long.md``)."""
    check_mode(mode)
    base = stem or base_name(charts)
    written = []
    if long or presence:
        wanted = [(suffix, table) for on, suffix, table in ((long, "long", long_table),
                                                             (presence, "presence", presence_table)) if on]
        for name, (_, table) in zip(part_names(base, [s for s, _ in wanted], stem is not None), wanted):
            text = "\n".join(md_table(*table(charts))) + "\n"
            written.append(write_file(directory, f"{name}.md", force,
                                      lambda p, t=text: p.write_text(t, encoding="utf-8")))
        return written
    text = charts_markdown(charts, mode, pseudonymised)
    return [write_file(directory, f"{base}.md", force, lambda p: p.write_text(text, encoding="utf-8"))]
