"""Who is coding: remembered per person, changed only on purpose, and said when it changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from framework.cli import main
from framework.coding.actions import check_coder
from framework.errors import InputError
from framework.project import open_project, os_user


def run(project_dir: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project_dir), *args])


def settings(project_dir: Path) -> dict:
    return json.loads((project_dir / ".framework" / "settings.json").read_text(encoding="utf-8"))


def coders_of_codings(project_dir: Path) -> list[str]:
    return sorted(c["coder"] for c in json.loads(run(project_dir, "code", "list", "--json").stdout))


def test_a_one_off_coder_does_not_change_who_is_remembered(project_dir: Path) -> None:
    first = run(project_dir, "coder", "use", "carol")
    assert first.exit_code == 0, first.output
    assert first.stdout == f"now coding as carol in this project (remembered for {os_user()})\n"
    assert settings(project_dir)["coders"] == {os_user(): "carol"}

    once = run(project_dir, "--coder", "alice", "code", "add", "dir_london", "1.1", "--quote", "vacancy rate")
    assert once.exit_code == 0, once.output
    assert once.stderr == ("note: coding as alice for this run only; you stay carol here "
                           "('framework coder use alice' switches for good).\n")
    assert coders_of_codings(project_dir) == ["alice"]

    assert run(project_dir, "coder", "use").stdout == f"you ({os_user()}) code as carol in this project\n"
    again = run(project_dir, "code", "add", "dir_london", "1.2", "--quote", "agency staff")
    assert again.exit_code == 0 and again.stderr == ""
    assert coders_of_codings(project_dir) == ["alice", "carol"]
    assert settings(project_dir)["coders"] == {os_user(): "carol"}


def test_the_first_coder_given_is_remembered_and_said(project_dir: Path) -> None:
    first = run(project_dir, "--coder", "alice", "code", "add", "dir_london", "1.1", "--quote", "vacancy rate")
    assert first.exit_code == 0, first.output
    assert "note: coding as alice (remembered for you in this project).\n" in first.stderr
    later = run(project_dir, "code", "add", "dir_london", "1.2", "--quote", "agency staff")
    assert later.exit_code == 0 and later.stderr == ""
    assert coders_of_codings(project_dir) == ["alice", "alice"]
    switched = run(project_dir, "coder", "use", "bob")
    assert switched.stdout == f"now coding (was alice) as bob in this project (remembered for {os_user()})\n"


def test_each_person_sharing_a_folder_keeps_their_own_coder(project_dir: Path, monkeypatch) -> None:
    project = open_project(project_dir)
    try:
        monkeypatch.setattr("framework.project.os_user", lambda: "ann")
        project.remember_coder("alice")
        monkeypatch.setattr("framework.project.os_user", lambda: "ben")
        assert project.coder is None
        project.remember_coder("bob")
        assert project.coder == "bob"
        monkeypatch.setattr("framework.project.os_user", lambda: "ann")
        assert project.coder == "alice"
        assert project.settings()["coders"] == {"ann": "alice", "ben": "bob"}
    finally:
        project.close()


def test_an_earlier_single_coder_setting_is_still_read(project_dir: Path) -> None:
    project = open_project(project_dir)
    try:
        project.save_setting("coder", "dana")
        assert project.coder == "dana"
        project.remember_coder("erin")
        assert project.coder == "erin"
        project.save_setting("coder", "import")
        project.save_setting("coders", {})
        assert project.coder is None  # a name the project acts under is never a person's
    finally:
        project.close()


@pytest.mark.parametrize("name", ["consensus", "import", "export", "doctor"])
def test_the_names_the_project_acts_under_are_not_coders(project_dir: Path, name: str) -> None:
    with pytest.raises(InputError, match=repr(name)):
        check_coder(name)
    assert check_coder(name, allow_consensus=True) == name  # still a layer to chart
    result = run(project_dir, "--coder", name, "docs")
    assert result.exit_code == 1 and f"{name!r}" in result.stderr
    assert run(project_dir, "coder", "use", name).exit_code == 1


def test_themes_sync_reports_one_result(project_dir: Path) -> None:
    first = run(project_dir, "themes", "sync")
    assert first.exit_code == 0, first.output
    assert first.stdout == "themes: 8 added\n"  # the first run loads them
    assert "themes" not in first.stderr
    themes = project_dir / "themes.yaml"
    text = themes.read_text(encoding="utf-8")
    themes.write_text(text.replace('  - id: "3"\n    label: Supervision\n',
                                   '  - id: "3"\n    label: Supervision\n  - id: "4"\n    label: Training\n'),
                      encoding="utf-8")
    second = run(project_dir, "themes", "sync")
    assert (second.exit_code, second.stdout, second.stderr) == (0, "themes: 1 added\n", "")
    third = run(project_dir, "themes", "sync")
    assert (third.exit_code, third.stdout, third.stderr) == (0, "themes: no change\n", "")


def test_themes_sync_with_archive_after_removing_a_used_theme(project_dir: Path) -> None:
    assert run(project_dir, "--coder", "alice", "code", "add", "dir_london", "3", "--quote", "Supervision").exit_code == 0
    themes = project_dir / "themes.yaml"
    themes.write_text(themes.read_text(encoding="utf-8").replace('  - id: "3"\n    label: Supervision\n', ""),
                      encoding="utf-8")
    refused = run(project_dir, "themes", "sync")
    assert refused.exit_code == 1 and refused.stdout == ""
    assert refused.stderr.count("still have codings") == 1
    archived = run(project_dir, "themes", "sync", "--archive")
    assert (archived.exit_code, archived.stdout) == (0, "themes: 1 archived\n")
    assert "themes.yaml" not in archived.stderr


def test_coder_lists_name_people_only(project_dir: Path) -> None:
    from framework.analysis.compare import coders_with_codings, project_agreement
    from framework.coding.actions import add_coding

    project = open_project(project_dir)
    try:
        store = project.store
        doc = store.documents.get("dir_london").id
        for coder in ("alice", "bob"):
            add_coding(store, coder, doc, "1.1", 0, 9)
        for system in ("consensus", "import"):  # an agreed coding, and one an older import made
            add_coding(store, system, doc, "1.1", 0, 9, allow_consensus=True)
        with store.write():
            store.ensure_coder("doctor")
        assert coders_with_codings(store) == ["alice", "bob"]
        with pytest.raises(InputError) as unknown:
            project_agreement(store, ["alice", "zoe"])
        assert str(unknown.value) == "no coder named 'zoe'; coders here: alice, bob."
    finally:
        project.close()
