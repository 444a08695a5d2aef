"""Why a value is undefined, in codes and in plain words; rounding of reported values."""

from __future__ import annotations

from typing import Any

SHORT_REASONS = {
    "no_units": "nothing to compare",
    "none_coded": "nobody coded it: no variation",
    "all_coded": "coded everywhere by all: no variation",
    "two_coders_only": "only for two coders",
    "three_coders_or_more": "only for three or more coders",
    "no_variation": "no variation",
}

UNIT_WORDS = {
    "paragraph": ("paragraph", "paragraphs"),
    "document": ("document", "documents"),
    "char": ("character", "characters"),
}


def reason_text(code: str, level: str, pair: tuple[str, str] | None = None) -> str:
    """The reason ``code`` in plain words; ``pair`` names the two coders of a pair."""
    one, many = UNIT_WORDS[level]
    if code == "no_units":
        return f"there are no {many} in scope, so nothing can be compared"
    if code == "none_coded":
        if pair is None:
            lead = f"no coder applied this theme in any {one}"
        else:
            lead = f"neither {pair[0]} nor {pair[1]} applied this theme in any {one}"
        return f"{lead}: agreement is trivially complete and kappa/alpha are undefined"
    if code == "all_coded":
        if pair is None:
            lead = f"every coder applied this theme in every {one}"
        else:
            lead = f"both {pair[0]} and {pair[1]} applied this theme in every {one}"
        return f"{lead}: there is no variation, so kappa/alpha are undefined"
    if code == "no_variation":
        return "there is no variation to correct for chance, so kappa/alpha are undefined"
    if code == "two_coders_only":
        return "Cohen's kappa is defined for exactly two coders; see the pairwise values under 'pairs'"
    if code == "three_coders_or_more":
        return "Fleiss' kappa is reported only for three or more coders; with two coders see Cohen's kappa"
    raise ValueError(code)


def variation_reason(n: int, n_present: int, n_absent: int) -> str:
    """Why a chance-corrected value is undefined.

    ``n_present``: units where anyone has the theme; ``n_absent``: units where
    not everyone has it.
    """
    if n == 0:
        return "no_units"
    if n_present == 0:
        return "none_coded"
    if n_absent == 0:
        return "all_coded"
    return "no_variation"


def attach_notes(
    d: dict[str, Any], reasons: dict[str, str], level: str, pair: tuple[str, str] | None = None
) -> None:
    """Add ``null_reasons`` and a plain-words ``note`` when some value is null."""
    if not reasons:
        return
    d["null_reasons"] = dict(reasons)
    texts: list[str] = []
    for code in reasons.values():
        text = reason_text(code, level, pair)
        if text not in texts:
            texts.append(text)
    d["note"] = ". ".join(texts) + "."


def r6(x: float | None) -> float | None:
    if x is None:
        return None
    return round(x, 6) + 0.0  # + 0.0 turns -0.0 into 0.0
