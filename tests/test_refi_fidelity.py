"""Codings from other programs land on the words they meant, or are refused out loud.

The real NVivo 12 export in shared/ (UTF-16 code units over CRLF text, with emoji), one
generated file for each way of counting positions, quotes as evidence, refusal, our own
round trip of codings that end mid-word, and what else others send (memos in
descriptions, annotations, groups, categories).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from framework.cli import main
from framework.coding.actions import add_coding
from framework.errors import InputError
from framework.exchange.positions import boundary
from framework.exchange.qdpx import export_qdpx, import_qdpx
from framework.project import init_project, open_project
from tests.test_refi import CODE_GUID, NS, SRC_GUID, USER_GUID, coded, make_qdpx, snapshot  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
NVIVO = next((p / "data" / "refi-qda" / "nvivo" / "oltas.qdpx" for p in (ROOT.parent / "shared", ROOT.parents[1] / "shared")
              if (p / "data" / "refi-qda" / "nvivo" / "oltas.qdpx").exists()), None)


def new_project(path: Path):
    init_project(path)
    return open_project(path)


# -- the real NVivo export ----------------------------------------------------------------------------


@pytest.mark.skipif(NVIVO is None, reason="the shared NVivo export is not here")
def test_real_nvivo_export_lands_every_coding_on_the_words_nvivo_coded(tmp_path):
    with zipfile.ZipFile(NVIVO) as archive:
        qde = archive.read("project.qde").decode("utf-8")
        name = next(n for n in archive.namelist() if n.endswith(".txt"))
        raw = archive.read(name).decode("utf-8-sig")
    # What NVivo coded, read independently: UTF-16 code units over the text as written.
    units = raw.encode("utf-16-le")
    expected = sorted(" ".join(units[2 * int(s):2 * int(e)].decode("utf-16-le").split())
                      for s, e in re.findall(r'startPosition="(\d+)" endPosition="(\d+)"', qde))
    assert len(expected) == 97
    target = new_project(tmp_path / "p")
    try:
        report = import_qdpx(target, NVIVO, "carol")
        store = target.store
        codings = store.codings.list()
        assert report.codings == 97 and report.refused == [] and report.outside == []
        assert report.positions == [
            "videos_selection: positions read as UTF-16 code units, line ends as written in the file (CRLF as "
            "two): 194 of 194 selection ends on word boundaries (next best, code points, line ends as written in "
            "the file (CRLF as two): 140 of 194)"]
        text = store.documents.text(codings[0].document_id)
        assert sorted(" ".join(c.quote.split()) for c in codings) == expected
        for c in codings:
            assert text[c.start:c.end] == c.quote
            assert boundary(text, c.start) and boundary(text, c.end)
            # NVivo coded whole comments: each coding starts at a line start and ends at a line end
            assert c.start == 0 or text[c.start - 1] == "\n"
            assert c.end == len(text) or text[c.end - 1] == "\n" or text[c.end] == "\n"
        assert {c.coder for c in codings} == {"floriansipos"}
        assert any(ord(ch) > 0xFFFF for c in codings for ch in c.quote)  # emoji inside codings
        # the file's own round trip: exported and imported again, every coding is where it was
        out = tmp_path / "again.qdpx"
        export_qdpx(target, out, coder="carol")
        copy = new_project(tmp_path / "copy")
        try:
            again = import_qdpx(copy, out, "carol")
            assert again.codings == 97 and again.corrected == []
            assert snapshot(copy.store)["codings"] == snapshot(store)["codings"]
        finally:
            copy.close()
    finally:
        target.close()


# -- each counting, generated -------------------------------------------------------------------------

TEXT = ("Interviewer: How was the move to Leeds? 🙂\r\n"
        "Respondent: Größer als gedacht 😅 — the team in Bradford 👍 took it well.\r\n"
        "\r\n"
        "Interviewer: And Hull?\r\n"
        "Respondent: Hull was harder; Zoë’s team 🚀 left in May.\r\n")
WORDS = ["Leeds", "Größer als gedacht", "Bradford", "took it well", "Hull", "Zoë’s team", "left in May"]


def _count(text: str, unit: str) -> int:
    return {"code points": len(text), "UTF-16 code units": len(text.encode("utf-16-le")) // 2,
            "UTF-8 bytes": len(text.encode("utf-8"))}[unit]


def positions(text: str, words: list[str], unit: str) -> list[tuple[int, int]]:
    """Where each word is in ``text``, counted in ``unit`` (the second Hull for "Hull")."""
    out = []
    for word in words:
        at = text.index(word) if word != "Hull" else text.index(word, text.index("Hull?") + 1)
        out.append((_count(text[:at], unit), _count(text[:at + len(word)], unit)))
    return out


@pytest.mark.parametrize(("unit", "ends"), [
    ("code points", "one character"), ("code points", "as written in the file (CRLF as two)"),
    ("UTF-16 code units", "as written in the file (CRLF as two)"), ("UTF-16 code units", "one character"),
    ("UTF-8 bytes", "one character"), ("UTF-8 bytes", "as written in the file (CRLF as two)"),
])
def test_each_counting_is_recognised(tmp_path, unit, ends):
    reference = TEXT if ends.startswith("as written") else TEXT.replace("\r\n", "\n")
    path = make_qdpx(tmp_path / "x.qdpx", TEXT.encode("utf-8"), positions(reference, WORDS, unit))
    target = new_project(tmp_path / "p")
    try:
        report = import_qdpx(target, path, "carol")
        assert sorted(c.quote for c in target.store.codings.list()) == sorted(WORDS)
        described = f"line ends as {ends}" if ends == "one character" else f"line ends {ends}"
        assert report.positions[0].startswith(f"windows_doc: positions read as {unit}, {described}: 14 of 14 "
                                              "selection ends on word boundaries")
        assert report.refused == []
    finally:
        target.close()


def test_utf16_over_lf_text_with_emoji(tmp_path):
    lf = TEXT.replace("\r\n", "\n")
    path = make_qdpx(tmp_path / "x.qdpx", lf.encode("utf-8"), positions(lf, WORDS, "UTF-16 code units"))
    target = new_project(tmp_path / "p")
    try:
        report = import_qdpx(target, path, "carol")
        assert sorted(c.quote for c in target.store.codings.list()) == sorted(WORDS)
        assert "read as UTF-16 code units, line ends as one character" in report.positions[0]
    finally:
        target.close()


def _with_names(path: Path, names: list[str]) -> None:
    """Give each selection a ``name`` (as QualCoder writes the selected text there)."""
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    qde = members["project.qde"].decode()
    for i, name in enumerate(names):
        qde = qde.replace(f'guid="dddddddd-0000-4000-8000-{i:012d}"',
                          f'guid="dddddddd-0000-4000-8000-{i:012d}" name="{name}"')
    members["project.qde"] = qde.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for n, data in members.items():
            archive.writestr(n, data)


def test_quoted_text_decides_where_word_boundaries_cannot(tmp_path):
    # Whole lines coded in a CRLF file: read either way, every end is a boundary; the names say which.
    text = "Alpha beta.\r\nGamma delta.\r\nEpsilon zeta.\r\nEta theta.\r\n"
    lines = ["Gamma delta.", "Epsilon zeta.", "Eta theta."]
    lf = text.replace("\r\n", "\n")
    spans = [(lf.index(w), lf.index(w) + len(w)) for w in lines]
    for counted, expected in ((lf, lines), (text, lines)):
        spans = [(counted.index(w), counted.index(w) + len(w)) for w in lines]
        path = make_qdpx(tmp_path / "q.qdpx", text.encode(), spans)
        _with_names(path, lines)
        target = new_project(tmp_path / f"p{len(counted)}")
        try:
            report = import_qdpx(target, path, "carol")
            assert sorted(c.quote for c in target.store.codings.list()) == sorted(expected)
            assert "3 of 3 quoted selections match their text" in report.positions[0]
        finally:
            target.close()


def test_a_source_whose_selections_fit_no_counting_is_refused(tmp_path):
    text = "Recruitment is hard and agency staff cost more than permanent workers every single year.\n"
    words = ["Recruitment", "agency", "permanent", "workers", "single"]
    middles = [(text.index(w) + 2, text.index(w) + len(w) - 2) for w in words]  # every end inside a word
    path = make_qdpx(tmp_path / "bad.qdpx", text.encode(), middles)
    target = new_project(tmp_path / "p")
    try:
        report = import_qdpx(target, path, "carol")
        assert target.store.codings.count() == 0 and target.store.documents.find("windows_doc") is None
        assert report.refused == [
            "windows_doc: its 5 selections fit no counting of positions (best: code points, line ends as one "
            "character, 0 of 10 selection ends on word boundaries); the source and its codings were not imported. "
            "Check the file in the program that wrote it."]
        assert "REFUSED: windows_doc" in report.summary()
    finally:
        target.close()
    result = CliRunner().invoke(main, ["--project", str(tmp_path / "p"), "import", str(path)])
    assert result.exit_code == 0 and "REFUSED: windows_doc: its 5 selections" in result.output


# -- our own round trip -------------------------------------------------------------------------------


def _strip_names(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    members["project.qde"] = re.sub(rb' name="[^"]*" startPosition', b" startPosition", members["project.qde"])
    with zipfile.ZipFile(path, "w") as archive:
        for n, data in members.items():
            archive.writestr(n, data)


@pytest.mark.parametrize("names", [True, False], ids=["as-written", "without-names"])
def test_own_codings_that_end_mid_word_are_never_moved(coded, tmp_path, names):  # noqa: F811
    store = coded.store
    doc = store.documents.get("dir_london")
    text = store.documents.text(doc.id)
    at = text.index("Caseloads are around 22")
    add_coding(store, "carol", doc.id, "2.1", at + 3, at + 14)  # "eloads are " ends mid-word: "eloads are a"
    out = tmp_path / "own.qdpx"
    export_qdpx(coded, out, coder="alice")
    if not names:
        _strip_names(out)
    target = new_project(tmp_path / "copy")
    try:
        report = import_qdpx(target, out, "carol")
        assert report.corrected == [] and report.refused == []
        assert snapshot(target.store)["codings"] == snapshot(store)["codings"]
    finally:
        target.close()


# -- what others send ---------------------------------------------------------------------------------

OTHERS = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="Sent" origin="ATLAS.ti 23">
  <Users><User guid="{USER_GUID}" name="dana"/></Users>
  <CodeBook><Codes>
    <Code guid="{CODE_GUID}" name="Places" isCodable="false">
      <Code guid="bbbbbbbb-0000-4000-8000-000000000010" name="Cities" isCodable="true"/>
      <Code guid="bbbbbbbb-0000-4000-8000-000000000011" name="Rivers" isCodable="true"/>
    </Code>
  </Codes></CodeBook>
  <Cases><Case guid="cccccccc-0000-4000-8000-000000000020" name="site A"><Description>Visited twice</Description>
    <SourceRef targetGUID="{SRC_GUID}"/></Case></Cases>
  <Sources>
    <TextSource guid="{SRC_GUID}" name="notes_1" plainTextPath="internal://{SRC_GUID}.txt">
      <Description>Field notes, typed up</Description>
      <PlainTextSelection guid="dddddddd-0000-4000-8000-000000000001" name="Leeds" startPosition="14" endPosition="19">
        <Description>Where they went</Description>
        <Coding guid="eeeeeeee-0000-4000-8000-000000000001" creatingUser="{USER_GUID}">
          <CodeRef targetGUID="bbbbbbbb-0000-4000-8000-000000000010"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="dddddddd-0000-4000-8000-000000000002" startPosition="23" endPosition="26"
          creatingUser="{USER_GUID}">
        <Description>Check the month</Description>
      </PlainTextSelection>
      <PlainTextSelection guid="dddddddd-0000-4000-8000-000000000003" startPosition="0" endPosition="4">
        <NoteRef targetGUID="99999999-0000-4000-8000-000000000001"/>
      </PlainTextSelection>
      <NoteRef targetGUID="99999999-0000-4000-8000-000000000002"/>
    </TextSource>
    <PictureSource guid="aaaaaaaa-0000-4000-8000-000000000078" name="map" path="internal://map.png"/>
    <AudioSource guid="aaaaaaaa-0000-4000-8000-000000000079" name="tape" path="internal://tape.m4a"/>
    <PDFSource guid="aaaaaaaa-0000-4000-8000-000000000077" name="scan" path="relative://scan.pdf"/>
  </Sources>
  <Notes>
    <Note guid="99999999-0000-4000-8000-000000000001" name="a"><PlainTextContent>Who are they?</PlainTextContent></Note>
    <Note guid="99999999-0000-4000-8000-000000000002" name="b" creatingUser="{USER_GUID}">
      <PlainTextContent>Rivers matter here</PlainTextContent>
      <PlainTextSelection guid="dddddddd-0000-4000-8000-000000000009" startPosition="5" endPosition="10"/></Note>
  </Notes>
  <Sets>
    <Set guid="ffffffff-0000-4000-8000-000000000001" name="Geography"><Description>Codes about space</Description>
      <MemberCode targetGUID="bbbbbbbb-0000-4000-8000-000000000010"/>
      <MemberCode targetGUID="bbbbbbbb-0000-4000-8000-000000000011"/></Set>
    <Set guid="ffffffff-0000-4000-8000-000000000002" name="Northern sites">
      <MemberSource targetGUID="{SRC_GUID}"/></Set>
  </Sets>
  <Graphs><Graph guid="ffffffff-0000-4000-8000-000000000003" name="network"/></Graphs>
  <Description>A study of moves</Description>
</Project>"""


def test_memos_descriptions_annotations_and_groups_arrive(tmp_path):
    path = make_qdpx(tmp_path / "sent.qdpx", b"They moved to Leeds in May.", [], qde=OTHERS)
    target = new_project(tmp_path / "p")
    try:
        report = import_qdpx(target, path, "carol")
        store = target.store
        assert [(c.coder, c.theme_id, c.quote, c.memo) for c in store.codings.list()] == \
            [("dana", "1.1", "Leeds", "Where they went")]
        assert snapshot(store)["memos"] == [
            ("carol", "case", "site A", "Visited twice"),
            ("carol", "document", "notes_1", "Field notes, typed up"),
            ("carol", "document", "notes_1", "[notes_1 L1] “They”\n\nWho are they?"),
            ("carol", "project", "", "A study of moves"),
            ("carol", "project", "", "Code group “Geography”: 1.1 Cities; 1.2 Rivers\n\nCodes about space"),
            ("dana", "document", "notes_1", "[notes_1 L1] “May”\n\nCheck the month"),
            ("dana", "document", "notes_1", "[notes_1 L1] “moved”\n\nRivers matter here"),
        ]
        assert report.annotations == 3 and report.categories == 1
        assert store.cases.get("site A").attributes == {"Northern sites": "yes"}
        assert report.skipped == {"AudioSources (only text sources can be imported)": 1,
                                  "PDFSources (only text sources can be imported)": 1,
                                  "PictureSources (only text sources can be imported)": 1,
                                  "graphs (no place for them here)": 1}
        summary = report.summary()
        assert "1 categories not codable there became themes that group their subthemes" in summary
        assert "groups: document group 'Northern sites' (1 documents): case attribute 'Northern sites'" in summary
        assert ("not imported: 1 AudioSources (only text sources can be imported), 1 PDFSources (only text "
                "sources can be imported), 1 PictureSources (only text sources can be imported), 1 graphs "
                "(no place for them here)") in summary
    finally:
        target.close()


# -- codebooks whose ids clash --------------------------------------------------------------------------

CLASHING = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="MAXQDA 2022"><Codes>
  <Code guid="11111111-1111-1111-1111-111111111111" name="1 Morale" isCodable="true">
    <Code guid="11111111-1111-1111-1111-111111111112" name="1.1 Burnout" isCodable="true"/>
    <Code guid="11111111-1111-1111-1111-111111111113" name="1.2 Agency staff" isCodable="true"/></Code>
  <Code guid="22222222-2222-2222-2222-222222222222" name="2 Workload" isCodable="true">
    <Code guid="22222222-2222-2222-2222-222222222223" name="2.1 Caseloads" isCodable="true"/>
    <Code guid="22222222-2222-2222-2222-222222222224" name="2.9 Overtime" isCodable="true"/></Code>
  <Code guid="33333333-3333-3333-3333-333333333333" name="7 Staffing" isCodable="true"/>
</Codes></CodeBook>"""


def _tree(root: Path) -> list[tuple[str, str, str | None]]:
    project = open_project(root)
    try:
        return [(t.id, t.label, t.parent_id) for t in project.store.themes.list()]
    finally:
        project.close()


def test_codebook_ids_that_clash_are_renamed_and_listed(project, tmp_path):
    root = project.root
    project.close()
    before = _tree(root)
    book = tmp_path / "book.qdc"
    book.write_text(CLASHING, encoding="utf-8")
    runner = CliRunner()
    refused = runner.invoke(main, ["--project", str(root), "themes", "import", str(book), "--on-clash", "refuse"])
    assert refused.exit_code == 1
    assert "1 'Morale': id 1 is taken by 'Staffing'" in refused.output
    assert "1.1 'Burnout': id 4.1 is" not in refused.output and _tree(root) == before
    result = runner.invoke(main, ["--project", str(root), "themes", "import", str(book)])
    assert result.exit_code == 0, result.output
    after = _tree(root)
    added = sorted(set(after) - set(before))
    assert added == [("2.9", "Overtime", "2"), ("4", "Morale", None), ("4.1", "Burnout", "4"),
                     ("4.2", "Agency staff", "4")]
    assert "1 'Morale': id 1 is taken by 'Staffing'; imported as 4" in result.output
    assert "1.1 'Burnout': imported as 4.1 under 4" in result.output
    assert "7 'Staffing' is the project's theme 1" in result.output
    # importing it again adds nothing
    again = runner.invoke(main, ["--project", str(root), "themes", "import", str(book)])
    assert again.exit_code == 0 and _tree(root) == after and "0 theme(s) added" in again.output


def test_qdpx_codes_with_clashing_ids_carry_their_codings(project, tmp_path):
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="Sent" origin="MAXQDA 2022"><Users><User guid="{USER_GUID}" name="dana"/></Users>
<CodeBook><Codes><Code guid="{CODE_GUID}" name="1 Morale" isCodable="true">
  <Code guid="bbbbbbbb-0000-4000-8000-000000000010" name="1.1 Vacancies" isCodable="true"/></Code></Codes></CodeBook>
<Sources><TextSource guid="{SRC_GUID}" name="notes_1" plainTextPath="internal://{SRC_GUID}.txt">
  <PlainTextSelection guid="dddddddd-0000-4000-8000-000000000001" startPosition="14" endPosition="19">
    <Coding guid="eeeeeeee-0000-4000-8000-000000000001" creatingUser="{USER_GUID}">
      <CodeRef targetGUID="bbbbbbbb-0000-4000-8000-000000000010"/></Coding></PlainTextSelection>
</TextSource></Sources></Project>"""
    path = make_qdpx(tmp_path / "sent.qdpx", b"They moved to Leeds in May.", [], qde=qde)
    report = import_qdpx(project, path, "carol")
    themes = {t.id: (t.label, t.parent_id) for t in project.store.themes.list()}
    # "Morale > Vacancies" is not the project's "Staffing > Vacancies": it goes under the renamed Morale
    assert themes["4"] == ("Morale", None) and themes["4.1"] == ("Vacancies", "4")
    assert [(c.theme_id, c.quote) for c in project.store.codings.list() if c.coder == "dana"] == [("4.1", "Leeds")]
    assert report.themes_renumbered == ["1 'Morale': id 1 is taken by 'Staffing'; imported as 4",
                                        "1.1 'Vacancies': imported as 4.1 under 4"]
    assert 'label: "Morale"' in project.themes_path.read_text(encoding="utf-8")


def test_refused_clash_changes_nothing(project, tmp_path):
    from framework.themes.codebook import merge_codebook
    from framework.themes.model import ThemeSpec
    from framework.themes.validate import load_themes

    flat = load_themes(project.themes_path).flat()
    with pytest.raises(InputError, match=r"book\.qdc: 1 code\(s\) have ids already used by other themes: "
                                         r"1 'Morale': id 1 is taken by 'Staffing'"):
        merge_codebook([ThemeSpec("1", "Morale")], flat, on_clash="refuse", source="book.qdc")


def test_export_for_nvivo_counts_utf16_units_and_comes_back_exactly(coded, tmp_path):  # noqa: F811
    store = coded.store
    doc = store.documents.get("hos_met")
    with store.write() as conn:  # two emoji before the codings
        conn.execute("UPDATE documents SET text = ? WHERE id = ?", ("🙂🚀 " + store.documents.text(doc.id), doc.id))
        conn.execute('UPDATE codings SET start = start + 3, "end" = "end" + 3 WHERE document_id = ?', (doc.id,))
    standard, nvivo = tmp_path / "standard.qdpx", tmp_path / "nvivo.qdpx"
    assert export_qdpx(coded, standard, coder="alice").warnings[0].startswith(
        "1 document(s) hold characters beyond U+FFFF")
    assert export_qdpx(coded, nvivo, coder="alice", positions="nvivo").warnings == []
    for path, unit in ((standard, 1), (nvivo, 2)):
        with zipfile.ZipFile(path) as archive:
            qde = archive.read("project.qde").decode()
            assert ("positions in UTF-16 code units" in qde) == (unit == 2)
            src = re.search(r'<TextSource guid="([^"]+)" name="hos_met"', qde).group(1)
            body = archive.read(f"sources/{src}.txt").decode()
        start, end = map(int, re.search(r'name="Recruitment is hard\." startPosition="(\d+)" endPosition="(\d+)"',
                                        qde).groups())
        counted = body.encode("utf-16-le") if unit == 2 else body
        width = 2 if unit == 2 else 1
        piece = counted[start * width:end * width]
        assert (piece.decode("utf-16-le") if unit == 2 else piece) == "Recruitment is hard."
        target = new_project(tmp_path / f"copy{unit}")
        try:
            report = import_qdpx(target, path, "carol")
            assert report.refused == [] and report.outside == []
            assert snapshot(target.store)["codings"] == snapshot(store)["codings"]
        finally:
            target.close()
