"""Pseudonym keys: replacing, offsets, suggestions and checking exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import example, given, settings
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
        ("Margaret", 1, 1),  # "Margaret said" starts a sentence: a name all the same
        ("Northshire", 1, 1),
        ("Northshire County Council", 1, 1),
        ("Northshireton", 1, 1),
    ]
    # ordinary words starting a sentence ("In March", "Yes", "Respondent"), common words and words seen in
    # lower case are left out
    assert [s.term for s in suggest([TRANSCRIPT], min_count=2, key=Pseudonymiser([("Patel", "Dr X")]))] == \
        ["Margaret Hill"]


def test_names_starting_a_sentence_or_after_a_dash_or_quotation_mark_are_suggested():
    text = ("Unfortunately Siobhan left in May. — Declan said so. “Aoife rang,” he said. ‘Niamh knew.’\n"
            "Tell me more. Interestingly, it worked. Kavita’s team moved. We've said so. Allocations went up.\n"
            "(Rhys agreed.) Every Child Matters was the policy, and the Care Quality Commission agreed. "
            "Honestly Tomasz Nowak was right. Cost-wise, it worked. Far more came. Smith-Jones left.")
    assert [(s.term, s.count) for s in suggest([text])] == [
        ("Aoife", 1), ("Declan", 1), ("Kavita", 1), ("Niamh", 1), ("Rhys", 1), ("Siobhan", 1), ("Smith-Jones", 1),
        ("Tomasz Nowak", 1)]


def test_suggestions_guess_the_kind_of_each_name():
    text = ("Margaret Hill said the office in Eastbury closed. Dr Okafor told us. We moved to Haringey and "
            "then Kent. Northshire County Council and Eastbridge General agreed, near Kings Road.")
    names = ["Oakfield_team", "psw_city_05", "dir_london_02", "Calder-site"]
    assert [(s.term, s.kind) for s in suggest([text], names=names)] == [
        ("Calder", "Place"), ("Eastbridge General", "Organisation"), ("Eastbury", "Place"),
        ("Haringey", "Place"), ("Kent", "Place"), ("Kings Road", "Place"), ("London", "Place"),
        ("Margaret Hill", "Person"), ("Northshire County Council", "Organisation"), ("Oakfield", "Place"),
        ("Okafor", "Person")]


def test_suggest_command(project):
    runner = CliRunner()
    result = runner.invoke(main, ["--project", str(project.root), "pseudonym", "suggest", "--json"])
    assert result.exit_code == 0, result.output
    # "London" is only in the case and document name dir_london: an export would show it
    assert json.loads(result.output) == [
        {"term": "London", "count": 0, "documents": 0, "names": 1, "kind": "Place"},
        {"term": "Margaret", "count": 1, "documents": 1, "names": 0, "kind": "Person"},  # a speaker's label
        {"term": "Zoë", "count": 1, "documents": 1, "names": 0, "kind": "Person"}]


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


def test_key_commands_use_the_project_key_once_one_is_given(project, tmp_path):
    runner = CliRunner()
    key = tmp_path / "keys" / "study.csv"
    base = ["--project", str(project.root), "pseudonym"]
    none = runner.invoke(main, [*base, "list"])
    assert none.exit_code == 1
    assert none.stderr.startswith("framework: no pseudonym key chosen for this project: give --key KEY.csv")
    first = runner.invoke(main, [*base, "add", "Zoë", "Colleague 1", "--key", str(key)])
    assert first.exit_code == 0, first.output
    assert first.stdout == f"added: Zoë -> [Colleague 1] in {key}\n"
    assert first.stderr == f"note: {key} is this project's pseudonym key from now on (change it with K in framework)\n"
    # from now on no --key is needed, and the key screen shows the same file
    assert runner.invoke(main, [*base, "add", "Leeds", "City 1"]).stdout == f"added: Leeds -> [City 1] in {key}\n"
    listed = runner.invoke(main, [*base, "list", "--json"])
    assert json.loads(listed.output) == [{"term": "Zoë", "replacement": "[Colleague 1]"},
                                         {"term": "Leeds", "replacement": "[City 1]"}]
    assert runner.invoke(main, [*base, "remove", "Leeds"]).stdout == f"removed 'Leeds' from {key}\n"
    from framework.views.pseudonyms import saved_key_path

    assert saved_key_path(project) == key
    # another key given later is used for that command only
    other = tmp_path / "other.csv"
    assert runner.invoke(main, [*base, "add", "Hull", "City 2", "--key", str(other)]).stderr == ""
    assert json.loads(runner.invoke(main, [*base, "list", "--json"]).output) == [
        {"term": "Zoë", "replacement": "[Colleague 1]"}]
    # exports take the project's key with a bare --pseudonymise, and check what they write
    from framework.coding import actions as coding

    doc = next(d for d in project.store.documents.list() if "Zoë" in project.store.documents.text(d.id))
    text = project.store.documents.text(doc.id)
    at = text.index("Supervision is every")
    coding.add_coding(project.store, "alice", doc.id, "3", at, text.index("\n", at))
    exported = runner.invoke(main, ["--project", str(project.root), "--coder", "alice", "quotes", "--theme", "3", "--pseudonymise",
                                    "--refs", "none"])
    assert exported.exit_code == 0, exported.output
    assert exported.stdout.endswith(f"(pseudonymised with {key}; checked: no key terms)\n")
    written = Path(exported.stdout.split(" to ", 1)[1].split(" (pseudonymised")[0])
    assert "[Colleague 1]’s team" in written.read_text(encoding="utf-8")
    assert runner.invoke(main, [*base, "check", str(written)]).exit_code == 0


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


# -- the matcher: names however they are written ---------------------------------------------------

HOSTILE = Pseudonymiser([
    ("Margaret Hill", "Director A"), ("Oakfield", "Site 1"), ("Jürgen Weiß", "Manager B"), ("Weiß", "Manager B"),
    ("dir_london_01", "Case 1"), ("O'Brien", "Person C"),
])


@pytest.mark.parametrize(("text", "found"), [
    ("the Oakfield_team", ["Oakfield"]),
    ("oakfield01 and 01oakfield", ["oakfield", "oakfield"]),
    ("Margaret-Hill-interview.docx", ["Margaret-Hill"]),
    ("OAKFIELD, oakfield, OakField", ["OAKFIELD", "oakfield", "OakField"]),
    ("OakfieldTeam, teamOakfield, OAKFIELDTeam, OAKFIELDteam", ["Oakfield", "Oakfield", "OAKFIELD", "OAKFIELD"]),
    ("margaret_hill, MargaretHill, MARGARET.HILL, Margaret\n  Hill", ["margaret_hill", "MargaretHill",
                                                                    "MARGARET.HILL", "Margaret\n  Hill"]),
    ("Margaret Hill's and Margaret Hill’s", ["Margaret Hill", "Margaret Hill"]),
    ("JÜRGEN WEISS, Jurgen Weiss, Juergen Weiss, Ju\u0308rgen Weiß", ["JÜRGEN WEISS", "Jurgen Weiss",
                                                                      "Juergen Weiss", "Ju\u0308rgen Weiß"]),
    ("WEIẞ and weiss", ["WEIẞ", "weiss"]),
    ("Ｏａｋｆｉｅｌｄ and Oak\u00adfield", ["Ｏａｋｆｉｅｌｄ", "Oak\u00adfield"]),
    ("dir-london-01 and DIR_LONDON_01.txt", ["dir-london-01", "DIR_LONDON_01"]),
    # invisible format characters separate words or are ignored: both ways, a name is found
    ("Oakfield\u00adMargaret, Oakfield\u200bteam, x\u200cOakfield\u200dx, Oakfield\u2060Hill, \ufeffOakfield",
     ["Oakfield", "Oakfield", "Oakfield", "Oakfield", "Oakfield"]),
    ("Margaret\u00adHill, Margaret\u200b Hill, Oak\u200bfield, Oak\u200d\u00adfield, Jü\u200crgen Weiß",
     ["Margaret\u00adHill", "Margaret\u200b Hill", "Oak\u200bfield", "Oak\u200d\u00adfield", "Jü\u200crgen Weiß"]),
    ("O’Brien, OBrien and O'BRIEN", ["O’Brien", "OBrien", "O'BRIEN"]),
    # other words: a longer word, another number, a list of two names
    ("Oakfields, Oakfieldton, dir_london_011, Margaret, Hill", []),
])
def test_the_matcher_finds_names_however_they_are_written(text, found):
    assert [text[m.start:m.end] for m in HOSTILE.matches(text)] == found


def test_a_name_joined_to_another_by_a_soft_hyphen_is_replaced():
    text = "Oakfield\u00adMargaret Hill\u200bOakfield spoke"
    assert HOSTILE.apply(text) == "[Site 1]\u00ad[Director A]\u200b[Site 1] spoke"
    assert HOSTILE.leaks(HOSTILE.apply(text)) == []
    assert Pseudonymiser([("Oak\u00adfield", "Site 1")]).apply("Oakfield and Oak\u00adfield") == "[Site 1] and [Site 1]"


def test_terms_the_matcher_cannot_tell_apart_are_one_term(tmp_path):
    with pytest.raises(InputError, match="two different replacements"):
        Pseudonymiser([("Zoë", "Person 1"), ("ZOE", "Person 2")])
    assert Pseudonymiser([("Margaret-Hill", "A"), ("margaret hill", "A")]).terms == ["Margaret-Hill"]
    key = tmp_path / "key.csv"
    key.write_text("term,replacement\nJürgen Weiß,A\nJURGEN WEISS,B\n---,C\n", encoding="utf-8")
    with pytest.raises(InputError) as found:
        Pseudonymiser.load(key)
    assert str(found.value) == (f"{key}: row 3: 'JURGEN WEISS' is also on row 2 with another replacement; "
                                "row 4: the term '---' has no letters or digits to look for. Fix the key and try again.")


HOSTILE_WORDS = ["Margaret", "Hill", "margaret", "HILL", "Oakfield", "OAKFIELD", "oakfield", "Jürgen", "JÜRGEN",
                 "Juergen", "Weiß", "WEISS", "WEIẞ", "dir", "london", "01", "O'Brien", "team", "Team", "x", "s",
                 "\u00ad", "’s"]
HOSTILE_SEPARATORS = [" ", "\n", "_", "-", ".", "", "'", "’", "01", ", "]


@st.composite
def hostile_texts(draw):
    words = draw(st.lists(st.tuples(st.sampled_from(HOSTILE_WORDS), st.sampled_from(HOSTILE_SEPARATORS)), max_size=20))
    text = "".join(w + s for w, s in words)
    points = st.integers(min_value=0, max_value=len(text))
    spans = draw(st.lists(st.tuples(points, points).map(sorted), max_size=6))
    return text, [tuple(s) for s in spans]


@settings(max_examples=400, deadline=None)
@given(hostile_texts())
@example(("Oakfield\xadMargaret ", [(0, 8)]))
def test_nothing_of_the_key_is_left_after_applying_it(case):
    text, spans = case
    new, moved = HOSTILE.apply_with_offsets(text, spans)
    assert new == HOSTILE.apply(text)
    assert HOSTILE.leaks(new) == []
    for (new_start, new_end), passage in zip(moved, HOSTILE.excerpts(text, spans)):
        assert 0 <= new_start <= new_end <= len(new)
        assert HOSTILE.leaks(passage) == []  # a cut passage holds no part of a name
        assert len(passage) >= new_end - new_start


# -- what the check reads ------------------------------------------------------------------------------


def test_check_reads_document_properties_and_names_the_place(tmp_path):
    import docx

    from framework.confidentiality.check import scan

    document = docx.Document()
    document.core_properties.author = "Margaret Hill"
    document.core_properties.title = "Notes from Oakfield"
    document.add_paragraph("nothing here")
    document.add_paragraph("the OAKFIELD_team")
    path = tmp_path / "Margaret-Hill notes.docx"
    document.save(path)
    assert [(h.place, h.found) for h in scan(path, HOSTILE)] == [
        ("file name", "Margaret-Hill"),
        ("document properties, title", "Oakfield"),
        ("document properties, creator", "Margaret Hill"),
        ("document, paragraph 2", "OAKFIELD"),
    ]


def test_check_reads_html_attributes_markdown_escapes_csv_cells_and_lines(tmp_path):
    from framework.confidentiality.check import scan

    page = tmp_path / "chart.html"
    page.write_text('<p>ok</p>\n<td title="dir_london_01, x">3/4</td>\n<!-- Oakfield -->\n'
                    "<p>Margaret <b>Hill</b> and Oak<span>field</span></p>", encoding="utf-8")
    assert [(h.place, h.found) for h in scan(page, HOSTILE)] == [
        ("line 3, comment", "Oakfield"), ("line 4", "Margaret Hill"), ("line 4", "Oakfield"),
        ("line 2, attribute title", "dir_london_01")]
    md = tmp_path / "chart.md"
    md.write_text("# Chart\n\n| margaret\\_hill | Oak&shy;field<br>WEISS |\n", encoding="utf-8")
    assert [(h.place, h.found) for h in scan(md, HOSTILE)] == [
        ("line 3", "margaret_hill"), ("line 3", "Oak\u00adfield"), ("line 3", "WEISS")]
    table = tmp_path / "chart.csv"
    table.write_text("case,quote\nc1,ok\nc2,\"said Jurgen\nWeiss\"\n", encoding="utf-8-sig")
    assert [(h.place, h.found) for h in scan(table, HOSTILE)] == [("row 3, column 2 (quote)", "Jurgen\nWeiss")]
    text = tmp_path / "notes.txt"
    text.write_text("one\ntwo\nthree oakfield01\n", encoding="utf-8")
    assert [(h.place, h.found, h.context) for h in scan(text, HOSTILE)] == [
        ("line 3", "oakfield", "one two three «oakfield»01")]


def test_check_reads_every_entry_of_a_zip_and_its_names(tmp_path):
    import zipfile

    from framework.confidentiality.check import scan

    path = tmp_path / "bundle.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", '<?xml version="1.0"?>\n<Project name="x">\n  <Note name="Oakfield"/>\n'
                                        "  <Text>fine</Text>\n</Project>")
        archive.writestr("sources/Margaret_Hill.txt", "line one\nWeiß\n")
        archive.writestr("images/a.png", b"\x89PNG\x00\x00 author: dir_london_01 \x00")
    assert [(h.place, h.found) for h in scan(path, HOSTILE)] == [
        ("images/a.png (binary data)", "dir_london_01"),
        ("project.qde, line 3, name", "Oakfield"),
        ("entry name 'sources/Margaret_Hill.txt'", "Margaret_Hill"),
        ("sources/Margaret_Hill.txt, line 2", "Weiß"),
    ]


# -- suggestions ------------------------------------------------------------------------------------------

NOISY = """Interviewer: Tell me about the ICS and the PQ programme.
Respondent: Well, the Children Act 1989 and the Care Act say so. We recruited from Romania and India, and from England.
Then we asked Margaret Hill, and Jürgen Weiß agreed. The NHS England team met at Oakfield House. Our Polish staff
are great, says Tom Baker."""


def test_suggestions_leave_out_acronyms_laws_countries_and_peoples():
    assert [s.term for s in suggest([NOISY])] == ["Jürgen Weiß", "Margaret Hill", "Oakfield House", "Tom Baker"]
    assert [s.term for s in suggest([NOISY], acronyms=True)] == [
        "ICS", "Jürgen Weiß", "Margaret Hill", "NHS England", "Oakfield House", "PQ", "Tom Baker"]


def test_suggestions_offer_names_from_document_and_case_names():
    names = ["margaret_hill_01", "Oakfield-site2", "dir_london_02", "JUERGEN_WEISS", "int_07", "r001.q1", "ad_county"]
    found = [(s.term, s.count, s.documents, s.names) for s in suggest([NOISY], names=names)]
    assert found == [
        ("Jürgen Weiß", 1, 1, 1),  # "JUERGEN_WEISS" is the same name
        ("Margaret Hill", 1, 1, 1),
        ("London", 0, 0, 1),
        ("Oakfield", 0, 0, 1),  # in the texts, "Oakfield House" is the longer name
        ("Oakfield House", 1, 1, 0),
        ("Tom Baker", 1, 1, 0),
    ]
    key = Pseudonymiser([("Oakfield", "Site 1")])
    assert [s.term for s in suggest([NOISY], names=names, key=key)] == [
        "Jürgen Weiß", "Margaret Hill", "London", "Oakfield House", "Tom Baker"]


def test_editing_a_key_entry_to_another_spelling_of_the_same_name_keeps_it(tmp_path):
    from framework.views.pseudonyms import replace_entry

    key = tmp_path / "key.csv"
    add_entry(key, "Zoë Brontë", "Person 1")
    add_entry(key, "Leeds", "City 1")
    replace_entry(key, ("Zoë Brontë", "Person 1"), "Zoe Bronte", "Person 2")
    assert Pseudonymiser.load(key).entries == [("Leeds", "[City 1]"), ("Zoe Bronte", "[Person 2]")]
