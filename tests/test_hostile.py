"""Hostile and broken input through the real importers and command line.

Every refused file gives exit status 1 and a message naming it, and leaves the
project's database exactly as it was (all rows compared before and after).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from framework.cli import main
from framework.coding.anchoring import context, locate
from framework.ingest.text import LINE_BREAKS, normalise_newlines
from framework.project import open_project
from tests.hostile_files import dump


def run(root: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(root), *args])


@pytest.fixture
def root(project_dir: Path) -> Path:
    """A built project; its database is compared before and after each hostile input."""
    open_project(project_dir).close()
    return project_dir


def refused(root: Path, bad: Path | str, *args: str) -> str:
    """Run the command; check exit 1, the file named in the message, the database unchanged."""
    before = dump(root)
    result = run(root, *args)
    assert result.exit_code == 1, result.output
    assert str(bad) in result.stderr, result.stderr
    assert dump(root) == before
    return result.stderr


# -- themes.yaml ---------------------------------------------------------------------------------


def test_malformed_themes_yaml_is_reported_with_its_line(root: Path) -> None:
    themes = root / "themes.yaml"
    themes.write_text('themes:\n  - id: "1"\n    label: [unclosed\n  - id: "2"\n', encoding="utf-8")
    message = refused(root, themes, "themes", "sync")
    assert f"{themes}:" in message and "YAML syntax error" in message
    checked = run(root, "themes", "check")
    assert checked.exit_code == 1 and str(themes) in checked.stderr


def test_huge_themes_yaml_is_refused_unread(root: Path) -> None:
    themes = root / "themes.yaml"
    with themes.open("w", encoding="utf-8") as fh:
        fh.write("themes:\n")
        for i in range(45_000):
            fh.write(f'  - id: "{i}"\n    label: Theme {i} {"x" * 100}\n')
    assert themes.stat().st_size > 5 * 1024 * 1024
    assert "file too large" in refused(root, themes, "themes", "sync")


def test_deeply_nested_yaml_is_reported_not_crashing(root: Path) -> None:
    themes = root / "themes.yaml"
    themes.write_text("themes: " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    assert "nested too deeply" in refused(root, themes, "themes", "sync")


def test_yaml_tags_that_would_build_objects_are_reported_not_run(root: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    themes = root / "themes.yaml"
    for text in (f'themes:\n  - id: "1"\n    label: !!python/object/apply:os.system ["touch {marker}"]\n',
                 f'!!python/object/apply:os.system ["touch {marker}"]\n',
                 f'themes: !!python/object/new:subprocess.Popen [["touch", "{marker}"]]\n'):
        themes.write_text(text, encoding="utf-8")
        message = refused(root, themes, "themes", "sync")
        assert "unsupported YAML tag !!python/object" in message
        assert run(root, "docs").exit_code == 0  # the project still opens, with a note
    assert not marker.exists()


def test_yaml_alias_bombs_are_not_expanded(root: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[n]
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    themes = root / "themes.yaml"
    themes.write_text("\n".join(lines) + '\nthemes:\n  - id: "1"\n    label: *i\n', encoding="utf-8")
    assert "alias" in refused(root, themes, "themes", "sync")


def test_a_nul_byte_in_themes_yaml(root: Path) -> None:
    themes = root / "themes.yaml"
    themes.write_bytes(b'themes:\n  - id: "1"\n    label: bad\x00label\n')
    assert "U+0000" in refused(root, themes, "themes", "sync")


def test_theme_ids_with_odd_characters(root: Path) -> None:
    themes = root / "themes.yaml"
    text = themes.read_text(encoding="utf-8")
    themes.write_text(text + '  - id: "1;DROP TABLE themes"\n    label: Injected\n'
                      '  - id: "a/../b"\n    label: Slashes\n  - id: "<b>x</b>"\n    label: Markup\n',
                      encoding="utf-8")
    message = refused(root, themes, "themes", "sync")
    assert f"{themes}:{len(text.splitlines()) + 1}:" in message and '"1;DROP TABLE themes" contains ";"' in message
    assert '"a/../b" contains "/"' in message and '"<b>x</b>"' in message
    odd = ["Ünïcødé-1", "5.4: sub theme", "٣.٤", "x" * 200, "1.10"]
    themes.write_text(text + "".join(f'  - id: "{i}"\n    label: Odd {n}\n' for n, i in enumerate(odd)),
                      encoding="utf-8")
    assert run(root, "themes", "sync").exit_code == 0
    for theme_id in odd:
        added = run(root, "--coder", "alice", "code", "add", "dir_london", theme_id, "--start", "0", "--end", "11")
        assert added.exit_code == 0, added.output
    listed = json.loads(run(root, "code", "list", "--json").stdout)
    assert sorted(c["theme"] for c in listed) == sorted(odd)
    assert "1.1" not in {c["theme"] for c in listed}  # "1.10" is its own theme


# -- transcripts -----------------------------------------------------------------------------------


def _sparse(path: Path) -> None:
    with path.open("wb") as fh:
        fh.truncate(51 * 1024 * 1024)


HOSTILE = {
    "binary.txt": lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40),
    "empty.txt": lambda p: p.write_text("  \n\n\t \n", encoding="utf-8"),
    "zero.txt": lambda p: p.write_bytes(b""),
    "enormous.txt": _sparse,
    "broken utf8.txt": lambda p: p.write_bytes("Zoë: première ligne\n".encode() * 50 + b"caf\xe9 \xff\xfe\n"
                                               + "Zoë: dernière\n".encode()),
    "nul.txt": lambda p: p.write_bytes(b"Interviewer: hello\x00\x00 there\n" * 20),
    "pdf.docx": lambda p: p.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"),
    "old word.docx": lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
    "garbage.odt": lambda p: p.write_bytes(os.urandom(3000)),
    "not rtf.rtf": lambda p: p.write_text("just text pretending", encoding="utf-8"),
    "no cues.vtt": lambda p: p.write_text("WEBVTT\n\nhello there\n", encoding="utf-8"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_transcripts_are_refused_by_name(root: Path, tmp_path: Path, name: str) -> None:
    bad = tmp_path / "in" / name
    bad.parent.mkdir()
    HOSTILE[name](bad)
    refused(root, bad, "import", str(bad))


def test_invalid_utf8_in_the_middle_names_the_line(root: Path, tmp_path: Path) -> None:
    bad = tmp_path / "broken utf8.txt"
    HOSTILE["broken utf8.txt"](bad)
    assert "line 51" in refused(root, bad, "import", str(bad))


def test_one_bad_file_in_a_folder_imports_nothing(root: Path, tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a.txt").write_text("Interviewer: fine.\n", encoding="utf-8")
    (folder / "b.txt").write_text("Respondent: also fine.\n", encoding="utf-8")
    HOSTILE["nul.txt"](folder / "c.txt")
    refused(root, folder / "c.txt", "import", str(folder))


def test_a_one_megabyte_line_imports_with_exact_offsets(root: Path, tmp_path: Path) -> None:
    words = ("staff caseload supervision team manager agency vacancy " * 20_000)[:1_000_000]
    at = words.index(" ", 654_321) + 1  # a word of its own, for the search below
    marker = "PERIPATETIC-LOCUM"
    line = words[:at] + marker + " " + words[at:]
    path = tmp_path / "one line.txt"
    path.write_text("Respondent: " + line + "\n", encoding="utf-8")
    assert run(root, "import", str(path)).exit_code == 0
    store = open_project(root).store
    doc = store.documents.get("one line")
    text = store.documents.text(doc.id)
    assert doc.length == len(text) == len("Respondent: ") + len(line) + 1 > 1_000_000
    assert len(store.documents.units(doc.id)) == 1
    store.close()
    added = run(root, "--coder", "alice", "code", "add", "one line", "1.1", "--quote", marker, "--json")
    assert added.exit_code == 0, added.output
    coding = json.loads(added.stdout)
    assert coding["start"] == len("Respondent: ") + at and coding["quote"] == marker
    hits = json.loads(run(root, "search", "PERIPATETIC", "--json").stdout)
    assert [h["document"] for h in hits] == ["one line"]


# -- tables ------------------------------------------------------------------------------------------


FORMULAS = ['=HYPERLINK("http://example.invalid","click")', "+1+1", "-2+3", "@SUM(A1:A9)", "=cmd|' /C calc'!A0"]


def test_formula_looking_cells_are_kept_as_text(root: Path, tmp_path: Path) -> None:
    table = tmp_path / "cases.csv"
    quoted = [f'"{f.replace(chr(34), chr(34) * 2)}"' for f in FORMULAS]
    table.write_text("case,formula\n" + "".join(f"case{n},{q}\n" for n, q in enumerate(quoted)), encoding="utf-8")
    assert run(root, "cases", "import", str(table)).exit_code == 0
    cases = {c["name"]: c["attributes"].get("formula") for c in json.loads(run(root, "cases", "--json").stdout)}
    assert [cases[f"case{n}"] for n in range(len(FORMULAS))] == FORMULAS
    survey = tmp_path / "survey.csv"
    answers = [f + " is what I typed into the comment box, word for word" for f in FORMULAS]
    survey.write_text("id,comment\n" + "".join(f'r{n},"{a.replace(chr(34), chr(34) * 2)}"\n'
                                               for n, a in enumerate(answers)), encoding="utf-8")
    assert run(root, "import-survey", str(survey), "--id", "id", "--text-columns", "comment").exit_code == 0
    store = open_project(root).store
    texts = [store.documents.text(store.documents.get(f"r{n}.q1").id) for n in range(len(FORMULAS))]
    store.close()
    assert texts == answers


def test_nul_bytes_in_tables_are_refused_and_in_json_kept_verbatim(root: Path, tmp_path: Path) -> None:
    table = tmp_path / "cases.csv"
    table.write_bytes(b"case,role\ndir_london,Dir\x00ector\n")
    refused(root, table, "cases", "import", str(table))
    rows = tmp_path / "codings.jsonl"
    rows.write_text(json.dumps({"document": "dir_london", "theme": "1.1", "start": 0, "end": 11,
                                "memo": "before\u0000after"}) + "\n", encoding="utf-8")
    assert run(root, "--coder", "alice", "code", "import", str(rows)).exit_code == 0
    assert json.loads(run(root, "code", "list", "--json").stdout)[0]["memo"] == "before\u0000after"


# -- archives ----------------------------------------------------------------------------------------


def _docx(path: Path, *, extra: dict[str, bytes] | None = None, document_xml: bytes | None = None) -> Path:
    import docx

    buffer = io.BytesIO()
    d = docx.Document()
    d.add_paragraph("Interviewer: a perfectly ordinary paragraph.")
    d.save(buffer)
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml" and document_xml is not None:
                data = document_xml
            out.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            out.writestr(name, data)
    return path


ODT_CONTENT = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
               b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
               b"<text:p>Interviewer: BODY</text:p></office:text></office:body></office:document-content>")


def _odt(path: Path, *, content: bytes = ODT_CONTENT, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr(zipfile.ZipInfo("mimetype"), b"application/vnd.oasis.opendocument.text")
        out.writestr("content.xml", content)
        for name, data in (extra or {}).items():
            out.writestr(name, data)
    return path


def test_the_archive_helpers_make_importable_files(root: Path, tmp_path: Path) -> None:
    good = [_docx(tmp_path / "good.docx"), _odt(tmp_path / "good2.odt")]
    result = run(root, "import", *map(str, good))
    assert result.exit_code == 0, result.output


BOMB = b"\0" * (20 * 1024 * 1024)


@pytest.mark.parametrize("kind", ["docx", "odt"])
def test_zip_bombs_are_refused(root: Path, tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"bomb.{kind}"
    (_docx if kind == "docx" else _odt)(path, extra={"media/zeros.bin": BOMB})
    assert path.stat().st_size < 200_000
    assert "refused" in refused(root, path, "import", str(path))


@pytest.mark.parametrize("kind", ["docx", "odt"])
@pytest.mark.parametrize("member", ["../../evil.txt", "/etc/evil.txt", "word\\..\\..\\evil.txt", "C:/evil.txt"])
def test_path_traversal_members_are_refused(root: Path, tmp_path: Path, kind: str, member: str) -> None:
    path = tmp_path / f"traversal.{kind}"
    (_docx if kind == "docx" else _odt)(path, extra={member: b"escaped"})
    refused(root, path, "import", str(path))
    assert not (tmp_path.parent / "evil.txt").exists() and not Path("/etc/evil.txt").exists()


def _qdpx(root: Path, path: Path, extra: dict[str, bytes]) -> Path:
    """A real .qdpx export of the project, with entries added or replaced."""
    plain = path.with_name("plain.qdpx")
    assert run(root, "export", "qdpx", "--out", str(plain)).exit_code == 0
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            out.writestr(info.filename, data + extra.pop(info.filename, b""))
        for name, data in extra.items():
            out.writestr(name, data)
    return path


@pytest.mark.parametrize("member", ["../../evil.txt", "/etc/evil.txt", "sources\\..\\..\\evil.txt", "project.qde"])
def test_hostile_qdpx_archives_are_refused(root: Path, tmp_path: Path, member: str) -> None:
    data = b" " * len(BOMB) if member == "project.qde" else b"escaped"  # the project XML padded to a bomb
    path = _qdpx(root, tmp_path / "hostile.qdpx", {member: data})
    message = refused(root, path, "import-qdpx", str(path))
    assert ("zip bomb" if member == "project.qde" else "unsafe") in message
    assert not (tmp_path.parent / "evil.txt").exists()


def test_external_entities_in_docx_are_not_resolved(root: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
           "<w:p><w:r><w:t>Interviewer: &xxe;</w:t></w:r></w:p></w:body></w:document>").encode()
    path = _docx(tmp_path / "xxe.docx", document_xml=xml)
    refused(root, path, "import", str(path))
    assert not any("TOP-SECRET" in line for line in dump(root))


@pytest.mark.parametrize("entities", [
    '<!DOCTYPE d [<!ENTITY a "lollollollollollol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>',
    '<!DOCTYPE d [<!ENTITY d SYSTEM "file:///etc/passwd">]>',
], ids=["billion-laughs", "external"])
def test_xml_entities_in_odt_are_refused(root: Path, tmp_path: Path, entities: str) -> None:
    content = ODT_CONTENT.replace(b"?>\n", b"?>\n" + entities.encode() + b"\n").replace(b"BODY", b"&d;")
    path = _odt(tmp_path / "entities.odt", content=content)
    assert "DTD or XML entities" in refused(root, path, "import", str(path))


# -- paths ---------------------------------------------------------------------------------------------


def test_project_paths_with_spaces_and_non_ascii(tmp_path: Path) -> None:
    root = tmp_path / "Études et entretiens – ☃ 2026" / "my study"
    init = CliRunner().invoke(main, ["init", str(root)])
    assert init.exit_code == 0, init.output
    source = root / "transcripts" / "Entretien n°1 – Zoë.txt"
    source.write_text("Intervieweuse : Bonjour.\n\nZoë: Le café était froid — vraiment.\n", encoding="utf-8")
    assert run(root, "import", str(source)).exit_code == 0
    added = run(root, "--coder", "zoë", "code", "add", "Entretien n°1 – Zoë", "1", "--quote", "café était froid")
    assert added.exit_code == 0, added.output
    backup = run(root, "backup", "--reason", "été")
    assert backup.exit_code == 0 and "-ete.db" in backup.stdout
    assert run(root, "doctor").exit_code == 0
    assert run(root, "restore", "1", "--yes").exit_code == 0
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run([sys.executable, "-m", "framework", "--project", str(root), "docs", "--json"],
                          capture_output=True, text=True, encoding="utf-8", env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    docs = json.loads(proc.stdout)
    assert [d["name"] for d in docs] == ["Entretien n°1 – Zoë"] and docs[0]["codings"] == 1


# -- properties ------------------------------------------------------------------------------------------

NEWLINES = ["\n", "\r\n", "\r", "\u2028", "\u2029", "\x85", "\v", "\f"]
MARKER = "ZQXMARKERQZ"
LINE = st.text(st.characters(whitelist_categories=("Lu", "Ll", "Lo", "Nd", "Po", "Zs"),
                             blacklist_characters="ZQX\u3000"), max_size=30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(st.tuples(LINE, st.sampled_from(NEWLINES)), min_size=1, max_size=25), data=st.data())
def test_imported_text_has_one_newline_kind_and_exact_offsets(lines, data) -> None:
    from framework.ingest.documents import import_paths
    from framework.store import Store

    at = data.draw(st.integers(0, len(lines)))
    column = data.draw(st.sampled_from(["start", "inline"]))
    pieces = [text + sep for text, sep in lines]
    if column == "inline" and at < len(lines):
        text, sep = lines[at]
        pieces[at] = text + " " + MARKER + " " + sep
        prefix = "".join(pieces[:at]) + text + " "
    else:
        pieces.insert(at, MARKER + "\n")
        prefix = "".join(pieces[:at])
    raw = "".join(pieces)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.txt"
        path.write_bytes(raw.encode("utf-8"))
        store = Store(":memory:")
        import_paths(store, [path])
        doc = store.documents.get("doc")
        text = store.documents.text(doc.id)
        units = store.documents.units(doc.id)
        store.close()
    assert not any(ch in text for ch in LINE_BREAKS)
    assert text == normalise_newlines(raw)
    assert text.index(MARKER) == len(normalise_newlines(prefix))
    covered = set()
    for previous, unit in zip([None, *units], units):
        assert 0 <= unit.start < unit.end <= len(text)
        assert previous is None or previous.end < unit.start
        body = text[unit.start:unit.end]
        assert body == body.strip() and all(line.strip() for line in body.split("\n"))
        covered.update(range(unit.start, unit.end))
    assert {i for i, ch in enumerate(text) if not ch.isspace()} <= covered


PLAIN = st.text(st.sampled_from("abcdefghij klmnop.,;\n"), max_size=200)
QUOTE = st.text(st.sampled_from("abc defQ"), min_size=1, max_size=40).map(lambda s: s + "Q")
EDIT = st.tuples(st.sampled_from(["insert", "delete"]), st.floats(0, 1), st.integers(1, 30), PLAIN)


def _edit(text: str, edits) -> str:
    for kind, where, size, inserted in edits:
        at = int(where * len(text))
        text = text[:at] + inserted + text[at:] if kind == "insert" else text[:at] + text[at + size:]
    return text


@settings(max_examples=200, deadline=None)
@given(prefix=PLAIN, quote=QUOTE, suffix=PLAIN, before_edits=st.lists(EDIT, max_size=4),
       after_edits=st.lists(EDIT, max_size=4))
def test_reanchoring_keeps_a_quote_exactly_placed_after_edits_elsewhere(prefix, quote, suffix, before_edits,
                                                                        after_edits) -> None:
    old = prefix + quote + suffix
    start, end = len(prefix), len(prefix) + len(quote)
    before, after = context(old, start, end)
    new_prefix, new_suffix = _edit(prefix, before_edits), _edit(suffix, after_edits)
    new = new_prefix + quote + new_suffix
    placed = locate(new, quote, before=before, after=after, hint=start)
    assert placed is not None and (placed.start, placed.end, placed.method) == (
        len(new_prefix), len(new_prefix) + len(quote), "exact")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=PLAIN, quote=QUOTE, suffix=PLAIN, edits=st.lists(EDIT, min_size=1, max_size=3))
# "Interviewer: afQ" made "fQaf": the letters of the coding are paired with others by the comparison.
@example(prefix="a", quote="fQ", suffix="", edits=[("delete", 0.0, 14, ""), ("insert", 0.0, 1, "af")])
# A coding that starts on a space, after a space that was deleted with the speaker.
@example(prefix="", quote=" Q", suffix="", edits=[("delete", 0.0, 13, "")])
# "Interviewer: ;aQa" made "Interviewe;aQ a": the space before ";" was paired with the one after "aQ".
@example(prefix=";", quote="aQ", suffix="a", edits=[("delete", 0.75, 3, ""), ("insert", 0.0, 1, " ")])
# "Interviewer: b;bQa" made "Interviewer: bQ;ba": the "b" before the coding was paired with the coding's own.
@example(prefix="b;", quote="bQ", suffix="a", edits=[("delete", 0.875, 2, ""), ("insert", 0.0, 1, ";b")])
def test_reimporting_an_edited_transcript_keeps_codings_exactly_placed(prefix, quote, suffix, edits) -> None:
    from framework.coding import actions as coding
    from framework.ingest.documents import import_paths
    from framework.store import Store, Theme

    lead = "Interviewer: " + prefix
    new_prefix, new_suffix = _edit(lead, edits[:1]), _edit(suffix, edits[1:])
    if not (new_prefix + quote + new_suffix).strip():
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.txt"
        path.write_text(lead + quote + suffix, encoding="utf-8")
        store = Store(":memory:")
        import_paths(store, [path])
        with store.write():
            store.themes.upsert(Theme("1", None, "One", "", "", "", "", 0, False))
        doc = store.documents.get("doc")
        made = coding.add_coding(store, "alice", doc.id, "1", len(lead), len(lead) + len(quote))
        path.write_text(new_prefix + quote + new_suffix, encoding="utf-8")
        report = import_paths(store, [path])
        placed = store.codings.get(made.id)
        store.close()
    changed = new_prefix + quote + new_suffix != lead + quote + suffix
    assert report.updated == (["doc"] if changed else []) and not report.detached
    assert (placed.start, placed.end, placed.quote, placed.detached) == (
        len(new_prefix), len(new_prefix) + len(quote), quote, False)


# -- XML: a document type declaration anywhere, in any encoding ------------------------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
S_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DTD = '<!DOCTYPE d [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
PADDING = "<!--" + "padding " * 700 + "-->"  # 5.6 KB before the DTD


def _docx_xml(text: str, *, head: str = "", encoding: str = "UTF-8") -> bytes:
    xml = (f'<?xml version="1.0" encoding="{encoding}" standalone="yes"?>{head}'
           f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>')
    return xml.encode("utf-16" if encoding == "UTF-16" else "utf-8")


def _xlsx(path: Path, parts: dict[str, bytes] | None = None) -> Path:
    """A small real workbook (written by openpyxl), with parts replaced."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["case", "role"])
    sheet.append(["dir_london", "Director"])
    book.save(path)
    if parts:
        with zipfile.ZipFile(path) as src:
            members = {name: src.read(name) for name in src.namelist()}
        members.update(parts)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
            for name, data in members.items():
                out.writestr(name, data)
    return path


@pytest.mark.parametrize("encoding", ["UTF-8", "UTF-16"])
def test_a_dtd_after_padding_or_in_utf16_is_refused_in_every_format(root: Path, tmp_path: Path,
                                                                      encoding: str) -> None:
    head = PADDING + DTD
    docx = _docx(tmp_path / "late-dtd.docx", document_xml=_docx_xml("Interviewer: &b;", head=head, encoding=encoding))
    assert "declares a DTD" in refused(root, docx, "import", str(docx))
    content = ODT_CONTENT.replace(b"?>\n", b"?>\n" + head.encode() + b"\n").replace(b"BODY", b"&b;")
    if encoding == "UTF-16":
        content = content.replace(b'encoding="UTF-8"', b'encoding="UTF-16"').decode().encode("utf-16")
    odt = _odt(tmp_path / "late-dtd.odt", content=content)
    assert "declares a DTD" in refused(root, odt, "import", str(odt))
    sheet = (f'<?xml version="1.0" encoding="{encoding}"?>{head}<worksheet xmlns="{S_NS}"><sheetData>'
             '<row r="1"><c r="A1" t="inlineStr"><is><t>case</t></is></c></row></sheetData></worksheet>')
    xlsx = _xlsx(tmp_path / "late-dtd.xlsx", {"xl/worksheets/sheet1.xml": sheet.encode(encoding.lower())})
    assert "declares a DTD" in refused(root, xlsx, "cases", "import", str(xlsx))
    assert "declares a DTD" in refused(root, xlsx, "import-survey", str(xlsx))


def test_a_utf16_document_without_a_dtd_is_read_whole(root: Path, tmp_path: Path) -> None:
    docx = _docx(tmp_path / "wide.docx", document_xml=_docx_xml("Interviewer: Zoë’s team — ça va", encoding="UTF-16"))
    assert run(root, "import", str(docx)).exit_code == 0
    shown = json.loads(run(root, "show", "wide", "--json").stdout)
    assert [line["text"] for line in shown] == ["Interviewer: Zoë’s team — ça va"]


def test_shared_strings_and_workbook_parts_with_a_dtd_are_refused(root: Path, tmp_path: Path) -> None:
    strings = (f'<?xml version="1.0"?>{DTD}<sst xmlns="{S_NS}" count="1" uniqueCount="1"><si><t>&b;</t></si></sst>')
    xlsx = _xlsx(tmp_path / "strings.xlsx", {"xl/sharedStrings.xml": strings.encode()})
    assert "xl/sharedStrings.xml" in refused(root, xlsx, "cases", "import", str(xlsx))
    with zipfile.ZipFile(xlsx) as src:
        book = src.read("xl/workbook.xml").decode()
    book = book.replace("?>", "?>" + DTD, 1) if book.startswith("<?xml") else DTD + book
    xlsx = _xlsx(tmp_path / "book.xlsx", {"xl/workbook.xml": book.encode()})
    assert "xl/workbook.xml" in refused(root, xlsx, "cases", "import", str(xlsx))


def test_a_zip_whose_header_understates_a_member_is_refused(root: Path, tmp_path: Path) -> None:
    """The directory claims 100 bytes for word/document.xml; reading stops there and the
    damage is reported, never trusted."""
    docx = _docx(tmp_path / "liar.docx")
    data = bytearray(docx.read_bytes())
    with zipfile.ZipFile(docx) as archive:
        info = archive.getinfo("word/document.xml")
    real = info.file_size.to_bytes(4, "little")
    assert data.count(real) >= 2  # in the local header and in the central directory
    docx.write_bytes(bytes(data).replace(real, (100).to_bytes(4, "little")))
    message = refused(root, docx, "import", str(docx))
    assert "not a valid .docx file" in message


def test_formula_cells_without_a_saved_value_are_reported_by_sheet_row_and_column(root: Path,
                                                                                 tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Cases"
    sheet.append(["case", "interviews", "total"])
    sheet.append(["dir_london", 1, 3])
    sheet.append(["ad_county", 2, "=B2+B3"])  # written by a program: no value was ever calculated
    sheet.append(["hos_met", 1, "=B2*2"])
    path = tmp_path / "uncalculated.xlsx"
    book.save(path)
    message = refused(root, path, "cases", "import", str(path))
    assert message.startswith(
        f'framework: {path}: sheet "Cases", row 3, column C: the formula =B2+B3 has no saved value '
        "(and 1 more formula cells like it): the file was saved by a program that does not calculate formulas."
    )


# -- text that is not Unicode ---------------------------------------------------------------------------------


def test_json_that_is_not_unicode_or_nested_too_deep_is_refused_with_its_line(root: Path, tmp_path: Path) -> None:
    rows = tmp_path / "codings.jsonl"
    good = json.dumps({"document": "dir_london", "theme": "1.1", "start": 0, "end": 11})
    rows.write_text(good + '\n{"document": "dir_london", "theme": "1.1", "start": 0, "end": 11, '
                    '"memo": "caf\\udce9"}\n', encoding="utf-8")
    message = refused(root, rows, "--coder", "alice", "code", "import", str(rows))
    assert "line 2 holds text that is not Unicode at memo" in message
    rows.write_text(good + "\n" + "[" * 200_000 + "]" * 200_000 + "\n", encoding="utf-8")
    assert "line 2 is nested too deeply" in refused(root, rows, "--coder", "alice", "code", "import", str(rows))


def test_coder_files_that_are_not_unicode_or_nested_too_deep_are_refused(root: Path, tmp_path: Path) -> None:
    added = run(root, "--coder", "alice", "code", "add", "dir_london", "1.1", "--start", "0", "--end", "11")
    assert added.exit_code == 0
    exported = tmp_path / "alice.json"
    assert run(root, "coder", "export", "alice", "--out", str(exported)).exit_code == 0
    data = json.loads(exported.read_text(encoding="utf-8"))
    data["codings"][0]["memo"] = "\ud800"
    bad = tmp_path / "surrogate.json"
    bad.write_text(json.dumps(data), encoding="utf-8")  # ensure_ascii: the lone surrogate as \ud800
    assert "not Unicode at codings[0].memo" in refused(root, bad, "coder", "import", str(bad))
    deep = tmp_path / "deep.json"
    deep.write_text('{"format": ' + "[" * 200_000 + "]" * 200_000 + "}", encoding="utf-8")
    assert "nested too deeply" in refused(root, deep, "coder", "import", str(deep))


NOT_UTF8 = "caf\udce9"  # what Python makes of the bytes b"caf\xe9" in a command-line argument


@pytest.mark.parametrize("args", [
    ["--coder", NOT_UTF8, "docs"],
    ["--coder", "alice", "code", "add", "dir_london", "1.1", "--start", "0", "--end", "11", "--memo", NOT_UTF8],
    ["--coder", "alice", "chart", "cell", "dir_london", "1", f"--summary={NOT_UTF8}"],
    ["--coder", "alice", "code", "add", NOT_UTF8, "1.1", "--start", "0", "--end", "11"],
    ["import", f"/tmp/{NOT_UTF8}.txt"],
], ids=["coder", "memo", "summary", "argument", "file-name"])
def test_arguments_that_are_not_utf8_are_refused_before_anything_runs(root: Path, args: list[str]) -> None:
    settings = root / ".framework" / "settings.json"
    before, kept = dump(root), settings.read_bytes() if settings.exists() else None
    result = run(root, *args)
    assert result.exit_code == 1 and "is not UTF-8 text (byte 0xE9 is not UTF-8)" in result.stderr
    assert "Traceback" not in result.output and result.stderr.count("\n") == 1
    assert dump(root) == before
    assert (settings.read_bytes() if settings.exists() else None) == kept
    assert not list((root / ".framework").glob("*.tmp")) and not list(root.glob("*.tmp"))


def test_a_real_terminal_in_latin1_gets_one_line(root: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "framework", "--project", str(root), "--coder", b"jos\xe9",
                           "code", "add", "dir_london", "1.1", "--start", "0", "--end", "11",
                           "--memo", b"r\xe9sum\xe9"], capture_output=True, check=False)
    assert proc.returncode == 1
    assert proc.stderr.decode("utf-8", "replace").startswith(
        "framework: the value of --coder 'jos\ufffd' is not UTF-8 text (byte 0xE9 is not UTF-8)")
    assert not list((root / ".framework").glob("*.tmp"))


def test_a_file_name_that_is_not_utf8_inside_an_imported_folder(root: Path, tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "fine.txt").write_text("Interviewer: fine.\n", encoding="utf-8")
    try:
        (folder / os.fsdecode(b"jos\xe9.txt")).write_text("Interviewer: hello.\n", encoding="utf-8")
    except (OSError, UnicodeError):
        pytest.skip("this file system does not take file names that are not UTF-8")
    before = dump(root)
    result = run(root, "import", str(folder))
    assert result.exit_code == 1 and "the file name is not UTF-8 text" in result.stderr
    assert dump(root) == before


# -- missing or unreadable input files: exit status 1 everywhere -----------------------------------------------


@pytest.mark.parametrize("args", [
    ["import-survey", "{missing}"],
    ["import-survey", "{folder}"],
    ["cases", "import", "{missing}"],
    ["--coder", "alice", "code", "import", "{missing}"],
    ["coder", "import", "{missing}"],
    ["themes", "import", "{missing}"],
    ["import-qdpx", "{missing}"],
    ["import", "{missing}"],
    ["merge", "{missing}"],
    ["pseudonym", "check", "{missing}", "--key", "{missing}"],
    ["import-survey", "survey.csv", "--autocode-questions", "{missing}"],
], ids=lambda args: " ".join(a for a in args if not a.startswith("{")))
def test_a_missing_input_file_is_bad_input_everywhere(root: Path, tmp_path: Path, args: list[str]) -> None:
    missing = tmp_path / "nowhere" / "gone.csv"
    (tmp_path / "survey.csv").write_text("id,answer\n1,a long enough answer with spaces in it\n", encoding="utf-8")
    filled = [a.format(missing=missing, folder=tmp_path) if "{" in a else
              (str(tmp_path / a) if a == "survey.csv" else a) for a in args]
    before = dump(root)
    result = run(root, *filled)
    assert result.exit_code == 1, result.output
    shown = str(tmp_path) if "{folder}" in args else str(missing)
    assert shown in result.stderr and result.stderr.count("\n") == 1
    assert dump(root) == before
