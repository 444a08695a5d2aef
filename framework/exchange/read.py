"""Reading REFI-QDA files into plain data, changing nothing (see :mod:`framework.exchange.qda`).

:func:`read_plan` turns a ``.qdpx`` into a :class:`Plan`; :func:`read_codebook` turns a
``.qdc`` (or the codebook of a ``.qdpx``) into ``ThemeSpec``s. Theme ids come back from
the code names: exactly when the file was written by this program (its GUIDs are checked
against the namespace its ``origin`` names), from a leading number when every code is
numbered ("2.1 Caseloads"), or else newly made up so as not to clash with ``taken``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element

from framework.errors import InputError
from framework.exchange.qda import ORIGIN, SURVEY_MARK, guid, origin_namespace, split_description
from framework.ingest.archives import MAX_MEMBER_BYTES, Archive, ElementStream, is_zip, parse_xml
from framework.ingest.text import decode, normalise_newlines
from framework.themes.codebook import next_id
from framework.themes.model import ID_PUNCTUATION, ThemeSpec, colour_hex

MAX_XML_BYTES = 50 * 1024 * 1024
_NUMBERED = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+(\S.*)$", re.S)


def local(elem: Element) -> str:
    return elem.tag.rsplit("}", 1)[-1] if isinstance(elem.tag, str) else ""


def kids(elem: Element, name: str) -> list[Element]:
    return [child for child in elem if local(child) == name]


def kid(elem: Element, name: str) -> Element | None:
    return next((child for child in elem if local(child) == name), None)


def child_text(elem: Element, name: str) -> str:
    found = kid(elem, name)
    return normalise_newlines(found.text or "") if found is not None else ""


def norm_guid(value: str | None) -> str:
    return (value or "").strip().strip("{}").lower()


def refs(elem: Element, name: str = "NoteRef") -> list[str]:
    return [norm_guid(r.get("targetGUID")) for r in kids(elem, name) if r.get("targetGUID")]


# -- codes ---------------------------------------------------------------------------------------


@dataclass
class CodeNode:
    guid: str
    name: str
    description: str
    colour: str | None
    parent: str | None
    note_refs: list[str]
    children: list[CodeNode] = field(default_factory=list)
    theme_id: str = ""
    label: str = ""
    file_id: str = ""
    """The theme id the file gives the code (before any clash with the project is resolved)."""
    generated: bool = False
    codable: bool = True


def read_codes(codes: Element | None, parent: str | None = None, depth: int = 0) -> list[CodeNode]:
    if codes is None:
        return []
    if depth > 64:
        raise InputError("codes are nested more than 64 levels deep")
    out = []
    for n, code in enumerate(kids(codes, "Code")):
        node = CodeNode(norm_guid(code.get("guid")) or f"{parent}/{n}", " ".join((code.get("name") or "").split()),
                        child_text(code, "Description"), colour_hex(code.get("color")), parent, refs(code),
                        codable=(code.get("isCodable") or "true").strip().lower() not in ("false", "0"))
        node.children = read_codes(code, node.guid, depth + 1)
        out.append(node)
    return out


def walk(nodes: list[CodeNode]):
    for node in nodes:
        yield node
        yield from walk(node.children)


def _valid_id(text: str) -> bool:
    return bool(text) and text == text.strip() and all(ch.isalnum() or ch in ID_PUNCTUATION for ch in text)


def assign_ids(roots: list[CodeNode], namespace: uuid.UUID | None, taken: set[str]) -> None:
    """Give every code a ``theme_id`` and ``label`` (see the module)."""
    nodes = list(walk(roots))
    for node in nodes:
        node.theme_id, node.label = "", node.name or "Untitled code"
        if namespace is None:
            continue
        for at in [i for i, ch in enumerate(node.name) if ch == " "]:
            if guid(namespace, "theme", node.name[:at]) == node.guid:
                node.theme_id, node.label = node.name[:at], node.name[at + 1:]
                break
    rest = [n for n in nodes if not n.theme_id]
    numbered = [_NUMBERED.match(n.name) for n in rest]
    if rest and all(numbered) and len({m.group(1) for m in numbered}) == len(rest):
        for node, m in zip(rest, numbered):
            node.theme_id, node.label = m.group(1), m.group(2)
    used: set[str] = set()
    by_guid: dict[str, CodeNode] = {}
    for node in nodes:
        by_guid.setdefault(node.guid, node)
    for node in nodes:  # depth-first: parents get their ids before their children
        if node.theme_id and (node.theme_id in used or not _valid_id(node.theme_id)):
            node.theme_id = ""
        if not node.theme_id:
            parent = by_guid.get(node.parent) if node.parent is not None else None
            node.theme_id = new_id(parent.theme_id if parent else None, taken | used)
            node.generated = True
        node.file_id = node.theme_id
        used.add(node.theme_id)


new_id = next_id


def spec_tree(nodes: list[CodeNode], parent_colour: str | None = None) -> list[ThemeSpec]:
    out = []
    for node in nodes:
        description, include, exclude = split_description(node.description)
        colour = node.colour if node.colour and node.colour != parent_colour else None
        out.append(ThemeSpec(node.theme_id, node.label, description, include, exclude, colour,
                             tuple(spec_tree(node.children, node.colour or parent_colour))))
    return out


def read_codebook(path: Path, *, taken: set[str]) -> list[ThemeSpec]:
    """``ThemeSpec``s from a ``.qdc`` file or from the codebook of a ``.qdpx`` file."""
    if is_zip(path):
        with Archive(path, ".qdpx") as archive:
            root = stream_project(path, archive, {})
        book = kid(root, "CodeBook")
        codes = kid(book, "Codes") if book is not None else None
    else:
        root = parse_xml(_read_small(path), str(path))
        if local(root) != "CodeBook":
            raise InputError(f"{path}: not a REFI-QDA codebook (the root element is <{local(root)}>, "
                             "not <CodeBook>). Nothing was changed.")
        codes = kid(root, "Codes")
    try:
        nodes = read_codes(codes)
    except InputError as exc:
        raise InputError(f"{path}: {exc}. Nothing was changed.") from None
    if not nodes:
        raise InputError(f"{path}: the codebook holds no codes. Nothing was changed.")
    assign_ids(nodes, origin_namespace(root.get("origin")), taken)
    return spec_tree(nodes)


def _read_small(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_XML_BYTES:
            raise InputError(f"{path}: too large for a codebook ({MAX_XML_BYTES // 1048576} MB limit).")
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: file not found.") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc}).") from None


MAX_PROJECT_ELEMENTS = 2_000_000
"""Most elements a ``project.qde`` may have (this program's own export of 150,000 codings,
each with a memo, has about 1,050,000)."""
MAX_ITEMS = 500_000
"""Most selections, notes, cases and sources together a ``project.qde`` may hold: what is
kept of each while the file is read, and then imported, stays far below the memory target."""
_DROP = ("Project", "Sources", "*"), ("Project", "Notes", "*"), ("Project", "Cases", "*"), ("Project", "Links", "*")


def stream_project(path: Path, archive: Archive,
                   handlers: dict[tuple[str, ...], Callable[[Element, Element], object]]) -> Element:
    """Read the archive's ``project.qde`` as a stream: each element whose path is a key of
    ``handlers`` goes to its handler and is forgotten (sources, notes, cases and links no
    handler takes are dropped); returns the root with what is left (users, codebook,
    variables, sets, description)."""
    qde = [n for n in archive.names if n.lower().endswith(".qde")]
    names = [n for n in qde if n.lower() == "project.qde"] or [n for n in qde if "/" not in n]
    if not names:
        raise InputError(f"{path}: not a REFI-QDA project: the archive holds no project.qde. Nothing was changed.")

    def first(root: Element) -> None:
        if root.tag != "Project":
            raise InputError(f"{path}: {names[0]} is not a REFI-QDA project (its root element is <{root.tag}>). "
                             "Nothing was changed.")

    every = {**{key: _ignore for key in _DROP}, **handlers}
    return archive.feed(names[0], ElementStream(every, f"{path}: {names[0]}", MAX_PROJECT_ELEMENTS, first),
                        MAX_MEMBER_BYTES)


def _ignore(_: Element, __: Element) -> None:
    return None


# -- projects -------------------------------------------------------------------------------------


@dataclass(slots=True)
class Selection:
    start: int
    end: int
    user: str
    codings: tuple[tuple[str, str, str, tuple[str, ...]], ...]  # (user guid, code guid, created, note guids)
    note_refs: tuple[str, ...]
    whole: bool = False
    """A coding of the whole source (a ``Coding`` directly inside the ``TextSource``)."""
    name: str = ""
    description: str = ""
    created: str = ""

    @property
    def quotes(self) -> tuple[str, ...]:
        """Text the file gives about the selection, which may be the selected words."""
        return tuple(q for q in (self.name, self.description) if q.strip())


@dataclass(slots=True)
class Source:
    guid: str
    name: str
    raw: str
    text: str
    kind: str
    question: str | None
    selections: list[Selection]
    note_refs: tuple[str, ...]
    values: dict[str, str] = field(default_factory=dict)
    description: str = ""


@dataclass(slots=True)
class Note:
    guid: str
    name: str
    user: str
    created: str
    description: str
    text: str
    selection: tuple[int, int] | None = None
    """Where a note that annotates a passage sits (QualCoder writes it inside the note)."""


@dataclass(slots=True)
class CaseInfo:
    guid: str
    name: str
    values: dict[str, str]
    sources: tuple[str, ...]
    description: str = ""


@dataclass
class SetInfo:
    """A ``Set``: a group of codes (ATLAS.ti code groups), sources or notes."""

    guid: str
    name: str
    description: str
    codes: list[str]
    sources: list[str]
    notes: list[str]


@dataclass
class Plan:
    """Everything a ``.qdpx`` holds that this program uses."""

    path: Path
    name: str
    namespace: uuid.UUID | None
    users: dict[str, str]
    codes: list[CodeNode]
    variables: dict[str, tuple[str, str]]
    cases: list[CaseInfo]
    sources: list[Source]
    notes: dict[str, Note]
    project_notes: list[str]
    warnings: list[str] = field(default_factory=list)
    origin: str = ""
    description: str = ""
    sets: list[SetInfo] = field(default_factory=list)
    not_codable: set[str] = field(default_factory=set)
    skipped: dict[str, int] = field(default_factory=dict)
    """What the file holds that cannot be imported, by kind, with counts."""

    @property
    def own(self) -> bool:
        """Written by this program (so its descriptions repeat its notes)."""
        return self.origin.startswith(ORIGIN)


def _int(value: str | None) -> int | None:
    try:
        return int(value)  # type: ignore[arg-type]  # spaces around it are allowed
    except (TypeError, ValueError):
        return None


class _Texts:
    """The archive's text files (``sources/...``), found by name whatever its case, read when asked."""

    def __init__(self, path: Path, archive: Archive) -> None:
        self.path, self.archive = path, archive
        self.names = {n.lower(): n for n in archive.names if n.lower().endswith(".txt")}

    def text(self, src: Element, warnings: list[str]) -> str | None:
        """The plain text of a source or note: inline, or from the archive (else a warning)."""
        name = src.get("name") or src.get("guid") or "?"
        content = src.findtext("PlainTextContent")
        if content:
            return content
        where = src.get("plainTextPath") or ""
        if not where:
            warnings.append(f"source {name!r} has no plain text (only {src.get('richTextPath') or 'nothing'}); "
                            "skipped")
            return None
        if not where.lower().startswith("internal://"):
            warnings.append(f"source {name!r} points outside the file ({where}); skipped")
            return None
        found = self.names.get("sources/" + where[len("internal://"):].lstrip("/").lower())
        if found is None:
            warnings.append(f"source {name!r}: {where} is missing from the archive; skipped")
            return None
        data = self.archive.read(found)
        if not data.strip():
            warnings.append(f"source {name!r}: {where} is empty; skipped")
            return None
        return decode(data, f"{self.path}: {found}")[0]


def _values(elem: Element) -> dict[str, str]:
    """``{variable guid: value}`` of an element's ``VariableValue``s."""
    values = {}
    for vv in kids(elem, "VariableValue"):
        ref = kid(vv, "VariableRef")
        value = next((ch.text for ch in vv if local(ch).endswith("Value") and ch.text is not None), None)
        if ref is not None and value is not None:
            values[norm_guid(ref.get("targetGUID"))] = value.strip()
    return values


def _sets(root: Element) -> list[SetInfo]:
    return [SetInfo(norm_guid(st.get("guid")), (st.get("name") or "").strip(), child_text(st, "Description").strip(),
                    refs(st, "MemberCode"), refs(st, "MemberSource"), refs(st, "MemberNote"))
            for group in kids(root, "Sets") for st in kids(group, "Set")]


def _refs(elem: Element) -> tuple[str, ...]:
    """The notes a streamed element (tags without namespace) links to."""
    return tuple(norm_guid(r.get("targetGUID")) for r in elem if r.tag == "NoteRef" and r.get("targetGUID"))


def _count(skipped: dict[str, int], kind: str, n: int = 1) -> None:
    if n:
        skipped[kind] = skipped.get(kind, 0) + n


class _PlanReader:
    """What :func:`read_plan` keeps of each element as the ``project.qde`` streams past:
    sources with their selections, notes, cases and the project's note links become plain
    data at their end tags; users, codebook, variables and sets are read from what is left."""

    def __init__(self, path: Path, archive: Archive) -> None:
        self.path, self.texts = path, _Texts(path, archive)
        self.sources: list[Source] = []
        self.selections: list[Selection] = []
        self.whole: list[Selection] = []
        self.notes: dict[str, Note] = {}
        self.cases: list[CaseInfo] = []
        self.project_notes: list[str] = []
        self.warnings: list[str] = []
        self.skipped: dict[str, int] = {}
        self.guids: dict[str | None, str] = {}
        """User and code GUIDs as written, normalised (each normalised once, kept once)."""
        self.times: dict[str, str] = {}
        """One copy of each time."""
        self.left = MAX_ITEMS

    def keep(self) -> None:
        """Count one more item kept; refuse the file past :data:`MAX_ITEMS`."""
        self.left -= 1
        if self.left < 0:
            raise InputError(f"{self.path}: the project holds more than {MAX_ITEMS:,} selections, notes, cases and "
                             "sources together; refused as too large to read safely. Nothing was changed.")

    def handlers(self) -> dict[tuple[str, ...], Callable[[Element, Element], object]]:
        return {("Project", "Sources", "TextSource", "PlainTextSelection"): self.selection,
                ("Project", "Sources", "TextSource", "Coding"): self.whole_coding,
                ("Project", "Sources", "TextSource"): self.source,
                ("Project", "Sources", "*"): self.other_source,
                ("Project", "Notes", "Note"): self.note,
                ("Project", "Cases", "Case"): self.case,
                ("Project", "NoteRef"): self.project_note,
                ("Project", "Links", "*"): lambda _, __: _count(self.skipped, "links (no place for them here)"),
                ("Project", "Graphs", "*"): lambda _, __: _count(self.skipped, "graphs (no place for them here)")}

    def guid(self, raw: str | None) -> str:
        found = self.guids.get(raw)
        if found is None:
            found = self.guids[raw] = norm_guid(raw)
        return found

    def time(self, raw: str | None) -> str:
        return self.times.setdefault(raw, raw) if raw else ""

    def coding(self, coding: Element, owner: Element) -> tuple[str, str, str, tuple[str, ...]] | None:
        ref = coding.find("CodeRef")
        if ref is None:
            return None
        return (self.guid(coding.get("creatingUser") or owner.get("creatingUser")), self.guid(ref.get("targetGUID")),
                self.time(coding.get("creationDateTime")), _refs(coding))

    def whole_coding(self, coding: Element, src: Element) -> None:
        found = self.coding(coding, src)
        if found is not None:
            self.keep()
            self.whole.append(Selection(0, 0, "", (found,), (), whole=True))

    def selection(self, sel: Element, src: Element) -> None:
        start, end = _int(sel.get("startPosition")), _int(sel.get("endPosition"))
        if start is None or end is None:
            self.warnings.append(f"{src.get('name')}: a selection without whole-number positions; skipped")
            return
        self.keep()
        codings = tuple(c for c in (self.coding(c, sel) for c in sel if c.tag == "Coding") if c is not None)
        description, name = sel.findtext("Description"), sel.get("name")
        self.selections.append(Selection(
            start, end, self.guid(sel.get("creatingUser")), codings, _refs(sel),
            name=normalise_newlines(name) if name else "",
            description=normalise_newlines(description) if description else "",
            created=self.time(sel.get("creationDateTime") or sel.get("modifiedDateTime"))))

    def source(self, src: Element, _: Element) -> None:
        selections, self.whole, self.selections = self.whole + self.selections, [], []
        self.keep()
        raw = self.texts.text(src, self.warnings)
        if raw is None:
            return
        description = child_text(src, "Description")
        question = description[len(SURVEY_MARK):] if description.startswith(SURVEY_MARK) else None
        self.sources.append(Source(
            norm_guid(src.get("guid")), (src.get("name") or "").strip(), raw, normalise_newlines(raw),
            "survey" if question is not None else "transcript", question, selections, tuple(refs(src)),
            _values(src), "" if question is not None else description.strip()))

    def other_source(self, src: Element, _: Element) -> None:
        _count(self.skipped, f"{local(src)}s (only text sources can be imported)")

    def note(self, n: Element, _: Element) -> None:
        self.keep()
        content = self.texts.text(n, []) or ""
        sel = n.find("PlainTextSelection")
        where = None
        if sel is not None:
            start, end = _int(sel.get("startPosition")), _int(sel.get("endPosition"))
            where = (start, end) if start is not None and end is not None else None
        note_guid, description = norm_guid(n.get("guid")), n.findtext("Description")
        self.notes[note_guid] = Note(
            note_guid, (n.get("name") or "").strip(), self.guid(n.get("creatingUser") or n.get("modifyingUser")),
            self.time(n.get("creationDateTime") or n.get("modifiedDateTime")),
            normalise_newlines(description) if description else "", normalise_newlines(content), where)

    def case(self, c: Element, _: Element) -> None:
        self.keep()
        self.cases.append(CaseInfo(norm_guid(c.get("guid")), (c.get("name") or "").strip(), _values(c),
                                   tuple(refs(c, "SourceRef")), child_text(c, "Description").strip()))

    def project_note(self, ref: Element, _: Element) -> None:
        if ref.get("targetGUID"):
            self.project_notes.append(norm_guid(ref.get("targetGUID")))


def read_plan(path: Path) -> Plan:
    """Read and check a ``.qdpx`` file; nothing is changed. The ``project.qde`` is read as
    a stream, each source, note and case kept as plain data once read."""
    with Archive(path, ".qdpx") as archive:
        reader = _PlanReader(path, archive)
        root = stream_project(path, archive, reader.handlers())
    users = {norm_guid(u.get("guid")): (u.get("name") or u.get("id") or "").strip()
             for users in kids(root, "Users") for u in kids(users, "User")}
    book = kid(root, "CodeBook")
    try:
        codes = read_codes(kid(book, "Codes") if book is not None else None)
    except InputError as exc:
        raise InputError(f"{path}: {exc}. Nothing was changed.") from None
    variables = {}
    for group in kids(root, "Variables"):
        for v in kids(group, "Variable"):
            variables[norm_guid(v.get("guid"))] = ((v.get("name") or "").strip(), v.get("typeOfVariable") or "Text")
    return Plan(path, (root.get("name") or "").strip(), origin_namespace(root.get("origin")), users, codes,
                variables, reader.cases, reader.sources, reader.notes, reader.project_notes, reader.warnings,
                origin=root.get("origin") or "", description=child_text(root, "Description").strip(),
                sets=_sets(root), not_codable={n.guid for n in walk(codes) if not n.codable},
                skipped=reader.skipped)
