"""The long lists of the documents and answers screens, without Textual: filters, order, groups,
pages and column widths."""

from __future__ import annotations

from pathlib import Path

from framework.coding.actions import add_coding, code_whole
from framework.ingest.survey import import_survey
from framework.store import Attribute
from framework.views.answers import AnswerQuery, answer_rows, default_columns, order_answers, start_answers
from framework.views.documents import DocumentQuery, document_rows, order_documents
from framework.views.paging import Heading, Term, fit_widths, fts_query, highlighter, parse_filter

DATA = Path(__file__).parent / "data" / "surveys"
CASELOAD = "How do you count your caseload, and is it manageable?"
ATTRIBUTES = [Attribute("role", "text", 0), Attribute("In which setting do you work?", "text", 1),
              Attribute("years", "number", 2)]


def test_a_filter_is_words_phrases_and_attribute_terms() -> None:
    terms = parse_filter('agency "weekly meeting" role=Director setting:CSD "years"=3 nope=x OR', ATTRIBUTES)
    assert terms == [Term("agency"), Term("weekly meeting", phrase=True), Term("Director", "role"),
                     Term("CSD", "In which setting do you work?"), Term("3", "years"), Term("nope=x"), Term("OR")]
    assert fts_query(terms) == '"agency"* "weekly meeting" "nope=x"*'
    assert fts_query(parse_filter("agency OR locum NOT", [])) == '"agency"* OR "locum"*'
    assert fts_query(parse_filter('say "hello', [])) == '"say"* "hello"'
    pattern = highlighter(parse_filter("agenc care", []))
    assert [m.group() for m in pattern.finditer("Agency staff and careful carers; scare")] == ["Agency", "careful",
                                                                                               "carers"]


def test_columns_share_the_width_and_the_widest_give_way() -> None:
    assert fit_widths([10, 20, 8], [4, 4, 20], [False, False, True], 60) == [10, 20, 30]
    assert fit_widths([10, 30, 8], [4, 6, 20], [False, False, True], 40) == [10, 10, 20]
    assert fit_widths([30, 30], [6, 6], [False, False], 40) == [20, 20]
    assert fit_widths([30, 30], [6, 6], [False, False], 5) == [6, 6]


def test_answers_in_order_with_groups_and_pages(project) -> None:
    import_survey(project.store, DATA / "qualtrics.csv")
    store = project.store
    query = AnswerQuery(CASELOAD, coder="alice")
    ordered = order_answers(store, query)
    names = {d.id: d.case for d in store.documents.list("survey")}
    assert (ordered.total, ordered.shown) == (5, 5)
    assert [names[i] for i in ordered.ids] == ["R_1dGf0WnQm7TzKe9", "R_2pXr4HsLb8VuMo1", "R_3kVq8XbPz1aYc2L",
                                               "R_4wEh1GiDy6XcFa8", "R_6tNc2YjAe5QwRi3"]
    grouped = order_answers(store, AnswerQuery(CASELOAD, group="Q2", sort="Q3", reverse=True))
    assert [e.value if isinstance(e, Heading) else names[e] for e in grouped.entries] == [
        "1-3 years", "R_3kVq8XbPz1aYc2L", "11+ years", "R_1dGf0WnQm7TzKe9", "R_4wEh1GiDy6XcFa8",
        "4-10 years", "R_6tNc2YjAe5QwRi3", "Less than 1 year", "R_2pXr4HsLb8VuMo1"]
    assert [e.count for e in grouped.entries if isinstance(e, Heading)] == [1, 2, 1, 1]
    filtered = order_answers(store, AnswerQuery(CASELOAD, filter="children q1=child"))
    assert [names[i] for i in filtered.ids] == ["R_2pXr4HsLb8VuMo1", "R_3kVq8XbPz1aYc2L"]
    assert (filtered.total, filtered.shown) == (5, 2)
    literal = order_answers(store, AnswerQuery(CASELOAD, filter='NEAR(a "'))  # words, never syntax errors
    assert (literal.shown, literal.problem) == (0, "")
    first = ordered.ids[0]
    add_coding(store, "alice", first, "2.1", 0, 5)
    code_whole(store, "bob", [first], "3")
    coded = order_answers(store, AnswerQuery(CASELOAD, sort="coded", reverse=True, coder="alice"))
    assert coded.ids[0] == first
    rows = answer_rows(store, [first], "alice")
    assert (rows[first].case, rows[first].mine, rows[first].others) == ("R_1dGf0WnQm7TzKe9", ("2.1",), ("3",))
    assert rows[first].attributes["Q3"] == "Hospital"
    assert default_columns(store, CASELOAD, store.cases.attributes()) == ["Q1", "Q2", "Q3"]
    start = start_answers(store, AnswerQuery("", coder="alice"), "q2")
    assert (start.question.key, start.ordered.shown, len(start.rows)) == ("q2", 4, 4)


def test_documents_filtered_by_name_or_attribute_sorted_by_counts(project) -> None:
    store = project.store
    ids = {d.name: d.id for d in store.documents.list()}
    add_coding(store, "alice", ids["hos_met"], "1", 0, 5)
    add_coding(store, "bob", ids["ad_county"], "1", 0, 5)
    add_coding(store, "bob", ids["ad_county"], "2", 0, 5)
    names = {v: k for k, v in ids.items()}

    def order(**kwargs) -> list[str]:
        ordered = order_documents(store, DocumentQuery(coder="alice", **kwargs))
        return [e.value if isinstance(e, Heading) else names[e] for e in ordered.entries]

    assert order() == ["ad_county", "dir_london", "hos_met"]
    assert order(filter="county") == ["ad_county"]
    assert order(filter="director") == ["ad_county", "dir_london"]  # "Assistant director" too
    assert order(filter="role=director") == ["dir_london"]  # starts with
    assert order(filter="100%") == []
    assert order(sort="mine", reverse=True) == ["hos_met", "ad_county", "dir_london"]
    assert order(sort="others", reverse=True)[0] == "ad_county"
    assert order(sort="interviews", reverse=True) == ["ad_county", "dir_london", "hos_met"]
    assert order(group="service") == ["Adult services", "ad_county", "Children's services", "dir_london",
                                      "Joint", "hos_met"]
    rows = document_rows(store, [ids["ad_county"]], "alice")
    row = rows[ids["ad_county"]]
    assert (row.case, row.mine, row.others, row.attributes["role"]) == ("ad_county", 0, 2, "Assistant director")
