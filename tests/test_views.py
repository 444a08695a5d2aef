"""What the screens show, computed without Textual: the review walk, matrix columns and
agreement rows, on a real project."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from framework.analysis.charting import build_charts
from framework.analysis.compare import project_agreement
from framework.analysis.consensus import decide
from framework.coding.actions import add_coding
from framework.project import open_project
from framework.views.agreement import Stat, columns, sorted_lines, stat_lines
from framework.views.matrix import ALL, case_width, cell_width, shown_columns
from framework.views.review import Walk, load_document, survey, theme_extents

from .tui.conftest import INTERVIEW, SECOND, write_project


def span(text: str, phrase: str) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


WEIGHTING = span(INTERVIEW, "We don't have a weighting system")
GUIDELINE = span(INTERVIEW, "a guideline of about 18 children per worker")
VACANCY = span(INTERVIEW, "Our vacancy rate is around a third")
AGENCY = span(INTERVIEW, "covered by agency staff")
MONTHLY = span(SECOND, "Supervision is monthly")
PROTECTED = span(SECOND, "Supervision is monthly and it is protected time")


@pytest.fixture
def project(tmp_path: Path):
    project = open_project(write_project(tmp_path / "study"))
    store = project.store
    d7, d8 = store.documents.get("int_07").id, store.documents.get("int_08").id
    add_coding(store, "alice", d7, "2.2", *WEIGHTING)
    add_coding(store, "alice", d7, "2.1", *GUIDELINE)
    add_coding(store, "alice", d7, "1.1", *VACANCY)
    add_coding(store, "alice", d8, "3", *MONTHLY)
    add_coding(store, "bob", d7, "2.1", *WEIGHTING)
    add_coding(store, "bob", d7, "2.1", *GUIDELINE)
    add_coding(store, "bob", d7, "1.2", *AGENCY)
    add_coding(store, "bob", d8, "3", *PROTECTED)
    yield project
    project.close()


def walk_of(project, coders=("alice", "bob"), theme_ids=None) -> Walk:
    walk = Walk(coders=list(coders), theme_ids=theme_ids)
    walk.documents, walk.done = survey(project.store, walk.coders, theme_ids, None)
    return walk


def open_doc(walk: Walk, project, name: str, how: str = "first-open") -> str:
    walk.show(load_document(project.store, walk.coders, project.store.documents.get(name).id))
    return walk.place((how, None))


def test_the_views_do_not_need_textual() -> None:
    import subprocess

    code = ("import sys, framework.views.review, framework.views.matrix, framework.views.agreement; "
            "print(any(m == 'textual' or m.startswith('textual.') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


def test_the_walk_goes_from_disagreement_to_disagreement_across_documents(project) -> None:
    walk = walk_of(project)
    assert [s.document.name for s in walk.documents] == ["int_07", "int_08"]
    assert (walk.done.decided, walk.done.remaining, walk.done.agreements) == (0, 5, 1)
    first = walk.first_document(None)
    assert first is not None and first.document.name == "int_07"
    assert open_doc(walk, project, "int_07") == ""
    assert [p.status for p in walk.data.passages] == ["theme", "agree", "only:alice", "only:bob"]
    assert walk.index == 0 and walk.to_decide_here() == 3
    assert walk.next_open().index == 2  # the agreement is skipped
    walk.index = 3
    go = walk.next_open()
    assert (go.index, go.document, go.how) == (None, project.store.documents.get("int_08").id, "first-open")
    open_doc(walk, project, "int_08")
    assert walk.current().status == "bounds"
    go = walk.next_open()  # nothing after it here or later: round again to the first document
    assert (go.index, go.document, go.how, go.message) == (None, project.store.documents.get("int_07").id,
                                                            "first-open", "")
    go = walk.previous_open()
    assert (go.document, go.how) == (project.store.documents.get("int_07").id, "last-open")
    open_doc(walk, project, "int_07", "last-open")
    assert walk.index == 3
    assert walk.step(-10).index == 0 and walk.step(10).index == 3
    assert walk.other_document(1).document == project.store.documents.get("int_08").id
    assert walk.line_ref(*VACANCY) == "L10"


def test_after_a_decision_the_walk_moves_on_or_says_why_not(project) -> None:
    store = project.store
    walk = walk_of(project)
    open_doc(walk, project, "int_07")
    walk.index = 3
    last = walk.current()
    decide(store, "carol", walk.coders, last, "reject")
    walk.show(load_document(store, walk.coders, walk.data.document.id))
    message = walk.place(("after", last.key))
    assert walk.to_decide_here() == 2  # two remain before it in this document: back to the first
    assert walk.index == 0
    assert message == "Back to the first undecided disagreement of this document (2 left here)"
    for index in (0, 2):
        decide(store, "carol", walk.coders, walk.data.passages[index], "accept", accept="alice")
    walk.show(load_document(store, walk.coders, walk.data.document.id))
    here = walk.data.passages[2].key
    assert walk.place(("after", here)) == ("Every disagreement in this document is decided; "
                                          "1 left in other documents: n goes on")
    assert walk.index == 2
    go = walk.next_open()
    assert (go.document, go.how) == (store.documents.get("int_08").id, "first-open")
    open_doc(walk, project, "int_08")
    decide(store, "carol", walk.coders, walk.current(), "both")
    walk.documents, walk.done = survey(store, walk.coders, None, None)
    walk.show(load_document(store, walk.coders, walk.data.document.id))
    assert walk.place(("after", walk.data.passages[0].key)) == "Every disagreement is decided"
    assert walk.next_open().message == walk.previous_open().message == "Every disagreement is decided"
    assert (walk.done.decided, walk.done.remaining, walk.done.agreements) == (4, 1, 1)


def test_one_coder_with_two_codings_of_a_theme_is_not_a_theme_disagreement(project) -> None:
    store = project.store
    d8 = store.documents.get("int_08").id
    add_coding(store, "alice", d8, "3", PROTECTED[0] + 26, PROTECTED[1])  # a second coding of theme 3
    walk = walk_of(project)
    open_doc(walk, project, "int_08")
    assert walk.current().status == "bounds"
    assert walk.current().spans("alice") == [(*MONTHLY, "3"), (PROTECTED[0] + 26, PROTECTED[1], "3")]
    three = walk_of(project, coders=("alice", "bob", "carol"))
    assert three.documents == []  # carol coded nothing: no document is coded by all three
    add_coding(store, "carol", store.documents.get("int_07").id, "1.1", *VACANCY)
    three = walk_of(project, coders=("alice", "bob", "carol"))
    open_doc(three, project, "int_07")
    assert [p.status for p in three.data.passages] == ["only:alice,bob", "only:alice,bob", "only:alice,carol",
                                                       "only:bob"]


def test_the_theme_filter_narrows_what_is_left(project) -> None:
    walk = walk_of(project, theme_ids=frozenset({"1.1", "1.2"}))
    open_doc(walk, project, "int_07")
    assert [walk.data.passages[i].status for i in walk.open_indices()] == ["only:alice", "only:bob"]
    assert walk.left_on_filter() == 2
    assert walk.index == 2


def _decide_all_open(walk: Walk, project) -> None:
    """Decide every passage of the open document on the filter, and read the walk again."""
    store = project.store
    for i in walk.open_indices():
        decide(store, "carol", walk.coders, walk.data.passages[i], "reject")
    walk.documents, walk.done = survey(store, walk.coders, walk.theme_ids, None)
    walk.show(load_document(store, walk.coders, walk.data.document.id))


def test_with_a_filter_on_the_walk_says_how_many_it_hides_and_how_to_see_them(project) -> None:
    walk = walk_of(project, theme_ids=frozenset({"1.1", "1.2"}))
    open_doc(walk, project, "int_07")
    assert (walk.left_on_filter(), walk.hidden()) == (2, 2)  # the weighting passage and int_08's are hidden
    assert walk.hidden_note() == "2 more on other themes, hidden by the filter: t shows every theme"
    here = walk.current().key
    _decide_all_open(walk, project)
    expected = ("Every disagreement on this filter is decided, but not all: 2 more on other themes, hidden by "
                "the filter: t shows every theme")
    assert walk.place(("after", here)) == expected
    assert walk.next_open().message == walk.previous_open().message == expected
    assert (walk.done.decided, walk.done.remaining) == (2, 3)
    walk.theme_ids = None  # t: every theme again
    walk.documents, walk.done = survey(project.store, walk.coders, None, None)
    assert (walk.hidden(), walk.hidden_note(), walk.left_on_filter()) == (0, "", 2)


def test_with_a_filter_on_what_is_left_elsewhere_is_on_the_filter(project) -> None:
    walk = walk_of(project, theme_ids=frozenset({"1.1", "3"}))
    open_doc(walk, project, "int_07")
    here = walk.current().key
    _decide_all_open(walk, project)
    assert walk.place(("after", here)) == (
        "Every disagreement on this filter in this document is decided; 1 left on it in other documents: n goes "
        "on (2 more on other themes, hidden by the filter: t shows every theme)")
    walk = walk_of(project, theme_ids=frozenset({"1.1", "1.2", "2.1", "2.2", "3"}))  # a filter that hides nothing
    open_doc(walk, project, "int_08")
    here = walk.current().key
    _decide_all_open(walk, project)
    assert walk.hidden() == 0
    assert walk.place(("after", here)) == ("Every disagreement on this filter in this document is decided; 2 left "
                                          "on it in other documents: n goes on")


def test_bounds_start_from_the_widest_span_per_theme(project) -> None:
    walk = walk_of(project)
    open_doc(walk, project, "int_08")
    assert theme_extents(walk.current()) == [("3", *PROTECTED)]


def test_matrix_columns_and_widths(project) -> None:
    charts = build_charts(project.store, "alice")
    assert [c.id for _, c in shown_columns(charts, 0)] == ["1.1", "1.2"]
    assert [c.id for _, c in shown_columns(charts, ALL)] == ["1.1", "1.2", "2.1", "2.2", "3"]
    assert shown_columns(None, 0) == []
    assert case_width(charts, 200) == len("arabic_03") + 1  # at least 10
    assert cell_width(charts, 80, 2) == (80 - 10 - 3) // 2 - 2
    assert cell_width(charts, 80, 12) == 14  # never narrower: the table scrolls


def test_agreement_rows_carry_values_assessments_and_reasons(project) -> None:
    result = project_agreement(project.store, ["alice", "bob"])
    labels = {t.id: t.label for t in project.store.themes.list()}
    rows = {r.key: r for r in stat_lines(result, "paragraph", labels)}
    para = result["themes"]["2.1"]["paragraph"]
    alpha = rows["2.1"].cells["alpha"]
    assert isinstance(alpha, Stat) and alpha.value == para["krippendorff_alpha"]
    assert rows["2.1"].title == "2.1 Caseloads"
    assert rows["1.1"].cells["alpha"] == Stat(0.0, "0.000 unreliable", "poor")  # alice alone
    assert rows["3"].cells["alpha"] == Stat(1.0, "1.000 reliable", "good")  # the same paragraph
    assert rows["3"].notes == []  # Fleiss' kappa is not shown for two coders, nor is its reason
    assert Stat.of(None, "cohen_kappa", "none_coded") == Stat(None, "n/a nobody coded it: no variation", "na")
    chars = stat_lines(result, "char", labels)
    assert {r.pair for r in chars} == {"alice|bob"}
    assert [k for k, _ in columns("paragraph", ["alice", "bob"], wide=False)] == ["theme", "n", "agree", "alpha", "kappa"]
    ordered = sorted_lines(list(rows.values()), "alpha", reverse=True)
    values = [r.sort["alpha"] for r in ordered]
    present = [v for v in values if v is not None]
    assert present == sorted(present, reverse=True) and values[len(present):] == [None] * (len(values) - len(present))


def test_the_status_line_keeps_the_message_whole() -> None:
    from framework.views.workbench import CodingHere, status_line

    here = [CodingHere("1.2", "1.2 Agency and locum staff", "#4e79a7"),
            CodingHere("1.2", "1.2 Agency and locum staff", "#4e79a7", coder="bob", memo=True),
            CodingHere("2.1", "2.1 Caseload size and weighting", "#f28e2b", coder="carol"),
            CodingHere("3", "3 Supervision", "#59a14f", coder="dana")]

    def plain(width: int, message: str = "Memo saved", memo: str = "") -> str:
        return "".join(text for text, _ in status_line("Ln 6, Col 45", ["12 selected"], here, memo=memo,
                                                       message=message, width=width))

    wide = plain(200, message="", memo="tried   once")
    assert wide == ("Ln 6, Col 45 · 12 selected  ■ 1.2 Agency and locum staff  ■ 1.2 Agency and locum staff (bob) *"
                    "  ■ 2.1 Caseload size and weighting (carol)  +1  memo: tried once")
    assert plain(155) == ("Ln 6, Col 45 · 12 selected  ■ 1.2 Agency and locum staff  ■ 1.2 Agency and locum staff "
                          "(bob) *  ■ 2.1 Caseload size and weighting (carol)  +1  — Memo saved")
    assert plain(81) == "Ln 6, Col 45 · 12 selected  ■ 1.2  ■ 1.2 (bob) *  ■ 2.1 (carol)  +1  — Memo saved"
    assert plain(80) == plain(60) == "Ln 6, Col 45 · 12 selected  ■■■ 4 codings here  — Memo saved"
    assert plain(59) == "Ln 6, Col 45 · 12 selected  — Memo saved"
    assert plain(30) == "Ln 6, Col 45 · 12 selected  —…"
    for width in (30, 59, 60, 81, 155):
        assert len(plain(width)) <= width


def test_parent_themes_count_what_is_coded_below_them(project) -> None:
    from framework.views.workbench import load_catalog, rolled_up

    catalog = load_catalog(project.store)
    assert rolled_up(catalog, {"1.1": 2, "1.2": 1, "2.2": 3, "3": 0}) == {"1.1": 2, "1.2": 1, "1": 3, "2.2": 3, "2": 3}
    assert rolled_up(catalog, {"1": 1, "1.1": 1, "unknown": 4}) == {"1": 2, "1.1": 1, "unknown": 4}


def test_long_names_keep_their_ends_and_columns_share_the_width() -> None:
    from framework.views.matrix import column_blocks, shorten

    assert shorten("assistant_director_county_council_02", 18) == "assistant_di…il_02"
    assert shorten("dir_london_01", 18) == "dir_london_01"
    assert shorten("abcdef", 2) == "a…" and shorten("abcdef", 1) == "…" and shorten("abcdef", 0) == ""
    assert column_blocks(4, 120, 26) == ([range(0, 4)], 21)
    assert column_blocks(4, 80, 18) == ([range(0, 2), range(2, 4)], 29)
    assert column_blocks(7, 80, 18) == ([range(0, 3), range(3, 6), range(6, 7)], 18)
    assert column_blocks(1, 80, 10, cell=40) == ([range(0, 1)], 40)
    assert column_blocks(0, 80, 10) == ([], 48)
