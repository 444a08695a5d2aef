"""Charts as one self-contained web page: every chart, the mapping heat map, ready to print.

No scripts, fonts or images are fetched: the styles are inline and the page works
offline. All text is escaped. Printed, each chart starts on a new landscape page and its
header row repeats.
"""

from __future__ import annotations

import html
from pathlib import Path

from framework.analysis.charting import Cell, Chart, ChartSet, Mapping
from framework.export.common import base_name, check_mode, clean, heat_level, percent, row_head, row_values, write_file
from framework.export.pseudonymise import PSEUDONYM_NOTE

CSS = """
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; }
nav ul { columns: 2; } .meta { color: #555; }
table { border-collapse: collapse; width: 100%; margin: .5em 0 1.5em; }
th, td { border: 1px solid #bbb; padding: .35em .5em; vertical-align: top; text-align: left; }
thead th { background: #dde3ea; position: sticky; top: 0; }
tbody th { background: #f4f6f8; white-space: nowrap; }
td p { margin: 0 0 .4em; } .extract { font-size: .92em; } .extract q { font-style: italic; }
.ref { color: #444; white-space: nowrap; } .memo { color: #666; }
td.draft { border-left: 3px solid #f28e2b; } td.done { border-left: 3px solid #59a14f; }
.legend .mark { padding: 0 .4em; border-left: 3px solid transparent; margin-right: .6em; }
.legend .mark.draft { border-left-color: #f28e2b; } .legend .mark.done { border-left-color: #59a14f; }
.legend .swatch { display: inline-block; padding: 0 .45em; border: 1px solid #ddd; margin-left: .2em; }
.map td.none, .legend .swatch.none { color: #999; background: #fff; }
tr.group th { background: #eef1f4; font-weight: 600; }
.map td { text-align: right; white-space: nowrap; } .map td.theme { text-align: left; }
.d1 { padding-left: 1.5em !important; } .d2 { padding-left: 3em !important; } .d3 { padding-left: 4.5em !important; }
@media print {
  body { margin: 0; font-size: 9pt; } nav { display: none; }
  section.chart, section.mapping { page-break-before: always; }
  thead { display: table-header-group; } tr { page-break-inside: avoid; }
  thead th { position: static; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  @page { size: A4 landscape; margin: 1.2cm; }
}
"""


def esc(text: str) -> str:
    return html.escape(clean(text), quote=True)


def _anchor(theme_id: str) -> str:
    return "chart-" + "".join(ch if ch.isalnum() else "-" for ch in theme_id)


def _cell(cell: Cell, mode: str) -> str:
    parts = []
    if mode in ("summaries", "both") and cell.summary.strip():
        parts += [f"<p>{esc(line)}</p>" for line in cell.summary.strip().split("\n") if line.strip()]
    if mode in ("extracts", "both"):
        for e in cell.extracts:
            memo = f' <span class="memo">(memo: {esc(e.memo.strip())})</span>' if e.memo.strip() else ""
            ref = f' <span class="ref">{esc(e.reference)}</span>' if e.reference else ""
            parts.append(f'<p class="extract"><q>{esc(" ".join(e.quote.split()))}</q>{ref}{memo}</p>')
    status = f' class="{cell.status}"' if cell.status in ("draft", "done") else ""
    return f"<td{status}>{''.join(parts)}</td>"


def chart_html(charts: ChartSet, chart: Chart, mode: str) -> str:
    head = row_head(charts) + [c.heading for c in chart.columns]
    out = [f'<section class="chart" id="{_anchor(chart.theme.id)}"><h2>{esc(chart.title)}</h2>',
           "<table><thead><tr>", *(f'<th scope="col">{esc(h)}</th>' for h in head), "</tr></thead><tbody>"]
    for group, rows in charts.groups():
        if charts.group_by:
            label = " · ".join(group)
            out.append(f'<tr class="group"><th colspan="{len(head)}">{esc(label)}</th></tr>')
        for r in rows:
            name, *attrs = row_values(charts, r.case.attributes, r.case.name)
            out.append(f'<tr><th scope="row">{esc(name)}</th>' + "".join(f"<td>{esc(a)}</td>" for a in attrs))
            out.extend(_cell(chart.cell(r.case.id, c), mode) for c in chart.columns)
            out.append("</tr>")
    out.append("</tbody></table></section>")
    return "".join(out)


def heat_colour(share: float) -> str:
    """White to mid blue by share (see :func:`heat_level`): dark text stays readable,
    printed or on screen, and a small share is still visibly tinted."""
    level = heat_level(share)
    low, high = (255, 255, 255), (0x6B, 0x9B, 0xD1)
    return "#" + "".join(f"{round(a + (b - a) * level):02x}" for a, b in zip(low, high))


def _heat(count: int, total: int, cases: tuple[str, ...], share: float) -> str:
    title = esc(", ".join(cases)) if cases else "none"
    pct = f" ({percent(share)})" if total else ""
    if not count:
        return f'<td class="none" title="{title}">{count}/{total}{pct}</td>'
    return f'<td style="background: {heat_colour(share)}" title="{title}">{count}/{total}{pct}</td>'


def _heat_legend() -> str:
    """The scale of the heat map, from a few per cent to all."""
    steps = "".join(f'<span class="swatch" style="background: {heat_colour(s)}">{percent(s)}</span>'
                    for s in (0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0))
    return f'<p class="meta legend">Share of cases: <span class="swatch none">none</span>{steps}</p>'


def _marks_legend() -> str:
    """What the marks on chart cells mean."""
    return ('<p class="meta legend">Cells: <span class="mark draft">draft summary</span> '
            '<span class="mark done">summary done</span> <span class="mark">no mark: no summary yet</span>; '
            "quoted passages are in italics, with their document and lines.</p>")


def mapping_html(m: Mapping) -> str:
    by = f" by {esc(m.by)}" if m.by else ""
    head = ["Theme", f"All cases ({m.total})", *(f"{v} ({n})" for v, n in m.values)]
    out = [f'<section class="mapping" id="mapping"><h2>Mapping: cases raising each theme{by}</h2>',
           '<p class="meta">Each number is the cases that raised the theme (any passage coded with it or a theme '
           "below it) out of the cases in the column; hover to see which.</p>", _heat_legend(),
           '<table class="map"><thead><tr>', *(f'<th scope="col">{esc(h)}</th>' for h in head), "</tr></thead><tbody>"]
    for row in m.rows:
        depth = f" d{min(row.depth, 3)}" if row.depth else ""
        cells = [_heat(g.count, g.total, g.cases, g.share) for g in (row.all, *row.groups)]
        out.append(f'<tr><td class="theme{depth}">{esc(row.theme.id)} {esc(row.theme.label)}</td>{"".join(cells)}</tr>')
    out.append("</tbody></table></section>")
    return "".join(out)


def write_html(charts: ChartSet, path: Path, mode: str = "both", mapping: Mapping | None = None,
               pseudonymised: bool = False) -> None:
    check_mode(mode)
    title = f"Framework charts ({charts.layer})"
    grouped = f"; rows grouped by {', '.join(charts.group_by)}" if charts.group_by else ""
    nav = "".join(f'<li><a href="#{_anchor(c.theme.id)}">{esc(c.title)}</a></li>' for c in charts.charts)
    if mapping is not None:
        nav += '<li><a href="#mapping">Mapping</a></li>'
    body = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        f'<p class="meta">{len(charts.rows)} cases{esc(grouped)}. References point to document and lines.</p>',
        f'<p class="meta">{esc(PSEUDONYM_NOTE)}</p>' if pseudonymised else "",
        _marks_legend(),
        f"<nav><ul>{nav}</ul></nav>",
        *(chart_html(charts, c, mode) for c in charts.charts),
        mapping_html(mapping) if mapping is not None else "",
        "</body></html>",
    ]
    path.write_text("\n".join(body) + "\n", encoding="utf-8")


def export_html(charts: ChartSet, directory: Path, *, mode: str = "both", force: bool = False,
                mapping: Mapping | None = None, pseudonymised: bool = False, stem: str | None = None) -> list[Path]:
    """``charts-<layer>.html`` (or ``chart-<id>-<layer>.html`` for one chart) in ``directory``."""
    name = (stem or base_name(charts)) + ".html"
    return [write_file(directory, name, force, lambda p: write_html(charts, p, mode, mapping, pseudonymised))]
