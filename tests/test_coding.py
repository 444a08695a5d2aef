"""Indexing actions: add, change, remove, undo and redo through the action log."""

from __future__ import annotations

from pathlib import Path

import pytest

from framework.coding import actions as coding
from framework.errors import InputError
from framework.store import NewDocument, Store, Theme

TEXT = "Interviewer: How is work allocated?\n\nRespondent: Weekly, at the allocation meeting — by Zoë.\n"


@pytest.fixture
def db(tmp_path: Path):
    store = Store(tmp_path / "p.db")
    with store.write():
        store.documents.insert_many([NewDocument(
            name="int01", case="int01", kind="transcript", source="int01.txt", text=TEXT,
            sha256="0" * 64, encoding="utf-8", format="txt", units=[(0, 35, "Interviewer"), (37, 92, "Respondent")],
        )])
        for i, (tid, parent) in enumerate([("2", None), ("2.2", "2"), ("3", None)]):
            store.themes.upsert(Theme(tid, parent, f"Theme {tid}", "", "", "", "#4e79a7", i, False))
    yield store
    store.close()


def test_add_coding_stores_offsets_quote_and_context(db: Store) -> None:
    start = TEXT.index("Weekly")
    end = TEXT.index(" — by")
    c = coding.add_coding(db, "alice", 1, "2.2", start, end, "first memo")
    assert (c.coder, c.document, c.theme_id, c.start, c.end) == ("alice", "int01", "2.2", 49, 82)
    assert c.quote == "Weekly, at the allocation meeting"
    assert c.before == TEXT[9:49]
    assert c.after == " — by Zoë.\n"
    assert c.memo == "first memo"
    assert [a.kind for a in db.actions.list()] == ["coding.add"]
    assert db.coders() == ["alice"]


def test_coding_the_same_span_twice_is_a_no_op(db: Store) -> None:
    first = coding.add_coding(db, "alice", 1, "3", 0, 11)
    again = coding.add_coding(db, "alice", 1, "3", 0, 11)
    assert again.id == first.id
    assert db.codings.count() == 1


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [(-1, 5, "must not be negative"), (10, 10, r"end \(10\) must be after start \(10\)"),
     (5, 999, r"end 999 is past the end of the text \(93 characters\)")],
)
def test_bad_spans_are_refused_with_a_clear_message(db: Store, start: int, end: int, message: str) -> None:
    with pytest.raises(InputError, match=message):
        coding.add_coding(db, "alice", 1, "3", start, end)
    assert db.codings.count() == 0


def test_unknown_theme_and_reserved_coder_are_refused(db: Store) -> None:
    with pytest.raises(InputError, match=r"no theme with id '2\.3'\. Did you mean '2\.2'\?"):
        coding.add_coding(db, "alice", 1, "2.3", 0, 5)
    with pytest.raises(InputError, match="reserved"):
        coding.add_coding(db, "consensus", 1, "3", 0, 5)
    with pytest.raises(InputError, match="not usable"):
        coding.add_coding(db, "a,b", 1, "3", 0, 5)


def test_update_changes_theme_bounds_and_memo_then_undo_restores(db: Store) -> None:
    c = coding.add_coding(db, "alice", 1, "2", 49, 55)
    changed = coding.update_coding(db, "alice", c.id, theme_id="2.2", end=82, memo="why")
    assert (changed.theme_id, changed.start, changed.end, changed.quote, changed.memo) == (
        "2.2", 49, 82, "Weekly, at the allocation meeting", "why")
    assert coding.undo(db, "alice")[0] == "coding.update"
    back = db.codings.get(c.id)
    assert (back.theme_id, back.start, back.end, back.quote, back.memo) == ("2", 49, 55, "Weekly", "")


def test_changing_a_coding_onto_one_the_coder_already_has_is_refused(db: Store) -> None:
    kept = coding.add_coding(db, "alice", 1, "2", 49, 55)
    other = coding.add_coding(db, "alice", 1, "3", 49, 55, "mine")
    elsewhere = coding.add_coding(db, "alice", 1, "2", 49, 82)
    logged = len(db.actions.list())
    with pytest.raises(InputError) as refused:
        coding.update_coding(db, "alice", other.id, theme_id="2")
    assert str(refused.value) == (
        f"alice has already coded this passage (49-55) with theme '2' (coding {kept.id}); nothing was changed. "
        "Remove one of the two codings instead.")
    with pytest.raises(InputError, match=f"already coded this passage \\(49-55\\) with theme '2' \\(coding {kept.id}\\)"):
        coding.update_coding(db, "alice", elsewhere.id, end=55)
    assert [(c.id, c.theme_id, c.start, c.end, c.memo) for c in db.codings.list()] == [
        (kept.id, "2", 49, 55, ""), (other.id, "3", 49, 55, "mine"), (elsewhere.id, "2", 49, 82, "")]
    assert len(db.actions.list()) == logged
    # Another coder's identical coding is no obstacle, and the refused coding can still be changed.
    bobs = coding.add_coding(db, "bob", 1, "3", 49, 82)
    assert coding.update_coding(db, "bob", bobs.id, end=55).end == 55
    assert coding.update_coding(db, "alice", other.id, theme_id="2.2").theme_id == "2.2"


def test_undo_and_redo_walk_the_history_repeatedly(db: Store) -> None:
    a = coding.add_coding(db, "alice", 1, "2", 0, 11)
    b = coding.add_coding(db, "alice", 1, "3", 50, 56)
    coding.remove_coding(db, "alice", a.id)
    assert [c.id for c in db.codings.list()] == [b.id]
    assert coding.undo(db, "alice")[0] == "coding.remove"
    assert sorted(c.id for c in db.codings.list()) == [a.id, b.id]
    assert coding.undo(db, "alice")[0] == "coding.add"
    assert [c.id for c in db.codings.list()] == [a.id]
    assert coding.undo(db, "alice")[0] == "coding.add"
    assert db.codings.list() == []
    assert coding.undo(db, "alice") is None
    assert coding.redo(db, "alice")[0] == "coding.add"
    assert coding.redo(db, "alice")[0] == "coding.add"
    assert sorted(c.id for c in db.codings.list()) == [a.id, b.id]
    # A new action after an undo clears the redo stack.
    coding.undo(db, "alice")
    coding.add_coding(db, "alice", 1, "3", 0, 5)
    assert coding.redo(db, "alice") is None


def test_each_coder_undoes_only_their_own_actions(db: Store) -> None:
    mine = coding.add_coding(db, "alice", 1, "2", 0, 11)
    coding.add_coding(db, "bob", 1, "2", 0, 11)
    assert coding.undo(db, "alice") is not None
    assert [(c.coder, c.id) for c in db.codings.list()] == [("bob", mine.id + 1)]


def test_removed_ids_are_never_reused(db: Store) -> None:
    a = coding.add_coding(db, "alice", 1, "2", 0, 11)
    coding.remove_coding(db, "alice", a.id)
    b = coding.add_coding(db, "alice", 1, "3", 0, 11)
    assert b.id == a.id + 1


def test_chart_cell_summary_is_undoable(db: Store) -> None:
    case_id = db.cases.get("int01").id
    cell = coding.set_cell(db, "alice", case_id, "2", "alice", summary="Weekly allocation [int01 L3]")
    assert (cell.summary, cell.status) == ("Weekly allocation [int01 L3]", "draft")
    coding.set_cell(db, "alice", case_id, "2", "alice", status="done")
    assert db.cells.find(case_id, "2", "alice").status == "done"
    coding.undo(db, "alice")
    assert db.cells.find(case_id, "2", "alice").status == "draft"
    coding.undo(db, "alice")
    assert db.cells.find(case_id, "2", "alice") is None


def test_recent_themes_newest_first(db: Store) -> None:
    coding.add_coding(db, "alice", 1, "2", 0, 5)
    coding.add_coding(db, "alice", 1, "3", 6, 9)
    coding.add_coding(db, "alice", 1, "2.2", 10, 14)
    coding.add_coding(db, "bob", 1, "3", 0, 5)
    assert db.codings.recent_themes("alice", 2) == ["2.2", "3"]
    assert db.codings.recent_themes("bob", 9) == ["3"]


def test_each_undo_and_redo_says_what_and_where(store: Store) -> None:
    london = store.documents.get("dir_london")
    county = store.documents.get("ad_county")
    london_text, county_text = store.documents.text(london.id), store.documents.text(county.id)
    start = london_text.index("Caseloads are")
    first = coding.add_coding(store, "alice", london.id, "2.1", start, start + len("Caseloads are around 22"))
    start = county_text.index("The team manager")
    second = coding.add_coding(store, "alice", county.id, "2.2", start, start + len("The team manager allocates"))
    coding.update_coding(store, "alice", first.id, theme_id="1.1")
    coding.update_coding(store, "alice", second.id, memo="weekly")
    coding.remove_coding(store, "alice", second.id)
    case = store.cases.get("dir_london")
    coding.set_cell(store, "alice", case.id, "2.1", "alice", summary="About 22 each")

    said = []
    for _ in range(6):
        said.append(coding.describe_action(store, *coding.undo(store, "alice")))
    assert said == [
        "the summary of dir_london x 2.1 Caseloads (alice's chart)",
        "removing 2.2 Allocation from ad_county L3",
        "the memo on 2.2 Allocation at ad_county L3",
        "changing 2.1 Caseloads to 1.1 Vacancies on dir_london L9",
        "adding 2.2 Allocation to ad_county L3",
        "adding 2.1 Caseloads to dir_london L9",
    ]
    assert coding.undo(store, "alice") is None
    redone = coding.describe_action(store, *coding.redo(store, "alice"))
    assert redone == "adding 2.1 Caseloads to dir_london L9"


def test_an_action_of_another_kind_is_named_by_its_kind(store: Store) -> None:
    assert coding.describe_action(store, "consensus.decide", {"passage": 3}) == "consensus decide"
    assert coding.describe_action(store, "coding.add", {"coding": {}}) == "coding add"


# -- writes against a text that changed meanwhile, and other coders' codings -------------------------

EDITED = "Interviewer: So, how is work allocated?\n\nRespondent: Weekly, at the allocation meeting — by Zoë.\n"


def _replace_elsewhere(path: Path, text: str, sha: str) -> None:
    """Another process imports a new version of int01."""
    other = Store(path)
    with other.write():
        other.documents.replace_text(1, NewDocument(
            name="int01", case="int01", kind="transcript", source="int01.txt", text=text, sha256=sha,
            encoding="utf-8", format="txt", units=[]))
    other.close()


def test_a_span_chosen_in_an_older_text_follows_its_words(db: Store, tmp_path: Path) -> None:
    seen = coding.TextSeen("0" * 64, TEXT)
    start = TEXT.index("allocation meeting")
    _replace_elsewhere(tmp_path / "p.db", EDITED, "1" * 64)
    made = db.codings.get(coding.add_coding(db, "alice", 1, "2.2", start, start + 18, seen=seen).id)
    assert (made.start, made.quote) == (EDITED.index("allocation meeting"), "allocation meeting")


def test_a_span_whose_words_changed_is_refused(db: Store, tmp_path: Path) -> None:
    seen = coding.TextSeen("0" * 64, TEXT)
    start = TEXT.index("Weekly, at the allocation")
    _replace_elsewhere(tmp_path / "p.db", TEXT.replace("Weekly, at", "Fortnightly, at"), "2" * 64)
    with pytest.raises(coding.TextChanged, match="int01: the text changed since it was read .* nothing was saved"):
        coding.add_coding(db, "alice", 1, "2.2", start, start + 25, seen=seen)
    with pytest.raises(coding.TextChanged):  # without the old text there is nothing to follow
        coding.add_coding(db, "alice", 1, "2.2", 0, 11, seen=coding.TextSeen("0" * 64))
    assert db.codings.list() == []


def test_a_coding_brought_back_by_undo_sits_on_its_words_in_the_new_text(db: Store, tmp_path: Path) -> None:
    start = TEXT.index("allocation meeting")
    made = coding.add_coding(db, "alice", 1, "2.2", start, start + 18)
    coding.remove_coding(db, "alice", made.id)
    _replace_elsewhere(tmp_path / "p.db", EDITED, "1" * 64)
    coding.undo(db, "alice")
    back = db.codings.get(made.id)
    assert (back.start, back.quote, back.detached) == (EDITED.index("allocation meeting"), "allocation meeting", False)


def test_another_coders_coding_needs_as_owner_and_the_log_says_so(db: Store) -> None:
    theirs = coding.add_coding(db, "bob", 1, "2.2", 0, 11)
    with pytest.raises(coding.NotYours, match=r"coding 1 is bob's \(int01, 2.2\); you can remove only your own "
                                              r"codings. To remove it anyway, add --as-owner"):
        coding.remove_coding(db, "alice", theirs.id)
    with pytest.raises(coding.NotYours, match="you can change only your own"):
        coding.update_coding(db, "alice", theirs.id, memo="mine now")
    assert db.codings.get(theirs.id).memo == ""
    coding.update_coding(db, "alice", theirs.id, memo="checked", as_owner=True)
    coding.remove_coding(db, "alice", theirs.id, as_owner=True)
    assert db.codings.list() == []
    logged = [(a.coder, a.kind, a.payload.get("owner"), a.payload.get("as_owner")) for a in db.actions.list()]
    assert logged[-2:] == [("alice", "coding.update", "bob", True), ("alice", "coding.remove", "bob", True)]
    coding.undo(db, "alice")
    assert db.codings.get(theirs.id).coder == "bob"


def test_removing_a_coding_removed_elsewhere_says_so(db: Store) -> None:
    made = coding.add_coding(db, "alice", 1, "2.2", 0, 11)
    coding.remove_coding(db, "alice", made.id)
    with pytest.raises(InputError, match="coding 1 is not in the project"):
        coding.remove_coding(db, "alice", made.id)
