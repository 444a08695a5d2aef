"""Charts and mapping computed from a real project (conftest's three interviews)."""

from __future__ import annotations

import pytest

from framework.analysis.charting import NO_VALUE, build_charts, mapping, reference
from framework.coding.actions import add_coding, set_cell
from framework.errors import InputError
from framework.store import CONSENSUS, Store, Theme


def code(store: Store, coder: str, document: str, theme: str, phrase: str, memo: str = "") -> int:
    """Code the first occurrence of ``phrase`` in ``document``; returns the coding id."""
    doc = store.documents.get(document)
    start = store.documents.text(doc.id).index(phrase)
    return add_coding(store, coder, doc.id, theme, start, start + len(phrase), memo,
                      allow_consensus=coder == CONSENSUS).id


def case_id(store: Store, name: str) -> int:
    return store.cases.get(name).id


def chart_project(store: Store) -> Store:
    """alice's codings and summaries, one of bob's and one agreed coding.

    dir_london: 1.1 and 1.2 on line 5, 2.1 on lines 9-10, 3 on line 12.
    ad_county: 2 (the main theme itself) on line 1, 2.2 and 2.2.1 on line 3, 3 on line 7.
    hos_met: nothing coded by alice; summaries that look like formulas.
    """
    code(store, "alice", "dir_london", "1.1", "vacancy rate of about 20 per cent")
    code(store, "alice", "dir_london", "1.2", "We rely on agency staff — it’s costly.", memo="cost")
    code(store, "alice", "dir_london", "2.1", "Caseloads are around 22 for a full-time worker.\nSome carry more than that.")
    code(store, "alice", "dir_london", "3", "Supervision happens monthly")
    code(store, "alice", "ad_county", "2", "Q: How are cases allocated?")
    code(store, "alice", "ad_county", "2.2", "The team manager allocates at a weekly meeting.")
    code(store, "alice", "ad_county", "2.2.1", "Nothing is left unallocated for long.")
    code(store, "alice", "ad_county", "3", "Supervision is every four weeks")
    code(store, "bob", "hos_met", "1.1", "Recruitment is hard.")
    code(store, CONSENSUS, "dir_london", "1.1", "vacancy rate of about 20 per cent")
    dl, ac, hm = (case_id(store, n) for n in ("dir_london", "ad_county", "hos_met"))
    set_cell(store, "alice", dl, "1.1", "alice", summary="About a fifth of posts vacant [dir_london L5]", status="done")
    set_cell(store, "alice", ac, "2.2", "alice", summary="Weekly allocation meeting [ad_county L3]")
    set_cell(store, "alice", hm, "1.2", "alice", summary="=SUM(A1)")
    set_cell(store, "alice", hm, "2.1", "alice", summary="+1")
    set_cell(store, "alice", hm, "3", "alice", summary="-2")
    set_cell(store, "alice", hm, "1.1", "alice", summary="@x")
    set_cell(store, "bob", dl, "1.1", "bob", summary="bob's view")
    return store


@pytest.fixture
def charted(store: Store) -> Store:
    return chart_project(store)


def test_reference_names_document_and_lines() -> None:
    assert reference("dir_london_01", 120, 128) == "[dir_london_01 L120-128]"
    assert reference("dir_london_01", 7, 7) == "[dir_london_01 L7]"
    assert reference("T3", 12) == "[T3 L12]"


def test_reference_accepts_a_document(charted: Store) -> None:
    assert reference(charted.documents.get("hos_met"), 3, 4) == "[hos_met L3-4]"


def test_one_chart_per_main_theme_with_subtheme_columns(charted: Store) -> None:
    charts = build_charts(charted, "alice")
    assert [c.theme.id for c in charts.charts] == ["1", "2", "3"]
    assert [[(col.heading, col.own) for col in c.columns] for c in charts.charts] == [
        [("1.1 Vacancies", False), ("1.2 Agency staff", False)],
        # ad_county has a passage coded at "2" itself: the theme's own column comes first.
        [("2 Workload", True), ("2.1 Caseloads", False), ("2.2 Allocation", False)],
        # No subthemes: the theme is its own single column.
        [("3 Supervision", False)],
    ]


def test_sub_subthemes_roll_up_into_their_subtheme_column(charted: Store) -> None:
    chart = build_charts(charted, "alice").chart("2")
    cell = chart.cell(case_id(charted, "ad_county"), "2.2")
    assert [(e.theme_id, e.quote, e.reference) for e in cell.extracts] == [
        ("2.2", "The team manager allocates at a weekly meeting.", "[ad_county L3]"),
        ("2.2.1", "Nothing is left unallocated for long.", "[ad_county L3]"),
    ]
    assert cell.summary == "Weekly allocation meeting [ad_county L3]"
    assert cell.status == "draft"
    own = chart.cell(case_id(charted, "ad_county"), "2")
    assert [(e.theme_id, e.reference) for e in own.extracts] == [("2", "[ad_county L1]")]


def test_cell_extracts_carry_lines_quote_memo_and_coder(charted: Store) -> None:
    charts = build_charts(charted, "alice")
    dl = case_id(charted, "dir_london")
    (caseload,) = charts.chart("2").cell(dl, "2.1").extracts
    assert (caseload.document, caseload.line_start, caseload.line_end, caseload.reference, caseload.coder) == (
        "dir_london", 9, 10, "[dir_london L9-10]", "alice")
    assert caseload.quote == "Caseloads are around 22 for a full-time worker.\nSome carry more than that."
    assert caseload.marked_quote == (
        "“Caseloads are around 22 for a full-time worker. Some carry more than that.” [dir_london L9-10]")
    (agency,) = charts.chart("1").cell(dl, "1.2").extracts
    assert (agency.memo, agency.reference) == ("cost", "[dir_london L5]")
    done = charts.chart("1").cell(dl, "1.1")
    assert (done.summary, done.status, done.count) == ("About a fifth of posts vacant [dir_london L5]", "done", 1)


def test_rows_are_all_cases_sorted_by_name_without_grouping(charted: Store) -> None:
    charts = build_charts(charted, "alice")
    assert [r.case.name for r in charts.rows] == ["ad_county", "dir_london", "hos_met"]
    assert all(c.rows is charts.rows for c in charts.charts)


def test_rows_grouped_by_attributes_same_order_in_every_chart(charted: Store) -> None:
    charts = build_charts(charted, "alice", group_by=["service"])
    assert [(r.case.name, r.group) for r in charts.rows] == [
        ("ad_county", ("Adult services",)), ("dir_london", ("Children's services",)), ("hos_met", ("Joint",))]
    for chart in charts.charts:
        assert [r.case.name for r in chart.rows] == ["ad_county", "dir_london", "hos_met"]
    assert [(g, [r.case.name for r in rows]) for g, rows in charts.groups()] == [
        (("Adult services",), ["ad_county"]), (("Children's services",), ["dir_london"]), (("Joint",), ["hos_met"])]


def test_number_attributes_sort_by_value_and_missing_values_go_last(charted: Store) -> None:
    with charted.write():
        charted.cases.set_attributes(case_id(charted, "dir_london"), {"interviews": "10"})
        charted.cases.set_attributes(case_id(charted, "hos_met"), {"service": ""})
    by_number = build_charts(charted, "alice", group_by=["interviews"])
    assert [(r.case.name, r.group) for r in by_number.rows] == [
        ("hos_met", ("1",)), ("ad_county", ("2",)), ("dir_london", ("10",))]
    two = build_charts(charted, "alice", group_by=["service", "role"])
    assert [(r.case.name, r.group) for r in two.rows] == [
        ("ad_county", ("Adult services", "Assistant director")),
        ("dir_london", ("Children's services", "Director")),
        ("hos_met", (NO_VALUE, "Head of service")),
    ]


def test_each_layer_shows_only_its_own_codings_and_summaries(charted: Store) -> None:
    dl, hm = case_id(charted, "dir_london"), case_id(charted, "hos_met")
    bob = build_charts(charted, "bob").chart("1")
    assert [(e.quote, e.coder) for e in bob.cell(hm, "1.1").extracts] == [("Recruitment is hard.", "bob")]
    assert (bob.cell(dl, "1.1").summary, bob.cell(dl, "1.1").extracts) == ("bob's view", ())
    agreed = build_charts(charted, CONSENSUS).chart("1")
    assert [(e.quote, e.coder) for e in agreed.cell(dl, "1.1").extracts] == [
        ("vacancy rate of about 20 per cent", CONSENSUS)]
    assert agreed.cell(dl, "1.1").summary == ""


def test_theme_selection_and_a_subtheme_chart(charted: Store) -> None:
    charts = build_charts(charted, "alice", theme_ids=["2.2", "3", "3"])
    assert [c.theme.id for c in charts.charts] == ["2.2", "3"]
    # 2.2 has a passage and a summary of its own, so its own column comes before 2.2.1.
    assert [(c.heading, c.own) for c in charts.chart("2.2").columns] == [
        ("2.2 Allocation", True), ("2.2.1 Unallocated cases", False)]
    ac = case_id(charted, "ad_county")
    assert [e.theme_id for e in charts.chart("2.2").cell(ac, "2.2").extracts] == ["2.2"]
    assert [e.theme_id for e in charts.chart("2.2").cell(ac, "2.2.1").extracts] == ["2.2.1"]
    assert [c.id for c in build_charts(charted, "bob", theme_ids=["2.2"]).charts[0].columns] == ["2.2.1"]


def test_passages_of_archived_subthemes_stay_in_the_chart(charted: Store) -> None:
    old = charted.themes.get("1.2")
    with charted.write():
        charted.themes.upsert(Theme(old.id, old.parent_id, old.label, "", "", "", old.colour, old.position, True))
    chart = build_charts(charted, "alice").chart("1")
    assert [(c.heading, c.own) for c in chart.columns] == [("1 Staffing", True), ("1.1 Vacancies", False)]
    own = chart.cell(case_id(charted, "dir_london"), "1")
    assert [(e.theme_id, e.reference) for e in own.extracts] == [("1.2", "[dir_london L5]")]


def test_preview_and_update_for_the_matrix_screen(charted: Store) -> None:
    charts = build_charts(charted, "alice")
    dl, ac = case_id(charted, "dir_london"), case_id(charted, "ad_county")
    chart = charts.chart("2")
    assert chart.cell(ac, "2.2").preview(12) == "Weekly allo…"
    assert chart.cell(dl, "2.1").preview() == "1 passage"
    assert chart.cell(dl, "2.2").preview() == ""
    assert [[c.preview(8) for c in row] for row in chart.grid()] == [
        ["1 passage", "", "Weekly …"], ["", "1 passage", ""], ["", "+1", ""]]
    saved = set_cell(charted, "alice", dl, "2.1", "alice", summary="Around 22 [dir_london L9-10]", status="done")
    charts.update(saved)
    assert (chart.cell(dl, "2.1").summary, chart.cell(dl, "2.1").status, chart.cell(dl, "2.1").count) == (
        "Around 22 [dir_london L9-10]", "done", 1)


def test_unknown_attribute_layer_or_theme_is_a_clear_error(charted: Store) -> None:
    with pytest.raises(InputError, match=r"no case attribute named 'sector' to group by \(attributes: role, service, "
                                         r"authority_type, interviews\)"):
        build_charts(charted, "alice", group_by=["sector"])
    with pytest.raises(InputError, match=r"no coder named 'carol' in this project \(coders: alice, bob"):
        build_charts(charted, "carol")
    with pytest.raises(InputError, match="no theme with id '9'"):
        build_charts(charted, "alice", theme_ids=["9"])


def test_mapping_counts_cases_per_theme_and_group(charted: Store) -> None:
    result = mapping(charted, "alice", by="service")
    assert (result.total, result.values) == (3, (("Adult services", 1), ("Children's services", 1), ("Joint", 1)))
    rows = {r.theme.id: r for r in result.rows}
    assert [(r.theme.id, r.depth) for r in result.rows] == [
        ("1", 0), ("1.1", 1), ("1.2", 1), ("2", 0), ("2.1", 1), ("2.2", 1), ("2.2.1", 2), ("3", 0)]
    assert (rows["2"].all.cases, rows["2"].all.count, round(rows["2"].all.share, 4)) == (
        ("ad_county", "dir_london"), 2, 0.6667)
    assert [(g.value, g.cases, g.total) for g in rows["2"].groups] == [
        ("Adult services", ("ad_county",), 1), ("Children's services", ("dir_london",), 1), ("Joint", (), 1)]
    assert rows["2.2.1"].all.cases == ("ad_county",)
    assert rows["1"].all.cases == ("dir_london",)
    assert [g.share for g in rows["1"].groups] == [0.0, 1.0, 0.0]


def test_mapping_without_a_breakdown_and_for_one_theme(charted: Store) -> None:
    result = mapping(charted, "bob", theme_ids=["1"])
    assert [(r.theme.id, r.all.cases, r.groups) for r in result.rows] == [
        ("1", ("hos_met",), ()), ("1.1", ("hos_met",), ()), ("1.2", (), ())]
    assert result.as_json()["themes"][0] == {
        "theme": "1", "label": "Staffing", "depth": 0, "count": 1, "total": 3, "share": 0.3333,
        "cases": ["hos_met"], "groups": []}


def test_detached_passages_stay_and_say_so(charted: Store) -> None:
    coding_id = code(charted, "alice", "hos_met", "1.1", "Recruitment is hard.")
    with charted.write():
        charted.codings.update(coding_id, {"detached": 1})
    (extract,) = build_charts(charted, "alice").chart("1").cell(case_id(charted, "hos_met"), "1.1").extracts
    assert (extract.detached, extract.reference) == (True, "[hos_met L3] (detached)")


def test_a_quotation_inside_a_passage_is_nested_in_single_marks() -> None:
    from framework.analysis.charting import quoted

    assert quoted('He said "no" and\n“never”, then ("fine").') == "“He said ‘no’ and ‘never’, then (‘fine’).”"
    assert quoted('"Right" — she’s gone') == "“‘Right’ — she’s gone”"
