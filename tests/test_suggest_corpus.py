"""Suggestions on real interview quotations: names planted where transcripts put them (at
the start of a sentence, after a dash, inside quotation marks) must all be suggested, and
the quotations themselves must give few suggestions that are not names.

The quotations are those of the shared corpus (senior managers of social care, published
verbatim); the test is skipped when the corpus is absent.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from framework.confidentiality.suggest import suggest

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "corpus"

pytestmark = pytest.mark.skipif(not (CORPUS / "transcripts").is_dir(), reason="the shared corpus is absent")

FIRST = """
Siobhan Kavita Declan Olusegun Gareth Mairead Priya Tomasz Niamh Rhys Bernadette Callum Aisling Femi Lowri
Eamonn Jaswinder Morag Ifeoma Bronwen Dafydd Oonagh Rajinder Grainne Tadhg Ngozi Alasdair Catrin Wojciech Fionnuala
Hamish Parminder Eilidh Chidi Siân Ruairi Agnieszka Gwilym Deirdre Kwame Iestyn Roisin Tariq Ffion Padraig Yusuf
Mhairi Chiamaka Cormac Bethan Lachlan Shabnam Oisin Hywel Zainab Fergus Saoirse Emeka Carys Brendan Nkechi
Torquil Anwen Dermot Folasade Euan Ceridwen Ravinder Blessing Tegwen Aoife
""".split()
LAST = """
Okafor Nowak Byrne Chaudhry Pritchard Quigley Adeyemi Lewandowski Mahoney Sandhu Gallagher Oyelaran Wojcik
McCafferty Ellison Bhattacharya Trevithick Ogundipe Kowalczyk Fitzgerald Llewellyn Nwachukwu Rafferty Dhaliwal
""".split()
PLACES = [
    ("at the start of a sentence", "{f} said that {q}", "{f}"),
    ("after an opener", "Unfortunately {f} left. {q}", "{f}"),
    ("after an em dash", "{q} — {f} agreed with that.", "{f}"),
    ("inside quotation marks", "{q} “{f} rang me about it,” I said.", "{f}"),
    ("at the start of a line", "{q}\n{f} runs it now.", "{f}"),
    ("a full name inside a sentence", "{q} We asked {f} {l} about it.", "{f} {l}"),
    ("a full name starting a sentence", "{f} {l} chairs the panel. {q}", "{f} {l}"),
]


def transcripts() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted((CORPUS / "transcripts").glob("*.txt"))]


def survey_answers() -> list[str]:
    with (CORPUS / "questionnaire_wide.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    closed = {"respondent_id", "setting", "years_qualified"}
    return [value for row in rows for column, value in row.items() if column not in closed and value]


def planted() -> tuple[list[str], dict[str, list[str]]]:
    """The transcripts with one name planted in each answer, a new name each time, and the
    names planted by place."""
    texts: list[str] = []
    names: dict[str, list[str]] = {}
    n = 0
    for text in transcripts():
        lines = []
        for line in text.split("\n"):
            if line.startswith("Respondent: "):
                label, pattern, name = PLACES[n % len(PLACES)]
                first, last = FIRST[n], LAST[n // len(PLACES)]
                line = "Respondent: " + pattern.format(f=first, l=last, q=line.removeprefix("Respondent: "))
                names.setdefault(label, []).append(name.format(f=first, l=last))
                n += 1
            lines.append(line)
        texts.append("\n".join(lines))
    return texts, names


def test_every_name_planted_in_the_quotations_is_suggested() -> None:
    texts, names = planted()
    found = {s.term for s in suggest(texts)}
    missed = {label: [name for name in planted if name not in found] for label, planted in names.items()}
    assert {label: len(planted) for label, planted in names.items()} == {
        "at the start of a sentence": 10, "after an opener": 10, "after an em dash": 10,
        "inside quotation marks": 10, "at the start of a line": 10, "a full name inside a sentence": 10,
        "a full name starting a sentence": 9}
    assert missed == {label: [] for label in names}


def test_the_quotations_alone_give_few_suggestions_that_are_no_names() -> None:
    names = [path.stem for path in sorted((CORPUS / "transcripts").glob("*.txt"))]
    found = [(s.term, s.kind) for s in suggest(transcripts() + survey_answers(), names=names)]
    # the corpus was anonymised before publication: what is left is a borough, a city, a
    # placeholder name, a case known by the press and a product; four are sentence starts
    assert found == [
        ("London", "Place"), ("Care First", "Person"), ("Baby", "Person"), ("Clients", "Person"),
        ("Efficiency", "Person"), ("Fred Bloggs", "Person"), ("Haringey", "Place"), ("Sessional", "Person"),
        ("Signposting", "Person"),
    ]
