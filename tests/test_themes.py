"""themes.yaml: reading with line-numbered problems, adding themes in place, codebooks."""

from __future__ import annotations

import csv
import io
import time
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framework.errors import InputError
from framework.themes import edit as themes_module
from framework.themes.codebook import read_codebook_csv, write_codebook_csv, write_codebook_markdown
from framework.themes.edit import add_theme_to_file, theme_file_text
from framework.themes.model import (
    MAX_FILE_BYTES,
    PALETTE,
    FlatTheme,
    Problem,
    ThemeFile,
    ThemeSpec,
    colour_hex,
    iter_themes,
)
from framework.themes.validate import check_themes, load_themes, parse_themes_text

DATA = Path(__file__).parent / "data" / "themes"
NESTED = DATA / "nested.yaml"
CORPUS_THEMES = Path(__file__).resolve().parents[2] / "shared" / "data" / "corpus" / "framework_themes.yaml"


def write(tmp_path: Path, text: str, name: str = "themes.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def problems_of(tmp_path: Path, text: str) -> list[Problem]:
    themes, problems = check_themes(write(tmp_path, text))
    assert themes is None
    assert problems
    return problems


def without_lines(specs) -> tuple[ThemeSpec, ...]:
    return tuple(replace(s, line=0, children=without_lines(s.children)) for s in specs)


# --------------------------------------------------------------------------------------------
# Reading a valid file


def test_nested_file_gives_exact_flat_list():
    tf = load_themes(NESTED)
    assert tf.name == "Social work workload study"
    rows = [(r.id, r.parent_id, r.position, r.depth, r.colour, r.path) for r in tf.flat()]
    assert rows == [
        ("5", None, 0, 0, "#4e79a7", ("Practice issues",)),
        ("5.4", "5", 1, 1, "#4e79a7", ("Practice issues", "Workload management and case allocation")),
        ("5.4.1", "5.4", 2, 2, "#008080",
         ("Practice issues", "Workload management and case allocation", "Weighting tools")),
        ("5.10", "5", 3, 1, "#4e79a7", ("Practice issues", "Supervision")),
        ("6", None, 4, 0, PALETTE[0], ("Scope for preventative work",)),
        ("6.1", "6", 5, 1, PALETTE[0], ("Scope for preventative work", "Adult services")),
        ("7", None, 6, 0, "#aabbcc", ("Entry into the profession",)),
        ("8", None, 7, 0, PALETTE[1], ("Training",)),
    ]
    first = tf.flat()[1]
    assert first == FlatTheme(
        id="5.4", parent_id="5", label="Workload management and case allocation",
        description="How work is weighed, allocated and monitored", include="", exclude="",
        colour="#4e79a7", position=1, depth=1,
        path=("Practice issues", "Workload management and case allocation"),
    )
    supervision = tf.find("5.10")
    assert supervision is not None
    assert supervision.include == "Regular one-to-one supervision.\n"
    assert supervision.line == 17
    assert tf.find("5.4.1").colour == "teal"  # as written; the flat row has the hex value
    assert tf.find("nope") is None
    assert [s.line for s in iter_themes(tf.themes)] == [6, 10, 14, 17, 22, 25, 27, 30]


def test_numeric_ids_keep_the_text_written():
    text = 'themes:\n  - id: 5.10\n    label: A\n  - id: 5.1\n    label: B\n  - id: 007\n    label: C\n'
    tf, problems = parse_themes_text(text, Path("t.yaml"))
    assert problems == []
    assert [s.id for s in tf.themes] == ["5.10", "5.1", "007"]


def test_palette_skips_colours_already_used_at_top_level():
    text = ('themes:\n  - id: a\n    label: A\n    colour: "#E69F00"\n'
            '  - id: b\n    label: B\n  - id: c\n    label: C\n')
    tf, _ = parse_themes_text(text, Path("t.yaml"))
    assert [r.colour for r in tf.flat()] == ["#e69f00", PALETTE[1], PALETTE[2]]


def test_palette_cycles_when_there_are_more_themes_than_colours():
    specs = [ThemeSpec(str(i), f"T{i}") for i in range(len(PALETTE) + 2)]
    colours = [r.colour for r in ThemeFile(Path("x"), None, tuple(specs)).flat()]
    assert colours == list(PALETTE) + list(PALETTE[:2])


def test_empty_theme_lists_are_allowed():
    for text in ("themes: []\n", "themes:\n", "name: x\nthemes: ~\n",
                 "themes:\n  - id: a\n    label: A\n    children: []\n"):
        tf, problems = parse_themes_text(text, Path("t.yaml"))
        assert problems == [], text
    assert parse_themes_text("themes:\n", Path("t.yaml"))[0].themes == ()


def test_colour_forms():
    assert colour_hex("#ABC") == "#aabbcc"
    assert colour_hex(" #4E79A7 ") == "#4e79a7"
    assert colour_hex("Teal") == "#008080"
    assert colour_hex("rebeccapurple") == "#663399"
    for bad in ("#abcd", "4e79a7", "blu", "rgb(1,2,3)", "", None, "transparent", "ansi_red"):
        assert colour_hex(bad) is None


@pytest.mark.skipif(not CORPUS_THEMES.exists(), reason="shared corpus not present")
def test_real_framework_loads(tmp_path):
    tf = load_themes(CORPUS_THEMES)
    assert [s.id for s in tf.themes] == ["4", "5", "6", "7", "8", "9"]
    assert tf.find("5.4").label == "Workload management and case allocation"
    ids = [r.id for r in tf.flat()]
    assert len(ids) == len(set(ids)) == 24
    # adding to a copy keeps every other byte
    copy = write(tmp_path, CORPUS_THEMES.read_text(encoding="utf-8"))
    before = copy.read_text(encoding="utf-8")
    add_theme_to_file(copy, ThemeSpec("5.10", "Out-of-hours work"), "5")
    after = copy.read_text(encoding="utf-8")
    block = '      - id: "5.10"\n        label: "Out-of-hours work"\n'
    anchor = '        description: "What managers said about closing cases"\n'
    assert after == before.replace(anchor, anchor + block)
    assert [c.id for c in load_themes(copy).find("5").children][-1] == "5.10"


# --------------------------------------------------------------------------------------------
# Problems, each with its line


PROBLEM_CASES = [
    pytest.param("themes:\n  - id: a\n    label: [unclosed\n", 4, "YAML syntax error", id="syntax"),
    pytest.param("themes:\n  - id: a\n\tlabel: A\n", 3, "spaces, not tabs", id="tab"),
    pytest.param("- id: a\n  label: A\n", 1, "top level must be a mapping", id="top-list"),
    pytest.param("name: x\n", 1, "no `themes:` key", id="themes-missing"),
    pytest.param("themes:\n  id: a\n", 2, "`themes` must be a list", id="themes-mapping"),
    pytest.param("themes: Practice\n", 1, "`themes` must be a list", id="themes-text"),
    pytest.param("themes:\n  - Practice issues\n", 2, "each theme must be a mapping", id="theme-text"),
    pytest.param("themes:\n  - label: A\n", 2, "has no id", id="id-missing"),
    pytest.param("themes:\n  - id:\n    label: A\n", 2, "the id is empty", id="id-empty"),
    pytest.param('themes:\n  - id: ""\n    label: A\n', 2, "the id is empty", id="id-empty-quoted"),
    pytest.param("themes:\n  - id: a\n", 2, 'theme "a" has no label', id="label-missing"),
    pytest.param("themes:\n  - id: a\n    label: ''\n", 3, 'label in theme "a" is empty', id="label-empty"),
    pytest.param("themes:\n  - id: a\n    label: A\n  - id: b\n    label: B\n  - id: a\n    label: C\n",
                 6, 'duplicate id "a": line 2 uses it too', id="duplicate-id"),
    pytest.param("themes:\n  - id: a\n    label: A\n    children:\n      - id: a\n        label: B\n",
                 5, 'duplicate id "a": line 2', id="duplicate-id-nested"),
    pytest.param("themes:\n  - id: a\n    label: A\n    color: red\n", 4,
                 'unknown key "color" in theme "a"; did you mean "colour"? allowed keys are id, label',
                 id="unknown-key-color"),
    pytest.param("themes:\n  - id: a\n    lable: A\n", 3, 'did you mean "label"?', id="unknown-key-typo"),
    pytest.param("title: x\nthemes: []\n", 1, 'unknown key "title" at the top level; did you mean "name"?',
                 id="unknown-top-key"),
    pytest.param("themes:\n  - id: a\n    label: A\n    label: B\n", 4,
                 'key "label" appears twice in theme "a" (lines 3 and 4)', id="duplicate-key"),
    pytest.param('themes:\n  - id: a\n    label: A\n    colour: "blu"\n', 4,
                 'colour "blu" is not a colour', id="colour-bad"),
    pytest.param('themes:\n  - id: a\n    label: A\n    colour: "#abcd"\n', 4,
                 'colour "#abcd" is not a colour', id="colour-bad-hex"),
    pytest.param("themes:\n  - id: a\n    label: A\n    colour: #4e79a7\n", 4,
                 'a value starting with "#" must be in quotes', id="colour-unquoted-hash"),
    pytest.param("themes:\n  - id: a\n    label: A\n    colour:\n", 4, "colour in theme \"a\" is empty",
                 id="colour-empty"),
    pytest.param("themes:\n  - id: [a, b]\n    label: A\n", 2, "the id must be a single value", id="id-list"),
    pytest.param("themes:\n  - id: yes\n    label: A\n", 2, 'read as true/false; put it in quotes: id: "yes"',
                 id="id-bool"),
    pytest.param("themes:\n  - id: 2020-01-01\n    label: A\n", 2, "read as a date", id="id-date"),
    pytest.param('themes:\n  - id: "5/4"\n    label: A\n', 2, 'the id "5/4" contains "/"', id="id-slash"),
    pytest.param('themes:\n  - id: " 5.4"\n    label: A\n', 2, "spaces at the start or end", id="id-spaces"),
    pytest.param('themes:\n  - id: "a\\nb"\n    label: A\n', 2, 'contains "\\n"', id="id-newline"),
    pytest.param("themes:\n  - id: a\n    label: A\n    children:\n      id: b\n", 5,
                 '`children` in theme "a" must be a list', id="children-mapping"),
    pytest.param("themes:\n  - id: a\n    label: A\n    children: b\n", 4,
                 '`children` in theme "a" must be a list', id="children-text"),
    pytest.param("themes:\n  - id: a\n    label: A\n    description:\n      - one\n", 5,
                 'the description in theme "a" must be text, not a list', id="description-list"),
    pytest.param("themes:\n  - id: a\n    label: {x: 1}\n", 3, "must be text, not a mapping", id="label-mapping"),
    pytest.param("name: [a]\nthemes: []\n", 1, "name of the framework must be text", id="name-list"),
    pytest.param("themes:\n  - id: a\n    label: !foo A\n", 3, "unsupported YAML tag !foo", id="local-tag"),
    pytest.param("a: &x 1\nthemes: *x\n", 2, "alias *x is not supported", id="alias"),
    pytest.param("themes: []\n---\nthemes: []\n", 2, "keep one document", id="two-documents"),
    pytest.param("", None, "the file is empty", id="empty"),
    pytest.param("# just a comment\n", None, "the file is empty", id="comment-only"),
    pytest.param("themes: []\nx: \x07\n", 2, "U+0007 is not allowed", id="control-character"),
]


@pytest.mark.parametrize(("text", "line", "fragment"), PROBLEM_CASES)
def test_each_problem_has_its_line(tmp_path, text, line, fragment):
    problems = problems_of(tmp_path, text)
    assert any(p.line == line and fragment in p.message for p in problems), problems
    assert all(str(p).startswith(f"{tmp_path / 'themes.yaml'}:") for p in problems)


def test_all_problems_are_collected_at_once(tmp_path):
    text = (
        "themes:\n"
        "  - id: a\n"             # 2
        "    label: A\n"
        "    color: red\n"        # 4 unknown key
        "  - id: a\n"             # 5 duplicate
        "    label: B\n"
        "  - id: c\n"             # 7 no label
        "    colour: '#12'\n"     # 8 bad colour
    )
    problems = problems_of(tmp_path, text)
    assert [p.line for p in problems] == [4, 5, 7, 8]
    with pytest.raises(InputError) as raised:
        load_themes(tmp_path / "themes.yaml")
    message = str(raised.value)
    assert "has 4 problems" in message
    for p in problems:
        assert str(p) in message


YAMLISH = st.text(st.sampled_from(list("themsidlabcorun:-[]{}#&*!|>'\"\n\t ,?~.5")), max_size=120)


@settings(max_examples=300, deadline=None)
@given(st.one_of(YAMLISH, st.text(max_size=60)))
def test_checking_never_raises(text):
    themes, problems = parse_themes_text(text, Path("t.yaml"))
    assert (themes is None) == bool(problems)
    assert all(isinstance(p, Problem) for p in problems)


def test_problem_text_names_file_and_line():
    assert str(Problem(Path("t.yaml"), 3, "bad")) == "t.yaml:3: bad"
    assert str(Problem(Path("t.yaml"), None, "bad")) == "t.yaml: bad"


def test_python_tags_are_reported_not_run(tmp_path):
    marker = tmp_path / "ran"
    text = (
        "themes:\n"
        "  - id: a\n"
        f"    label: !!python/object/apply:os.system ['touch {marker}']\n"
        "  - !!python/object:framework.themes.ThemeSpec {id: b, label: B}\n"
    )
    problems = problems_of(tmp_path, text)
    assert not marker.exists()
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (3, "unsupported YAML tag !!python/object/apply"),
        (4, "unsupported YAML tag !!python/object"),
    ]


def test_alias_bombs_are_not_expanded(tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines.append("themes: *i")
    started = time.perf_counter()
    problems = problems_of(tmp_path, "\n".join(lines) + "\n")
    assert time.perf_counter() - started < 5
    assert sum("alias" in p.message for p in problems) == 8 * 9 + 1


def test_too_large_file_is_refused_unread(tmp_path):
    path = tmp_path / "themes.yaml"
    path.write_bytes(b"themes: []\n" + b"#" * MAX_FILE_BYTES)
    themes, problems = check_themes(path)
    assert themes is None
    assert len(problems) == 1 and "file too large" in problems[0].message


def test_deep_nesting_is_a_problem_not_a_crash(tmp_path):
    problems = problems_of(tmp_path, "themes: " + "[" * 5000 + "]" * 5000 + "\n")
    assert "nested too deeply" in problems[0].message


def test_missing_file_undecodable_file_and_folder(tmp_path):
    _, problems = check_themes(tmp_path / "absent.yaml")
    assert problems[0].line is None and "file not found" in problems[0].message
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes(b"themes:\n  - id: a\n    label: caf\xe9\n")
    _, problems = check_themes(bad)
    assert problems[0].line == 3 and "not UTF-8" in problems[0].message
    _, problems = check_themes(tmp_path)
    assert "folder" in problems[0].message
    with pytest.raises(InputError, match="file not found"):
        load_themes(tmp_path / "absent.yaml")


def test_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "themes.yaml"
    path.write_bytes(b"\xef\xbb\xbfthemes:\n  - id: a\n    label: A\n")
    assert load_themes(path).themes[0].line == 2


# --------------------------------------------------------------------------------------------
# Adding a theme without disturbing the file


def add(tmp_path, text, spec, parent_id, name="themes.yaml") -> str:
    path = write(tmp_path, text, name)
    add_theme_to_file(path, spec, parent_id)
    return path.read_bytes().decode("utf-8")


def test_add_top_level_theme_keeps_everything_else(tmp_path):
    before = NESTED.read_text(encoding="utf-8")
    after = add(tmp_path, before, ThemeSpec("9", 'Pay "and" conditions', colour="#d55e00"), None)
    anchor = '  - id: "8"\n    label: Training\n'
    block = '  - id: "9"\n    label: "Pay \\"and\\" conditions"\n    colour: "#d55e00"\n'
    assert after == before.replace(anchor, anchor + block)
    tf = load_themes(tmp_path / "themes.yaml")
    assert tf.find("9").label == 'Pay "and" conditions'


def test_add_child_of_a_leaf_adds_children_key(tmp_path):
    before = NESTED.read_text(encoding="utf-8")
    after = add(tmp_path, before, ThemeSpec("6.1.1", "Reablement"), "6.1")
    anchor = '        label: "Adult services"\n'
    block = '        children:\n          - id: "6.1.1"\n            label: "Reablement"\n'
    assert after == before.replace(anchor, anchor + block)


def test_add_child_of_a_leaf_ending_in_a_block_scalar(tmp_path):
    before = NESTED.read_text(encoding="utf-8")
    after = add(tmp_path, before, ThemeSpec("5.10.1", "Group supervision"), "5.10")
    anchor = "          Regular one-to-one supervision.\n\n"
    block = '        children:\n          - id: "5.10.1"\n            label: "Group supervision"\n'
    assert after == before.replace(anchor, anchor + block)
    assert load_themes(tmp_path / "themes.yaml").find("5.10").include == "Regular one-to-one supervision.\n"


def test_add_child_of_a_theme_with_children(tmp_path):
    before = NESTED.read_text(encoding="utf-8")
    after = add(tmp_path, before, ThemeSpec("5.4.2", "Caseload caps", description="Limits\nper worker"), "5.4")
    anchor = "            colour: teal   # a colour name\n"
    block = ('          - id: "5.4.2"\n            label: "Caseload caps"\n'
             "            description: |-\n              Limits\n              per worker\n")
    assert after == before.replace(anchor, anchor + block)
    assert load_themes(tmp_path / "themes.yaml").find("5.4.2").description == "Limits\nper worker"


def test_add_theme_with_its_own_children(tmp_path):
    before = NESTED.read_text(encoding="utf-8")
    spec = ThemeSpec("10", "Pay", children=(ThemeSpec("10.1", "Bands", include="Grades"),))
    after = add(tmp_path, before, spec, "5")
    block = ('      - id: "10"\n        label: "Pay"\n        children:\n'
             '          - id: "10.1"\n            label: "Bands"\n            include: "Grades"\n')
    anchor = "          Regular one-to-one supervision.\n\n"
    assert after == before.replace(anchor, anchor + block)


def test_add_follows_the_files_own_indentation(tmp_path):
    before = "themes:\n- id: a\n  label: A\n  children:\n  -   id: a1\n      label: A1\n"
    after = add(tmp_path, before, ThemeSpec("b", "B"), None)
    assert after == before + '- id: "b"\n  label: "B"\n'
    after = add(tmp_path, before, ThemeSpec("a2", "A2"), "a")
    assert after == before + '  -   id: "a2"\n      label: "A2"\n'


def test_add_to_empty_lists(tmp_path):
    text = theme_file_text("Study", [])
    after = add(tmp_path, text, ThemeSpec("1", "One"), None)
    assert after == text.replace("themes: []\n", 'themes:\n  - id: "1"\n    label: "One"\n')
    after = add(tmp_path, "themes:   # none yet\n", ThemeSpec("1", "One"), None)
    assert after == 'themes:   # none yet\n  - id: "1"\n    label: "One"\n'
    after = add(tmp_path, "themes: ~\n", ThemeSpec("1", "One"), None)
    assert after == 'themes:\n  - id: "1"\n    label: "One"\n'
    before = "themes:\n  - id: a\n    label: A\n    children: []  # later\n  - id: b\n    label: B\n"
    after = add(tmp_path, before, ThemeSpec("a1", "A1"), "a")
    assert after == before.replace(
        "    children: []  # later\n",
        '    children:   # later\n      - id: "a1"\n        label: "A1"\n')


def test_add_to_flow_style_file(tmp_path):
    before = "themes: [{id: a, label: A, children: []}, {id: b, label: B}]  # compact\n"
    after = add(tmp_path, before, ThemeSpec("a1", "A1"), "a")
    assert after == 'themes: [{id: a, label: A, children: [{id: "a1", label: "A1"}]}, {id: b, label: B}]  # compact\n'
    after = add(tmp_path, before, ThemeSpec("b1", "B1"), "b")
    assert after == ('themes: [{id: a, label: A, children: []}, {id: b, label: B, '
                     'children: [{id: "b1", label: "B1"}]}]  # compact\n')
    after = add(tmp_path, before, ThemeSpec("c", "C", colour="teal"), None)
    assert after == ('themes: [{id: a, label: A, children: []}, {id: b, label: B}, '
                     '{id: "c", label: "C", colour: "teal"}]  # compact\n')
    tf = load_themes(tmp_path / "themes.yaml")
    assert [s.id for s in tf.themes] == ["a", "b", "c"]


def test_add_keeps_crlf_and_byte_order_mark(tmp_path):
    path = tmp_path / "themes.yaml"
    path.write_bytes(b"\xef\xbb\xbfthemes:\r\n  - id: a\r\n    label: A\r\n")
    add_theme_to_file(path, ThemeSpec("b", "B"), None)
    assert path.read_bytes() == (b"\xef\xbb\xbfthemes:\r\n  - id: a\r\n    label: A\r\n"
                                 b'  - id: "b"\r\n    label: "B"\r\n')


def test_add_to_file_without_final_newline(tmp_path):
    after = add(tmp_path, "themes:\n  - id: a\n    label: A  # last", ThemeSpec("b", "B"), None)
    assert after == 'themes:\n  - id: a\n    label: A  # last\n  - id: "b"\n    label: "B"\n'


@pytest.mark.parametrize(("spec", "parent", "fragment"), [
    (ThemeSpec("5.4", "Again"), None, 'the id "5.4" is already used at line 10'),
    (ThemeSpec("9", "Nine"), "99", 'there is no theme with id "99"'),
    (ThemeSpec("9/1", "Nine"), None, 'the id "9/1" contains "/"'),
    (ThemeSpec("9", "  "), None, 'the label of "9" is empty'),
    (ThemeSpec("9", "Nine", colour="bleu"), None, 'colour "bleu" is not a colour'),
    (ThemeSpec("9", "Nine", children=(ThemeSpec("6.1", "Taken"),)), None, 'the id "6.1" is already used'),
    (ThemeSpec("9", "Nine", children=(ThemeSpec("9", "Twice"),)), None, 'the id "9" is given twice'),
])
def test_add_refuses_bad_requests_and_leaves_file_alone(tmp_path, spec, parent, fragment):
    path = write(tmp_path, NESTED.read_text(encoding="utf-8"))
    before = path.read_bytes()
    with pytest.raises(InputError, match="cannot add theme") as raised:
        add_theme_to_file(path, spec, parent)
    assert fragment in str(raised.value)
    assert path.read_bytes() == before


def test_add_refuses_a_file_with_problems(tmp_path):
    path = write(tmp_path, "themes:\n  - id: a\n")
    with pytest.raises(InputError, match="Fix them before adding a theme") as raised:
        add_theme_to_file(path, ThemeSpec("b", "B"), None)
    assert f"{path}:2:" in str(raised.value)


def test_add_checks_the_result_before_writing(tmp_path, monkeypatch):
    path = write(tmp_path, NESTED.read_text(encoding="utf-8"))
    before = path.read_bytes()
    monkeypatch.setattr(themes_module, "_insert", lambda text, *args: text.replace("Training", "Trained"))
    with pytest.raises(InputError, match="add it by hand"):
        add_theme_to_file(path, ThemeSpec("9", "Nine"), None)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["themes.yaml"]  # no temporary file left


# --------------------------------------------------------------------------------------------
# Rendering a whole file


def test_theme_file_text_layout():
    spec = ThemeSpec("5", "Practice: issues", description="Line one\nline two\n", colour="#4e79a7",
                     children=(ThemeSpec("5.4", "Workload", exclude="  padded"),))
    assert theme_file_text("Study", [spec]) == (
        "# Thematic framework. Each theme has an id and a label, and may have a description,\n"
        "# include and exclude notes, a colour (\"#rrggbb\" or a name such as \"teal\") and\n"
        "# children (its subthemes, nested the same way).\n"
        'name: "Study"\n'
        "themes:\n"
        '  - id: "5"\n'
        '    label: "Practice: issues"\n'
        "    description: |\n"
        "      Line one\n"
        "      line two\n"
        '    colour: "#4e79a7"\n'
        "    children:\n"
        '      - id: "5.4"\n'
        '        label: "Workload"\n'
        '        exclude: "  padded"\n'
    )
    assert theme_file_text(None, []).endswith("\nthemes: []\n")


ID_CHARS = st.sampled_from("abcXYZ019._-:éß")
IDS = st.builds(
    lambda a, b, c: a + b + c,
    ID_CHARS, st.text(ID_CHARS | st.just(" "), max_size=5), ID_CHARS,
) | ID_CHARS
LABELS = st.text(min_size=1, max_size=30).filter(str.strip)
TEXTS = st.one_of(st.just(""), st.text(max_size=40),
                  st.lists(st.text("abc #:-'\"", max_size=8), min_size=2, max_size=4).map("\n".join))
COLOURS = st.one_of(st.none(), st.sampled_from(["#4e79a7", "#ABC", "teal", "Red"]))


@st.composite
def theme_trees(draw):
    shapes = draw(st.recursive(st.just([]), lambda kids: st.lists(kids, max_size=3), max_leaves=12))
    shapes = shapes or [[]]
    count = sum(1 for _ in _walk_shapes(shapes))
    ids = iter(draw(st.lists(IDS, min_size=count, max_size=count, unique=True)))

    def build(shape):
        return ThemeSpec(
            id=next(ids), label=draw(LABELS), description=draw(TEXTS), include=draw(TEXTS),
            exclude=draw(TEXTS), colour=draw(COLOURS), children=tuple(build(s) for s in shape))

    return tuple(build(shape) for shape in shapes)


def _walk_shapes(shapes):
    for shape in shapes:
        yield shape
        yield from _walk_shapes(shape)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(theme_trees(), st.one_of(st.none(), LABELS))
def test_rendered_trees_read_back_the_same(tree, name):
    tf, problems = parse_themes_text(theme_file_text(name, tree), Path("t.yaml"))
    assert problems == []
    assert tf.name == name
    assert without_lines(tf.themes) == tree


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(theme_trees(), st.data())
def test_added_themes_read_back_the_same(tmp_path, tree, data):
    path = write(tmp_path, theme_file_text("S", tree[:-1]))
    existing = [s.id for s in iter_themes(tree[:-1])]
    parent = data.draw(st.sampled_from([None] + existing))
    add_theme_to_file(path, tree[-1], parent)
    tf = load_themes(path)
    found = tf.find(tree[-1].id)
    assert without_lines([found]) == without_lines([tree[-1]])
    parent_spec = tf.find(parent) if parent else None
    assert (parent_spec.children if parent_spec else tf.themes)[-1].id == tree[-1].id


# --------------------------------------------------------------------------------------------
# Codebooks


def tricky_file() -> ThemeFile:
    return ThemeFile(Path("t.yaml"), "Study", (
        ThemeSpec("1", "=SUM(A1)", description='Says "hi", then\nleaves', colour="teal", children=(
            ThemeSpec("1.1", "-dash", include="café | pipe", exclude="<b>not</b>"),
        )),
        ThemeSpec("2", "Plain"),
    ))


def test_codebook_csv_round_trip(tmp_path):
    tf = tricky_file()
    path = tmp_path / "codebook.csv"
    write_codebook_csv(tf, path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["id", "parent", "path", "label", "description", "include", "exclude", "colour"]
    assert rows[1] == ["1", "", "'=SUM(A1)", "'=SUM(A1)", 'Says "hi", then\nleaves', "", "", "#008080"]
    assert rows[2] == ["1.1", "1", "'=SUM(A1) > -dash", "'-dash", "", "café | pipe", "<b>not</b>", "#008080"]
    assert rows[3] == ["2", "", "Plain", "Plain", "", "", "", PALETTE[0]]
    specs = read_codebook_csv(path)
    back = ThemeFile(Path("t.yaml"), None, tuple(specs))
    assert back.flat() == tf.flat()
    # and the same from a list of rows, to a stream
    stream = io.StringIO()
    write_codebook_csv(tf.flat(), stream)
    assert stream.getvalue() == raw.decode("utf-8-sig")


def test_codebook_csv_keeps_leading_apostrophes(tmp_path):
    labels = ["'=x", "''y", "'plain", "@home", "+1", "\tTabbed"]
    tf = ThemeFile(Path("t.yaml"), None, tuple(ThemeSpec(str(i), label) for i, label in enumerate(labels)))
    path = tmp_path / "codebook.csv"
    write_codebook_csv(tf, path)
    assert [s.label for s in read_codebook_csv(path)] == labels


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(theme_trees())
def test_codebook_csv_round_trip_property(tmp_path, tree):
    tf = ThemeFile(Path("t.yaml"), None, tree)
    path = tmp_path / "codebook.csv"
    write_codebook_csv(tf, path)
    assert ThemeFile(Path("t.yaml"), None, tuple(read_codebook_csv(path))).flat() == tf.flat()


def test_codebook_markdown():
    out = io.StringIO()
    write_codebook_markdown(tricky_file(), out)
    assert out.getvalue() == (
        "# Codebook: Study\n"
        "\n"
        "| id | parent | path | label | description | include | exclude | colour |\n"
        "|---|---|---|---|---|---|---|---|\n"
        '| 1 |  | =SUM(A1) | =SUM(A1) | Says "hi", then<br>leaves |  |  | #008080 |\n'
        "| 1.1 | 1 | =SUM(A1) > -dash | -dash |  | café \\| pipe | &lt;b>not&lt;/b> | #008080 |\n"
        f"| 2 |  | Plain | Plain |  |  |  | {PALETTE[0]} |\n"
    )


def test_codebook_import_then_theme_file(tmp_path):
    path = write(tmp_path, (
        "ID;Label;Parent_ID;Description\n"
        "1.1;Vacancies;1;Posts left unfilled\n"
        "1;Staffing;;\n"
        "\n"
        "2;Workload;;\n"
    ), "codebook.csv")
    specs = read_codebook_csv(path)
    assert without_lines(specs) == (
        ThemeSpec("1", "Staffing", children=(ThemeSpec("1.1", "Vacancies", description="Posts left unfilled"),)),
        ThemeSpec("2", "Workload"),
    )
    tf, problems = parse_themes_text(theme_file_text("Imported", specs), Path("t.yaml"))
    assert problems == [] and without_lines(tf.themes) == tuple(specs)


@pytest.mark.parametrize(("text", "fragments"), [
    ("id,label,parent\n1,One,\n2,Two,9\n", ['row 3 (id "2"): parent "9" is not the id of any row']),
    ("id,label\n1,One\n2,Two\n1,Again\n", ['row 4 (id "1"): the id is already used in row 2']),
    ("id,label\n1,\n", ['row 2 (id "1"): the label is empty']),
    ("id,label\n,One\n", ["row 2: the id is empty"]),
    ("id,label,colour\n1,One,blu\n", ['row 2 (id "1"): colour "blu" is not a colour']),
    ("id,label\n1/2,One\n", ['row 2 (id "1/2"): the id "1/2" contains "/"']),
    ("id,label\n1,One,extra\n", ["row 2: has more cells than the first row"]),
    ("id,name\n1,One\n", ['unknown column "name"; did you mean "label"?', 'there is no "label" column']),
    ("id,label,color\n1,One,red\n", ['unknown column "color"; did you mean "colour"?']),
    ("id,label,label\n1,One,Uno\n", ['column "label" appears twice']),
    ("id,label,parent\na,A,b\nb,B,a\nc,C,\n", ['row 2 (id "a"), row 3 (id "b"): these themes are their own ancestors']),
    ("id,label,parent\na,A,a\n", ['row 2 (id "a"): these themes are their own ancestors']),
    ("", ["the file is empty"]),
])
def test_codebook_bad_rows(tmp_path, text, fragments):
    path = write(tmp_path, text, "codebook.csv")
    with pytest.raises(InputError) as raised:
        read_codebook_csv(path)
    for fragment in fragments:
        assert f"{path}: " in str(raised.value)
        assert fragment in str(raised.value)


def test_codebook_reports_every_bad_row_at_once(tmp_path):
    path = write(tmp_path, "id,label,parent\n1,One,\n1,Dup,\n2,,\n3,Three,8\n", "codebook.csv")
    with pytest.raises(InputError) as raised:
        read_codebook_csv(path)
    assert [line.split(": ")[1] for line in str(raised.value).splitlines()] == [
        'row 3 (id "1")', 'row 4 (id "2")', 'row 5 (id "3")']
