"""Two copies of a project kept in step.

Two copies are made in tmp_path from one project (alice works in copy A, bob in copy B).
Any sequence of coding, recoding, boundary and memo changes, removals and transcript edits
on either side, then ``coder export`` + ``coder import`` (or ``merge``) both ways, must
leave each coder's layer the same in both copies; the summary must name every difference
(added, removed, changed) and every coding that stays detached; importing again changes
nothing; and undo takes the whole import back, redo brings it again.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from framework.coding import actions as coding
from framework.coding.coderfile import export_coder, import_coder, merge_project
from framework.errors import InputError
from framework.ingest.documents import import_paths
from framework.project import Project, open_project
from tests.conftest import write_project

OLD = "2020-01-01T00:00:00+00:00"
THEMES = ["1.1", "1.2", "2.1", "2.2", "3"]
DOCS = ["ad_county", "dir_london", "hos_met"]
OWNER = {"A": "alice", "B": "bob"}


def _build_template(root: Path) -> Path:
    """A project with both coders' first codings, all dated long ago (so any change made in a
    test is newer than what the copies share)."""
    write_project(root)
    project = open_project(root)
    store = project.store
    for who, spans in (("alice", [("dir_london", "vacancy rate of about 20 per cent", "1.1"),
                                  ("dir_london", "We rely on agency staff", "1.2"),
                                  ("ad_county", "weekly meeting", "2.2")]),
                       ("bob", [("dir_london", "We have a vacancy rate of about 20 per cent", "1.1"),
                                ("dir_london", "Caseloads are around 22 for a full-time worker", "2.1"),
                                ("hos_met", "We grow our own", "3")])):
        for doc_name, quote, theme in spans:
            doc = store.documents.get(doc_name)
            start = store.documents.text(doc.id).index(quote)
            coding.add_coding(store, who, doc.id, theme, start, start + len(quote))
    project.close()
    conn = sqlite3.connect(root / "framework.db")
    conn.execute("UPDATE codings SET created_at = ?, updated_at = ?", (OLD, OLD))
    conn.commit()
    conn.close()
    return root


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return _build_template(tmp_path_factory.mktemp("template") / "study")


def copies(template: Path, where: Path) -> tuple[Project, Project]:
    a, b = where / "A", where / "B"
    shutil.copytree(template, a)
    shutil.copytree(template, b)
    return open_project(a), open_project(b)


Row = tuple[str, str, int, int, str, str, bool]


def layer(project: Project, coder: str) -> dict[str, Row]:
    """A coder's codings in a copy, by uid: (document, theme, start, end, quote, memo, detached)."""
    return {c.uid: (c.document, c.theme_id, c.start, c.end, c.quote, c.memo, c.detached)
            for c in project.store.codings.list(coder=coder)}


def rows(project: Project, coder: str) -> list[tuple]:
    """Every column of a coder's codings: what undo must give back exactly."""
    return project.store.query('SELECT * FROM codings WHERE coder = ? ORDER BY id', (coder,))


# -- what happens in a copy -------------------------------------------------------------------------

def _words(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"\w[\w’'-]*", text)]


def _nth(project: Project, coder: str, n: int):
    codings = project.store.codings.list(coder=coder)
    return codings[n % len(codings)] if codings else None


def apply_op(project: Project, coder: str, op: tuple) -> None:
    """One step in a copy: code, recode, move boundaries, write a memo, remove, or edit a transcript."""
    store = project.store
    kind = op[0]
    if kind == "add":
        _, doc_i, word, length, theme_i = op
        doc = store.documents.get(DOCS[doc_i])
        words = _words(store.documents.text(doc.id))
        first = word % len(words)
        last = min(first + length, len(words)) - 1
        coding.add_coding(store, coder, doc.id, THEMES[theme_i], words[first][0], words[last][1])
        return
    if kind == "edit":
        _, doc_i, how, n = op
        path = project.transcripts_dir / f"{DOCS[doc_i]}.txt"
        paras = path.read_text(encoding="utf-8").split("\n\n")
        i = n % len(paras)
        if how == "insert":
            paras.insert(i, "Interviewer: A question added when the recording was checked.")
        elif how == "delete" and len(paras) > 2:
            del paras[i]
        else:
            paras[i] = re.sub(r"\w+", "REDACTED", paras[i], count=1 + n % 3)
        path.write_text("\n\n".join(paras), encoding="utf-8")
        import_paths(store, [path], root=project.root)
        return
    target = _nth(project, coder, op[1])
    if target is None:
        return
    if kind == "remove":
        coding.remove_coding(store, coder, target.id)
    elif kind == "theme":
        try:
            coding.update_coding(store, coder, target.id, theme_id=THEMES[op[2]])
        except InputError:
            pass  # the coder already has that theme on exactly this span: refused, nothing changed
    elif kind == "memo":
        coding.update_coding(store, coder, target.id, memo=op[2])
    elif kind == "bounds" and not target.detached:
        words = _words(store.documents.text(target.document_id))
        starts = [s for s, _ in words]
        i = max(0, min(len(words) - 1, next((k for k, s in enumerate(starts) if s >= target.start), 0) + op[2]))
        j = max(i, min(len(words) - 1, i + max(0, op[3])))
        try:
            coding.update_coding(store, coder, target.id, start=words[i][0], end=words[j][1])
        except InputError:
            pass  # the same span and theme is already coded: refused, nothing changed


doc_i = st.integers(0, len(DOCS) - 1)
theme_i = st.integers(0, len(THEMES) - 1)
OPS = st.one_of(
    st.tuples(st.just("add"), doc_i, st.integers(0, 400), st.integers(1, 8), theme_i),
    st.tuples(st.just("remove"), st.integers(0, 50)),
    st.tuples(st.just("theme"), st.integers(0, 50), theme_i),
    st.tuples(st.just("memo"), st.integers(0, 50), st.sampled_from(["", "key passage", "see the next turn"])),
    st.tuples(st.just("bounds"), st.integers(0, 50), st.integers(-3, 3), st.integers(0, 6)),
    st.tuples(st.just("edit"), doc_i, st.sampled_from(["insert", "delete", "reword"]), st.integers(0, 50)),
)
STEPS = st.lists(st.tuples(st.sampled_from(["A", "B"]), OPS), max_size=12)


# -- what must hold ----------------------------------------------------------------------------------

def _same(row: Row, other: Row) -> bool:
    """Two versions of a coding alike as anyone would see them (a detached coding's offsets mean nothing)."""
    if row[6] and other[6]:
        return row[:2] + row[4:] == other[:2] + other[4:]
    return row == other


def check_summary(plan, before: dict[str, Row], after: dict[str, Row]) -> None:
    """The summary names every coding added, removed and changed, by uid."""
    listed = plan.as_json()
    assert {i["uid"] for i in listed["added"]} == after.keys() - before.keys()
    assert {i["uid"] for i in listed["removed"]} == before.keys() - after.keys()
    changed = {u for u in before.keys() & after.keys() if not _same(before[u], after[u])}
    assert {i["uid"] for i in listed["changed"]} == changed
    assert plan.counts()["added"] == len(listed["added"]) and plan.counts()["changed"] == len(changed)


def check_same_layer(source: dict[str, Row], target: dict[str, Row], target_project: Project, plan) -> None:
    """The coder's layer in the target is theirs: the same codings, themes and memos; each placed
    where its quote is in the target's text, else listed (detached, or placed by a near match)."""
    listed = plan.as_json()
    duplicates = {i["uid"] for i in listed["duplicates"]}
    assert target.keys() == source.keys() - duplicates
    texts = {d.name: target_project.store.documents.text(d.id) for d in target_project.store.documents.list()}
    detached = {i["uid"] for i in listed["detached"]}
    near = {i["uid"] for i in listed["placed"]}
    for uid, t in target.items():
        s = source[uid]
        assert (t[0], t[1], t[5]) == (s[0], s[1], s[5]), (uid, s, t)
        if s[4] in texts[s[0]]:
            assert not t[6] and t[4] == s[4], (uid, s, t)
        elif t[6]:
            assert uid in detached and t[4] == s[4]
        else:
            assert uid in near, (uid, s, t)
        if t[6]:
            assert uid in detached
    assert detached == {u for u, t in target.items() if t[6]}


def sync_by_file(giver: Project, taker: Project, coder: str, actor: str) -> None:
    before, before_rows = layer(taker, coder), rows(taker, coder)
    data = export_coder(giver.store, coder)
    result = import_coder(taker.store, data, source="file", actor=actor)
    plan = result.plans[0]
    after = layer(taker, coder)
    check_summary(plan, before, after)
    check_same_layer(layer(giver, coder), after, taker, plan)
    assert plan.extra == []  # the coder never coded in the other copy
    again = import_coder(taker.store, export_coder(giver.store, coder), source="file", actor=actor)
    assert again.action is None and not again.plans[0].any
    if result.action is not None:  # one action: undo takes it all back, redo brings it again
        after_rows = rows(taker, coder)
        assert coding.undo(taker.store, actor)[0] == "coder.import"
        assert rows(taker, coder) == before_rows
        assert coding.redo(taker.store, actor)[0] == "coder.import"
        assert rows(taker, coder) == after_rows


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=STEPS)
@example(steps=[("B", ("add", 0, 0, 1, 0)), ("B", ("add", 0, 0, 1, 1)), ("B", ("theme", 0, 1))])
def test_export_and_import_keep_both_copies_in_step(template: Path, steps: list) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        a, b = copies(template, Path(tmp))
        sides = {"A": a, "B": b}
        try:
            for side, op in steps:
                apply_op(sides[side], OWNER[side], op)
            sync_by_file(b, a, "bob", actor="alice")
            sync_by_file(a, b, "alice", actor="bob")
            for coder in ("alice", "bob"):  # both copies now hold the same layers (placed in their own texts)
                theirs, ours = layer(a, coder), layer(b, coder)
                assert {u: (r[0], r[1], r[5]) for u, r in theirs.items()} == {
                    u: (r[0], r[1], r[5]) for u, r in ours.items()}
        finally:
            a.close()
            b.close()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=STEPS)
@example(steps=[("B", ("edit", 2, "delete", 8)), ("A", ("add", 2, 110, 3, 0))])
@example(steps=[("A", ("bounds", 1, 0, 0)), ("A", ("edit", 1, "delete", 32))])
def test_merging_both_ways_keeps_both_copies_in_step(template: Path, steps: list) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        a, b = copies(template, Path(tmp))
        sides = {"A": a, "B": b}
        try:
            for side, op in steps:
                apply_op(sides[side], OWNER[side], op)
            mine = layer(a, "alice")
            before = layer(a, "bob")
            result = merge_project(a.store, b.root / "framework.db", actor="alice")
            plans = {p.coder: p for p in result.plans}
            check_summary(plans["bob"], before, layer(a, "bob"))
            check_same_layer(layer(b, "bob"), layer(a, "bob"), a, plans["bob"])
            # alice's own layer here is newer than her layer in B: nothing of it is undone
            assert {u: r for u, r in layer(a, "alice").items()} == mine
            assert not plans["alice"].removed and not plans["alice"].visible_changes
            merge_project(b.store, a.root / "framework.db", actor="bob")
            for coder in ("alice", "bob"):
                assert layer(a, coder).keys() == layer(b, coder).keys()
            again = merge_project(a.store, b.root / "framework.db", actor="alice")
            assert again.action is None
        finally:
            a.close()
            b.close()


# -- the cases one by one ------------------------------------------------------------------------------


@pytest.fixture
def pair(template: Path, tmp_path: Path):
    a, b = copies(template, tmp_path)
    yield a, b
    a.close()
    b.close()


def _span(project: Project, doc: str, quote: str) -> tuple[int, int, int]:
    d = project.store.documents.get(doc)
    start = project.store.documents.text(d.id).index(quote)
    return d.id, start, start + len(quote)


def test_a_removal_and_a_shorter_recoding_travel(pair) -> None:
    a, b = pair
    old = next(c for c in b.store.codings.list(coder="bob") if c.theme_id == "2.1")
    coding.remove_coding(b.store, "bob", old.id)
    coding.add_coding(b.store, "bob", *_span(b, "dir_london", "Caseloads are around 22")[:1], "2.1",
                      *_span(b, "dir_london", "Caseloads are around 22")[1:])
    result = import_coder(a.store, export_coder(b.store, "bob"), source="bob.json", actor="alice")
    lines = result.summary()
    assert lines[0] == "bob: 1 added, 1 removed, 0 changed, 0 detached; 2 unchanged"
    assert lines[1] == "  added     dir_london L9  2.1  “Caseloads are around 22”"
    assert lines[2] == ("  removed   dir_london L9  2.1  “Caseloads are around 22 for a full-time worker”  "
                        "(removed in their copy)")
    assert len(a.store.codings.list(coder="bob")) == len(b.store.codings.list(coder="bob")) == 3
    assert layer(a, "bob") == layer(b, "bob")


def test_a_coding_detached_there_arrives_placed_where_its_quote_is_intact(pair) -> None:
    a, b = pair
    path = b.transcripts_dir / "hos_met.txt"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("We grow our own — trainees from the local university.", "(inaudible)"),
                    encoding="utf-8")
    import_paths(b.store, [path], root=b.root)
    grown = next(c for c in b.store.codings.list(coder="bob") if c.theme_id == "3")
    assert grown.detached
    coding.update_coding(b.store, "bob", grown.id, memo="check the recording")
    result = import_coder(a.store, export_coder(b.store, "bob"), actor="alice")
    here = next(c for c in a.store.codings.list(coder="bob") if c.theme_id == "3")
    assert not here.detached and here.quote == "We grow our own" and here.memo == "check the recording"
    lines = result.summary()
    assert "  placed    hos_met L3  3  “We grow our own”  (detached in their copy; its quote is here)" in lines
    # the other way, it stays detached, and the summary says so, with its quote
    back = import_coder(b.store, export_coder(a.store, "bob"), actor="bob")
    assert "  detached  hos_met (detached)  3  “We grow our own”  (quote not found in this copy's text)" in \
        back.summary()
    assert back.plans[0].counts()["detached"] == 1


def test_codings_made_here_are_kept_and_listed_unless_asked_to_remove_them(pair) -> None:
    a, b = pair
    doc_id, start, end = _span(a, "ad_county", "Supervision is every four weeks")
    coding.add_coding(a.store, "bob", doc_id, "3", start, end)
    result = import_coder(a.store, export_coder(b.store, "bob"), actor="alice", dry_run=True)
    assert result.summary() == [
        "Dry run: nothing was changed.",
        "bob: 0 would be added, 0 would be removed, 0 would be changed, 0 detached; 3 unchanged; "
        "1 kept that are not in their copy (--remove-missing removes them)",
        "  kept      ad_county L7  3  “Supervision is every four weeks”  (coded here, not in their copy)",
    ]
    assert len(a.store.codings.list(coder="bob")) == 4
    gone = import_coder(a.store, export_coder(b.store, "bob"), actor="alice", remove_missing=True)
    assert gone.plans[0].counts()["removed"] == 1
    assert layer(a, "bob") == layer(b, "bob")
    coding.undo(a.store, "alice")
    assert len(a.store.codings.list(coder="bob")) == 4


def test_copies_built_apart_from_the_same_files_match_by_place_and_quote(tmp_path: Path) -> None:
    """Two folders made from the same files (no database copied): uids differ, the codings match."""
    roots = []
    for name in ("A", "B"):
        root = write_project(tmp_path / name)
        (root / "codings").mkdir()
        (root / "codings" / "bob.jsonl").write_text(
            '{"document": "dir_london", "theme": "1.1", "quote": "vacancy rate of about 20 per cent"}\n'
            '{"document": "ad_county", "theme": "2.2", "quote": "weekly meeting"}\n', encoding="utf-8")
        roots.append(root)
    a, b = open_project(roots[0]), open_project(roots[1])
    try:
        assert layer(a, "bob").keys().isdisjoint(layer(b, "bob").keys())
        weekly = next(c for c in b.store.codings.list(coder="bob") if c.theme_id == "2.2")
        coding.remove_coding(b.store, "bob", weekly.id)
        result = import_coder(a.store, export_coder(b.store, "bob"), actor="alice")
        assert result.summary() == [
            "bob: 0 added, 1 removed, 0 changed, 0 detached; 1 unchanged",
            "  removed   ad_county L3  2.2  “weekly meeting”  (removed in their copy)"]
        assert layer(a, "bob") == layer(b, "bob")  # the uids of their copy were taken on
        assert import_coder(a.store, export_coder(b.store, "bob"), actor="alice").action is None
    finally:
        a.close()
        b.close()


def test_a_merge_brings_decisions_and_keeps_newer_work_here(pair) -> None:
    from framework.analysis.consensus import decide, passages

    a, b = pair
    doc = b.store.documents.get("dir_london").id
    found = passages(b.store, ["alice", "bob"], doc)
    decide(b.store, "bob", ["alice", "bob"], found[0], "accept", accept="bob", note="the fuller span")
    mine = next(c for c in a.store.codings.list(coder="alice") if c.theme_id == "1.2")
    coding.update_coding(a.store, "alice", mine.id, memo="costs")  # alice's later work, here
    coding.update_coding(b.store, "bob", next(c for c in b.store.codings.list(coder="bob")).id, memo="bob's")
    result = merge_project(a.store, b.root / "framework.db", actor="alice")
    plans = {p.coder: p for p in result.plans}
    assert set(plans) == {"alice", "bob", "consensus"}
    assert plans["alice"].counts()["changed"] == 0 and a.store.codings.find(mine.id).memo == "costs"
    assert plans["bob"].counts()["changed"] == 1 and plans["consensus"].counts()["added"] == 1
    decided = passages(a.store, ["alice", "bob"], a.store.documents.get("dir_london").id)
    assert decided[0].decision is not None and decided[0].decision.note == "the fuller span"
    assert decided[0].decision.basis == found[0].basis() and decided[0].decided  # made on the same codings
    assert "consensus decisions: 1 brought" in result.summary()
    assert coding.undo(a.store, "alice")[0] == "merge"
    assert passages(a.store, ["alice", "bob"], a.store.documents.get("dir_london").id)[0].decision is None
    assert a.store.codings.list(coder="consensus") == []


def _edit_transcript(project: Project, name: str, old: str, new: str) -> None:
    path = project.transcripts_dir / f"{name}.txt"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    import_paths(project.store, [path], root=project.root)


def test_a_coding_placed_in_the_other_text_does_not_come_back_to_cut_the_first(pair) -> None:
    a, b = pair
    _edit_transcript(b, "hos_met", "INTERVIEWER: Tell me", "REDACTED: REDACTED REDACTED")
    coding.add_coding(a.store, "alice", *_span(a, "hos_met", "me about recruitment")[:1], "1.1",
                      *_span(a, "hos_met", "me about recruitment")[1:])
    merge_project(b.store, a.root / "framework.db", actor="bob")
    theirs = next(c for c in b.store.codings.list(coder="alice") if c.document == "hos_met")
    assert (theirs.start, theirs.end, theirs.quote) == (28, 45, "about recruitment")
    back = merge_project(a.store, b.root / "framework.db", actor="alice")
    assert back.action is None
    alice = {p.coder: p for p in back.plans}["alice"]
    assert alice.summary()[0] == "alice: 0 added, 0 removed, 0 changed, 0 detached; 4 unchanged"
    mine = next(c for c in a.store.codings.list(coder="alice") if c.document == "hos_met")
    assert (mine.start, mine.end, mine.quote) == (18, 38, "me about recruitment")
    assert merge_project(b.store, a.root / "framework.db", actor="bob").action is None


def test_two_changes_at_the_same_moment_settle_on_one_version_both_ways(pair) -> None:
    a, b = pair
    for project, memo in ((a, "from A"), (b, "from B")):
        first = next(c for c in project.store.codings.list(coder="bob") if c.theme_id == "3")
        coding.update_coding(project.store, "bob", first.id, memo=memo)
        project.store.conn.execute("UPDATE codings SET updated_at = ? WHERE id = ?", ("2025-06-01T10:00:00+00:00",
                                                                                    first.id))
        project.store.conn.commit()
    into_b = merge_project(b.store, a.root / "framework.db", actor="bob")
    into_a = merge_project(a.store, b.root / "framework.db", actor="alice")
    memos = {p.root.name: next(c.memo for c in p.store.codings.list(coder="bob") if c.theme_id == "3")
             for p in (a, b)}
    assert memos == {"A": "from B", "B": "from B"}
    assert into_b.action is None and into_a.action is not None
    assert {p.coder: p for p in into_b.plans}["bob"].kept_newer[0].note == (
        "changed here at the same time; this version kept")
    assert merge_project(a.store, b.root / "framework.db", actor="alice").action is None


def test_a_removal_and_a_change_at_the_same_moment_both_end_removed(pair) -> None:
    a, b = pair
    at = "2025-06-01T10:00:00+00:00"
    first = next(c for c in a.store.codings.list(coder="bob") if c.theme_id == "3")
    coding.update_coding(a.store, "bob", first.id, memo="kept?")
    a.store.conn.execute("UPDATE codings SET updated_at = ? WHERE id = ?", (at, first.id))
    a.store.conn.commit()
    gone = next(c for c in b.store.codings.list(coder="bob") if c.theme_id == "3")
    coding.remove_coding(b.store, "bob", gone.id)
    b.store.conn.execute("UPDATE removed_codings SET removed_at = ? WHERE uid = ?", (at, gone.uid))
    b.store.conn.commit()
    merge_project(b.store, a.root / "framework.db", actor="bob")
    merge_project(a.store, b.root / "framework.db", actor="alice")
    assert [c.theme_id for c in a.store.codings.list(coder="bob")] == ["1.1", "2.1"]
    assert [c.theme_id for c in b.store.codings.list(coder="bob")] == ["1.1", "2.1"]


QUESTION = "Interviewer: A question added when the recording was checked."


def test_a_coding_brought_into_a_changed_text_starts_on_its_own_words(pair) -> None:
    a, b = pair
    for project in (a, b):  # the same question was added twice in both copies
        _edit_transcript(project, "dir_london", "staffing?\n\n", f"staffing?\n\n{QUESTION}\n\n")
        _edit_transcript(project, "dir_london", "caseloads?\n\n", f"caseloads?\n\n{QUESTION}\n\n")
    _edit_transcript(a, "dir_london", "staffing?\n\nInterviewer: A question", "staffing?\n\nInterviewer: A")
    quote = "staffing?\n\nInterviewer: A question added when the recording"
    coding.add_coding(b.store, "bob", *_span(b, "dir_london", quote)[:1], "1.2", *_span(b, "dir_london", quote)[1:])
    result = merge_project(a.store, b.root / "framework.db", actor="alice")
    placed = next(c for c in a.store.codings.list(coder="bob") if c.theme_id == "1.2")
    text = a.store.documents.text(placed.document_id)
    assert (placed.quote, text[placed.start:placed.end], placed.start) == (
        "staffing?\n\nInterviewer: A added when the recording",
        "staffing?\n\nInterviewer: A added when the recording", text.index("staffing?"))
    assert {p.coder: p for p in result.plans}["bob"].summary()[1:] == [
        "  added     dir_london L3-5  1.2  “staffing? Interviewer: A added when the recording”",
        "  placed    dir_london L3-5  1.2  “staffing? Interviewer: A added when the recording”  "
        "(placed by a near match: the texts differ)"]


def test_files_of_the_first_version_still_import(pair) -> None:
    a, b = pair
    data = export_coder(b.store, "bob")
    old = {"format": data["format"], "version": 1, "coder": "bob", "project": "", "exported_at": data["exported_at"],
           "documents": data["documents"], "themes": data["themes"],
           "codings": [{k: v for k, v in c.items() if k != "uid"} for c in data["codings"]], "cells": []}
    result = import_coder(a.store, old, actor="alice")
    assert result.action is None and result.plans[0].unchanged == 3


def test_a_damaged_coder_file_is_refused_with_every_bad_row(tmp_path: Path) -> None:
    from framework.coding.coderfile import read_coder_file
    from framework.errors import InputError

    bad = tmp_path / "bob.json"
    bad.write_text('{"format": "framework-coder", "version": 2, "coder": "bob", "codings": ['
                   '{"document": "d", "theme": "1", "start": 0, "end": 4, "quote": "abcd"},'
                   '{"document": "d", "theme": "1", "start": "0", "end": 4},'
                   '{"document": "d", "theme": "1", "start": 5, "end": 5, "quote": ""}]}', encoding="utf-8")
    with pytest.raises(InputError) as refused:
        read_coder_file(bad)
    assert str(refused.value) == (
        f"{bad}: the coder file is damaged (codings row 2: start, quote missing or not a number/text; "
        "codings row 3: start 5 and end 5 do not make a span). Export it again; nothing was imported.")


def test_the_command_line_shows_first_backs_up_and_undoes(pair, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from framework.cli import main
    from framework.store import backups

    a, b = pair
    old = next(c for c in b.store.codings.list(coder="bob") if c.theme_id == "3")
    coding.update_coding(b.store, "bob", old.id, theme_id="2.1")
    runner = CliRunner()
    out = tmp_path / "bob.json"
    res = runner.invoke(main, ["--project", str(b.root), "coder", "export", "bob", "--out", str(out)])
    assert res.exit_code == 0, res.output
    here = ["--project", str(a.root), "--coder", "alice"]
    shown = runner.invoke(main, [*here, "coder", "import", str(out), "--dry-run"])
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.splitlines() == [
        "Dry run: nothing was changed.",
        "bob: 0 would be added, 0 would be removed, 1 would be changed, 0 detached; 2 unchanged",
        "  changed   hos_met L3  2.1  “We grow our own”  (theme 3 → 2.1)",
    ]
    made = lambda: [x.reason for x in backups.list_backups(a.root) if x.reason != "hourly"]  # noqa: E731
    assert made() == [] and layer(a, "bob") != layer(b, "bob")
    done = runner.invoke(main, [*here, "coder", "import", str(out)])
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines()[-1] == "One action: 'framework undo --coder alice' takes it all back."
    assert made() == ["before-coder-import"]
    assert layer(a, "bob") == layer(b, "bob")
    undone = runner.invoke(main, [*here, "undo"])
    assert undone.exit_code == 0 and undone.stdout == "undid the import of bob's codings from bob.json\n"
    assert {r[1] for r in layer(a, "bob").values()} == {"1.1", "2.1", "3"}
    as_json = runner.invoke(main, [*here, "coder", "import", str(out), "--dry-run", "--json"])
    import json

    data = json.loads(as_json.stdout)
    assert data["dry_run"] is True and data["coders"][0]["changed"][0]["note"] == "theme 3 → 2.1"


def test_an_import_merge_or_undo_that_changes_nothing_writes_no_backup_and_no_action(pair, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from framework.cli import main
    from framework.store import backups

    a, b = pair
    runner = CliRunner()
    out = tmp_path / "bob.json"
    assert runner.invoke(main, ["--project", str(b.root), "coder", "export", "bob", "--out", str(out)]).exit_code == 0
    here = ["--project", str(a.root), "--coder", "alice"]
    backups.backup(a, "by-hand")  # the newest backup is recent: no hourly one is due
    before = sorted(x.path.name for x in backups.list_backups(a.root))
    actions = a.store.scalar("SELECT count(*) FROM actions")
    same = runner.invoke(main, [*here, "coder", "import", str(out)])
    assert same.exit_code == 0 and same.stdout.splitlines()[-1] == "Nothing to change: this copy already holds that work."
    merged = runner.invoke(main, [*here, "merge", str(b.root)])
    assert merged.exit_code == 0 and merged.stdout.splitlines()[-1] == (
        "Nothing to change: this copy already holds that work.")
    again = runner.invoke(main, [*here, "import", str(a.transcripts_dir)])
    assert again.exit_code == 0 and again.stdout.startswith("documents: 0 added, 0 updated, 3 unchanged")
    nothing = runner.invoke(main, ["--project", str(a.root), "--coder", "carol", "undo"])
    assert nothing.exit_code == 0 and nothing.stderr.splitlines()[-1] == "nothing to undo"
    assert sorted(x.path.name for x in backups.list_backups(a.root)) == before
    assert a.store.scalar("SELECT count(*) FROM actions") == actions
