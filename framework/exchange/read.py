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
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element

from framework.errors import InputError
from framework.exchange.qda import ORIGIN, SURVEY_MARK, guid, origin_namespace, split_description
from framework.ingest.archives import is_zip, parse_xml, read_zip
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
    for node in nodes:  # depth-first: parents get their ids before their children
        if node.theme_id and (node.theme_id in used or not _valid_id(node.theme_id)):
            node.theme_id = ""
        if not node.theme_id:
            parent = next((p for p in nodes if p.guid == node.parent), None)
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
        root = _project_root(path, read_zip(path, ".qdpx", lambda n: n.lower().endswith(".qde")))
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


def _project_root(path: Path, members: dict[str, bytes]) -> Element:
    names = [n for n in members if n.lower() == "project.qde"] or [n for n in members if "/" not in n]
    if not names:
        raise InputError(f"{path}: not a REFI-QDA project: the archive holds no project.qde. Nothing was changed.")
    root = parse_xml(members[names[0]], f"{path}: {names[0]}")
    if local(root) != "Project":
        raise InputError(f"{path}: {names[0]} is not a REFI-QDA project (its root element is <{local(root)}>). "
                         "Nothing was changed.")
    return root


# -- projects -------------------------------------------------------------------------------------


@dataclass
class Selection:
    guid: str
    start: int
    end: int
    user: str
    codings: list[tuple[str, str, str, list[str]]]  # (user guid, code guid, created, note guids)
    note_refs: list[str]
    whole: bool = False
    """A coding of the whole source (a ``Coding`` directly inside the ``TextSource``)."""
    name: str = ""
    description: str = ""
    created: str = ""

    @property
    def quotes(self) -> tuple[str, ...]:
        """Text the file gives about the selection, which may be the selected words."""
        return tuple(q for q in (self.name, self.description) if q.strip())


@dataclass
class Source:
    guid: str
    name: str
    raw: str
    text: str
    kind: str
    question: str | None
    selections: list[Selection]
    note_refs: list[str]
    values: dict[str, str] = field(default_factory=dict)
    description: str = ""


@dataclass
class Note:
    guid: str
    name: str
    user: str
    created: str
    description: str
    text: str
    selection: tuple[int, int] | None = None
    """Where a note that annotates a passage sits (QualCoder writes it inside the note)."""


@dataclass
class CaseInfo:
    guid: str
    name: str
    values: dict[str, str]
    sources: list[str]
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
        return int((value or "").strip())
    except ValueError:
        return None


def _source_text(path: Path, src: Element, members: dict[str, bytes], warnings: list[str]) -> str | None:
    name = src.get("name") or src.get("guid") or "?"
    content = kid(src, "PlainTextContent")
    if content is not None and content.text:
        return content.text
    where = src.get("plainTextPath") or ""
    if not where:
        warnings.append(f"source {name!r} has no plain text (only {src.get('richTextPath') or 'nothing'}); skipped")
        return None
    if not where.lower().startswith("internal://"):
        warnings.append(f"source {name!r} points outside the file ({where}); skipped")
        return None
    wanted = "sources/" + where[len("internal://"):].lstrip("/").lower()
    found = next((n for n in members if n.lower() == wanted), None)
    if found is None:
        warnings.append(f"source {name!r}: {where} is missing from the archive; skipped")
        return None
    if not members[found].strip():
        warnings.append(f"source {name!r}: {where} is empty; skipped")
        return None
    return decode(members[found], f"{path}: {found}")[0]


def _values(elem: Element) -> dict[str, str]:
    """``{variable guid: value}`` of an element's ``VariableValue``s."""
    values = {}
    for vv in kids(elem, "VariableValue"):
        ref = kid(vv, "VariableRef")
        value = next((ch.text for ch in vv if local(ch).endswith("Value") and ch.text is not None), None)
        if ref is not None and value is not None:
            values[norm_guid(ref.get("targetGUID"))] = value.strip()
    return values


def _coding(coding: Element, owner: Element) -> tuple[str, str, str, list[str]]:
    return (norm_guid(coding.get("creatingUser") or owner.get("creatingUser")),
            norm_guid(kid(coding, "CodeRef").get("targetGUID")), coding.get("creationDateTime") or "", refs(coding))


def _selection(sel: Element, src: Element, warnings: list[str]) -> Selection | None:
    start, end = _int(sel.get("startPosition")), _int(sel.get("endPosition"))
    if start is None or end is None:
        warnings.append(f"{src.get('name')}: a selection without whole-number positions; skipped")
        return None
    codings = [_coding(c, sel) for c in kids(sel, "Coding") if kid(c, "CodeRef") is not None]
    return Selection(norm_guid(sel.get("guid")), start, end, norm_guid(sel.get("creatingUser")), codings, refs(sel),
                     name=normalise_newlines(sel.get("name") or ""), description=child_text(sel, "Description"),
                     created=sel.get("creationDateTime") or sel.get("modifiedDateTime") or "")


def _source(path: Path, src: Element, members: dict[str, bytes], warnings: list[str]) -> Source | None:
    raw = _source_text(path, src, members, warnings)
    if raw is None:
        return None
    description = child_text(src, "Description")
    question = description[len(SURVEY_MARK):] if description.startswith(SURVEY_MARK) else None
    selections = [Selection("", 0, 0, "", [_coding(c, src)], [], whole=True)
                  for c in kids(src, "Coding") if kid(c, "CodeRef") is not None]
    selections += [s for s in (_selection(sel, src, warnings) for sel in kids(src, "PlainTextSelection")) if s]
    return Source(norm_guid(src.get("guid")), (src.get("name") or "").strip(), raw, normalise_newlines(raw),
                  "survey" if question is not None else "transcript", question, selections, refs(src),
                  _values(src), "" if question is not None else description.strip())


def _note(path: Path, n: Element, members: dict[str, bytes]) -> Note:
    content = _source_text(path, n, members, []) or ""
    sel = kid(n, "PlainTextSelection")
    where = None
    if sel is not None:
        start, end = _int(sel.get("startPosition")), _int(sel.get("endPosition"))
        where = (start, end) if start is not None and end is not None else None
    return Note(norm_guid(n.get("guid")), (n.get("name") or "").strip(),
                norm_guid(n.get("creatingUser") or n.get("modifyingUser")),
                n.get("creationDateTime") or n.get("modifiedDateTime") or "", child_text(n, "Description"),
                normalise_newlines(content), where)


def _sets(root: Element) -> list[SetInfo]:
    return [SetInfo(norm_guid(st.get("guid")), (st.get("name") or "").strip(), child_text(st, "Description").strip(),
                    refs(st, "MemberCode"), refs(st, "MemberSource"), refs(st, "MemberNote"))
            for group in kids(root, "Sets") for st in kids(group, "Set")]


def _count(skipped: dict[str, int], kind: str, n: int = 1) -> None:
    if n:
        skipped[kind] = skipped.get(kind, 0) + n


def read_plan(path: Path) -> Plan:
    """Read and check a ``.qdpx`` file; nothing is changed."""
    members = read_zip(path, ".qdpx", lambda n: n.lower().endswith((".qde", ".txt")))
    root = _project_root(path, members)
    warnings: list[str] = []
    skipped: dict[str, int] = {}
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
    cases = [CaseInfo(norm_guid(c.get("guid")), (c.get("name") or "").strip(), _values(c), refs(c, "SourceRef"),
                      child_text(c, "Description").strip())
             for group in kids(root, "Cases") for c in kids(group, "Case")]
    sources = []
    for group in kids(root, "Sources"):
        for src in group:
            if local(src) != "TextSource":
                _count(skipped, f"{local(src)}s (only text sources can be imported)")
                continue
            source = _source(path, src, members, warnings)
            if source is not None:
                sources.append(source)
    notes = {norm_guid(n.get("guid")): _note(path, n, members) for group in kids(root, "Notes") for n in kids(group, "Note")}
    for name in ("Graphs", "Links"):
        _count(skipped, f"{name.lower()} (no place for them here)", sum(len(list(g)) for g in kids(root, name)))
    return Plan(path, (root.get("name") or "").strip(), origin_namespace(root.get("origin")), users, codes,
                variables, cases, sources, notes, refs(root), warnings, origin=root.get("origin") or "",
                description=child_text(root, "Description").strip(), sets=_sets(root),
                not_codable={n.guid for n in walk(codes) if not n.codable}, skipped=skipped)
