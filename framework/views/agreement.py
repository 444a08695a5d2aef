"""What the agreement screen shows, computed without Textual: one line per theme (and, for
characters, per pair of coders) with its values, their assessments, sort keys and notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from framework.analysis.agreement.reasons import SHORT_REASONS, reason_text
from framework.analysis.agreement.report import STAT_NAMES, alpha_flag, kappa_flag

GOOD_FLAGS = {"reliable", "almost perfect", "substantial"}
FAIR_FLAGS = {"tentative", "moderate"}
LEVEL_NAMES = {"paragraph": "paragraphs", "char": "characters", "document": "documents"}


def flag(kind: str, value: float) -> str:
    """The text report's assessment of a value: alpha thresholds, or Landis & Koch for kappa."""
    return alpha_flag(value) if kind == "krippendorff_alpha" else kappa_flag(value)


@dataclass(frozen=True)
class Stat:
    """A statistic as shown: ``0.712 tentative`` with its grade, or ``n/a`` and why."""

    value: float | None
    text: str
    grade: str
    """``good``, ``fair``, ``poor`` or ``na``."""

    @classmethod
    def of(cls, value: float | None, kind: str, reason: str | None) -> Stat:
        if value is None:
            return cls(None, f"n/a {SHORT_REASONS.get(reason or '', reason or 'undefined')}", "na")
        word = flag(kind, value)
        grade = "good" if word in GOOD_FLAGS else "fair" if word in FAIR_FLAGS else "poor"
        return cls(value, f"{value:.3f} {word}", grade)


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


@dataclass
class StatLine:
    """One row of the table: a theme (and for characters a pair of coders) at one level.

    ``cells`` holds each column's text, or a :class:`Stat`; ``sort`` each column's sort
    value (None sorts last); ``detail`` the bold title and the words after it.
    """

    key: str
    theme: str
    cells: dict[str, str | Stat]
    sort: dict[str, Any]
    title: str
    detail: str
    pair: str = ""
    notes: list[str] = field(default_factory=list)
    """Why a value is n/a."""
    left_out: str = ""
    """The theme's codings in documents left out of the comparison, if any."""


def columns(level: str, coders: list[str], wide: bool) -> list[tuple[str, str]]:
    """(key, heading) of the columns at a level; ``wide`` adds who coded how many units."""
    if level == "char":
        return [("theme", "Theme"), ("pair", "Coders"), ("n", "Chars"), ("both", "Both"),
                ("a_only", "1st only"), ("b_only", "2nd only"), ("agree", "Agree"), ("kappa", "Cohen's kappa")]
    out = [("theme", "Theme"), ("n", "Units" if level == "paragraph" else "Docs"), ("agree", "Agree"),
           ("alpha", "Alpha")]
    if level == "paragraph":
        out.append(("kappa", "Cohen's kappa" if len(coders) == 2 else "Fleiss' kappa"))
    if wide:
        out.append(("coded", "Coded by " + "/".join(coders)))
    return out


def left_out_note(result: dict[str, Any], theme: str) -> str:
    """What the values of a theme do not count: its codings in the documents left out."""
    entry = result.get("themes_left_out", {}).get(theme)
    if not entry:
        return ""
    where = "; ".join(f"{coder} {sum(per.values())} in {', '.join(sorted(per))}"
                      for coder, per in entry["codings"].items())
    return f"also coded in documents left out, not counted here: {where}"


def left_out_lines(result: dict[str, Any]) -> list[str]:
    """The documents left out of the comparison, each with why, and the themes coded only there."""
    lines = [f"{x['document']}: {x['reason']}" for x in result.get("left_out", [])]
    only = [t for t, v in result.get("themes_left_out", {}).items() if not v["in_table"]]
    if only:
        lines.append(f"themes coded only in these documents (not in the table): {', '.join(only)}")
    return lines


def stat_lines(result: dict[str, Any], level: str, labels: dict[str, str]) -> list[StatLine]:
    """The rows of an agreement result at one level, in framework order; a theme also coded in
    documents left out is marked ``*`` and says so in its notes."""
    coders = result["coders"]
    rows: list[StatLine] = []
    for order, (theme, levels) in enumerate(result["themes"].items()):
        note = left_out_note(result, theme)
        title = f"{theme}{'*' if note else ''} {labels.get(theme, '')}".strip()
        d = levels.get(level)
        if d is None:
            continue
        made = _pair_lines(theme, title, order, d, coders) if level == "char" else [
            _unit_line(theme, title, order, d, coders, level)]
        for row in made:
            row.left_out = note
        rows.extend(made)
    return rows


def _pair_lines(theme: str, title: str, order: int, d: dict[str, Any], coders: list[str]) -> list[StatLine]:
    rows = []
    for pair, entry in d["pairs"].items():
        kappa = Stat.of(entry["cohen_kappa"], "cohen_kappa", entry.get("null_reasons", {}).get("cohen_kappa"))
        a, b = pair.split("|", 1)
        cells: dict[str, str | Stat] = {
            "theme": title, "pair": f"{a}/{b}", "n": str(entry["n"]), "both": str(entry["both"]),
            "a_only": str(entry["a_only"]), "b_only": str(entry["b_only"]),
            "agree": percent(entry["percent_agreement"]), "kappa": kappa}
        sort = {"theme": order, "pair": pair, "n": entry["n"], "both": entry["both"], "a_only": entry["a_only"],
                "b_only": entry["b_only"], "agree": entry["percent_agreement"], "kappa": kappa.value}
        detail = (f" · characters, {a} and {b}: both {entry['both']}, only {a} {entry['a_only']}, only {b} "
                  f"{entry['b_only']}, neither {entry['neither']} of {entry['n']} · Cohen's kappa")
        if len(coders) > 2 and d.get("krippendorff_alpha") is not None:
            detail += f" · all coders: alpha {d['krippendorff_alpha']:.3f}"
        notes = [entry["note"]] if entry.get("note") else []
        rows.append(StatLine(f"{theme}|{pair}", theme, cells, sort, title, detail, pair, notes))
    return rows


def _unit_line(theme: str, title: str, order: int, d: dict[str, Any], coders: list[str], level: str) -> StatLine:
    reasons = d.get("null_reasons", {})
    coded_by = d.get("units_coded", {})
    alpha = Stat.of(d["krippendorff_alpha"], "krippendorff_alpha", reasons.get("krippendorff_alpha"))
    cells: dict[str, str | Stat] = {
        "theme": title, "n": str(d["n_units"]), "agree": percent(d["percent_agreement"]), "alpha": alpha,
        "coded": "/".join(str(coded_by.get(c, 0)) for c in coders)}
    sort: dict[str, Any] = {"theme": order, "n": d["n_units"], "agree": d["percent_agreement"],
                            "alpha": alpha.value, "coded": sum(coded_by.values())}
    stats = [STAT_NAMES["krippendorff_alpha"]]
    shown = ["percent_agreement", "krippendorff_alpha"]
    if level == "paragraph":
        kind = "cohen_kappa" if len(coders) == 2 else "fleiss_kappa"
        kappa = Stat.of(d[kind], kind, reasons.get(kind))
        cells["kappa"], sort["kappa"] = kappa, kappa.value
        stats.append(STAT_NAMES[kind])
        shown.append(kind)
    coded = ", ".join(f"{c} {coded_by.get(c, 0)}" for c in coders)
    detail = f" · {d['n_units']} {LEVEL_NAMES[level]}; coded in: {coded} · " + " and ".join(stats)
    notes = list(dict.fromkeys(reason_text(reasons[k], level) for k in shown if k in reasons))
    return StatLine(theme, theme, cells, sort, title, detail, "", notes)


def sorted_lines(rows: list[StatLine], key: str, reverse: bool) -> list[StatLine]:
    """Rows by one column (framework order among equals); rows without a value last."""
    present = [r for r in rows if r.sort.get(key) is not None]
    missing = [r for r in rows if r.sort.get(key) is None]
    present.sort(key=lambda r: (r.sort[key], r.sort["theme"]), reverse=reverse)
    return present + missing
