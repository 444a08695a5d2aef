"""Suggesting terms for a pseudonym key: capitalised words that look like names."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from framework.confidentiality.key import Pseudonymiser

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
_SENTENCE_END = set(".!?:;\"“”‘(–—…")


@dataclass(frozen=True)
class Suggestion:
    """A capitalised name or place found in the texts, with how often a key row for it would apply."""

    term: str
    count: int
    documents: int

    def as_json(self) -> dict[str, object]:
        return {"term": self.term, "count": self.count, "documents": self.documents}


def _capitalised(word: str) -> bool:
    return word[0].isupper() and word.strip("'’-").casefold() not in COMMON and len(word.strip("'’-")) > 1


def _at_sentence_start(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i < 0 or text[i] == "\n" or text[i] in _SENTENCE_END


def _candidates(text: str) -> Iterable[str]:
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
        if _at_sentence_start(text, run[0].start()):
            run = run[1:]
        while run and not _capitalised(run[0].group()):
            run = run[1:]
        while run and not _capitalised(run[-1].group()):
            run = run[:-1]
        if run:
            yield text[run[0].start():run[-1].end()].rstrip("'’-").removesuffix("'s").removesuffix("’s")
        i = j


def suggest(texts: Sequence[str], *, min_count: int = 1,
            key: Pseudonymiser | None = None) -> list[Suggestion]:
    """Capitalised words and runs of them ("Margaret Hill", "Northshire County Council")
    that are not at the start of a sentence, not common words and not written in lower
    case elsewhere in the texts; counted as a key row for each would count them (whole
    words, case-insensitive, longest first). Terms already in ``key`` are left out.
    Sorted by count (most first), then alphabetically."""
    lower = {w.group() for text in texts for w in _WORD.finditer(text) if w.group().islower()}
    found: dict[str, str] = {}
    for text in texts:
        for term in _candidates(text):
            words = term.split()
            if len(words) == 1 and term.casefold() in lower:
                continue
            if key is not None and key.replacement_for(term) is not None:
                continue
            found.setdefault(term.casefold(), term)
    if not found:
        return []
    # Key terms are counted too (longest first), so a word inside a key term ("Hill" in
    # "Margaret Hill") is not suggested for what the key already replaces.
    known = [(term, term) for term, _ in key.entries] if key is not None else []
    counter = Pseudonymiser([*((term, term) for term in found.values()), *known])
    counts: Counter[str] = Counter()
    documents: Counter[str] = Counter()
    for text in texts:
        here = Counter(m.term for m in counter.matches(text))
        counts.update(here)
        documents.update(here.keys())
    out = [Suggestion(term, counts[term], documents[term]) for term in counter.terms
           if counts[term] >= min_count and term.casefold() in found]
    return sorted(out, key=lambda s: (-s.count, s.term.casefold()))
