"""Where things fall in a transcript: offsets <-> (row, column), codings and turns per line.

Plain Python (no Textual). Offsets are code-point indices into the stored text, the same
numbers the store keeps; rows and columns are the TextArea's locations. Line starts are
computed once (``framework.store.queries.line_starts``) and looked up by bisection, so no
conversion walks the document.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from framework.ingest.text import detect_speaker
from framework.store import Coding, Unit
from framework.store.queries import line_number, line_starts

Location = tuple[int, int]


class LineIndex:
    """Offsets of the starts of lines in a text, for conversions in O(log lines)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = line_starts(text)

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def offset(self, location: Location) -> int:
        row, column = location
        row = min(max(row, 0), len(self.starts) - 1)
        return min(self.starts[row] + column, self.line_end(row))

    def location(self, offset: int) -> Location:
        offset = min(max(offset, 0), len(self.text))
        row = line_number(self.starts, offset) - 1
        return row, offset - self.starts[row]

    def line_end(self, row: int) -> int:
        """Offset just past the last character of ``row`` (before its newline)."""
        return self.starts[row + 1] - 1 if row + 1 < len(self.starts) else len(self.text)

    def row_of(self, offset: int) -> int:
        return line_number(self.starts, offset) - 1

    def line_ref(self, start: int, end: int) -> str:
        """A 1-based line reference for a span: ``"12"`` or ``"12-14"``."""
        first = line_number(self.starts, start)
        last = line_number(self.starts, max(start, end - 1))
        return str(first) if first == last else f"{first}-{last}"


@dataclass(frozen=True)
class Turn:
    """A speaker turn: consecutive paragraphs of one speaker, with its label's span."""

    start: int
    end: int
    speaker: str | None
    body: int
    """Offset where the words begin, after the speaker label and its spaces."""
    label_end: int | None


def turns(text: str, units: Iterable[Unit]) -> list[Turn]:
    """Speaker turns from the document's units; a unit without its own label continues a turn."""
    out: list[Turn] = []
    for unit in units:
        found = detect_speaker(text, unit.start) if unit.speaker else None
        if found is None and out and unit.speaker and out[-1].speaker == unit.speaker:
            last = out[-1]
            out[-1] = Turn(last.start, unit.end, last.speaker, last.body, last.label_end)
            continue
        label_end = min(found[1], unit.end) if found else None
        body = label_end if label_end is not None else unit.start
        while body < unit.end and text[body].isspace():
            body += 1
        out.append(Turn(unit.start, unit.end, unit.speaker, body, label_end))
    return out


class CodingLayout:
    """The codings of one document, indexed by line and by start for painting and jumping."""

    def __init__(self, index: LineIndex) -> None:
        self.index = index
        self.codings: dict[int, Coding] = {}
        self._by_line: dict[int, list[Coding]] = {}
        self._sorted: list[Coding] = []

    def set(self, codings: Iterable[Coding]) -> None:
        self.codings = {c.id: c for c in codings if not c.detached}
        self._by_line = {}
        for coding in self.codings.values():
            self._index(coding)
        self._resort()

    def add(self, coding: Coding) -> None:
        if coding.id in self.codings:
            self.remove(coding.id)
        if coding.detached:
            return
        self.codings[coding.id] = coding
        self._index(coding)
        self._resort()

    def remove(self, coding_id: int) -> None:
        coding = self.codings.pop(coding_id, None)
        if coding is None:
            return
        for row in self._rows(coding):
            items = self._by_line.get(row, [])
            self._by_line[row] = [c for c in items if c.id != coding_id]
        self._resort()

    def _rows(self, coding: Coding) -> range:
        first = self.index.row_of(coding.start)
        last = self.index.row_of(max(coding.start, coding.end - 1))
        return range(first, last + 1)

    def _index(self, coding: Coding) -> None:
        for row in self._rows(coding):
            self._by_line.setdefault(row, []).append(coding)

    def _resort(self) -> None:
        self._sorted = sorted(self.codings.values(), key=lambda c: (c.start, c.end, c.id))
        self._starts = [c.start for c in self._sorted]

    # -- queries ---------------------------------------------------------------------------

    def on_line(self, row: int, visible: Callable[[Coding], bool]) -> list[Coding]:
        return [c for c in self._by_line.get(row, ()) if visible(c)]

    def at(self, offset: int, visible: Callable[[Coding], bool]) -> list[Coding]:
        """Visible codings containing ``offset``; else those ending exactly there."""
        row = self.index.row_of(offset)
        near = [c for c in self._by_line.get(row, ()) if visible(c)]
        inside = [c for c in near if c.start <= offset < c.end]
        return inside or [c for c in near if c.end == offset]

    def overlapping(self, start: int, end: int, visible: Callable[[Coding], bool]) -> list[Coding]:
        hi = bisect_left(self._starts, end)
        return [c for c in self._sorted[:hi] if c.end > start and visible(c)]

    def next_after(self, offset: int, visible: Callable[[Coding], bool]) -> Coding | None:
        for coding in self._sorted[bisect_right(self._starts, offset):]:
            if visible(coding):
                return coding
        return None

    def previous_before(self, offset: int, visible: Callable[[Coding], bool]) -> Coding | None:
        for coding in reversed(self._sorted[: bisect_left(self._starts, offset)]):
            if visible(coding):
                return coding
        return None

    def segments(self, row: int, visible: Callable[[Coding], bool]) -> list[tuple[int, int, list[Coding]]]:
        """The line split where codings begin and end: ``(col_start, col_end, codings)``."""
        items = self.on_line(row, visible)
        if not items:
            return []
        line_start = self.index.starts[row]
        line_end = self.index.line_end(row)
        cuts = {line_start, line_end}
        for c in items:
            cuts.add(min(max(c.start, line_start), line_end))
            cuts.add(min(max(c.end, line_start), line_end))
        points = sorted(cuts)
        buckets: list[list[Coding]] = [[] for _ in points]
        for c in items:
            lo = bisect_left(points, max(c.start, line_start))
            hi = bisect_left(points, min(c.end, line_end))
            for i in range(lo, hi):
                buckets[i].append(c)
        out = []
        for i, (a, b) in enumerate(zip(points, points[1:])):
            if buckets[i]:
                out.append((a - line_start, b - line_start, buckets[i]))
        if not out and items:
            # a coding of the newline only (an empty line): mark the line start
            out.append((0, 0, items))
        return out

    def counts(self, visible: Callable[[Coding], bool]) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.codings.values():
            if visible(c):
                out[c.theme_id] = out.get(c.theme_id, 0) + 1
        return out
