"""QualCoder's own REFI-QDA import takes our export whole.

Runs ``qualcoder/refi.py`` (shared/tools/qualcoder-import) on a project with two coders on
one passage, coding memos, chart summaries, memos on the project, a case, a document and a
theme, case attributes and an emoji, then checks QualCoder's database. It needs a Python
with PyQt6: ``FRAMEWORK_QUALCODER_PYTHON`` names one (see the tool's README), else this
Python is used when PyQt6 imports in it; without either the test is skipped.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from framework.exchange.qdpx import export_qdpx
from tests.test_refi import code, coded  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
TOOL = next((p / "tools" / "qualcoder-import" / "qualcoder_import.py" for p in (ROOT.parent / "shared",
             ROOT.parents[1] / "shared") if (p / "tools" / "qualcoder-import" / "qualcoder_import.py").exists()), None)


def _python() -> str | None:
    named = os.environ.get("FRAMEWORK_QUALCODER_PYTHON")
    if named:
        return named
    return sys.executable if importlib.util.find_spec("PyQt6") else None


PYTHON = _python()
pytestmark = pytest.mark.skipif(TOOL is None or PYTHON is None,
                                reason="needs shared/tools/qualcoder-import and a Python with PyQt6")


def run_qualcoder(qdpx: Path, work: Path) -> dict:
    done = subprocess.run([PYTHON, str(TOOL), str(qdpx), str(work)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_qualcoder_imports_every_coding_coder_memo_case_and_attribute(coded, tmp_path):  # noqa: F811
    store = coded.store
    doc = store.documents.get("hos_met")
    with store.write() as conn:  # an emoji before a coding: code points, as QualCoder counts
        conn.execute("UPDATE documents SET text = ? WHERE id = ?", ("🙂 " + store.documents.text(doc.id), doc.id))
        conn.execute('UPDATE codings SET start = start + 2, "end" = "end" + 2 WHERE document_id = ?', (doc.id,))
    code(store, "carol", "hos_met", "1.2", "Recruitment is hard.", memo="Said twice")
    out = tmp_path / "study.qdpx"
    export_qdpx(coded, out, coder="alice")
    result = run_qualcoder(out, tmp_path / "qc")
    assert result["error"] is None, result["log"]

    names = {t.id: f"{t.id} {t.label}" for t in store.themes.list()}
    ours = sorted((c.coder, c.document, names[c.theme_id], c.start, c.end, c.quote, c.memo)
                  for c in store.codings.list())
    theirs = sorted((c["coder"], c["document"], c["code"], c["start"], c["end"], c["text"], c["memo"])
                    for c in result["codings"])
    assert theirs == ours and len(ours) == 8
    # two coders on one passage both survive, each with their own memo
    same = [c for c in theirs if c[5] == "vacancy rate of about 20 per cent"]
    assert [(c[0], c[6]) for c in same] == [("alice", "Stated as a rate"), ("bob", "")]

    db = sqlite3.connect(tmp_path / "qc" / "data.qda")
    q = lambda sql: db.execute(sql).fetchall()  # noqa: E731
    assert q("SELECT memo FROM project") == [("Framework agreed at the March meeting.",)]
    assert sorted(q("SELECT name, ifnull(memo, '') FROM cases")) == [
        ("ad_county", "Second interview planned."), ("dir_london", ""), ("hos_met", "")]
    assert sorted(q("SELECT name, memo FROM source WHERE memo != ''")) == [
        ("hos_met", "Short interview, phone line poor.")]
    journals = sorted(q("SELECT name, jentry, owner FROM journal"))
    assert journals == [
        ("Memo: theme 2.2", "Allocation overlaps with 2.1.", "alice"),
        ("Summary: dir_london / 1.1 Vacancies", "About 20% vacancies; relies on agency staff.", "alice"),
        ("Summary: dir_london / 2 Workload", "Caseloads ~22.", "bob"),
    ]
    attributes = sorted(q("SELECT a.name, c.name, a.value FROM attribute a JOIN cases c ON c.caseid = a.id "
                          "WHERE a.attr_type = 'case'"))
    expected = sorted((name, case.name, value) for case in store.cases.list() for name, value in case.attributes.items())
    assert attributes == expected and len(expected) > 0
    texts = dict(q("SELECT name, fulltext FROM source"))
    assert texts == {d.name: store.documents.text(d.id) for d in store.documents.list()}
