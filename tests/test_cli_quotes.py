"""Codings by quote from the command line: exact, fuzzy on whole words with a score, or refused."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from framework.cli import main

from .conftest import DIR_LONDON


def run(project_dir: Path, *args: str, input: str | bytes | None = None):
    return CliRunner().invoke(main, ["--project", str(project_dir), *args], input=input)


def codings(project_dir: Path) -> list[tuple[str, str, str, int, int]]:
    listed = json.loads(run(project_dir, "code", "list", "--json").stdout)
    return [(c["coder"], c["document"], c["theme"], c["start"], c["end"], c["quote"]) for c in listed]


def test_a_near_miss_is_coded_on_whole_words_and_said_to_be_fuzzy(project_dir: Path) -> None:
    result = run(project_dir, "--coder", "alice", "code", "add", "dir_london", "1.2", "--quote",
                 "We rely on staff — it’s costly")
    assert result.exit_code == 0, result.output
    start = DIR_LONDON.index("We rely on agency staff")
    assert result.stdout.splitlines() == [
        f"coding 1: dir_london [{start}:{start + len('We rely on agency staff — it’s costly')}] 1.2 (alice)",
        "placed by fuzzy match (score 89.6, the quote was not found as written): 'We rely on agency staff — it’s costly'",
    ]
    again = run(project_dir, "--coder", "alice", "code", "add", "dir_london", "1.1", "--quote",
                "vacancy rate of about 20 per cent", "--json")
    assert json.loads(again.stdout)["placed"] == {"method": "exact", "score": 100.0}


def test_a_quote_below_min_score_is_refused_naming_the_closest_passage(project_dir: Path) -> None:
    result = run(project_dir, "--coder", "alice", "code", "add", "dir_london", "1.2", "--quote",
                 "We rely on staff — it’s costly", "--min-score", "95")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "framework: quote not found in dir_london: nothing scored 95 or more (the closest passage, line 5, "
        "scores 89.6: 'We rely on agency staff — it’s costly'). Check the quote 'We rely on staff — it’s costly' "
        "or lower --min-score."
    )
    assert codings(project_dir) == []


def test_a_repeated_quote_is_refused_unless_occurrence_or_line_picks_one(project_dir: Path) -> None:
    refused = run(project_dir, "--coder", "alice", "code", "add", "dir_london", "3", "--quote", "it’s")
    assert refused.exit_code == 1
    assert refused.stderr.splitlines()[-1] == (
        "framework: quote found 2 times in dir_london (lines 5, 12): 'it’s'; choose one with --occurrence N or "
        "--line L.")
    second = DIR_LONDON.index("it’s protected")
    assert run(project_dir, "--coder", "alice", "code", "add", "dir_london", "3", "--quote", "it’s",
               "--occurrence", "2").exit_code == 0
    assert run(project_dir, "--coder", "bob", "code", "add", "dir_london", "3", "--quote", "it’s",
               "--line", "12").exit_code == 0
    wrong = run(project_dir, "--coder", "bob", "code", "add", "dir_london", "3", "--quote", "it’s", "--line", "7")
    assert wrong.exit_code == 1
    assert wrong.stderr.splitlines()[-1] == (
        "framework: quote not found on line 7 of dir_london; it is found on lines 5, 12: 'it’s'.")
    assert codings(project_dir) == [("alice", "dir_london", "3", second, second + 4, "it’s"),
                                    ("bob", "dir_london", "3", second, second + 4, "it’s")]
    assert run(project_dir, "code", "add", "dir_london", "3", "--start", "0", "--end", "2",
               "--line", "7").exit_code == 2


def test_code_add_help_points_to_code_import_from_stdin(project_dir: Path) -> None:
    text = " ".join(run(project_dir, "code", "add", "--help").stdout.split())
    assert "pipe them to 'framework code import -' as JSON Lines" in text


def test_code_import_lists_every_bad_row_json_errors_included(project_dir: Path, tmp_path: Path) -> None:
    lines = [
        json.dumps({"document": "dir_london", "theme": "1.1", "quote": "vacancy rate of about 20 per cent"}),
        '{"document": "dir_london", "theme": "1.2", "quote": "agency staff"',
        json.dumps({"document": "dir_london", "theme": "3", "quote": "it’s"}),
        "[1, 2]",
        json.dumps({"document": "dir_london", "theme": "3", "quote": "it’s", "line": 12}),
        json.dumps({"document": "dir_london", "theme": "2.1", "quote": "Caseloads are around 22 for a worker"}),
    ]
    path = tmp_path / "codes.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    bad = run(project_dir, "--coder", "bob", "code", "import", str(path))
    assert bad.exit_code == 1
    assert bad.stderr.splitlines()[-4:] == [
        "framework: 3 problems (nothing was imported; fix them or use --skip-bad):",
        f"  {path}: line 2 is not valid JSON (Expecting ',' delimiter at column 67). Each line must be one JSON "
        "object; fix the line and import again.",
        f"  {path}: line 3: quote found 2 times in dir_london (lines 5, 12): 'it’s'; choose one with an "
        '"occurrence" (1, 2, ...) or "line" column.',
        f"  {path}: line 4 is a JSON list, not an object. Each line must be one JSON object such as "
        '{"document": "int01", "theme": "1.2"}.',
    ]
    assert codings(project_dir) == []
    good = run(project_dir, "--coder", "bob", "code", "import", str(path), "--skip-bad")
    assert good.exit_code == 0
    assert good.stdout.splitlines() == [
        "codings: 3 added (1 quotes placed by fuzzy match, listed below); 3 rows skipped",
        f"  {path}: line 6: placed by fuzzy match (score 87.8) in dir_london line 9: "
        "'Caseloads are around 22 for a full-time worker'",
    ]
    assert len(good.stderr.splitlines()) == 3


def test_code_import_reads_json_lines_from_standard_input(project_dir: Path) -> None:
    rows = "".join(json.dumps({"document": "dir_london", "theme": t, "quote": q}) + "\n" for t, q in [
        ("1.1", "vacancy rate of about 20 per cent"), ("1.2", "We rely on agency staff")])
    result = run(project_dir, "--coder", "carol", "code", "import", "-", input=rows)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "codings: 2 added"
    assert [c[-1] for c in codings(project_dir)] == ["vacancy rate of about 20 per cent", "We rely on agency staff"]
    csv = run(project_dir, "--coder", "carol", "code", "import", "-", "--format", "csv",
              input="document,theme,quote\nhos_met,4,grow our own\n")
    assert csv.exit_code == 1 and "stdin: row 2: theme '4' is not in the framework." in csv.stderr


def test_a_lower_case_theme_id_gets_the_right_suggestion(project_dir: Path) -> None:
    themes = project_dir / "themes.yaml"
    themes.write_text(themes.read_text(encoding="utf-8") + '  - id: "R.1"\n    label: Retention\n', encoding="utf-8")
    result = run(project_dir, "--coder", "alice", "code", "add", "dir_london", "r.1", "--start", "0", "--end", "9")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith("framework: no theme with id 'r.1'. Did you mean 'R.1'?")


def test_changing_a_coding_onto_an_identical_one_prints_one_line_and_changes_nothing(project_dir: Path) -> None:
    for theme in ("1.1", "1.2"):
        assert run(project_dir, "--coder", "alice", "code", "add", "dir_london", theme, "--quote",
                   "vacancy rate of about 20 per cent").exit_code == 0
    refused = run(project_dir, "--coder", "alice", "code", "change", "2", "--theme", "1.1")
    assert refused.exit_code == 1
    assert refused.stderr.strip().splitlines() == [refused.stderr.strip()]
    assert "alice has already coded this passage" in refused.stderr
    assert "with theme '1.1' (coding 1); nothing was changed." in refused.stderr
    log = json.loads(run(project_dir, "log", "--json").stdout)
    assert [a["kind"] for a in log if a["kind"].startswith("coding.")] == ["coding.add", "coding.add"]


def test_removing_or_changing_another_coders_coding_needs_as_owner(project_dir: Path) -> None:
    assert run(project_dir, "--coder", "bob", "code", "add", "dir_london", "1.1", "--quote",
               "vacancy rate of about 20 per cent").exit_code == 0
    refused = run(project_dir, "--coder", "alice", "code", "remove", "1")
    assert refused.exit_code == 1
    assert "coding 1 is bob's (dir_london, 1.1); you can remove only your own codings. To remove it anyway, " \
           "add --as-owner" in refused.stderr
    assert run(project_dir, "--coder", "alice", "code", "change", "1", "--theme", "1.2").exit_code == 1
    changed = run(project_dir, "--coder", "alice", "code", "change", "1", "--theme", "1.2", "--as-owner")
    assert changed.exit_code == 0 and changed.stdout.strip().endswith("1.2 (bob)")
    removed = run(project_dir, "--coder", "alice", "code", "remove", "1", "--as-owner")
    assert removed.stdout.strip() == "removed coding 1 (dir_london, 1.2, bob's)"
    log = json.loads(run(project_dir, "log", "--json").stdout)
    assert [(a["coder"], a["kind"], a["payload"].get("owner")) for a in log if a["kind"].startswith("coding.")] == [
        ("bob", "coding.add", None), ("alice", "coding.update", "bob"), ("alice", "coding.remove", "bob")]


def test_a_quote_found_as_written_inside_words_is_coded_and_said_so(project_dir: Path) -> None:
    added = run(project_dir, "--coder", "alice", "code", "add", "dir_london", "1.1", "--quote", "vacancy rat")
    assert added.exit_code == 0
    assert added.stderr.splitlines()[-1] == (
        "note: the passage begins or ends inside a word; widen it with 'code change' if that was not meant.")
    row = json.dumps({"document": "dir_london", "theme": "1.2", "quote": "ely on agen"})
    imported = run(project_dir, "--coder", "alice", "code", "import", "-", input=row + "\n")
    assert imported.stdout.splitlines() == [
        "codings: 1 added (1 quotes cut inside words, listed below)",
        "  stdin: line 1: found as written, but it begins or ends inside a word, in dir_london line 5: "
        "'rely on agency'",
    ]


def test_code_import_reads_column_names_whatever_their_capitals(project_dir: Path, tmp_path: Path) -> None:
    table = tmp_path / "codes.csv"
    table.write_text("CASE_ID,Theme,Quote,MEMO\ndir_london,1.1,vacancy rate of about 20 per cent,rate\n"
                     "dir_london,1.2,We rely on agency staff,\n", encoding="utf-8")
    result = run(project_dir, "--coder", "carol", "code", "import", str(table))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "codings: 2 added"
    assert [c[-1] for c in codings(project_dir)] == ["vacancy rate of about 20 per cent", "We rely on agency staff"]
    lines = tmp_path / "codes.jsonl"
    lines.write_text(json.dumps({"Document": "hos_met", "Theme_ID": "1", "Quote": "We grow our own"}) + "\n", encoding="utf-8")
    assert run(project_dir, "--coder", "carol", "code", "import", str(lines)).stdout.strip() == "codings: 1 added"
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("transcript,code_label,passage\ndir_london,Vacancies,vacancy rate\n", encoding="utf-8")
    refused = run(project_dir, "--coder", "carol", "code", "import", str(wrong))
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"framework: {wrong}: the first row must name the columns: document (or case), theme, and start and end "
        "or quote; memo, occurrence and line may follow (any capitals: Document, CASE_ID). Found 'transcript', "
        "'code_label', 'passage'.\n")


def test_quotes_name_the_case_once_and_nest_quotation_marks(project_dir: Path, tmp_path: Path) -> None:
    from docx import Document

    (project_dir / "transcripts" / "sm_unitary.txt").write_text(
        'Interviewer: And the inspection?\n\nRespondent: They told us “sort it out” and we said "no, '
        'not like that" to them.\n', encoding="utf-8")
    coded = run(project_dir, "--coder", "alice", "code", "add", "sm_unitary", "3", "--quote",
                'They told us “sort it out” and we said "no, not like that" to them.')
    assert coded.exit_code == 0, coded.output
    result = run(project_dir, "--coder", "alice", "quotes", "--theme", "3", "--out", str(tmp_path / "q.md"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "q.md").read_text(encoding="utf-8").splitlines()[2:] == [
        "## 3 Supervision",
        "",
        "> “They told us ‘sort it out’ and we said ‘no, not like that’ to them.”",
        ">",
        "> [sm_unitary L3]",  # the default attribution is the case, which the reference names already
    ]
    none = run(project_dir, "--coder", "alice", "quotes", "--theme", "3", "--refs", "none",
               "--out", str(tmp_path / "none.md"))
    assert none.exit_code == 0, none.output
    assert (tmp_path / "none.md").read_text(encoding="utf-8").splitlines()[-1] == "> [sm_unitary]"
    patterned = run(project_dir, "--coder", "alice", "quotes", "--theme", "3", "--pattern", "({case})",
                    "--out", str(tmp_path / "q.docx"))
    assert patterned.exit_code == 0, patterned.output
    paragraphs = [p.text for p in Document(str(tmp_path / "q.docx")).paragraphs]
    assert paragraphs[-1] == ("“They told us ‘sort it out’ and we said ‘no, not like that’ to them.” (sm_unitary) "
                              "[sm_unitary L3]")
