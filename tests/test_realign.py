"""Following a coding's words from one version of a transcript to the next."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from framework.coding.anchoring import context
from framework.coding.realign import OffsetMap, follow
from framework.ingest.documents import place_again
from framework.store import Coding

OLD = (
    "Interview 04 — notes\n\n"
    "Respondent: We run a learning day every quarter for the whole team, and it works.\n\n"
    "Interviewer: Thank you.\n"
)


def span(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


def moved(old: str, new: str, words: str) -> tuple[str, str, float] | None:
    placed = follow(OffsetMap(old, new), *span(old, words), min_score=85)
    return None if placed is None else (new[placed.start:placed.end], placed.method, placed.score)


def test_an_edit_inside_a_coding_grows_it_with_the_edit() -> None:
    new = OLD.replace("a learning day", "learning days (internal)")
    assert moved(OLD, new, "We run a learning day every quarter") == (
        "We run learning days (internal) every quarter", "edited", 82.5)


def test_an_edit_that_shortens_a_coding_shrinks_it() -> None:
    new = OLD.replace("every quarter for the whole team", "quarterly")
    assert moved(OLD, new, "learning day every quarter for the whole team, and it works.") == (
        "learning day quarterly, and it works.", "edited", 74.2)


def test_edits_elsewhere_leave_a_coding_on_exactly_its_words() -> None:
    new = OLD.replace("notes", "notes, checked").replace("Thank you.", "Thanks a lot.")
    assert moved(OLD, new, "learning day every quarter") == ("learning day every quarter", "exact", 100.0)


def test_text_inserted_just_outside_a_coding_stays_outside() -> None:
    new = OLD.replace("We run a learning day", "Well, we run a learning day, twice over,")
    assert moved(OLD, new, "run a learning day") == ("run a learning day", "exact", 100.0)


def test_a_coding_whose_words_are_all_still_there_keeps_exactly_them() -> None:
    new = OLD.replace("learning day every", "learning days every")
    assert moved(OLD, new, "a learning day") == ("a learning day", "exact", 100.0)


def test_a_word_replaced_at_an_end_is_covered_by_its_replacement() -> None:
    new = OLD.replace("learning day every", "learning week every")
    assert moved(OLD, new, "a learning day") == ("a learning week", "edited", 75.9)


def test_a_word_removed_at_an_end_leaves_no_space_on_the_quote() -> None:
    new = OLD.replace("the whole team", "the team")
    assert moved(OLD, new, "quarter for the whole") == ("quarter for the", "edited", 83.3)
    new = OLD.replace("We run a learning", "We run  learning")
    assert moved(OLD, new, "a learning day every") == ("learning day every", "edited", 94.7)


def test_a_word_deleted_with_its_space_at_the_start_leaves_the_quote_on_the_next_word() -> None:
    text = "Respondent: We have a vacancy rate of about 20 per cent. We rely on agency staff."
    new = text.replace("have", "")
    assert moved(text, new, "have a vacancy rate of about") == ("a vacancy rate of about", "edited", 90.2)


def test_a_deleted_passage_is_not_followed() -> None:
    new = OLD.replace("for the whole team, ", "")
    assert moved(OLD, new, "for the whole team") is None


def test_a_rewritten_passage_is_not_followed() -> None:
    new = OLD.replace("every quarter for the whole team", "in spring for managers only")
    assert moved(OLD, new, "every quarter for the whole team") is None


def test_a_moved_paragraph_is_not_followed_to_where_it_was() -> None:
    paragraphs = OLD.split("\n\n")
    new = "\n\n".join([paragraphs[0], paragraphs[2].rstrip("\n"), paragraphs[1]]) + "\n"
    assert moved(OLD, new, "learning day every quarter") in (None, ("learning day every quarter", "exact", 100.0))


WORDS = st.sampled_from(["staff", "agency", "locum", "weekly", "supervision", "cases", "team", "the", "a", "\n\n"])


@settings(max_examples=100, deadline=None)
@given(before=st.lists(WORDS, min_size=1, max_size=40), inside=st.lists(WORDS, min_size=1, max_size=10),
       after=st.lists(WORDS, min_size=1, max_size=40), cut=st.integers(0, 200), insert=st.lists(WORDS, max_size=6),
       cut_after=st.booleans())
# Identical lines of repeated words around a coding that starts and ends with blank lines.
@example(before=["\n\n", *["staff"] * 6, "\n\n"], inside=["\n\n", *["staff"] * 6, "\n\n"],
         after=["\n\n", *["staff"] * 6, "\n\n"], cut=2, insert=["staff"], cut_after=False)
def test_edits_outside_a_coding_never_move_it_onto_other_words(before: list[str], inside: list[str], after: list[str],
                                                       cut: int, insert: list[str], cut_after: bool) -> None:
    head, body, tail = " ".join(before) + " ", "[" + " ".join(inside) + "]", " " + " ".join(after)
    old = head + body + tail
    extra = " ".join(insert)
    if cut_after:
        at = len(head) + len(body) + 1 + cut % len(tail)
    else:
        at = cut % len(head)
    new = old[:at] + extra + old[at:]
    placed = follow(OffsetMap(old, new), len(head), len(head) + len(body), min_score=85)
    # Never other words; None (rare: repeated lines paired otherwise) leaves it to the quote and context.
    assert placed is None or (new[placed.start:placed.end], placed.method) == (body, "exact")


@settings(max_examples=150, deadline=None)
@given(before=st.lists(WORDS, min_size=1, max_size=40), inside=st.lists(WORDS, min_size=1, max_size=10),
       after=st.lists(WORDS, min_size=1, max_size=40), cut=st.integers(0, 200), insert=st.lists(WORDS, max_size=6),
       cut_after=st.booleans())
def test_a_reimport_keeps_a_coding_on_its_words_whatever_is_edited_around_it(
        before: list[str], inside: list[str], after: list[str], cut: int, insert: list[str], cut_after: bool) -> None:
    head, body, tail = " ".join(before) + " ", "[" + " ".join(inside) + "]", " " + " ".join(after)
    old = head + body + tail
    at = len(head) + len(body) + 1 + cut % len(tail) if cut_after else cut % len(head)
    new = old[:at] + " ".join(insert) + old[at:]
    start, end = len(head), len(head) + len(body)
    around = context(old, start, end)
    placed = place_again(OffsetMap(old, new), Coding(1, "alice", 1, "int", "1", start, end, body, *around, "", "", ""))
    assert placed is not None and new[placed.start:placed.end] == body
