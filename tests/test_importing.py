"""Importing transcripts, cases and survey exports into a project."""

from __future__ import annotations

from pathlib import Path

import pytest

from framework.coding import actions as coding
from framework.errors import InputError
from framework.ingest.documents import import_cases, import_paths
from framework.ingest.survey import import_survey
from framework.project import open_project

from .conftest import DIR_LONDON


def test_first_open_builds_the_project_from_its_folder(project) -> None:
    store = project.store
    assert [d.name for d in store.documents.list()] == ["ad_county", "dir_london", "hos_met"]
    assert [t.id for t in store.themes.list()] == ["1", "1.1", "1.2", "2", "2.1", "2.2", "2.2.1", "3"]
    case = store.cases.get("dir_london")
    assert case.attributes == {"role": "Director", "service": "Children's services",
                               "authority_type": "London borough", "interviews": "1"}
    assert {a.name: a.type for a in store.cases.attributes()} == {
        "role": "text", "service": "text", "authority_type": "text", "interviews": "number"}
    doc = store.documents.get("dir_london")
    assert store.documents.text(doc.id) == DIR_LONDON
    assert (doc.kind, doc.source, doc.length, doc.encoding) == (
        "transcript", "transcripts/dir_london.txt", len(DIR_LONDON), "utf-8")


def test_units_are_paragraphs_with_speakers(project) -> None:
    store = project.store
    doc = store.documents.get("dir_london")
    text = store.documents.text(doc.id)
    units = store.documents.units(doc.id)
    assert [(text[u.start:u.end][:20], u.speaker) for u in units] == [
        ("Interview 01 — telep", None),
        ("Interviewer: Can you", "Interviewer"),
        ("Respondent: We have ", "Respondent"),
        ("Interviewer: And cas", "Interviewer"),
        ("Respondent: Caseload", "Respondent"),
        ("Supervision happens ", "Respondent"),
    ]
    assert text[units[4].start:units[4].end] == (
        "Respondent: Caseloads are around 22 for a full-time worker.\nSome carry more than that.")


def test_importing_the_same_files_again_changes_nothing(project) -> None:
    before = project.store.scalar("SELECT count(*) FROM actions")
    report = import_paths(project.store, [project.transcripts_dir], root=project.root)
    assert (report.added, report.updated, report.unchanged) == ([], [], ["ad_county", "dir_london", "hos_met"])
    assert project.store.scalar("SELECT count(*) FROM actions") == before


def test_a_changed_transcript_keeps_its_codings(project) -> None:
    store = project.store
    doc = store.documents.get("dir_london")
    text = store.documents.text(doc.id)
    start = text.index("vacancy rate")
    kept = coding.add_coding(store, "alice", doc.id, "1.1", start, start + len("vacancy rate of about 20 per cent"))
    gone_start = text.index("Some carry")
    lost = coding.add_coding(store, "alice", doc.id, "2.1", gone_start, gone_start + len("Some carry more than that."))
    edited = "Interview 01 — telephone, corrected\n\n" + text.split("\n\n", 1)[1].replace(
        "Some carry more than that.\n", "")
    (project.transcripts_dir / "dir_london.txt").write_text(edited, encoding="utf-8")
    report = import_paths(store, [project.transcripts_dir / "dir_london.txt"], root=project.root)
    assert report.updated == ["dir_london"]
    moved = store.codings.get(kept.id)
    assert edited[moved.start:moved.end] == "vacancy rate of about 20 per cent"
    assert moved.start == start + len(", corrected") and not moved.detached
    detached = store.codings.get(lost.id)
    assert detached.detached and detached.quote == "Some carry more than that."
    assert report.detached == [("dir_london", lost.id, "Some carry more than that.")]


def test_two_files_with_one_name_is_an_error_naming_both(project, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "dir_london.txt").write_text("Interviewer: hello\n\nRespondent: hi\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"elsewhere/dir_london\.txt: a document named 'dir_london' was already "
                                         r"imported from transcripts/dir_london\.txt"):
        import_paths(project.store, [other / "dir_london.txt"], root=project.root)
    report = import_paths(project.store, [other / "dir_london.txt"], root=project.root, name="dir_london_b",
                          case="dir_london")
    assert report.added == ["dir_london_b"]
    assert [d.name for d in project.store.documents.for_case(project.store.cases.get("dir_london").id)] == [
        "dir_london", "dir_london_b"]


def test_one_bad_file_imports_nothing(project, tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "good.txt").write_text("Interviewer: fine\n", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    with pytest.raises(InputError) as info:
        import_paths(project.store, [folder], root=project.root)
    message = str(info.value)
    assert "2 problems (nothing was imported)" in message
    assert "empty.txt" in message and "binary.txt" in message
    assert project.store.documents.find("good") is None


def test_unsupported_and_missing_paths(project, tmp_path: Path) -> None:
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(InputError, match=r"notes\.pdf: cannot import \.pdf; supported: "):
        import_paths(project.store, [tmp_path / "notes.pdf"])
    with pytest.raises(InputError, match="no such file or folder"):
        import_paths(project.store, [tmp_path / "nope.txt"])


def test_encodings_are_detected_and_never_mojibake(project, tmp_path: Path) -> None:
    (tmp_path / "win.txt").write_bytes("Respondent: caf\u00e9 \u201cquoted\u201d\r\n".encode("cp1252"))
    (tmp_path / "u16.txt").write_bytes("Respondent: Zo\u00eb \u2014 ok\r\n".encode("utf-16"))
    (tmp_path / "bom.txt").write_bytes("\ufeffRespondent: na\u00efve\r\n".encode("utf-8"))
    report = import_paths(project.store, [tmp_path / "win.txt", tmp_path / "u16.txt", tmp_path / "bom.txt"])
    assert len(report.warnings) == 1 and "win.txt" in report.warnings[0] and "1252" in report.warnings[0]
    texts = {n: project.store.documents.text(project.store.documents.get(n).id) for n in ("win", "u16", "bom")}
    assert texts == {"win": "Respondent: caf\u00e9 \u201cquoted\u201d\n", "u16": "Respondent: Zo\u00eb \u2014 ok\n",
                     "bom": "Respondent: na\u00efve\n"}
    assert project.store.documents.get("win").encoding == "cp1252"


def test_cases_csv_errors_name_the_row(project, tmp_path: Path) -> None:
    bad = tmp_path / "cases.csv"
    bad.write_text("case,role\nx,Director\ny,Head\nx,Other\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 4: case 'x' is also on row 2"):
        import_cases(project.store, bad)
    bad.write_text("id,role\nx,Director\n", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        import_cases(project.store, bad)
    assert str(refused.value) == (
        f"{bad}: no case column: name the column of case ids (the transcripts' file names without extension) "
        "'case' (or 'case_id', 'Case ID', 'caseid', 'case_name'; any capitals); found 'id', 'role'.")


@pytest.mark.parametrize("header", ["Case", "CASE_ID", "case_id", "Case ID", "\ufeffcase-id"])
def test_the_case_column_is_read_whatever_its_capitals(project, tmp_path: Path, header: str) -> None:
    table = tmp_path / "cases.csv"
    table.write_text(f"Role,{header},Region\nDirector,dir_london,London\nHead,hos_met,North\n", encoding="utf-8")
    assert import_cases(project.store, table)[:2] == (2, 0)
    case = project.store.cases.get("hos_met")
    assert (case.attributes["Role"], case.attributes["Region"]) == ("Head", "North")
    assert header not in case.attributes and "case" not in case.attributes


SURVEY = (
    "respondent_id,setting,years,What helps you most in your work?,How do you count your caseload?\n"
    "r1,CSD,1-3,\"Good supervision from my manager, every month without fail.\",\"By points, weighted for complexity of each case.\"\n"
    "r2,DASS,11+,\"Peer support in the team, and a manager who listens.\",\n"
    "r3,PVI,<1,,\"We count cases, not points, and it is\nnot manageable at all.\"\n"
)


def test_survey_rows_become_cases_and_answers_become_documents(project, tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_text(SURVEY, encoding="utf-8")
    report = import_survey(project.store, path, id_column="respondent_id")
    assert report.added == ["r1.q1", "r1.q2", "r2.q1", "r3.q2"]
    store = project.store
    doc = store.documents.get("r3.q2")
    assert (doc.kind, doc.case, doc.question) == ("survey", "r3", "How do you count your caseload?")
    assert store.documents.text(doc.id) == "We count cases, not points, and it is\nnot manageable at all."
    assert store.cases.get("r2").attributes == {"setting": "DASS", "years": "11+"}
    again = import_survey(project.store, path, id_column="respondent_id")
    assert again.added == [] and len(again.unchanged) == 4


def test_survey_autocoding_from_a_question_map(project, tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_text(SURVEY, encoding="utf-8")
    qmap = tmp_path / "map.yaml"
    qmap.write_text('"How do you count your caseload?": "2.1"\nq1: "3"\n', encoding="utf-8")
    from framework.ingest.survey import load_question_map

    report = import_survey(project.store, path, id_column="respondent_id", question_map=load_question_map(qmap),
                           coder="alice")
    assert report.coded == 4
    rows = sorted((c.document, c.theme_id, c.start, c.end) for c in project.store.codings.list(coder="alice"))
    assert rows == [("r1.q1", "3", 0, 59), ("r1.q2", "2.1", 0, 48), ("r2.q1", "3", 0, 52), ("r3.q2", "2.1", 0, 60)]


def test_survey_with_duplicate_ids_or_missing_id_column(project, tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_text(SURVEY.replace("r3,", "r1,"), encoding="utf-8")
    with pytest.raises(InputError, match=r"row 4: id 'r1' is also on row 2"):
        import_survey(project.store, path, id_column="respondent_id")
    with pytest.raises(InputError, match=r"there is no column 'rid'"):
        import_survey(project.store, path, id_column="rid")
    assert project.store.documents.list("survey") == []


def test_reopening_syncs_a_changed_themes_file(project_dir: Path) -> None:
    p = open_project(project_dir)
    p.close()
    themes = project_dir / "themes.yaml"
    themes.write_text(themes.read_text(encoding="utf-8").replace("label: Vacancies", "label: Vacant posts"),
                      encoding="utf-8")
    p = open_project(project_dir)
    assert p.store.themes.get("1.1").label == "Vacant posts"
    assert p.warnings == ["themes.yaml changed: themes: 1 changed"]
    p.close()


def test_first_open_imports_shared_coding_files(tmp_path: Path) -> None:
    from .conftest import write_project

    root = write_project(tmp_path / "shared")
    (root / "codings").mkdir()
    (root / "codings" / "alice.jsonl").write_text(
        '{"document": "hos_met", "theme": "3", "quote": "We grow our own", "memo": "GYO"}\n', encoding="utf-8")
    p = open_project(root)
    (c,) = p.store.codings.list()
    assert (c.coder, c.document, c.theme_id, c.quote, c.memo) == ("alice", "hos_met", "3", "We grow our own", "GYO")
    assert "first run: codings: 1 added for alice from codings/alice.jsonl" in p.warnings
    p.close()


def test_settings_survive_concurrent_writers(project) -> None:
    import threading

    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(50):
                project.save_setting(f"key{n}", i)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert {k: v for k, v in project.settings().items() if k.startswith("key")} == {f"key{n}": 49 for n in range(4)}


def test_survey_id_column_is_detected_when_not_given(project, tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_text(SURVEY, encoding="utf-8")
    report = import_survey(project.store, path)
    assert report.added == ["r1.q1", "r1.q2", "r2.q1", "r3.q2"]
    again = import_survey(project.store, path, id_column="respondent_id")
    assert again.added == [] and len(again.unchanged) == 4


def test_an_edit_inside_a_coded_passage_moves_each_end_with_its_words(project) -> None:
    store = project.store
    path = project.transcripts_dir / "dir_london.txt"
    path.write_text(DIR_LONDON.replace("it’s costly.", "it’s costly. We run a learning day each month for them."),
                    encoding="utf-8")
    import_paths(store, [path], root=project.root)
    doc = store.documents.get("dir_london")
    text = store.documents.text(doc.id)
    passage = "We rely on agency staff — it’s costly. We run a learning day each month"
    start = text.index(passage)
    grown = coding.add_coding(store, "alice", doc.id, "1.2", start, start + len(passage))
    later = text.index("Caseloads are around 22")
    kept = coding.add_coding(store, "bob", doc.id, "2.1", later, later + len("Caseloads are around 22"))
    path.write_text(text.replace("a learning day", "learning days (internal)"), encoding="utf-8")
    report = import_paths(store, [path], root=project.root)
    new_text = store.documents.text(doc.id)
    after = store.codings.get(grown.id)
    assert after.quote == "We rely on agency staff — it’s costly. We run learning days (internal) each month"
    assert new_text[after.start:after.end] == after.quote and not after.detached
    assert store.codings.get(kept.id).quote == "Caseloads are around 22"
    assert [(c.coding_id, c.coder, c.theme_id, c.old, c.new, c.line, c.how) for c in report.changed] == [
        (grown.id, "alice", "1.2", passage, after.quote, 5, "edited")]
    assert report.changed[0].describe() == (
        f"dir_london line 5: coding {grown.id} (alice, 1.2) '…— it’s costly. We run a learning day each month' -> "
        "'…— it’s costly. We run learning days (internal) each month'")
    assert "(1 with changed words, listed below)" in report.summary()


def test_a_word_removed_at_the_start_of_a_coding_leaves_no_space_on_its_stored_quote(project) -> None:
    store = project.store
    doc = store.documents.get("dir_london")
    text = store.documents.text(doc.id)
    start = text.index("have a vacancy")
    made = coding.add_coding(store, "alice", doc.id, "1.1", start, start + len("have a vacancy rate of about"))
    path = project.transcripts_dir / "dir_london.txt"
    path.write_text(text.replace("We have a vacancy", "We a vacancy"), encoding="utf-8")
    import_paths(store, [path], root=project.root)
    after = store.codings.get(made.id)
    new_text = store.documents.text(doc.id)
    assert (after.quote, after.start, new_text[after.start:after.end]) == (
        "a vacancy rate of about", start, "a vacancy rate of about")


def _write_folder(folder: Path) -> dict[str, str]:
    folder.mkdir()
    texts = {name: f"Interviewer: how is {name} going?\n\nRespondent: {name} is going well, with {len(name)} staff.\n"
             for name in ("alpha", "bravo", "charlie", "delta", "echo")}
    for name, text in texts.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return texts


def _documents(store) -> list[tuple]:
    return [(d.name, d.case, d.sha256, d.source, store.documents.text(d.id),
             [(u.start, u.end, u.speaker) for u in store.documents.units(d.id)])
            for d in store.documents.list() if d.name in ("alpha", "bravo", "charlie", "delta", "echo")]


def test_a_folder_larger_than_the_text_held_at_once_imports_the_same(project, tmp_path: Path, monkeypatch) -> None:
    """Past the text one import holds, each file is read again when written, a few at a time."""
    from framework.ingest import documents

    texts = _write_folder(tmp_path / "interviews")
    monkeypatch.setattr(documents, "MAX_HELD_CHARS", 150)  # about two of these files
    report = import_paths(project.store, [tmp_path / "interviews"])
    assert report.added == ["alpha", "bravo", "charlie", "delta", "echo"]
    got = _documents(project.store)
    assert [(name, text) for name, _case, _sha, _source, text, _units in got] == sorted(texts.items())
    assert got[0][5] == [(0, 32, "Interviewer"), (34, 80, "Respondent")]
    monkeypatch.setattr(documents, "MAX_HELD_CHARS", 32 * 1024 * 1024)
    again = import_paths(project.store, [tmp_path / "interviews"])
    assert again.unchanged == ["alpha", "bravo", "charlie", "delta", "echo"] and again.added == []


def test_a_file_changed_after_it_was_checked_stops_the_import(project, tmp_path: Path, monkeypatch) -> None:
    from framework.ingest import documents

    _write_folder(tmp_path / "interviews")
    monkeypatch.setattr(documents, "MAX_HELD_CHARS", 1)  # only the first file is held
    before = _documents(project.store), len(project.store.documents.list())

    def edit_bravo(done: int, total: int, what: str) -> None:
        if what == "reading echo.txt":  # bravo.txt was read and checked; it is edited before it is written
            (tmp_path / "interviews" / "bravo.txt").write_text("Respondent: something else.\n", encoding="utf-8")

    with pytest.raises(InputError) as caught:
        import_paths(project.store, [tmp_path / "interviews"], progress=edit_bravo)
    assert str(caught.value) == (f"{tmp_path / 'interviews' / 'bravo.txt'}: changed while it was being imported; "
                                 "nothing was imported. Import it again.")
    assert (_documents(project.store), len(project.store.documents.list())) == before


def test_a_file_imported_again_by_name_is_the_same_document(project, tmp_path: Path) -> None:
    store = project.store
    path = tmp_path / "interview.txt"
    path.write_text("Interviewer: Hello.\n\nRespondent: We rely on agency staff.\n", encoding="utf-8")
    first = import_paths(store, [path], root=project.root, name="Interview 4")
    actions = store.scalar("SELECT count(*) FROM actions")
    again = import_paths(store, [path], root=project.root, name="Interview 4")
    assert (first.added, again.added, again.unchanged) == (["Interview 4"], [], ["Interview 4"])
    assert store.scalar("SELECT count(*) FROM actions") == actions
    plain = import_paths(store, [path], root=project.root)  # by its file name: the same file, kept as named
    assert (plain.added, plain.unchanged) == ([], ["Interview 4"])
    assert plain.warnings == [f"{path}: already imported as document 'Interview 4'; not added again as 'interview'."]
    assert [d.name for d in store.documents.list() if d.source == str(path.resolve())] == ["Interview 4"]


def test_a_transcript_read_on_the_first_run_takes_the_name_it_is_then_imported_with(project) -> None:
    store = project.store
    path = project.transcripts_dir / "dir_london.txt"
    report = import_paths(store, [path], root=project.root, name="Director, London", case="London")
    assert (report.added, report.unchanged) == ([], ["Director, London"])
    assert report.warnings == ["transcripts/dir_london.txt: already imported as document 'dir_london', "
                               "now named 'Director, London' (nothing was coded on it yet)."]
    doc = store.documents.get("Director, London")
    assert (doc.case, doc.source, len(store.documents.list())) == ("London", "transcripts/dir_london.txt", 3)
    assert store.documents.find("dir_london") is None
    path.write_text(DIR_LONDON.replace("about 20", "about 25"), encoding="utf-8")
    start = store.documents.text(doc.id).index("vacancy rate")
    made = coding.add_coding(store, "alice", doc.id, "1.1", start, start + len("vacancy rate of about 20"))
    changed = import_paths(store, [path], root=project.root, name="Director, London", case="London")
    assert (changed.added, changed.updated) == ([], ["Director, London"])
    assert store.codings.get(made.id).quote == "vacancy rate of about 25"
    coded = import_paths(store, [path], root=project.root, name="Another name")
    assert coded.unchanged == ["Director, London"] and coded.warnings == [
        f"{path}: already imported as document 'Director, London'; not added again as 'Another name' "
        "(it is coded, so it keeps its name)."]


def test_answers_imported_before_are_coded_by_question_when_the_map_comes_later(project, tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_text(SURVEY, encoding="utf-8")
    import_survey(project.store, path, id_column="respondent_id")
    qmap = tmp_path / "map.yaml"
    qmap.write_text('"How do you count your caseload?": "2.1"\nq1: "3"\n', encoding="utf-8")
    from framework.ingest.survey import load_question_map

    report = import_survey(project.store, path, id_column="respondent_id", question_map=load_question_map(qmap),
                           coder="alice")
    assert (report.added, report.coded) == ([], 4)
    assert report.summary() == "documents: 0 added, 0 updated, 4 unchanged; 4 answers coded from their question"
    rows = sorted((c.document, c.theme_id, c.start, c.end) for c in project.store.codings.list(coder="alice"))
    assert rows == [("r1.q1", "3", 0, 59), ("r1.q2", "2.1", 0, 48), ("r2.q1", "3", 0, 52), ("r3.q2", "2.1", 0, 60)]
    actions = project.store.scalar("SELECT count(*) FROM actions")
    again = import_survey(project.store, path, id_column="respondent_id", question_map=load_question_map(qmap),
                          coder="alice")
    assert again.coded == 0 and len(project.store.codings.list(coder="alice")) == 4
    assert project.store.scalar("SELECT count(*) FROM actions") == actions
