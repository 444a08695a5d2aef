"""Placing quotes and re-anchoring codings after the text changes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from framework.coding.anchoring import Placement, QuoteProblem, context, inside_word, locate, place_quote

from .conftest import DIR_LONDON

TEXT = (
    "Respondent: Supervision is monthly. Supervision is monthly for everyone in the team, "
    "and we protect that time — it’s in the diary."
)


def test_exact_quote_is_found() -> None:
    p = locate(TEXT, "protect that time")
    assert (p.start, p.end, p.method, p.score) == (92, 109, "exact", 100.0)


def test_hint_keeps_the_old_place_when_the_quote_is_still_there() -> None:
    second = TEXT.index("Supervision", 20)
    p = locate(TEXT, "Supervision is monthly", hint=second)
    assert (p.start, p.method) == (second, "exact")


def test_repeated_quote_is_placed_by_its_context() -> None:
    second = TEXT.index("Supervision", 20)
    before, after = context(TEXT, second, second + 22)
    p = locate(TEXT, "Supervision is monthly", before=before, after=after)
    assert p.start == second


def test_edited_text_is_placed_by_fuzzy_alignment() -> None:
    edited = TEXT.replace("protect that time", "protect this time")
    p = locate(edited, "and we protect that time — it’s in the diary")
    assert p.method == "fuzzy"
    assert edited[p.start:p.end] == "and we protect this time — it’s in the diary"
    assert p.score >= 85


def test_a_quote_that_is_gone_is_not_placed() -> None:
    assert locate(TEXT, "we have no waiting lists at all in adult services") is None
    assert locate(TEXT, "") is None


@settings(max_examples=60, deadline=None)
@given(
    prefix=st.text(min_size=0, max_size=200),
    quote=st.text(min_size=1, max_size=80),
    suffix=st.text(min_size=0, max_size=200),
)
def test_an_inserted_quote_is_always_found_where_it_was_put(prefix: str, quote: str, suffix: str) -> None:
    text = prefix + quote + suffix
    p = locate(text, quote, hint=len(prefix))
    assert (p.start, p.end) == (len(prefix), len(prefix) + len(quote))


@settings(max_examples=60, deadline=None)
@given(
    prefix=st.text(alphabet="abc \n", max_size=100),
    quote=st.text(alphabet="abcdefgh \u00e9\u2019", min_size=1, max_size=40),
    suffix=st.text(alphabet="abc \n", max_size=100),
    insert=st.text(alphabet="xyz\n", min_size=1, max_size=50),
)
def test_text_inserted_before_a_quote_shifts_it_exactly(prefix: str, quote: str, suffix: str, insert: str) -> None:
    old = prefix + quote + suffix
    before, after = context(old, len(prefix), len(prefix) + len(quote))
    new = insert + old
    p = locate(new, quote, before=before, after=after, hint=len(prefix))
    assert new[p.start:p.end] == quote


# -- a researcher's quote: exact, fuzzy on whole words, or refused ---------------------------------

INTERVIEW = (
    "Interviewer: What matters most for new workers?\n\n"
    "Respondent: Honestly, we think that reflective supervision is crucial for newly qualified workers. "
    "Supervision is monthly.\n\n"
    "Interviewer: And for managers?\n\n"
    "Respondent: Supervision is monthly for them too, and reflective supervision is crucial there as well. "
    "Our locums get it as well.\n"
)


def test_a_near_miss_is_placed_on_whole_words_and_reported_as_fuzzy() -> None:
    placed = place_quote(INTERVIEW, "we think reflective supervision is crucial")
    assert isinstance(placed, Placement)
    assert INTERVIEW[placed.start:placed.end] == "we think that reflective supervision is crucial"
    assert (placed.method, placed.score) == ("fuzzy", 94.4)


def test_a_quote_scoring_below_the_minimum_is_refused_with_the_closest_passage() -> None:
    problem = place_quote(INTERVIEW, "we think reflective supervision is crucial", min_score=95)
    assert isinstance(problem, QuoteProblem) and problem.kind == "missing"
    assert (problem.score, problem.closest, problem.closest_line) == (
        94.4, "we think that reflective supervision is crucial", 3)
    assert problem.message("int_01", "we think reflective supervision is crucial", min_score=95, choose="x") == (
        "quote not found in int_01: nothing scored 95 or more (the closest passage, line 3, scores 94.4: "
        "'we think that reflective supervision is crucial'). Check the quote "
        "'we think reflective supervision is crucial' or lower --min-score."
    )


def test_a_quote_found_twice_is_refused_with_the_count_and_lines() -> None:
    problem = place_quote(INTERVIEW, "Supervision is monthly")
    assert isinstance(problem, QuoteProblem)
    assert (problem.kind, problem.method, problem.count, problem.lines) == ("ambiguous", "exact", 2, (3, 7))
    assert problem.message("int_01", "Supervision is monthly", min_score=85, choose="--occurrence N or --line L") == (
        "quote found 2 times in int_01 (lines 3, 7): 'Supervision is monthly'; "
        "choose one with --occurrence N or --line L."
    )


def test_occurrence_or_line_picks_one_of_several() -> None:
    first = INTERVIEW.index("Supervision is monthly")
    second = INTERVIEW.index("Supervision is monthly", first + 1)
    assert place_quote(INTERVIEW, "Supervision is monthly", occurrence=2).start == second
    assert place_quote(INTERVIEW, "Supervision is monthly", line=3).start == first
    assert place_quote(INTERVIEW, "Supervision is monthly", line=7, occurrence=1).start == second
    wrong = place_quote(INTERVIEW, "Supervision is monthly", occurrence=3)
    assert (wrong.kind, wrong.count) == ("no-occurrence", 2)
    assert "there is no occurrence 3: the quote is found 2 times in int_01 (lines 3, 7); give a number from 1 to 2." \
        == wrong.message("int_01", "x", min_score=85, choose="x")
    elsewhere = place_quote(INTERVIEW, "Supervision is monthly", line=5)
    assert elsewhere.kind == "not-on-line"
    assert elsewhere.message("int_01", "Supervision is monthly", min_score=85, choose="x") == (
        "quote not found on line 5 of int_01; it is found on lines 3, 7: 'Supervision is monthly'.")


def test_a_near_miss_of_a_repeated_passage_is_refused_as_ambiguous() -> None:
    problem = place_quote(INTERVIEW, "reflective supervision is so crucial")
    assert isinstance(problem, QuoteProblem)
    assert (problem.kind, problem.method, problem.lines) == ("ambiguous", "fuzzy", (3, 7))
    placed = place_quote(INTERVIEW, "reflective supervision is so crucial", line=7)
    assert INTERVIEW[placed.start:placed.end] == "reflective supervision is crucial"
    assert placed.start > INTERVIEW.index("for managers")


def test_whole_words_come_first_and_a_near_miss_is_widened_to_them() -> None:
    placed = place_quote(INTERVIEW, "Our locum get")
    assert INTERVIEW[placed.start:placed.end] == "Our locums get"
    assert placed.method == "fuzzy"
    text = "Two locums left. The locum we kept is good; a locum costs more."
    assert place_quote(text, "locum").kind == "ambiguous"  # the two whole words, not "locums"
    assert place_quote(text, "locum", occurrence=1).start == text.index("The locum") + 4
    assert place_quote(text, "ocums le") == Placement(5, 13, "exact", 100.0)  # only inside words: as written


WORDS = st.sampled_from(["staff", "agency", "locum", "weekly", "supervision", "cases", "team", "the", "a",
                         "crucial", "reflective", "manager", "it’s", "well-being", "20"])


@settings(max_examples=80, deadline=None)
@given(words=st.lists(WORDS, min_size=30, max_size=80), at=st.integers(0, 20), size=st.integers(4, 9),
       drop=st.integers(1, 3))
def test_a_fuzzy_placement_always_starts_and_ends_on_word_boundaries(words: list[str], at: int, size: int,
                                                                     drop: int) -> None:
    text = " ".join(words) + "."
    chosen = words[at:at + size]
    quote = " ".join(chosen[:drop] + chosen[drop + 1:])
    placed = place_quote(text, quote, min_score=60)
    if isinstance(placed, Placement) and placed.method == "fuzzy":
        assert not inside_word(text, placed.start) and not inside_word(text, placed.end)
        assert not text[placed.start].isspace() and not text[placed.end - 1].isspace()
    elif isinstance(placed, Placement):  # found as written (once, so even inside longer words)
        assert text[placed.start:placed.end] == quote


def test_a_coding_that_began_mid_word_may_be_placed_mid_word_again() -> None:
    text = "The team manager allocates at a weekly meeting on Mondays."
    start = text.index("anager")
    before, after = context(text, start, start + len("anager allocates at a weekly"))
    edited = text.replace("at a weekly", "at one weekly")
    placed = locate(edited, "anager allocates at a weekly", before=before, after=after, hint=start)
    assert edited[placed.start:placed.end] == "anager allocates at one weekly"


QUESTION = "Interviewer: A question added when the recording was checked."
TWICE = (
    "Interviewer: Can you tell me about staffing?\n\n" + QUESTION + "\n\n"
    "Respondent: We rely on agency staff.\n\n"
    "Interviewer: And caseloads?\n\n" + QUESTION + "\n\n"
    "Respondent: Caseloads are around 22.\n"
)


def _moved(old: str, new: str, quote: str) -> str:
    start = old.index(quote)
    before, after = context(old, start, start + len(quote))
    placed = locate(new, quote, before=before, after=after, hint=start)
    assert placed is not None
    return new[placed.start:placed.end]


def test_a_near_match_of_a_repeated_line_starts_on_the_coding_s_own_first_word() -> None:
    # The question is in the transcript twice; the coding ran from the line before the first
    # one ("staffing?"), and a word of that one was then deleted: the coding starts on
    # "staffing?" still, not on the "caseloads?" before the intact copy.
    paras = DIR_LONDON.split("\n\n")
    text = "\n\n".join(paras[:2] + [QUESTION] + paras[2:4] + [QUESTION] + paras[4:])
    quote = "staffing?\n\n" + QUESTION[:-len(" was checked.")]
    corrected = text.replace(QUESTION, QUESTION.replace("question ", ""), 1)
    assert _moved(text, corrected, quote) == "staffing?\n\nInterviewer: A added when the recording"


def test_a_near_match_ends_on_the_coding_s_own_last_word_of_two_alike() -> None:
    quote = QUESTION.split(": ", 1)[1] + "\n\nRespondent: Caseloads"
    corrected = TWICE.replace("Caseloads are around", "Caseloads were around").replace(
        "A question added when the recording was checked.\n\nRespondent: Caseloads",
        "A question added when the tape was checked.\n\nRespondent: Caseloads")
    assert _moved(TWICE, corrected, quote) == "A question added when the tape was checked.\n\nRespondent: Caseloads"


def test_a_near_match_keeps_the_coding_s_first_word_when_the_next_one_changed() -> None:
    text = "Q: How are cases allocated?\n\nA: The team manager allocates at a weekly meeting.\n"
    quote = "Q: How are cases allocated?\n\nA: The team manager allocates at a weekly"
    assert _moved(text, text.replace("How are", "REDACTED are"), quote) == (
        "Q: REDACTED are cases allocated?\n\nA: The team manager allocates at a weekly")
