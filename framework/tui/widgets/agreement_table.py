"""The agreement table: a row per theme (or per theme and pair of coders), values coloured by
their assessment."""

from __future__ import annotations

from rich.text import Text

from framework.tui.widgets.analysis_table import AnalysisTable
from framework.views.agreement import Stat, StatLine

WIDTHS = {"theme": 0, "pair": 0, "n": 6, "both": 6, "a_only": 8, "b_only": 8, "agree": 7,
          "alpha": 17, "kappa": 21, "coded": 0}
"""Column widths; 0: fitted to the content."""
RIGHT = {"n", "both", "a_only", "b_only", "agree", "coded"}


class AgreementTable(AnalysisTable):
    """Rows of :class:`~framework.views.agreement.StatLine`; the theme column takes the room left."""

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", fixed_columns=1, **kwargs)
        self.lines: list[StatLine] = []

    def cell(self, line: StatLine, key: str) -> Text:
        value = line.cells.get(key, "")
        if isinstance(value, Stat):
            if value.value is None:
                return Text(value.text, style=self.style(value.grade), no_wrap=True, overflow="ellipsis")
            return Text(value.text, style=self.style(value.grade), no_wrap=True)
        if key == "theme":
            return Text(value, no_wrap=True, overflow="ellipsis")
        return Text(value, justify="right" if key in RIGHT else "left")

    def show(self, lines: list[StatLine], columns: list[tuple[str, str]], sort_key: str, reverse: bool) -> None:
        """Draw the rows, keeping the cursor on the same row when it is still there."""
        keep = self.current_key()
        self.clear(columns=True)
        self.lines = lines
        widths = dict(WIDTHS)
        fixed = sum(widths.get(k, 8) + 2 for k, _ in columns if widths.get(k, 8))
        if any(k == "pair" for k, _ in columns):
            widths["pair"] = max((len(str(r.cells["pair"])) for r in lines), default=8)
            fixed += widths["pair"] + 2
        if any(k == "coded" for k, _ in columns):
            widths["coded"] = len(columns[-1][1])
            fixed += widths["coded"] + 2
        longest = max((len(str(r.cells["theme"])) for r in lines), default=10)
        widths["theme"] = max(12, min(longest, self.screen.size.width - fixed - 3))
        for key, heading in columns:
            if key == sort_key:
                heading += " ▼" if reverse else " ▲"
            self.add_column(Text(heading, style="bold"), key=key, width=max(widths[key], len(heading)))
        for line in lines:
            self.add_row(*[self.cell(line, key) for key, _ in columns], key=line.key)
        if keep is not None and keep in self.rows:
            self.move_cursor(row=self.get_row_index(keep), animate=False)

    def current_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            return str(self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value)
        except Exception:
            return None

    def current(self) -> StatLine | None:
        key = self.current_key()
        return next((r for r in self.lines if r.key == key), None)
