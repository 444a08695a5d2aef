"""Syncing themes.yaml into the store never drops codings."""

from __future__ import annotations

import pytest

from framework.coding import actions as coding
from framework.errors import InputError
from framework.themes.sync import sync_themes


def _code(store, theme_id: str) -> int:
    doc = store.documents.get("dir_london")
    return coding.add_coding(store, "alice", doc.id, theme_id, 0, 9).id


def test_rename_and_move_keep_codings(project) -> None:
    store = project.store
    cid = _code(store, "2.2.1")
    path = project.themes_path
    text = path.read_text(encoding="utf-8")
    text = text.replace("label: Unallocated cases", "label: Cases waiting")
    path.write_text(text, encoding="utf-8")
    report = sync_themes(store, path)
    assert report.changed == ["2.2.1"]
    assert store.codings.get(cid).theme_id == "2.2.1"
    assert store.themes.get("2.2.1").label == "Cases waiting"


def test_removing_a_coded_theme_is_refused_then_archived(project) -> None:
    store = project.store
    cid = _code(store, "1.2")
    path = project.themes_path
    path.write_text(path.read_text(encoding="utf-8").replace('      - id: "1.2"\n        label: Agency staff\n', ""),
                    encoding="utf-8")
    with pytest.raises(InputError, match=r"1\.2 \(Agency staff\): 1 codings in 1 cases.*--archive"):
        sync_themes(store, path)
    assert store.themes.get("1.2").archived is False
    report = sync_themes(store, path, archive=True)
    assert report.archived == ["1.2"]
    archived = store.themes.get("1.2")
    assert (archived.archived, archived.parent_id) == (True, "1")
    assert store.codings.get(cid).theme_id == "1.2"


def test_removing_an_uncoded_theme_deletes_it(project) -> None:
    store = project.store
    path = project.themes_path
    path.write_text(path.read_text(encoding="utf-8").replace(
        '      - id: "2.2"\n        label: Allocation\n        children:\n          - id: "2.2.1"\n'
        '            label: Unallocated cases\n', ""), encoding="utf-8")
    report = sync_themes(store, path)
    assert sorted(report.removed) == ["2.2", "2.2.1"]
    assert store.themes.find("2.2") is None
