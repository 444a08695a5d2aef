"""Pilot tests: exporting from the matrix (E), the charts shown or the quotes of a theme,
in a chosen format, with the pseudonym key, saying where the file is."""

from __future__ import annotations

import re

from docx import Document as open_docx
from openpyxl import load_workbook
from textual.widgets import Input, Select

from framework.tui.dialogs.export import ExportDialog
from framework.tui.screens.matrix import MatrixScreen
from framework.views.pseudonyms import KEY_SETTING

from .helpers import SIZE, press, scenario, settle, type_text
from .test_analysis_screens import open_screen, study, to_cell  # noqa: F401  (study is a fixture)


def exported(app) -> list[str]:
    return [n.message for n in app._notifications if n.title == "Exported"]


@scenario
async def test_e_exports_the_chart_shown_and_says_where(make, study) -> None:  # noqa: F811
    app = make()
    root = study.root.resolve()
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, MatrixScreen())
        await press(pilot, "right_square_bracket")  # chart 2 Workload
        await press(pilot, "E")
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        assert dialog.choices.chart_ids == ("2",) and dialog.choices.charts_title == "2 Workload"
        assert [str(v) for _, v in dialog._format_options("charts")] == ["xlsx", "docx", "html", "md", "csv"]
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, ExportDialog)
        await settle(pilot)
        assert exported(app) == [f"Wrote exports/chart-2-alice.xlsx in {root}"]
        wb = load_workbook(study.exports_dir / "chart-2-alice.xlsx")
        assert wb.sheetnames == ["2 Workload", "Overview", "Codebook"]
        rows = {r[0].value: [c.value for c in r[1:]] for r in wb["2 Workload"].iter_rows(min_row=2)}
        assert rows["int_07"][0].startswith("18 per worker [int_07 L6]\n\n“a guideline of about 18 children")
        assert rows["int_08"] == [None, None]
        await press(pilot, "E")
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert exported(app)[-1] == (f"Wrote exports/chart-2-alice (2).xlsx in {root} "
                                     "(chart-2-alice.xlsx already there and kept)")
    logged = [a for a in study.store.actions.list() if a.kind == "export"]
    assert [(a.coder, a.payload["themes"]) for a in logged] == [("alice", ["2"]), ("alice", ["2"])]


@scenario
async def test_e_exports_quotes_of_the_theme_under_the_cursor_with_the_key(make, study, tmp_path) -> None:  # noqa: F811
    key = tmp_path / "keys" / "study-key.csv"
    key.parent.mkdir()
    key.write_text("term,replacement\nweighting,[method]\n", encoding="utf-8")
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, MatrixScreen())
        await press(pilot, "right_square_bracket")
        await to_cell(pilot, "int_07", "2.2")
        await press(pilot, "E")
        dialog = app.screen
        assert dialog.choices.quote_theme == "2.2" and dialog.choices.quote_title == "2.2 Weighting systems"
        await press(pilot, "down", "enter")  # quotes of 2.2
        assert dialog.what == "quotes"
        assert dialog.query_one("#format", Select).value == "docx"
        dialog.query_one("#label", Select).value = "role"
        dialog.query_one("#key", Input).focus()
        await type_text(pilot, str(study.exports_dir / "key.csv"))
        await press(pilot, "enter")
        assert isinstance(app.screen, ExportDialog)  # a key kept in exports/ is refused
        assert "exports" in str(dialog.query_one(".dialog--error").render())
        await press(pilot, "ctrl+u")
        await type_text(pilot, str(key))
        await press(pilot, "enter")
        await settle(pilot)
        assert exported(app) == [f"Wrote 1 quote to exports/quotes_2.2.docx in {study.root.resolve()}; "
                                 f"pseudonymised with ../keys/study-key.csv"]
    text = "\n".join(p.text for p in open_docx(str(study.exports_dir / "quotes_2.2.docx")).paragraphs)
    assert "[method]" in text and "weighting" not in text.lower().replace("[method]", "")
    # pseudonymised, the reference names the case by its label, not by its id
    assert re.fullmatch(r"“We don't have a \[method\] system” \[Director\] \[\[Case \d+\] L5\]", text.splitlines()[-1])
    assert study.settings()[KEY_SETTING] == str(key)


@scenario
async def test_escape_exports_nothing(make, study) -> None:  # noqa: F811
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, MatrixScreen())
        await press(pilot, "E")
        assert isinstance(app.screen, ExportDialog)
        await press(pilot, "escape")
        assert isinstance(app.screen, MatrixScreen)
    assert not study.exports_dir.exists() or list(study.exports_dir.iterdir()) == []
