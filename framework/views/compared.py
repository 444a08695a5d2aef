"""Which coders agreement and review compare when none are named, remembered per person.

The choice made last on the agreement or review screen (``c``) is kept in the project's
settings for the person (per OS user, as who is coding is) and carried from one screen to
the other; until there is one, or when one of its coders no longer has codings, the two
coders with the most codings in common are compared
(:func:`framework.analysis.compare.default_pair`). Coders named on the command line
(``--coders``) are compared for that command only: a one-off comparison in a terminal
does not change what the screens open with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from framework.analysis.compare import coders_with_codings, default_pair
from framework.errors import FrameworkError
from framework.project import Project, os_user

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
    """The coders this person compared last (none yet: an empty list)."""
    mine = project.settings().get(SETTING)
    value = mine.get(os_user()) if isinstance(mine, dict) else None
    return [str(c) for c in value] if isinstance(value, list) else []


def remember(project: Project, coders: Sequence[str]) -> None:
    """Keep the coders chosen, for this person's next agreement or review."""
    if list(coders) == remembered(project):
        return
    user = os_user()

    def change(old: object) -> dict[str, list[str]]:
        chosen = dict(old) if isinstance(old, dict) else {}
        chosen[user] = list(coders)
        return chosen

    try:
        project.update_setting(SETTING, change)
    except (FrameworkError, OSError):
        pass  # a folder that cannot be written (read-only, full): the comparison goes on, unremembered


def compared_coders(project: Project, given: Sequence[str] | None = None) -> Compared:
    """The coders to compare: those given, else the last chosen on a screen, else the best pair.

    Coders given are not remembered: only a choice made on a screen is (:func:`remember`).
    """
    if given:
        return Compared(list(dict.fromkeys(given)), "given")
    last = remembered(project)
    if len(last) >= 2 and set(last) <= set(coders_with_codings(project.store)):
        return Compared(last, "remembered")
    return Compared(default_pair(project.store), "most in common")
