"""Survey exports as survey tools write them: Qualtrics (three header rows), SurveyMonkey (two),
respondents without free-text answers, and ids that must be unique."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from framework.coding.actions import undo
from framework.errors import InputError
from framework.ingest.survey import import_survey, load_question_map
from framework.store.questions import find_question, questions

from .conftest import SHARED

DATA = Path(__file__).parent / "data" / "surveys"
CORPUS = next((p for p in (SHARED / "corpus", Path("/work/shared/data/corpus")) if p.exists()), None)

CASELOAD = "How do you count your caseload, and is it manageable?"
HELP = "What would help you spend more time with the people you support?"
QUALTRICS_IDS = ["R_1dGf0WnQm7TzKe9", "R_2pXr4HsLb8VuMo1", "R_3kVq8XbPz1aYc2L", "R_4wEh1GiDy6XcFa8",
                 "R_6tNc2YjAe5QwRi3", "R_9mBv7KoUz3LsPd0"]


def survey_cases(store) -> dict[str, dict[str, str]]:
    with_docs = {d.case for d in store.documents.list("survey")}
    return {c.name: c.attributes for c in store.cases.list() if c.name in with_docs or c.name.startswith(("R_", "1"))}


def test_a_qualtrics_export_uses_its_question_texts_and_no_header_row_becomes_a_respondent(project) -> None:
    report = import_survey(project.store, DATA / "qualtrics.csv")
    store = project.store
    assert sorted(report.added) == sorted(
        f"{rid}.q{n}" for rid in QUALTRICS_IDS for n in (1, 2)
        if (rid, n) not in {("R_9mBv7KoUz3LsPd0", 1), ("R_9mBv7KoUz3LsPd0", 2), ("R_6tNc2YjAe5QwRi3", 2)}
    )
    names = {c.name for c in store.cases.list()}
    assert "Response ID" not in names and not any(n.startswith("{") for n in names)
    assert set(QUALTRICS_IDS) <= names
    doc = store.documents.get("R_1dGf0WnQm7TzKe9.q1")
    assert doc.question == CASELOAD
    assert store.documents.text(doc.id) == (
        "We don't have caseloads as such in the hospital team \u2014 we take whoever the wards refer that day.\n"
        "Some weeks are fine, some are impossible.")
    assert [(q.key, q.text, q.answers) for q in questions(store)] == [("q1", CASELOAD, 5), ("q2", HELP, 4)]
    partial = store.cases.get("R_9mBv7KoUz3LsPd0").attributes
    assert partial["Q1"] == "Adult services" and partial["Q3"] == "Duty" and partial["Finished"] == "False"
    assert store.cases.get("R_6tNc2YjAe5QwRi3").attributes["Q3_4_TEXT"] == "Fostering"
    attribute_names = [a.name for a in store.cases.attributes()]
    for personal in ("IPAddress", "RecipientLastName", "RecipientFirstName", "RecipientEmail", "LocationLatitude",
                     "LocationLongitude"):
        assert personal not in attribute_names
    assert report.warnings == [
        "Qualtrics export: took the question texts from row 2; skipped the import ids of row 3 (neither is a respondent)",
        "left out 6 column(s) of personal data: IPAddress, RecipientLastName, RecipientFirstName, RecipientEmail, "
        "LocationLatitude, LocationLongitude (--keep-personal keeps them)",
        "1 of 6 respondents answered no free-text question; they are cases with their attributes all the same",
    ]
    again = import_survey(store, DATA / "qualtrics.csv")
    assert again.added == [] and len(again.unchanged) == 9


def test_a_surveymonkey_export_names_columns_from_both_header_rows(project) -> None:
    report = import_survey(project.store, DATA / "surveymonkey.csv")
    store = project.store
    assert len(report.added) == 9
    assert sorted({d.question for d in store.documents.list("survey")}) == [CASELOAD, HELP]
    first = store.cases.get("114326845012").attributes
    assert first == {
        "Collector ID": "431234567", "Start Date": "03/04/2024 09:12:31 AM", "End Date": "03/04/2024 09:20:02 AM",
        "In which setting do you work?": "Children's services", "How many years since you qualified?": "1-3 years",
        "Which of these make your work harder? (tick all that apply) - Recording and case management systems":
            "Recording and case management systems",
    }
    assert store.cases.get("114326845123").attributes[
        "Which of these make your work harder? (tick all that apply) - Other (please specify)"] == "the out-of-hours rota"
    assert store.documents.for_case(store.cases.get("114326845160").id) == []
    assert "Response" not in {c.name for c in store.cases.list()}
    assert {"IP Address", "Email Address", "First Name", "Last Name"}.isdisjoint(a.name for a in store.cases.attributes())


def test_personal_columns_are_kept_when_asked(project) -> None:
    import_survey(project.store, DATA / "qualtrics.csv", keep_personal=True)
    assert project.store.cases.get("R_3kVq8XbPz1aYc2L").attributes["IPAddress"] == "203.0.113.24"


def test_a_qualtrics_workbook_is_read_the_same_way(project, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    with (DATA / "qualtrics.csv").open(encoding="utf-8-sig", newline="") as f:
        for record in csv.reader(f):
            sheet.append(record)
    path = tmp_path / "export.xlsx"
    book.save(path)
    report = import_survey(project.store, path)
    assert len(report.added) == 9
    assert project.store.documents.get("R_3kVq8XbPz1aYc2L.q2").question == HELP


def test_a_respondent_with_no_free_text_answer_is_a_case_with_attributes(project, tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_text(
        "respondent_id,setting,How do you count your caseload?\n"
        "a1,CSD,\"By children, and it is far more than anyone could manage well.\"\n"
        "a2,DASS,\n"
        "a3,PVI,\"By families; about fifteen at a time, which is about right for us.\"\n",
        encoding="utf-8")
    report = import_survey(project.store, path)
    assert report.added == ["a1.q1", "a3.q1"]
    assert project.store.cases.get("a2").attributes == {"setting": "DASS"}


def test_duplicate_ids_are_an_error_not_renumbered(project, tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_text(
        "respondent_id,comment\n"
        "r1,\"We count children, not families, and the number keeps going up.\"\n"
        "r2,\"Caseloads are weighted by points; nobody trusts the points any more.\"\n"
        "r1,\"Our manager allocates at a weekly meeting and asks what we can take.\"\n",
        encoding="utf-8")
    with pytest.raises(InputError) as error:
        import_survey(project.store, path)
    message = str(error.value)
    assert "row 4: id 'r1' is also on row 2" in message
    assert "--row-ids" in message and "--id COLUMN" in message
    assert project.store.documents.list("survey") == []
    report = import_survey(project.store, path, row_ids=True)
    assert report.added == ["r00001.q1", "r00002.q1", "r00003.q1"]


def test_a_column_that_only_ends_in_id_is_not_taken_for_ids_when_repeated(project, tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_text(
        "team_id,comment\n"
        "t1,\"We count children, not families, and the number keeps going up.\"\n"
        "t1,\"Caseloads are weighted by points; nobody trusts the points any more.\"\n",
        encoding="utf-8")
    report = import_survey(project.store, path)
    assert report.added == ["r00001.q1", "r00002.q1"]
    assert report.warnings[0].startswith("no respondent id column found: respondents are numbered r00001")
    assert project.store.cases.get("r00002").attributes == {"team_id": "t1"}


def test_options_name_columns_by_their_question_or_their_name(project) -> None:
    report = import_survey(project.store, DATA / "qualtrics.csv", id_column="Response ID", text_columns=[HELP])
    assert len(report.added) == 4
    with pytest.raises(InputError, match="there is no column 'nope' \\(--text-columns\\)"):
        import_survey(project.store, DATA / "qualtrics.csv", text_columns=["nope"])


def test_a_question_map_codes_answers_as_one_undoable_action(project, tmp_path: Path) -> None:
    qmap = tmp_path / "map.yaml"
    qmap.write_text(f'"{CASELOAD}": "2.1"\nq2: "3"\n', encoding="utf-8")
    report = import_survey(project.store, DATA / "surveymonkey.csv", question_map=load_question_map(qmap),
                           coder="alice")
    assert report.coded == 9
    codings = project.store.codings.list(coder="alice")
    assert sorted({c.theme_id for c in codings}) == ["2.1", "3"]
    assert all(c.start == 0 and c.end == len(project.store.documents.text(c.document_id)) for c in codings)
    assert undo(project.store, "alice")[0] == "coding.add_many"
    assert len(project.store.codings.list(coder="alice")) == 9 - 4


def test_finding_a_question_by_key_or_words(project) -> None:
    import_survey(project.store, DATA / "qualtrics.csv")
    assert find_question(project.store, "q2").text == HELP
    assert find_question(project.store, "CASELOAD").key == "q1"
    with pytest.raises(InputError, match="no question 'q9'. The questions are: q1 'How do you count"):
        find_question(project.store, "q9")


@pytest.mark.skipif(CORPUS is None, reason="the shared corpus is not here")
def test_real_comments_in_a_qualtrics_shaped_export(project, tmp_path: Path) -> None:
    """The corpus's questionnaire laid out as Qualtrics writes it: three header rows, CRLF, BOM."""
    with (CORPUS / "questionnaire_wide.csv").open(encoding="utf-8", newline="") as f:
        records = list(csv.reader(f))
    header, rows = records[0], records[1:]
    names = ["ResponseId", "Q1", "Q2", *(f"Q{n}" for n in range(3, len(header)))]
    ids = ['{"ImportId":"_recordId"}', '{"ImportId":"QID1"}', '{"ImportId":"QID2"}',
           *(f'{{"ImportId":"QID{n}_TEXT"}}' for n in range(3, len(header)))]
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(names)
        writer.writerow(["Response ID", *header[1:]])
        writer.writerow(ids)
        writer.writerows([[f"R_{r[0]}", *r[1:]] for r in rows])
    report = import_survey(project.store, path)
    answers = sum(1 for r in rows for v in r[3:] if v.strip())
    assert len(report.added) == answers
    assert [q.text for q in questions(project.store)] == header[3:]
    assert len([c for c in project.store.cases.list() if c.name.startswith("R_r")]) == len(rows)
    shutil.rmtree(tmp_path, ignore_errors=True)
