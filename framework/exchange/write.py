"""Building ``.qdc`` and ``.qdpx`` files from a project's store (see :mod:`framework.exchange.qda`)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import Element, SubElement

from framework.exchange.qda import (
    CELL_MARK,
    CODEBOOK_NS,
    MEMO_MARK,
    PROJECT_NS,
    SURVEY_MARK,
    ExportResult,
    code_name,
    guid,
    origin_text,
    theme_description,
    xml_bytes,
    xml_text,
    zip_bytes,
)
from framework.store import Store, Theme

_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_RGB = re.compile(r"^#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")


def _tree(store: Store) -> tuple[list[Theme], dict[str | None, list[Theme]]]:
    themes = [t for t in store.themes.list() if not t.archived]
    ids = {t.id for t in themes}
    children: dict[str | None, list[Theme]] = {}
    for t in themes:
        children.setdefault(t.parent_id if t.parent_id in ids else None, []).append(t)
    return themes, children


def _add_codes(parent: Element, ns: str, children: dict[str | None, list[Theme]], key: str | None,
               make_guid: Callable[[str], str], text: Callable[[str], str],
               note_refs: dict[str, list[str]] | None) -> None:
    for theme in children.get(key, []):
        attrs = {"guid": make_guid(theme.id), "name": xml_text(text(code_name(theme.id, theme.label))),
                 "isCodable": "true"}
        if _RGB.match(theme.colour or ""):
            attrs["color"] = theme.colour
        code = SubElement(parent, f"{{{ns}}}Code", attrs)
        description = theme_description(theme.description, theme.include, theme.exclude)
        if description:
            SubElement(code, f"{{{ns}}}Description").text = xml_text(text(description))
        for note in (note_refs or {}).get(theme.id, []):
            SubElement(code, f"{{{ns}}}NoteRef", targetGUID=note)
        _add_codes(code, ns, children, theme.id, make_guid, text, note_refs)


def codebook_bytes(store: Store, namespace: uuid.UUID) -> tuple[bytes, int]:
    """The ``.qdc`` file of the project's current (not archived) themes, and their number."""
    themes, children = _tree(store)
    root = Element(f"{{{CODEBOOK_NS}}}CodeBook", origin=origin_text(namespace))
    codes = SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    _add_codes(codes, CODEBOOK_NS, children, None, lambda tid: guid(namespace, "theme", tid), str, None)
    return xml_bytes(root, CODEBOOK_NS), len(themes)


def _q(tag: str) -> str:
    return f"{{{PROJECT_NS}}}{tag}"


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name} ({n})", n + 1
    taken.add(candidate)
    return candidate


def _variable_type(kind: str, values: list[str]) -> str:
    if kind == "number" and values and all(_INTEGER.match(v) for v in values):
        return "Integer"
    if kind == "number" and values and all(_DECIMAL.match(v) for v in values):
        return "Float"
    return "Text"


def project_bytes(store: Store, namespace: uuid.UUID, name: str, result: ExportResult, key: Any = None) -> bytes:
    """The ``.qdpx`` file of the project (see :mod:`framework.exchange.qda` for the mapping)."""
    if key is not None:
        namespace = uuid.uuid5(namespace, f"pseudonymised {key.sha256}")
    origin = origin_text(None if key is not None else namespace)

    def text(value: str) -> str:
        return xml_text(key.apply(value) if key is not None and value else value)

    def g(kind: str, *parts: object) -> str:
        return guid(namespace, kind, *parts)

    themes, children = _tree(store)
    active = {t.id for t in themes}
    documents = store.documents.list()
    by_id = {d.id: d for d in documents}
    texts = {d.id: store.documents.text(d.id) for d in documents}
    codings = []
    for c in store.codings.list():
        if c.detached:
            result.skipped.append(f"{c.document}: coding {c.id} is detached (its place in the text is unsure)")
        elif c.theme_id not in active:
            result.skipped.append(f"{c.document}: coding {c.id} is on archived theme {c.theme_id}")
        elif not 0 <= c.start < c.end <= len(texts[c.document_id]):
            result.skipped.append(f"{c.document}: coding {c.id} lies outside the text")
        else:
            codings.append(c)
    cases = store.cases.list()
    case_names = {c.id: c.name for c in cases}
    cells = [r for r in store.query("SELECT * FROM chart_cells ORDER BY layer, case_id, theme_id")
             if (r["summary"].strip() or r["status"] != "empty") and r["theme_id"] in active]
    memos = store.query("SELECT * FROM memos ORDER BY id")

    users = sorted({*(c.coder for c in codings), *(r["layer"] for r in cells),
                    *(r["updated_by"] for r in cells), *(m["coder"] for m in memos)})
    root = Element(_q("Project"), name=text(name), origin=origin)
    if users:
        users_el = SubElement(root, _q("Users"))
        for user in users:
            SubElement(users_el, _q("User"), guid=g("user", user), name=xml_text(user))

    # Notes first (in memory), so the elements that refer to them can be written in order.
    notes: list[Element] = []
    refs: dict[tuple[str, str], list[str]] = {}

    def note(note_guid: str, title: str, creator: str, description: str, content: str, target: tuple[str, str],
             stamp: str | None = None) -> str:
        attrs = {"guid": note_guid, "name": text(title), "creatingUser": g("user", creator)}
        if stamp and _DATETIME.match(stamp):
            attrs["creationDateTime"] = stamp
        el = Element(_q("Note"), attrs)
        SubElement(el, _q("Description")).text = description
        SubElement(el, _q("PlainTextContent")).text = text(content)
        notes.append(el)
        refs.setdefault(target, []).append(note_guid)
        return note_guid

    labels = {t.id: t.label for t in themes}
    for r in cells:
        case = case_names.get(r["case_id"], str(r["case_id"]))
        note(g("cell", case, r["theme_id"], r["layer"]), f"Summary: {case} / {code_name(r['theme_id'], labels[r['theme_id']])}",
             r["updated_by"], f"{CELL_MARK}; layer: {xml_text(r['layer'])}; case: {text(case)}; "
             f"theme: {xml_text(r['theme_id'])}; status: {r['status']}", r["summary"], ("theme", r["theme_id"]))
    doc_names = {d.name: d for d in documents}
    for m in memos:
        kind, target = m["target_kind"], m["target_id"]
        where = ("project", "") if kind in ("project", "case") else (kind, target)
        if kind == "document" and target in doc_names:
            where = ("document", str(doc_names[target].id))
        elif kind == "document" and target.isdigit() and int(target) in by_id:
            where, target = ("document", target), by_id[int(target)].name
        elif kind == "theme" and target not in active:
            where = ("project", "")
        note(g("memo", m["id"]), f"Memo: {kind} {target}".strip(), m["coder"],
             f"{MEMO_MARK}; target: {kind} {text(target)}".strip(), m["text"], where, m["created_at"])

    code_guid = {t.id: g("theme", t.id) for t in themes}
    if themes:
        book = SubElement(SubElement(root, _q("CodeBook")), _q("Codes"))
        theme_refs = {tid: ids for (kind, tid), ids in refs.items() if kind == "theme"}
        _add_codes(book, PROJECT_NS, children, None, code_guid.__getitem__, text, theme_refs)
    result.themes = len(themes)

    attributes = store.cases.attributes()
    types = {a.name: _variable_type(a.type, [c.attributes[a.name] for c in cases if a.name in c.attributes])
             for a in attributes}
    if attributes:
        variables = SubElement(root, _q("Variables"))
        for a in attributes:
            SubElement(variables, _q("Variable"), guid=g("variable", a.name), name=xml_text(a.name),
                       typeOfVariable=types[a.name])

    source_guid = {d.id: g("source", d.name) for d in documents}
    if cases:
        taken: set[str] = set()
        cases_el = SubElement(root, _q("Cases"))
        docs_of: dict[int, list[int]] = {}
        for d in documents:
            docs_of.setdefault(d.case_id, []).append(d.id)
        for c in cases:
            case_el = SubElement(cases_el, _q("Case"), guid=g("case", c.name), name=_unique(text(c.name), taken))
            for a in attributes:
                if a.name not in c.attributes:
                    continue
                value_el = SubElement(case_el, _q("VariableValue"))
                SubElement(value_el, _q("VariableRef"), targetGUID=g("variable", a.name))
                value = c.attributes[a.name]
                SubElement(value_el, _q(f"{types[a.name]}Value")).text = value if types[a.name] != "Text" else text(value)
            for doc_id in docs_of.get(c.id, []):
                SubElement(case_el, _q("SourceRef"), targetGUID=source_guid[doc_id])
        result.cases = len(cases)

    coding_notes: list[Element] = []
    members: list[tuple[str, bytes]] = []
    if documents:
        sources = SubElement(root, _q("Sources"))
        taken = set()
        by_span: dict[int, dict[tuple[int, int], list[Any]]] = {}
        for c in codings:
            by_span.setdefault(c.document_id, {}).setdefault((c.start, c.end), []).append(c)
        for d in documents:
            mine = by_span.get(d.id, {})
            spans = sorted(mine)
            body, moved = (key.apply_with_offsets(texts[d.id], spans) if key is not None
                           else (texts[d.id], spans))
            where = dict(zip(spans, moved))
            sguid = source_guid[d.id]
            src = SubElement(sources, _q("TextSource"), guid=sguid, name=_unique(text(d.name), taken),
                             plainTextPath=f"internal://{sguid}.txt")
            if d.kind == "survey" and d.question:
                SubElement(src, _q("Description")).text = SURVEY_MARK + text(d.question)
            for span in spans:
                here = sorted(mine[span], key=lambda c: (c.theme_id, c.coder))
                start, end = where[span]
                sel = SubElement(src, _q("PlainTextSelection"), guid=g("selection", d.name, *span),
                                 startPosition=str(start), endPosition=str(end), creatingUser=g("user", here[0].coder))
                for c in here:
                    attrs = {"guid": g("coding", c.coder, d.name, c.theme_id, *span), "creatingUser": g("user", c.coder)}
                    if _DATETIME.match(c.created_at or ""):
                        attrs["creationDateTime"] = c.created_at
                    coding_el = SubElement(sel, _q("Coding"), attrs)
                    SubElement(coding_el, _q("CodeRef"), targetGUID=code_guid[c.theme_id])
                    if c.memo.strip():
                        memo_guid = g("coding memo", c.coder, d.name, c.theme_id, *span)
                        el = Element(_q("Note"), guid=memo_guid, name=text(f"Memo: {d.name}"),
                                     creatingUser=g("user", c.coder))
                        SubElement(el, _q("PlainTextContent")).text = text(c.memo)
                        coding_notes.append(el)
                        SubElement(coding_el, _q("NoteRef"), targetGUID=memo_guid)
                result.codings += len(here)
            for memo_guid in refs.get(("document", str(d.id)), []):
                SubElement(src, _q("NoteRef"), targetGUID=memo_guid)
            members.append((f"sources/{sguid}.txt", body.encode("utf-8")))
        result.documents = len(documents)

    all_notes = notes + coding_notes
    if all_notes:
        notes_el = SubElement(root, _q("Notes"))
        notes_el.extend(all_notes)
    for memo_guid in refs.get(("project", ""), []):
        SubElement(root, _q("NoteRef"), targetGUID=memo_guid)
    result.notes = len(all_notes)
    return zip_bytes([("project.qde", xml_bytes(root, PROJECT_NS)), *members])
