"""A consensus decision records the codings it was made on; when a coder's codings there
change afterwards (boundaries, theme, removal, a new coding), the decision shows as changed
since decided and the passage counts as remaining until it is decided again."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from framework.analysis.consensus import (
    accept_agreements,
    change_lines,
    decide,
    passages,
    progress,
    reopen,
)
from framework.cli import main
from framework.coding import actions as coding
from framework.errors import InputError
from framework.store import CONSENSUS, Store

from .teamwork import TEXT, span, two_coders

CODERS = ["alice", "bob"]
FIXTURES = Path(__file__).parent / "data" / "schemas"


@pytest.fixture
def team(project):
    """alice and bob both code 'Alpha' (2.1); alice 'Beta', bob 'Gamma' (2.1)."""
    return two_coders(project)


def _bob(store: Store, doc_id: int, word: str):
    start = span(word)[0]
    return next(c for c in store.codings.list(coder="bob", document_id=doc_id) if c.start == start)


def _state(store: Store, doc_id: int) -> list[tuple]:
    return [(p.start, p.end, p.status, p.decision.choice if p.decision else None, p.changed, p.decided)
            for p in passages(store, CODERS, doc_id)]


def _consensus(store: Store) -> list[tuple[int, int, str]]:
    return [(c.start, c.end, c.theme_id) for c in store.codings.list(coder=CONSENSUS)]


def test_a_decision_records_the_codings_it_was_made_on(team) -> None:
    project, doc = team
    store = project.store
    gamma = passages(store, CODERS, doc.id)[2]
    d = decide(store, "carol", CODERS, gamma, "accept", accept="bob")
    a, b = span("Gamma")
    assert d.basis == (("bob", a, b, "2.1"),) and d.span == (a, b)
    (stored,) = [json.loads(r["basis"]) for r in store.query("SELECT basis FROM decisions")]
    assert stored == [["bob", a, b, "2.1"]]
    assert _state(store, doc.id)[2] == (a, b, "only:bob", "accept:bob", (), True)


def test_a_theme_changed_after_the_decision_makes_it_changed_since_decided(team) -> None:
    project, doc = team
    store = project.store
    decide(store, "carol", CODERS, passages(store, CODERS, doc.id)[2], "accept", accept="bob")
    assert (progress(store, CODERS).decided, progress(store, CODERS).remaining) == (1, 2)
    coding.update_coding(store, "bob", _bob(store, doc.id, "Gamma").id, theme_id="3")
    p = passages(store, CODERS, doc.id)[2]
    assert (p.decision.choice, p.changed, p.decided, p.stale) == ("accept:bob", ("bob",), False, True)
    assert change_lines(p, TEXT) == ["bob: 3 L5 (was 2.1 L5)"]
    done = progress(store, CODERS)
    assert (done.decided, done.remaining, done.agreements) == (0, 3, 1)
    from framework.views.review import survey

    _, shown = survey(store, CODERS, None, None)  # the review screen counts the same
    assert (shown.decided, shown.remaining, shown.agreements) == (0, 3, 1)
    decide(store, "carol", CODERS, p, "accept", accept="bob")  # decided again, on the codings as they are
    assert _state(store, doc.id)[2] == (*span("Gamma"), "only:bob", "accept:bob", (), True)
    assert _consensus(store) == [(*span("Gamma"), "3")]
    assert progress(store, CODERS).decided == 1
    coding.undo(store, "carol")  # the new decision goes: changed since decided again
    assert _state(store, doc.id)[2][3:] == ("accept:bob", ("bob",), False)
    assert _consensus(store) == [(*span("Gamma"), "2.1")]
    coding.undo(store, "bob")  # bob's change goes: the decision stands again
    assert _state(store, doc.id)[2][3:] == ("accept:bob", (), True)


def test_a_boundary_moved_after_the_decision_keeps_it_on_the_passage_there(team) -> None:
    project, doc = team
    store = project.store
    decide(store, "carol", CODERS, passages(store, CODERS, doc.id)[2], "accept", accept="bob")
    a, b = span("Gamma")
    coding.update_coding(store, "bob", _bob(store, doc.id, "Gamma").id, end=a + 5)  # "Gamma" only
    p = passages(store, CODERS, doc.id)[2]
    assert (p.start, p.end, p.decision.choice, p.decision.span, p.changed) == (a, a + 5, "accept:bob", (a, b),
                                                                              ("bob",))
    assert change_lines(p, TEXT) == ["bob: 2.1 L5 “Gamma” (was 2.1 L5 “Gamma gamma gamma.”)"]
    assert (progress(store, CODERS).decided, progress(store, CODERS).remaining) == (0, 3)
    decide(store, "carol", CODERS, p, "accept", accept="bob")
    assert _consensus(store) == [(a, a + 5, "2.1")]  # the old consensus coding went with the old decision
    assert _state(store, doc.id)[2] == (a, a + 5, "only:bob", "accept:bob", (), True)
    choices = [(r["start"], r["end"], r["choice"]) for r in store.query(
        'SELECT start, "end", choice FROM decisions ORDER BY id')]
    assert choices == [(a, b, "accept:bob"), (a, b, "reopen"), (a, a + 5, "accept:bob")]
    coding.undo(store, "bob")  # bob's boundary back: the new decision is now the changed one
    p = passages(store, CODERS, doc.id)[2]
    assert (p.start, p.end, p.decision.span, p.changed, p.decided) == (a, b, (a, a + 5), ("bob",), False)
    reopen(store, "carol", CODERS, p)  # taken back: undecided, no consensus coding left there
    assert _state(store, doc.id)[2] == (a, b, "only:bob", None, (), False)
    assert _consensus(store) == []


def test_a_coding_removed_or_added_after_the_decision_counts(team) -> None:
    project, doc = team
    store = project.store
    assert accept_agreements(store, "carol", CODERS) == 1  # Alpha, coded alike
    coding.remove_coding(store, "bob", _bob(store, doc.id, "Alpha").id)
    p = passages(store, CODERS, doc.id)[0]
    assert (p.status, p.decision.choice, p.changed, p.decided) == ("only:alice", "both", ("bob",), False)
    assert change_lines(p, TEXT) == ["bob: not coded (was 2.1 L1)"]
    coding.undo(store, "bob")
    assert passages(store, CODERS, doc.id)[0].decided
    coding.add_coding(store, "alice", doc.id, "3", 0, 5)  # a second theme, inside the passage
    p = passages(store, CODERS, doc.id)[0]
    assert (p.status, p.changed, p.decided) == ("theme", ("alice",), False)
    assert change_lines(p, TEXT) == ["alice: 3 L1, 2.1 L1 (was 2.1 L1)"]
    assert accept_agreements(store, "carol", CODERS) == 0  # no longer an agreement: decided by hand
    assert (progress(store, CODERS).decided, progress(store, CODERS).remaining) == (0, 3)


def test_a_decision_on_codings_all_removed_since_is_left_to_take_back(team) -> None:
    project, doc = team
    store = project.store
    a, b = span("Gamma")
    decide(store, "carol", CODERS, passages(store, CODERS, doc.id)[2], "accept", accept="bob")
    coding.remove_coding(store, "bob", _bob(store, doc.id, "Gamma").id)
    assert _consensus(store) == [(a, b, "2.1")]  # the consensus coding stays, on nobody's coding
    gone = passages(store, CODERS, doc.id)[2]
    assert (gone.start, gone.end, gone.status, gone.codings, gone.decision.choice, gone.changed, gone.decided) == (
        a, b, "gone", {}, "accept:bob", ("bob",), False)
    assert change_lines(gone, TEXT) == ["bob: not coded (was 2.1 L5)"]
    assert (progress(store, CODERS).decided, progress(store, CODERS).remaining) == (0, 3)
    with pytest.raises(InputError, match=r"four \[\d+-\d+\]: no compared coder codes this passage any more, so "
                                         r"there is nothing to decide; take the decision back"):
        decide(store, "carol", CODERS, gone, "reject")
    reopen(store, "carol", CODERS, gone)
    assert _consensus(store) == []
    assert [p.status for p in passages(store, CODERS, doc.id)] == ["agree", "only:alice"]
    assert (progress(store, CODERS).decided, progress(store, CODERS).remaining) == (0, 2)
    coding.undo(store, "carol")  # the decision is back, and so is what it left
    assert passages(store, CODERS, doc.id)[2].status == "gone" and _consensus(store) == [(a, b, "2.1")]


def test_a_rejection_on_codings_all_removed_since_leaves_nothing_to_do(team) -> None:
    project, doc = team
    store = project.store
    decide(store, "carol", CODERS, passages(store, CODERS, doc.id)[2], "reject")
    coding.remove_coding(store, "bob", _bob(store, doc.id, "Gamma").id)
    assert [p.status for p in passages(store, CODERS, doc.id)] == ["agree", "only:alice"]
    assert (progress(store, CODERS).decided, progress(store, CODERS).remaining) == (0, 2)


def test_a_changed_agreement_is_accepted_again_with_the_others(team) -> None:
    project, doc = team
    store = project.store
    accept_agreements(store, "carol", CODERS)
    for who in CODERS:  # both move their coding of Alpha to theme 3: still an agreement, changed since
        mine = next(c for c in store.codings.list(coder=who, document_id=doc.id) if c.start == 0)
        coding.update_coding(store, who, mine.id, theme_id="3")
    assert progress(store, CODERS).agreements == 1
    assert accept_agreements(store, "carol", CODERS) == 1
    assert _consensus(store) == [(*span("Alpha"), "3")]
    assert _state(store, doc.id)[0][3:] == ("both", (), True)


def test_the_command_line_says_which_decisions_changed(team) -> None:
    project, doc = team
    store = project.store
    decide(store, "carol", CODERS, passages(store, CODERS, doc.id)[2], "accept", accept="bob")
    coding.update_coding(store, "bob", _bob(store, doc.id, "Gamma").id, theme_id="3")
    runner = CliRunner()
    res = runner.invoke(main, ["--project", str(project.root), "consensus", "status", "--coders", "alice,bob"])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == [
        "0 decided, 3 remaining (1 of them agreements; 1 changed since decided) in 1 documents coded by every "
        "one of alice, bob",
        "  changed since decided: four L5 (accept:bob by carol): bob: 3 L5 (was 2.1 L5)",
    ]
    res = runner.invoke(main, ["--project", str(project.root), "consensus", "status", "--coders", "alice,bob",
                               "--json"])
    data = json.loads(res.stdout)
    assert (data["decided"], data["remaining"], data["changed_since_decided"]) == (0, 3, [
        {"document": "four", "start": span("Gamma")[0], "end": span("Gamma")[1], "where": "four L5",
         "choice": "accept:bob",
         "decided_by": "carol", "changed": ["bob: 3 L5 (was 2.1 L5)"]}])
    res = runner.invoke(main, ["--project", str(project.root), "consensus", "list", "--coders", "alice,bob",
                               "--document", "four", "--json"])
    listed = json.loads(res.stdout)[2]["decision"]
    assert (listed["changed_since"], listed["made_on"]) == (["bob"], {"alice": [], "bob": [[*span("Gamma"), "2.1"]]})


def _old_project(tmp_path: Path, change) -> Store:
    """The schema-5 fixture (alice and bob coded the vacancy rate, carol accepted alice's), changed
    as ``change`` says before it is upgraded."""
    db = tmp_path / "framework.db"
    shutil.copyfile(FIXTURES / "schema5.db", db)
    conn = sqlite3.connect(db)
    with conn:
        change(conn)
    conn.close()
    return Store(db)


def test_decisions_made_before_the_upgrade_are_made_on_the_codings_as_they_were(tmp_path: Path) -> None:
    store = _old_project(tmp_path, lambda conn: None)
    try:
        (basis,) = [json.loads(r["basis"]) for r in store.query("SELECT basis FROM decisions")]
        assert sorted(basis) == [["alice", 68, 101, "1.1"], ["bob", 68, 80, "1.1"]]
        (p,) = [p for p in passages(store, CODERS, 1) if p.decision]
        assert (p.start, p.end, p.decision.choice, p.changed, p.decided) == (68, 101, "accept:alice", (), True)
    finally:
        store.close()


def test_a_coding_changed_or_removed_after_an_old_decision_shows_after_the_upgrade(tmp_path: Path) -> None:
    later = "2026-02-01T09:00:00+00:00"
    store = _old_project(tmp_path, lambda conn: conn.execute(
        "UPDATE codings SET theme_id = '1', updated_at = ? WHERE coder = 'bob' AND document_id = 1", (later,)))
    try:
        (p,) = [p for p in passages(store, CODERS, 1) if p.decision]
        assert (p.decision.choice, p.changed, p.decided) == ("accept:alice", ("bob",), False)
    finally:
        store.close()

    def remove(conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM codings WHERE coder = 'bob' AND document_id = 1")
        conn.execute("UPDATE removed_codings SET removed_at = ? WHERE coder = 'bob'", (later,))

    (tmp_path / "removed").mkdir()
    store = _old_project(tmp_path / "removed", remove)
    try:
        (p,) = [p for p in passages(store, CODERS, 1) if p.decision]
        assert (p.status, p.changed, p.decided) == ("only:alice", ("bob",), False)
    finally:
        store.close()
