"""Which coders agreement and review compare when none are named, remembered per person.

The choice made last (on the agreement or review screen, or with ``--coders``) is kept in
the person's settings for the project and carried from one to the other; until there is
one, or when one of its coders no longer has codings, the two coders with the most
codings in common are compared (:func:`framework.analysis.compare.default_pair`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from framework.analysis.compare import coders_with_codings, default_pair
from framework.project import Project

SETTING = "compared_coders"


@dataclass(frozen=True)
class Compared:
    """The coders compared and why these."""

    coders: list[str]
    why: str
    """``given``, ``remembered`` or ``most in common``."""

    def describe(self) -> str:
        names = ", ".join(self.coders)
        return {"given": f"comparing {names}",
                "remembered": f"comparing {names} (as chosen last; --coders to choose others)",
                "most in common": f"comparing {names} (the two coders with the most codings in common; "
                                  "--coders to choose others)"}[self.why]


def remembered(project: Project) -> list[str]:
    value = project.settings().get(SETTING)
    return [str(c) for c in value] if isinstance(value, list) else []


def remember(project: Project, coders: Sequence[str]) -> None:
    """Keep the coders chosen, for the next agreement or review."""
    if list(coders) != remembered(project):
        project.save_setting(SETTING, list(coders))


def compared_coders(project: Project, given: Sequence[str] | None = None) -> Compared:
    """The coders to compare: those given (then remembered), else the last chosen, else the best pair."""
    if given:
        coders = list(dict.fromkeys(given))
        remember(project, coders)
        return Compared(coders, "given")
    last = remembered(project)
    if len(last) >= 2 and set(last) <= set(coders_with_codings(project.store)):
        return Compared(last, "remembered")
    return Compared(default_pair(project.store), "most in common")
