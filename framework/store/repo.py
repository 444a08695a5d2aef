"""Queries and writes, one small repository per entity.

Reads return dataclasses from :mod:`framework.store.model`. Writes expect to run
inside ``Store.write()`` (they do not open transactions of their own unless named
``*_now``), so a user action that touches several tables commits as one.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from framework.errors import InputError
from framework.store.model import Action, Attribute, Case, ChartCell, Coding, Document, Theme, Unit, now

if TYPE_CHECKING:
    from framework.store.db import Store


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """" Did you mean 'x'?" for the choice closest to ``word`` (ignoring case first), or ""."""
    names = list(choices)
    same = [name for name in names if name.casefold() == word.casefold()]
    if same:
        return f" Did you mean {same[0]!r}?"
    from rapidfuzz import fuzz, process, utils

    best = process.extractOne(word, names, scorer=fuzz.ratio, processor=utils.default_process, score_cutoff=60)
    return f" Did you mean {best[0]!r}?" if best else ""


class _Repo:
    def __init__(self, store: Store) -> None:
        self.store = store


# -- cases ------------------------------------------------------------------------------


class Cases(_Repo):
    def iter(self) -> Iterator[tuple[Case, int]]:
        """Every case by name with its number of documents, read as it is used."""
        batch: list[dict[str, Any]] = []
        rows = self.store.iter_query(
            "SELECT c.id, c.name, (SELECT count(*) FROM documents d WHERE d.case_id = c.id) AS docs "
            "FROM cases c ORDER BY c.name")
        for row in rows:
            batch.append(row)
            if len(batch) == 500:
                yield from self._with_attributes(batch)
                batch = []
        yield from self._with_attributes(batch)

    def _with_attributes(self, rows: list[dict[str, Any]]) -> Iterator[tuple[Case, int]]:
        if not rows:
            return
        values: dict[int, dict[str, str]] = {}
        for r in self.store.query(
            "SELECT ca.case_id, ca.attribute, ca.value FROM case_attributes ca JOIN attributes a "
            f"ON a.name = ca.attribute WHERE ca.case_id IN ({','.join('?' * len(rows))}) ORDER BY a.position",
            [r["id"] for r in rows],
        ):
            values.setdefault(r["case_id"], {})[r["attribute"]] = r["value"]
        for r in rows:
            yield Case(r["id"], r["name"], values.get(r["id"], {})), r["docs"]

    def list(self) -> list[Case]:
        values: dict[int, dict[str, str]] = {}
        for row in self.store.query(
            "SELECT ca.case_id, ca.attribute, ca.value FROM case_attributes ca "
            "JOIN attributes a ON a.name = ca.attribute ORDER BY a.position"
        ):
            values.setdefault(row["case_id"], {})[row["attribute"]] = row["value"]
        return [
            Case(r["id"], r["name"], values.get(r["id"], {}))
            for r in self.store.query("SELECT id, name FROM cases ORDER BY name")
        ]

    def get(self, name_or_id: str | int) -> Case:
        """The case with this name (or numeric id); a clear error otherwise."""
        key = str(name_or_id)
        rows = self.store.query("SELECT id, name FROM cases WHERE name = ?", (key,))
        if not rows and key.isdigit():
            rows = self.store.query("SELECT id, name FROM cases WHERE id = ?", (int(key),))
        if not rows:
            names = [c["name"] for c in self.store.query("SELECT name FROM cases")]
            raise InputError(f"no case named {key!r}.{did_you_mean(key, names)} Run 'framework cases' to list them.")
        row = rows[0]
        attrs = {
            r["attribute"]: r["value"]
            for r in self.store.query(
                "SELECT ca.attribute, ca.value FROM case_attributes ca JOIN attributes a "
                "ON a.name = ca.attribute WHERE case_id = ? ORDER BY a.position",
                (row["id"],),
            )
        }
        return Case(row["id"], row["name"], attrs)

    def attributes(self) -> list[Attribute]:
        return [
            Attribute(r["name"], r["type"], r["position"])
            for r in self.store.query("SELECT name, type, position FROM attributes ORDER BY position")
        ]

    def ensure(self, name: str) -> int:
        """The id of the case called ``name``, created if new (inside a write)."""
        conn = self.store.conn
        row = conn.execute("SELECT id FROM cases WHERE name = ?", (name,)).fetchone()
        if row:
            return int(row[0])
        return int(conn.execute("INSERT INTO cases(name, created_at) VALUES (?, ?)", (name, now())).lastrowid)

    def ensure_many(self, names: Sequence[str]) -> dict[str, int]:
        """The ids of the cases called ``names``, those that are new created (inside a write)."""
        conn = self.store.conn
        stamp = now()
        conn.executemany("INSERT OR IGNORE INTO cases(name, created_at) VALUES (?, ?)", ((n, stamp) for n in names))
        found: dict[str, int] = {}
        unique = list(dict.fromkeys(names))
        if len(unique) > 5000:  # most of the cases: one pass over them all
            wanted = set(unique)
            return {name: case_id for name, case_id in conn.execute("SELECT name, id FROM cases") if name in wanted}
        for i in range(0, len(unique), 500):
            chunk = unique[i : i + 500]
            found.update(conn.execute(
                f"SELECT name, id FROM cases WHERE name IN ({','.join('?' * len(chunk))})", chunk
            ).fetchall())
        return found

    def set_attributes_many(self, values: Iterable[tuple[int, str, str]]) -> None:
        """Set ``(case id, attribute, value)`` triples (inside a write); an empty value removes one."""
        empty: list[tuple[int, str]] = []

        def given() -> Iterator[tuple[int, str, str]]:
            for row in values:
                if row[2] == "":
                    empty.append((row[0], row[1]))
                else:
                    yield row

        conn = self.store.conn
        conn.executemany(
            "INSERT INTO case_attributes(case_id, attribute, value) VALUES (?, ?, ?) "
            "ON CONFLICT(case_id, attribute) DO UPDATE SET value = excluded.value", given())
        conn.executemany("DELETE FROM case_attributes WHERE case_id = ? AND attribute = ?", empty)

    def ensure_attributes(self, names: Sequence[str], types: dict[str, str] | None = None) -> None:
        conn = self.store.conn
        position = conn.execute("SELECT coalesce(max(position), -1) FROM attributes").fetchone()[0]
        for name in names:
            kind = (types or {}).get(name, "text")
            exists = conn.execute("SELECT type FROM attributes WHERE name = ?", (name,)).fetchone()
            if exists is None:
                position += 1
                conn.execute("INSERT INTO attributes(name, type, position) VALUES (?, ?, ?)", (name, kind, position))
            elif exists[0] != kind and kind == "text":
                conn.execute("UPDATE attributes SET type = 'text' WHERE name = ?", (name,))

    def set_attributes(self, case_id: int, values: dict[str, str]) -> None:
        """Set attribute values of a case (inside a write); empty values are removed."""
        conn = self.store.conn
        for name, value in values.items():
            if value == "":
                conn.execute("DELETE FROM case_attributes WHERE case_id = ? AND attribute = ?", (case_id, name))
            else:
                conn.execute(
                    "INSERT INTO case_attributes(case_id, attribute, value) VALUES (?, ?, ?) "
                    "ON CONFLICT(case_id, attribute) DO UPDATE SET value = excluded.value",
                    (case_id, name, value),
                )


# -- documents ---------------------------------------------------------------------------

_DOC_COLUMNS = (
    "d.id, d.name, d.case_id, c.name AS case_name, d.kind, d.source, d.sha256, d.length, "
    "d.encoding, d.format, d.question, d.imported_at, d.updated_at"
)


def _document(r: dict[str, Any]) -> Document:
    return Document(
        r["id"], r["name"], r["case_id"], r["case_name"], r["kind"], r["source"], r["sha256"],
        r["length"], r["encoding"], r["format"], r["question"], r["imported_at"], r["updated_at"],
    )


_NO_ATTRIBUTES: Mapping[str, str] = MappingProxyType({})


def _no_attributes() -> Mapping[str, str]:
    return _NO_ATTRIBUTES


@dataclass(frozen=True, slots=True)
class NewDocument:
    """A document ready to be written: text already normalised, units computed. A survey
    import holds one per answer (hundreds of thousands): slots, and one shared empty
    mapping for the documents without attributes, keep each small."""

    name: str
    case: str
    kind: str
    source: str | None
    text: str
    sha256: str
    encoding: str | None
    format: str | None
    units: Sequence[tuple[int, int, str | None]]
    question: str | None = None
    attributes: Mapping[str, str] = field(default_factory=_no_attributes)


BULK_INDEX = 1000
"""Documents inserted at once from which the text index is built in one pass."""
BULK_TRIGGER = "documents_ai"
"""The trigger that indexes each new document's text (see the first migration)."""


class Documents(_Repo):
    def _select(self, where: str = "", params: Any = ()) -> list[Document]:
        return [
            _document(r)
            for r in self.store.query(
                f"SELECT {_DOC_COLUMNS} FROM documents d JOIN cases c ON c.id = d.case_id {where} "
                "ORDER BY c.name, d.name",
                params,
            )
        ]

    def list(self, kind: str | None = None) -> list[Document]:
        return self._select("WHERE d.kind = ?", (kind,)) if kind else self._select()

    def from_sources(self, sources: Sequence[str], kind: str = "transcript") -> list[Document]:
        """The documents of ``kind`` imported from any of the files ``sources`` (read a few
        hundred sources at a time, so a large project is never read whole for a few files)."""
        found: list[Document] = []
        for i in range(0, len(sources), 500):
            part = list(sources[i:i + 500])
            found += self._select(f"WHERE d.kind = ? AND d.source IN ({','.join('?' * len(part))})", (kind, *part))
        return found

    def iter(self, kind: str | None = None) -> Iterator[tuple[Document, int]]:
        """Every document in case order with its number of codings, read as it is used."""
        where, params = ("WHERE d.kind = ? ", (kind,)) if kind else ("", ())
        for r in self.store.iter_query(
            f"SELECT {_DOC_COLUMNS}, (SELECT count(*) FROM codings k WHERE k.document_id = d.id) AS codings "
            f"FROM cases c JOIN documents d ON d.case_id = c.id {where}ORDER BY c.name, d.name", params,
        ):
            yield _document(r), r["codings"]

    def find(self, name_or_id: str | int) -> Document | None:
        key = str(name_or_id)
        rows = self._select("WHERE d.name = ?", (key,))
        if not rows and key.isdigit():
            rows = self._select("WHERE d.id = ?", (int(key),))
        return rows[0] if rows else None

    def get(self, name_or_id: str | int) -> Document:
        """The document with this name (or numeric id); a clear error otherwise."""
        doc = self.find(name_or_id)
        if doc is None:
            names = [r["name"] for r in self.store.query("SELECT name FROM documents")]
            raise InputError(
                f"no document named {str(name_or_id)!r}.{did_you_mean(str(name_or_id), names)} "
                "Run 'framework docs' to list them."
            )
        return doc

    def by_names(self, names: Sequence[str]) -> dict[str, Document]:
        """The documents with these names (those that exist), by name."""
        out: dict[str, Document] = {}
        for i in range(0, len(names), 500):
            chunk = list(names[i : i + 500])
            out.update((d.name, d) for d in self._select(f"WHERE d.name IN ({','.join('?' * len(chunk))})", chunk))
        return out

    def for_case(self, case_id: int) -> list[Document]:
        return self._select("WHERE d.case_id = ?", (case_id,))

    def by_sha(self, sha256: str) -> list[Document]:
        return self._select("WHERE d.sha256 = ?", (sha256,))

    def text(self, document_id: int) -> str:
        value = self.store.scalar("SELECT text FROM documents WHERE id = ?", (document_id,))
        if value is None:
            raise InputError(f"no document with id {document_id}.")
        return str(value)

    def text_and_hash(self, document_id: int) -> tuple[str, str]:
        """The document's text and its content hash, read together (one version of the text)."""
        rows = self.store.query("SELECT text, sha256 FROM documents WHERE id = ?", (document_id,))
        if not rows:
            raise InputError(f"no document with id {document_id}.")
        return str(rows[0]["text"]), str(rows[0]["sha256"])

    def units(self, document_id: int) -> list[Unit]:
        return [
            Unit(document_id, r["ordinal"], r["start"], r["end"], r["speaker"])
            for r in self.store.query(
                'SELECT ordinal, start, "end", speaker FROM units WHERE document_id = ? ORDER BY ordinal',
                (document_id,),
            )
        ]

    def all_units(self) -> dict[int, list[tuple[int, int]]]:
        """Every document's paragraph ranges, in order."""
        out: dict[int, list[tuple[int, int]]] = {}
        for doc, start, end in self.store.tuples('SELECT document_id, start, "end" FROM units ORDER BY document_id, ordinal'):
            out.setdefault(doc, []).append((start, end))
        return out

    def insert_many(self, docs: Sequence[NewDocument], case_ids: dict[str, int] | None = None) -> list[int]:
        """Insert new documents with their units (inside a write); returns their ids. ``case_ids``
        may give the ids of their cases, when the caller has just made them."""
        conn = self.store.conn
        stamp = now()
        if case_ids is None or any(d.case not in case_ids for d in docs):
            case_ids = self.store.cases.ensure_many([d.case for d in docs])
        before = conn.execute("SELECT coalesce(max(id), 0) FROM documents").fetchone()[0]
        with self._bulk_text_index(len(docs)):
            conn.executemany(
                "INSERT INTO documents(case_id, name, kind, source, text, sha256, length, encoding, "
                "format, question, imported_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                ((case_ids[doc.case], doc.name, doc.kind, doc.source, doc.text, doc.sha256, len(doc.text),
                  doc.encoding, doc.format, doc.question, stamp, stamp) for doc in docs),
            )
        by_name = dict(conn.execute("SELECT name, id FROM documents WHERE id > ?", (before,)).fetchall())
        ids = [by_name[d.name] for d in docs]
        self._insert_units(before, ids, docs)
        return ids

    def _insert_units(self, before: int, ids: Sequence[int], docs: Sequence[NewDocument]) -> None:
        """The new documents' paragraphs. Those that are one paragraph, whole (most survey
        answers), are written by one statement from the documents themselves."""
        conn = self.store.conn
        several = [(doc_id, doc) for doc_id, doc in zip(ids, docs)
                   if len(doc.units) != 1 or tuple(doc.units[0]) != (0, len(doc.text), None)]
        if len(several) < len(docs):
            conn.execute(
                'INSERT INTO units(document_id, ordinal, start, "end", speaker) SELECT id, 0, 0, length, NULL '
                "FROM documents WHERE id > ? AND id NOT IN (SELECT value FROM json_each(?))",
                (before, json.dumps([doc_id for doc_id, _ in several])))
        conn.executemany(
            'INSERT INTO units(document_id, ordinal, start, "end", speaker) VALUES (?,?,?,?,?)',
            ((doc_id, i, s, e, speaker) for doc_id, doc in several for i, (s, e, speaker) in enumerate(doc.units)),
        )

    @contextlib.contextmanager
    def _bulk_text_index(self, count: int) -> Iterator[None]:
        """Index many new documents in one pass rather than row by row (inside a write).

        When at least as many documents come in as there are already, the text index's insert
        trigger and the table's own indexes are set aside while the rows go in, and put back, as
        they were, in the same transaction: the new rows are indexed for search with one
        statement and the other indexes are built again sorted, which is several times faster.
        """
        conn = self.store.conn
        trigger = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                               (BULK_TRIGGER,)).fetchone()
        before, existing = conn.execute("SELECT coalesce(max(id), 0), count(*) FROM documents").fetchone()
        if count < BULK_INDEX or count < existing or trigger is None:
            yield
            return
        indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'documents' "
                               "AND sql IS NOT NULL").fetchall()
        conn.execute(f"DROP TRIGGER {BULK_TRIGGER}")
        for name, _sql in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        try:
            yield
            conn.execute("INSERT INTO documents_fts(rowid, text) SELECT id, text FROM documents WHERE id > ?",
                         (before,))
        finally:
            for _name, sql in indexes:
                conn.execute(sql)
            conn.execute(trigger[0])

    def replace_text(self, document_id: int, doc: NewDocument) -> None:
        """Replace a document's text and units (inside a write)."""
        conn = self.store.conn
        conn.execute(
            "UPDATE documents SET text = ?, sha256 = ?, length = ?, encoding = ?, format = ?, "
            "source = ?, updated_at = ? WHERE id = ?",
            (doc.text, doc.sha256, len(doc.text), doc.encoding, doc.format, doc.source, now(), document_id),
        )
        conn.execute("DELETE FROM units WHERE document_id = ?", (document_id,))
        conn.executemany(
            'INSERT INTO units(document_id, ordinal, start, "end", speaker) VALUES (?,?,?,?,?)',
            [(document_id, i, s, e, sp) for i, (s, e, sp) in enumerate(doc.units)],
        )

    def coded_counts(self) -> dict[int, dict[str, int]]:
        """Per document, the number of codings per coder."""
        out: dict[int, dict[str, int]] = {}
        for r in self.store.query(
            "SELECT document_id, coder, count(*) AS n FROM codings GROUP BY document_id, coder"
        ):
            out.setdefault(r["document_id"], {})[r["coder"]] = r["n"]
        return out


# -- themes -----------------------------------------------------------------------------


def _theme(r: dict[str, Any]) -> Theme:
    return Theme(
        r["id"], r["parent_id"], r["label"], r["description"], r["include"], r["exclude"],
        r["colour"], r["position"], bool(r["archived"]),
    )


class Themes(_Repo):
    def list(self, include_archived: bool = True) -> list[Theme]:
        where = "" if include_archived else "WHERE archived = 0"
        return [_theme(r) for r in self.store.query(f"SELECT * FROM themes {where} ORDER BY position, id")]

    def find(self, theme_id: str) -> Theme | None:
        rows = self.store.query("SELECT * FROM themes WHERE id = ?", (theme_id,))
        return _theme(rows[0]) if rows else None

    def get(self, theme_id: str) -> Theme:
        theme = self.find(theme_id)
        if theme is None:
            ids = [r["id"] for r in self.store.query("SELECT id FROM themes")]
            raise InputError(
                f"no theme with id {theme_id!r}.{did_you_mean(theme_id, ids)} "
                "Run 'framework themes' to list them, or add it to themes.yaml."
            )
        return theme

    def upsert(self, theme: Theme) -> None:
        """Insert or update one theme (inside a write)."""
        self.store.conn.execute(
            "INSERT INTO themes(id, parent_id, label, description, include, exclude, colour, position, archived) "
            "VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET parent_id = excluded.parent_id, "
            "label = excluded.label, description = excluded.description, include = excluded.include, "
            "exclude = excluded.exclude, colour = excluded.colour, position = excluded.position, "
            "archived = excluded.archived",
            (theme.id, theme.parent_id, theme.label, theme.description, theme.include, theme.exclude,
             theme.colour, theme.position, int(theme.archived)),
        )

    def delete(self, theme_id: str) -> None:
        self.store.conn.execute("DELETE FROM themes WHERE id = ?", (theme_id,))

    def usage(self, coder: str | None = None) -> dict[str, tuple[int, int]]:
        """Per theme id: (number of codings, number of cases with a coding), of every
        coder or of one."""
        where, params = ("WHERE k.coder = ? ", (coder,)) if coder else ("", ())
        return {
            r["theme_id"]: (r["n"], r["cases"])
            for r in self.store.query(
                "SELECT k.theme_id, count(*) AS n, count(DISTINCT d.case_id) AS cases "
                f"FROM codings k JOIN documents d ON d.id = k.document_id {where}GROUP BY k.theme_id",
                params,
            )
        }


# -- codings ------------------------------------------------------------------------------

_CODING_COLUMNS = (
    'k.id, k.coder, k.document_id, d.name AS document, k.theme_id, k.start, k."end", k.quote, '
    "k.before, k.after, k.memo, k.created_at, k.updated_at, k.detached, k.uid"
)


def _coding(r: dict[str, Any]) -> Coding:
    return Coding(
        r["id"], r["coder"], r["document_id"], r["document"], r["theme_id"], r["start"], r["end"],
        r["quote"], r["before"], r["after"], r["memo"], r["created_at"], r["updated_at"], bool(r["detached"]),
        r["uid"] or "",
    )


class Codings(_Repo):
    def list(
        self,
        *,
        coder: str | Sequence[str] | None = None,
        document_id: int | None = None,
        theme_ids: Sequence[str] | None = None,
        case_id: int | None = None,
        include_detached: bool = True,
    ) -> list[Coding]:
        return list(self.iter(coder=coder, document_id=document_id, theme_ids=theme_ids, case_id=case_id,
                              include_detached=include_detached))

    def iter(
        self,
        *,
        coder: str | Sequence[str] | None = None,
        document_id: int | None = None,
        theme_ids: Sequence[str] | None = None,
        case_id: int | None = None,
        include_detached: bool = True,
        detached_only: bool = False,
        streaming: bool = False,
    ) -> Iterator[Coding]:
        """Codings by document name and place, read as they are used (see :meth:`list`).

        ``streaming`` walks the documents in name order instead of sorting every coding first:
        the first row comes at once however many there are (but a narrow filter is slower).
        """
        clauses: list[str] = []
        params: list[Any] = []
        if isinstance(coder, str):
            clauses.append("k.coder = ?")
            params.append(coder)
        elif coder is not None:
            clauses.append(f"k.coder IN ({','.join('?' * len(coder))})")
            params.extend(coder)
        if document_id is not None:
            clauses.append("k.document_id = ?")
            params.append(document_id)
        if theme_ids is not None:
            clauses.append(f"k.theme_id IN ({','.join('?' * len(theme_ids))})")
            params.extend(theme_ids)
        if case_id is not None:
            clauses.append("d.case_id = ?")
            params.append(case_id)
        if not include_detached:
            clauses.append("k.detached = 0")
        if detached_only:
            clauses.append("k.detached = 1")
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        join = "CROSS JOIN" if streaming else "JOIN"
        for r in self.store.iter_query(
            f"SELECT {_CODING_COLUMNS} FROM documents d {join} codings k ON k.document_id = d.id "
            f"{where} ORDER BY d.name, k.start, k.\"end\", k.theme_id, k.coder",
            params,
        ):
            yield _coding(r)

    def spans(self, coders: Sequence[str]) -> list[tuple[str, str, str, int, int]]:
        """``(coder, document, theme, start, end)`` of every placed (not detached) coding of
        ``coders``: what agreement is computed from, read without making whole codings."""
        return self.store.tuples(
            'SELECT k.coder, d.name, k.theme_id, k.start, k."end" FROM codings k JOIN documents d '
            f"ON d.id = k.document_id WHERE k.detached = 0 AND k.coder IN ({','.join('?' * len(coders))})",
            list(coders),
        )

    def find(self, coding_id: int) -> Coding | None:
        rows = self.store.query(
            f"SELECT {_CODING_COLUMNS} FROM codings k JOIN documents d ON d.id = k.document_id WHERE k.id = ?",
            (coding_id,),
        )
        return _coding(rows[0]) if rows else None

    def get(self, coding_id: int) -> Coding:
        coding = self.find(coding_id)
        if coding is None:
            raise InputError(f"no coding with id {coding_id}. Run 'framework code list' to see them.")
        return coding

    def insert(self, row: dict[str, Any]) -> int:
        """Insert one coding row (inside a write). Keys as the table's columns."""
        columns = list(row)
        quoted = ", ".join(f'"{c}"' for c in columns)
        cursor = self.store.conn.execute(
            f"INSERT INTO codings({quoted}) VALUES ({','.join('?' * len(columns))})",
            [row[c] for c in columns],
        )
        return int(cursor.lastrowid)

    def update(self, coding_id: int, values: dict[str, Any]) -> None:
        sets = ", ".join(f'"{c}" = ?' for c in values)
        self.store.conn.execute(f"UPDATE codings SET {sets} WHERE id = ?", [*values.values(), coding_id])

    def delete(self, coding_id: int) -> None:
        self.store.conn.execute("DELETE FROM codings WHERE id = ?", (coding_id,))

    def count(self) -> int:
        return int(self.store.scalar("SELECT count(*) FROM codings"))

    def recent_themes(self, coder: str, limit: int) -> list[str]:
        """The themes this coder used most recently, newest first."""
        return [
            r["theme_id"]
            for r in self.store.query(
                "SELECT theme_id, max(updated_at) AS latest, max(id) AS last_id FROM codings WHERE coder = ? "
                "GROUP BY theme_id ORDER BY latest DESC, last_id DESC LIMIT ?",
                (coder, limit),
            )
        ]


def coding_row(c: Coding) -> dict[str, Any]:
    """A coding as a table row (for re-inserting it on undo/redo)."""
    return {
        "id": c.id, "coder": c.coder, "document_id": c.document_id, "theme_id": c.theme_id,
        "start": c.start, "end": c.end, "quote": c.quote, "before": c.before, "after": c.after,
        "memo": c.memo, "detached": int(c.detached), "created_at": c.created_at, "updated_at": c.updated_at,
        **({"uid": c.uid} if c.uid else {}),
    }


# -- chart cells ---------------------------------------------------------------------------


class Cells(_Repo):
    def list(self, layer: str) -> list[ChartCell]:
        return [
            ChartCell(r["case_id"], r["theme_id"], r["layer"], r["summary"], r["status"], r["updated_at"], r["updated_by"])
            for r in self.store.query("SELECT * FROM chart_cells WHERE layer = ?", (layer,))
        ]

    def find(self, case_id: int, theme_id: str, layer: str) -> ChartCell | None:
        rows = self.store.query(
            "SELECT * FROM chart_cells WHERE case_id = ? AND theme_id = ? AND layer = ?",
            (case_id, theme_id, layer),
        )
        if not rows:
            return None
        r = rows[0]
        return ChartCell(r["case_id"], r["theme_id"], r["layer"], r["summary"], r["status"], r["updated_at"], r["updated_by"])

    def put(self, cell: ChartCell) -> None:
        self.store.conn.execute(
            "INSERT INTO chart_cells(case_id, theme_id, layer, summary, status, updated_at, updated_by) "
            "VALUES (?,?,?,?,?,?,?) ON CONFLICT(case_id, theme_id, layer) DO UPDATE SET "
            "summary = excluded.summary, status = excluded.status, updated_at = excluded.updated_at, "
            "updated_by = excluded.updated_by",
            (cell.case_id, cell.theme_id, cell.layer, cell.summary, cell.status, cell.updated_at, cell.updated_by),
        )


# -- action log -----------------------------------------------------------------------------


class Actions(_Repo):
    def list(self, *, coder: str | None = None, since: str | None = None, limit: int | None = None) -> list[Action]:
        clauses, params = [], []
        if coder:
            clauses.append("coder = ?")
            params.append(coder)
        if since:
            clauses.append("at >= ?")
            params.append(since)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        tail = f" LIMIT {int(limit)}" if limit else ""
        return [Action.from_row(r) for r in self.store.query(f"SELECT * FROM actions {where} ORDER BY id{tail}", params)]

    def last(self, coder: str) -> Action | None:
        rows = self.store.query("SELECT * FROM actions WHERE coder = ? ORDER BY id DESC LIMIT 1", (coder,))
        return Action.from_row(rows[0]) if rows else None


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
