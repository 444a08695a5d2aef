"""The package tree follows the method and its imports only point down.

The contracts themselves are in ``pyproject.toml`` (``[tool.importlinter]``): layers from
the front ends down to the store, Textual only in ``framework/tui``, screens that reach
each other through the app, REFI-QDA reading and writing over one shared module, and no
import cycles inside a package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "framework"


def test_the_import_contracts_hold(capsys) -> None:
    lint = pytest.importorskip("importlinter.cli")
    status = lint.lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    report = capsys.readouterr().out
    assert status == 0, report
    assert "0 broken" in report


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _private_imports() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        here = _module_name(path)
        package = here if path.name == "__init__.py" else here.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if not source.startswith("framework") or source == here:
                continue
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} takes {alias.name} from {source}")
    return found


def test_no_module_takes_private_names_from_another() -> None:
    assert _private_imports() == []


def test_the_private_name_check_finds_one(tmp_path: Path, monkeypatch) -> None:
    """The check above can fail: a module that takes a private helper from a sibling is found."""
    fake = tmp_path / "framework"
    (fake / "stage").mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "stage" / "__init__.py").write_text("")
    (fake / "stage" / "a.py").write_text("def _helper():\n    return 1\n")
    (fake / "stage" / "b.py").write_text("from framework.stage.a import _helper\nfrom .a import _helper as h\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["x"]), "ROOT", tmp_path)
    monkeypatch.setattr(__import__(__name__, fromlist=["x"]), "PACKAGE", fake)
    assert _private_imports() == [
        "framework/stage/b.py:1 takes _helper from framework.stage.a",
        "framework/stage/b.py:2 takes _helper from framework.stage.a",
    ]


def test_every_folder_of_the_package_is_a_package() -> None:
    folders = [p for p in PACKAGE.rglob("*") if p.is_dir() and p.name != "__pycache__"]
    assert [str(p.relative_to(ROOT)) for p in folders if not (p / "__init__.py").exists()] == []


HEAVY = ("textual", "openpyxl", "docx", "lxml", "rapidfuzz", "rich", "yaml", "sqlite_utils", "numpy")


def _loaded_after(code: str) -> list[str]:
    import subprocess
    import sys

    probe = (f"{code}\nimport sys\n"
             f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return eval(done.stdout)  # a printed list of names


def test_the_command_line_loads_no_heavy_library_to_start() -> None:
    """A command starts quickly: the command line and every command's module load only click
    and what the command itself needs, inside the command (measured in bench/bench_startup.py)."""
    assert _loaded_after("import framework.cli") == []
    every = ("import framework.cli as c, click\n"
             "ctx = click.Context(c.main)\n"
             "[c.main.get_command(ctx, name) for name in c.main.list_commands(ctx)]")
    assert _loaded_after(every) == []


def test_the_import_probe_sees_a_heavy_library() -> None:
    assert _loaded_after("import framework.coding.anchoring, rapidfuzz") == ["rapidfuzz"]


START_UP_MODULES = {
    "framework", "framework.errors", "framework.paths", "framework.export", "framework.export.options",
    "framework.store", "framework.store.model", "framework.coding",
    "framework.coding.anchoring",  # standard library only: the quote-placing defaults that options show
}
"""What of the program the command line may load before a command runs."""


def test_listing_every_command_loads_none_of_the_core() -> None:
    """``framework --help`` loads every command's module; none of them may load the store or
    the core at the top (each does inside its command), or every command would start slower."""
    import subprocess
    import sys

    probe = ("import framework.cli as c, click, sys\n"
             "ctx = click.Context(c.main)\n"
             "[c.main.get_command(ctx, name) for name in c.main.list_commands(ctx)]\n"
             "print(sorted(m for m in sys.modules if m.startswith('framework')))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = eval(done.stdout)  # a printed list of names
    assert [m for m in loaded if m not in START_UP_MODULES and not m.startswith("framework.cli")] == []
