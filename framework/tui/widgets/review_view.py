"""One coder's version of a transcript on the review screen, with the passages marked.

A :class:`TranscriptView` showing a single coder's codings in theme colours; on top, the
passages being reviewed are marked by their status (only one coder, different theme,
different boundaries), decided passages are dimmed, and the current passage stands out.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text

from framework.tui.widgets.transcript import TranscriptView


@dataclass(frozen=True)
class Mark:
    """A passage to mark: its span, its status (``agree``, ``only:<coder>``...), decided or not."""

    start: int
    end: int
    status: str
    decided: bool


def status_class(status: str) -> str:
    """The component class (without prefix) of a passage status."""
    return "only" if status.startswith("only:") else status


class ReviewTranscript(TranscriptView):
    """A coder's codings on a transcript, with the review's passages marked by status."""

    COMPONENT_CLASSES: ClassVar[set[str]] = TranscriptView.COMPONENT_CLASSES | {
        "review--agree",
        "review--only",
        "review--theme",
        "review--bounds",
        "review--gone",
        "review--decided",
        "review--current",
    }

    DEFAULT_CSS = """
    ReviewTranscript {
        & .review--agree { color: $text-success; }
        & .review--only { color: $text-error; text-style: underline; }
        & .review--theme { color: $text-warning; text-style: underline; }
        & .review--bounds { color: $text-accent; text-style: underline; }
        & .review--gone { color: $text-error; text-style: strike; }
        & .review--decided { text-style: italic dim; }
        & .review--current { text-style: bold reverse; }
    }
    """

    def __init__(self, coder: str, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.review_coder = coder
        self.marks: list[Mark] = []
        self._mark_starts: list[int] = []
        self.current: tuple[int, int] | None = None
        self._mark_styles: dict[tuple[str, str], Style] = {}

    def set_marks(self, marks: Sequence[Mark], current: tuple[int, int] | None) -> None:
        """Mark the passages (sorted by start) and the current one, then repaint."""
        self.marks = sorted(marks, key=lambda m: (m.start, m.end))
        self._mark_starts = [m.start for m in self.marks]
        self.current = current
        self.repaint()

    def set_current(self, current: tuple[int, int] | None) -> None:
        self.current = current
        self.repaint()

    def mark_style(self, name: str) -> Style:
        """The style of ``review--<name>`` (a status, ``decided`` or ``current``) for the current theme."""
        key = (self.app.theme, name)
        style = self._mark_styles.get(key)
        if style is None:
            style = self._mark_styles[key] = self.get_component_rich_style(f"review--{name}", partial=True)
        return style

    def get_line(self, line_index: int) -> Text:
        line = super().get_line(line_index)
        if not self.marks and self.current is None:
            return line
        start = self.index.starts[line_index]
        end = self.index.line_end(line_index)
        # Passages are disjoint and sorted: start from the last one beginning at or before the line.
        i = max(0, bisect_right(self._mark_starts, start) - 1)
        while i < len(self.marks) and self.marks[i].start < end:
            mark = self.marks[i]
            if mark.end > start and (mark.decided or mark.status != "agree"):
                kind = "decided" if mark.decided else status_class(mark.status)
                line.stylize(self.mark_style(kind), max(mark.start, start) - start, min(mark.end, end) - start)
            i += 1
        if self.current is not None:
            a, b = self.current
            if b > start and a < end:
                line.stylize(self.mark_style("current"), max(a, start) - start, min(b, end) - start)
        return line
