"""Guessing what a suggested name stands for: a person, a place or an organisation.

The guess labels a suggestion so that its pseudonym can be of the right kind ("Person 3",
"Place 2"). It is read from the name's own words first (``Northshire County Council`` and
``Eastbridge General`` are organisations, ``Kings Road`` and ``Kent`` are places), and
otherwise from the words around its occurrences: ``in``, ``from`` or ``near`` before it
point to a place, ``Dr`` before it or ``said`` after it to a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from framework.confidentiality.vocabulary import UK_PLACES

PERSON, PLACE, ORGANISATION = "Person", "Place", "Organisation"

ORGANISATION_WORDS = frozenset("""
council trust service services department university college hospital hospitals infirmary hospice school
academy clinic surgery practice ltd limited plc group agency authority nhs board foundation charity partnership
company association society centre center institute ministry police church court committee commission
force system systems framework programme program project network forum panel unit hub scheme team teams royal
""".split())
"""A name holding one of these words is an organisation (``Calderby Royal`` is a hospital)."""
ORGANISATION_LAST = frozenset("general infirmary".split())
"""A name ending with one of these is an organisation: hospitals are called ``Eastbridge General``."""
PLACE_WORDS = frozenset("""
county city town village street road lane avenue square borough district estate valley island bridge park
""".split())
"""A name ending with one of these is a place."""
PLACE_BEFORE = frozenset("in near across outside around into towards toward throughout within from".split())
PERSON_BEFORE = frozenset("mr mrs ms miss dr prof professor sir dame lady lord cllr councillor".split())
PERSON_AFTER = frozenset("""
said says told tells thinks thought wants wanted asked asks agreed agrees felt feels believes explained
who herself himself took takes runs ran manages managed chairs chaired joined leads led
""".split())
_WORDS_BEFORE = re.compile(r"([^\W\d_]+)\W*$")
_WORD_AFTER = re.compile(r"^[’']?s?,?\s+([^\W\d_]+)")


def guess_kind(term: str, place: int = 0, person: int = 0) -> str:
    """Organisation or Place from the term's own words, else from its context scores
    (``place`` and ``person``: how strongly the words around it point to each)."""
    words = [w.casefold() for w in term.replace("’", "'").removesuffix("'s").split()]
    if not words:
        return PERSON
    if any(w in ORGANISATION_WORDS for w in words) or (len(words) > 1 and words[-1] in ORGANISATION_LAST):
        return ORGANISATION
    if words[-1] in PLACE_WORDS or " ".join(words) in UK_PLACES:
        return PLACE
    return PLACE if place > person else PERSON


@dataclass
class KindScores:
    """How strongly the words around each term's occurrences point to a place or a person."""

    place: dict[str, int] = field(default_factory=dict)
    person: dict[str, int] = field(default_factory=dict)

    def score(self, key: str, text: str, start: int, end: int) -> None:
        """Score one occurrence of the term ``key`` at ``text[start:end]``."""
        before = _WORDS_BEFORE.search(text, max(0, start - 40), start)
        if before:
            word = before.group(1).casefold()
            self.place[key] = self.place.get(key, 0) + (word in PLACE_BEFORE)
            self.person[key] = self.person.get(key, 0) + 3 * (word in PERSON_BEFORE)
        after = _WORD_AFTER.match(text[end:end + 40])
        if after:
            self.person[key] = self.person.get(key, 0) + (after.group(1).casefold() in PERSON_AFTER)

    def kind(self, key: str, term: str) -> str:
        """The guessed kind of ``term`` (scored under ``key``)."""
        return guess_kind(term, self.place.get(key, 0), self.person.get(key, 0))
