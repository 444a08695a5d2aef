"""Schema versions of the project store.

Each migration is a function registered in order; sqlite-utils records the ones
applied in ``_sqlite_migrations`` and runs each, with its record, in one
transaction. A database that has a migration this version does not know was
written by a newer ``framework`` and is refused rather than misread.

The sqlite-utils ``Migrations`` set (``migrations``) is built when first used: a
database that is up to date is opened (see :mod:`framework.store.db`) by comparing
the names recorded with :func:`known_names`, without loading sqlite-utils.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

MIGRATION_SET = "framework"
MIGRATIONS_TABLE = "_sqlite_migrations"
_STEPS: list[tuple[str, Callable[[Database], None]]] = []


def step(fn: Callable[[Database], None]) -> Callable[[Database], None]:
    """Register a migration, named after its function, after the ones before it."""
    _STEPS.append((fn.__name__, fn))
    return fn


def build() -> Migrations:
    """The sqlite-utils migration set of every step, in order."""
    from sqlite_utils.migrations import Migrations

    made = Migrations(MIGRATION_SET)
    for name, fn in _STEPS:
        made(name=name)(fn)
    return made


def __getattr__(name: str) -> Any:
    if name == "migrations":
        made = globals()["migrations"] = build()
        return made
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def run_script(db: Database, sql: str) -> None:
    """Run SQL statements one by one inside the current transaction.

    ``executescript`` would commit first; splitting on complete statements keeps a
    migration and its record in one transaction (triggers included).
    """
    statement = ""
    for line in sql.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in migration: {statement!r}")


@step
def m001_initial(db: Database) -> None:
    """Cases, documents (with full-text index), units, themes, coders, codings,
    chart cells, memos and the action log."""
    run_script(
        db,
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

        CREATE TABLE cases (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL
        );
        CREATE TABLE attributes (
            name TEXT PRIMARY KEY,
            type TEXT NOT NULL DEFAULT 'text' CHECK (type IN ('text', 'number')),
            position INTEGER NOT NULL
        );
        CREATE TABLE case_attributes (
            case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
            attribute TEXT NOT NULL REFERENCES attributes(name) ON UPDATE CASCADE,
            value TEXT NOT NULL,
            PRIMARY KEY (case_id, attribute)
        ) WITHOUT ROWID;

        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases(id),
            name TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('transcript', 'survey')),
            source TEXT,
            text TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            length INTEGER NOT NULL,
            encoding TEXT,
            format TEXT,
            question TEXT,
            imported_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX documents_case ON documents(case_id);
        CREATE INDEX documents_sha ON documents(sha256);

        CREATE VIRTUAL TABLE documents_fts USING fts5(
            text, content='documents', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER documents_ai AFTER INSERT ON documents BEGIN
            INSERT INTO documents_fts(rowid, text) VALUES (new.id, new.text);
        END;
        CREATE TRIGGER documents_ad AFTER DELETE ON documents BEGIN
            INSERT INTO documents_fts(documents_fts, rowid, text) VALUES ('delete', old.id, old.text);
        END;
        CREATE TRIGGER documents_au AFTER UPDATE OF text ON documents BEGIN
            INSERT INTO documents_fts(documents_fts, rowid, text) VALUES ('delete', old.id, old.text);
            INSERT INTO documents_fts(rowid, text) VALUES (new.id, new.text);
        END;

        CREATE TABLE units (
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            speaker TEXT,
            PRIMARY KEY (document_id, ordinal)
        ) WITHOUT ROWID;

        CREATE TABLE themes (
            id TEXT PRIMARY KEY,
            parent_id TEXT REFERENCES themes(id) ON UPDATE CASCADE,
            label TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            include TEXT NOT NULL DEFAULT '',
            exclude TEXT NOT NULL DEFAULT '',
            colour TEXT NOT NULL DEFAULT '',
            position INTEGER NOT NULL DEFAULT 0,
            archived INTEGER NOT NULL DEFAULT 0
        );

        CREATE TABLE coders (name TEXT PRIMARY KEY, created_at TEXT NOT NULL);

        CREATE TABLE codings (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            coder TEXT NOT NULL REFERENCES coders(name) ON UPDATE CASCADE,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            theme_id TEXT NOT NULL REFERENCES themes(id) ON UPDATE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            quote TEXT NOT NULL,
            before TEXT NOT NULL DEFAULT '',
            after TEXT NOT NULL DEFAULT '',
            memo TEXT NOT NULL DEFAULT '',
            detached INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            CHECK (start >= 0 AND "end" > start),
            UNIQUE (coder, document_id, theme_id, start, "end")
        );
        CREATE INDEX codings_document ON codings(document_id, coder);
        CREATE INDEX codings_theme ON codings(theme_id, coder);

        CREATE TABLE chart_cells (
            case_id INTEGER NOT NULL REFERENCES cases(id),
            theme_id TEXT NOT NULL REFERENCES themes(id) ON UPDATE CASCADE,
            layer TEXT NOT NULL,
            summary TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'empty' CHECK (status IN ('empty', 'draft', 'done')),
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL,
            PRIMARY KEY (case_id, theme_id, layer)
        ) WITHOUT ROWID;

        CREATE TABLE memos (
            id INTEGER PRIMARY KEY,
            coder TEXT NOT NULL,
            target_kind TEXT NOT NULL CHECK (target_kind IN ('project', 'case', 'document', 'theme')),
            target_id TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );

        CREATE TABLE actions (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            coder TEXT NOT NULL,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX actions_coder ON actions(coder, id);
        """
    )


@step
def m002_decisions(db: Database) -> None:
    """Adjudication decisions behind the consensus coding layer."""
    run_script(
        db,
        """
        CREATE TABLE decisions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            coders TEXT NOT NULL,
            choice TEXT NOT NULL,
            result TEXT NOT NULL DEFAULT '[]',
            decided_by TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL
        );
        CREATE INDEX decisions_document ON decisions(document_id, start);
        """,
    )


@step
def m003_survey_indexes(db: Database) -> None:
    """Indexes for large surveys: answers by question, and documents in case order."""
    run_script(
        db,
        """
        CREATE INDEX documents_question ON documents(question, id) WHERE question IS NOT NULL;
        CREATE INDEX documents_case_name ON documents(case_id, name);
        """,
    )


@step
def m004_sync(db: Database) -> None:
    """What keeps copies of a project in step and makes team actions undoable.

    Every coding and decision gets a ``uid`` that travels with it between copies (new rows
    get one by themselves); removing a coding leaves its uid in ``removed_codings``, so
    another copy can tell a coding removed here from one it has and this copy never had;
    ``row_changes`` holds the rows an action wrote, so a bulk action (an import, a merge,
    a consensus decision) can be undone and redone as one.
    """
    run_script(
        db,
        """
        ALTER TABLE codings ADD COLUMN uid TEXT;
        UPDATE codings SET uid = lower(hex(randomblob(16)));
        CREATE UNIQUE INDEX codings_uid ON codings(uid);

        CREATE TABLE removed_codings (
            uid TEXT PRIMARY KEY,
            coder TEXT NOT NULL,
            document_id INTEGER NOT NULL,
            theme_id TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            quote TEXT NOT NULL,
            removed_at TEXT NOT NULL
        );
        CREATE INDEX removed_codings_coder ON removed_codings(coder);

        CREATE TRIGGER codings_uid AFTER INSERT ON codings WHEN new.uid IS NULL BEGIN
            UPDATE codings SET uid = lower(hex(randomblob(16))) WHERE id = new.id;
        END;
        CREATE TRIGGER codings_back AFTER INSERT ON codings WHEN new.uid IS NOT NULL BEGIN
            DELETE FROM removed_codings WHERE uid = new.uid;
        END;
        CREATE TRIGGER codings_removed AFTER DELETE ON codings BEGIN
            INSERT OR REPLACE INTO removed_codings(uid, coder, document_id, theme_id, start, "end", quote, removed_at)
            VALUES (old.uid, old.coder, old.document_id, old.theme_id, old.start, old."end", old.quote,
                    strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'));
        END;

        ALTER TABLE decisions ADD COLUMN uid TEXT;
        UPDATE decisions SET uid = lower(hex(randomblob(16)));
        CREATE UNIQUE INDEX decisions_uid ON decisions(uid);
        CREATE TRIGGER decisions_uid AFTER INSERT ON decisions WHEN new.uid IS NULL BEGIN
            UPDATE decisions SET uid = lower(hex(randomblob(16))) WHERE id = new.id;
        END;

        CREATE TABLE row_changes (
            changeset INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            tbl TEXT NOT NULL,
            before TEXT,
            after TEXT,
            PRIMARY KEY (changeset, seq)
        ) WITHOUT ROWID;
        """,
    )


@step
def m005_one_case_index(db: Database) -> None:
    """The index of documents in case order also finds a case's documents: the index on the case
    alone goes (one index less to keep up when 100,000 answers come in)."""
    run_script(db, "DROP INDEX documents_case;")


@step
def m006_decision_basis(db: Database) -> None:
    """What each consensus decision was made on: the coders' codings of its passage, as a JSON
    list of ``[coder, start, end, theme]`` (``basis``), so a decision whose codings changed
    afterwards can be told apart.

    For decisions made before, it is worked out from what is known: the codings over the
    passage that were last changed before the decision, and the codings removed from it
    since. A coding changed after the decision is left out and one removed since is put
    in, so either shows as changed since decided.
    """
    run_script(
        db,
        """
        ALTER TABLE decisions ADD COLUMN basis TEXT;
        UPDATE decisions SET basis = (
            SELECT json_group_array(json_array(coder, start, "end", theme_id)) FROM (
                SELECT c.coder, c.start, c."end", c.theme_id FROM codings c
                WHERE c.document_id = decisions.document_id AND c.detached = 0
                  AND c.start < decisions."end" AND c."end" > decisions.start AND c.updated_at <= decisions.at
                  AND instr(',' || decisions.coders || ',', ',' || c.coder || ',') > 0
                UNION ALL
                SELECT r.coder, r.start, r."end", r.theme_id FROM removed_codings r
                WHERE r.document_id = decisions.document_id
                  AND r.start < decisions."end" AND r."end" > decisions.start AND r.removed_at > decisions.at
                  AND instr(',' || decisions.coders || ',', ',' || r.coder || ',') > 0
            )
        ) WHERE choice != 'reopen';
        """,
    )


def known_names() -> list[str]:
    """Names of every migration this version knows, in order (of the set in use, when one
    was made or put in its place)."""
    chosen = globals().get("migrations")
    if chosen is not None:
        return [m.name for m in chosen._migrations]
    return [name for name, _ in _STEPS]


def applied_names(conn: sqlite3.Connection) -> list[str]:
    """Names of the migrations recorded in a database, in the order they were applied."""
    found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                         (MIGRATIONS_TABLE,)).fetchone()
    if found is None:
        return []
    rows = conn.execute(f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY rowid",
                        (MIGRATION_SET,))
    return [name for (name,) in rows]


SCHEMA_VERSION = len(_STEPS)
