"""Building ``.qdc`` and ``.qdpx`` files from a project's store (see :mod:`framework.exchange.qda`)."""

from __future__ import annotations

import bisect
import re
import uuid
from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import Element, SubElement

from framework.exchange.positions import ASTRAL
from framework.exchange.qda import (
    CELL_MARK,
    CODEBOOK_NS,
    MEMO_MARK,
    PROJECT_NS,
    SURVEY_MARK,
    UTF16,
    ExportResult,
    code_name,
    guid,
    origin_text,
    theme_description,
    xml_bytes,
    xml_text,
    zip_bytes,
)
from framework.export.references import labels, rewrite_references
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


def codebook_bytes(store: Store, namespace: uuid.UUID, key: Any = None) -> tuple[bytes, int]:
    """The ``.qdc`` file of the project's current (not archived) themes, and their number
    (pseudonymised with ``key``, a :class:`framework.confidentiality.key.Pseudonymiser`)."""
    themes, children = _tree(store)
    if key is not None:
        namespace = uuid.uuid5(namespace, f"pseudonymised {key.sha256}")
    root = Element(f"{{{CODEBOOK_NS}}}CodeBook", origin=origin_text(None if key is not None else namespace))
    codes = SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    text = key.apply if key is not None else str
    _add_codes(codes, CODEBOOK_NS, children, None, lambda tid: guid(namespace, "theme", tid), text, None)
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


QUOTE_CHARS = 100
"""A selection's ``name`` holds the first characters of the passage (as QualCoder writes
it): readers can check each selection lands on the words it names."""
NO_DATE = "1970-01-01T00:00:00Z"


def _stamp(value: str | None) -> str:
    """An ``xsd:dateTime`` for a stored time (QualCoder needs one on every note)."""
    return value if value and _DATETIME.match(value) else NO_DATE


class _Writer:
    """One ``.qdpx`` being built: the mapping in :mod:`framework.exchange.qda`.

    Positions are written as the standard says: 0-based, end-exclusive character (code
    point) offsets into the source text as exported (UTF-8, ``\\n`` line ends, no BOM).
    Each coding is its own ``PlainTextSelection``, made by its coder (QualCoder takes the
    coder of a selection, not of its ``Coding``), named with the start of its passage and
    with its memo as ``Description`` (where QualCoder, MAXQDA and ATLAS.ti read coding
    memos) and as a linked ``Note``. Every ``Note`` has a creation time. Memos on the
    project, a case or a document are also that item's ``Description``; chart summaries
    and theme memos are notes kept as text files in the archive (QualCoder journals).
    """

    def __init__(self, store: Store, namespace: uuid.UUID, name: str, result: ExportResult, key: Any,
                 units: str | None = None) -> None:
        if key is not None:
            namespace = uuid.uuid5(namespace, f"pseudonymised {key.sha256}")
        self.store, self.namespace, self.result, self.key, self.units = store, namespace, result, key, units
        self.labels = labels(store, key) if key is not None else None
        self.root = Element(_q("Project"), name=self.text(name),
                            origin=origin_text(None if key is not None else namespace, units))
        self.themes, self.children = _tree(store)
        self.active = {t.id for t in self.themes}
        self.documents = store.documents.list()
        self.texts = {d.id: store.documents.text(d.id) for d in self.documents}
        self.cases = store.cases.list()
        self.notes: list[Element] = []
        self.refs: dict[tuple[str, str], list[str]] = {}
        self.descriptions: dict[tuple[str, str], list[str]] = {}
        self.members: list[tuple[str, bytes]] = []
        self.note_names: set[str] = set()

    def text(self, value: str) -> str:
        """A text as written: pseudonymised, with references to passages shown by the documents' labels."""
        if self.key is None or not value:
            return xml_text(value)
        if self.labels is not None:
            value = rewrite_references(value, "pseudonymised", self.labels.documents)
        return xml_text(self.key.apply(value))

    def cut(self, piece: str) -> str:
        """A piece cut from a pseudonymised text, with any term the cut made replaced."""
        return xml_text(self.key.seal(piece) if self.key is not None else piece)

    def case_name(self, name: str) -> str:
        """A case as written: pseudonymised, its label (a case id can identify someone too)."""
        return xml_text(self.labels.cases.get(name, self.text(name)) if self.labels is not None else name)

    def source_name(self, name: str) -> str:
        """A document as written: pseudonymised, its label."""
        return xml_text(self.labels.documents.get(name, self.text(name)) if self.labels is not None else name)

    def g(self, kind: str, *parts: object) -> str:
        return guid(self.namespace, kind, *parts)

    # -- what goes in ------------------------------------------------------------------------

    def codings(self) -> list[Any]:
        out = []
        for c in self.store.codings.list():
            if c.detached:
                self.result.skipped.append(f"{c.document}: coding {c.id} is detached (its place in the text is unsure)")
            elif c.theme_id not in self.active:
                self.result.skipped.append(f"{c.document}: coding {c.id} is on archived theme {c.theme_id}")
            elif not 0 <= c.start < c.end <= len(self.texts[c.document_id]):
                self.result.skipped.append(f"{c.document}: coding {c.id} lies outside the text")
            else:
                out.append(c)
        return out

    def build(self) -> bytes:
        codings = self.codings()
        cells = [r for r in self.store.query("SELECT * FROM chart_cells ORDER BY layer, case_id, theme_id")
                 if (r["summary"].strip() or r["status"] != "empty") and r["theme_id"] in self.active]
        memos = self.store.query("SELECT * FROM memos ORDER BY id")
        self.users(sorted({*(c.coder for c in codings), *(r["layer"] for r in cells),
                           *(r["updated_by"] for r in cells), *(m["coder"] for m in memos)}))
        self.cell_notes(cells)
        self.memo_notes(memos)
        self.codebook()
        self.case_elements()
        self.sources(codings)
        if self.notes:
            SubElement(self.root, _q("Notes")).extend(self.notes)
        project_memos = self.descriptions.get(("project", ""), [])
        if project_memos:
            SubElement(self.root, _q("Description")).text = "\n\n".join(project_memos)
        for memo_guid in self.refs.get(("project", ""), []):
            SubElement(self.root, _q("NoteRef"), targetGUID=memo_guid)
        self.result.notes = len(self.notes)
        return zip_bytes([("project.qde", xml_bytes(self.root, PROJECT_NS)), *self.members])

    def users(self, names: list[str]) -> None:
        if names:
            users_el = SubElement(self.root, _q("Users"))
            for user in names:
                SubElement(users_el, _q("User"), guid=self.g("user", user), name=self.text(user))

    # -- notes ---------------------------------------------------------------------------------

    def note(self, note_guid: str, title: str, creator: str, description: str, content: str,
             target: tuple[str, str] | None, stamp: str | None, *, as_file: bool) -> str:
        attrs = {"guid": note_guid, "name": _unique(self.text(title), self.note_names),
                 "creatingUser": self.g("user", creator), "creationDateTime": _stamp(stamp)}
        if as_file:
            attrs["plainTextPath"] = f"internal://{note_guid}.txt"
            self.members.append((f"sources/{note_guid}.txt", self.text(content).encode("utf-8")))
        el = Element(_q("Note"), attrs)
        if description:
            SubElement(el, _q("Description")).text = description
        if not as_file:
            SubElement(el, _q("PlainTextContent")).text = self.text(content)
        self.notes.append(el)
        if target is not None:
            self.refs.setdefault(target, []).append(note_guid)
        return note_guid

    def cell_notes(self, cells: list[Any]) -> None:
        case_names = {c.id: c.name for c in self.cases}
        labels = {t.id: t.label for t in self.themes}
        for r in cells:
            case = case_names.get(r["case_id"], str(r["case_id"]))
            self.note(self.g("cell", case, r["theme_id"], r["layer"]),
                      f"Summary: {self.case_name(case)} / {code_name(r['theme_id'], labels[r['theme_id']])}",
                      r["updated_by"], f"{CELL_MARK}; layer: {self.text(r['layer'])}; case: {self.case_name(case)}; "
                      f"theme: {xml_text(r['theme_id'])}; status: {r['status']}", r["summary"],
                      ("theme", r["theme_id"]), r["updated_at"], as_file=True)

    def memo_notes(self, memos: list[Any]) -> None:
        by_id = {d.id: d for d in self.documents}
        doc_names = {d.name: d for d in self.documents}
        case_names = {c.name for c in self.cases}
        for m in memos:
            kind, target = m["target_kind"], m["target_id"]
            where: tuple[str, str] = ("project", "") if kind in ("project", "case") else (kind, target)
            if kind == "document" and target in doc_names:
                where = ("document", str(doc_names[target].id))
            elif kind == "document" and target.isdigit() and int(target) in by_id:
                where, target = ("document", target), by_id[int(target)].name
            elif kind == "theme" and target not in self.active:
                where = ("project", "")
            home = ("case", target) if kind == "case" and target in case_names else \
                where if where[0] in ("project", "document") else None
            if home is not None:  # the item's Description holds it too, for the programs that read that
                self.descriptions.setdefault(home, []).append(self.text(m["text"]))
            shown = self.case_name(target) if kind == "case" else self.source_name(target) \
                if kind == "document" else self.text(target)
            self.note(self.g("memo", m["id"]), f"Memo: {kind} {shown}".strip(), m["coder"],
                      f"{MEMO_MARK}; target: {kind} {shown}".strip(), m["text"], where,
                      m["created_at"], as_file=home is None)

    # -- codes, variables, cases -----------------------------------------------------------------

    def codebook(self) -> None:
        if self.themes:
            book = SubElement(SubElement(self.root, _q("CodeBook")), _q("Codes"))
            theme_refs = {tid: ids for (kind, tid), ids in self.refs.items() if kind == "theme"}
            _add_codes(book, PROJECT_NS, self.children, None, lambda tid: self.g("theme", tid), self.text, theme_refs)
        self.result.themes = len(self.themes)

    def case_elements(self) -> None:
        attributes = self.store.cases.attributes()
        types = {a.name: _variable_type(a.type, [c.attributes[a.name] for c in self.cases if a.name in c.attributes])
                 for a in attributes}
        if attributes:
            variables = SubElement(self.root, _q("Variables"))
            for a in attributes:
                SubElement(variables, _q("Variable"), guid=self.g("variable", a.name), name=self.text(a.name),
                           typeOfVariable=types[a.name])
        if not self.cases:
            return
        taken: set[str] = set()
        cases_el = SubElement(self.root, _q("Cases"))
        docs_of: dict[int, list[str]] = {}
        for d in self.documents:
            docs_of.setdefault(d.case_id, []).append(d.name)
        for c in self.cases:
            case_el = SubElement(cases_el, _q("Case"), guid=self.g("case", c.name),
                                 name=_unique(self.case_name(c.name), taken))
            if self.descriptions.get(("case", c.name)):
                SubElement(case_el, _q("Description")).text = "\n\n".join(self.descriptions[("case", c.name)])
            for a in attributes:
                if a.name not in c.attributes:
                    continue
                value_el = SubElement(case_el, _q("VariableValue"))
                SubElement(value_el, _q("VariableRef"), targetGUID=self.g("variable", a.name))
                value = c.attributes[a.name]
                SubElement(value_el, _q(f"{types[a.name]}Value")).text = \
                    value if types[a.name] != "Text" else self.text(value)
            for doc_name in docs_of.get(c.id, []):
                SubElement(case_el, _q("SourceRef"), targetGUID=self.g("source", doc_name))
        self.result.cases = len(self.cases)

    # -- sources and their codings ---------------------------------------------------------------

    def sources(self, codings: list[Any]) -> None:
        if not self.documents:
            return
        sources = SubElement(self.root, _q("Sources"))
        taken: set[str] = set()
        by_span: dict[int, dict[tuple[int, int], list[Any]]] = {}
        for c in codings:
            by_span.setdefault(c.document_id, {}).setdefault((c.start, c.end), []).append(c)
        wide = 0
        for d in self.documents:
            wide += ASTRAL.search(self.texts[d.id]) is not None
            self.source(sources, d, by_span.get(d.id, {}), taken)
        self.result.documents = len(self.documents)
        if wide and self.units is None:
            self.result.warnings.append(
                f"{wide} document(s) hold characters beyond U+FFFF (emoji and the like): positions count each as "
                "one character, as the standard says; NVivo counts them as two, so in NVivo codings after one "
                "may sit a little off")

    def source(self, parent: Element, d: Any, mine: dict[tuple[int, int], list[Any]], taken: set[str]) -> None:
        spans = sorted(mine)
        body, moved = (self.key.apply_with_offsets(self.texts[d.id], spans) if self.key is not None
                       else (self.texts[d.id], spans))
        chars = dict(zip(spans, moved))
        if self.units == UTF16:  # NVivo's counting: characters beyond U+FFFF count as two
            wide = [m.start() for m in ASTRAL.finditer(body)]
            moved = [(s + bisect.bisect_left(wide, s), e + bisect.bisect_left(wide, e)) for s, e in moved]
        where = dict(zip(spans, moved))
        sguid = self.g("source", d.name)
        src = SubElement(parent, _q("TextSource"), guid=sguid, name=_unique(self.source_name(d.name), taken),
                         plainTextPath=f"internal://{sguid}.txt")
        if d.kind == "survey" and d.question:
            SubElement(src, _q("Description")).text = SURVEY_MARK + self.text(d.question)
        elif self.descriptions.get(("document", str(d.id))):
            SubElement(src, _q("Description")).text = "\n\n".join(self.descriptions[("document", str(d.id))])
        for span in spans:
            start, end = where[span]
            for c in sorted(mine[span], key=lambda c: (c.theme_id, c.coder)):
                first, last = chars[span]
                self.selection(src, d, c, span, start, end, self.cut(body[first:last][:QUOTE_CHARS]))
                self.result.codings += 1
        for memo_guid in self.refs.get(("document", str(d.id)), []):
            SubElement(src, _q("NoteRef"), targetGUID=memo_guid)
        self.members.append((f"sources/{sguid}.txt", body.encode("utf-8")))

    def selection(self, src: Element, d: Any, c: Any, span: tuple[int, int], start: int, end: int,
                  quote: str) -> None:
        user = self.g("user", c.coder)
        stamp = _stamp(c.created_at)
        sel = SubElement(src, _q("PlainTextSelection"), guid=self.g("selection", c.coder, d.name, c.theme_id, *span),
                         name=quote, startPosition=str(start), endPosition=str(end), creatingUser=user,
                         creationDateTime=stamp)
        if c.memo.strip():
            SubElement(sel, _q("Description")).text = self.text(c.memo)
        coding_el = SubElement(sel, _q("Coding"), guid=self.g("coding", c.coder, d.name, c.theme_id, *span),
                               creatingUser=user, creationDateTime=stamp)
        SubElement(coding_el, _q("CodeRef"), targetGUID=self.g("theme", c.theme_id))
        if c.memo.strip():
            memo_guid = self.note(self.g("coding memo", c.coder, d.name, c.theme_id, *span),
                                  f"Memo: {self.source_name(d.name)}",
                                  c.coder, "", c.memo, None, c.created_at, as_file=False)
            SubElement(coding_el, _q("NoteRef"), targetGUID=memo_guid)


def project_bytes(store: Store, namespace: uuid.UUID, name: str, result: ExportResult, key: Any = None,
                  units: str | None = None) -> bytes:
    """The ``.qdpx`` file of the project (see :mod:`framework.exchange.qda` for the mapping
    and :class:`_Writer` for what each program reads where). ``units`` ``UTF16`` counts
    positions as NVivo does instead of in characters."""
    return _Writer(store, namespace, name, result, key, units).build()
