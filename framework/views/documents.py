"""The documents screen's data: every document with its case, read a page at a time (no Textual here).

Each filter word must appear in the case's name, the document's name or one of the case's
attribute values (``attribute=value`` looks in that attribute only). Documents are sorted by
case, document, the coder's and others' codings, or any attribute, and grouped by case or
any attribute.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from framework.store import Attribute, Store
from framework.views.paging import (
    Ordered,
    attribute_clause,
    case_attributes,
    like,
    parse_filter,
    sort_value,
    with_headings,
)

CASE, DOCUMENT, MINE, OTHERS = "case", "document", "mine", "others"
FIXED_COLUMNS = (CASE, DOCUMENT)
COUNT_COLUMNS = (MINE, OTHERS)


@dataclass(frozen=True)
class DocumentQuery:
    """Which documents to show and how."""

    filter: str = ""
    sort: str = CASE
    reverse: bool = False
    group: str | None = None
    coder: str = ""


@dataclass(frozen=True)
class DocumentRow:
    """One document with its case, the case's attributes and the codings in it."""

    document_id: int
    document: str
    case: str
    kind: str
    length: int
    question: str | None
    attributes: dict[str, str]
    mine: int
    others: int


@dataclass(frozen=True)
class DocumentsStart:
    """What the screen needs to paint its first rows."""

    attributes: list[Attribute]
    ordered: Ordered
    rows: dict[int, DocumentRow]
    cases: int
    cases_without_documents: int


def _where(query: DocumentQuery, attributes: Sequence[Attribute]) -> tuple[str, list[Any]]:
    clauses, params = [], []
    for term in parse_filter(query.filter, attributes):
        if term.attribute is not None:
            sql, values = attribute_clause(term)
            clauses.append(sql)
            params.extend(values)
            continue
        pattern = like(term.text)
        clauses.append("(c.name LIKE ? ESCAPE '\\' OR d.name LIKE ? ESCAPE '\\' OR d.case_id IN "
                       "(SELECT case_id FROM case_attributes WHERE value LIKE ? ESCAPE '\\'))")
        params.extend([pattern, pattern, pattern])
    return "".join(f" AND {c}" for c in clauses), params


def _counted(coder: str) -> tuple[str, list[Any]]:
    return ("(SELECT count(*) FROM codings k WHERE k.document_id = d.id AND k.coder = ?)",
            [coder]) if coder else ("0", [])


def order_documents(store: Store, query: DocumentQuery, attributes: Sequence[Attribute] | None = None) -> Ordered:
    """The ids of the documents that fit the filter, in order, with group headings."""
    attributes = store.cases.attributes() if attributes is None else attributes
    types = {a.name: a.type for a in attributes}
    where, params = _where(query, attributes)
    joins, join_params, keys, key_params = "", [], [], []
    direction = " DESC" if query.reverse else ""
    group = "NULL"
    if query.group == CASE:
        group = "c.name"
        keys.append("c.name COLLATE NOCASE")
    elif query.group in types:
        joins += " LEFT JOIN case_attributes g ON g.case_id = d.case_id AND g.attribute = ?"
        join_params.append(query.group)
        group = "g.value"
        keys.append(sort_value("g.value", types[query.group] == "number"))
    if query.sort in types:
        joins += " LEFT JOIN case_attributes s ON s.case_id = d.case_id AND s.attribute = ?"
        join_params.append(query.sort)
        value = "CAST(s.value AS REAL)" if types[query.sort] == "number" else "s.value COLLATE NOCASE"
        keys.append(f"s.value IS NULL, {value}{direction}")
    elif query.sort in COUNT_COLUMNS:
        mine, mine_params = _counted(query.coder)
        total = "(SELECT count(*) FROM codings k WHERE k.document_id = d.id)"
        keys.append(f"{mine if query.sort == MINE else f'{total} - {mine}'}{direction}")
        key_params.extend(mine_params)
    elif query.sort == DOCUMENT:
        keys.append(f"d.name{direction}")
    keys.append(f"c.name{direction if query.sort == CASE else ''}, d.name, d.id")
    sql = (f"SELECT d.id, {group} FROM documents d JOIN cases c ON c.id = d.case_id{joins} "
           f"WHERE 1{where} ORDER BY {', '.join(keys)}")
    with store.lock:
        rows = store.conn.execute(sql, [*join_params, *params, *key_params]).fetchall()
        total = store.conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    return Ordered(with_headings(rows, group != "NULL"), total, len(rows))


def document_rows(store: Store, ids: Sequence[int], coder: str) -> dict[int, DocumentRow]:
    """The rows of these documents, by id."""
    ids = list(dict.fromkeys(ids))
    out: dict[int, DocumentRow] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        docs = store.query(
            f"SELECT d.id, d.name, d.case_id, c.name AS case_name, d.kind, d.length, d.question FROM documents d "
            f"JOIN cases c ON c.id = d.case_id WHERE d.id IN ({marks})", chunk)
        attrs = case_attributes(store, [d["case_id"] for d in docs])
        counts = {r["document_id"]: (r["mine"], r["n"]) for r in store.query(
            f"SELECT document_id, sum(coder = ?) AS mine, count(*) AS n FROM codings WHERE document_id IN ({marks}) "
            "GROUP BY document_id", [coder, *chunk])}
        for d in docs:
            mine, n = counts.get(d["id"], (0, 0))
            out[d["id"]] = DocumentRow(d["id"], d["name"], d["case_name"], d["kind"], d["length"], d["question"],
                                       attrs.get(d["case_id"], {}), mine, n - mine)
    return out


def start_documents(store: Store, query: DocumentQuery, first: int) -> DocumentsStart:
    """The ordered list and its first ``first`` rows, with the counts of the summary line."""
    attributes = store.cases.attributes()
    ordered = order_documents(store, query, attributes)
    rows = document_rows(store, ordered.ids[:first], query.coder)
    cases = int(store.scalar("SELECT count(*) FROM cases"))
    lonely = int(store.scalar("SELECT count(*) FROM cases WHERE id NOT IN (SELECT case_id FROM documents)"))
    return DocumentsStart(attributes, ordered, rows, cases - lonely, lonely)
