"""Suggesting terms for a pseudonym key: capitalised words that look like names, and the
names inside document and case names.

A name missed here can leak, so a word that starts a sentence (or follows a dash, a
quotation mark or a bracket) is offered too ("Siobhan said", "— Siobhan left"), unless it
is an ordinary word written with a capital only because it starts the sentence: a common
word or opener ("Unfortunately"), a word the texts also write in lower case, or an
adverb or abstract noun by its ending ("Interestingly", "Allocation").

Left out, so that the list is worth reading: common words and words also written in
lower case, acronyms (``ICS``, ``PQ``; offered with ``acronyms=True``), titles of laws
("Children Act"), national policies and bodies ("Every Child Matters", "Care Quality
Commission"), countries and peoples, and runs made only of words that name roles, files
and services ("County Council", "Adult Services"). Names found in document and case
names (``margaret_hill_01``, ``Oakfield_team``) are offered even when the texts never
mention them: an export would show them. Each suggestion carries a guessed kind (Person,
Place, Organisation; see :mod:`framework.confidentiality.kinds`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from framework.confidentiality.key import Pseudonymiser
from framework.confidentiality.kinds import ORGANISATION_WORDS, PERSON, KindScores
from framework.confidentiality.match import fold_text
from framework.confidentiality.vocabulary import (
    COUNTRIES,
    FILE_WORDS,
    LEGISLATION,
    OPENERS,
    PEOPLES,
    POLICY_TERMS,
)

COMMON = frozenset("""
a about after again all also although an and another any are as at be because been before being
both but by can could did do does doing done during each either even every for from had has have
having he her here hers him his how however i i'd i'll i'm i've if in into is it it's its just
let like maybe me mine more most much my no nor not now of oh ok okay on once one only or other
our ours out over perhaps please really right said say see she should since so some still such
sure than thank thanks that that's the their theirs them then there there's these they this those
though through thus to too under until up us very was we well were what when where whether which
while who whom whose why will with within without would yeah yes yet you your yours
mr mrs ms miss dr prof sir madam
monday tuesday wednesday thursday friday saturday sunday january february march april may june
july august september october november december christmas easter
interviewer interviewee respondent participant speaker question answer q a
""".split())
"""Capitalised words that are not names (compared case-insensitively)."""

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_SENTENCE_END = set(".!?:;\"“”‘’([–—…-")
_CONTRACTION = re.compile(r"['’](?:s|m|d|ll|re|ve|t)$", re.IGNORECASE)
ORDINARY_ENDINGS = ("ally", "ously", "ively", "edly", "ingly", "fully", "lessly", "tion", "tions", "sion", "sions",
                    "ments")
"""Endings of adverbs and abstract nouns (at least seven letters long): such a word starting a
sentence is not taken for a name."""
_POLICY = re.compile(r"(?<!\w)(?:" + "|".join(
    re.escape(term).replace("'", "['’]") for term in sorted(POLICY_TERMS, key=len, reverse=True)) + r")(?!\w)",
    re.IGNORECASE)
GENERIC = FILE_WORDS | ORGANISATION_WORDS | COMMON
"""Words that name roles, files, services and bodies: a run made only of these is no name."""


ACRONYM_LETTERS = 5
"""An all-capital word of at most this many letters is taken for an acronym."""
_NAME_PART = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Suggestion:
    """A capitalised name or place found in the texts (or in document and case names), with
    how often a key row for it would apply: in the texts, and in the names."""

    term: str
    count: int
    documents: int
    names: int = 0
    """Document and case names it appears in."""
    kind: str = PERSON
    """A guess, from the words in and around it: Person, Place or Organisation."""

    def as_json(self) -> dict[str, object]:
        return {"term": self.term, "count": self.count, "documents": self.documents, "names": self.names,
                "kind": self.kind}


def is_acronym(word: str) -> bool:
    """An all-capital word of two to five letters, or its plural (``ICS``, ``PQ``, ``AMHPs``)."""
    letters = "".join(ch for ch in word.replace("’", "'").removesuffix("'s") if ch.isalpha())
    if len(letters) > 2 and letters.endswith("s") and letters[:-1].isupper():
        letters = letters[:-1]
    return 2 <= len(letters) <= ACRONYM_LETTERS and letters.isupper()


def not_a_name(term: str, *, acronyms: bool = False) -> bool:
    """Whether a candidate is a country, a people, the title of a law, or (unless
    ``acronyms``) made only of acronyms, countries and peoples."""
    words = term.replace("’", "'").removesuffix("'s").split()
    folded = term.casefold()
    if folded in COUNTRIES or folded in PEOPLES or words[-1].casefold() in LEGISLATION:
        return True
    if all(w.casefold().removesuffix("'s") in GENERIC for w in words):
        return True  # "County Council", "Adult Services", "Team Leaders"
    return all((is_acronym(w) and not acronyms) or w.casefold() in COUNTRIES or w.casefold() in PEOPLES
               for w in words)


PLACE_PARTS = frozenset("""
site sites office offices team teams borough county city council district region town area locality hub authority
la lb cc met
""".split())
"""Parts of document and case names that say the name beside them is a place (``Oakfield_team``)."""


def name_terms(names: Iterable[str], lower: set[str] | frozenset[str] = frozenset(),
               acronyms: set[str] | frozenset[str] = frozenset(), places: Counter[str] | None = None) -> dict[str, int]:
    """Runs of name-like parts of document and case names (``margaret_hill_01`` -> "Margaret
    Hill"), capitalised, with the number of names holding each. A part is name-like when
    it has three letters or more and is not a common word, a word of file, role and service
    names, a country, a word the texts write in lower case or one they write as an acronym
    (``acronyms``, case-folded: ``csd`` for "CSD"). When ``places`` is given, it counts for
    each run the names where a word like ``site``, ``team`` or ``borough`` stands beside it."""
    out: dict[str, int] = {}
    for name in dict.fromkeys(names):
        folded = fold_text(name).text
        run: list[str] = []
        runs: list[list[str]] = []
        placed: set[int] = set()
        for part in re.split(r"([^\W\d_]+)", folded):
            if _NAME_PART.fullmatch(part):
                if len(part) >= 3 and part not in COMMON and part not in FILE_WORDS and part not in COUNTRIES \
                        and part not in PEOPLES and part not in lower and part not in acronyms:
                    run.append(part)
                    continue
                if part in PLACE_PARTS and (run or runs):
                    placed.add(len(runs) if run else len(runs) - 1)
            elif part and set(part) <= set(" _-.\x1f"):
                continue  # a separator inside a run: "margaret_hill"
            if run:
                runs.append(run)
            run = []
        if run:
            runs.append(run)
        terms = [" ".join(w.capitalize() for w in r) for r in runs]
        for found in dict.fromkeys(terms):
            out[found] = out.get(found, 0) + 1
        if places is not None:
            places.update({terms[n] for n in placed})
    return out


def opens_sentence(word: str, lower: set[str] | frozenset[str] = frozenset()) -> bool:
    """Whether a capitalised word that starts a sentence is an ordinary word ("Unfortunately",
    "We've", "Allocation", a word ``lower`` holds, as the texts write it in lower case) rather
    than a name ("Siobhan")."""
    if "-" in word.strip("-") and word.strip("-").rsplit("-", 1)[1].islower():
        return True  # "Cost-wise", "Long-term": a name's last part has its capital ("Smith-Jones")
    folded = word.strip("'’-").casefold()
    stem = _CONTRACTION.sub("", folded)
    if any(w in COMMON or w in OPENERS or w in lower for w in (folded, stem)):
        return True
    return len(stem) >= 7 and stem.endswith(ORDINARY_ENDINGS)


def _capitalised(word: str) -> bool:
    bare = word.strip("'’-")
    return word[0].isupper() and len(bare) > 1 and _CONTRACTION.sub("", bare.casefold()) not in COMMON


def _at_sentence_start(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i < 0 or text[i] == "\n" or text[i] in _SENTENCE_END


def _candidates(text: str, lower: set[str]) -> Iterable[str]:
    text = _POLICY.sub(lambda m: "x" * len(m.group()), text)
    words = list(_WORD.finditer(text))
    i = 0
    while i < len(words):
        if not words[i].group()[0].isupper():
            i += 1
            continue
        run = [words[i]]
        j = i + 1
        while j < len(words) and words[j].group()[0].isupper() \
                and text[run[-1].end():words[j].start()] == " ":
            run.append(words[j])
            j += 1
        if _at_sentence_start(text, run[0].start()) and opens_sentence(run[0].group(), lower):
            run = run[1:]
        while run and not _capitalised(run[0].group()):
            run = run[1:]
        while run and not _capitalised(run[-1].group()):
            run = run[:-1]
        if run:
            yield text[run[0].start():run[-1].end()].rstrip("'’-").removesuffix("'s").removesuffix("’s")
        i = j


def _written(term: str) -> str:
    """A term as suggested: a word in capitals that is no acronym ("MARGARET:", a speaker's
    label) written as a name is ("Margaret")."""
    return " ".join(w.capitalize() if w.isupper() and not is_acronym(w) else w for w in term.split(" "))


def suggest(texts: Sequence[str], *, min_count: int = 1, key: Pseudonymiser | None = None,
            names: Sequence[str] = (), acronyms: bool = False) -> list[Suggestion]:
    """Capitalised words and runs of them ("Margaret Hill", "Northshire County Council")
    that are not ordinary words starting a sentence, not common words, not written in lower
    case elsewhere in the texts and not left out as the module says; and the name-like parts
    of ``names`` (document and case names). Counted as a key row for each would count them,
    in the texts and in the names, each with its guessed kind. Terms already in ``key`` are
    left out. Sorted by count (most first), then alphabetically."""
    lower = {w.group() for text in texts for w in _WORD.finditer(text) if w.group().islower()}
    found: dict[str, str] = {}
    for text in texts:
        for term in _candidates(text, lower):
            words = term.split()
            if len(words) == 1 and term.casefold() in lower:
                continue
            if not_a_name(term, acronyms=acronyms):
                continue
            if key is not None and key.replacement_for(term) is not None:
                continue
            found.setdefault(term.casefold(), _written(term))
    upper = set() if acronyms else {w.group().casefold() for text in texts for w in _WORD.finditer(text)
                                    if is_acronym(w.group())}
    places: Counter[str] = Counter()
    for term in name_terms(names, lower, upper, places):
        if key is None or (key.replacement_for(term) is None and not key.matches(term)):
            found.setdefault(term.casefold(), term)
    if not found:
        return []
    # Key terms are counted too (longest first), so a word inside a key term ("Hill" in
    # "Margaret Hill") is not suggested for what the key already replaces.
    known = [(term, term) for term, _ in key.entries] if key is not None else []
    counter = Pseudonymiser([*((term, term) for term in found.values()), *known])
    counts: Counter[str] = Counter()
    documents: Counter[str] = Counter()
    kinds = KindScores(place=dict(places))
    for text in texts:
        here: Counter[str] = Counter()
        for m in counter.matches(text):
            here[m.term] += 1
            kinds.score(m.term, text, m.start, m.end)
        counts.update(here)
        documents.update(here.keys())
    in_names: Counter[str] = Counter()
    for name in dict.fromkeys(names):
        in_names.update({m.term for m in counter.matches(name)})
    out = [Suggestion(term, counts[term], documents[term], in_names[term], kinds.kind(term, term))
           for term in counter.terms if counts[term] + in_names[term] >= min_count and term.casefold() in found]
    return sorted(out, key=lambda s: (-(s.count + s.names), s.term.casefold()))
