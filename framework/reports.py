"""What the importers share: progress callbacks and the list of problems found in a file."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int, str], None]
"""A progress callback: (done, total, label)."""


def problem_list(problems: list[str], outcome: str, limit: int = 20) -> str:
    """One message naming every problem found (the first ``limit``) and what became of the input."""
    shown = problems[:limit]
    more = f"\n  ... and {len(problems) - limit} more" if len(problems) > limit else ""
    head = problems[0] if len(problems) == 1 else f"{len(problems)} problems"
    if len(problems) == 1:
        return f"{head} ({outcome})."
    return f"{head} ({outcome}):\n  " + "\n  ".join(shown) + more
