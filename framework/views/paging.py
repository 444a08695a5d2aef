"""Long lists shown a page at a time: their order as ids, the user's filter, and column widths.

A list of 200,000 answers is never loaded whole: one query gives the ids that fit the
filter in the chosen order (with group headings), and the rows on screen are read by id
when they come into view. Plain Python, no Textual.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from framework.store import Attribute, Store

PAGE = 200
"""Rows read at a time."""


@dataclass(frozen=True)
class Heading:
    """A group's heading in a list: the value shared by the rows below it, and how many there are."""

    value: str
    count: int


Entry = int | Heading
"""A row of a list: a document id, or a group's heading."""


@dataclass(frozen=True)
class Ordered:
    """The rows that fit a filter, in order, as ids (with headings when grouped)."""

    entries: list[Entry]
    total: int
    """Rows before filtering."""
    shown: int
    """Rows that fit the filter."""
    problem: str = ""
    """Why the filter could not be used, if it could not."""

    @property
    def ids(self) -> list[int]:
        return [e for e in self.entries if isinstance(e, int)]


# -- the user's filter ----------------------------------------------------------------------------------

_TOKEN = re.compile(r'(?P<attr>"[^"]+"|[^\s=:"]+)[=:](?P<value>"[^"]*"?|\S*)|"(?P<phrase>[^"]*)"?|(?P<word>\S+)')
OPERATORS = ("OR", "AND", "NOT")


@dataclass(frozen=True)
class Term:
    """One part of a filter: words (or a phrase) to find, or ``attribute=value``."""

    text: str
    attribute: str | None = None
    phrase: bool = False


def match_attribute(name: str, attributes: Sequence[Attribute]) -> str | None:
    """The attribute a user means: its name (ignoring case), else the one name containing it."""
    folded = name.casefold()
    exact = [a.name for a in attributes if a.name.casefold() == folded]
    if exact:
        return exact[0]
    partial = [a.name for a in attributes if folded in a.name.casefold()]
    return partial[0] if len(partial) == 1 else None


def parse_filter(text: str, attributes: Sequence[Attribute]) -> list[Term]:
    """Words, ``"phrases"`` and ``attribute=value`` (or ``attribute:value``) terms of a filter."""
    terms: list[Term] = []
    for m in _TOKEN.finditer(text):
        if m.group("attr") is not None:
            name = match_attribute(m.group("attr").strip('"'), attributes)
            value = m.group("value").strip('"')
            if name is not None:
                terms.append(Term(value, name))
                continue
            terms.extend(Term(w) for w in re.findall(r"\S+", m.group().replace('"', " ")))
        elif m.group("phrase") is not None:
            if m.group("phrase").strip():
                terms.append(Term(m.group("phrase").strip(), phrase=True))
        else:
            terms.append(Term(m.group("word")))
    return terms


def fts_query(terms: Sequence[Term]) -> str:
    """The word terms as an FTS5 query: each word a prefix, phrases whole, OR/AND/NOT kept."""
    parts: list[str] = []
    for term in terms:
        if term.attribute is not None:
            continue
        if not term.phrase and term.text in OPERATORS:
            if parts and parts[-1] not in OPERATORS:
                parts.append(term.text)
            continue
        quoted = '"' + term.text.replace('"', '""') + '"'
        parts.append(quoted if term.phrase else quoted + "*")
    while parts and parts[-1] in OPERATORS:
        parts.pop()
    return " ".join(parts)


def like(value: str) -> str:
    """``value`` as a LIKE pattern that matches it anywhere (``%`` and ``_`` taken literally)."""
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def attribute_clause(term: Term) -> tuple[str, list[Any]]:
    """Cases whose attribute starts with the value (ignoring case); ``attribute=`` alone: cases without it."""
    if term.text == "":
        return ("d.case_id NOT IN (SELECT case_id FROM case_attributes WHERE attribute = ?)", [term.attribute])
    pattern = like(term.text)[1:]
    return ("d.case_id IN (SELECT case_id FROM case_attributes WHERE attribute = ? AND value LIKE ? ESCAPE '\\')",
            [term.attribute, pattern])


def highlighter(terms: Sequence[Term]) -> re.Pattern[str] | None:
    """A pattern for the words of a filter in a text (word starts, ignoring case)."""
    words = [re.escape(t.text) for t in terms if t.attribute is None and t.text not in OPERATORS and t.text]
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(sorted(words, key=len, reverse=True)) + r")\w*", re.IGNORECASE)


def case_attributes(store: Store, case_ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """The attributes of these cases (at most 500 at a time), in the attributes' order."""
    out: dict[int, dict[str, str]] = {}
    ids = list(dict.fromkeys(case_ids))
    if not ids:
        return out
    for r in store.query(
        "SELECT ca.case_id, ca.attribute, ca.value FROM case_attributes ca JOIN attributes a ON a.name = "
        f"ca.attribute WHERE ca.case_id IN ({','.join('?' * len(ids))}) ORDER BY a.position", ids,
    ):
        out.setdefault(r["case_id"], {})[r["attribute"]] = r["value"]
    return out


# -- order and groups --------------------------------------------------------------------------------------


def sort_value(expression: str, numeric: bool) -> str:
    """An ORDER BY key: numbers as numbers, missing values last."""
    value = f"CAST({expression} AS REAL)" if numeric else f"{expression} COLLATE NOCASE"
    return f"{expression} IS NULL, {value}"


def with_headings(rows: Sequence[tuple[int, Any]], grouped: bool) -> list[Entry]:
    """Ids in order, with a heading before each run of equal group values."""
    if not grouped:
        return [r[0] for r in rows]
    counts: dict[str, int] = {}
    for _, value in rows:
        key = "(none)" if value in (None, "") else str(value)
        counts[key] = counts.get(key, 0) + 1
    out: list[Entry] = []
    current: str | None = None
    for doc, value in rows:
        key = "(none)" if value in (None, "") else str(value)
        if key != current:
            current = key
            out.append(Heading(key, counts[key]))
        out.append(doc)
    return out


# -- widths ---------------------------------------------------------------------------------------------------


def fit_widths(natural: Sequence[int], minimum: Sequence[int], flexible: Sequence[bool], available: int,
               share: float = 0.45, keep: Sequence[bool] = ()) -> list[int]:
    """Column widths that fill ``available`` cells: flexible columns share what is left (at least
    ``share`` of the width between them); when there is not enough, the widest of the other
    columns give way first, down to their minimum (those to ``keep`` last)."""
    widths = [max(n, m) for n, m in zip(natural, minimum)]
    flex = [i for i, f in enumerate(flexible) if f]
    minimum = list(minimum)
    if flex:
        wanted = int(available * share) - sum(minimum[i] for i in flex)
        for n, i in enumerate(flex):
            minimum[i] += max(0, wanted) // len(flex) + (1 if n < max(0, wanted) % len(flex) else 0)
    fixed_total = sum(w for i, w in enumerate(widths) if i not in flex)
    spare = available - fixed_total - sum(minimum[i] for i in flex)
    if spare >= 0:
        if flex:
            share, extra = divmod(spare, len(flex))
            for n, i in enumerate(flex):
                widths[i] = minimum[i] + share + (1 if n < extra else 0)
        return widths
    for i in flex:
        widths[i] = minimum[i]
    excess = -spare
    kept = set(i for i, k in enumerate(keep) if k)
    while excess > 0:
        candidates = [i for i in range(len(widths)) if i not in flex and widths[i] > minimum[i]]
        candidates = [i for i in candidates if i not in kept] or candidates
        if not candidates:
            break
        widest = max(candidates, key=lambda i: (widths[i], -i))
        widths[widest] -= 1
        excess -= 1
    return widths


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, with an ellipsis when cut."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: width - 1] + "…"
