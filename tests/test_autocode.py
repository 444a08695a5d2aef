"""Autocoding by text search: FTS5 queries, scopes, filters, the preview, one undoable action."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from framework.cli import main
from framework.coding.actions import add_coding, undo
from framework.coding.autocode import Search, apply, parse_where, preview
from framework.errors import InputError
from framework.ingest.survey import import_survey

from .conftest import DIR_LONDON

DATA = Path(__file__).parent / "data" / "surveys"


@pytest.fixture
def surveyed(project):
    import_survey(project.store, DATA / "qualtrics.csv")
    return project


def found(result) -> list[tuple[str, str]]:
    return [(h.document, result.texts[h.document_id][h.start:h.end]) for h in result.hits]


def test_each_scope_spreads_a_hit_as_far_as_it_says(surveyed) -> None:
    store = surveyed.store
    hit = preview(store, Search("forms", scope="hit", question="q2"), "1.2", "alice")
    assert found(hit) == [("R_3kVq8XbPz1aYc2L.q2", "forms"), ("R_2pXr4HsLb8VuMo1.q2", "forms")]
    sentence = preview(store, Search("forms", scope="sentence", question="q2"), "1.2", "alice")
    assert found(sentence) == [
        ("R_3kVq8XbPz1aYc2L.q2", "The assessment forms take longer than the assessments themselves."),
        ("R_2pXr4HsLb8VuMo1.q2", "Fewer forms, and a pool car that is there when I need it."),
    ]
    answer = preview(store, Search("forms", scope="answer", question="q2"), "1.2", "alice")
    assert found(answer)[0] == (
        "R_3kVq8XbPz1aYc2L.q2",
        "Less time on the computer. The assessment forms take longer than the assessments themselves.")
    assert sentence.hits[0].matches == ((42, 47),)  # offsets in the answer's text


def test_fts5_syntax_phrases_or_prefix_near_and_not(surveyed) -> None:
    store = surveyed.store

    def docs(query: str) -> list[str]:
        hits = preview(store, Search(query, scope="hit", kind="survey"), "1.2", "alice").hits
        return list(dict.fromkeys(h.document for h in hits))

    assert docs('"agency staff"') == ["R_4wEh1GiDy6XcFa8.q2"]
    assert docs("agenc*") == ["R_1dGf0WnQm7TzKe9.q2", "R_4wEh1GiDy6XcFa8.q2"]
    assert docs("caseload OR caseloads") == ["R_1dGf0WnQm7TzKe9.q1", "R_2pXr4HsLb8VuMo1.q1", "R_4wEh1GiDy6XcFa8.q1"]
    assert docs("NEAR(caseload protected, 2)") == ["R_2pXr4HsLb8VuMo1.q1"]
    assert docs("caseload* NOT points") == ["R_1dGf0WnQm7TzKe9.q1", "R_2pXr4HsLb8VuMo1.q1"]
    assert docs("PROTECTED") == ["R_2pXr4HsLb8VuMo1.q1"]  # case is ignored
    with pytest.raises(InputError, match=r"is not one SQLite can run \(unterminated string\)"):
        docs('"agency')


def test_filters_by_question_attribute_and_kind(surveyed) -> None:
    store = surveyed.store
    where = parse_where(["Q1=children's services", "Q1=Adult services", "Q3=Hospital"])
    result = preview(store, Search("caseload*", where=where), "2.1", "alice")
    assert [h.document for h in result.hits] == ["R_1dGf0WnQm7TzKe9.q1"]
    transcripts = preview(store, Search("agency", kind="transcript"), "1.2", "alice")
    assert [h.document for h in transcripts.hits] == ["dir_london"]
    with pytest.raises(InputError, match="there is no attribute 'team'"):
        preview(store, Search("x", where=(("team", "A"),)), "1.2", "alice")
    with pytest.raises(InputError, match="give attribute=value"):
        parse_where(["team"])


def test_transcript_paragraphs_leave_out_the_speaker_label(surveyed) -> None:
    result = preview(surveyed.store, Search("costly", scope="paragraph", kind="transcript"), "1.2", "alice")
    assert found(result) == [("dir_london",
                              "We have a vacancy rate of about 20 per cent. We rely on agency staff — it’s costly.")]
    sentence = preview(surveyed.store, Search("agency", kind="transcript"), "1.2", "alice")
    assert found(sentence) == [("dir_london", "We rely on agency staff — it’s costly.")]
    assert DIR_LONDON.index("We rely on agency") == sentence.hits[0].start


def test_apply_writes_one_action_that_one_undo_takes_back(surveyed) -> None:
    store = surveyed.store
    doc = store.documents.get("R_3kVq8XbPz1aYc2L.q2")
    text = store.documents.text(doc.id)
    start = text.index("The assessment")
    add_coding(store, "alice", doc.id, "2.1", start, len(text))
    result = preview(store, Search("forms OR agenc*", kind="survey"), "2.1", "alice")
    assert [(h.document, h.already) for h in result.hits] == [
        ("R_3kVq8XbPz1aYc2L.q2", True), ("R_1dGf0WnQm7TzKe9.q2", False), ("R_2pXr4HsLb8VuMo1.q2", False),
        ("R_4wEh1GiDy6XcFa8.q2", False)]
    assert result.summary() == ("4 hit(s) in 4 document(s): 3 passage(s) to code with 2.1 "
                                "(1 already coded so by alice)")
    done = apply(store, result)
    assert done.added == 3
    action = store.actions.list(coder="alice")[-1]
    assert (action.kind, action.payload["query"], action.payload["scope"], action.payload["how"]) == (
        "coding.add_many", "forms OR agenc*", "sentence", "autocode")
    assert len(store.codings.list(coder="alice")) == 4
    undo(store, "alice")
    assert len(store.codings.list(coder="alice")) == 1


def test_apply_is_refused_when_a_text_changed_after_the_preview(surveyed) -> None:
    store = surveyed.store
    result = preview(store, Search("forms"), "2.1", "alice")
    with store.write() as conn:
        conn.execute("UPDATE documents SET sha256 = 'x' WHERE name = 'R_2pXr4HsLb8VuMo1.q2'")
    with pytest.raises(InputError, match=r"1 document\(s\) changed since the preview \(R_2pXr4HsLb8VuMo1.q2\)"):
        apply(store, result)
    assert store.codings.list(coder="alice") == []


def run(project_dir: Path, *args: str, input: str | None = None):
    return CliRunner().invoke(main, ["--project", str(project_dir), *args], input=input)


def test_the_command_previews_asks_and_codes(project_dir: Path) -> None:
    assert run(project_dir, "import-survey", str(DATA / "surveymonkey.csv")).exit_code == 0
    dry = run(project_dir, "--coder", "alice", "autocode", "agenc*", "--theme", "1.2", "--kind", "survey", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "114326845049.q2" in dry.stdout and "114326845197.q2" in dry.stdout
    assert "2 hit(s) in 2 document(s): 2 passage(s) to code with 1.2 Agency staff" in dry.stderr
    assert "dry run: nothing was coded" in dry.stderr
    no = run(project_dir, "autocode", "agenc*", "--theme", "1.2", input="n\n")
    assert no.exit_code == 1 and "nothing was coded" in no.stderr
    yes = run(project_dir, "autocode", "agenc*", "--theme", "1.2", "--question", "q2", input="y\n")
    assert yes.exit_code == 0, yes.output
    assert "coded 2 passage(s) with 1.2 Agency staff as alice" in yes.stdout
    again = json.loads(run(project_dir, "autocode", "agenc*", "--theme", "1.2", "--question", "q2", "--json",
                           "--dry-run").stdout)
    assert (again["matches"], again["new"], again["coded"], [h["already"] for h in again["hits"]]) == (
        2, 0, 0, [True, True])
    assert "undid 2 passage(s) autocoded with 1.2" in run(project_dir, "undo").stdout
    bad = run(project_dir, "autocode", "agency AND NOT", "--theme", "1.2", "--dry-run")
    assert bad.exit_code == 1 and bad.stderr.startswith("framework: search 'agency AND NOT' is not one")


def test_the_preview_of_a_long_passage_is_cut_between_words(surveyed) -> None:
    result = preview(surveyed.store, Search("pool", scope="sentence"), "1.2", "alice")
    (hit,) = result.hits
    assert result.texts[hit.document_id][hit.start:hit.end] == \
        "Fewer forms, and a pool car that is there when I need it."
    shown = [result.snippet(hit, width) for width in (12, 20, 27, 30)]
    assert [(line, [line[s:e] for s, e in marks]) for line, marks in shown] == [
        ("…a pool car…", ["pool"]),
        ("…and a pool car that…", ["pool"]),
        ("…and a pool car that is…", ["pool"]),  # was "…s, and a pool car that is t…"
        ("…and a pool car that is…", ["pool"]),
    ]
