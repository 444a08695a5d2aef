"""Writes made against what another process has changed meanwhile are refused, not applied.

A consensus decision rests on the passage as it was read; a chart summary on the summary
it replaces; a change to the pseudonym key on the entry as shown. Each is checked where
it is written (in the same transaction for the database), with a second ``Store`` on
the same file standing for the other process.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from framework.analysis.consensus import PassageChanged, decide, passages, reopen
from framework.coding import actions as coding
from framework.coding.actions import CellChanged, set_cell
from framework.confidentiality.key import add_entry
from framework.errors import InputError
from framework.ingest.documents import import_paths
from framework.store import CONSENSUS, Store
from framework.views.pseudonyms import (
    KeyChanged,
    add_new_entry,
    delete_entry,
    key_stamp,
    read_key_state,
    replace_entry,
)
from framework.views.review import ReviewData, Walk
from framework.views.summary import CLASH, SAME, TAKE, both, meet

PARAS = ["Alpha alpha alpha.", "Beta beta beta beta.", "Gamma gamma gamma."]
TEXT = "\n\n".join(PARAS) + "\n"
CODERS = ["alice", "bob"]


def _span(word: str) -> tuple[int, int]:
    start = TEXT.index(word)
    return start, start + len(next(p for p in PARAS if p.startswith(word)))


@pytest.fixture
def team(project):
    """alice codes Alpha and Beta, bob Alpha (another theme) and Gamma; ``other`` is a second process."""
    store = project.store
    path = project.transcripts_dir / "three.txt"
    path.write_text(TEXT, encoding="utf-8")
    import_paths(store, [path], root=project.root)
    doc = store.documents.get("three")
    coding.add_coding(store, "alice", doc.id, "2.1", *_span("Alpha"))
    coding.add_coding(store, "alice", doc.id, "2.1", *_span("Beta"))
    coding.add_coding(store, "bob", doc.id, "1.1", *_span("Alpha"))
    coding.add_coding(store, "bob", doc.id, "2.1", *_span("Gamma"))
    other = Store(store.path)
    yield project, doc, other
    other.close()


def _consensus(store: Store) -> list[tuple[int, int, str]]:
    return sorted((c.start, c.end, c.theme_id) for c in store.codings.list(coder=CONSENSUS))


# -- consensus decisions ------------------------------------------------------------------------------


def test_a_decision_on_a_passage_whose_codings_changed_is_refused(team) -> None:
    project, doc, other = team
    store = project.store
    shown = passages(store, CODERS, doc.id)[0]
    assert shown.status == "theme"
    bobs = next(c for c in other.codings.list(coder="bob") if c.theme_id == "1.1")
    coding.update_coding(other, "bob", bobs.id, theme_id="2.1")
    with pytest.raises(PassageChanged) as refused:
        decide(store, "carol", CODERS, shown, "accept", accept="bob")
    assert str(refused.value) == (
        "three L1: bob's codings of this passage changed since it was read (another coder or process changed "
        "them); nothing was decided. Look at the passage as it is now and decide again.")
    assert _consensus(store) == []
    assert not [a for a in store.actions.list() if a.kind == "consensus.decide"]
    # decided on the passage as it is now, it goes through
    decide(store, "carol", CODERS, passages(store, CODERS, doc.id)[0], "accept", accept="bob")
    assert _consensus(store) == [(*_span("Alpha"), "2.1")]


def test_a_coding_added_or_removed_in_the_passage_refuses_the_decision(team) -> None:
    project, doc, other = team
    store = project.store
    shown = passages(store, CODERS, doc.id)[2]  # Gamma: only bob
    coding.add_coding(other, "alice", doc.id, "2.1", *_span("Gamma"))
    with pytest.raises(PassageChanged, match="^three L5: alice's codings of this passage changed"):
        decide(store, "carol", CODERS, shown, "reject")
    shown = passages(store, CODERS, doc.id)[1]  # Beta: only alice
    beta = next(c for c in other.codings.list(coder="alice") if (c.start, c.end) == _span("Beta"))
    coding.remove_coding(other, "alice", beta.id)
    with pytest.raises(PassageChanged, match="^three L3: alice's codings"):
        decide(store, "carol", CODERS, shown, "accept", accept="alice")
    assert _consensus(store) == []


def test_a_passage_decided_by_someone_else_meanwhile_is_not_decided_over(team) -> None:
    project, doc, other = team
    store = project.store
    shown = passages(store, CODERS, doc.id)[2]
    decide(other, "dan", CODERS, passages(other, CODERS, doc.id)[2], "accept", accept="bob")
    with pytest.raises(PassageChanged) as refused:
        decide(store, "carol", CODERS, shown, "reject")
    assert str(refused.value) == ("three L5: dan decided it (accept:bob) since it was read; nothing was decided. "
                                  "Look at the passage as it is now and decide again to change it.")
    assert _consensus(store) == [(*_span("Gamma"), "2.1")]
    # a second key by the same person (the first decision not shown yet) is no change
    decide(store, "dan", CODERS, shown, "reject")
    assert _consensus(store) == []


def test_a_decision_on_a_text_imported_again_meanwhile_is_refused(team) -> None:
    project, doc, other = team
    store = project.store
    shown = passages(store, CODERS, doc.id)[2]
    path = project.transcripts_dir / "three.txt"
    path.write_text(TEXT + "\nEpsilon epsilon.\n", encoding="utf-8")
    import_paths(other, [path], root=project.root)
    with pytest.raises(PassageChanged, match="^three: the text changed since it was read"):
        decide(store, "carol", CODERS, shown, "reject", seen_sha256=doc.sha256)
    now = store.documents.get("three")
    decide(store, "carol", CODERS, passages(store, CODERS, doc.id)[2], "reject", seen_sha256=now.sha256)


def test_taking_back_a_decision_changed_meanwhile_is_refused(team) -> None:
    project, doc, other = team
    store = project.store
    decide(store, "carol", CODERS, passages(store, CODERS, doc.id)[2], "accept", accept="bob")
    shown = passages(store, CODERS, doc.id)[2]
    decide(other, "dan", CODERS, passages(other, CODERS, doc.id)[2], "reject")
    with pytest.raises(PassageChanged, match="dan decided it \\(reject\\) since it was read"):
        reopen(store, "carol", CODERS, shown)
    reopen(other, "dan", CODERS, passages(other, CODERS, doc.id)[2])
    with pytest.raises(PassageChanged, match="dan took it back to undecided since it was read"):
        reopen(store, "carol", CODERS, shown)
    assert passages(store, CODERS, doc.id)[2].decision is None


def test_a_document_removed_meanwhile_refuses_the_decision(team) -> None:
    project, doc, other = team
    store = project.store
    shown = passages(store, CODERS, doc.id)[2]
    with other.write():
        other.conn.execute("DELETE FROM codings WHERE document_id = ?", (doc.id,))
        other.conn.execute("DELETE FROM documents WHERE id = ?", (doc.id,))
    with pytest.raises(PassageChanged, match="^three was removed from the project by another process"):
        decide(store, "carol", CODERS, shown, "reject")


# -- chart summaries ------------------------------------------------------------------------------------


def test_a_summary_saved_over_a_newer_one_is_refused_with_theirs(team) -> None:
    project, doc, other = team
    store = project.store
    case = doc.case_id
    set_cell(store, "alice", case, "2.1", "alice", summary="First")
    set_cell(other, "bob", case, "2.1", "alice", summary="Theirs", status="done")
    with pytest.raises(CellChanged) as refused:
        set_cell(store, "alice", case, "2.1", "alice", summary="Mine", seen="First")
    assert refused.value.current.summary == "Theirs" and refused.value.current.updated_by == "bob"
    assert str(refused.value).startswith("three x 2.1 (alice): bob changed this summary at ")
    assert str(refused.value).endswith("since you read it; yours was not saved. Keep yours, take theirs or put "
                                       "both together.")
    assert store.cells.find(case, "2.1", "alice").summary == "Theirs"
    # saved over what is there now; the same words as theirs; or without saying what was read (the CLI)
    assert set_cell(store, "alice", case, "2.1", "alice", summary="Mine", seen="Theirs").summary == "Mine"
    set_cell(other, "bob", case, "2.1", "alice", summary="Agreed")
    assert set_cell(store, "alice", case, "2.1", "alice", summary="Agreed", seen="Mine").status == "done"
    assert set_cell(store, "alice", case, "2.1", "alice", summary="Last").summary == "Last"
    set_cell(other, "bob", case, "1.1", "alice", summary="y")  # a cell first written elsewhere
    with pytest.raises(CellChanged):  # while the editor had it empty
        set_cell(store, "alice", case, "1.1", "alice", summary="x", seen="")


def test_what_the_editor_does_with_a_summary_found_after_a_change() -> None:
    assert meet("A", known="A", sent="A", typed="A", busy=False) == SAME
    assert meet("B", known="A", sent="B", typed="B", busy=True) == SAME  # our own save, not yet answered
    assert meet("B", known="A", sent="A", typed="A", busy=False) == TAKE
    assert meet("B", known="A", sent="A", typed="A and more", busy=True) == CLASH
    assert meet("B", known="A", sent="A", typed="A", busy=True) == CLASH
    assert meet("B", known="A", sent="A", typed="B", busy=True) == TAKE  # they wrote what you typed
    assert both("Theirs\n", "\nMine") == "Theirs\n\nMine"
    assert both("", "Mine") == "Mine" and both("Theirs", "  ") == "Theirs"


# -- the pseudonym key ----------------------------------------------------------------------------------


def test_key_changes_against_a_row_changed_in_the_file_are_refused(tmp_path: Path) -> None:
    key = tmp_path / "key.csv"
    add_entry(key, "Margaret Hill", "Director A")
    add_entry(key, "Northshire", "County 1")
    shown = read_key_state(key)
    assert shown.stamp == key_stamp(key)
    add_entry(key, "Northshire", "Region 4")  # another program
    assert key_stamp(key) != shown.stamp
    with pytest.raises(KeyChanged, match="Northshire → \\[County 1\\] was changed in the key meanwhile to "
                                         "Northshire → \\[Region 4\\]"):
        replace_entry(key, ("Northshire", "County 1"), "Northshire", "Area 7")
    with pytest.raises(KeyChanged):
        delete_entry(key, ("Northshire", "County 1"))
    add_entry(key, "Tom Baker", "Person 2")
    with pytest.raises(KeyChanged, match="^key.csv: Tom Baker was added to the key meanwhile \\(→ \\[Person 2\\]\\)"):
        add_new_entry(key, "tom baker", "Person 5")
    with pytest.raises(KeyChanged, match="Tom Baker was added"):  # a new spelling that is now taken
        replace_entry(key, ("Margaret Hill", "Director A"), "Tom Baker", "Director A")
    delete_entry(key, ("Margaret Hill", "Director A"))
    with pytest.raises(KeyChanged, match="Margaret Hill was deleted from the key meanwhile"):
        replace_entry(key, ("Margaret Hill", "Director A"), "Margaret Hill", "Director B")
    assert read_key_state(key).entries == [("Northshire", "Region 4"), ("Tom Baker", "Person 2")]
    assert isinstance(KeyChanged("x"), InputError)


# -- the review walk ------------------------------------------------------------------------------------


def test_the_review_keeps_its_passage_or_says_where_it_went(team) -> None:
    project, doc, other = team
    store = project.store

    def walk_on(index: int) -> tuple[Walk, object]:
        walk = Walk(coders=CODERS)
        walk.data = ReviewData(doc, store.cases.get(doc.case_id), TEXT, [], {}, passages(store, CODERS, doc.id))
        walk.index = index
        return walk, walk.current()

    walk, beta = walk_on(1)
    walk.data = ReviewData(doc, walk.data.case, TEXT, [], {}, passages(store, CODERS, doc.id))
    assert walk.place(("keep", beta)) == "" and walk.index == 1  # unchanged: nothing said
    coding.add_coding(other, "bob", doc.id, "2.1", *_span("Beta"))
    walk.data = ReviewData(doc, walk.data.case, TEXT, [], {}, passages(store, CODERS, doc.id))
    assert walk.place(("keep", beta)) == "This passage was changed elsewhere: shown as it is now"
    assert walk.current().status == "agree"
    walk, gamma = walk_on(2)
    coding.add_coding(other, "alice", doc.id, "2.1", _span("Gamma")[0] - 1, _span("Gamma")[0] + 5)
    walk.data = ReviewData(doc, walk.data.case, TEXT, [], {}, passages(store, CODERS, doc.id))
    assert walk.place(("keep", gamma)).startswith("The codings of the passage you were on were changed elsewhere")
    assert walk.index == 2
    for c in other.codings.list(document_id=doc.id):
        if c.start >= _span("Beta")[0]:
            coding.remove_coding(other, c.coder, c.id)
    walk.data = ReviewData(doc, walk.data.case, TEXT, [], {}, passages(store, CODERS, doc.id))
    assert walk.place(("keep", gamma)) == "The passage you were on is gone (its codings were removed elsewhere)"
    assert walk.index == 0
