"""The README's coding examples work on the sample project and code whole words."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from framework.cli import main
from framework.coding.anchoring import inside_word

ROOT = Path(__file__).resolve().parents[1]


def _readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    study = tmp_path / "sample"
    study.mkdir()
    for name in ("themes.yaml", "cases.csv"):
        shutil.copy(ROOT / name, study / name)
    shutil.copytree(ROOT / "transcripts", study / "transcripts")
    return study


def test_the_code_add_examples_code_whole_words(sample: Path) -> None:
    commands = [line.split("#")[0] for line in _readme().splitlines() if line.startswith("framework") and " code add " in line]
    assert len(commands) == 3
    runner = CliRunner()
    for command in commands:
        args = shlex.split(command)[1:]
        if "--coder" not in args:
            args = ["--coder", "alice", *args]
        result = runner.invoke(main, ["--project", str(sample), *args])
        assert result.exit_code == 0, (command, result.output)
    _assert_whole_words(runner, sample, 3)


def test_the_code_import_examples_code_whole_words(sample: Path) -> None:
    block = re.search(r"### Codings from scripts and spreadsheets.*?```json\n(.*?)```", _readme(), re.S).group(1)
    rows = [json.loads(line) for line in block.splitlines()]
    runner = CliRunner()
    result = runner.invoke(main, ["--project", str(sample), "--coder", "bob", "code", "import", "-"],
                           input="".join(json.dumps(r) + "\n" for r in rows))
    assert result.exit_code == 0, result.output
    assert "codings: 3 added" in result.stdout
    _assert_whole_words(runner, sample, 3)


def _assert_whole_words(runner: CliRunner, sample: Path, count: int) -> None:
    listed = json.loads(runner.invoke(main, ["--project", str(sample), "code", "list", "--json"]).stdout)
    assert len(listed) == count
    for coding in listed:
        text = json.loads(runner.invoke(main, ["--project", str(sample), "show", coding["document"], "--json"]).stdout)
        whole = "\n".join(line["text"] for line in text)
        assert whole[coding["start"]:coding["end"]] == coding["quote"]
        assert not inside_word(whole, coding["start"]) and not inside_word(whole, coding["end"]), coding["quote"]
