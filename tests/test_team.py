"""Team work: coder files, merging copies, agreement and consensus."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from framework.analysis.compare import project_agreement
from framework.analysis.consensus import accept_agreements, decide, passages, progress
from framework.cli import main
from framework.coding import actions as coding
from framework.coding.coderfile import export_coder, import_coder, merge_project, read_coder_file, write_coder_file
from framework.errors import InputError
from framework.project import open_project
from framework.store import CONSENSUS

from .teamwork import PARAS, TEXT, span, two_coders


@pytest.fixture
def team(project):
    """Two coders on a four-paragraph document: both code 'Alpha', A 'Beta', B 'Gamma'."""
    return two_coders(project)


def test_paragraph_document_and_char_agreement(team) -> None:
    project, doc = team
    result = project_agreement(project.store, ["alice", "bob"])
    assert result["documents"] == ["four"]
    assert list(result["themes"]) == ["2.1"]
    para = result["themes"]["2.1"]["paragraph"]
    assert (para["n_units"], para["percent_agreement"], para["cohen_kappa"], para["krippendorff_alpha"],
            para["fleiss_kappa"]) == (4, 0.5, 0.0, 0.125, None)
    pair = result["themes"]["2.1"]["char"]["pairs"]["alice|bob"]
    n, a, b = len(TEXT), len(PARAS[0]) + len(PARAS[1]), len(PARAS[0]) + len(PARAS[2])
    both = len(PARAS[0])
    assert (pair["n"], pair["both"], pair["a_only"], pair["b_only"], pair["neither"]) == (
        n, both, a - both, b - both, n - a - b + both)
    agree = both + (n - a - b + both)
    sum_ef = (a * b + (n - a) * (n - b)) / n
    assert pair["percent_agreement"] == round(agree / n, 6)
    assert pair["cohen_kappa"] == round((agree - sum_ef) / (n - sum_ef), 6)
    document = result["themes"]["2.1"]["document"]
    assert (document["n_units"], document["percent_agreement"], document["krippendorff_alpha"]) == (1, 1.0, None)


def test_agreement_cli_json_and_text(team) -> None:
    project, _ = team
    runner = CliRunner()
    res = runner.invoke(main, ["--project", str(project.root), "agreement", "--coders", "alice,bob", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert set(data) >= {"coders", "documents", "rollup", "min_overlap", "themes"}
    assert data["coders"] == ["alice", "bob"] and data["rollup"] is False and data["min_overlap"] == 1
    text = runner.invoke(main, ["--project", str(project.root), "agreement", "--coders", "alice,bob"])
    assert "Krippendorff" in text.stdout and "2.1" in text.stdout
    bad = runner.invoke(main, ["--project", str(project.root), "agreement", "--coders", "alice,zed"])
    assert bad.exit_code == 1 and "no coder named 'zed'" in bad.stderr


def test_passages_statuses_and_decisions(team) -> None:
    project, doc = team
    store = project.store
    rows = passages(store, ["alice", "bob"], doc.id)
    assert [(p.start, p.end, p.status) for p in rows] == [
        (*span("Alpha"), "agree"), (*span("Beta"), "only:alice"), (*span("Gamma"), "only:bob")]
    assert accept_agreements(store, "carol", ["alice", "bob"]) == 1
    decide(store, "carol", ["alice", "bob"], rows[1], "reject", note="not about caseloads")
    decide(store, "carol", ["alice", "bob"], rows[2], "accept", accept="bob")
    cons = sorted((c.start, c.end, c.theme_id) for c in store.codings.list(coder=CONSENSUS))
    assert cons == [(*span("Alpha"), "2.1"), (*span("Gamma"), "2.1")]
    p = progress(store, ["alice", "bob"])
    assert (p.decided, p.remaining) == (3, 0)
    # Deciding again replaces the earlier consensus for that passage.
    again = passages(store, ["alice", "bob"], doc.id)
    decide(store, "carol", ["alice", "bob"], again[2], "edit", edited=[(again[2].start, again[2].start + 5, "2.2")])
    cons = sorted((c.start, c.end, c.theme_id) for c in store.codings.list(coder=CONSENSUS))
    assert cons == [(*span("Alpha"), "2.1"), (again[2].start, again[2].start + 5, "2.2")]
    kinds = [a.kind for a in store.actions.list(coder="carol")]
    assert kinds == ["consensus.accept"] + ["consensus.decide"] * 3


def test_different_theme_and_bounds_statuses(project) -> None:
    store = project.store
    doc = store.documents.get("dir_london")
    coding.add_coding(store, "alice", doc.id, "1.1", 10, 40)
    coding.add_coding(store, "bob", doc.id, "1.2", 20, 50)
    coding.add_coding(store, "alice", doc.id, "3", 100, 140)
    coding.add_coding(store, "bob", doc.id, "3", 105, 140)
    assert [(p.start, p.end, p.status) for p in passages(store, ["alice", "bob"], doc.id)] == [
        (10, 50, "theme"), (100, 140, "bounds")]


def test_coder_file_round_trip_into_a_changed_copy(team, tmp_path: Path) -> None:
    project, doc = team
    store = project.store
    coding.update_coding(store, "alice", store.codings.list(coder="alice")[0].id, memo="key passage")
    out = tmp_path / "alice.json"
    assert write_coder_file(store, "alice", out) == 2
    # A colleague's copy: same project, but 'four' was edited (a line inserted at the top).
    copy = tmp_path / "copy"
    shutil.copytree(project.root, copy, ignore=shutil.ignore_patterns("framework.db*", ".framework"))
    (copy / "transcripts" / "four.txt").write_text("Note: re-typed.\n\n" + TEXT.replace("Beta beta", "Bxta"),
                                                    encoding="utf-8")
    other = open_project(copy)
    report = import_coder(other.store, read_coder_file(out), source=str(out)).plans[0]
    assert (len(report.added), len(report.detached)) == (2, 1)
    assert report.detached[0].quote == PARAS[1]
    rows = sorted((c.start, c.end, c.quote, c.detached, c.memo) for c in other.store.codings.list(coder="alice"))
    shift = len("Note: re-typed.\n\n")
    a_start, a_end = span("Alpha")
    assert rows[0] == (a_start + shift, a_end + shift, PARAS[0], False, "key passage")
    assert rows[1][2:4] == (PARAS[1], True)
    again = import_coder(other.store, read_coder_file(out), source=str(out))
    assert again.action is None
    assert again.plans[0].counts()["unchanged"] == 2 and not again.plans[0].any
    other.close()


def test_unknown_themes_stop_the_import_unless_mapped(team, tmp_path: Path) -> None:
    project, _ = team
    data = export_coder(project.store, "bob")
    for c in data["codings"]:
        c["theme"] = "9.9"
    with pytest.raises(InputError, match=r"1 theme\(s\) are not in this framework: 9\.9.*--map OLD=NEW"):
        import_coder(project.store, {**data, "coder": "dave"})
    report = import_coder(project.store, {**data, "coder": "dave"}, mapping={"9.9": "2.2"})
    assert len(report.plans[0].added) == 2
    assert {c.theme_id for c in project.store.codings.list(coder="dave")} == {"2.2"}


def test_merge_brings_every_coder_from_another_copy(team, tmp_path: Path) -> None:
    project, doc = team
    copy = tmp_path / "copy"
    shutil.copytree(project.root, copy, ignore=shutil.ignore_patterns("framework.db*", ".framework"))
    other = open_project(copy)
    other_doc = other.store.documents.get("four")
    coding.add_coding(other.store, "erin", other_doc.id, "3", *span("Delta"))
    other.close()
    result = merge_project(project.store, copy / "framework.db")
    assert [(p.coder, len(p.added), p.unchanged) for p in result.plans] == [("erin", 1, 0)]
    res = CliRunner().invoke(main, ["--project", str(project.root), "merge", str(copy)])
    assert res.exit_code == 0 and "erin: 0 added, 0 removed, 0 changed, 0 detached; 1 unchanged" in res.stdout


def test_a_bad_coder_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match=r"x\.json: line 1: not a valid coder file"):
        read_coder_file(bad)
    bad.write_text('{"format": "something else"}', encoding="utf-8")
    with pytest.raises(InputError, match="not a framework coder file"):
        read_coder_file(bad)


def test_decisions_are_undone_redone_and_reopened(team) -> None:
    project, doc = team
    store = project.store
    rows = passages(store, ["alice", "bob"], doc.id)
    decide(store, "carol", ["alice", "bob"], rows[2], "accept", accept="bob")
    assert [(c.start, c.end) for c in store.codings.list(coder=CONSENSUS)] == [span("Gamma")]
    assert coding.undo(store, "carol")[0] == "consensus.decide"
    assert store.codings.list(coder=CONSENSUS) == []
    assert passages(store, ["alice", "bob"], doc.id)[2].decision is None
    assert coding.redo(store, "carol")[0] == "consensus.decide"
    again = passages(store, ["alice", "bob"], doc.id)[2]
    assert again.decision.choice == "accept:bob"
    from framework.analysis.consensus import reopen

    reopen(store, "carol", ["alice", "bob"], again)
    assert passages(store, ["alice", "bob"], doc.id)[2].decision is None
    assert store.codings.list(coder=CONSENSUS) == []
    with pytest.raises(InputError, match="has no decision to take back"):
        reopen(store, "carol", ["alice", "bob"], passages(store, ["alice", "bob"], doc.id)[2])
    assert coding.undo(store, "carol")[0] == "consensus.reopen"  # the decision is back
    assert passages(store, ["alice", "bob"], doc.id)[2].decision.choice == "accept:bob"
    assert [(c.start, c.end) for c in store.codings.list(coder=CONSENSUS)] == [span("Gamma")]
    assert accept_agreements(store, "carol", ["alice", "bob"]) == 1
    assert coding.undo(store, "carol")[0] == "consensus.accept"
    assert progress(store, ["alice", "bob"]).decided == 1


def test_both_on_a_bounds_passage_writes_onespan(project) -> None:
    store = project.store
    doc = store.documents.get("dir_london")
    coding.add_coding(store, "alice", doc.id, "3", 100, 140)
    coding.add_coding(store, "bob", doc.id, "3", 105, 150)
    coding.add_coding(store, "bob", doc.id, "3", 145, 160)  # bob's second coding of the theme, chained
    (p,) = passages(store, ["alice", "bob"], doc.id)
    assert p.status == "bounds"
    decide(store, "carol", ["alice", "bob"], p, "both")
    assert [(c.start, c.end, c.theme_id) for c in store.codings.list(coder=CONSENSUS)] == [(100, 160, "3")]


def test_status_counts_the_documents_every_coder_coded_and_names_the_others(team) -> None:
    project, doc = team
    store = project.store
    other = store.documents.get("dir_london")
    coding.add_coding(store, "alice", other.id, "1.1", 10, 40)  # bob never coded dir_london
    assert (progress(store, ["alice", "bob"]).remaining, progress(store, ["alice", "bob"]).documents) == (3, 1)
    runner = CliRunner()
    res = runner.invoke(main, ["--project", str(project.root), "consensus", "status", "--coders", "alice,bob"])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == [
        "0 decided, 3 remaining (1 of them agreements) in 1 documents coded by every one of alice, bob",
        "  not counted: dir_london: coded only by alice (1); no codings by bob",
    ]
    from framework.views.review import survey

    _, shown = survey(store, ["alice", "bob"], None, None)  # the review screen counts the same
    assert (shown.decided, shown.remaining, shown.agreements) == (0, 3, 1)


def test_without_coders_the_two_with_most_in_common_are_compared(team) -> None:
    project, doc = team
    store = project.store
    coding.add_coding(store, "carol", store.documents.get("hos_met").id, "3", 0, 20)
    runner = CliRunner()
    res = runner.invoke(main, ["--project", str(project.root), "agreement"])
    assert res.exit_code == 0, res.output
    assert "note: comparing alice, bob (the two coders with the most codings in common" in res.stderr
    assert res.stdout.startswith("Inter-coder agreement: alice, bob; 1 document(s); ")
    runner.invoke(main, ["--project", str(project.root), "agreement", "--coders", "alice,carol,bob"])
    res = runner.invoke(main, ["--project", str(project.root), "consensus", "status"])
    assert "note: comparing alice, bob (the two coders with the most codings in common" in res.stderr
    res = runner.invoke(main, ["--project", str(project.root), "agreement", "--coders", "alice,carol"])
    assert res.exit_code == 1
    assert "no document has codings by every one of alice, carol (four: coded only by alice (2); no codings by " \
           "carol; hos_met: coded only by carol (1); no codings by alice)" in res.stderr


def test_coders_named_on_the_command_line_leave_the_screens_choice_alone(team) -> None:
    from framework.views.compared import remember, remembered

    project, _ = team
    coding.add_coding(project.store, "carol", project.store.documents.get("four").id, "2.1", *span("Delta"))
    remember(project, ["alice", "carol"])  # as chosen with c on the agreement screen
    before = json.dumps(project.settings(), sort_keys=True)
    runner = CliRunner()
    for command in (["agreement", "--coders", "alice,bob"], ["consensus", "status", "--coders", "bob,carol"],
                    ["agreement", "--coders", "bob,alice,carol", "--json"]):
        res = runner.invoke(main, ["--project", str(project.root), *command])
        assert res.exit_code == 0, res.output
        assert "note:" not in res.stderr
    again = open_project(project.root)
    assert remembered(again) == ["alice", "carol"]
    assert json.dumps(again.settings(), sort_keys=True) == before
    res = runner.invoke(main, ["--project", str(project.root), "agreement"])
    assert res.stderr == "note: comparing alice, carol (as chosen last; --coders to choose others)\n"
    assert res.stdout.startswith("Inter-coder agreement: alice, carol; 1 document(s); ")


def test_the_report_names_documents_left_out_and_what_they_hold(team) -> None:
    project, doc = team
    store = project.store
    london = store.documents.get("dir_london")
    coding.add_coding(store, "alice", london.id, "2.1", 10, 40)  # a theme both used, also here by alice only
    coding.add_coding(store, "alice", london.id, "3", 50, 60)  # a theme only here
    result = project_agreement(store, ["alice", "bob"])
    assert result["left_out"] == [{"document": "dir_london", "coded_by": {"alice": 2}, "not_coded_by": ["bob"],
                                   "reason": "coded only by alice (2); no codings by bob"}]
    assert result["themes_left_out"] == {"2.1": {"in_table": True, "codings": {"alice": {"dir_london": 1}}},
                                         "3": {"in_table": False, "codings": {"alice": {"dir_london": 1}}}}
    from framework.analysis.agreement import format_report

    text = format_report(result)
    assert "1 document(s) (1 left out, listed below)" in text
    assert "2.1*   paragraph" in text
    assert "  dir_london: coded only by alice (2); no codings by bob" in text
    assert "  2.1: alice 1 in dir_london" in text and "  3: alice 1 in dir_london" in text
