"""The answers screen's data: one question's answers, filtered, sorted and grouped, read a page
at a time (no Textual here).

Filter words are looked for in the answers (whole words and their starts, with OR, NOT and
``"phrases"``); ``attribute=value`` keeps respondents whose attribute starts with the value.
Answers are sorted and grouped by respondent, by any attribute, by length or by how many
of the coder's codings they have.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from framework.store import Attribute, Store
from framework.store.questions import Question, questions
from framework.views.paging import (
    PAGE,
    Ordered,
    attribute_clause,
    case_attributes,
    fts_query,
    parse_filter,
    sort_value,
    with_headings,
)

RESPONDENT = "respondent"
LENGTH = "length"
CODED = "coded"
SORTS = (RESPONDENT, LENGTH, CODED)
"""Ways of ordering answers besides the attributes."""
SHOWN_ATTRIBUTES = 3
"""Attribute columns shown until the coder chooses others."""
METADATA = {"startdate", "enddate", "status", "progress", "durationinseconds", "finished", "recordeddate",
            "externalreference", "distributionchannel", "userlanguage", "collectorid", "customdata1"}
"""Columns survey tools add about the response itself (letters only, lower case): not offered first."""


@dataclass(frozen=True)
class AnswerQuery:
    """Which answers to show and how: the question, the filter, the order and the groups."""

    question: str
    """The question's text."""
    filter: str = ""
    sort: str = RESPONDENT
    reverse: bool = False
    group: str | None = None
    coder: str = ""


@dataclass(frozen=True)
class AnswerRow:
    """One answer with its respondent, their attributes and its codings."""

    document_id: int
    document: str
    case: str
    attributes: dict[str, str]
    text: str
    mine: tuple[str, ...]
    """Theme ids of the coder's codings, in framework order of first coding."""
    others: tuple[str, ...]
    """Theme ids of other coders' codings."""


@dataclass(frozen=True)
class AnswersStart:
    """What the screen needs to paint its first rows."""

    questions: list[Question]
    question: Question | None
    attributes: list[Attribute]
    columns: list[str]
    ordered: Ordered
    rows: dict[int, AnswerRow] = field(default_factory=dict)


def _filters(store: Store, query: AnswerQuery, attributes: Sequence[Attribute]) -> tuple[str, list[Any]]:
    terms = parse_filter(query.filter, attributes)
    clauses, params = [], []
    for term in terms:
        if term.attribute is not None:
            sql, values = attribute_clause(term)
            clauses.append(sql)
            params.extend(values)
    words = fts_query(terms)
    if words:
        clauses.append("d.id IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)")
        params.append(words)
    return "".join(f" AND {c}" for c in clauses), params


def _order(query: AnswerQuery, attributes: Sequence[Attribute]) -> tuple[str, list[Any], str, list[Any]]:
    """Joins and ORDER BY, each with its parameters, for the query's sort and group."""
    types = {a.name: a.type for a in attributes}
    joins, join_params, keys, key_params = "", [], [], []
    if query.group and query.group in types:
        joins += " LEFT JOIN case_attributes g ON g.case_id = d.case_id AND g.attribute = ?"
        join_params.append(query.group)
        keys.append(sort_value("g.value", types[query.group] == "number"))
    direction = " DESC" if query.reverse else ""
    if query.sort in types:
        joins += " LEFT JOIN case_attributes s ON s.case_id = d.case_id AND s.attribute = ?"
        join_params.append(query.sort)
        value = "CAST(s.value AS REAL)" if types[query.sort] == "number" else "s.value COLLATE NOCASE"
        keys.append(f"s.value IS NULL, {value}{direction}")
    elif query.sort == LENGTH:
        keys.append(f"d.length{direction}")
    elif query.sort == CODED:
        keys.append(f"(SELECT count(*) FROM codings k WHERE k.document_id = d.id AND k.coder = ?){direction}")
        key_params.append(query.coder)
    keys.append(f"c.name{direction if query.sort == RESPONDENT else ''}, d.id")
    return joins, join_params, ", ".join(keys), key_params


def order_answers(store: Store, query: AnswerQuery, attributes: Sequence[Attribute] | None = None) -> Ordered:
    """The ids of the question's answers that fit the filter, in order, with group headings."""
    attributes = store.cases.attributes() if attributes is None else attributes
    where, params = _filters(store, query, attributes)
    joins, join_params, order, order_params = _order(query, attributes)
    grouped = bool(query.group and query.group in {a.name for a in attributes})
    total = int(store.scalar("SELECT count(*) FROM documents WHERE question = ?", (query.question,)))
    sql = (f"SELECT d.id, {'g.value' if grouped else 'NULL'} FROM documents d JOIN cases c ON c.id = d.case_id"
           f"{joins} WHERE d.question = ?{where} ORDER BY {order}")
    try:
        with store.lock:
            rows = store.conn.execute(sql, [*join_params, query.question, *params, *order_params]).fetchall()
    except sqlite3.OperationalError as exc:
        reason = str(exc).removeprefix("fts5: ")
        return Ordered([], total, 0, f"the filter cannot be used ({reason})")
    return Ordered(with_headings(rows, grouped), total, len(rows))


def answer_rows(store: Store, ids: Sequence[int], coder: str) -> dict[int, AnswerRow]:
    """The rows of these answers, by id."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return {}
    out: dict[int, AnswerRow] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        docs = store.query(
            f"SELECT d.id, d.name, d.case_id, c.name AS case_name, d.text FROM documents d "
            f"JOIN cases c ON c.id = d.case_id WHERE d.id IN ({marks})", chunk)
        attrs = case_attributes(store, [d["case_id"] for d in docs])
        mine: dict[int, list[str]] = {}
        others: dict[int, list[str]] = {}
        for r in store.query(
            f"SELECT document_id, coder, theme_id FROM codings WHERE document_id IN ({marks}) ORDER BY id", chunk
        ):
            target = mine if r["coder"] == coder else others
            found = target.setdefault(r["document_id"], [])
            if r["theme_id"] not in found:
                found.append(r["theme_id"])
        for d in docs:
            out[d["id"]] = AnswerRow(d["id"], d["name"], d["case_name"], attrs.get(d["case_id"], {}), d["text"],
                                     tuple(mine.get(d["id"], ())), tuple(others.get(d["id"], ())))
    return out


def default_columns(store: Store, question: str, attributes: Sequence[Attribute]) -> list[str]:
    """Attributes worth a column: few distinct values among the first respondents, survey-tool
    metadata last."""
    sample = store.query(
        "SELECT ca.attribute, count(DISTINCT ca.value) AS n FROM case_attributes ca WHERE ca.case_id IN "
        "(SELECT case_id FROM documents WHERE question = ? ORDER BY id LIMIT 2000) GROUP BY ca.attribute",
        (question,),
    )
    distinct = {r["attribute"]: r["n"] for r in sample}

    def rank(a: Attribute) -> tuple[int, int]:
        n = distinct.get(a.name, 0)
        meta = re.sub(r"[^a-z0-9]", "", a.name.casefold()) in METADATA
        return (0 if 2 <= n <= 30 and not meta else 1 if n >= 1 and not meta else 2, a.position)

    ranked = sorted((a for a in attributes if distinct.get(a.name)), key=rank)
    return [a.name for a in ranked if rank(a)[0] == 0][:SHOWN_ATTRIBUTES]


def start_answers(store: Store, query: AnswerQuery, question_ref: str | None = None,
                  columns: Sequence[str] | None = None) -> AnswersStart:
    """Everything for the first paint: the questions, the chosen one's ordered answers and a first page."""
    from framework.store.questions import find_question

    every = questions(store)
    attributes = store.cases.attributes()
    if not every:
        return AnswersStart([], None, attributes, [], Ordered([], 0, 0))
    chosen = find_question(store, question_ref) if question_ref else next(
        (q for q in every if q.text == query.question), every[0])
    query = AnswerQuery(chosen.text, query.filter, query.sort, query.reverse, query.group, query.coder)
    ordered = order_answers(store, query, attributes)
    names = {a.name for a in attributes}
    shown = [c for c in columns if c in names] if columns else default_columns(store, chosen.text, attributes)
    first = ordered.ids[:PAGE]
    return AnswersStart(every, chosen, attributes, shown, ordered, answer_rows(store, first, query.coder))
