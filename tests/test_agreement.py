"""Inter-coder agreement: published examples, worked examples and a naive reference."""

from __future__ import annotations

import json
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framework.analysis.agreement import (
    Segment,
    Span,
    cohen_kappa,
    compare_document,
    compute_agreement,
    coverage_histogram,
    fleiss_kappa,
    format_report,
    intersection_length,
    krippendorff_alpha_nominal,
    merge_intervals,
    unit_overlaps,
)
from framework.errors import InputError

DATA = Path(__file__).parent / "data" / "icr"
SHARED = Path("/work/shared/data/icr")
FIXTURES = [
    "example_input.json",
    "example_output.json",
    "example_output_rollup.json",
    "kappa_examples.json",
    "krippendorff_2011_example.json",
]


def load(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def example_spans(inp: dict) -> list[Span]:
    return [Span(c["coder"], c["doc"], c["code"], c["start"], c["end"]) for c in inp["codings"]]


def run_example(rollup: bool, **kw) -> dict:
    inp = load("example_input.json")
    return compute_agreement(
        coders=inp["coders"],
        documents=inp["documents"],
        units=inp["units"],
        spans=example_spans(inp),
        themes=["REL", "REL/conflict", "REL/trust"],
        parents=inp["parents"],
        rollup=rollup,
        **kw,
    )


def decimals(x: float) -> int:
    text = repr(x)
    return len(text.split(".")[1]) if "." in text else 0


# ---------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_copies_match_shared_data(name):
    if not (SHARED / name).exists():
        pytest.skip("shared reliability data not present")
    assert json.loads((SHARED / name).read_text()) == load(name)


# ---------------------------------------------------------------------------
# Published examples
# ---------------------------------------------------------------------------


def test_krippendorff_2011_nominal_alpha_with_missing_values():
    ex = load("krippendorff_2011_example.json")
    by_unit = [list(col) for col in zip(*ex["reliability_data"])]
    alpha = krippendorff_alpha_nominal(by_unit)
    assert round(alpha, 3) == ex["expected_alpha"]["nominal"] == 0.743
    # 1 - (n-1) * 8 / 1216 with n = 40, exactly
    assert alpha == float(Fraction(1216 - 39 * 8, 1216))
    # unit 12 has one value; which observer holds it does not matter
    moved = [row[:] for row in by_unit]
    moved[11] = [None, None, 3, None]
    assert krippendorff_alpha_nominal(moved) == alpha


@pytest.mark.parametrize("example", load("kappa_examples.json")["cohen_kappa"], ids=lambda e: e["id"])
def test_cohen_kappa_published_examples(example):
    if "table" in example:
        table = example["table"]
    else:
        values = example["anxiety_column_major_20x3"]
        rater2, rater3 = values[20:40], values[40:60]
        cats = sorted(set(rater2) | set(rater3))
        table = [[0] * len(cats) for _ in cats]
        for a, b in zip(rater2, rater3):
            table[cats.index(a)][cats.index(b)] += 1
    expected = example["expected"]["kappa"]
    assert round(cohen_kappa(table), decimals(expected)) == expected


def test_cohen_kappa_exact_simple_example():
    assert cohen_kappa([[20, 5], [10, 15]]) == 0.4
    assert cohen_kappa([[45, 15], [25, 15]]) == float(Fraction(6, 46))
    assert cohen_kappa([[25, 35], [5, 35]]) == float(Fraction(14, 54))


@pytest.mark.parametrize("example", load("kappa_examples.json")["fleiss_kappa"], ids=lambda e: e["id"])
def test_fleiss_kappa_published_examples(example):
    if "counts" in example:
        counts = example["counts"]
    else:
        cats = sorted({v for row in example["ratings"] for v in row})
        counts = [[row.count(c) for c in cats] for row in example["ratings"]]
    expected = example["expected"]["kappa"]
    assert round(fleiss_kappa(counts), decimals(expected)) == expected


# ---------------------------------------------------------------------------
# The worked example with expected output
# ---------------------------------------------------------------------------

CHAR_KEYS = {"size": "n", "kappa": "cohen_kappa", "kappa_sklearn": "cohen_kappa",
             "krippendorff_alpha_binary_chars": "krippendorff_alpha"}


def check_char_pair(got: dict, expected: dict) -> None:
    for key, value in expected.items():
        assert got[CHAR_KEYS.get(key, key)] == value, key


def check_presence(got: dict, expected: dict) -> None:
    for key, value in expected.items():
        if key == "n_units":
            assert got["n_units"] == value
        elif key == "pairwise":
            assert set(got["pairs"]) == set(value)
            for pair, entry in value.items():
                for k, v in entry.items():
                    assert got["pairs"][pair]["cohen_kappa" if k == "cohen_kappa_sklearn" else k] == v, k
        elif key == "mean_pairwise_percent_agreement":
            assert got[key] == value
            assert got["percent_agreement"] == value  # two coders: the same thing
        elif key == "krippendorff_alpha_nominal":
            assert got["krippendorff_alpha"] == value
        elif key == "krippendorff_alpha_package":
            assert got["krippendorff_alpha"] == (None if isinstance(value, str) else value)
        elif key == "matrix":
            assert got["matrix"] == value
        else:
            raise AssertionError(f"unexpected key {key}")


def check_against(result: dict, expected: dict) -> None:
    assert set(expected) == {"coders", "rollup", "min_overlap_chars", "codes",
                             "oracle_checks_passed", "oracle_checks_count"}
    assert result["coders"] == expected["coders"]
    assert result["rollup"] is expected["rollup"]
    assert result["min_overlap"] == expected["min_overlap_chars"]
    assert set(result["themes"]) == set(expected["codes"])
    for theme, exp in expected["codes"].items():
        got = result["themes"][theme]
        for key, value in exp.items():
            if key == "char_level":
                assert set(value) == {"per_document", "pooled"}
                assert set(got["char"]["per_document"]) == set(value["per_document"])
                for doc, pairs in value["per_document"].items():
                    assert set(got["char"]["per_document"][doc]) == set(pairs)
                    for pair, table in pairs.items():
                        check_char_pair(got["char"]["per_document"][doc][pair], table)
                for pair, table in value["pooled"].items():
                    check_char_pair(got["char"]["pairs"][pair], table)
                    assert got["char"]["pairs"][pair]["n"] == 150
            elif key == "unit_level":
                check_presence(got["paragraph"], value)
            elif key == "doc_level":
                check_presence(got["document"], value)
            elif key in ("char_alpha_all_coders", "char_alpha_all_coders_package"):
                assert got["char"]["krippendorff_alpha"] == value
            else:
                raise AssertionError(f"unexpected key {key}")


@pytest.mark.parametrize(
    ("rollup", "name"), [(False, "example_output.json"), (True, "example_output_rollup.json")]
)
def test_example_matches_expected_output(rollup, name):
    result = run_example(rollup, per_document=True, include_matrix=True)
    check_against(result, load(name))
    assert result["documents"] == ["d1", "d2"]
    assert result["paragraph_units"] == [
        ["d1", 0, 20], ["d1", 20, 40], ["d1", 40, 60], ["d1", 60, 80], ["d1", 80, 100],
        ["d2", 0, 25], ["d2", 25, 50],
    ]


def test_example_result_shape_for_trust():
    result = run_example(False)
    assert {k: result[k] for k in ("coders", "documents", "rollup", "min_overlap")} == {
        "coders": ["A", "B"], "documents": ["d1", "d2"], "rollup": False, "min_overlap": 1,
    }
    trust = result["themes"]["REL/trust"]
    assert list(trust) == ["paragraph", "char", "document"]
    assert {k: trust["paragraph"][k] for k in
            ("n_units", "percent_agreement", "krippendorff_alpha", "cohen_kappa", "fleiss_kappa")} == {
        "n_units": 7, "percent_agreement": 1.0, "krippendorff_alpha": 1.0,
        "cohen_kappa": 1.0, "fleiss_kappa": None,
    }
    assert trust["char"]["pairs"]["A|B"] == {
        "n": 150, "both": 45, "a_only": 10, "b_only": 10, "neither": 85,
        "percent_agreement": 0.866667, "cohen_kappa": 0.712919,
        "sum_ef": 80.333333, "krippendorff_alpha": 0.713876,
    }
    assert "per_document" not in trust["char"]
    assert {k: trust["document"][k] for k in ("n_units", "percent_agreement", "krippendorff_alpha")} == {
        "n_units": 2, "percent_agreement": 1.0, "krippendorff_alpha": None,
    }
    assert trust["document"]["note"] == (
        "every coder applied this theme in every document: there is no variation, so kappa/alpha "
        "are undefined. Fleiss' kappa is reported only for three or more coders; with two coders "
        "see Cohen's kappa."
    )
    assert "matrix" not in trust["paragraph"]
    assert "paragraph_units" not in result


def test_result_is_json_serialisable_with_nulls():
    result = run_example(False, per_document=True)
    text = json.dumps(result)
    assert "NaN" not in text
    assert json.loads(text) == result


def test_levels_can_be_chosen():
    inp = load("example_input.json")
    result = compute_agreement(
        coders=["A", "B"], documents=inp["documents"], units={}, spans=example_spans(inp),
        themes=["REL/trust"], parents={}, levels=("char",),
    )
    assert list(result["themes"]["REL/trust"]) == ["char"]
    assert result["levels"] == ["char"]
    assert result["themes"]["REL/trust"]["char"]["pairs"]["A|B"]["cohen_kappa"] == 0.712919


# ---------------------------------------------------------------------------
# Undefined values
# ---------------------------------------------------------------------------


def test_theme_nobody_coded_gives_nulls_with_notes():
    rel = run_example(False, per_document=True)["themes"]["REL"]
    para = rel["paragraph"]
    assert (para["percent_agreement"], para["krippendorff_alpha"], para["cohen_kappa"],
            para["fleiss_kappa"]) == (1.0, None, None, None)
    assert para["null_reasons"] == {
        "krippendorff_alpha": "none_coded", "cohen_kappa": "none_coded",
        "fleiss_kappa": "three_coders_or_more",
    }
    assert para["note"] == (
        "no coder applied this theme in any paragraph: agreement is trivially complete and "
        "kappa/alpha are undefined. Fleiss' kappa is reported only for three or more coders; "
        "with two coders see Cohen's kappa."
    )
    pair = rel["char"]["pairs"]["A|B"]
    assert pair == {
        "n": 150, "both": 0, "a_only": 0, "b_only": 0, "neither": 150, "percent_agreement": 1.0,
        "cohen_kappa": None, "sum_ef": 150.0, "krippendorff_alpha": None,
        "null_reasons": {"cohen_kappa": "none_coded", "krippendorff_alpha": "none_coded"},
        "note": "neither A nor B applied this theme in any character: agreement is trivially "
                "complete and kappa/alpha are undefined.",
    }
    assert rel["char"]["krippendorff_alpha"] is None
    assert rel["char"]["note"] == pair["note"]
    assert rel["char"]["per_document"]["d2"]["A|B"]["cohen_kappa"] is None


def test_conflict_in_d2_is_null_not_zero():
    conflict = run_example(False, per_document=True)["themes"]["REL/conflict"]["char"]
    assert conflict["per_document"]["d2"]["A|B"]["cohen_kappa"] is None
    assert conflict["per_document"]["d1"]["A|B"]["cohen_kappa"] == -0.111111
    assert "note" not in conflict


def test_everyone_codes_everything():
    spans = [Span(c, "d", "x", 0, 30) for c in "AB"]
    result = compute_agreement(coders=["A", "B"], documents={"d": 30}, units={"d": [(0, 15), (15, 30)]},
                               spans=spans, themes=["x"], parents={})
    x = result["themes"]["x"]
    assert x["paragraph"]["percent_agreement"] == 1.0
    assert x["paragraph"]["krippendorff_alpha"] is None
    assert x["paragraph"]["null_reasons"]["cohen_kappa"] == "all_coded"
    assert x["char"]["pairs"]["A|B"]["cohen_kappa"] is None
    assert x["char"]["pairs"]["A|B"]["note"] == (
        "both A and B applied this theme in every character: there is no variation, so "
        "kappa/alpha are undefined."
    )


def test_no_documents_in_scope():
    result = compute_agreement(coders=["A", "B"], documents={}, units={}, spans=[],
                               themes=["x"], parents={})
    x = result["themes"]["x"]
    assert x["paragraph"]["n_units"] == 0
    assert x["paragraph"]["percent_agreement"] is None
    assert x["paragraph"]["null_reasons"]["percent_agreement"] == "no_units"
    assert x["paragraph"]["note"].startswith("there are no paragraphs in scope, so nothing can be compared.")
    assert x["char"]["pairs"]["A|B"]["percent_agreement"] is None
    assert x["char"]["pairs"]["A|B"]["sum_ef"] is None
    assert x["document"]["krippendorff_alpha"] is None


def test_statistics_without_variation_are_none():
    assert cohen_kappa([[5, 0], [0, 0]]) is None
    assert cohen_kappa([[0, 0], [0, 0]]) is None
    assert cohen_kappa([[0, 5], [0, 0]]) == 0.0  # complete disagreement is defined
    assert fleiss_kappa([[3, 0], [3, 0]]) is None
    assert fleiss_kappa([]) is None
    assert krippendorff_alpha_nominal([["a", "a"], ["a", "a"]]) is None
    assert krippendorff_alpha_nominal([["a", None], [None, "b"]]) is None  # nothing pairable
    assert krippendorff_alpha_nominal([]) is None
    assert krippendorff_alpha_nominal([["a", "b"]]) == 0.0  # one unit: 1 - (2-1)*2/2
    with pytest.raises(ValueError):
        cohen_kappa([[1, 2, 3], [4, 5, 6]])
    with pytest.raises(ValueError):
        fleiss_kappa([[1, 2], [1, 1]])


# ---------------------------------------------------------------------------
# More than two coders
# ---------------------------------------------------------------------------

THREE = [
    Span("A", "d", "x", 0, 20), Span("A", "d", "x", 40, 45),
    Span("B", "d", "x", 0, 15), Span("B", "d", "x", 15, 20),
    Span("C", "d", "x", 5, 8), Span("C", "d", "x", 42, 50),
]
SIX_UNITS = {"d": [(i, i + 10) for i in range(0, 60, 10)]}


def three_coders(min_overlap: int = 1) -> dict:
    return compute_agreement(coders=["A", "B", "C"], documents={"d": 60}, units=SIX_UNITS, spans=THREE,
                             themes=["x"], parents={}, min_overlap=min_overlap, include_matrix=True)


def test_three_coders_paragraph_level():
    para = three_coders()["themes"]["x"]["paragraph"]
    assert para["matrix"] == [[1, 1, 0, 0, 1, 0], [1, 1, 0, 0, 0, 0], [1, 0, 0, 0, 1, 0]]
    assert para["n_units"] == 6
    assert para["percent_agreement"] == 0.666667  # all agree on 4 of 6 units
    assert para["mean_pairwise_percent_agreement"] == 0.777778  # (5 + 5 + 4) / 18
    assert para["krippendorff_alpha"] == round(43 / 77, 6) == 0.558442
    assert para["fleiss_kappa"] == round(41 / 77, 6) == 0.532468
    assert para["cohen_kappa"] is None
    assert para["null_reasons"] == {"cohen_kappa": "two_coders_only"}
    assert para["pairs"] == {
        "A|B": {"percent_agreement": 0.833333, "cohen_kappa": 0.666667},
        "A|C": {"percent_agreement": 0.833333, "cohen_kappa": 0.666667},
        "B|C": {"percent_agreement": 0.666667, "cohen_kappa": 0.25},
    }
    assert para["units_coded"] == {"A": 3, "B": 2, "C": 2}
    # the same alpha and Fleiss' kappa from the general functions
    rows = list(zip(*para["matrix"]))
    assert round(krippendorff_alpha_nominal(rows), 6) == 0.558442
    assert round(fleiss_kappa([[3 - sum(r), sum(r)] for r in rows]), 6) == 0.532468


def test_three_coders_char_level():
    char = three_coders()["themes"]["x"]["char"]
    pairs = char["pairs"]
    assert {k: pairs["A|B"][k] for k in ("both", "a_only", "b_only", "neither", "cohen_kappa")} == {
        "both": 20, "a_only": 5, "b_only": 0, "neither": 35, "cohen_kappa": round(1400 / 1700, 6)}
    assert {k: pairs["A|C"][k] for k in ("both", "a_only", "b_only", "neither", "cohen_kappa")} == {
        "both": 6, "a_only": 19, "b_only": 5, "neither": 30, "cohen_kappa": 0.10559}
    assert {k: pairs["B|C"][k] for k in ("both", "a_only", "b_only", "neither", "cohen_kappa")} == {
        "both": 3, "a_only": 17, "b_only": 8, "neither": 32, "cohen_kappa": -0.056338}
    # characters covered by 3/2/1/0 coders: 3, 20, 7, 30 -> alpha = 1 - 179*27/(124*56)
    assert char["krippendorff_alpha"] == round(2111 / 6944, 6) == 0.304003
    assert char["percent_agreement"] == 0.55  # (30 + 3) / 60


def test_four_coders():
    units = {"d": [(0, 10), (10, 20), (20, 30), (30, 40)]}
    spans = [Span(c, "d", "x", 0, 10) for c in "ABCD"]
    spans += [Span("A", "d", "x", 35, 36), Span("C", "d", "x", 20, 21)]
    result = compute_agreement(coders=list("ABCD"), documents={"d": 40}, units=units, spans=spans,
                               themes=["x"], parents={}, levels=("paragraph",))
    para = result["themes"]["x"]["paragraph"]
    assert para["percent_agreement"] == 0.5
    assert para["mean_pairwise_percent_agreement"] == 0.75
    assert para["krippendorff_alpha"] == 0.5
    assert para["fleiss_kappa"] == 0.466667
    assert list(para["pairs"]) == ["A|B", "A|C", "A|D", "B|C", "B|D", "C|D"]
    assert para["pairs"]["B|D"] == {
        "percent_agreement": 1.0, "cohen_kappa": 1.0}


# ---------------------------------------------------------------------------
# Minimum overlap
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("min_overlap", "matrix"),
    [
        (1, [[1, 1, 0, 0, 1, 0], [1, 1, 0, 0, 0, 0], [1, 0, 0, 0, 1, 0]]),
        (4, [[1, 1, 0, 0, 1, 0], [1, 1, 0, 0, 0, 0], [0, 0, 0, 0, 1, 0]]),
        (6, [[1, 1, 0, 0, 0, 0], [1, 1, 0, 0, 0, 0], [0, 0, 0, 0, 1, 0]]),
        (9, [[1, 1, 0, 0, 0, 0], [1, 1, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]]),
        (11, [[0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]]),
    ],
)
def test_min_overlap_units(min_overlap, matrix):
    result = three_coders(min_overlap)
    assert result["min_overlap"] == min_overlap
    assert result["themes"]["x"]["paragraph"]["matrix"] == matrix


def test_min_overlap_counts_overlapping_codings_once():
    # A codes [0,3) and [1,4): 4 characters in the unit, not 6
    spans = [Span("A", "d", "x", 0, 3), Span("A", "d", "x", 1, 4), Span("B", "d", "x", 0, 6)]
    for min_overlap, expected in ((4, [[1, 0], [1, 0]]), (5, [[0, 0], [1, 0]])):
        result = compute_agreement(coders=["A", "B"], documents={"d": 20},
                                   units={"d": [(0, 10), (10, 20)]}, spans=spans, themes=["x"],
                                   parents={}, min_overlap=min_overlap, include_matrix=True)
        assert result["themes"]["x"]["paragraph"]["matrix"] == expected
        assert result["themes"]["x"]["document"]["matrix"] == [[expected[0][0]], [expected[1][0]]]


def test_span_across_unit_boundary_counts_in_both_units():
    spans = [Span("A", "d", "x", 8, 13), Span("B", "d", "x", 9, 11)]
    result = compute_agreement(coders=["A", "B"], documents={"d": 20}, units={"d": [(0, 10), (10, 20)]},
                               spans=spans, themes=["x"], parents={}, min_overlap=2, include_matrix=True)
    # A: 2 chars in unit 0, 3 in unit 1; B: 1 and 1
    assert result["themes"]["x"]["paragraph"]["matrix"] == [[1, 1], [0, 0]]
    assert result["themes"]["x"]["document"]["matrix"] == [[1], [1]]


# ---------------------------------------------------------------------------
# Roll-up, scope and input checks
# ---------------------------------------------------------------------------


def test_rollup_any_depth():
    spans = [Span("A", "d", "a/b/c", 0, 5), Span("B", "d", "a", 2, 8)]
    parents = {"a/b/c": "a/b", "a/b": "a", "a": None}
    kw = dict(coders=["A", "B"], documents={"d": 10}, units={"d": [(0, 10)]}, spans=spans,
              themes=["a", "a/b"], parents=parents, levels=("char",))
    off = compute_agreement(**kw)["themes"]
    on = compute_agreement(rollup=True, **kw)["themes"]
    assert (off["a"]["char"]["pairs"]["A|B"]["both"], off["a/b"]["char"]["pairs"]["A|B"]["a_only"]) == (0, 0)
    assert {k: on["a"]["char"]["pairs"]["A|B"][k] for k in ("both", "a_only", "b_only", "neither")} == {
        "both": 3, "a_only": 2, "b_only": 3, "neither": 2}
    assert {k: on["a/b"]["char"]["pairs"]["A|B"][k] for k in ("both", "a_only", "b_only", "neither")} == {
        "both": 0, "a_only": 5, "b_only": 0, "neither": 5}


def test_out_of_scope_spans_are_ignored_and_long_spans_cut():
    spans = [
        Span("A", "d", "x", 0, 50),       # cut at 10
        Span("B", "d", "x", 0, 10),
        Span("Z", "d", "x", 0, 10),       # coder not compared
        Span("A", "other", "x", 0, 5),    # document not in scope
        Span("A", "d", "y", 0, 5),        # theme not reported
    ]
    result = compute_agreement(coders=["A", "B"], documents={"d": 10}, units={"d": [(0, 10)]},
                               spans=spans, themes=["x"], parents={}, levels=("char",))
    assert result["themes"]["x"]["char"]["pairs"]["A|B"]["both"] == 10
    assert result["themes"]["x"]["char"]["pairs"]["A|B"]["a_only"] == 0


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"coders": ["A"]}, "at least two coders"),
        ({"coders": ["A", "A"]}, "only once"),
        ({"levels": ("words",)}, "unknown agreement level"),
        ({"min_overlap": 0}, "min_overlap"),
        ({"units": {}}, "no paragraph ranges"),
        ({"units": {"d": [(0, 6), (5, 10)]}}, "overlap"),
        ({"units": {"d": [(0, 11)]}}, "outside its text"),
        ({"spans": [Span("A", "d", "x", 5, 2)]}, "invalid offsets"),
        ({"parents": {"x": "y", "y": "x"}, "rollup": True, "spans": [Span("A", "d", "x", 0, 2)]}, "cycle"),
    ],
)
def test_input_errors(kw, message):
    args = dict(coders=["A", "B"], documents={"d": 10}, units={"d": [(0, 10)]}, spans=[],
                themes=["x"], parents={})
    args.update(kw)
    with pytest.raises(InputError, match=message):
        compute_agreement(**args)


# ---------------------------------------------------------------------------
# Interval helpers
# ---------------------------------------------------------------------------


def test_interval_helpers():
    assert merge_intervals([(5, 8), (0, 3), (2, 4), (8, 9), (10, 10)]) == [(0, 4), (5, 9)]
    assert intersection_length([(0, 4), (5, 9)], [(3, 6), (8, 20)]) == 3
    assert coverage_histogram([[(0, 4)], [(2, 6)], [(3, 5)]]) == [0, 3, 2, 1]
    assert unit_overlaps([(8, 13), (25, 30)], [0, 10, 20], [10, 20, 30]) == {0: 2, 1: 3, 2: 5}


# ---------------------------------------------------------------------------
# compare_document
# ---------------------------------------------------------------------------


def test_compare_document_two_coders():
    spans = {
        "A": [Span("A", "d", "x", 0, 10), Span("A", "d", "y", 5, 15)],
        "B": [Span("B", "d", "x", 0, 5), Span("B", "d", "x", 5, 12), Span("B", "d", "z", 20, 25)],
    }
    fs = frozenset
    assert compare_document(spans) == [
        Segment(0, 5, {"A": fs({"x"}), "B": fs({"x"})}, "both"),
        Segment(5, 10, {"A": fs({"x", "y"}), "B": fs({"x"})}, "different"),
        Segment(10, 12, {"A": fs({"y"}), "B": fs({"x"})}, "different"),
        Segment(12, 15, {"A": fs({"y"}), "B": fs()}, "only:A"),
        Segment(20, 25, {"A": fs(), "B": fs({"z"})}, "only:B"),
    ]


def test_compare_document_three_coders_and_empty():
    fs = frozenset
    spans = {
        "A": [Span("A", "d", "x", 0, 4)],
        "B": [Span("B", "d", "x", 0, 2), Span("B", "d", "x", 1, 4)],
        "C": [Span("C", "d", "x", 2, 6)],
    }
    assert compare_document(spans) == [
        Segment(0, 2, {"A": fs({"x"}), "B": fs({"x"}), "C": fs()}, "different"),
        Segment(2, 4, {"A": fs({"x"}), "B": fs({"x"}), "C": fs({"x"})}, "both"),
        Segment(4, 6, {"A": fs(), "B": fs(), "C": fs({"x"})}, "only:C"),
    ]
    assert compare_document({"A": [], "B": []}) == []


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def test_format_report_rows():
    report = format_report(run_example(False))
    lines = report.splitlines()
    assert lines[0] == ("Inter-coder agreement: A, B; 2 document(s); roll-up off; "
                        "minimum overlap 1 character")
    assert lines[2].split() == ["Theme", "Level", "n", "Agree", "Statistic", "Value", "Assessment"]
    body = [line.split("  ") for line in lines[4:16]]
    cells = [[c.strip() for c in row if c.strip()] for row in body]
    assert cells == [
        ["REL", "paragraph", "7", "100.0%", "Krippendorff's alpha (nominal)", "n/a", "nobody coded it: no variation"],
        ["REL", "paragraph", "7", "100.0%", "Cohen's kappa", "n/a", "nobody coded it: no variation"],
        ["REL", "char A|B", "150", "100.0%", "Cohen's kappa", "n/a", "nobody coded it: no variation"],
        ["REL", "document", "2", "100.0%", "Krippendorff's alpha (nominal)", "n/a", "nobody coded it: no variation"],
        ["REL/conflict", "paragraph", "7", "71.4%", "Krippendorff's alpha (nominal)", "-0.083", "unreliable"],
        ["REL/conflict", "paragraph", "7", "71.4%", "Cohen's kappa", "-0.167", "poor"],
        ["REL/conflict", "char A|B", "150", "86.7%", "Cohen's kappa", "-0.071", "poor"],
        ["REL/conflict", "document", "2", "100.0%", "Krippendorff's alpha (nominal)", "1.000", "reliable"],
        ["REL/trust", "paragraph", "7", "100.0%", "Krippendorff's alpha (nominal)", "1.000", "reliable"],
        ["REL/trust", "paragraph", "7", "100.0%", "Cohen's kappa", "1.000", "almost perfect"],
        ["REL/trust", "char A|B", "150", "86.7%", "Cohen's kappa", "0.713", "substantial"],
        ["REL/trust", "document", "2", "100.0%", "Krippendorff's alpha (nominal)", "n/a",
         "coded everywhere by all: no variation"],
    ]
    assert lines[16] == ""
    assert "Landis & Koch" in report and "0.667-0.800 tentative" in report


def test_format_report_three_coders_and_bands():
    lines = format_report(three_coders()).splitlines()
    rows = [[c.strip() for c in line.split("  ") if c.strip()] for line in lines[4:11]]
    assert [r[1] for r in rows] == ["paragraph", "paragraph", "char A|B", "char A|C", "char B|C",
                                    "char all", "document"]
    assert rows[1][4:] == ["Fleiss' kappa", "0.532", "moderate"]
    assert rows[3][4:] == ["Cohen's kappa", "0.106", "slight"]
    assert rows[5][3:] == ["55.0%", "Krippendorff's alpha (nominal)", "0.304", "unreliable"]


# ---------------------------------------------------------------------------
# Property test against a per-character reference
# ---------------------------------------------------------------------------

THEMES = ["p", "p/c", "p/c/g", "q"]
PARENTS = {"p": None, "p/c": "p", "p/c/g": "p/c", "q": None}


@st.composite
def scenarios(draw):
    m = draw(st.integers(2, 4))
    coders = list("ABCD")[:m]
    documents, units = {}, {}
    for k in range(draw(st.integers(1, 3))):
        length = draw(st.integers(0, 40))
        cuts = sorted({0, length, *draw(st.lists(st.integers(0, length), max_size=6))})
        ranges = list(zip(cuts, cuts[1:]))
        keep = draw(st.lists(st.booleans(), min_size=len(ranges), max_size=len(ranges)))
        documents[f"d{k}"] = length
        units[f"d{k}"] = [r for r, kept in zip(ranges, keep) if kept]
    spans = []
    for _ in range(draw(st.integers(0, 25))):
        doc = draw(st.sampled_from(sorted(documents)))
        start = draw(st.integers(0, documents[doc]))
        end = draw(st.integers(start, documents[doc] + 3))
        spans.append(Span(draw(st.sampled_from(coders)), doc, draw(st.sampled_from(THEMES)), start, end))
    return coders, documents, units, spans, draw(st.booleans()), draw(st.integers(1, 4))


def reference(coders, documents, units, spans, rollup):
    """Per-character coding arrays: (theme, document, coder) -> list of booleans."""
    arrays = {(t, d, c): [False] * n for t in THEMES for d, n in documents.items() for c in coders}
    for sp in spans:
        chain, cur = [], sp.theme
        while cur is not None:
            chain.append(cur)
            cur = PARENTS[cur] if rollup else None
        for t in chain:
            arr = arrays[(t, sp.document, sp.coder)]
            for x in range(sp.start, min(sp.end, len(arr))):
                arr[x] = True
    return arrays


def ref_kappa(both, a_only, b_only, neither):
    n = both + a_only + b_only + neither
    na, nb = both + a_only, both + b_only
    ef = na * nb + (n - na) * (n - nb)
    if n == 0 or n * n == ef:
        return None
    return round(((both + neither) * n - ef) / (n * n - ef), 6)


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_matches_per_character_reference(scenario):
    coders, documents, units, spans, rollup, min_overlap = scenario
    result = compute_agreement(coders=coders, documents=documents, units=units, spans=spans,
                               themes=THEMES, parents=PARENTS, rollup=rollup, min_overlap=min_overlap,
                               per_document=True, include_matrix=True)
    arrays = reference(coders, documents, units, spans, rollup)
    m = len(coders)
    unit_list = [(d, s, e) for d in documents for s, e in units[d]]
    assert result["paragraph_units"] == [list(u) for u in unit_list]
    for theme in THEMES:
        got = result["themes"][theme]
        # character tables, per document and pooled
        for a in range(m):
            for b in range(a + 1, m):
                name = f"{coders[a]}|{coders[b]}"
                pooled = Counter()
                for d in documents:
                    xa, xb = arrays[(theme, d, coders[a])], arrays[(theme, d, coders[b])]
                    table = Counter(
                        "both" if p and q else "a_only" if p else "b_only" if q else "neither"
                        for p, q in zip(xa, xb)
                    )
                    pooled.update(table)
                    entry = got["char"]["per_document"][d][name]
                    assert entry["n"] == documents[d]
                    for key in ("both", "a_only", "b_only", "neither"):
                        assert entry[key] == table[key]
                    assert entry["cohen_kappa"] == ref_kappa(
                        table["both"], table["a_only"], table["b_only"], table["neither"])
                entry = got["char"]["pairs"][name]
                for key in ("both", "a_only", "b_only", "neither"):
                    assert entry[key] == pooled[key]
                assert entry["cohen_kappa"] == ref_kappa(
                    pooled["both"], pooled["a_only"], pooled["b_only"], pooled["neither"])
        # characters by number of coders, all coders
        per_char = [sum(arrays[(theme, d, c)][x] for c in coders)
                    for d, n in documents.items() for x in range(n)]
        expected_alpha = krippendorff_alpha_nominal([[v <= i for i in range(m)] for v in per_char])
        assert got["char"]["krippendorff_alpha"] == (None if expected_alpha is None else round(expected_alpha, 6))
        # paragraph presence
        matrix = [[int(sum(arrays[(theme, d, c)][s:e]) >= min_overlap) for d, s, e in unit_list]
                  for c in coders]
        para = got["paragraph"]
        assert para["matrix"] == matrix
        assert para["n_units"] == len(unit_list)
        rows = list(zip(*matrix))
        agree = sum(1 for r in rows if len(set(r)) == 1)
        assert para["percent_agreement"] == (round(agree / len(rows), 6) if rows else None)
        alpha = krippendorff_alpha_nominal(rows)
        assert para["krippendorff_alpha"] == (None if alpha is None else round(alpha, 6))
        if m == 2:
            table = [[sum(1 for r in rows if r == (i, j)) for j in (1, 0)] for i in (1, 0)]
            kappa = cohen_kappa(table)
            assert para["cohen_kappa"] == (None if kappa is None else round(kappa, 6))
        else:
            fleiss = fleiss_kappa([[m - sum(r), sum(r)] for r in rows])
            assert para["fleiss_kappa"] == (None if fleiss is None else round(fleiss, 6))
        # document presence
        doc_matrix = [[int(sum(arrays[(theme, d, c)]) >= min_overlap) for d in documents] for c in coders]
        assert got["document"]["matrix"] == doc_matrix
        doc_alpha = krippendorff_alpha_nominal(list(zip(*doc_matrix)))
        assert got["document"]["krippendorff_alpha"] == (None if doc_alpha is None else round(doc_alpha, 6))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("ABC"), st.sampled_from("xyz"), st.integers(0, 30),
                          st.integers(0, 8)), max_size=12))
def test_compare_document_matches_per_character_reference(raw):
    by_coder = {c: [Span(c, "d", t, s, s + w) for cc, t, s, w in raw if cc == c] for c in "ABC"}
    states = []
    for x in range(40):
        states.append({c: frozenset(sp.theme for sp in by_coder[c] if sp.start <= x < sp.end) for c in "ABC"})
    expected: list[list] = []
    for x, state in enumerate(states):
        if not any(state.values()):
            continue
        if expected and expected[-1][1] == x and expected[-1][2] == state:
            expected[-1][1] = x + 1
        else:
            expected.append([x, x + 1, state])
    segments = compare_document(by_coder)
    assert [(s.start, s.end, s.themes_by_coder) for s in segments] == [tuple(e) for e in expected]
    for seg in segments:
        coded = [c for c, t in seg.themes_by_coder.items() if t]
        if len(coded) == 1:
            assert seg.status == f"only:{coded[0]}"
        elif len(coded) == 3 and len(set(seg.themes_by_coder.values())) == 1:
            assert seg.status == "both"
        else:
            assert seg.status == "different"
