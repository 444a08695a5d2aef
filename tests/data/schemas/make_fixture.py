"""Build the fixture database of a released schema version: ``schemaN.db``.

Run once when a schema version is released, and commit the file it writes::

    python tests/data/schemas/make_fixture.py 1

It applies the migrations up to version N (and no further) and fills every table with
a small, fixed set of rows written in that version's SQL, so that the tests can open
what a user of that release has on disk and check that it is upgraded in place. The
committed ``.db`` is the fixture; this script records how it was made. Add a
``rows_vN`` function for each new version (older ones must not change).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from sqlite_utils import Database

HERE = Path(__file__).resolve().parent
STAMP = "2026-01-15T10:00:00+00:00"

TEXT_A = (
    "Interviewer: Can you tell me about staffing?\n\n"
    "Respondent: We have a vacancy rate of about 20 per cent. We rely on agency staff.\n\n"
    "Interviewer: And caseloads?\n\n"
    "Respondent: Caseloads are around 22 for a full-time worker.\nSome carry more than that."
)
TEXT_B = "Q: How are cases allocated?\n\nA: The team manager allocates at a weekly meeting."


def _units(text: str) -> list[tuple[int, int, str | None]]:
    out, at = [], 0
    for block in text.split("\n\n"):
        start = text.index(block, at)
        speaker = block.split(":", 1)[0] if ":" in block.split("\n")[0][:15] else None
        out.append((start, start + len(block), speaker))
        at = start + len(block)
    return out


def rows_v1(conn: sqlite3.Connection) -> None:
    import hashlib

    x = conn.execute
    x("INSERT INTO meta VALUES ('name', 'Fixture study (schema 1)')")
    x("INSERT INTO cases(id, name, created_at) VALUES (1, 'dir_london', ?), (2, 'ad_county', ?)", (STAMP, STAMP))
    x("INSERT INTO attributes VALUES ('role', 'text', 0), ('interviews', 'number', 1)")
    x("INSERT INTO case_attributes VALUES (1, 'role', 'Director'), (1, 'interviews', '1'), "
      "(2, 'role', 'Assistant director'), (2, 'interviews', '2')")
    for doc_id, (case_id, name, text) in enumerate([(1, "dir_london", TEXT_A), (2, "ad_county", TEXT_B)], start=1):
        x("INSERT INTO documents(id, case_id, name, kind, source, text, sha256, length, encoding, format, "
          "imported_at, updated_at) VALUES (?, ?, ?, 'transcript', ?, ?, ?, ?, 'utf-8', 'txt', ?, ?)",
          (doc_id, case_id, name, f"transcripts/{name}.txt", text,
           hashlib.sha256(text.encode("utf-8")).hexdigest(), len(text), STAMP, STAMP))
        conn.executemany('INSERT INTO units(document_id, ordinal, start, "end", speaker) VALUES (?, ?, ?, ?, ?)',
                         [(doc_id, i, s, e, sp) for i, (s, e, sp) in enumerate(_units(text))])
    x("INSERT INTO themes(id, parent_id, label, description, colour, position) VALUES "
      "('1', NULL, 'Staffing', 'Staff numbers and vacancies', '#4e79a7', 0), "
      "('1.1', '1', 'Vacancies', 'Posts left unfilled', '#4e79a7', 1), "
      "('2', NULL, 'Workload', '', '#e69f00', 2), ('2.1', '2', 'Caseloads', '', '#e69f00', 3)")
    x("INSERT INTO coders VALUES ('alice', ?), ('bob', ?)", (STAMP, STAMP))
    codings = [("alice", 1, "1.1", "vacancy rate of about 20 per cent"), ("bob", 1, "1.1", "vacancy rate"),
               ("alice", 1, "2.1", "Caseloads are around 22"), ("bob", 2, "2", "weekly meeting")]
    for n, (coder, doc_id, theme, quote) in enumerate(codings, start=1):
        text = TEXT_A if doc_id == 1 else TEXT_B
        start = text.index(quote)
        end = start + len(quote)
        x('INSERT INTO codings(id, coder, document_id, theme_id, start, "end", quote, before, after, memo, '
          "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?)",
          (n, coder, doc_id, theme, start, end, quote, text[max(0, start - 40):start], text[end:end + 40],
           STAMP, STAMP))
        x("INSERT INTO actions(at, coder, kind, payload) VALUES (?, ?, 'coding.add', ?)",
          (STAMP, coder, f'{{"coding": {{"id": {n}}}}}'))
    x("INSERT INTO chart_cells VALUES (1, '1.1', 'alice', 'Vacancy rate ~20%; relies on agency staff.', 'draft', ?, "
      "'alice')", (STAMP,))
    x("INSERT INTO memos(coder, target_kind, target_id, text, created_at, updated_at) VALUES "
      "('alice', 'project', '', 'Staffing comes up first in every interview.', ?, ?)", (STAMP, STAMP))


def rows_v2(conn: sqlite3.Connection) -> None:
    """Schema 2 adds adjudication decisions behind the consensus layer."""
    rows_v1(conn)
    x = conn.execute
    x("INSERT INTO coders VALUES ('consensus', ?)", (STAMP,))
    start = TEXT_A.index("vacancy rate of about 20 per cent")
    end = start + len("vacancy rate of about 20 per cent")
    x('INSERT INTO codings(id, coder, document_id, theme_id, start, "end", quote, before, after, memo, '
      "created_at, updated_at) VALUES (5, 'consensus', 1, '1.1', ?, ?, ?, ?, ?, '', ?, ?)",
      (start, end, TEXT_A[start:end], TEXT_A[max(0, start - 40):start], TEXT_A[end:end + 40], STAMP, STAMP))
    x('INSERT INTO decisions(document_id, start, "end", coders, choice, result, decided_by, note, at) '
      "VALUES (1, ?, ?, 'alice,bob', 'accept:alice', ?, 'carol', 'the longer span', ?)",
      (start, end, f'[[{start}, {end}, "1.1"]]', STAMP))
    x("INSERT INTO actions(at, coder, kind, payload) VALUES (?, 'carol', 'consensus.decide', '{}')", (STAMP,))


def rows_v3(conn: sqlite3.Connection) -> None:
    """Schema 3 adds indexes for large surveys; the rows are those of schema 2 and two survey answers."""
    import hashlib

    rows_v2(conn)
    x = conn.execute
    x("INSERT INTO cases(id, name, created_at) VALUES (3, 'r001', ?)", (STAMP,))
    x("INSERT INTO attributes VALUES ('setting', 'text', 2)")
    x("INSERT INTO case_attributes VALUES (3, 'setting', 'CSD')")
    answers = [("r001.q1", "How do you count your caseload?", "By children, about 18 each."),
               ("r001.q2", "What would help?", "More admin support and fewer forms.")]
    for doc_id, (name, question, text) in enumerate(answers, start=3):
        x("INSERT INTO documents(id, case_id, name, kind, source, text, sha256, length, question, "
          "imported_at, updated_at) VALUES (?, 3, ?, 'survey', ?, ?, ?, ?, ?, ?, ?)",
          (doc_id, name, f"survey.csv#{question}", text, hashlib.sha256(text.encode("utf-8")).hexdigest(),
           len(text), question, STAMP, STAMP))
        x('INSERT INTO units(document_id, ordinal, start, "end", speaker) VALUES (?, 0, 0, ?, NULL)',
          (doc_id, len(text)))


def rows_v4(conn: sqlite3.Connection) -> None:
    """Schema 4 gives codings and decisions a uid, keeps removed codings and an action's row changes."""
    rows_v3(conn)
    x = conn.execute
    start = TEXT_B.index("weekly")
    x('INSERT INTO codings(id, coder, document_id, theme_id, start, "end", quote, before, after, memo, '
      "created_at, updated_at, uid) VALUES (6, 'bob', 2, '2.1', ?, ?, 'weekly', '', '', '', ?, ?, "
      "'0f0e0d0c0b0a09080706050403020100')", (start, start + 6, STAMP, STAMP))
    x("DELETE FROM codings WHERE id = 6")
    x("INSERT INTO row_changes(changeset, seq, tbl, before, after) VALUES (1, 0, 'codings', NULL, '{\"id\": 5}')")
    x("INSERT INTO actions(at, coder, kind, payload) VALUES (?, 'carol', 'consensus.decide', '{\"changeset\": 1}')",
      (STAMP,))


def rows_v5(conn: sqlite3.Connection) -> None:
    """Schema 5 only drops an index; the rows are those of schema 4."""
    rows_v4(conn)


def rows_v6(conn: sqlite3.Connection) -> None:
    """Schema 6 records what a decision was made on; the rows are those of schema 5, the decision
    on alice's and bob's codings of the vacancy rate."""
    rows_v5(conn)
    alice = TEXT_A.index("vacancy rate of about 20 per cent")
    conn.execute("UPDATE decisions SET basis = ? WHERE choice = 'accept:alice'",
                 (f'[["alice", {alice}, {alice + 33}, "1.1"], ["bob", {alice}, {alice + 12}, "1.1"]]',))


ROWS = {1: rows_v1, 2: rows_v2, 3: rows_v3, 4: rows_v4, 5: rows_v5, 6: rows_v6}


def build(version: int, out: Path) -> Path:
    sys.path.insert(0, str(HERE.parents[2]))
    from framework.store import migrations as schema

    names = schema.known_names()
    if not 1 <= version <= len(names) or version not in ROWS:
        raise SystemExit(f"no fixture recipe for schema version {version}")
    out.unlink(missing_ok=True)
    conn = sqlite3.connect(out)
    db = Database(conn)
    schema.migrations.apply(db, stop_before=names[version] if version < len(names) else None)
    assert [m.name for m in schema.migrations.applied(db)] == names[:version]
    with conn:
        ROWS[version](conn)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("VACUUM")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("version", type=int)
    args = parser.parse_args()
    path = build(args.version, HERE / f"schema{args.version}.db")
    print(f"wrote {path} ({path.stat().st_size:,} bytes)")
