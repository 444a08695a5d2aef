"""The command line: exit codes, messages and JSON shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from framework.cli import main


def run(project_dir: Path, *args: str, input: str | None = None):
    return CliRunner().invoke(main, ["--project", str(project_dir), *args], input=input)


def test_docs_json_lists_documents_after_first_run(project_dir: Path) -> None:
    result = run(project_dir, "docs", "--json")
    assert result.exit_code == 0, result.output
    docs = json.loads(result.stdout)
    assert [(d["name"], d["case"], d["kind"], d["source"]) for d in docs] == [
        ("ad_county", "ad_county", "transcript", "transcripts/ad_county.txt"),
        ("dir_london", "dir_london", "transcript", "transcripts/dir_london.txt"),
        ("hos_met", "hos_met", "transcript", "transcripts/hos_met.txt"),
    ]
    assert all({"id", "name", "case", "kind", "source", "length"} <= set(d) for d in docs)
    assert (project_dir / "framework.db").exists()


def test_code_add_list_remove_undo_round_trip(project_dir: Path) -> None:
    added = run(project_dir, "--coder", "alice", "code", "add", "dir_london", "1.1", "--quote",
                "vacancy rate of about 20 per cent", "--json")
    assert added.exit_code == 0, added.output
    coding = json.loads(added.stdout)
    listed = json.loads(run(project_dir, "code", "list", "--json").stdout)
    assert [(c["id"], c["coder"], c["document"], c["theme"], c["quote"]) for c in listed] == [
        (coding["id"], "alice", "dir_london", "1.1", "vacancy rate of about 20 per cent")]
    assert set(listed[0]) >= {"id", "coder", "document", "document_id", "theme", "start", "end", "quote"}
    # The coder is remembered for the project.
    assert run(project_dir, "code", "remove", str(coding["id"])).exit_code == 0
    assert json.loads(run(project_dir, "code", "list", "--json").stdout) == []
    undo = run(project_dir, "undo")
    assert undo.exit_code == 0 and undo.stdout == "undid removing 1.1 Vacancies from dir_london L5\n"
    assert len(json.loads(run(project_dir, "code", "list", "--json").stdout)) == 1


def test_user_errors_exit_1_with_one_line_on_stderr(project_dir: Path) -> None:
    result = run(project_dir, "--coder", "alice", "code", "add", "dir_london", "9.9", "--start", "0", "--end", "5")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith("framework: no theme with id '9.9'.")
    result = run(project_dir, "--coder", "alice", "code", "add", "dir_london", "1.1", "--start", "5", "--end", "2")
    assert result.exit_code == 1 and "end (2) must be after start (5)" in result.stderr
    result = run(project_dir, "show", "dir_londno")
    assert result.exit_code == 1 and "Did you mean 'dir_london'?" in result.stderr


def test_wrong_usage_exits_2(project_dir: Path) -> None:
    assert run(project_dir, "code", "add").exit_code == 2
    assert run(project_dir, "docs", "--bogus").exit_code == 2


def test_show_prints_numbered_lines(project_dir: Path) -> None:
    result = run(project_dir, "show", "hos_met", "--lines", "1-3")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "1  INTERVIEWER: Tell me about recruitment.",
        "2  ",
        "3  MARGARET: Recruitment is hard. We grow our own — trainees from the local university.",
    ]
    lines = json.loads(run(project_dir, "show", "hos_met", "--json").stdout)
    assert lines[2] == {"line": 3, "start": 41, "speaker": "MARGARET",
                        "text": "MARGARET: Recruitment is hard. We grow our own — trainees from the local university."}


def test_search_reports_case_and_line(project_dir: Path) -> None:
    hits = json.loads(run(project_dir, "search", "supervision", "--json").stdout)
    assert [(h["document"], h["case"], h["line"]) for h in hits] == [
        ("ad_county", "ad_county", 5), ("ad_county", "ad_county", 7), ("dir_london", "dir_london", 12)]
    phrase = json.loads(run(project_dir, "search", "agency staff", "--json").stdout)
    assert [(h["document"], h["line"], h["snippet"]) for h in phrase] == [
        ("dir_london", 5, "Respondent: We have a vacancy rate of about 20 per cent. We rely on agency staff — it’s costly.")]


def test_themes_tree_counts_and_check(project_dir: Path) -> None:
    run(project_dir, "--coder", "alice", "code", "add", "dir_london", "1.1", "--start", "0", "--end", "9")
    run(project_dir, "--coder", "bob", "code", "add", "ad_county", "1.2", "--start", "0", "--end", "9")
    run(project_dir, "--coder", "bob", "code", "add", "ad_county", "1.2", "--start", "10", "--end", "19")
    rows = json.loads(run(project_dir, "themes", "--json").stdout)
    # a main theme counts its subthemes' codings and cases, as the charts do
    assert [(r["id"], r["depth"], r["codings"], r["cases"]) for r in rows][:3] == [
        ("1", 0, 3, 2), ("1.1", 1, 1, 1), ("1.2", 1, 2, 1)]
    bobs = json.loads(run(project_dir, "themes", "--layer", "bob", "--json").stdout)
    assert [(r["id"], r["layer"], r["codings"], r["cases"]) for r in bobs][:3] == [
        ("1", "bob", 2, 1), ("1.1", "bob", 0, 0), ("1.2", "bob", 2, 1)]
    shown = run(project_dir, "themes", "--layer", "bob").stdout.splitlines()
    assert [line.rstrip() for line in shown[:5]] == [
        "Themes with bob's codings (a main theme counts its subthemes' too)",
        "id     theme                  codings  cases",
        "1      Staffing               2        1",
        "1.1      Vacancies            0        0",
        "1.2      Agency staff         2        1",
    ]
    unknown = run(project_dir, "themes", "--layer", "zed")
    assert (unknown.exit_code, unknown.stderr) == (
        1, "framework: no coder named 'zed' in this project (coders: alice, bob; or 'consensus').\n")
    ok = run(project_dir, "themes", "check")
    assert ok.exit_code == 0 and "ok (8 themes)" in ok.stdout
    (project_dir / "themes.yaml").write_text('themes:\n  - id: "1"\n    label: A\n  - id: "1"\n    label: B\n', encoding="utf-8")
    bad = run(project_dir, "themes", "check")
    assert bad.exit_code == 1
    assert "themes.yaml:4:" in bad.stderr and "duplicate" in bad.stderr.lower()


def test_code_import_rejects_a_file_with_bad_rows_unless_skip_bad(project_dir: Path, tmp_path: Path) -> None:
    rows = [
        {"document": "dir_london", "theme": "1.1", "quote": "vacancy rate of about 20 per cent"},
        {"document": "dir_london", "theme": "2.1", "start": 200, "end": 230, "memo": "caseload"},
        {"document": "nope", "theme": "1.1", "start": 0, "end": 5},
        {"case": "ad_county", "theme": "7", "start": 0, "end": 5},
        {"document": "hos_met", "theme": "3", "start": 0, "end": 99999},
    ]
    path = tmp_path / "codes.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    bad = run(project_dir, "--coder", "bob", "code", "import", str(path))
    assert bad.exit_code == 1
    assert "3 problems (nothing was imported; fix them or use --skip-bad)" in bad.stderr
    assert "line 3: document 'nope' is not in the project" in bad.stderr
    assert "line 4: theme '7' is not in the framework" in bad.stderr
    assert "line 5: end 99999 is past the end of hos_met" in bad.stderr
    assert json.loads(run(project_dir, "code", "list", "--json").stdout) == []
    good = run(project_dir, "--coder", "bob", "code", "import", str(path), "--skip-bad")
    assert good.exit_code == 0 and "codings: 2 added; 3 rows skipped" in good.stdout
    again = run(project_dir, "--coder", "bob", "code", "import", str(path), "--skip-bad")
    assert "codings: 0 added, 2 already present" in again.stdout


def test_code_import_from_csv_with_quotes(project_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "codes.csv"
    path.write_text("document,theme,quote,memo\nad_county,2.2,The team manager allocates at a weekly meeting,m\n",
                    encoding="utf-8")
    result = run(project_dir, "--coder", "carol", "code", "import", str(path))
    assert result.exit_code == 0, result.stderr
    (c,) = json.loads(run(project_dir, "code", "list", "--coder", "carol", "--json").stdout)
    assert (c["document"], c["theme"], c["quote"], c["memo"]) == (
        "ad_county", "2.2", "The team manager allocates at a weekly meeting", "m")


def test_init_scaffolds_a_project_that_works(tmp_path: Path) -> None:
    target = tmp_path / "new project é"
    result = CliRunner().invoke(main, ["init", str(target)])
    assert result.exit_code == 0, result.output
    assert (target / "themes.yaml").exists() and (target / "transcripts").is_dir()
    assert json.loads(run(target, "themes", "--json").stdout)[0]["id"] == "1"
    again = CliRunner().invoke(main, ["init", str(target)])
    assert again.exit_code == 1 and "already a framework project" in again.stderr


def test_not_a_project_says_what_to_do(tmp_path: Path) -> None:
    result = run(tmp_path, "docs")
    assert result.exit_code == 1 and "not a framework project" in result.stderr and "framework init" in result.stderr


def test_cases_json_and_log(project_dir: Path) -> None:
    cases = json.loads(run(project_dir, "cases", "--json").stdout)
    assert cases[0] == {"id": cases[0]["id"], "name": "ad_county", "documents": 1, "attributes": {
        "role": "Assistant director", "service": "Adult services", "authority_type": "County council", "interviews": "2"}}
    log = json.loads(run(project_dir, "log", "--json").stdout)
    assert [a["kind"] for a in log] == ["themes.sync", "import", "cases.import"]


@pytest.mark.parametrize("args", [["--version"], ["--help"]])
def test_version_and_help(project_dir: Path, args: list[str]) -> None:
    assert CliRunner().invoke(main, args).exit_code == 0


def test_usage_per_coder_and_search_in_one_document(project) -> None:
    from framework.coding import actions as coding
    from framework.store.queries import search

    store = project.store
    doc = store.documents.get("dir_london")
    coding.add_coding(store, "alice", doc.id, "1.1", 0, 9)
    coding.add_coding(store, "bob", doc.id, "1.1", 10, 19)
    coding.add_coding(store, "bob", store.documents.get("ad_county").id, "1.1", 0, 5)
    assert store.themes.usage() == {"1.1": (3, 2)}
    assert store.themes.usage("alice") == {"1.1": (1, 1)}
    hits = search(store, "supervision", document_id=doc.id)
    assert [(h.document, h.line) for h in hits] == [("dir_london", 12)]


LONG = "assistant_director_county_council_authority_with_a_long_name"


def test_tables_fit_80_columns_and_wide_shows_everything(project_dir: Path) -> None:
    (project_dir / "transcripts" / f"{LONG}.txt").write_text("Interviewer: Hello?\n\nRespondent: Hello.\n",
                                                             encoding="utf-8")
    assert run(project_dir, "import", str(project_dir / "transcripts" / f"{LONG}.txt")).exit_code == 0
    assert run(project_dir, "--coder", "alice", "code", "add", LONG, "1.1", "--quote", "Hello.").exit_code == 0
    for command in (["docs"], ["cases"], ["themes"], ["--coder", "alice", "chart", "show", "--theme", "1"]):
        result = run(project_dir, *command)
        assert result.exit_code == 0, result.output
        lines = result.stdout.splitlines()
        assert max(len(line) for line in lines) <= 80, (command, lines)
    narrow = run(project_dir, "docs").stdout
    assert LONG not in narrow and "assistant_dir…" in narrow
    assert [line.split()[0] for line in narrow.splitlines()] == ["id", "1", "2", "3", "4"]
    wide = run(project_dir, "docs", "--wide").stdout
    assert f"{LONG}  {LONG}  transcript" in wide
    assert max(len(line) for line in wide.splitlines()) > 80
    assert LONG in run(project_dir, "--wide", "cases").stdout


def test_long_listings_stream_as_json_too(project_dir: Path) -> None:
    docs = json.loads(run(project_dir, "docs", "--json").stdout)
    assert [d["name"] for d in docs] == ["ad_county", "dir_london", "hos_met"]
    cases = json.loads(run(project_dir, "cases", "--json").stdout)
    assert cases[0] == {"id": cases[0]["id"], "name": "ad_county", "documents": 1, "attributes": {
        "role": "Assistant director", "service": "Adult services", "authority_type": "County council",
        "interviews": "2"}}
    assert json.loads(run(project_dir, "code", "list", "--json").stdout) == []
    assert run(project_dir, "code", "list").stdout == "id  coder  document  theme  span  quote\n"


def test_open_a_question_checks_it_first(project_dir: Path) -> None:
    none = run(project_dir, "open", "--question", "q1")
    assert none.exit_code == 1 and "no survey answers yet" in none.stderr
    data = Path(__file__).parent / "data" / "surveys" / "qualtrics.csv"
    assert run(project_dir, "import-survey", str(data)).exit_code == 0
    wrong = run(project_dir, "open", "--question", "q7")
    assert wrong.exit_code == 1 and "no question 'q7'. The questions are: q1 'How do you count" in wrong.stderr
    assert run(project_dir, "open").exit_code == 2
    assert run(project_dir, "open", "dir_london", "--question", "q1").exit_code == 2
