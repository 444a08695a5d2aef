"""The questions of the surveys in a project, and finding one by its key or its words.

A survey answer is a document of kind ``survey`` named ``<respondent>.q<N>``, with its
question's text kept beside it. A question's *key* is that ``q<N>`` (``q1`` is the first
free-text question of the export); two surveys in one project may both have a ``q1``, so
such keys get a suffix (``q1``, ``q1-2``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from framework.errors import InputError
from framework.store.db import Store

_KEY = re.compile(r"\.(q\d+)$")
_BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")


def answer_units(text: str) -> list[tuple[int, int, None]]:
    """A survey answer's paragraphs (runs of non-blank lines), as its units are stored: answers
    have no speakers."""
    if "\n" not in text:
        return [(0, len(text), None)]
    units, start = [], 0
    for m in _BLANK_LINES.finditer(text):
        units.append((start, start + len(text[start:m.start()].rstrip()), None))
        start = m.end()
    units.append((start, start + len(text[start:].rstrip()), None))
    return [u for u in units if u[1] > u[0]]


@dataclass(frozen=True)
class Question:
    """A free-text survey question: its key, its text and how many answers it has."""

    key: str
    text: str
    answers: int

    def as_json(self) -> dict[str, object]:
        return {"key": self.key, "text": self.text, "answers": self.answers}


def questions(store: Store) -> list[Question]:
    """Every question that has answers, in the order of the export's columns."""
    rows = store.query(
        "SELECT q.question, q.n, d.name FROM (SELECT question, count(*) AS n, min(id) AS first FROM documents "
        "WHERE question IS NOT NULL GROUP BY question) q JOIN documents d ON d.id = q.first ORDER BY q.first"
    )
    found: list[tuple[int, int, str, int]] = []
    for order, row in enumerate(rows):
        m = _KEY.search(row["name"])
        number = int(m.group(1)[1:]) if m else 10_000 + order
        found.append((number, order, row["question"], row["n"]))
    found.sort()
    out: list[Question] = []
    used: dict[str, int] = {}
    for number, _order, text, n in found:
        key = f"q{number}" if number < 10_000 else f"q{len(out) + 1}"
        used[key] = used.get(key, 0) + 1
        out.append(Question(key if used[key] == 1 else f"{key}-{used[key]}", text, n))
    return out


def find_question(store: Store, ref: str) -> Question:
    """The question whose key is ``ref`` (``q1``), or whose text is or contains it (ignoring case).

    A clear error names the questions when none or several fit.
    """
    every = questions(store)
    if not every:
        raise InputError("this project has no survey answers yet: bring them in with 'framework import-survey FILE'.")
    wanted = ref.strip().casefold()
    for fits in (lambda q: q.key == wanted, lambda q: q.text.casefold() == wanted,
                 lambda q: wanted in q.text.casefold()):
        found = [q for q in every if fits(q)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise InputError(f"question {ref!r} fits {len(found)} questions: "
                             + "; ".join(f"{q.key} {q.text!r}" for q in found[:6])
                             + ". Give its key (q1, q2, ...).")
    listing = "; ".join(f"{q.key} {_short(q.text)!r}" for q in every[:12])
    raise InputError(f"no question {ref!r}. The questions are: {listing}.")


def _short(text: str, width: int = 50) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
