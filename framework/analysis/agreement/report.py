"""The agreement result as a text table with assessments and a legend."""

from __future__ import annotations

from collections.abc import Sequence

from framework.analysis.agreement.model import ALPHA_RELIABLE, ALPHA_TENTATIVE
from framework.analysis.agreement.reasons import SHORT_REASONS


def alpha_flag(value: float) -> str:
    if value >= ALPHA_RELIABLE:
        return "reliable"
    if value >= ALPHA_TENTATIVE:
        return "tentative"
    return "unreliable"


def kappa_flag(value: float) -> str:
    """Landis & Koch (1977) bands."""
    if value < 0:
        return "poor"
    if value <= 0.20:
        return "slight"
    if value <= 0.40:
        return "fair"
    if value <= 0.60:
        return "moderate"
    if value <= 0.80:
        return "substantial"
    return "almost perfect"


STAT_NAMES = {
    "krippendorff_alpha": "Krippendorff's alpha (nominal)",
    "cohen_kappa": "Cohen's kappa",
    "fleiss_kappa": "Fleiss' kappa",
}


def _report_rows(result: dict) -> list[list[str]]:
    coders = result["coders"]
    m = len(coders)
    rows: list[list[str]] = []

    def pct(x: float | None) -> str:
        return "n/a" if x is None else f"{x * 100:.1f}%"

    def stat_row(theme: str, level: str, n: int, pa: float | None, stat: str,
                 value: float | None, reason: str | None) -> None:
        if value is None:
            shown, flag = "n/a", SHORT_REASONS.get(reason or "", reason or "undefined")
        else:
            shown = f"{value:.3f}"
            flag = alpha_flag(value) if stat == "krippendorff_alpha" else kappa_flag(value)
        rows.append([theme, level, str(n), pct(pa), STAT_NAMES[stat], shown, flag])

    flagged = result.get("themes_left_out", {})
    for theme_id, levels in result["themes"].items():
        theme = theme_id + ("*" if theme_id in flagged else "")
        for level, d in levels.items():
            if level in ("paragraph", "document"):
                stats = ["krippendorff_alpha"]
                if level == "paragraph":
                    stats.append("cohen_kappa" if m == 2 else "fleiss_kappa")
                reasons = d.get("null_reasons", {})
                for stat in stats:
                    stat_row(theme, level, d["n_units"], d["percent_agreement"], stat, d[stat],
                             reasons.get(stat))
            else:
                for name, entry in d["pairs"].items():
                    reason = entry.get("null_reasons", {}).get("cohen_kappa")
                    stat_row(theme, f"char {name}", entry["n"], entry["percent_agreement"],
                             "cohen_kappa", entry["cohen_kappa"], reason)
                if m > 2:
                    reason = d.get("null_reasons", {}).get("krippendorff_alpha")
                    stat_row(theme, "char all", d["n"], d["percent_agreement"], "krippendorff_alpha",
                             d["krippendorff_alpha"], reason)
    return rows


def format_report(result: dict) -> str:
    """The result of ``compute_agreement`` as a fixed-width text table with a legend."""
    coders = result["coders"]
    header = ["Theme", "Level", "n", "Agree", "Statistic", "Value", "Assessment"]
    rows = _report_rows(result)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    right = {2, 3, 5}

    def line(cells: Sequence[str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            out.append(cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]))
        return "  ".join(out).rstrip()

    overlap = result["min_overlap"]
    left = len(result.get("left_out", []))
    lines = [
        f"Inter-coder agreement: {', '.join(coders)}; {len(result['documents'])} document(s)"
        + (f" ({left} left out, listed below)" if left else "") + "; "
        f"roll-up {'on' if result['rollup'] else 'off'}; "
        f"minimum overlap {overlap} character{'s' if overlap != 1 else ''}",
        "",
        line(header),
        "  ".join("-" * w for w in widths),
    ]
    lines.extend(line(r) for r in rows)
    lines += left_out_lines(result)
    lines += [
        "",
        "Levels: paragraph = a coder has the theme in a paragraph when at least the minimum overlap of",
        "  their coded characters falls inside it; char = every character, per pair of coders, pooled",
        "  over documents (as NVivo's coding comparison); document = the theme is used in the document.",
        "Agree: share of units on which all coders agree (for characters: share of characters the pair",
        "  coded alike).",
        "Krippendorff's alpha (nominal): chance-corrected agreement for any number of coders;",
        f"  >= {ALPHA_RELIABLE:.3f} reliable, {ALPHA_TENTATIVE:.3f}-{ALPHA_RELIABLE:.3f} tentative,"
        " below unreliable.",
        "Cohen's kappa (two coders) and Fleiss' kappa (three or more): chance-corrected agreement; bands",
        "  of Landis & Koch: < 0 poor, 0-0.20 slight, 0.21-0.40 fair, 0.41-0.60 moderate,",
        "  0.61-0.80 substantial, 0.81-1 almost perfect.",
        "n/a: the value is undefined (no variation to correct for chance) or does not apply; the reason",
        "  follows it.",
    ]
    return "\n".join(lines) + "\n"


def left_out_lines(result: dict) -> list[str]:
    """The documents left out of a comparison and why, and the themes coded there."""
    left = result.get("left_out", [])
    themes = result.get("themes_left_out", {})
    lines: list[str] = []
    if left:
        lines += ["", f"Left out of this comparison ({len(left)} document{'s' if len(left) != 1 else ''}; "
                  "name documents with --documents to compare them):"]
        lines += [f"  {x['document']}: {x['reason']}" for x in left]
    for in_table, heading in ((True, "* Themes also coded in the documents left out (the values above do not "
                                      "count these codings):"),
                              (False, "Themes coded only in the documents left out (not in the table):")):
        rows = [(t, v) for t, v in themes.items() if v["in_table"] is in_table]
        if rows:
            lines += ["", heading]
            for theme, v in rows:
                where = "; ".join(f"{coder} {sum(per.values())} in {', '.join(sorted(per))}"
                                  for coder, per in v["codings"].items())
                lines.append(f"  {theme}: {where}")
    return lines
