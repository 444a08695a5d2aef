"""Exports opened again and checked cell by cell against the store."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner
from docx import Document as open_docx
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from openpyxl import load_workbook

from framework.analysis.charting import build_charts
from framework.errors import InputError
from framework.export import export_charts, export_quotes
from framework.export.common import csv_cell, output_path, safe_stem
from framework.export.quotes import QUOTE_COLUMNS, attribution, collect_quotes
from framework.export.references import SALT_META
from framework.export.xlsx import sheet_name
from framework.store import Case, Store

from .test_charting import case_id, chart_project

DL_11 = "About a fifth of posts vacant [dir_london L5]\n\n“vacancy rate of about 20 per cent” [dir_london L5]"
AC_22 = ("Weekly allocation meeting [ad_county L3]\n\n"
         "“The team manager allocates at a weekly meeting.” [ad_county L3]\n"
         "“Nothing is left unallocated for long.” [ad_county L3]")


@pytest.fixture
def charted(store: Store) -> Store:
    return chart_project(store)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An empty folder for exports, beside the project folder."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def sheet_rows(ws) -> list[list[object]]:
    return [[c.value for c in row] for row in ws.iter_rows()]


# -- XLSX --------------------------------------------------------------------------------------


def test_xlsx_sheets_rows_and_cells_match_the_store(charted: Store, out: Path) -> None:
    (path,) = export_charts(charted, "alice", "xlsx", out, group_by=["service"])
    assert path == out / "charts-alice.xlsx"
    wb = load_workbook(path)
    assert wb.sheetnames == ["1 Staffing", "2 Workload", "3 Supervision", "Overview", "Codebook"]
    staffing = wb["1 Staffing"]
    assert sheet_rows(staffing) == [
        ["case", "service", "1.1 Vacancies", "1.2 Agency staff"],
        ["ad_county", "Adult services", None, None],
        ["dir_london", "Children's services", DL_11,
         "“We rely on agency staff — it’s costly.” [dir_london L5] (memo: cost)"],
        ["hos_met", "Joint", "@x", "=SUM(A1)"],
    ]
    assert staffing.freeze_panes == "B2"
    assert staffing["C3"].alignment.wrap_text is True
    assert staffing.column_dimensions["C"].width == 55
    workload = wb["2 Workload"]
    assert [c.value for c in workload[1]] == ["case", "service", "2 Workload", "2.1 Caseloads", "2.2 Allocation"]
    assert workload["E2"].value == AC_22
    assert workload["D3"].value == "“Caseloads are around 22 for a full-time worker. Some carry more than that.” [dir_london L9-10]"
    overview = wb["Overview"]
    assert sheet_rows(overview) == [
        ["case", "service", "1.1 Vacancies", "1.2 Agency staff", "2 Workload", "2.1 Caseloads", "2.2 Allocation",
         "3 Supervision"],
        ["ad_county", "Adult services", 0, 0, 1, 0, 2, 1],
        ["dir_london", "Children's services", 1, 1, 0, 1, 0, 1],
        ["hos_met", "Joint", 0, 0, 0, 0, 0, 0],
    ]
    (scale,) = overview.conditional_formatting
    assert str(scale.sqref) == "C2:H4" and scale.rules[0].type == "colorScale"
    codebook = sheet_rows(wb["Codebook"])
    assert codebook[0] == ["id", "parent", "path", "label", "description", "include", "exclude", "colour"]
    assert [(r[0], r[1], r[2]) for r in codebook[1:]] == [
        ("1", None, "Staffing"), ("1.1", "1", "Staffing > Vacancies"), ("1.2", "1", "Staffing > Agency staff"),
        ("2", None, "Workload"), ("2.1", "2", "Workload > Caseloads"), ("2.2", "2", "Workload > Allocation"),
        ("2.2.1", "2.2", "Workload > Allocation > Unallocated cases"), ("3", None, "Supervision")]


def test_xlsx_formula_like_text_stays_text(charted: Store, out: Path) -> None:
    (path,) = export_charts(charted, "alice", "xlsx", out, mode="summaries")
    wb = load_workbook(path)
    hos_met = {
        "1 Staffing": ["hos_met", "@x", "=SUM(A1)"],
        "2 Workload": ["hos_met", None, "+1", None],
        "3 Supervision": ["hos_met", "-2"],
    }
    for sheet, expected in hos_met.items():
        row = wb[sheet][4]
        assert [c.value for c in row] == expected
        for cell in row:
            if cell.value is not None:
                assert cell.data_type == "s"
                assert cell.quotePrefix is (cell.value[0] in "=+-@")
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == 5
        assert not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in sheets)


def test_xlsx_opens_in_libreoffice_and_shows_formulas_as_text(charted: Store, out: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    (path,) = export_charts(charted, "alice", "xlsx", out, theme_ids=["1"], mode="summaries")
    assert path.name == "chart-1-alice.xlsx"
    profile = (out / "lo-profile").as_uri()
    done = subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "csv",
                           "--outdir", str(out / "lo"), str(path)], capture_output=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert read_csv(out / "lo" / "chart-1-alice.csv") == [
        ["case", "1.1 Vacancies", "1.2 Agency staff"],
        ["ad_county", "", ""],
        ["dir_london", "About a fifth of posts vacant [dir_london L5]", ""],
        ["hos_met", "@x", "=SUM(A1)"],
    ]


def test_control_characters_are_dropped_not_fatal(charted: Store, out: Path) -> None:
    from framework.coding.actions import set_cell

    set_cell(charted, "alice", case_id(charted, "hos_met"), "3", "alice", summary="bell\x07 and\x00 nul")
    (xlsx,) = export_charts(charted, "alice", "xlsx", out, theme_ids=["3"], mode="summaries")
    assert load_workbook(xlsx)["3 Supervision"]["B4"].value == "bell and nul"
    (docx,) = export_charts(charted, "alice", "docx", out, theme_ids=["3"], mode="summaries")
    assert open_docx(str(docx)).tables[0].rows[3].cells[1].text == "bell and nul"


def test_sheet_names_are_valid_and_unique() -> None:
    taken: set[str] = set()
    assert sheet_name("4 Recruitment: pay/incentives [2009] and retention?", taken) == "4 Recruitment_ pay_incentives _"
    assert sheet_name("4 Recruitment: pay/incentives [2009] and more", taken) == "4 Recruitment_ pay_incentiv (2)"
    assert sheet_name("history", taken) == "history (2)"
    assert sheet_name("'", taken) == "Sheet"
    assert all(len(name) <= 31 for name in taken)


# -- file names ----------------------------------------------------------------------------------


def test_existing_files_get_a_numbered_name_unless_forced(charted: Store, out: Path) -> None:
    first = export_charts(charted, "alice", "xlsx", out, theme_ids=["2"])
    second = export_charts(charted, "alice", "xlsx", out, theme_ids=["2"])
    third = export_charts(charted, "alice", "xlsx", out, theme_ids=["2"])
    assert [p.name for p in first + second + third] == ["chart-2-alice.xlsx", "chart-2-alice (2).xlsx", "chart-2-alice (3).xlsx"]
    (out / "chart-2-alice.xlsx").write_bytes(b"old")
    forced = export_charts(charted, "alice", "xlsx", out, theme_ids=["2"], force=True)
    assert forced == [out / "chart-2-alice.xlsx"]
    assert load_workbook(forced[0]).sheetnames == ["2 Workload", "Overview", "Codebook"]
    assert sorted(p.name for p in out.iterdir()) == ["chart-2-alice (2).xlsx", "chart-2-alice (3).xlsx", "chart-2-alice.xlsx"]


def test_safe_names_from_theme_ids(out: Path) -> None:
    assert safe_stem("4.3") == "4.3"
    assert safe_stem("../x y/z") == "x_y_z"
    assert safe_stem("???") == "theme"
    (out / "charts.md").write_text("x")
    (out / "charts (2).md").write_text("x")
    assert output_path(out, "charts.md", False) == out / "charts (3).md"
    assert output_path(out, "charts.md", True) == out / "charts.md"


# -- DOCX ----------------------------------------------------------------------------------------


def test_docx_landscape_tables_with_repeated_header_and_italic_quotes(charted: Store, out: Path) -> None:
    (path,) = export_charts(charted, "alice", "docx", out, group_by=["service"])
    doc = open_docx(str(path))
    assert doc.sections[0].orientation == WD_ORIENT.LANDSCAPE
    assert doc.sections[0].page_width > doc.sections[0].page_height
    assert [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")] == [
        "1 Staffing", "2 Workload", "3 Supervision"]
    assert len(doc.tables) == 3
    staffing = doc.tables[0]
    header = staffing.rows[0]
    assert [c.text for c in header.cells] == ["case", "service", "1.1 Vacancies", "1.2 Agency staff"]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    assert [r.cells[0].text for r in staffing.rows[1:]] == ["ad_county", "dir_london", "hos_met"]
    cell = staffing.rows[2].cells[2]
    summary, quote = cell.paragraphs
    assert summary.text == "About a fifth of posts vacant [dir_london L5]"
    assert [(r.text, r.italic) for r in quote.runs] == [
        ("“vacancy rate of about 20 per cent”", True), (" [dir_london L5]", None)]
    assert staffing.rows[3].cells[3].text == "=SUM(A1)"
    allocation = doc.tables[1].rows[1].cells[4]
    assert [p.text for p in allocation.paragraphs] == [
        "Weekly allocation meeting [ad_county L3]",
        "“The team manager allocates at a weekly meeting.” [ad_county L3]",
        "“Nothing is left unallocated for long.” [ad_county L3]"]


# -- HTML ----------------------------------------------------------------------------------------


def test_html_is_self_contained_escaped_and_holds_every_chart(charted: Store, out: Path) -> None:
    from framework.coding.actions import set_cell

    set_cell(charted, "alice", case_id(charted, "ad_county"), "1.1", "alice",
             summary='<script>alert("x")</script> & more')
    (path,) = export_charts(charted, "alice", "html", out, group_by=["service"])
    text = path.read_text(encoding="utf-8")
    page = lxml.html.fromstring(text)
    assert page.xpath("//script") == [] and page.xpath("//link") == [] and page.xpath("//@src") == []
    assert "http://" not in text and "https://" not in text
    assert "@media print" in text
    assert [s.get("id") for s in page.xpath("//section")] == ["chart-1", "chart-2", "chart-3", "mapping"]
    staffing = page.xpath('//section[@id="chart-1"]//tbody/tr[not(@class="group")]')
    assert [r.xpath("string(th)") for r in staffing] == ["ad_county", "dir_london", "hos_met"]
    assert staffing[0].xpath("string(td[2])") == '<script>alert("x")</script> & more'
    cell = staffing[1].xpath("td[2]")[0]
    assert cell.get("class") == "done"
    assert [p.text_content() for p in cell.xpath("p")] == [
        "About a fifth of posts vacant [dir_london L5]", "vacancy rate of about 20 per cent [dir_london L5]"]
    assert cell.xpath("string(p/q)") == "vacancy rate of about 20 per cent"
    assert cell.xpath("string(p/span[@class='ref'])") == "[dir_london L5]"
    groups = page.xpath('//section[@id="chart-1"]//tr[@class="group"]/th/text()')
    assert groups == ["Adult services", "Children's services", "Joint"]
    heat = {r.xpath("string(td[1])"): [td.text_content() for td in r.xpath("td")[1:]]
            for r in page.xpath('//section[@id="mapping"]//tbody/tr')}
    assert heat["2 Workload"] == ["2/3 (67%)", "1/1 (100%)", "1/1 (100%)", "0/1 (0%)"]
    assert heat["2.2.1 Unallocated cases"] == ["1/3 (33%)", "1/1 (100%)", "0/1 (0%)", "0/1 (0%)"]
    first = page.xpath('//section[@id="mapping"]//tbody/tr')[3].xpath("td")[1]
    assert first.get("title") == "ad_county, dir_london"
    workload = page.xpath('//section[@id="mapping"]//tbody/tr')[3].xpath("td")[1:]
    assert [(td.get("style"), td.get("class")) for td in workload] == [
        ("background: #82abd8", None), ("background: #6b9bd1", None), ("background: #6b9bd1", None), (None, "none")]
    cells = page.xpath('//section[@class="chart"]//td[@class]/@class')
    assert set(cells) == {"draft", "done"}
    (marks,) = page.xpath('//p[contains(@class, "legend")][span[@class="mark draft"]]')
    assert marks.text_content() == ("Cells: draft summary summary done no mark: no summary yet; "
                                    "quoted passages are in italics, with their document and lines.")
    (scale,) = page.xpath('//section[@id="mapping"]/p[contains(@class, "legend")]')
    assert [(s.text, s.get("style")) for s in scale.xpath("span")] == [
        ("none", None), ("1%", "background: #dce8f4"), ("5%", "background: #cdddef"),
        ("10%", "background: #c1d5ec"), ("25%", "background: #aac6e5"), ("50%", "background: #90b4dc"),
        ("75%", "background: #7ca6d6"), ("100%", "background: #6b9bd1")]


def test_small_shares_stay_visible_and_never_read_zero() -> None:
    from framework.export.common import heat_level, percent

    assert [percent(s) for s in (0, 0.001, 0.004, 0.005, 0.0051, 0.02, 0.5, 0.994, 0.996, 1)] == [
        "0%", "<1%", "<1%", "<1%", "1%", "2%", "50%", "99%", ">99%", "100%"]
    assert heat_level(0) == 0
    assert heat_level(0.0001) > 0.15 and heat_level(0.01) == pytest.approx(0.235)
    assert heat_level(0.25) == pytest.approx(0.575) and heat_level(1) == 1


# -- Markdown and CSV ----------------------------------------------------------------------------


def test_markdown_wide_chart(charted: Store, out: Path) -> None:
    (path,) = export_charts(charted, "alice", "md", out, theme_ids=["1"])
    assert path.name == "chart-1-alice.md"
    assert path.read_text(encoding="utf-8").splitlines() == [
        "# Framework charts (alice)", "", "## 1 Staffing", "",
        "| case | 1.1 Vacancies | 1.2 Agency staff |", "|---|---|---|",
        "| ad_county |  |  |",
        "| dir_london | About a fifth of posts vacant [dir_london L5]<br>*“vacancy rate of about 20 per cent”* "
        "[dir_london L5] | *“We rely on agency staff — it’s costly.”* [dir_london L5] (memo: cost) |",
        "| hos_met | @x | =SUM(A1) |",
    ]


def test_csv_wide_one_file_per_chart_formula_safe(charted: Store, out: Path) -> None:
    paths = export_charts(charted, "alice", "csv", out, mode="summaries", group_by=["role"])
    assert [p.name for p in paths] == ["chart-1-alice.csv", "chart-2-alice.csv", "chart-3-alice.csv"]
    assert read_csv(paths[0]) == [
        ["case", "role", "1.1 Vacancies", "1.2 Agency staff"],
        ["ad_county", "Assistant director", "", ""],
        ["dir_london", "Director", "About a fifth of posts vacant [dir_london L5]", ""],
        ["hos_met", "Head of service", "'@x", "'=SUM(A1)"],
    ]
    assert read_csv(paths[1])[3] == ["hos_met", "Head of service", "", "'+1", ""]
    assert read_csv(paths[2])[3] == ["hos_met", "Head of service", "'-2"]
    assert paths[0].read_bytes().startswith(b"\xef\xbb\xbf")
    assert [csv_cell(v) for v in ("=1", "+1", "-1", "@a", "\tx", "\rx", "a=b", 5)] == [
        "'=1", "'+1", "'-1", "'@a", "'\tx", "'\rx", "a=b", 5]


def test_csv_long_one_row_per_passage(charted: Store, out: Path) -> None:
    (path,) = export_charts(charted, "alice", "csv", out, long=True, theme_ids=["2", "1"])
    assert path.name == "charts-alice-long.csv"
    rows = read_csv(path)
    assert rows[0] == ["case", "role", "service", "authority_type", "interviews", "theme", "theme_path", "document",
                       "line_start", "line_end", "reference", "quote", "memo", "coder"]
    ac = ["ad_county", "Assistant director", "Adult services", "County council", "2"]
    dl = ["dir_london", "Director", "Children's services", "London borough", "1"]
    assert rows[1:] == [
        ac + ["2", "Workload", "ad_county", "1", "1", "[ad_county L1]", "Q: How are cases allocated?", "", "alice"],
        ac + ["2.2", "Workload > Allocation", "ad_county", "3", "3", "[ad_county L3]",
              "The team manager allocates at a weekly meeting.", "", "alice"],
        ac + ["2.2.1", "Workload > Allocation > Unallocated cases", "ad_county", "3", "3", "[ad_county L3]",
              "Nothing is left unallocated for long.", "", "alice"],
        dl + ["2.1", "Workload > Caseloads", "dir_london", "9", "10", "[dir_london L9-10]",
              "Caseloads are around 22 for a full-time worker.\nSome carry more than that.", "", "alice"],
        dl + ["1.1", "Staffing > Vacancies", "dir_london", "5", "5", "[dir_london L5]",
              "vacancy rate of about 20 per cent", "", "alice"],
        dl + ["1.2", "Staffing > Agency staff", "dir_london", "5", "5", "[dir_london L5]",
              "We rely on agency staff — it’s costly.", "cost", "alice"],
    ]


def test_presence_matrix_is_0_or_1_per_case_and_theme(charted: Store, out: Path) -> None:
    (path,) = export_charts(charted, "alice", "csv", out, presence=True)
    assert read_csv(path) == [
        ["case", "role", "service", "authority_type", "interviews", "1", "1.1", "1.2", "2", "2.1", "2.2", "2.2.1", "3"],
        ["ad_county", "Assistant director", "Adult services", "County council", "2", "0", "0", "0", "1", "0", "1", "1", "1"],
        ["dir_london", "Director", "Children's services", "London borough", "1", "1", "1", "1", "1", "1", "0", "0", "1"],
        ["hos_met", "Head of service", "Joint", "Metropolitan borough", "1", "0", "0", "0", "0", "0", "0", "0", "0"],
    ]
    (md,) = export_charts(charted, "bob", "md", out, presence=True, theme_ids=["1"])
    assert md.name == "chart-1-bob-presence.md"
    assert md.read_text(encoding="utf-8").splitlines()[2:] == [
        "| ad_county | Assistant director | Adult services | County council | 2 | 0 | 0 | 0 |",
        "| dir_london | Director | Children's services | London borough | 1 | 0 | 0 | 0 |",
        "| hos_met | Head of service | Joint | Metropolitan borough | 1 | 1 | 1 | 0 |",
    ]


def test_long_and_presence_only_as_tables(charted: Store, out: Path) -> None:
    with pytest.raises(InputError, match="the long and presence tables are written as md or csv, not xlsx"):
        export_charts(charted, "alice", "xlsx", out, long=True)
    assert list(out.iterdir()) == []


# -- quotes ---------------------------------------------------------------------------------------


def test_quotes_attributed_by_pattern(charted: Store, out: Path) -> None:
    quotes = collect_quotes(charted, "alice", "2", "[{role}, {authority_type}]")
    assert [(q.theme_id, q.attribution, q.text, q.extract.reference) for q in quotes] == [
        ("2", "[Assistant director, County council]", "Q: How are cases allocated?", "[ad_county L1]"),
        ("2.1", "[Director, London borough]",
         "Caseloads are around 22 for a full-time worker. Some carry more than that.", "[dir_london L9-10]"),
        ("2.2", "[Assistant director, County council]", "The team manager allocates at a weekly meeting.",
         "[ad_county L3]"),
        ("2.2.1", "[Assistant director, County council]", "Nothing is left unallocated for long.", "[ad_county L3]"),
    ]
    path, count = export_quotes(charted, "alice", "2.2", fmt="md", pattern="[{role}, {authority_type}]",
                                directory=out)
    assert (path.name, count) == ("quotes_2.2.md", 2)
    assert path.read_text(encoding="utf-8").splitlines() == [
        "# Quotes: 2.2 Allocation (alice)", "",
        "## 2.2 Allocation", "",
        "> “The team manager allocates at a weekly meeting.”", ">",
        "> [Assistant director, County council] · [ad_county L3]", "",
        "## 2.2.1 Unallocated cases", "",
        "> “Nothing is left unallocated for long.”", ">",
        "> [Assistant director, County council] · [ad_county L3]",
    ]


def test_quotes_csv_and_docx(charted: Store, out: Path) -> None:
    path, _ = export_quotes(charted, "alice", "1", fmt="csv", pattern="{role} ({case})", out=out / "q.csv")
    assert read_csv(path) == [
        ["theme", "theme_path", "case", "attribution", "quote", "reference", "document", "line_start", "line_end",
         "memo", "coder"],
        ["1.1", "Staffing > Vacancies", "dir_london", "Director (dir_london)", "vacancy rate of about 20 per cent",
         "[dir_london L5]", "dir_london", "5", "5", "", "alice"],
        ["1.2", "Staffing > Agency staff", "dir_london", "Director (dir_london)",
         "We rely on agency staff — it’s costly.", "[dir_london L5]", "dir_london", "5", "5", "cost", "alice"],
    ]
    again, _ = export_quotes(charted, "alice", "1", fmt="csv", out=out / "q.csv")
    assert again == out / "q (2).csv"
    docx_path, count = export_quotes(charted, "alice", "3", fmt="docx", pattern="[{role}, {authority_type}]",
                                     directory=out)
    assert (docx_path.name, count) == ("quotes_3.docx", 2)
    doc = open_docx(str(docx_path))
    body = [p for p in doc.paragraphs if not p.style.name.startswith(("Heading", "Title"))]
    assert [[(r.text, r.italic) for r in p.runs] for p in body] == [
        [("“Supervision is every four weeks”", True), (" [Assistant director, County council]", None),
         (" [ad_county L7]", None)],
        [("“Supervision happens monthly”", True), (" [Director, London borough]", None), (" [dir_london L12]", None)],
    ]


def test_attribution_pattern_errors_name_the_attribute(charted: Store) -> None:
    with pytest.raises(InputError, match=r"names 'authority', which is not a case attribute \(attributes: role, "
                                         r"service, authority_type, interviews; \{case\} gives the case id\)"):
        collect_quotes(charted, "alice", "1", "[{role}, {authority}]")
    with charted.write():
        charted.cases.set_attributes(case_id(charted, "dir_london"), {"role": ""})
    with pytest.raises(InputError, match=r"'role' is empty for dir_london"):
        collect_quotes(charted, "alice", "1", "[{role}]")
    with pytest.raises(InputError, match="name a case attribute inside the braces"):
        collect_quotes(charted, "alice", "1", "[{}]")
    with pytest.raises(InputError, match="attribution pattern '\\[\\{role': "):
        collect_quotes(charted, "alice", "1", "[{role")
    case = Case(1, "x", {"role": "Director", "authority_type": "London borough"})
    assert attribution("[{role}, {authority_type}]", case) == "[Director, London borough]"
    assert attribution("{{{case}}}", case) == "{x}"


# -- command line ---------------------------------------------------------------------------------


@pytest.fixture
def cli():
    from framework.cli import main

    return main


def run(main, project_dir: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project_dir), *args])


def test_cli_cell_show_export_map_and_quotes(cli, project_dir: Path, charted: Store) -> None:
    wrote = run(cli, project_dir, "chart", "cell", "hos_met", "3", "--summary", "Monthly, protected [hos_met L3]",
                "--status", "done", "--coder", "alice", "--json")
    assert wrote.exit_code == 0, wrote.output
    assert {k: v for k, v in json.loads(wrote.stdout).items() if k != "updated_at"} == {
        "case": "hos_met", "theme": "3", "layer": "alice", "summary": "Monthly, protected [hos_met L3]",
        "status": "done", "updated_by": "alice"}
    shown = json.loads(run(cli, project_dir, "chart", "show", "--theme", "3", "--json").stdout)
    assert [(r["case"], r["cells"][0]["summary"], r["cells"][0]["status"]) for r in shown["charts"][0]["rows"]] == [
        ("ad_county", "", "empty"), ("dir_london", "", "empty"), ("hos_met", "Monthly, protected [hos_met L3]", "done")]
    table = run(cli, project_dir, "chart", "show", "--theme", "3", "--width", "40")
    assert table.exit_code == 0
    assert [line.rstrip() for line in table.stdout.splitlines()[:5]] == [
        "3 Supervision (alice)",
        "case        3 Supervision",
        "ad_county   1 passage",
        "dir_london  1 passage",
        "hos_met     ✓ Monthly, protected [hos_met L3]",
    ]
    exported = run(cli, project_dir, "chart", "export", "--format", "csv", "--theme", "3", "--cells", "summaries",
                   "--group-by", "service", "--out", str(project_dir / "out"))
    assert exported.exit_code == 0, exported.output
    assert exported.stdout.strip() == f"wrote {project_dir / 'out' / 'chart-3-alice.csv'}"
    assert read_csv(project_dir / "out" / "chart-3-alice.csv")[3] == ["hos_met", "Joint", "Monthly, protected [hos_met L3]"]
    default = run(cli, project_dir, "chart", "export", "--coder", "consensus")
    assert default.exit_code == 0 and (project_dir / "exports" / "charts-consensus.xlsx").exists()
    mapped = json.loads(run(cli, project_dir, "map", "--by", "service", "--json").stdout)
    workload = next(t for t in mapped["themes"] if t["theme"] == "2")
    assert (workload["count"], workload["cases"], [g["count"] for g in workload["groups"]]) == (
        2, ["ad_county", "dir_london"], [1, 1, 0])
    heat = run(cli, project_dir, "map", "--by", "service", "--cases")
    assert heat.exit_code == 0 and "2.2 (service = Adult services): ad_county" in heat.stdout
    quoted = run(cli, project_dir, "quotes", "--theme", "3", "--pattern", "[{role}, {authority_type}]",
                 "--out", str(project_dir / "q.md"))
    assert quoted.exit_code == 0 and quoted.stdout.strip() == f"wrote 2 quotes to {project_dir / 'q.md'}"


def test_cli_errors_exit_1(cli, project_dir: Path, charted: Store) -> None:
    bad = run(cli, project_dir, "chart", "export", "--group-by", "sector", "--coder", "alice")
    assert bad.exit_code == 1 and "no case attribute named 'sector'" in bad.stderr
    missing = run(cli, project_dir, "quotes", "--theme", "1", "--pattern", "[{grade}]", "--coder", "alice")
    assert missing.exit_code == 1 and "names 'grade', which is not a case attribute" in missing.stderr
    mismatch = run(cli, project_dir, "quotes", "--theme", "1", "--format", "csv", "--out", "x.md", "--coder", "alice")
    assert mismatch.exit_code == 1 and "does not end in .csv" in mismatch.stderr
    assert run(cli, project_dir, "chart", "cell", "hos_met", "3", "--coder", "alice").exit_code == 2


def test_built_charts_match_export_row_order(charted: Store, out: Path) -> None:
    charts = build_charts(charted, "alice", group_by=["authority_type"])
    (path,) = export_charts(charted, "alice", "xlsx", out, group_by=["authority_type"])
    wb = load_workbook(path)
    expected = [r.case.name for r in charts.rows]
    assert expected == ["ad_county", "dir_london", "hos_met"]
    for sheet in ("1 Staffing", "2 Workload", "3 Supervision", "Overview"):
        assert [c.value for c in wb[sheet]["A"]][1:] == expected


def test_xlsx_empty_cells_have_no_value_and_long_text_is_cut_at_excels_limit(charted: Store, out: Path) -> None:
    from framework.coding.actions import set_cell
    from framework.export.xlsx import MAX_CELL

    set_cell(charted, "alice", case_id(charted, "hos_met"), "3", "alice", summary="x" * 40_000)
    (path,) = export_charts(charted, "alice", "xlsx", out, theme_ids=["3"], mode="summaries")
    with zipfile.ZipFile(path) as z:
        assert b't="inlineStr"></c>' not in z.read("xl/worksheets/sheet1.xml")
    ws = load_workbook(path)["3 Supervision"]
    assert [c.value for c in ws["B"]][:3] == ["3 Supervision", None, None]
    cut = ws["B4"].value
    assert len(cut) == MAX_CELL
    assert cut.startswith("x" * 32_000) and cut.endswith("(cut here: Excel cells hold at most 32,767 characters; "
                                                          "see the other exports)")


# -- pseudonymised exports -------------------------------------------------------------------------

NAMED_TEXT = """\
Interview 01 — telephone

Interviewer: Can you tell me about Northshire?

Respondent: Margaret Hill said the Northshire posts are hard to fill.

Interviewer: And supervision?

Respondent: Margaret
Hill runs supervision.
"""
NAMED_CASES = """\
case,role,authority,lead
dir_london,Director,Northshire,Margaret Hill
ad_county,Assistant director,County council,Sam Patel
hos_met,Head of service,Metropolitan borough,Margaret
"""
KEY_CSV = "term,replacement\nMargaret Hill,Director A\nMargaret,Person B\nNorthshire,County 1\ndir_london,Case 1\n"

SUMMARY = "[Director A]: [County 1] posts hard to fill [[Case 1] L5]"
QUOTE = "[Director A] said the [County 1] posts are hard to fill."
MEMO = "[County 1] lead, ask [Director A]"
SPLIT = "Respondent: [Director A]"
"""The passage "Respondent: Margaret" ends inside "Margaret\\nHill" (lines 9-10): the whole name is replaced,
and the reference keeps line 9 of the original text."""


@pytest.fixture
def named(tmp_path: Path):
    """A project whose texts, summary, memo and case attributes name Margaret Hill and Northshire.

    dir_london (a case id in the key too): a passage starting inside the name ("Hill said ...", 1.1, with
    a memo), a passage ending inside a name broken over two lines (3), a summary (1.1).
    ad_county: one passage without names (2). hos_met: "Margaret" as an attribute value.
    """
    from framework.coding.actions import add_coding, set_cell
    from framework.project import open_project

    from .conftest import write_project

    root = write_project(tmp_path / "named")
    (root / "transcripts" / "dir_london.txt").write_text(NAMED_TEXT, encoding="utf-8")
    (root / "cases.csv").write_text(NAMED_CASES, encoding="utf-8")
    themes = (root / "themes.yaml").read_text(encoding="utf-8")
    (root / "themes.yaml").write_text(themes.replace("Posts left unfilled", "Posts left unfilled in Northshire"),
                                      encoding="utf-8")
    project = open_project(root)
    store = project.store
    doc = store.documents.get("dir_london")
    text = store.documents.text(doc.id)
    start = text.index("Hill said")
    add_coding(store, "alice", doc.id, "1.1", start, text.index("fill.") + 5, "Northshire lead, ask Margaret Hill")
    start = text.index("Respondent: Margaret\nHill")
    add_coding(store, "alice", doc.id, "3", start, start + len("Respondent: Margaret"), "")
    ac = store.documents.get("ad_county")
    start = store.documents.text(ac.id).index("Q: How are cases allocated?")
    add_coding(store, "alice", ac.id, "2", start, start + len("Q: How are cases allocated?"), "")
    set_cell(store, "alice", case_id(store, "dir_london"), "1.1", "alice",
             summary="Margaret Hill: Northshire posts hard to fill [dir_london L5]", status="done")
    store.set_meta(SALT_META, "a fixed value, so that the numbers of the labels are known")
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "key.csv").write_text(KEY_CSV, encoding="utf-8")
    yield project
    project.close()


@pytest.fixture
def key(named, tmp_path: Path):
    from framework.confidentiality.key import Pseudonymiser

    return Pseudonymiser.load(tmp_path / "keys" / "key.csv")


def stored(store: Store) -> dict[str, list[dict]]:
    """Every table of the store but the action log, row by row."""
    tables = [r["name"] for r in store.query("SELECT name FROM sqlite_master WHERE type = 'table' "
                                             "AND name NOT LIKE 'sqlite_%' AND name != 'actions' ORDER BY name")]
    return {t: sorted(store.query(f'SELECT * FROM "{t}"'), key=lambda r: json.dumps(r, sort_keys=True, default=str))
            for t in tables}


def exports_logged(store: Store) -> list[dict]:
    return [a.payload for a in store.actions.list() if a.kind == "export"]


def readable(path: Path) -> str:
    """Every part of an export as text, case-folded, read without the project's own code:
    each zip entry (and its name), with and without its tags, entities undone."""
    import html
    import re

    parts = [path.name]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                data = archive.read(name).decode("utf-8", "replace")
                parts += [name, data, re.sub(r"<[^>]+>", "", data)]
    else:
        data = path.read_text(encoding="utf-8-sig")
        parts += [data, re.sub(r"<[^>]+>", "", data)]
    return html.unescape("\n".join(parts)).casefold()


def no_key_terms(path: Path, key) -> None:
    from framework.confidentiality.check import check

    assert check(path, key) == [], path
    text = readable(path)
    assert [w for w in ("hill", "margaret", "northshire", "dir_london") if w in text] == [], path


def test_pseudonymised_xlsx(named, key, out: Path) -> None:
    from framework.export.pseudonymise import PSEUDONYM_NOTE

    before = stored(named.store)
    (path,) = export_charts(named.store, "alice", "xlsx", out, group_by=["authority"], key=key, coder="alice")
    wb = load_workbook(path)
    assert sheet_rows(wb["1 Staffing"]) == [
        ["case", "authority", "1.1 Vacancies", "1.2 Agency staff"],
        # sorted by the pseudonymised values: "[County 1]" first, as written
        ["[Case 1]", "[County 1]", f"{SUMMARY}\n\n“{QUOTE}” [[Case 1] L5] (memo: {MEMO})", None],
        ["[Case 2]", "County council", None, None],
        ["[Case 3]", "Metropolitan borough", None, None],
    ]
    assert sheet_rows(wb["3 Supervision"])[1] == ["[Case 1]", "[County 1]", f"“{SPLIT}” [[Case 1] L9]"]
    assert sheet_rows(wb["2 Workload"])[2][:3] == ["[Case 2]", "County council", "“Q: How are cases allocated?” [[Case 2] L1]"]
    assert [r[:2] for r in sheet_rows(wb["Overview"])[1:]] == [
        ["[Case 1]", "[County 1]"], ["[Case 2]", "County council"], ["[Case 3]", "Metropolitan borough"]]
    codebook = {r[0]: r for r in sheet_rows(wb["Codebook"])[1:]}
    assert codebook["1.1"][3:5] == ["Vacancies", "Posts left unfilled in [County 1]"]
    assert wb.properties.description == PSEUDONYM_NOTE
    no_key_terms(path, key)
    assert stored(named.store) == before
    assert exports_logged(named.store) == [{
        "export": "charts", "format": "xlsx", "file": str(path), "files": [str(path)], "layer": "alice",
        "themes": ["1", "2", "3"], "pseudonym_key": str(key.path), "key_sha256": key.sha256}]
    assert len(key.sha256) == 64
    assert [a.coder for a in named.store.actions.list() if a.kind == "export"] == ["alice"]


def test_pseudonymised_docx(named, key, out: Path) -> None:
    from framework.export.pseudonymise import PSEUDONYM_NOTE

    before = stored(named.store)
    (path,) = export_charts(named.store, "alice", "docx", out, group_by=["authority"], key=key)
    doc = open_docx(str(path))
    assert [p.text for p in doc.paragraphs][:2] == ["Framework charts (alice)", PSEUDONYM_NOTE]
    staffing = doc.tables[0]
    assert [[c.text for c in r.cells[:2]] for r in staffing.rows] == [
        ["case", "authority"], ["[Case 1]", "[County 1]"], ["[Case 2]", "County council"],
        ["[Case 3]", "Metropolitan borough"]]
    summary, quote = staffing.rows[1].cells[2].paragraphs
    assert summary.text == SUMMARY
    assert [(r.text, r.italic) for r in quote.runs] == [
        (f"“{QUOTE}”", True), (" [[Case 1] L5]", None), (f" (memo: {MEMO})", None)]
    assert doc.tables[2].rows[1].cells[2].text == f"“{SPLIT}” [[Case 1] L9]"
    no_key_terms(path, key)
    assert stored(named.store) == before
    (logged,) = exports_logged(named.store)
    assert (logged["format"], logged["file"], logged["key_sha256"]) == ("docx", str(path), key.sha256)


def test_pseudonymised_html_including_the_mapping_and_its_hover_lists(named, key, out: Path) -> None:
    from framework.export.pseudonymise import PSEUDONYM_NOTE

    before = stored(named.store)
    (path,) = export_charts(named.store, "alice", "html", out, group_by=["authority"], key=key)
    text = path.read_text(encoding="utf-8")
    page = lxml.html.fromstring(text)
    assert PSEUDONYM_NOTE in [p.text_content() for p in page.xpath('//p[@class="meta"]')]
    rows = page.xpath('//section[@id="chart-1"]//tbody/tr[not(@class="group")]')
    assert [(r.xpath("string(th)"), r.xpath("string(td[1])")) for r in rows] == [
        ("[Case 1]", "[County 1]"), ("[Case 2]", "County council"), ("[Case 3]", "Metropolitan borough")]
    assert page.xpath('//section[@id="chart-1"]//tr[@class="group"]/th/text()') == [
        "[County 1]", "County council", "Metropolitan borough"]
    cell = rows[0].xpath("td[2]")[0]
    assert [p.text_content() for p in cell.xpath("p")] == [SUMMARY, f"{QUOTE} [[Case 1] L5] (memo: {MEMO})"]
    assert cell.xpath("string(p/q)") == QUOTE
    mapping_rows = page.xpath('//section[@id="mapping"]//tbody/tr')
    assert [th.text_content() for th in page.xpath('//section[@id="mapping"]//thead/tr/th')] == [
        "Theme", "All cases (3)", "[County 1] (1)", "County council (1)", "Metropolitan borough (1)"]
    staffing = mapping_rows[0].xpath("td")
    assert [(td.text_content(), td.get("title")) for td in staffing[1:3]] == [
        ("1/3 (33%)", "[Case 1]"), ("1/1 (100%)", "[Case 1]")]
    # the checker reads text, not attributes: the hover lists and every other attribute are checked here
    assert not any(term in value for value in page.xpath("//@*") for term in ("Margaret", "Hill", "Northshire",
                                                                            "dir_london"))
    no_key_terms(path, key)
    assert stored(named.store) == before
    assert exports_logged(named.store)[0]["key_sha256"] == key.sha256


def test_pseudonymised_markdown_and_csv_wide_long_and_presence(named, key, out: Path) -> None:
    from framework.export.pseudonymise import PSEUDONYM_NOTE

    before = stored(named.store)
    (md,) = export_charts(named.store, "alice", "md", out, theme_ids=["1"], key=key)
    assert md.read_text(encoding="utf-8").splitlines()[:10] == [
        "# Framework charts (alice)", "", f"*{PSEUDONYM_NOTE}*", "", "## 1 Staffing", "",
        "| case | 1.1 Vacancies | 1.2 Agency staff |", "|---|---|---|",
        f"| [Case 1] | {SUMMARY}<br>*“{QUOTE}”* [[Case 1] L5] (memo: {MEMO}) |  |",
        "| [Case 2] |  |  |",
    ]
    wide = export_charts(named.store, "alice", "csv", out, group_by=["authority"], key=key)
    assert read_csv(wide[0])[1] == ["[Case 1]", "[County 1]", f"{SUMMARY}\n\n“{QUOTE}” [[Case 1] L5] (memo: {MEMO})", ""]
    assert read_csv(wide[2])[1] == ["[Case 1]", "[County 1]", f"“{SPLIT}” [[Case 1] L9]"]
    long, presence = export_charts(named.store, "alice", "csv", out, long=True, presence=True, key=key)
    dl = ["[Case 1]", "Director", "[County 1]", "[Director A]"]
    assert read_csv(long)[1:] == [
        dl + ["1.1", "Staffing > Vacancies", "[Case 1]", "5", "5", "[[Case 1] L5]", QUOTE, MEMO, "alice"],
        dl + ["3", "Supervision", "[Case 1]", "9", "9", "[[Case 1] L9]", SPLIT, "", "alice"],
        ["[Case 2]", "Assistant director", "County council", "Sam Patel", "2", "Workload", "[Case 2]", "1", "1",
         "[[Case 2] L1]", "Q: How are cases allocated?", "", "alice"],
    ]
    assert [r[:4] for r in read_csv(presence)[1:]] == [
        dl, ["[Case 2]", "Assistant director", "County council", "Sam Patel"],
        ["[Case 3]", "Head of service", "Metropolitan borough", "[Person B]"]]
    md_long, md_presence = export_charts(named.store, "alice", "md", out, long=True, presence=True, key=key)
    assert f"| {SPLIT} |" in md_long.read_text(encoding="utf-8")
    for path in [md, *wide, long, presence, md_long, md_presence]:
        no_key_terms(path, key)
    assert stored(named.store) == before
    logged = exports_logged(named.store)
    assert [(e["format"], len(e["files"]), e["key_sha256"]) for e in logged] == [
        ("md", 1, key.sha256), ("csv", 3, key.sha256), ("csv", 2, key.sha256), ("md", 2, key.sha256)]
    assert logged[1]["files"] == [str(p) for p in wide] and logged[2]["file"] == str(long)


def test_pseudonymised_quotes_in_every_format(named, key, out: Path) -> None:
    from framework.export.pseudonymise import PSEUDONYM_NOTE

    before = stored(named.store)
    quotes = collect_quotes(named.store, "alice", "1", "[{role}, {authority}]", key=key)
    assert [(q.case, q.attribution, q.text, q.extract.reference, q.extract.memo) for q in quotes] == [
        ("[Case 1]", "[Director, [County 1]]", QUOTE, "[[Case 1] L5]", MEMO)]
    md, count = export_quotes(named.store, "alice", "1", fmt="md", pattern="[{role}, {authority}]", directory=out,
                              key=key)
    assert count == 1
    assert md.read_text(encoding="utf-8").splitlines() == [
        "# Quotes: 1 Staffing (alice)", "", f"*{PSEUDONYM_NOTE}*", "", "## 1.1 Vacancies", "",
        f"> “{QUOTE}”", ">", "> [Director, [County 1]] · [[Case 1] L5]"]
    csv_path, _ = export_quotes(named.store, "alice", "3", fmt="csv", pattern="{lead} ({case})", directory=out,
                                key=key)
    assert read_csv(csv_path) == [list(QUOTE_COLUMNS), [
        "3", "Supervision", "[Case 1]", "[Director A] (Case 1)", SPLIT, "[[Case 1] L9]", "[Case 1]", "9", "9", "",
        "alice"]]
    docx_path, _ = export_quotes(named.store, "alice", "1", fmt="docx", pattern="[{role}, {authority}]",
                                 directory=out, key=key)
    doc = open_docx(str(docx_path))
    assert doc.paragraphs[1].text == PSEUDONYM_NOTE
    (body,) = [p for p in doc.paragraphs[2:] if not p.style.name.startswith(("Heading", "Title"))]
    assert [(r.text, r.italic) for r in body.runs] == [
        (f"“{QUOTE}”", True), (" [Director, [County 1]]", None), (" [[Case 1] L5]", None)]
    for path in (md, csv_path, docx_path):
        no_key_terms(path, key)
    assert stored(named.store) == before
    logged = exports_logged(named.store)
    assert [(e["export"], e["format"], e["file"], e["theme"], e["pseudonym_key"], e["key_sha256"]) for e in logged] == [
        ("quotes", "md", str(md), "1", str(key.path), key.sha256),
        ("quotes", "csv", str(csv_path), "3", str(key.path), key.sha256),
        ("quotes", "docx", str(docx_path), "1", str(key.path), key.sha256)]


def test_quote_cut_inside_a_name_gets_the_whole_replacement(named, key) -> None:
    from framework.export.pseudonymise import pseudonymise_extracts

    charts = build_charts(named.store, "alice")
    dl = case_id(named.store, "dir_london")
    (passage,) = charts.chart("1").cell(dl, "1.1").extracts
    assert passage.quote == "Hill said the Northshire posts are hard to fill."
    assert key.apply(passage.quote) == "Hill said the [County 1] posts are hard to fill."  # alone, "Hill" would stay
    (split,) = charts.chart("3").cell(dl, "3").extracts
    done = pseudonymise_extracts(named.store, [passage, split], key)
    assert done[passage.coding_id].quote == QUOTE
    assert done[split.coding_id].quote == SPLIT
    assert (done[split.coding_id].line_start, done[split.coding_id].line_end) == (9, 9)
    # a detached passage (its offsets no longer trusted) is replaced within the context kept with it
    with named.store.write():
        named.store.codings.update(passage.coding_id, {"detached": 1, "start": 0, "end": 4})
    (detached,) = build_charts(named.store, "alice").chart("1").cell(dl, "1.1").extracts
    assert pseudonymise_extracts(named.store, [detached], key)[detached.coding_id].quote == QUOTE


def test_every_chart_and_quote_export_is_logged_without_a_key_too(charted: Store, out: Path) -> None:
    (path,) = export_charts(charted, "alice", "md", out, theme_ids=["1"])
    quotes_path, _ = export_quotes(charted, "alice", "1", fmt="csv", directory=out, coder="bob")
    assert exports_logged(charted) == [
        {"export": "charts", "format": "md", "file": str(path), "files": [str(path)], "layer": "alice",
         "themes": ["1"], "pseudonym_key": None, "key_sha256": None},
        {"export": "quotes", "format": "csv", "file": str(quotes_path), "files": [str(quotes_path)], "layer": "alice",
         "theme": "1", "pattern": "[{case}]", "pseudonym_key": None, "key_sha256": None},
    ]
    assert [a.coder for a in charted.actions.list() if a.kind == "export"] == ["export", "bob"]
    assert "Pseudonymised" not in path.read_text(encoding="utf-8")


def test_a_key_kept_with_the_exports_is_refused(named, key, out: Path) -> None:
    from framework.confidentiality.key import Pseudonymiser

    inside = named.exports_dir / "key.csv"
    inside.write_text(KEY_CSV, encoding="utf-8")
    with pytest.raises(InputError, match="must not be kept in"):
        export_charts(named.store, "alice", "csv", out, key=Pseudonymiser.load(inside))
    (out / "key.csv").write_text(KEY_CSV, encoding="utf-8")
    with pytest.raises(InputError, match="must not be kept in"):
        export_quotes(named.store, "alice", "1", fmt="md", directory=out, key=Pseudonymiser.load(out / "key.csv"))
    assert sorted(p.name for p in out.iterdir()) == ["key.csv"]
    assert exports_logged(named.store) == []
    from framework.export import export_chart_set

    with pytest.raises(InputError, match="needs the project's store"):
        export_chart_set(build_charts(named.store, "alice"), "md", out, key=key)


def test_cli_pseudonymise_option(cli, named, key, tmp_path: Path) -> None:
    root = named.root
    key_file = str(key.path)
    before = stored(named.store)
    wrote = run(cli, root, "chart", "export", "--format", "csv", "--theme", "1", "--coder", "alice",
                "--pseudonymise", key_file, "--out", str(tmp_path / "shared"))
    assert wrote.exit_code == 0, wrote.output
    assert wrote.stdout.strip() == f"wrote {tmp_path / 'shared' / 'chart-1-alice.csv'} (pseudonymised with {key_file}; checked: no key terms)"
    assert read_csv(tmp_path / "shared" / "chart-1-alice.csv")[1][0] == "[Case 1]"
    quoted = run(cli, root, "quotes", "--theme", "1", "--coder", "alice", "--pattern", "[{role}, {authority}]",
                 "--pseudonymise", key_file)
    assert quoted.exit_code == 0, quoted.output
    path = root / "exports" / "quotes_1.md"
    assert quoted.stdout.strip() == f"wrote 1 quotes to {path} (pseudonymised with {key_file}; checked: no key terms)"
    assert f"> “{QUOTE}”" in path.read_text(encoding="utf-8")
    no_key_terms(path, key)
    assert stored(named.store) == before
    assert [(e["export"], e["key_sha256"]) for e in exports_logged(named.store)] == [
        ("charts", key.sha256), ("quotes", key.sha256)]
    (root / "exports" / "key.csv").write_text(KEY_CSV, encoding="utf-8")
    refused = run(cli, root, "chart", "export", "--coder", "alice", "--pseudonymise", str(root / "exports" / "key.csv"))
    assert refused.exit_code == 1 and "must not be kept in" in refused.stderr
    missing = run(cli, root, "quotes", "--theme", "1", "--coder", "alice", "--pseudonymise", str(tmp_path / "no.csv"))
    assert missing.exit_code == 1 and "no such pseudonym key" in missing.stderr


def long_named_case(store: Store, project_dir: Path) -> None:
    """A transcript with a long name like those of real studies, with a long draft summary."""
    from framework.coding.actions import set_cell
    from framework.ingest.documents import import_paths

    path = project_dir.parent / "assistant_director_county_council_02.txt"
    path.write_text((project_dir / "transcripts" / "ad_county.txt").read_text(encoding="utf-8"), encoding="utf-8")
    import_paths(store, [path])
    case = store.cases.get("assistant_director_county_council_02").id
    set_cell(store, "alice", case, "2.1", "alice", status="draft",
             summary="Caseloads of 22 to 25 per worker; the weighting tool was dropped after a year")


def show(cli, project_dir: Path, columns: int, *args: str) -> list[str]:
    result = CliRunner().invoke(cli, ["--project", str(project_dir), "chart", "show", "--coder", "alice", *args],
                                env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    return [line.rstrip() for line in result.stdout.splitlines()]


def test_chart_show_fits_80_and_120_columns(cli, project_dir: Path, charted: Store) -> None:
    long_named_case(charted, project_dir)
    assert show(cli, project_dir, 120, "--theme", "2") == [
        "2 Workload (alice)",
        "case                        2 Workload                     2.1 Caseloads                  2.2 Allocation",
        "ad_county                   1 passage                                                     ✎ Weekly allocation meeting …",
        "assistant_directo…uncil_02                                 ✎ Caseloads of 22 to 25 per …",
        "dir_london                                                 1 passage",
        "hos_met                                                    ✎ +1",
    ]
    assert show(cli, project_dir, 80, "--theme", "2") == [
        "2 Workload (alice)",
        "case                2 Workload          2.1 Caseloads       2.2 Allocation",
        "ad_county           1 passage                               ✎ Weekly allocati…",
        "assistant_di…il_02                      ✎ Caseloads of 22…",
        "dir_london                              1 passage",
        "hos_met                                 ✎ +1",
    ]
    for columns in (80, 120):
        lines = show(cli, project_dir, columns)
        assert max(map(len, lines)) <= columns
        assert lines[0] == "1 Staffing (alice)"


def test_chart_show_splits_many_columns_and_groups_rows(cli, project_dir: Path, charted: Store) -> None:
    long_named_case(charted, project_dir)
    lines = show(cli, project_dir, 60, "--theme", "2", "--group-by", "service", "--lines", "2")
    assert lines == [
        "2 Workload (alice)",
        "case              2 Workload            2.1 Caseloads",
        "Adult services (1)",
        "ad_county         1 passage",
        "Children's services (1)",
        "dir_london                              1 passage",
        "Joint (1)",
        "hos_met                                 ✎ +1",
        "(not set) (1)",
        "assistant_…il_02                        ✎ Caseloads of 22 to",
        "                                        25 per worker; the…",
        "",
        "case              2.2 Allocation",
        "Adult services (1)",
        "ad_county         ✎ Weekly allocation",
        "                  meeting [ad_county…",
        "",
        "Children's services (1)",
        "dir_london",
        "Joint (1)",
        "hos_met",
        "(not set) (1)",
        "assistant_…il_02",
    ]


# -- fit for a write-up -----------------------------------------------------------------------------


def row_heights(ws) -> list[float | None]:
    return [ws.row_dimensions[r].height if r in ws.row_dimensions else None for r in range(1, ws.max_row + 1)]


def test_xlsx_rows_are_tall_enough_for_wrapped_case_names(charted: Store, project_dir: Path, out: Path) -> None:
    long_named_case(charted, project_dir)
    (path,) = export_charts(charted, "alice", "xlsx", out, mode="summaries")
    wb = load_workbook(path)
    staffing = wb["1 Staffing"]
    assert [c.value for c in staffing["A"]] == ["case", "ad_county", "assistant_director_county_council_02",
                                               "dir_london", "hos_met"]
    assert staffing.column_dimensions["A"].width == 30
    # 25 bold characters a line in 30 units: the long name takes two lines, the others one.
    assert row_heights(staffing) == [None, None, 29.0, None, None]
    workload = wb["2 Workload"]
    # The long draft summary (77 characters, 48 a line in a 40-unit column) takes two lines too.
    assert row_heights(workload) == [None, None, 29.0, None, None]
    overview = wb["Overview"]
    assert row_heights(overview) == [43.5, None, 29.0, None, None]  # headings of 12 units wrap
    assert [c.value for c in overview[1]][:3] == ["case", "1.1 Vacancies", "1.2 Agency staff"]


def test_xlsx_heights_from_the_wrap_a_spreadsheet_does() -> None:
    from framework.export.xlsx import _lines

    assert _lines("assistant_director_county_council_02", 30, 0.85) == 2
    assert _lines("assistant_director_county_council_02", 45, 0.85) == 1
    assert _lines("a" * 60, 10, 1.0) == 6
    assert _lines("hello world foo", 5, 1.0) == 3
    assert _lines("aaaa_bbbb_cccc", 5, 1.0) == 3
    assert _lines("first\n\nthird", 40) == 3


def test_a_case_without_the_label_attribute_is_named_in_the_refusal(charted: Store, project_dir: Path,
                                                                    out: Path) -> None:
    from framework.ingest.documents import import_cases

    long_named_case(charted, project_dir)
    with pytest.raises(InputError) as refused:
        export_charts(charted, "alice", "xlsx", out, label="role")
    assert str(refused.value) == (
        "case 'assistant_director_county_council_02' has no value for 'role', which the label 'role' uses; "
        "give it one (framework cases import) or label the cases by another attribute.")
    assert list(out.glob("*.xlsx")) == []
    more = project_dir.parent / "more.csv"
    more.write_text("case,role\nassistant_director_county_council_02,Assistant director\n", encoding="utf-8")
    import_cases(charted, more)
    (xlsx,) = export_charts(charted, "alice", "xlsx", out, mode="summaries", label="role")
    assert [c.value for c in load_workbook(xlsx)["Overview"]["A"]] == [
        "case", "Assistant director 1", "Assistant director 2", "Director", "Head of service"]


def test_chart_exports_skip_empty_cases(charted: Store, out: Path) -> None:
    from framework.coding.actions import set_cell

    hos_met = charted.cases.get("hos_met").id
    for theme in ("1.1", "1.2", "2.1", "3"):
        set_cell(charted, "alice", hos_met, theme, "alice", summary="")
    (csv_path,) = export_charts(charted, "alice", "csv", out, presence=True, skip_empty=True)
    assert [r[0] for r in read_csv(csv_path)] == ["case", "ad_county", "dir_london"]
    (html_path,) = export_charts(charted, "alice", "html", out, skip_empty=True, label="{role} ({authority_type})")
    page = lxml.html.parse(str(html_path)).getroot()
    assert page.xpath('//section[@id="chart-1"]//tbody/tr/th/text()') == [
        "Assistant director (County council)", "Director (London borough)"]
    titles = [td.get("title") for td in page.xpath('//section[@id="mapping"]//tbody/tr')[3].xpath("td")[1:2]]
    assert titles == ["Assistant director (County council), Director (London borough)"]
    logged = [a.payload for a in charted.actions.list() if a.kind == "export"][-1]
    assert (logged["label"], logged["left_out"]) == ("{role} ({authority_type})", 1)


def test_labels_are_numbered_when_shared_and_refused_when_missing(charted: Store, out: Path) -> None:
    from framework.export.charts import case_labels

    charts = build_charts(charted, "alice")
    assert case_labels(charts, "interviews") == {"ad_county": "2", "dir_london": "1 1", "hos_met": "1 2"}
    assert case_labels(charts, "{service}") == {
        "ad_county": "Adult services", "dir_london": "Children's services", "hos_met": "Joint"}
    with pytest.raises(InputError, match="label 'grade' names 'grade', which is not a case attribute"):
        export_charts(charted, "alice", "docx", out, label="grade")
    charted.cases.get("hos_met")
    (docx_path,) = export_charts(charted, "alice", "docx", out, label="role", theme_ids=["3"])
    table = open_docx(str(docx_path)).tables[0]
    assert [row.cells[0].text for row in table.rows] == ["case", "Assistant director", "Director", "Head of service"]


def test_a_repeated_export_says_it_kept_the_earlier_file(cli, project_dir: Path, charted: Store) -> None:
    first = run(cli, project_dir, "chart", "export", "--coder", "alice", "--format", "html")
    assert first.stdout == f"wrote {project_dir / 'exports' / 'charts-alice.html'}\n"
    second = run(cli, project_dir, "chart", "export", "--coder", "alice", "--format", "html", "--skip-empty",
                 "--label", "role")
    assert second.exit_code == 0, second.output
    assert second.stdout == (f"wrote {project_dir / 'exports' / 'charts-alice (2).html'} "
                             "(charts-alice.html was already there and is kept; --force replaces it)\n")
    forced = run(cli, project_dir, "chart", "export", "--coder", "alice", "--format", "html", "--force")
    assert forced.stdout == f"wrote {project_dir / 'exports' / 'charts-alice.html'}\n"
    quoted = [run(cli, project_dir, "quotes", "--theme", "3", "--coder", "alice").stdout for _ in range(2)]
    assert quoted[1] == (f"wrote 2 quotes to {project_dir / 'exports' / 'quotes_3 (2).md'} "
                         "(quotes_3.md was already there and is kept; --force replaces it)\n")


def test_two_layers_exports_never_take_each_others_names(cli, project_dir: Path, charted: Store) -> None:
    for layer in ("alice", "bob", "consensus"):
        result = run(cli, project_dir, "chart", "export", "--coder", layer, "--theme", "1")
        assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (project_dir / "exports").iterdir()) == [
        "chart-1-alice.xlsx", "chart-1-bob.xlsx", "chart-1-consensus.xlsx"]


def test_out_names_a_folder_or_the_file_alike_for_every_export(cli, project_dir: Path, charted: Store,
                                                               tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    wrote = {}
    for args in (("--out", str(shared / "study.xlsx")),                       # a file: its format
                 ("--out", str(shared / "one.md"), "--theme", "3"),
                 ("--out", str(shared / "wide.csv")),                        # several files: their names start so
                 ("--out", str(shared / "tables.csv"), "--long", "--presence"),
                 ("--out", str(shared / "long.md"), "--long"),
                 ("--out", str(shared), "--format", "docx")):                # a folder: the export's own names
        result = run(cli, project_dir, "chart", "export", "--coder", "alice", *args)
        assert result.exit_code == 0, (args, result.output)
        wrote[args[1].removeprefix(str(shared))] = [line.split(f"{shared}/")[1] for line in result.stdout.splitlines()]
    assert wrote == {
        "/study.xlsx": ["study.xlsx"], "/one.md": ["one.md"],
        "/wide.csv": ["wide-1.csv", "wide-2.csv", "wide-3.csv"],
        "/tables.csv": ["tables-long.csv", "tables-presence.csv"], "/long.md": ["long.md"],
        "": ["charts-alice.docx"],
    }
    assert load_workbook(shared / "study.xlsx").sheetnames[:2] == ["1 Staffing", "2 Workload"]
    quoted = run(cli, project_dir, "quotes", "--theme", "3", "--coder", "alice", "--out", str(shared))
    assert quoted.stdout == f"wrote 2 quotes to {shared / 'quotes_3.md'}\n"
    as_docx = run(cli, project_dir, "quotes", "--theme", "3", "--coder", "alice", "--out", str(shared / "q.docx"))
    assert as_docx.stdout == f"wrote 2 quotes to {shared / 'q.docx'}\n"
    for args, message in (
        (("chart", "export", "--out", str(shared / "charts.txt")),
         f"--out {shared / 'charts.txt'}: give a folder, or a file name ending in .xlsx, .docx, .html, .md, .csv."),
        (("chart", "export", "--format", "docx", "--out", str(shared / "charts.xlsx")),
         f"--out {shared / 'charts.xlsx'} does not end in .docx; name the file charts.docx."),
        (("quotes", "--theme", "3", "--out", str(shared / "quotes.xlsx")),
         f"--out {shared / 'quotes.xlsx'}: give a folder, or a file name ending in .docx, .md, .csv."),
    ):
        refused = run(cli, project_dir, *args, "--coder", "alice")
        assert (refused.exit_code, refused.stderr) == (1, f"framework: {message}\n")
    first = run(cli, project_dir, "export", "qdpx", "--out", str(shared))
    again = run(cli, project_dir, "export", "qdpx", "--out", str(shared))
    assert first.exit_code == 0 and again.exit_code == 0, again.output
    assert (shared / "project.qdpx").exists() and (shared / "project (2).qdpx").exists()
    assert again.stdout.rstrip().endswith("(project.qdpx was already there and is kept; --force replaces it)")
    assert run(cli, project_dir, "export", "qdc").exit_code == 0
    assert (project_dir / "exports" / "framework.qdc").exists()
    wrong = run(cli, project_dir, "export", "qdc", "--out", str(shared / "codebook.csv"))
    assert (wrong.exit_code, wrong.stderr) == (
        1, f"framework: --out {shared / 'codebook.csv'}: give a folder, or a file name ending in .qdc.\n")


def test_chart_show_and_map_never_break_a_word(cli, project_dir: Path, charted: Store) -> None:
    from framework.coding.actions import set_cell

    set_cell(charted, "alice", case_id(charted, "hos_met"), "3", "alice", status="draft",
             summary="Supervision is counterintuitively_underresourced across teams")
    lines = show(cli, project_dir, 60, "--theme", "3", "--lines", "3", "--width", "16")
    assert lines[:5] == [
        "3 Supervision (alice)",
        "case        3 Supervision",
        "ad_county   1 passage",
        "dir_london  1 passage",
        "hos_met     ✎ Supervision is",
    ]
    assert lines[5:7] == ["            counterintuitiv…", "            across teams"]
    mapped = CliRunner().invoke(cli, ["--project", str(project_dir), "map", "--coder", "alice", "--by", "service"],
                                env={"COLUMNS": "80"})
    assert mapped.stdout.splitlines()[0] == (
        "Mapping of alice's codings: the cases that raised each theme (a main theme counts its subthemes' too)")
