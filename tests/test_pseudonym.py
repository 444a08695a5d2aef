"""Pseudonym keys: replacing, offsets, suggestions and checking exports."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from framework.cli import main
from framework.confidentiality.check import check, check_counts
from framework.confidentiality.key import Pseudonymiser, add_entry, mark
from framework.confidentiality.suggest import suggest
from framework.errors import InputError

KEY = Pseudonymiser([
    ("Margaret", "Person B"),
    ("Margaret Hill", "Director A"),
    ("Northshire", "County 1"),
    ("St. Anne's", "[School 2]"),
])


def test_longest_match_first():
    assert KEY.apply("Margaret Hill met Margaret.") == "[Director A] met [Person B]."


def test_whole_words_only():
    # "Northshireton" is another place: it needs its own row in the key
    assert KEY.apply("Northshireton is near Northshire, in Northshire's north.") == \
        "Northshireton is near [County 1], in [County 1]'s north."
    # a hyphen joins the words of a term like a space; a plural is another word
    assert KEY.apply("Margarets and Margaret-Hill") == "Margarets and [Director A]"


def test_case_insensitive_and_consistent():
    assert KEY.apply("MARGARET HILL, margaret hill and Margaret\nHill") == \
        "[Director A], [Director A] and [Director A]"


def test_replacements_are_bracketed_once():
    assert mark("Director A") == "[Director A]" and mark("[School 2]") == "[School 2]"
    assert KEY.apply("at St. Anne's today") == "at [School 2] today"


def test_conflicting_replacements_are_refused():
    with pytest.raises(InputError, match="two different replacements"):
        Pseudonymiser([("Leeds", "City 1"), ("LEEDS", "City 2")])


def test_offsets_move_with_the_replacements():
    text = "Margaret Hill said Northshire was fine."
    new, spans = KEY.apply_with_offsets(text, [(0, 13), (19, 29), (5, 18), (14, 38), (2, 3)])
    assert new == "[Director A] said [County 1] was fine."
    assert [new[s:e] for s, e in spans] == [
        "[Director A]", "[County 1]", "[Director A] said", "said [County 1] was fine", "[Director A]"]


def test_excerpts_replace_terms_cut_by_the_span():
    text = "Yesterday Margaret Hill said so."
    assert KEY.excerpts(text, [(13, 28), (0, 9)]) == ["[Director A] said", "Yesterday"]


VOCABULARY = ["Margaret", "Hill", "Margaret Hill", "margaret", "MARGARET HILL", "Northshire", "Northshireton",
              "the", "said", "St. Anne's", "x", "Ann"]
SEPARATORS = [" ", "\n", ", ", ". ", "'s ", "-", ""]


@st.composite
def texts_and_spans(draw):
    words = draw(st.lists(st.tuples(st.sampled_from(VOCABULARY), st.sampled_from(SEPARATORS)), max_size=25))
    text = "".join(w + s for w, s in words)
    points = st.integers(min_value=0, max_value=len(text))
    spans = draw(st.lists(st.tuples(points, points).map(sorted).filter(lambda p: p[0] < p[1]), max_size=8))
    return text, [tuple(s) for s in spans]


@settings(max_examples=300, deadline=None)
@given(texts_and_spans())
def test_spans_cover_the_replaced_version_of_the_same_words(case):
    text, spans = case
    new, moved = KEY.apply_with_offsets(text, spans)
    assert new == KEY.apply(text)
    found = KEY.matches(text)
    for (start, end), (new_start, new_end) in zip(spans, moved):
        for m in found:  # an edge inside a replaced term takes in the whole term
            if m.start < start < m.end:
                start = m.start
            if m.start < end < m.end:
                end = m.end
        expected, at = [], start
        for m in found:
            if start <= m.start and m.end <= end:
                expected += [text[at:m.start], m.replacement]
                at = m.end
        expected.append(text[at:end])
        assert new[new_start:new_end] == "".join(expected)


# -- suggestions ---------------------------------------------------------------------------------

TRANSCRIPT = """Interviewer: Did you speak to Margaret Hill about the budget?
Respondent: Yes. Margaret Hill runs Northshire County Council now, and the council meets in Northshireton.
Margaret said the Northshire budget was cut. We asked Dr Patel, and Patel agreed.
In March the team went to Leeds."""


def test_suggestions_on_a_small_text():
    found = [(s.term, s.count, s.documents) for s in suggest([TRANSCRIPT, "Leeds again."])]
    assert found == [
        ("Leeds", 2, 2),
        ("Margaret Hill", 2, 1),
        ("Patel", 2, 1),
        ("Northshire", 1, 1),
        ("Northshire County Council", 1, 1),
        ("Northshireton", 1, 1),
    ]
    # sentence starts ("Margaret said", "In March"), common words and words seen in lower case are left out
    assert [s.term for s in suggest([TRANSCRIPT], min_count=2, key=Pseudonymiser([("Patel", "Dr X")]))] == \
        ["Margaret Hill"]


def test_suggest_command(project):
    runner = CliRunner()
    result = runner.invoke(main, ["--project", str(project.root), "pseudonym", "suggest", "--json"])
    assert result.exit_code == 0, result.output
    # "London" is only in the case and document name dir_london: an export would show it
    assert json.loads(result.output) == [{"term": "London", "count": 0, "documents": 0, "names": 1},
                                         {"term": "Zoë", "count": 1, "documents": 1, "names": 0}]


# -- the key file --------------------------------------------------------------------------------


def test_key_file_add_change_and_list(tmp_path):
    key = tmp_path / "private" / "key.csv"
    assert add_entry(key, "Margaret  Hill", "Director A") == "added"
    assert add_entry(key, "Northshire", "County 1") == "added"
    assert add_entry(key, "margaret hill", "Director B") == "changed"
    assert key.read_text(encoding="utf-8") == "term,replacement\nMargaret Hill,Director B\nNorthshire,County 1\n"
    loaded = Pseudonymiser.load(key)
    assert loaded.entries == [("Margaret Hill", "[Director B]"), ("Northshire", "[County 1]")]
    key.write_text("term,replacement\nLeeds,City 1\nleeds,City 2\n", encoding="utf-8")
    with pytest.raises(InputError, match="row 3: 'leeds' is also on row 2"):
        Pseudonymiser.load(key)


def test_key_commands(project, tmp_path):
    runner = CliRunner()
    key = tmp_path / "key.csv"
    base = ["--project", str(project.root), "pseudonym"]
    assert runner.invoke(main, [*base, "add", "Zoë", "Colleague 1", "--key", str(key)]).exit_code == 0
    listed = runner.invoke(main, [*base, "list", "--key", str(key), "--json"])
    assert json.loads(listed.output) == [{"term": "Zoë", "replacement": "[Colleague 1]"}]
    inside = runner.invoke(main, [*base, "add", "Leeds", "City", "--key", str(project.exports_dir / "k.csv")])
    assert inside.exit_code == 1 and "must not be kept in" in inside.output
    export = tmp_path / "out.txt"
    export.write_text("with Zoë’s team", encoding="utf-8")
    found = runner.invoke(main, [*base, "check", str(export), "--key", str(key)])
    assert found.exit_code == 1
    assert found.stdout == f"{export}: line 1: 'Zoë' (key term 'Zoë'): with «Zoë»’s team\n"
    assert found.stderr == f"1 key term(s) found in 1 of 1 file(s) (looked for the 1 term of {key})\n"
    export.write_text("with [Colleague 1]’s team", encoding="utf-8")
    assert runner.invoke(main, [*base, "check", str(export), "--key", str(key)]).exit_code == 0


# -- checking exports --------------------------------------------------------------------------------

CHECK_KEY = Pseudonymiser([("Margaret Hill", "Director A"), ("Northshire", "County 1"), ("Leeds", "City 1")])


def test_check_finds_leftovers_in_docx(tmp_path):
    import docx

    document = docx.Document()
    paragraph = document.add_paragraph()
    paragraph.add_run("Interview with Marg")
    paragraph.add_run("aret Hill").bold = True  # a name split over two runs
    document.add_table(rows=1, cols=2).rows[0].cells[1].text = "Northshire"
    document.add_paragraph("[Director A] said [City 1] was fine.")
    path = tmp_path / "chart.docx"
    document.save(path)
    assert check(path, CHECK_KEY) == ["Margaret Hill", "Northshire"]


def test_check_finds_leftovers_in_xlsx(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Leeds"
    sheet["A1"] = "Case"
    sheet["B2"] = "Margaret Hill (director)"
    path = tmp_path / "chart.xlsx"
    book.save(path)
    assert check_counts(path, CHECK_KEY) == {"Margaret Hill": 1, "Leeds": 1}
    assert check(path, CHECK_KEY) == ["Margaret Hill", "Leeds"]


def test_check_reads_html_csv_and_text(tmp_path):
    html = tmp_path / "chart.html"
    html.write_text("<table><tr><td>Margaret <b>Hill</b></td><td>North</td><td>shire</td></tr></table>"
                    "<p>Leeds&nbsp;&amp; more</p>", encoding="utf-8")
    assert check(html, CHECK_KEY) == ["Margaret Hill", "Leeds"]
    csv = tmp_path / "chart.csv"
    csv.write_text('case,quote\nc1,"In Northshire, [Director A] said"\n', encoding="utf-8")
    assert check(csv, CHECK_KEY) == ["Northshire"]
    assert check("nothing to see in [City 1]", CHECK_KEY) == []


def test_suggestions_skip_words_a_key_term_already_covers() -> None:
    texts = ["Yes, we asked Margaret Hill about it. Then Margaret Hill said no, and Hill Farm closed."]
    key = Pseudonymiser([("Margaret Hill", "Director A")])
    assert [(s.term, s.count) for s in suggest(texts, key=key)] == [("Hill Farm", 1)]
