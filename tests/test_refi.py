"""REFI-QDA exchange: schema validity, round trips, stable bytes, positions and safe reading."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from framework.cli import main
from framework.coding.actions import add_coding, set_cell
from framework.confidentiality.check import check
from framework.confidentiality.key import Pseudonymiser
from framework.errors import InputError
from framework.exchange.qdpx import export_qdc, export_qdpx, import_qdpx, read_qdc
from framework.project import init_project, open_project

from .conftest import write_project

SCHEMAS = Path(__file__).parent / "data" / "refi-qda"
NS = "urn:QDA-XML:project:1.0"


def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def code(store, coder: str, doc: str, theme: str, quote: str, memo: str = "") -> None:
    document = store.documents.get(doc)
    text = store.documents.text(document.id)
    start = text.index(quote)
    add_coding(store, coder, document.id, theme, start, start + len(quote), memo)


@pytest.fixture
def coded(tmp_path: Path):
    """The test project with include/exclude notes, two coders' codings, a summary and memos."""
    root = write_project(tmp_path / "coded")
    themes = (root / "themes.yaml").read_text(encoding="utf-8")
    themes = themes.replace(
        "        description: Posts left unfilled\n",
        "        description: Posts left unfilled\n        include: Vacancy rates\n        exclude: Agency cover\n",
    )
    (root / "themes.yaml").write_text(themes, encoding="utf-8")
    project = open_project(root)
    store = project.store
    code(store, "alice", "dir_london", "1.1", "vacancy rate of about 20 per cent", memo="Stated as a rate")
    code(store, "bob", "dir_london", "1.1", "vacancy rate of about 20 per cent")
    code(store, "alice", "dir_london", "1.2", "We rely on agency staff")
    code(store, "bob", "dir_london", "2.1", "Caseloads are around 22 for a full-time worker.\nSome carry more")
    code(store, "alice", "ad_county", "2.2.1", "Nothing is left unallocated for long.")
    code(store, "alice", "ad_county", "3", "we use a reflective model with Zoë’s team")
    code(store, "bob", "hos_met", "1", "Recruitment is hard.")
    case = store.cases.get("dir_london")
    set_cell(store, "alice", case.id, "1.1", "alice", summary="About 20% vacancies; relies on agency staff.")
    set_cell(store, "bob", case.id, "2", "bob", summary="Caseloads ~22.", status="done")
    with store.write() as conn:
        for kind, target, text in (("project", "", "Framework agreed at the March meeting."),
                                   ("theme", "2.2", "Allocation overlaps with 2.1."),
                                   ("document", "hos_met", "Short interview, phone line poor."),
                                   ("case", "ad_county", "Second interview planned.")):
            conn.execute("INSERT INTO memos(coder, target_kind, target_id, text, created_at, updated_at) "
                         "VALUES ('alice', ?, ?, ?, '2026-01-05T10:00:00+00:00', '2026-01-05T10:00:00+00:00')",
                         (kind, target, text))
    yield project
    project.close()


def snapshot(store) -> dict[str, list]:
    return {
        "documents": sorted((d.name, store.documents.text(d.id), d.case, d.kind) for d in store.documents.list()),
        "themes": sorted((t.id, t.label, t.parent_id, t.description, t.include, t.exclude)
                         for t in store.themes.list()),
        "cases": sorted((c.name, tuple(sorted(c.attributes.items()))) for c in store.cases.list()),
        "attributes": sorted((a.name, a.type) for a in store.cases.attributes()),
        "codings": sorted((c.coder, c.document, c.theme_id, c.start, c.end, c.quote, c.memo)
                          for c in store.codings.list()),
        "summaries": sorted((r["case"], r["theme_id"], r["layer"], r["summary"], r["status"]) for r in store.query(
            "SELECT c.name AS 'case', k.theme_id, k.layer, k.summary, k.status FROM chart_cells k "
            "JOIN cases c ON c.id = k.case_id")),
        "memos": sorted((r["coder"], r["target_kind"], r["target_id"], r["text"])
                        for r in store.query("SELECT * FROM memos")),
    }


def new_project(path: Path):
    init_project(path)
    return open_project(path)


# -- writing ------------------------------------------------------------------------------------


def test_qdc_is_valid_and_nests_codes(coded, tmp_path):
    out = tmp_path / "codebook.qdc"
    result = export_qdc(coded, out, coder="alice")
    assert result.themes == 8
    doc = etree.parse(str(out))
    assert schema("Codebook.xsd").validate(doc), schema("Codebook.xsd").error_log
    ns = {"c": "urn:QDA-XML:codebook:1.0"}
    names = [c.get("name") for c in doc.findall("c:Codes/c:Code", ns)]
    assert names == ["1 Staffing", "2 Workload", "3 Supervision"]
    deep = doc.find("c:Codes/c:Code[2]/c:Code[2]/c:Code", ns)
    assert deep.get("name") == "2.2.1 Unallocated cases"
    vacancies = doc.find("c:Codes/c:Code[1]/c:Code[1]/c:Description", ns).text
    assert vacancies == "Posts left unfilled\n\nInclude: Vacancy rates\n\nExclude: Agency cover"


def test_qdpx_is_valid_and_holds_everything(coded, tmp_path):
    out = tmp_path / "project.qdpx"
    result = export_qdpx(coded, out, coder="alice")
    assert (result.documents, result.themes, result.codings, result.cases) == (3, 8, 7, 3)
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        qde = archive.read("project.qde")
    # the project, three sources, and the two chart summaries and the theme memo as text files
    assert names[0] == "project.qde" and len(names) == 7
    root = etree.fromstring(qde)
    assert schema("Project.xsd").validate(root), schema("Project.xsd").error_log
    ns = {"p": NS}
    users = {u.get("guid"): u.get("name") for u in root.findall("p:Users/p:User", ns)}
    assert sorted(users.values()) == ["alice", "bob"]
    codings = root.findall(".//p:PlainTextSelection/p:Coding", ns)
    assert sorted(users[c.get("creatingUser")] for c in codings) == ["alice"] * 4 + ["bob"] * 3
    # each coding is a selection of its own, made by its coder (QualCoder reads the selection's coder)
    selections = root.findall(".//p:PlainTextSelection", ns)
    assert len(selections) == 7 and all(len(s.findall("p:Coding", ns)) == 1 for s in selections)
    assert all(s.get("creatingUser") == s.find("p:Coding", ns).get("creatingUser") for s in selections)
    same = [s for s in selections if s.get("name") == "vacancy rate of about 20 per cent"]
    assert sorted(users[s.get("creatingUser")] for s in same) == ["alice", "bob"]
    assert [s.findtext("p:Description", None, ns) for s in same] == ["Stated as a rate", None]
    case = root.find("p:Cases/p:Case[@name='dir_london']", ns)
    assert [v.find("p:TextValue", ns).text for v in case.findall("p:VariableValue", ns)[:2]] == \
        ["Director", "Children's services"]
    assert case.find("p:VariableValue[4]/p:IntegerValue", ns).text == "1"
    notes = root.findall("p:Notes/p:Note", ns)
    assert len(notes) == 2 + 4 + 1  # summaries, memos, the coding memo
    assert all(n.get("creationDateTime") for n in notes)
    assert root.findtext("p:Description", None, ns) == "Framework agreed at the March meeting."
    assert root.findtext("p:Cases/p:Case[@name='ad_county']/p:Description", None, ns) == "Second interview planned."
    assert root.findtext("p:Sources/p:TextSource[@name='hos_met']/p:Description", None, ns) == \
        "Short interview, phone line poor."
    code_11 = root.find(".//p:Code[@name='1.1 Vacancies']", ns)
    summary_guid = code_11.find("p:NoteRef", ns).get("targetGUID")
    summary = root.find(f"p:Notes/p:Note[@guid='{summary_guid}']", ns)
    assert summary.get("plainTextPath") == f"internal://{summary_guid}.txt"
    with zipfile.ZipFile(out) as archive:
        assert archive.read(f"sources/{summary_guid}.txt").decode() == "About 20% vacancies; relies on agency staff."
    assert len(root.findall("p:NoteRef", ns)) == 2  # project memo, case memo


def test_two_exports_are_byte_identical(coded, tmp_path):
    first, second = tmp_path / "a.qdpx", tmp_path / "b.qdpx"
    export_qdpx(coded, first, coder="alice")
    coded.close()
    runner = CliRunner()
    result = runner.invoke(main, ["--project", str(coded.root), "export", "qdpx", "--out", str(second)])
    assert result.exit_code == 0, result.output
    assert first.read_bytes() == second.read_bytes()
    qdc1, qdc2 = tmp_path / "a.qdc", tmp_path / "b.qdc"
    for out in (qdc1, qdc2):
        assert runner.invoke(main, ["--project", str(coded.root), "export", "qdc", "--out", str(out)]).exit_code == 0
    assert qdc1.read_bytes() == qdc2.read_bytes()


def test_every_export_is_logged(coded, tmp_path):
    key = tmp_path / "key.csv"
    key.write_text("term,replacement\nZoë,Colleague 1\n", encoding="utf-8")
    export_qdc(coded, tmp_path / "c.qdc", coder="alice")
    export_qdpx(coded, tmp_path / "p.qdpx", coder="alice", key=Pseudonymiser.load(key))
    logged = [a.payload for a in coded.store.actions.list() if a.kind == "export"]
    assert logged[0] == {"format": "qdc", "file": str(tmp_path / "c.qdc"), "pseudonym_key": None, "key_sha256": None}
    assert logged[1]["format"] == "qdpx" and logged[1]["pseudonym_key"] == str(key)
    assert logged[1]["key_sha256"] == Pseudonymiser.load(key).sha256 and len(logged[1]["key_sha256"]) == 64


# -- round trip ----------------------------------------------------------------------------------


def test_round_trip_into_a_new_project(coded, tmp_path):
    out = tmp_path / "project.qdpx"
    export_qdpx(coded, out, coder="alice")
    target = new_project(tmp_path / "copy")
    try:
        report = import_qdpx(target, out, "carol")
        assert report.corrected == [] and report.outside == [] and report.warnings == []
        assert snapshot(target.store) == snapshot(coded.store)
        assert "themes: 8 added" in report.summary() and "codings: 7 added" in report.summary()
        # the framework came back into themes.yaml, the source of truth
        assert 'label: "Unallocated cases"' in target.themes_path.read_text(encoding="utf-8")
        # importing again changes nothing
        again = import_qdpx(target, out, "carol")
        assert (again.codings, again.duplicates, len(again.unchanged)) == (0, 7, 3)
        assert snapshot(target.store) == snapshot(coded.store)
    finally:
        target.close()


def test_codebook_round_trip_and_foreign_codebooks(coded, tmp_path):
    out = tmp_path / "codebook.qdc"
    export_qdc(coded, out, coder="alice")
    specs = read_qdc(out)
    flat = [(s.id, s.label) for s in _walk(specs)]
    assert flat == [("1", "Staffing"), ("1.1", "Vacancies"), ("1.2", "Agency staff"), ("2", "Workload"),
                    ("2.1", "Caseloads"), ("2.2", "Allocation"), ("2.2.1", "Unallocated cases"), ("3", "Supervision")]
    assert (specs[0].children[0].include, specs[0].children[0].exclude) == ("Vacancy rates", "Agency cover")
    foreign = tmp_path / "foreign.qdc"
    foreign.write_text(
        '<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="NVivo"><Codes>'
        '<Code guid="11111111-1111-1111-1111-111111111111" name="Morale" isCodable="true">'
        '<Code guid="22222222-2222-2222-2222-222222222222" name="Burnout" isCodable="true"/></Code>'
        '<Code guid="33333333-3333-3333-3333-333333333333" name="Training" isCodable="true"/></Codes></CodeBook>',
        encoding="utf-8")
    assert [(s.id, s.label) for s in _walk(read_qdc(foreign, taken={"1", "2", "3", "2.1"}))] == \
        [("4", "Morale"), ("4.1", "Burnout"), ("5", "Training")]
    numbered = tmp_path / "numbered.qdc"
    numbered.write_text(foreign.read_text(encoding="utf-8").replace('"Morale"', '"7 Morale"')
                        .replace('"Burnout"', '"7.1 Burnout"').replace('"Training"', '"8 Training"'), encoding="utf-8")
    assert [(s.id, s.label) for s in _walk(read_qdc(numbered))] == [("7", "Morale"), ("7.1", "Burnout"), ("8", "Training")]


def _walk(specs):
    for spec in specs:
        yield spec
        yield from _walk(spec.children)


# -- positions -----------------------------------------------------------------------------------

SRC_GUID = "aaaaaaaa-0000-4000-8000-000000000001"
CODE_GUID = "bbbbbbbb-0000-4000-8000-000000000002"
USER_GUID = "cccccccc-0000-4000-8000-000000000003"


def make_qdpx(path: Path, source: bytes, selections: list[tuple[int, int]], *, qde: str | None = None,
              extra: dict[str, bytes] | None = None) -> Path:
    sels = "".join(
        f'<PlainTextSelection guid="dddddddd-0000-4000-8000-{i:012d}" startPosition="{s}" endPosition="{e}">'
        f'<Coding guid="eeeeeeee-0000-4000-8000-{i:012d}" creatingUser="{USER_GUID}"><CodeRef targetGUID="{CODE_GUID}"/>'
        "</Coding></PlainTextSelection>"
        for i, (s, e) in enumerate(selections))
    qde = qde or (
        f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="From elsewhere" origin="Other QDA">'
        f'<Users><User guid="{USER_GUID}" name="dana"/></Users>'
        f'<CodeBook><Codes><Code guid="{CODE_GUID}" name="Places" isCodable="true"/></Codes></CodeBook>'
        f'<Sources><TextSource guid="{SRC_GUID}" name="windows_doc" plainTextPath="internal://{SRC_GUID}.txt">'
        f"{sels}</TextSource></Sources></Project>")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
        archive.writestr(f"sources/{SRC_GUID}.txt", source)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


CRLF_TEXT = "First line here.\r\nSecond line about Leeds.\r\nThird line about Bradford and Hull.\r\n"


def _positions(text: str, words: list[str]) -> list[tuple[int, int]]:
    return [(text.index(w), text.index(w) + len(w)) for w in words]


def _quotes(project) -> list[str]:
    return sorted(c.quote for c in project.store.codings.list())


def test_positions_counting_crlf_as_two_characters_are_corrected(tmp_path):
    words = ["Leeds", "Bradford", "Hull"]
    path = make_qdpx(tmp_path / "win.qdpx", CRLF_TEXT.encode("utf-8"), _positions(CRLF_TEXT, words))
    target = new_project(tmp_path / "p")
    try:
        report = import_qdpx(target, path, "carol")
        assert _quotes(target) == sorted(words)
        assert report.corrected == [
            "windows_doc: positions read as code points, line ends as written in the file (CRLF as two): "
            "6 of 6 selection ends on word boundaries (next best, code points, line ends as one character: 2 of 6)"]
        assert target.store.documents.text(target.store.documents.get("windows_doc").id) == CRLF_TEXT.replace("\r\n", "\n")
        assert {c.coder for c in target.store.codings.list()} == {"dana"}
        assert [t.id for t in target.store.themes.list()] == ["1"]  # the placeholder framework was replaced
    finally:
        target.close()


def test_positions_counting_crlf_as_one_character_are_kept(tmp_path):
    words = ["Leeds", "Bradford", "Hull"]
    normalised = CRLF_TEXT.replace("\r\n", "\n")
    path = make_qdpx(tmp_path / "win.qdpx", CRLF_TEXT.encode("utf-8"), _positions(normalised, words))
    target = new_project(tmp_path / "p")
    try:
        report = import_qdpx(target, path, "carol")
        assert _quotes(target) == sorted(words) and report.corrected == []
    finally:
        target.close()


def test_positions_counting_line_ends_as_two_in_an_lf_file_are_corrected(tmp_path):
    words = ["Leeds", "Bradford", "Hull"]
    lf = CRLF_TEXT.replace("\r\n", "\n")
    path = make_qdpx(tmp_path / "lf.qdpx", lf.encode("utf-8"), _positions(CRLF_TEXT, words))
    target = new_project(tmp_path / "p")
    try:
        report = import_qdpx(target, path, "carol")
        assert _quotes(target) == sorted(words)
        assert report.corrected == [
            "windows_doc: positions read as code points, every line end as two: 6 of 6 selection ends on word "
            "boundaries (next best, code points, line ends as one character: 2 of 6)"]
    finally:
        target.close()


def test_selection_past_the_end_is_reported(tmp_path):
    text = "Met the team in Leeds.\n"
    path = make_qdpx(tmp_path / "x.qdpx", text.encode(), [(16, 21), (18, 400), (30, 35)])
    target = new_project(tmp_path / "p")
    try:
        report = import_qdpx(target, path, "carol")
        assert _quotes(target) == ["Leeds"]
        assert report.outside == [
            "windows_doc: selection 18-400 does not fit the text (23 characters); skipped",
            "windows_doc: selection 30-35 does not fit the text (23 characters); skipped",
        ]
        assert "outside the text: windows_doc: selection 18-400" in report.summary()
    finally:
        target.close()


# -- safe reading ---------------------------------------------------------------------------------


def _unchanged(project, before: dict, themes: bytes) -> None:
    assert snapshot(project.store) == before
    assert project.themes_path.read_bytes() == themes


@pytest.fixture
def victim(project):
    return project, snapshot(project.store), project.themes_path.read_bytes()


def test_zip_entry_escaping_the_folder_is_refused(victim, tmp_path):
    project, before, themes = victim
    path = make_qdpx(tmp_path / "evil.qdpx", b"Leeds", [(0, 5)], extra={"../evil.txt": b"gotcha"})
    with pytest.raises(InputError, match=r"evil\.qdpx.*'\.\./evil\.txt'.*outside"):
        import_qdpx(project, path, "carol")
    _unchanged(project, before, themes)
    assert not (tmp_path.parent / "evil.txt").exists()


@pytest.mark.parametrize("name", ["/etc/evil.txt", "C:/evil.txt", "sources\\..\\evil.txt"])
def test_other_unsafe_entry_names_are_refused(victim, tmp_path, name):
    project, before, themes = victim
    path = make_qdpx(tmp_path / "evil.qdpx", b"Leeds", [(0, 5)], extra={name: b"x"})
    with pytest.raises(InputError, match="unsafe"):
        import_qdpx(project, path, "carol")
    _unchanged(project, before, themes)


XXE = f"""<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Project xmlns="{NS}" name="&secret;"/>"""

LAUGHS = f"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Project xmlns="{NS}" name="&lol3;"/>"""


@pytest.mark.parametrize("qde", [XXE, LAUGHS], ids=["external-entity", "billion-laughs"])
def test_entities_are_refused(victim, tmp_path, qde):
    project, before, themes = victim
    path = make_qdpx(tmp_path / "bad.qdpx", b"Leeds", [], qde=qde)
    with pytest.raises(InputError, match=r"bad\.qdpx: project\.qde: refused because the XML declares"):
        import_qdpx(project, path, "carol")
    _unchanged(project, before, themes)


def test_damaged_zip_is_refused_and_nothing_changes(victim, coded, tmp_path):
    project, before, themes = victim
    good = tmp_path / "good.qdpx"
    export_qdpx(coded, good, coder="alice")
    damaged = tmp_path / "damaged.qdpx"
    damaged.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    with pytest.raises(InputError) as caught:
        import_qdpx(project, damaged, "carol")
    assert str(caught.value).startswith(f"{damaged}: not a usable .qdpx file: the zip archive is damaged")
    assert "Nothing was changed" in str(caught.value)
    _unchanged(project, before, themes)
    runner = CliRunner()
    result = runner.invoke(main, ["--project", str(project.root), "import-qdpx", str(damaged)])
    assert result.exit_code == 1 and "damaged" in result.output


def test_malformed_xml_is_refused(victim, tmp_path):
    project, before, themes = victim
    path = make_qdpx(tmp_path / "broken.qdpx", b"Leeds", [], qde="<Project><Sources>")
    with pytest.raises(InputError, match=r"broken\.qdpx: project\.qde: the XML is malformed"):
        import_qdpx(project, path, "carol")
    _unchanged(project, before, themes)


def test_zip_bomb_is_refused(victim, tmp_path):
    project, before, themes = victim
    path = make_qdpx(tmp_path / "bomb.qdpx", b"Leeds", [(0, 5)])
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("sources/big.txt", b"\0" * (8 * 1024 * 1024))
    with pytest.raises(InputError, match="zip bomb"):
        import_qdpx(project, path, "carol")
    _unchanged(project, before, themes)


def test_document_with_other_text_is_a_conflict(victim, tmp_path):
    project, before, themes = victim
    path = make_qdpx(tmp_path / "clash.qdpx", b"Leeds", [(0, 5)])
    with zipfile.ZipFile(path) as archive:
        qde = archive.read("project.qde").decode().replace('name="windows_doc"', 'name="dir_london"')
    make_qdpx(path, b"Leeds", [], qde=qde)
    with pytest.raises(InputError, match="'dir_london' is already in the project with other text"):
        import_qdpx(project, path, "carol")
    _unchanged(project, before, themes)


def test_import_into_a_working_project_keeps_its_framework(project, tmp_path):
    path = make_qdpx(tmp_path / "x.qdpx", b"They moved to Leeds in May.", [(14, 19)])
    report = import_qdpx(project, path, "carol")
    assert report.themes_added == ["4"]
    text = project.themes_path.read_text(encoding="utf-8")
    assert text.startswith("# Test framework") and 'label: "Places"' in text
    assert _quotes(project) == ["Leeds"]
    assert [c.theme_id for c in project.store.codings.list()] == ["4"]


# -- pseudonymised export ------------------------------------------------------------------------


def test_pseudonymised_export(coded, tmp_path):
    key_path = tmp_path / "keys" / "key.csv"
    key_path.parent.mkdir()
    key_path.write_text("term,replacement\nZoë,Colleague 1\nagency staff,Staff group X\n", encoding="utf-8")
    key = Pseudonymiser.load(key_path)
    plain, masked = tmp_path / "plain.qdpx", tmp_path / "masked.qdpx"
    export_qdpx(coded, plain, coder="alice")
    export_qdpx(coded, masked, coder="alice", key=key)
    assert check(plain, key) == ["Zoë", "agency staff"]
    assert check(masked, key) == []
    with zipfile.ZipFile(masked) as archive:
        assert schema("Project.xsd").validate(etree.fromstring(archive.read("project.qde")))
    target = new_project(tmp_path / "copy")
    try:
        import_qdpx(target, masked, "carol")
        quotes = _quotes(target)
        assert "we use a reflective model with [Colleague 1]’s team" in quotes
        assert "We rely on [Staff group X]" in quotes
        for c in target.store.codings.list():  # every selection still covers its passage
            assert target.store.documents.text(c.document_id)[c.start:c.end] == c.quote
        summaries = [r["summary"] for r in target.store.query("SELECT summary FROM chart_cells")]
        assert "About 20% vacancies; relies on [Staff group X]." in summaries
    finally:
        target.close()
    # stored originals are never changed
    assert "Zoë" in coded.store.documents.text(coded.store.documents.get("ad_county").id)
    key_in_exports = coded.exports_dir / "key.csv"
    key_in_exports.write_text(key_path.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(InputError, match="must not be kept in"):
        export_qdpx(coded, tmp_path / "x.qdpx", coder="alice", key=Pseudonymiser.load(key_in_exports))


FOREIGN = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="Elsewhere" origin="Another program 2.0">
  <Users><User guid="{USER_GUID}" name="Dana, R."/></Users>
  <CodeBook><Codes>
    <Code guid="{CODE_GUID}" name="Places" isCodable="false" color="#112233">
      <Description>Where things happen</Description>
      <NoteRef targetGUID="99999999-0000-4000-8000-000000000001"/>
      <Code guid="bbbbbbbb-0000-4000-8000-000000000099" name="Cities" isCodable="true" color="#112233"/>
    </Code>
  </Codes></CodeBook>
  <Variables><Variable guid="77777777-0000-4000-8000-000000000001" name="region" typeOfVariable="Text"/></Variables>
  <Sources>
    <TextSource guid="{SRC_GUID}" name="notes_1" plainTextPath="internal://{SRC_GUID}.txt">
      <PlainTextSelection guid="dddddddd-0000-4000-8000-000000000001" startPosition="14" endPosition="19"
          creatingUser="{USER_GUID}">
        <Coding guid="eeeeeeee-0000-4000-8000-000000000001">
          <CodeRef targetGUID="bbbbbbbb-0000-4000-8000-000000000099"/>
          <NoteRef targetGUID="99999999-0000-4000-8000-000000000002"/>
        </Coding>
      </PlainTextSelection>
      <Coding guid="eeeeeeee-0000-4000-8000-000000000002" creatingUser="{USER_GUID}">
        <CodeRef targetGUID="{CODE_GUID}"/>
      </Coding>
      <NoteRef targetGUID="99999999-0000-4000-8000-000000000003"/>
      <VariableValue><VariableRef targetGUID="77777777-0000-4000-8000-000000000001"/><TextValue>North</TextValue></VariableValue>
    </TextSource>
    <PDFSource guid="aaaaaaaa-0000-4000-8000-000000000077" name="scan" path="relative://scan.pdf"/>
  </Sources>
  <Notes>
    <Note guid="99999999-0000-4000-8000-000000000001" name="About places"><PlainTextContent>Code memo</PlainTextContent></Note>
    <Note guid="99999999-0000-4000-8000-000000000002" name="m"><PlainTextContent>Coding memo</PlainTextContent></Note>
    <Note guid="99999999-0000-4000-8000-000000000003" name="d"><PlainTextContent>Source memo</PlainTextContent></Note>
    <Note guid="99999999-0000-4000-8000-000000000004" name="Loose"><PlainTextContent>Loose memo</PlainTextContent></Note>
  </Notes>
</Project>"""


def test_import_from_another_program(tmp_path):
    path = make_qdpx(tmp_path / "other.qdpx", b"They moved to Leeds in May.", [], qde=FOREIGN)
    target = new_project(tmp_path / "p")
    try:
        report = import_qdpx(target, path, "carol")
        store = target.store
        assert [(t.id, t.label, t.parent_id, t.colour) for t in store.themes.list()] == [
            ("1", "Places", None, "#112233"), ("1.1", "Cities", "1", "#112233")]
        assert sorted((c.coder, c.theme_id, c.quote, c.memo) for c in store.codings.list()) == [
            ("Dana R.", "1", "They moved to Leeds in May.", ""), ("Dana R.", "1.1", "Leeds", "Coding memo")]
        assert store.cases.get("notes_1").attributes == {"region": "North"}
        assert snapshot(store)["memos"] == [("carol", "document", "notes_1", "Source memo"),
                                            ("carol", "project", "", "Loose memo"),
                                            ("carol", "theme", "1", "Code memo")]
        assert report.warnings == []
        assert report.skipped == {"PDFSources (only text sources can be imported)": 1}
        assert "not imported: 1 PDFSources (only text sources can be imported)" in report.summary()
    finally:
        target.close()


def test_commands(coded, tmp_path):
    coded.close()
    key = tmp_path / "key.csv"
    key.write_text("term,replacement\nZoë,Colleague 1\n", encoding="utf-8")
    out = tmp_path / "masked.qdpx"
    runner = CliRunner()
    result = runner.invoke(main, ["--project", str(coded.root), "export", "qdpx", "--out", str(out),
                                  "--pseudonymise", str(key)])
    assert result.exit_code == 0, result.output
    assert "(pseudonymised)" in result.output
    assert runner.invoke(main, ["pseudonym", "check", str(out), "--key", str(key)]).exit_code == 0
    init_project(tmp_path / "copy")
    result = runner.invoke(main, ["--project", str(tmp_path / "copy"), "import-qdpx", str(out)])
    assert result.exit_code == 0, result.output
    assert "masked.qdpx: documents: 3 added" in result.output
