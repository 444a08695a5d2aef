"""Placing quotes and re-anchoring codings after the text changes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from framework.coding.anchoring import context, locate

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
