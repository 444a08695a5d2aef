"""Dataclasses for rows of the project store.

Rows become these at the store boundary: nothing above the store sees a dict row
or a cursor. Offsets are 0-based, end-exclusive code-point indices into the stored,
newline-normalised text of a document.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

DOCUMENT_KINDS = ("transcript", "survey")
CELL_STATUSES = ("empty", "draft", "done")
CONSENSUS = "consensus"
"""The reserved coder name of the agreed (consensus) coding layer."""
SYSTEM_CODERS = (CONSENSUS, "import", "export", "doctor")
"""Names the project itself acts under in the action log (the consensus layer, imports,
exports and repairs): never a person, so never offered or accepted as who is coding."""


def people(names: Iterable[str]) -> list[str]:
    """``names`` without the :data:`SYSTEM_CODERS`, in their order."""
    return [n for n in names if n not in SYSTEM_CODERS]


def now() -> str:
    """The current UTC time as an ISO 8601 string with seconds."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Case:
    """A unit of analysis (an interviewee, a survey respondent) with its attributes."""

    id: int
    name: str
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Attribute:
    """A case attribute column: its name, type (``text`` or ``number``) and order."""

    name: str
    type: str
    position: int


@dataclass(frozen=True)
class Document:
    """A transcript or a survey answer; its text is fetched separately."""

    id: int
    name: str
    case_id: int
    case: str
    kind: str
    source: str | None
    sha256: str
    length: int
    encoding: str | None
    format: str | None
    question: str | None
    imported_at: str
    updated_at: str

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "case": self.case,
            "case_id": self.case_id,
            "kind": self.kind,
            "source": self.source,
            "length": self.length,
            "sha256": self.sha256,
            "encoding": self.encoding,
            "format": self.format,
            "question": self.question,
            "imported_at": self.imported_at,
        }


@dataclass(frozen=True)
class Unit:
    """A paragraph (a speaker turn, or one survey answer): the unit of agreement."""

    document_id: int
    ordinal: int
    start: int
    end: int
    speaker: str | None


@dataclass(frozen=True)
class Theme:
    """A theme or subtheme of the thematic framework."""

    id: str
    parent_id: str | None
    label: str
    description: str
    include: str
    exclude: str
    colour: str
    position: int
    archived: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "parent": self.parent_id,
            "label": self.label,
            "description": self.description,
            "include": self.include,
            "exclude": self.exclude,
            "colour": self.colour,
            "position": self.position,
            "archived": self.archived,
        }


@dataclass(frozen=True)
class Coding:
    """One passage of one document coded with one theme by one coder.

    ``quote`` is the passage's text and ``before``/``after`` a little context
    either side, kept so the coding can be placed again when the text changes.
    ``detached`` codings could not be placed after a change of text: they are
    kept (nothing is lost) and listed, but their offsets are not trusted.
    """

    id: int
    coder: str
    document_id: int
    document: str
    theme_id: str
    start: int
    end: int
    quote: str
    before: str
    after: str
    memo: str
    created_at: str
    updated_at: str
    detached: bool = False
    uid: str = ""
    """The coding's identity across copies of the project (kept by export, import and merge)."""

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "coder": self.coder,
            "document": self.document,
            "document_id": self.document_id,
            "theme": self.theme_id,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "memo": self.memo,
            "detached": self.detached,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True)
class ChartCell:
    """The analyst's summary for one case x theme cell in one coding layer."""

    case_id: int
    theme_id: str
    layer: str
    summary: str
    status: str
    updated_at: str
    updated_by: str


@dataclass(frozen=True)
class Memo:
    """A free memo attached to the project, a case, a document or a theme."""

    id: int
    coder: str
    target_kind: str
    target_id: str
    text: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Action:
    """One entry of the append-only action log."""

    id: int
    at: str
    coder: str
    kind: str
    payload: dict[str, Any]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Action:
        return cls(row["id"], row["at"], row["coder"], row["kind"], json.loads(row["payload"] or "{}"))

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at, "coder": self.coder, "kind": self.kind, "payload": self.payload}
