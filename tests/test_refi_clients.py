"""Another REFI-QDA library as a client: pyrefiqda (typed models of the standard's schema)
reads our export strictly, and a project it writes, counting positions in UTF-8 bytes as
some libraries do (qdpxlib reads and writes byte offsets), lands on the right words here.
Skipped when pyrefiqda is not installed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from framework.exchange.qdpx import export_qdpx, import_qdpx
from framework.project import init_project, open_project
from tests.test_refi import coded  # noqa: F401

pyrefiqda = pytest.importorskip("pyrefiqda")


def test_pyrefiqda_reads_our_export(coded, tmp_path):  # noqa: F811
    out = tmp_path / "study.qdpx"
    export_qdpx(coded, out, coder="alice")
    project = pyrefiqda.RefiProject.load(out, extract_dir=tmp_path / "x")
    users = {u.guid: u.name for u in project.users.user}
    selections = [s for src in project.sources.text_source for s in src.plain_text_selection]
    assert sorted(users[s.creating_user] for s in selections) == ["alice"] * 4 + ["bob"] * 3
    assert all(users[s.coding[0].creating_user] == users[s.creating_user] for s in selections)
    assert all(n.creation_date_time is not None for n in project.notes.note)
    assert sorted(c.name for c in project.cases.case) == ["ad_county", "dir_london", "hos_met"]
    for src in project.sources.text_source:
        text = (tmp_path / "x" / "sources" / src.plain_text_path.removeprefix("internal://")).read_text("utf-8")
        for sel in src.plain_text_selection:  # character positions over the exported UTF-8 text
            assert text[sel.start_position:sel.end_position].startswith(sel.name)


TEXT = "Größer als gedacht 😅: the team in Bradford took it well.\nZoë’s team 🚀 left in May.\n"
WORDS = ["Größer als gedacht", "Bradford", "took it well", "Zoë’s team", "left in May"]


def test_a_project_written_by_pyrefiqda_in_utf8_bytes(tmp_path):
    from pyrefiqda.models import project as m
    user, code, src_guid = ("11111111-0000-4000-8000-000000000001", "22222222-0000-4000-8000-000000000002",
                            "33333333-0000-4000-8000-000000000003")
    data = TEXT.encode("utf-8")
    selections = []
    for i, word in enumerate(WORDS):
        start = data.index(word.encode("utf-8"))
        selections.append(m.PlainTextSelectionType(
            guid=f"44444444-0000-4000-8000-{i:012d}", start_position=start, end_position=start + len(word.encode()),
            creating_user=user, coding=[m.CodingType(guid=f"55555555-0000-4000-8000-{i:012d}", creating_user=user,
                                                     code_ref=m.CodeRefType(target_guid=code))]))
    project = m.Project(
        name="Bytes", origin="pyrefiqda", users=m.UsersType(user=[m.UserType(guid=user, name="erin")]),
        code_book=m.CodeBookType(codes=m.CodesType(code=[m.CodeType(guid=code, name="Feelings", is_codable=True)])),
        sources=m.SourcesType(text_source=[m.TextSourceType(guid=src_guid, name="field_notes",
                                                             plain_text_path=f"internal://{src_guid}.txt",
                                                             plain_text_selection=selections)]))
    folder = tmp_path / "media"
    folder.mkdir()
    (folder / f"{src_guid}.txt").write_bytes(data)
    path = tmp_path / "bytes.qdpx"
    pyrefiqda.RefiProject.save(project, path, source_media_dir=folder)
    init_project(tmp_path / "p")
    target = open_project(tmp_path / "p")
    try:
        report = import_qdpx(target, Path(path), "carol")
        assert sorted(c.quote for c in target.store.codings.list()) == sorted(WORDS)
        assert report.positions[0].startswith("field_notes: positions read as UTF-8 bytes, line ends as one "
                                              "character: 10 of 10 selection ends on word boundaries")
    finally:
        target.close()
