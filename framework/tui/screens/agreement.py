"""The agreement screen: inter-coder agreement per theme, flagged against the usual thresholds.

The table is :func:`framework.compare.project_agreement`'s result, computed once in a
thread worker for all three levels: paragraphs (the primary measure), characters (per
pair of coders, as NVivo's coding comparison) and documents; ``u`` switches between them.
Values are flagged as the text report flags them (Krippendorff's alpha: >= 0.800
reliable, 0.667-0.800 tentative; kappa: Landis & Koch bands); an undefined value shows
``n/a`` and its reason is on the detail line. Enter reviews the theme's disagreements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import Worker, WorkerState

from ...agreement import (
    _SHORT_REASONS,
    _STAT_NAMES,
    ALPHA_RELIABLE,
    ALPHA_TENTATIVE,
    LEVELS,
    _alpha_flag,
    _kappa_flag,
    _reason_text,
)
from ...compare import project_agreement
from ...errors import FrameworkError
from ...store import CONSENSUS, Store
from ..dialogs.coders import CoderSelection
from ..dialogs.common import ChoiceDialog
from ..widgets.analysis_table import AnalysisTable

GOOD_FLAGS = {"reliable", "almost perfect", "substantial"}
FAIR_FLAGS = {"tentative", "moderate"}
LEVEL_NAMES = {"paragraph": "paragraphs", "char": "characters", "document": "documents"}
LEGEND = (f"alpha ≥ {ALPHA_RELIABLE:.3f} reliable, {ALPHA_TENTATIVE:.3f}–{ALPHA_RELIABLE:.3f} tentative · "
          "kappa: Landis & Koch bands · n/a: why, above")


def coders_with_codings(store: Store) -> list[str]:
    """Every coder (not the consensus layer) with at least one coding, by name."""
    names = {c for per_doc in store.documents.coded_counts().values() for c in per_doc}
    return sorted(names - {CONSENSUS}, key=str.casefold)


def flag(kind: str, value: float) -> str:
    """The text report's assessment of a value: alpha thresholds, or Landis & Koch for kappa."""
    return _alpha_flag(value) if kind == "krippendorff_alpha" else _kappa_flag(value)


@dataclass
class StatRow:
    """One row of the table: a theme (and for characters a pair of coders) at one level."""

    key: str
    theme: str
    cells: dict[str, Text]
    sort: dict[str, Any]
    detail: Text
    pair: str = ""
    notes: list[str] = field(default_factory=list)


class AgreementScreen(Screen[None]):
    """Agreement per theme between two or more coders; Enter opens its disagreements."""

    CSS_PATH = "analysis.tcss"
    AUTO_FOCUS = "#agreement"

    BINDINGS = [
        Binding("enter", "review", "Review theme", priority=True, id="agreement.review",
                tooltip="Review this theme's disagreements side by side"),
        Binding("u", "cycle_level", "Unit", id="agreement.unit",
                tooltip="Switch between paragraph, character and document level"),
        Binding("s", "sort", "Sort", id="agreement.sort", tooltip="Sort by a column (again: reverse)"),
        Binding("c", "choose_coders", "Coders", id="agreement.coders", tooltip="Choose the coders to compare"),
        Binding("o", "toggle_rollup", "Roll-up", show=False, id="agreement.rollup",
                tooltip="Count a subtheme's coding for its parents too (on/off)"),
        Binding("r", "review_all", "Review all", id="agreement.review_all",
                tooltip="Review every disagreement, document by document"),
        Binding("escape", "back", "Back", id="agreement.back"),
    ]

    level: reactive[str] = reactive("paragraph", init=False)
    sort_key: reactive[str] = reactive("theme", init=False)
    sort_reverse: reactive[bool] = reactive(False, init=False)

    @dataclass
    class Computed(Message):
        result: dict[str, Any]
        labels: dict[str, str]
        everyone: list[str]

    @dataclass
    class Problem(Message):
        message: str
        everyone: list[str]

    def __init__(self, coders: list[str] | None = None, *, rollup: bool = False) -> None:
        super().__init__()
        self.coders = list(coders) if coders else None
        self.rollup = rollup
        self.result: dict[str, Any] | None = None
        self.labels: dict[str, str] = {}
        self.everyone: list[str] = []
        self.rows: list[StatRow] = []

    def compose(self) -> ComposeResult:
        yield Header(icon="▦")
        yield Static("", id="agreement-title", classes="analysis-bar")
        yield AnalysisTable(id="agreement", cursor_type="row", fixed_columns=1)
        yield Static("", id="agreement-detail", classes="analysis-detail")
        yield Static(LEGEND, id="agreement-legend", classes="analysis-bar")
        yield Footer()

    @property
    def table(self) -> AnalysisTable:
        return self.query_one("#agreement", AnalysisTable)

    def on_mount(self) -> None:
        self.watch(self.app, "theme", self._rebuild, init=False)
        self.load()

    # -- computing -------------------------------------------------------------------------------

    def load(self) -> None:
        self.table.loading = True
        self.compute(self.coders, self.rollup)

    @work(thread=True, exclusive=True, exit_on_error=False, group="agreement")
    def compute(self, coders: list[str] | None, rollup: bool) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        everyone = coders_with_codings(store)
        chosen = coders or everyone
        if len(chosen) < 2:
            found = ", ".join(everyone) or "none"
            self.post_message(self.Problem(
                f"Agreement needs two or more coders with codings (coders with codings: {found}).", everyone))
            return
        try:
            result = project_agreement(store, chosen, rollup=rollup)
        except FrameworkError as error:
            self.post_message(self.Problem(str(error), everyone))
            return
        labels = {t.id: t.label for t in store.themes.list()}
        self.post_message(self.Computed(result, labels, everyone))

    @on(Computed)
    def _computed(self, event: Computed) -> None:
        self.result, self.labels, self.everyone = event.result, event.labels, event.everyone
        self.coders = list(event.result["coders"])
        self.table.loading = False
        self._rebuild()

    @on(Worker.StateChanged)
    def _failed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "agreement" and event.state == WorkerState.ERROR:
            self.table.loading = False

    @on(Problem)
    def _problem(self, event: Problem) -> None:
        self.result, self.everyone, self.rows = None, event.everyone, []
        table = self.table
        table.loading = False
        table.clear(columns=True)
        self.query_one("#agreement-title", Static).update(Text("Agreement", style="bold"))
        self.query_one("#agreement-detail", Static).update(
            Text.assemble((event.message, "bold"), "\nPress c to choose the coders, Esc to go back."))

    # -- the table ---------------------------------------------------------------------------------

    def columns(self) -> list[tuple[str, str]]:
        """(key, heading) of the columns at the current level."""
        coders = self.result["coders"] if self.result else []
        wide = self.size.width >= 110
        if self.level == "char":
            return [("theme", "Theme"), ("pair", "Coders"), ("n", "Chars"), ("both", "Both"),
                    ("a_only", "1st only"), ("b_only", "2nd only"), ("agree", "Agree"), ("kappa", "Cohen's kappa")]
        out = [("theme", "Theme"), ("n", "Units" if self.level == "paragraph" else "Docs"), ("agree", "Agree"),
               ("alpha", "Alpha")]
        if self.level == "paragraph":
            out.append(("kappa", "Cohen's kappa" if len(coders) == 2 else "Fleiss' kappa"))
        if wide:
            out.append(("coded", "Coded by " + "/".join(coders)))
        return out

    def _stat(self, value: float | None, kind: str, reason: str | None) -> tuple[Text, float | None]:
        table = self.table
        if value is None:
            short = _SHORT_REASONS.get(reason or "", reason or "undefined")
            return Text(f"n/a {short}", style=table.style("na"), no_wrap=True, overflow="ellipsis"), None
        word = flag(kind, value)
        style = "good" if word in GOOD_FLAGS else "fair" if word in FAIR_FLAGS else "poor"
        return Text(f"{value:.3f} {word}", style=table.style(style), no_wrap=True), value

    @staticmethod
    def _percent(value: float | None) -> Text:
        return Text("n/a" if value is None else f"{value * 100:.1f}%", justify="right")

    def build_rows(self) -> list[StatRow]:
        """The rows at the current level, in framework order."""
        result = self.result
        if result is None:
            return []
        coders = result["coders"]
        rows: list[StatRow] = []
        for order, (theme, levels) in enumerate(result["themes"].items()):
            title = f"{theme} {self.labels.get(theme, '')}".strip()
            d = levels.get(self.level)
            if d is None:
                continue
            if self.level == "char":
                for pair, entry in d["pairs"].items():
                    kappa, kappa_value = self._stat(entry["cohen_kappa"], "cohen_kappa",
                                                    entry.get("null_reasons", {}).get("cohen_kappa"))
                    a, b = pair.split("|", 1)
                    cells = {"theme": Text(title, no_wrap=True, overflow="ellipsis"), "pair": Text(f"{a}/{b}"),
                             "n": Text(str(entry["n"]), justify="right"),
                             "both": Text(str(entry["both"]), justify="right"),
                             "a_only": Text(str(entry["a_only"]), justify="right"),
                             "b_only": Text(str(entry["b_only"]), justify="right"),
                             "agree": self._percent(entry["percent_agreement"]), "kappa": kappa}
                    sort = {"theme": order, "pair": pair, "n": entry["n"], "both": entry["both"],
                            "a_only": entry["a_only"], "b_only": entry["b_only"],
                            "agree": entry["percent_agreement"], "kappa": kappa_value}
                    detail = Text.assemble((title, "bold"), f" · characters, {a} and {b}: ")
                    detail.append(f"both {entry['both']}, only {a} {entry['a_only']}, only {b} {entry['b_only']}, "
                                  f"neither {entry['neither']} of {entry['n']} · Cohen's kappa")
                    if len(coders) > 2 and d.get("krippendorff_alpha") is not None:
                        detail.append(f" · all coders: alpha {d['krippendorff_alpha']:.3f}")
                    notes = [entry["note"]] if entry.get("note") else []
                    rows.append(StatRow(f"{theme}|{pair}", theme, cells, sort, detail, pair, notes))
                continue
            reasons = d.get("null_reasons", {})
            alpha, alpha_value = self._stat(d["krippendorff_alpha"], "krippendorff_alpha",
                                            reasons.get("krippendorff_alpha"))
            cells = {"theme": Text(title, no_wrap=True, overflow="ellipsis"),
                     "n": Text(str(d["n_units"]), justify="right"), "agree": self._percent(d["percent_agreement"]),
                     "alpha": alpha,
                     "coded": Text("/".join(str(d.get("units_coded", {}).get(c, 0)) for c in coders),
                                   justify="right")}
            sort: dict[str, Any] = {"theme": order, "n": d["n_units"], "agree": d["percent_agreement"],
                                    "alpha": alpha_value,
                                    "coded": sum(d.get("units_coded", {}).values())}
            stats = [_STAT_NAMES["krippendorff_alpha"]]
            shown = ["percent_agreement", "krippendorff_alpha"]
            if self.level == "paragraph":
                kind = "cohen_kappa" if len(coders) == 2 else "fleiss_kappa"
                cells["kappa"], sort["kappa"] = self._stat(d[kind], kind, reasons.get(kind))
                stats.append(_STAT_NAMES[kind])
                shown.append(kind)
            unit = LEVEL_NAMES[self.level]
            coded = ", ".join(f"{c} {d.get('units_coded', {}).get(c, 0)}" for c in coders)
            detail = Text.assemble((title, "bold"), f" · {d['n_units']} {unit}; coded in: {coded} · ")
            detail.append(" and ".join(stats))
            notes = list(dict.fromkeys(_reason_text(reasons[k], self.level) for k in shown if k in reasons))
            rows.append(StatRow(theme, theme, cells, sort, detail, "", notes))
        return self._sorted(rows)

    def _sorted(self, rows: list[StatRow]) -> list[StatRow]:
        key = self.sort_key
        present = [r for r in rows if r.sort.get(key) is not None]
        missing = [r for r in rows if r.sort.get(key) is None]
        present.sort(key=lambda r: (r.sort[key], r.sort["theme"]), reverse=self.sort_reverse)
        return present + missing

    def _rebuild(self) -> None:
        if self.result is None:
            return
        table = self.table
        keep = self._current_key()
        table.clear(columns=True)
        self.rows = self.build_rows()
        columns = self.columns()
        widths = {"theme": 0, "pair": 0, "n": 6, "both": 6, "a_only": 8, "b_only": 8, "agree": 7,
                  "alpha": 17, "kappa": 21, "coded": 0}
        fixed = sum(widths.get(k, 8) + 2 for k, _ in columns if widths.get(k, 8))
        if any(k == "pair" for k, _ in columns):
            widths["pair"] = max((len(r.cells["pair"].plain) for r in self.rows), default=8)
            fixed += widths["pair"] + 2
        if any(k == "coded" for k, _ in columns):
            widths["coded"] = len(columns[-1][1])
            fixed += widths["coded"] + 2
        longest = max((len(r.cells["theme"].plain) for r in self.rows), default=10)
        widths["theme"] = max(12, min(longest, self.size.width - fixed - 3))
        for key, heading in columns:
            if key == self.sort_key:
                heading += " ▼" if self.sort_reverse else " ▲"
            table.add_column(Text(heading, style="bold"), key=key, width=max(widths[key], len(heading)))
        for row in self.rows:
            table.add_row(*[row.cells.get(key, Text("")) for key, _ in columns], key=row.key)
        if keep is not None and keep in table.rows:
            table.move_cursor(row=table.get_row_index(keep), animate=False)
        self._describe()

    def on_resize(self) -> None:
        self._rebuild()

    def _current_key(self) -> str | None:
        table = self.table
        if not table.row_count:
            return None
        try:
            return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        except Exception:
            return None

    def current(self) -> StatRow | None:
        key = self._current_key()
        return next((r for r in self.rows if r.key == key), None)

    def _describe(self) -> None:
        result = self.result
        if result is None:
            return
        title = Text.assemble(("Agreement", "bold"), f" · {', '.join(result['coders'])}")
        title.append(f" · {len(result['documents'])} document{'s' if len(result['documents']) != 1 else ''}")
        title.append(f" · roll-up {'on' if result['rollup'] else 'off'}")
        title.append(" · unit: ")
        for level in LEVELS:
            title.append(f" {level} ", style="reverse bold" if level == self.level else "dim")
        self.query_one("#agreement-title", Static).update(title)
        self._describe_row()

    @on(DataTable.RowHighlighted, "#agreement")
    def _highlighted(self) -> None:
        self._describe_row()

    def _describe_row(self) -> None:
        detail = self.query_one("#agreement-detail", Static)
        row = self.current()
        if row is None:
            detail.update("No theme was coded in the documents compared." if self.result else "")
            return
        text = row.detail.copy()
        for note in row.notes:
            text.append(f"\nn/a: {note}", style="italic")
        detail.update(text)

    # -- keys ---------------------------------------------------------------------------------------

    def watch_level(self) -> None:
        self._rebuild()

    def watch_sort_key(self) -> None:
        self._rebuild()

    def watch_sort_reverse(self) -> None:
        self._rebuild()

    def action_cycle_level(self) -> None:
        self.level = LEVELS[(LEVELS.index(self.level) + 1) % len(LEVELS)]
        if self.sort_key not in dict(self.columns()):
            self.sort_key = "theme"

    def action_sort(self) -> None:
        choices = [(heading + ("  (again: reverse)" if key == self.sort_key else ""), key)
                   for key, heading in self.columns()]
        self.app.push_screen(ChoiceDialog("Sort by", choices), self._sort_by)

    @on(DataTable.HeaderSelected, "#agreement")
    def _header(self, event: DataTable.HeaderSelected) -> None:
        self._sort_by(str(event.column_key.value))

    def _sort_by(self, key: str | None) -> None:
        if key is None:
            return
        if key == self.sort_key:
            self.sort_reverse = not self.sort_reverse
        else:
            self.set_reactive(AgreementScreen.sort_reverse, key not in ("theme", "pair"))
            self.sort_key = key

    def action_choose_coders(self) -> None:
        if len(self.everyone) < 2:
            self.notify("Fewer than two coders have codings yet", timeout=4)
            return
        chosen = self.coders or self.everyone
        self.app.push_screen(CoderSelection(self.everyone, chosen), self._coders_chosen)

    def _coders_chosen(self, coders: list[str] | None) -> None:
        if coders:
            self.coders = coders
            self.load()

    def action_toggle_rollup(self) -> None:
        self.rollup = not self.rollup
        self.load()

    def review_filter(self, theme: str) -> list[str]:
        """The themes a theme's disagreements are about: itself, and with roll-up those below."""
        if self.rollup:
            return list(self.app.catalog.descendants(theme))  # type: ignore[attr-defined]
        return [theme]

    def action_review(self) -> None:
        row = self.current()
        if row is None or self.result is None:
            return
        self._open_review(theme=row.theme)

    def action_review_all(self) -> None:
        if self.result is not None:
            self._open_review(theme=None)

    def _open_review(self, theme: str | None) -> None:
        from .review import ReviewScreen

        result = self.result
        assert result is not None
        theme_ids = self.review_filter(theme) if theme else None
        title = f"{theme} {self.labels.get(theme, '')}".strip() if theme else None
        self.app.push_screen(ReviewScreen(list(result["coders"]), theme_ids=theme_ids, theme_title=title,
                                          documents=list(result["documents"])))

    def action_back(self) -> None:
        self.app.pop_screen()

