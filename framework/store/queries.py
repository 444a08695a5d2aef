"""Read-only views for familiarisation: numbered lines of a document, and search."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from framework.errors import InputError
from framework.store import Document, Store


@dataclass(frozen=True)
class Line:
    number: int
    start: int
    text: str
    speaker: str | None


def line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in re.finditer("\n", text))
    return starts


def line_number(starts: list[int], offset: int) -> int:
    """1-based line number of a character offset."""
    return bisect_right(starts, offset)


def lines(store: Store, doc: Document, first: int = 1, last: int | None = None) -> list[Line]:
    """Numbered lines ``first..last`` (1-based, inclusive) with the speaker of each."""
    text = store.documents.text(doc.id)
    all_lines = text.split("\n")
    last = len(all_lines) if last is None else min(last, len(all_lines))
    if first < 1 or first > len(all_lines) or last < first:
        raise InputError(f"{doc.name} has {len(all_lines)} lines; ask for lines within 1-{len(all_lines)}.")
    starts = line_starts(text)
    units = store.documents.units(doc.id)
    unit_starts = [u.start for u in units]
    out = []
    for n in range(first, last + 1):
        start = starts[n - 1]
        i = bisect_right(unit_starts, start) - 1
        speaker = units[i].speaker if i >= 0 and units[i].start <= start <= units[i].end and all_lines[n - 1].strip() else None
        out.append(Line(n, start, all_lines[n - 1], speaker))
    return out


def parse_line_range(spec: str) -> tuple[int, int | None]:
    m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d*)\s*)?", spec or "")
    if not m:
        raise InputError(f"--lines {spec!r}: give a range such as 10-40, 10- or 25.")
    first = int(m.group(1))
    last = int(m.group(2)) if m.group(2) else (None if "-" in spec else first)
    return first, last


@dataclass(frozen=True)
class Hit:
    document: str
    document_id: int
    case: str
    line: int
    start: int
    end: int
    snippet: str

    def as_json(self) -> dict:
        return {"document": self.document, "document_id": self.document_id, "case": self.case,
                "line": self.line, "start": self.start, "end": self.end, "snippet": self.snippet}


def _fts_query(text: str) -> str:
    words = re.findall(r"\w+", text, flags=re.UNICODE)
    if not words:
        raise InputError("search: give at least one word to look for.")
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def _snippet(line: str, col: int, length: int, width: int = 160) -> str:
    """The line around a match: whole when short, else a window with ellipses."""
    if len(line) <= width:
        return line
    side = (width - length) // 2
    lo = max(0, col - side)
    hi = min(len(line), col + length + side)
    return ("…" if lo else "") + line[lo:hi] + ("…" if hi < len(line) else "")


def search(store: Store, text: str, *, limit: int = 100, document_id: int | None = None) -> list[Hit]:
    """Every occurrence of ``text`` (case-insensitive) in documents holding all its words
    (or in one document only)."""
    query = _fts_query(text)
    only = "AND d.id = ? " if document_id is not None else ""
    rows = store.query(
        "SELECT d.id, d.name, c.name AS case_name FROM documents_fts f "
        "JOIN documents d ON d.id = f.rowid JOIN cases c ON c.id = d.case_id "
        f"WHERE documents_fts MATCH ? {only}ORDER BY d.name",
        (query, document_id) if document_id is not None else (query,),
    )
    words = re.findall(r"\w+", text, flags=re.UNICODE)
    pattern = re.compile(r"\W+".join(re.escape(w) for w in words), re.IGNORECASE)
    hits: list[Hit] = []
    for row in rows:
        # Texts are read one at a time, so a common word stops after ``limit`` hits.
        doc_text = store.documents.text(row["id"])
        starts = None
        for m in pattern.finditer(doc_text):
            if starts is None:
                starts = line_starts(doc_text)
            n = line_number(starts, m.start())
            line_end = doc_text.find("\n", m.start())
            line_text = doc_text[starts[n - 1] : line_end if line_end != -1 else len(doc_text)]
            snippet = _snippet(line_text, m.start() - starts[n - 1], len(m.group()))
            hits.append(Hit(row["name"], row["id"], row["case_name"], n, m.start(), m.end(), snippet))
            if len(hits) >= limit:
                return hits
    return hits
