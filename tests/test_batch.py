"""Coding many answers at once: one action, one undo, one redo."""

from __future__ import annotations

from pathlib import Path

import pytest

from framework.coding import batch
from framework.coding.actions import add_coding, code_whole, history, redo, uncode_whole, undo, update_coding
from framework.errors import InputError
from framework.ingest.survey import import_survey

SURVEY = (
    "respondent_id,team,What helps you most in your work?\n"
    "r1,A,\"Good supervision from my manager, every month without fail.\"\n"
    "r2,B,\"Peer support in the team, and a manager who listens to us.\"\n"
    "r3,A,\"Admin support, so that I am not chasing agencies on the phone.\"\n"
)


@pytest.fixture
def answers(project, tmp_path: Path) -> list[int]:
    path = tmp_path / "survey.csv"
    path.write_text(SURVEY, encoding="utf-8")
    import_survey(project.store, path)
    return [project.store.documents.get(f"r{n}.q1").id for n in (1, 2, 3)]


def spans(store, coder: str = "alice") -> list[tuple[str, str, int, int]]:
    return sorted((c.document, c.theme_id, c.start, c.end) for c in store.codings.list(coder=coder))


def test_coding_answers_whole_is_one_action_undone_and_redone_at_once(project, answers) -> None:
    store = project.store
    add_coding(store, "alice", answers[0], "3", 0, 4)
    result = code_whole(store, "alice", answers, "3")
    assert (result.added, result.skipped) == (3, 0)
    lengths = [len(store.documents.text(d)) for d in answers]
    whole = [("r1.q1", "3", 0, lengths[0]), ("r2.q1", "3", 0, lengths[1]), ("r3.q1", "3", 0, lengths[2])]
    assert spans(store) == sorted([("r1.q1", "3", 0, 4), *whole])
    (action,) = store.actions.list(coder="alice")[-1:]
    assert action.kind == "coding.add_many"
    assert (action.payload["count"], action.payload["theme"], action.payload["how"]) == (3, "3", "answers")
    assert undo(store, "alice")[0] == "coding.add_many"
    assert spans(store) == [("r1.q1", "3", 0, 4)]
    assert redo(store, "alice")[0] == "coding.add_many"
    assert spans(store) == sorted([("r1.q1", "3", 0, 4), *whole])
    restored = store.codings.list(coder="alice", theme_ids=["3"])
    assert {c.id for c in restored} >= set(result.coding_ids)
    assert all(c.quote == store.documents.text(c.document_id)[c.start:c.end] for c in restored)
    again = code_whole(store, "alice", answers, "3")
    assert (again.added, again.skipped, again.action_id) == (0, 3, None)


def test_removing_a_theme_from_answers_keeps_memos_for_undo(project, answers) -> None:
    store = project.store
    code_whole(store, "alice", answers[:2], "1.2")
    memo = store.codings.list(coder="alice")[0]
    update_coding(store, "alice", memo.id, memo="about agencies")
    code_whole(store, "bob", answers[:1], "1.2")
    result = uncode_whole(store, "alice", answers, "1.2")
    assert result.added == 2
    assert spans(store) == [] and len(spans(store, "bob")) == 1
    undo(store, "alice")
    assert [c.memo for c in store.codings.list(coder="alice") if c.id == memo.id] == ["about agencies"]
    state = history(store, "alice")
    assert (len(state.done), [k for _, k, _ in state.undone]) == (2, ["coding.remove_many"])


def test_batch_checks_coder_and_theme(project, answers) -> None:
    with pytest.raises(InputError, match="no theme with id '9'"):
        code_whole(project.store, "alice", answers, "9")
    with pytest.raises(InputError, match="reserved"):
        code_whole(project.store, "consensus", answers, "3")


def test_new_ids_continue_after_removed_ones(project, answers) -> None:
    store = project.store
    first = add_coding(store, "alice", answers[0], "3", 0, 4)
    from framework.coding.actions import remove_coding

    remove_coding(store, "alice", first.id)
    result = code_whole(store, "alice", answers[1:], "3")
    assert min(result.coding_ids) > first.id


def test_a_redo_leaves_out_spans_that_no_longer_fit(project, answers) -> None:
    store = project.store
    code_whole(store, "alice", answers, "3")
    undo(store, "alice")
    with store.write() as conn:
        conn.execute("UPDATE documents SET text = 'short' WHERE id = ?", (answers[0],))
    redo(store, "alice")
    assert [c[0] for c in spans(store)] == ["r2.q1", "r3.q1"]
    assert batch.describe(batch.ADD_MANY, {"count": 2, "theme": "3", "how": "autocode"}) == (
        "2 passage(s) autocoded with 3")


def test_undo_and_redo_give_codings_back_their_uids(project, answers) -> None:
    store = project.store
    code_whole(store, "alice", answers, "3")

    def uids() -> dict[int, str]:
        return {c.id: c.uid for c in store.codings.list(coder="alice")}

    first = uids()
    assert len(first) == 3 and all(len(u) == 32 for u in first.values())
    undo(store, "alice")
    redo(store, "alice")
    assert uids() == first
    uncode_whole(store, "alice", answers, "3")
    assert store.scalar("SELECT count(*) FROM removed_codings WHERE coder = 'alice'") == 3
    undo(store, "alice")
    assert uids() == first
    assert store.scalar("SELECT count(*) FROM removed_codings WHERE coder = 'alice'") == 0
