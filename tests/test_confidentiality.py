"""Confidentiality against a hostile project: names written every way a transcript, a
spreadsheet or a file name writes them, in every place an export carries.

Every export format is made with ``--pseudonymise`` and read again by a scan that does not
use the project's own matcher (unzip, read every entry, fold, look for the names as plain
substrings); the same exports made without the key must make ``pseudonym check`` find
every planted spelling.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from framework.cli import main
from framework.confidentiality.check import scan
from framework.confidentiality.key import Pseudonymiser
from framework.export.references import SALT_META

THEMES = """\
name: Oakfield evaluation
themes:
  - id: "1"
    label: Oakfield restructure
    description: What JÜRGEN WEISS's team changed
    include: Margaret-Hill's cases
    children:
      - id: "1.1"
        label: Staffing at oakfield01
      - id: "1.2"
        label: Weiß reforms
  - id: "2"
    label: Supervision
    description: Margaret’s model
"""

TRANSCRIPTS = {
    "oakfield_01.txt": (
        "Interviewer: Tell me about the Oakfield_team.\n\n"
        "Respondent: The OAKFIELD site merged with the OakfieldTeam pilot. "
        "Ｏａｋｆｉｅｌｄ and Oak\u00adfield are the same place.\n\n"
        "Interviewer: Who leads it?\n\n"
        "Respondent: Margaret Hill leads it; Margaret’s deputy covers nights.\n"),
    "Margaret-Hill-interview.txt": (
        "Interviewer: How is supervision arranged?\n\n"
        "Respondent: MARGARET HILL set it up. margaret_hill is on every rota, and MargaretHill signs it off.\n\n"
        "Interviewer: And the reforms?\n\n"
        "Respondent: Jürgen Weiß wrote them; JÜRGEN WEISS presented them at oakfield01.\n"),
    "JUERGEN_WEISS.txt": (
        "Interviewer: What changed?\n\n"
        "Respondent: Juergen Weiss and Jurgen Weiss are the same man: Ju\u0308rgen, WEIẞ in the minutes.\n\n"
        "Interviewer: Anything else?\n\n"
        "Respondent: Staffing is thin at Oakfield.\n\n"
        "Interviewer: Where?\n\n"
        "Respondent: At Oakfield\u00adMargaret's end, Oakfield\u200bnorth and x\ufeffOakfield\u2060Hill.\n"),
    "director_london_borough.txt": (
        "Interviewer: Staffing?\n\n"
        "Respondent: We copy Margaret's model from Oakfield.\n"),
}

CASES = """\
case,role,site,contact,oakfield_ref
oakfield_01,Director,Oakfield_team,Margaret Hill,O-1
Margaret-Hill-interview,Head of service,OAKFIELD North,JÜRGEN WEISS,O-2
JUERGEN_WEISS,Manager,Oakfield south,Margaret's deputy,O-3
director_london_borough,Director,London borough,none,L-1
"""

KEY = """\
term,replacement
Margaret Hill,Director A
Margaret,Director A
Hill,Director A
Oakfield,Site 1
Jürgen Weiß,Manager B
Jürgen,Manager B
Weiß,Manager B
"""

FORBIDDEN = ("margaret", "hill", "oakfield", "jurgen", "juergen", "weiss", "director_london_borough")
"""What no pseudonymised export may hold, folded (the last is a case id that identifies a role and a place)."""

PLANTED = {
    "Oakfield", "OAKFIELD", "Ｏａｋｆｉｅｌｄ", "Oak\u00adfield", "oakfield",
    "Margaret Hill", "MARGARET HILL", "margaret_hill", "MargaretHill", "Margaret-Hill", "Margaret",
    "Jürgen Weiß", "JÜRGEN WEISS", "Juergen Weiss", "Jurgen Weiss", "Ju\u0308rgen", "WEIẞ", "JUERGEN_WEISS",
}
"""Every spelling planted in the project, as ``pseudonym check`` must report it."""

CODINGS = [  # (document, theme, passage, memo, coder)
    ("oakfield_01", "1.1", "The OAKFIELD site merged with the OakfieldTeam pilot.", "ask Margaret-Hill about Oakfield_team",
     "alice"),
    ("oakfield_01", "2", "Margaret Hill leads it; Margaret’s deputy covers nights.", "", "alice"),
    ("oakfield_01", "1.1", "Hill leads it", "a passage that starts inside a name", "alice"),
    ("oakfield_01", "1", "Ｏａｋｆｉｅｌｄ and Oak\u00adfield are the same place.", "", "alice"),
    ("Margaret-Hill-interview", "2", "MARGARET HILL set it up. margaret_hill is on every rota, and MargaretHill "
     "signs it off.", "", "alice"),
    ("Margaret-Hill-interview", "1.2", "Jürgen Weiß wrote them; JÜRGEN WEISS presented them at oakfield01.",
     "WEIẞ again", "alice"),
    ("JUERGEN_WEISS", "1.2", "Juergen Weiss and Jurgen Weiss are the same man: Ju\u0308rgen, WEIẞ in the minutes.",
     "Jurgen's memo", "alice"),
    ("JUERGEN_WEISS", "1.1", "At Oakfield\u00adMargaret's end, Oakfield\u200bnorth and x\ufeffOakfield\u2060Hill.",
     "Oakfield\u200cHill\u200d rota", "alice"),  # names joined by invisible characters
    ("director_london_borough", "2", "We copy Margaret's model from Oakfield.", "", "alice"),
    ("director_london_borough", "2", "We copy Margaret's model", "", "margaret.k"),
]


@pytest.fixture
def hostile(tmp_path: Path):
    """The project, its key (outside the project) and a folder for exports."""
    from framework.coding.actions import add_coding, set_cell
    from framework.project import open_project

    root = tmp_path / "study"
    (root / "transcripts").mkdir(parents=True)
    (root / "exports").mkdir()
    (root / "themes.yaml").write_text(THEMES, encoding="utf-8")
    for name, text in TRANSCRIPTS.items():
        (root / "transcripts" / name).write_text(text, encoding="utf-8")
    (root / "cases.csv").write_text(CASES, encoding="utf-8")
    project = open_project(root)
    store = project.store
    for document, theme, passage, memo, coder in CODINGS:
        doc = store.documents.get(document)
        text = store.documents.text(doc.id)
        start = text.index(passage)
        add_coding(store, coder, doc.id, theme, start, start + len(passage), memo)
    cases = {c.name: c.id for c in store.cases.list()}
    set_cell(store, "alice", cases["oakfield_01"], "1.1", "alice",
             summary="Oakfield_team short of staff; Margaret Hill agrees [oakfield_01 L3]", status="done")
    set_cell(store, "alice", cases["director_london_borough"], "2", "alice",
             summary="Copies Margaret's model [director_london_borough L3]", status="draft")
    with store.write() as conn:
        for kind, target, text in [("project", "", "Oakfield study: ask JÜRGEN"),
                                   ("case", "Margaret-Hill-interview", "Margaret-Hill-interview to follow up"),
                                   ("document", "JUERGEN_WEISS", "JUERGEN_WEISS transcript checked"),
                                   ("theme", "1", "Oakfield_team theme memo")]:
            conn.execute("INSERT INTO memos(coder, target_kind, target_id, text, created_at, updated_at) "
                         "VALUES ('alice', ?, ?, ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                         (kind, target, text))
    store.set_meta(SALT_META, "fixed, for known label numbers")
    key = tmp_path / "keys" / "key.csv"
    key.parent.mkdir()
    key.write_text(KEY, encoding="utf-8")
    project.close()
    yield root, key, tmp_path / "shared"


def fold(text: str) -> str:
    """Folded as a reader would, without the project's code: compatibility forms, case,
    accents, soft hyphens and zero-width characters."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return re.sub("[\u00ad\u200b-\u200d\u2060\ufeff]", "", text)


def readable(path: Path) -> str:
    """Everything in a file, folded: its name, and for a zip every entry's name and content,
    raw and with tags taken out, entities undone."""
    parts = [path.name]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                data = archive.read(info).decode("utf-8", "replace")
                parts += [info.filename, data, re.sub(r"<[^>]+>", "", data)]
    else:
        data = path.read_bytes().decode("utf-8-sig", "replace")
        parts += [data, re.sub(r"<[^>]+>", "", data), data.replace("\\", "")]
    return fold(html.unescape("\n".join(parts)))


def leaks(path: Path) -> list[str]:
    text = readable(path)
    return [word for word in FORBIDDEN if word in text]


def cli(root: Path, *args: str):
    result = CliRunner().invoke(main, ["--project", str(root), *args])
    return result


EXPORTS = [
    ("chart", "export", "--format", "xlsx", "--coder", "alice"),
    ("chart", "export", "--format", "xlsx", "--coder", "margaret.k"),
    ("chart", "export", "--format", "docx", "--coder", "alice"),
    ("chart", "export", "--format", "html", "--coder", "alice", "--group-by", "site"),
    ("chart", "export", "--format", "md", "--coder", "alice"),
    ("chart", "export", "--format", "csv", "--coder", "alice"),
    ("chart", "export", "--format", "csv", "--coder", "alice", "--long", "--presence"),
    ("chart", "export", "--format", "md", "--coder", "alice", "--long", "--presence"),
]
QUOTES = [
    ("quotes", "--theme", "1", "--format", "md", "--coder", "alice"),
    ("quotes", "--theme", "1", "--format", "csv", "--coder", "alice"),
    ("quotes", "--theme", "1", "--format", "docx", "--coder", "alice", "--pattern", "[{role}, {site}]"),
]


def export_everything(root: Path, folder: Path, key: Path | None) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    option = ["--pseudonymise", str(key)] if key is not None else []
    for args in EXPORTS:
        result = cli(root, *args, "--out", str(folder), *option)
        assert result.exit_code == 0, (args, result.output)
    for n, args in enumerate(QUOTES):
        suffix = args[args.index("--format") + 1]
        result = cli(root, *args, "--out", str(folder / f"quotes{n}.{suffix}"), *option)
        assert result.exit_code == 0, (args, result.output)
    for what, name in (("qdpx", "study.qdpx"), ("qdc", "codebook.qdc")):
        result = cli(root, "export", what, "--out", str(folder / name), *option)
        assert result.exit_code == 0, (what, result.output)
    return sorted(folder.iterdir())


EXPECTED_FILES = [
    "chart-1-alice.csv", "chart-2-alice.csv", "charts-alice.docx", "charts-alice.html", "charts-alice.md",
    "charts-alice.xlsx", "charts-alice-long.csv", "charts-alice-long.md", "charts-alice-presence.csv",
    "charts-alice-presence.md", "codebook.qdc", "quotes0.md", "quotes1.csv", "quotes2.docx", "study.qdpx",
    "charts-Director_A.k.xlsx",  # the layer of coder margaret.k, through the key
]


def test_every_pseudonymised_export_is_clean_under_an_independent_scan(hostile) -> None:
    root, key, shared = hostile
    files = export_everything(root, shared, key)
    assert sorted(p.name for p in files) == sorted(EXPECTED_FILES)
    assert {p.name: leaks(p) for p in files} == {p.name: [] for p in files}
    checked = cli(root, "pseudonym", "check", *map(str, files), "--key", str(key))
    assert checked.exit_code == 0, checked.output
    assert checked.stdout == f"no key terms found in {len(files)} file(s) (looked for the 7 terms of {key})\n"


def test_pseudonym_check_finds_every_planted_leak_in_plain_exports(hostile) -> None:
    root, key, shared = hostile
    files = export_everything(root, shared, None)
    assert sorted(p.name for p in files) == sorted(EXPECTED_FILES[:-1] + ["charts-margaret.k.xlsx"])
    pseudonymiser = Pseudonymiser.load(key)
    hits = {p.name: scan(p, pseudonymiser) for p in files}
    assert [name for name, found in hits.items() if not found] == []
    spellings = {h.found for found in hits.values() for h in found}
    assert PLANTED - spellings == set()
    checked = cli(root, "pseudonym", "check", *map(str, files), "--key", str(key))
    assert checked.exit_code == 1
    assert checked.stderr.startswith(f"{sum(map(len, hits.values()))} key term(s) found in {len(files)} of "
                                     f"{len(files)} file(s)")
    places = {(name, h.place) for name, found in hits.items() for h in found}
    for where in [
        ("charts-alice.xlsx", "sheet '1 Oakfield restructure', cell A5"),        # a case id
        ("charts-alice.xlsx", "sheet '1 Oakfield restructure', cell B1"),        # a theme label in a heading
        ("charts-alice.xlsx", "sheet 'Codebook', cell E2"),                      # a theme description
        ("charts-alice.xlsx", "xl/workbook.xml, line 1, name"),                  # a sheet name
        ("charts-margaret.k.xlsx", "document properties, title"),                # the layer, in the title
        ("charts-margaret.k.xlsx", "file name"),                                 # the layer, in the file name
        ("charts-alice.docx", "document, paragraph 2"),                          # the first chart's heading
        ("chart-1-alice.csv", "row 5, column 1 (case)"),
        ("charts-alice-long.csv", "row 1, column 5"),                            # an attribute's name
        ("charts-alice.md", "line 3"),
        ("codebook.qdc", "line 4, name"),
        ("quotes0.md", "line 1"),
        ("quotes2.docx", "document properties, title"),                    # the theme label, in the title
        ("study.qdpx", "project.qde, line 2, name"),                       # the project's name
        ("study.qdpx", "project.qde, line 5, name"),                       # a coder's name
    ]:
        assert where in places, (where, sorted(p for p in places if p[0] == where[0]))
    assert any(name == "study.qdpx" and place.startswith("sources/") for name, place in places)
    # the cases behind a number of the mapping, shown on hover
    assert any(name == "charts-alice.html" and place.endswith(", attribute title") for name, place in places)


def test_quote_references_leave_out_the_case_id(hostile) -> None:
    root, key, shared = hostile
    args = ("quotes", "--theme", "2", "--format", "md", "--coder", "alice", "--pattern", "[{role}, {site}]",
            "--pseudonymise", str(key))
    default = cli(root, *args, "--out", str(shared / "default.md"))
    assert default.exit_code == 0, default.output
    none = cli(root, *args, "--refs", "none", "--out", str(shared / "none.md"))
    assert none.exit_code == 0, none.output
    full = cli(root, *args, "--refs", "full", "--out", str(shared / "full.md"))
    assert full.exit_code == 0, full.output
    shown = {name: [line for line in (shared / name).read_text(encoding="utf-8").splitlines() if line.startswith("> [")]
             for name in ("default.md", "none.md", "full.md")}
    assert shown == {
        # the default with a key: the document by its case's label
        "default.md": ["> [Director, [Site 1]_team] · [[Case 1] L7]",
                       "> [Head of service, [Site 1] North] · [[Case 2] L3]",
                       "> [Director, London borough] · [[Case 4] L3]"],
        "none.md": ["> [Director, [Site 1]_team]", "> [Head of service, [Site 1] North]",
                    "> [Director, London borough]"],
        # asked for in full: the key is still applied, but the case id is shown
        "full.md": ["> [Director, [Site 1]_team] · [[Site 1]_01 L7]",
                    "> [Head of service, [Site 1] North] · [[Director A]-interview L3]",
                    "> [Director, London borough] · [director_london_borough L3]"],
    }
    labels = cli(root, "pseudonym", "labels", "--key", str(key), "--json")
    assert labels.exit_code == 0, labels.output
    assert [(r["kind"], r["name"], r["label"]) for r in json.loads(labels.stdout)] == [
        ("case", "oakfield_01", "[Case 1]"), ("case", "Margaret-Hill-interview", "[Case 2]"),
        ("case", "JUERGEN_WEISS", "[Case 3]"), ("case", "director_london_borough", "[Case 4]"),
        ("document", "oakfield_01", "[Case 1]"), ("document", "Margaret-Hill-interview", "[Case 2]"),
        ("document", "JUERGEN_WEISS", "[Case 3]"), ("document", "director_london_borough", "[Case 4]")]
    pseudonymised_only = cli(root, "quotes", "--theme", "2", "--coder", "alice", "--refs", "pseudonymised")
    assert pseudonymised_only.exit_code == 1
    assert "pseudonymised references need a pseudonym key" in pseudonymised_only.stderr


def test_a_leaking_export_is_refused_and_nothing_is_left(hostile) -> None:
    root, key, shared = hostile
    # "Overview" and "framework" are written by the program itself (a sheet's name, the REFI-QDA
    # origin): a key naming them makes files that still hold a key term
    strict = key.with_name("strict.csv")
    strict.write_text(KEY + "Overview,Sheet X\nframework,Tool X\n", encoding="utf-8")
    shared.mkdir()
    refused = cli(root, "chart", "export", "--format", "xlsx", "--coder", "alice", "--out", str(shared),
                  "--pseudonymise", str(strict))
    assert refused.exit_code == 1
    assert refused.stderr.startswith("framework: not written: the pseudonymised export still holds ")
    assert f"{shared / 'charts-alice.xlsx'}: document properties, creator: 'framework' (key term 'framework')" \
        in refused.stderr
    assert f"{shared / 'charts-alice.xlsx'}: xl/workbook.xml, line 1: 'Overview' (key term 'Overview')" in refused.stderr
    qdpx = cli(root, "export", "qdpx", "--out", str(shared / "study.qdpx"), "--pseudonymise", str(strict))
    assert qdpx.exit_code == 1 and "'framework' (key term 'framework')" in qdpx.stderr
    several = cli(root, "chart", "export", "--format", "csv", "--coder", "alice", "--out", str(shared),
                  "--pseudonymise", str(strict))
    assert several.exit_code == 0, several.output  # nothing fixed in a CSV chart names the key's terms
    assert sorted(p.name for p in shared.iterdir()) == ["chart-1-alice.csv", "chart-2-alice.csv"]
    assert all(not leaks(p) for p in shared.iterdir())


def test_names_that_would_be_written_as_they_are_are_refused(hostile) -> None:
    root, key, shared = hostile
    shared.mkdir()
    named = cli(root, "quotes", "--theme", "1", "--coder", "alice", "--out", str(shared / "Oakfield-quotes.md"),
                "--pseudonymise", str(key))
    assert named.exit_code == 1
    assert "Oakfield-quotes.md: the file name holds 'Oakfield', a term of the pseudonym key" in named.stderr
    qdpx = cli(root, "export", "qdpx", "--out", str(shared / "oakfield.qdpx"), "--pseudonymise", str(key))
    assert qdpx.exit_code == 1 and "the file name holds 'Oakfield'" in qdpx.stderr
    assert list(shared.iterdir()) == []
    themes = root / "themes.yaml"
    themes.write_text(THEMES + '  - id: "oakfield.2"\n    label: Other\n', encoding="utf-8")
    theme_id = cli(root, "chart", "export", "--format", "md", "--coder", "alice", "--out", str(shared),
                   "--pseudonymise", str(key))
    assert theme_id.exit_code == 1
    assert "theme id 'oakfield.2' holds 'Oakfield', a term of the pseudonym key" in theme_id.stderr
    assert list(shared.iterdir()) == []


def test_check_uses_the_key_chosen_for_the_project(hostile) -> None:
    root, key, shared = hostile
    shared.mkdir()
    leaky = shared / "notes.txt"
    leaky.write_text("first line\nthe OAKFIELD_team met\n", encoding="utf-8")
    missing = cli(root, "pseudonym", "check", str(leaky))
    assert missing.exit_code == 1 and "no pseudonym key chosen for this project: give --key" in missing.stderr
    settings = root / ".framework" / "settings.json"
    settings.parent.mkdir(exist_ok=True)
    data = json.loads(settings.read_text(encoding="utf-8")) if settings.exists() else {}
    settings.write_text(json.dumps({**data, "pseudonym_key": str(key)}), encoding="utf-8")
    found = cli(root, "pseudonym", "check", str(leaky), "--json")
    assert found.exit_code == 1
    assert json.loads(found.stdout) == [{"file": str(leaky), "place": "line 2", "term": "Oakfield",
                                         "found": "OAKFIELD", "context": "first line the «OAKFIELD»_team met"}]


def test_pseudonymised_documents_carry_no_names_in_their_properties(hostile) -> None:
    from docx import Document
    from openpyxl import load_workbook

    from framework.export.pseudonymise import PSEUDONYM_NOTE

    root, key, shared = hostile
    for fmt in ("docx", "xlsx"):
        result = cli(root, "chart", "export", "--format", fmt, "--coder", "margaret.k", "--out", str(shared),
                     "--pseudonymise", str(key))
        assert result.exit_code == 0, result.output
    props = Document(str(shared / "charts-Director_A.k.docx")).core_properties
    assert (props.title, props.author, props.last_modified_by, props.comments, props.subject, props.keywords) == (
        "Framework charts ([Director A].k)", "framework", "framework", PSEUDONYM_NOTE, "", "")
    book = load_workbook(shared / "charts-Director_A.k.xlsx").properties
    assert (book.title, book.creator, book.lastModifiedBy, book.description) == (
        "Framework charts ([Director A].k)", "framework", "framework", PSEUDONYM_NOTE)
