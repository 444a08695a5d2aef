"""Importing a REFI-QDA project (``.qdpx``) into a project (see :mod:`framework.exchange.qda`).

Everything is read and checked first (:func:`framework.exchange.read.read_plan`); then
the documents, themes, cases, codings, chart summaries and memos are written in one
transaction, the new ``themes.yaml`` (the source of truth) waiting beside the old one
until that transaction has committed (:func:`framework.themes.sync.stage_themes`), so
that a crash at any moment leaves the file and the database in step.

A new project's placeholder framework (the one ``framework init`` writes) is replaced
by the imported codebook. Otherwise each code is matched against the framework
(:func:`framework.themes.codebook.merge_codebook`): the same id, label and parent, or
the same labels from the top, is the same theme; a code whose id is taken by another
theme gets the next free id (reported).

Selection positions are read per source in the counting that fits its selections best
(:mod:`framework.exchange.positions`); the report says which and how well it fits, and a
source whose selections fit no counting is refused, not imported with misplaced codings.
What the others send beyond codings arrives too: coding memos (a selection's
``Description`` or linked notes), project, case and source descriptions (as memos),
annotations (as document memos starting with their passage reference), code groups
(``Sets`` of codes, as project memos) and document groups (as case attributes).
What has no place here is counted in the report.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from framework.coding.anchoring import context
from framework.errors import InputError
from framework.exchange.positions import STANDARD, Choice, Reading, SelectionSpan, choose
from framework.exchange.qda import CELL_MARK, MEMO_MARK, NAMESPACE_META, origin_units
from framework.exchange.read import Plan, Selection, Source, assign_ids, read_plan, spec_tree, walk
from framework.ingest.documents import source_label, write_documents
from framework.ingest.formats import content_hash
from framework.ingest.text import paragraphs
from framework.store import ChartCell, NewDocument, now
from framework.store.backups import backup_before
from framework.themes.codebook import merge_codebook
from framework.themes.edit import STARTER_THEMES, add_theme_to_file, theme_file_text
from framework.themes.sync import finish_pending, pending_path, stage_themes
from framework.themes.validate import load_themes

_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
_FIELD = re.compile(r";\s*(layer|case|theme|status|target): ")
LIST_LIMIT = 20


@dataclass
class QdpxImportReport:
    """What a ``.qdpx`` import did."""

    file: Path
    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    themes_added: list[str] = field(default_factory=list)
    themes_renumbered: list[str] = field(default_factory=list)
    themes_mapped: list[str] = field(default_factory=list)
    coders: list[str] = field(default_factory=list)
    codings: int = 0
    duplicates: int = 0
    cases: int = 0
    summaries: int = 0
    memos: int = 0
    annotations: int = 0
    categories: int = 0
    groups: list[str] = field(default_factory=list)
    positions: list[str] = field(default_factory=list)
    """Per source: the counting its positions were read in and how well it fits."""
    refused: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    detached: list[tuple[str, int, str]] = field(default_factory=list)

    @property
    def corrected(self) -> list[str]:
        """The sources whose positions were not read in the standard counting."""
        return [p for p in self.positions if f"read as {STANDARD.describe()}:" not in p]

    def summary(self) -> str:
        """Counts, how positions were read, refused sources and what was not imported
        (``warnings`` are listed apart)."""
        lines = [
            f"{self.file.name}: documents: {len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged; themes: {len(self.themes_added)} added; "
            f"codings: {self.codings} added" + (f" ({self.duplicates} already there)" if self.duplicates else "")
            + f"; cases: {self.cases}; chart summaries: {self.summaries}; memos: {self.memos}"
            + (f" (of them {self.annotations} annotations)" if self.annotations else "")
        ]
        if self.categories:
            lines.append(f"  {self.categories} categories not codable there became themes that group their subthemes")
        for title, items in (("positions", self.positions), ("REFUSED", self.refused),
                             ("outside the text", self.outside), ("theme ids changed", self.themes_renumbered),
                             ("same theme", self.themes_mapped), ("groups", self.groups)):
            lines.extend(f"  {title}: {item}" for item in items[:LIST_LIMIT])
            if len(items) > LIST_LIMIT:
                lines.append(f"  {title}: ... and {len(items) - LIST_LIMIT} more")
        if self.skipped:
            lines.append("  not imported: " + ", ".join(f"{n} {kind}" for kind, n in sorted(self.skipped.items())))
        return "\n".join(lines)


# -- themes ----------------------------------------------------------------------------------------


def _plan_themes(project, plan: Plan, report: QdpxImportReport) -> bytes | None:
    """Give every code its theme id; returns the new ``themes.yaml`` (``None`` if unchanged)."""
    path = project.themes_path
    if not plan.codes:
        return None
    existing = load_themes(path) if path.exists() else None
    starter = existing is not None and path.read_text(encoding="utf-8") == STARTER_THEMES \
        and not project.store.codings.count()
    flat = existing.flat() if existing is not None and not starter else []
    assign_ids(plan.codes, plan.namespace, {t.id for t in flat})
    report.categories = len(plan.not_codable)
    if existing is None or starter:
        report.themes_added = [n.theme_id for n in walk(plan.codes)]
        name = plan.name or (existing.name if existing else None)
        return theme_file_text(name, spec_tree(plan.codes)).encode("utf-8")
    merge = merge_codebook(spec_tree(plan.codes), flat, source=str(plan.path))
    for node in walk(plan.codes):
        node.theme_id = merge.ids[node.theme_id]
    report.themes_added = [spec.id for spec, _ in merge.adds]
    report.themes_renumbered, report.themes_mapped = merge.renamed, merge.mapped
    if not merge.adds:
        return None
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / path.name
        shutil.copyfile(path, copy)
        try:
            for spec, parent in merge.adds:
                add_theme_to_file(copy, spec, parent)
        except InputError as exc:
            raise InputError(str(exc).replace(str(copy), str(path)) + " Nothing was changed.") from None
        return copy.read_bytes()


# -- documents and positions -------------------------------------------------------------------------


def _spans(src: Source) -> list[SelectionSpan]:
    return [SelectionSpan(sel.start, sel.end, sel.quotes) for sel in src.selections if not sel.whole]


def _choose_positions(plan: Plan, report: QdpxImportReport) -> dict[str, Choice]:
    """The counting of each source's positions; refused sources are left out (and reported)."""
    chosen: dict[str, Choice] = {}
    units = origin_units(plan.origin)
    own = (Reading(units, "one character") if units else STANDARD) if plan.own else None
    for src in plan.sources:
        spans = _spans(src)
        annotated = [plan.notes[n].selection for n in src.note_refs if n in plan.notes and plan.notes[n].selection]
        spans += [SelectionSpan(s, e) for s, e in annotated]
        choice = choose(src.raw, src.text, spans, trusted=own)
        name = src.name or f"source-{src.guid[:8]}"
        if spans and choice.refused:
            report.refused.append(f"{name}: its {len(spans)} selections fit no counting of positions (best: "
                                  f"{choice.reading.describe()}, {choice.fit.describe()}); the source and its "
                                  "codings were not imported. Check the file in the program that wrote it.")
            continue
        if spans:
            report.positions.append(f"{name}: {choice.describe()}")
        chosen[src.guid] = choice
    return chosen


def _prepare_documents(project, plan: Plan, report: QdpxImportReport, chosen: dict[str, Choice]
                       ) -> tuple[list[tuple[Path, NewDocument]], dict[str, str]]:
    store, path = project.store, plan.path
    case_of: dict[str, str] = {}
    for case in plan.cases:
        for s in case.sources:
            case_of.setdefault(s, case.name)
    label = source_label(path, project.root)
    prepared: list[tuple[Path, NewDocument]] = []
    doc_name: dict[str, str] = {}
    problems: list[str] = []
    seen: set[str] = set()
    for src in plan.sources:
        if src.guid not in chosen:
            continue
        name = src.name or f"source-{src.guid[:8]}"
        if name in seen:
            report.warnings.append(f"two sources are named {name!r}; the second was skipped")
            continue
        seen.add(name)
        if not src.text.strip():
            report.warnings.append(f"source {name!r} is empty; skipped")
            continue
        doc_name[src.guid] = name
        existing = store.documents.find(name)
        doc = NewDocument(name=name, case=case_of.get(src.guid) or name, kind=src.kind,
                          source=f"{label}#{name}", text=src.text, sha256=content_hash(src.text),
                          encoding="utf-8", format="qdpx", units=[(p.start, p.end, p.speaker) for p in paragraphs(src.text)],
                          question=src.question)
        if existing is not None and existing.sha256 == doc.sha256:
            report.unchanged.append(name)
        elif existing is not None and existing.source != doc.source:
            problems.append(f"a document named {name!r} is already in the project with other text "
                            f"(from {existing.source})")
        else:
            prepared.append((path, doc))
    if problems:
        raise InputError(f"{path}: " + "; ".join(problems) + ". Rename or remove it, or import into another "
                         "project. Nothing was changed.")
    return prepared, doc_name


# -- the import -------------------------------------------------------------------------------------


def _coder_name(name: str, fallback: str) -> str:
    cleaned = " ".join(re.sub(r"[,|\t\r\n]", " ", name).split())
    return cleaned or fallback


def _fields(description: str, mark: str) -> dict[str, str]:
    parts = _FIELD.split(description[len(mark):])
    return {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}


@dataclass
class _Context:
    """What the writing steps share."""

    store: object
    plan: Plan
    report: QdpxImportReport
    coder: str
    doc_name: dict[str, str]
    theme_of: dict[str, str]
    user: dict[str, str]
    chosen: dict[str, Choice]
    memos: set[bytes] | None = None
    """A digest of each memo in the project (kind, target, text), to add none twice."""
    coders: set[str] = field(default_factory=set)
    """The coders recorded in this import."""
    newlines: tuple[str, list[int]] = ("", [])
    """Where the line ends of the last document annotated are."""

    def who(self, *guids: str) -> str:
        return next((self.user[g] for g in guids if g in self.user), self.coder)

    def new_memo(self, kind: str, target: str, text: str) -> bool:
        """Whether this memo is not in the project yet (and from now on, that it is)."""
        if self.memos is None:
            self.memos = {_memo_key(*row) for row in
                          self.store.conn.execute("SELECT target_kind, target_id, text FROM memos")}
        key = _memo_key(kind, target, text)
        if key in self.memos:
            return False
        self.memos.add(key)
        return True


def _memo_key(kind: str, target: str, text: str) -> bytes:
    return hashlib.blake2b("\x1f".join((kind, target, text)).encode("utf-8", "surrogatepass"), digest_size=16).digest()


def import_project(project, path: Path, coder: str) -> QdpxImportReport:
    store = project.store
    plan = read_plan(path)
    report = QdpxImportReport(path, warnings=list(plan.warnings), skipped=dict(plan.skipped))
    themes_data = _plan_themes(project, plan, report)
    chosen = _choose_positions(plan, report)
    prepared, doc_name = _prepare_documents(project, plan, report, chosen)
    ctx = _Context(store, plan, report, coder, doc_name, {n.guid: n.theme_id for n in walk(plan.codes)},
                   {g: _coder_name(name, f"user-{g[:8]}") for g, name in plan.users.items()}, chosen)

    backup_before(store, "before-qdpx-import")
    themes_path = project.themes_path
    try:
        with store.write() as conn:
            store.ensure_coder(coder)
            if themes_data is not None:
                stage_themes(store, themes_path, themes_data, coder=coder)
            if plan.namespace and not store.get_meta(NAMESPACE_META) and not store.documents.list():
                conn.execute("INSERT INTO meta(key, value) VALUES (?, ?)", (NAMESPACE_META, str(plan.namespace)))
            if prepared:
                done = write_documents(store, prepared, coder=coder)
                report.added, report.updated, report.detached = done.added, done.updated, done.detached
            _write_cases(ctx)
            _write_codings(ctx)
            _write_notes(ctx)
            _write_descriptions(ctx)
            _write_groups(ctx)
            store.log(coder, "import.qdpx", {
                "file": str(path), "documents": report.added, "themes": report.themes_added,
                "codings": report.codings, "cases": report.cases, "summaries": report.summaries,
                "memos": report.memos, "refused": [r.split(":", 1)[0] for r in report.refused],
            })
    except BaseException:
        pending_path(themes_path).unlink(missing_ok=True)
        raise
    finish_pending(store, themes_path)
    return report


def _write_cases(ctx: _Context) -> None:
    store, plan = ctx.store, ctx.plan
    names = [name for name, _ in plan.variables.values() if name]
    types = {name: "number" if kind in ("Integer", "Float") else "text" for name, kind in plan.variables.values()}
    if names:
        store.cases.ensure_attributes(list(dict.fromkeys(names)), types)
    for case in plan.cases:
        case_id = store.cases.ensure(case.name or f"case-{case.guid[:8]}")
        attrs = {plan.variables[v][0]: value for v, value in case.values.items()
                 if v in plan.variables and plan.variables[v][0] and value}
        if attrs:
            store.cases.set_attributes(case_id, attrs)
        ctx.report.cases += 1
    for src in plan.sources:
        attrs = {plan.variables[v][0]: value for v, value in src.values.items()
                 if v in plan.variables and plan.variables[v][0] and value}
        if attrs and src.guid in ctx.doc_name:
            store.cases.set_attributes(store.documents.get(ctx.doc_name[src.guid]).case_id, attrs)


def _unique_texts(texts) -> str:
    return "\n\n".join(dict.fromkeys(t.strip() for t in texts if t and t.strip()))


def _write_codings(ctx: _Context) -> None:
    store, plan, report = ctx.store, ctx.plan, ctx.report
    coders: set[str] = set()
    for src in plan.sources:
        if src.guid not in ctx.doc_name:
            continue
        document = store.documents.get(ctx.doc_name[src.guid])
        text = store.documents.text(document.id)
        mapper = ctx.chosen[src.guid].mapper
        there = set(store.conn.execute('SELECT coder, theme_id, start, "end" FROM codings WHERE document_id = ?',
                                       (document.id,)))
        rows = _Rows(store.conn)
        for sel in src.selections:
            start, end = (0, len(text)) if sel.whole else (mapper(sel.start), mapper(sel.end))
            if start is None or end is None or start >= end or end > len(text):
                report.outside.append(f"{document.name}: selection {sel.start}-{sel.end} does not fit the text "
                                      f"({len(text)} characters); skipped")
                continue
            if not sel.codings:
                _annotation(ctx, document.name, text, start, end, _selection_memo(plan, sel, text[start:end]),
                            ctx.who(sel.user), sel.created)
                continue
            coders |= _add_codings(ctx, document, text, sel, start, end, there, rows)
        rows.flush()
        for n in src.note_refs:
            note = plan.notes.get(n)
            if note is None or note.selection is None:
                continue
            start, end = mapper(note.selection[0]), mapper(note.selection[1])
            if start is not None and end is not None and start < end <= len(text):
                _annotation(ctx, document.name, text, start, end, note.text or note.name, ctx.who(note.user),
                            note.created)
    report.coders = sorted(coders)


def _selection_memo(plan: Plan, sel: Selection, selected: str, notes: list[str] = ()) -> str:
    description = sel.description if " ".join(sel.description.split()) != " ".join(selected.split()) else ""
    return _unique_texts([description, *(plan.notes[n].text for n in [*notes, *sel.note_refs] if n in plan.notes)])


class _Rows:
    """New coding rows, written a few hundred at a time: one statement for many rows, and
    never more than about a megabyte of quotes and memos held."""

    INSERT = ('INSERT INTO codings(coder, document_id, theme_id, start, "end", quote, before, after, memo, '
              "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)")

    def __init__(self, conn) -> None:
        self.conn, self.rows, self.chars = conn, [], 0

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        self.chars += len(row[5]) + len(row[8])
        if len(self.rows) >= 500 or self.chars > 1 << 20:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.conn.executemany(self.INSERT, self.rows)
        self.rows, self.chars = [], 0


def _add_codings(ctx: _Context, document, text: str, sel: Selection, start: int, end: int,
                 there: set[tuple[str, str, int, int]], rows: _Rows) -> set[str]:
    """Add the selection's codings to ``rows``; ``there`` holds ``(coder, theme, start, end)``
    of the document's codings, so none is added twice."""
    store, report = ctx.store, ctx.report
    before, after = context(text, start, end)
    coders = set()
    for user_guid, code_guid, created, notes in sel.codings:
        theme_id = ctx.theme_of.get(code_guid)
        if theme_id is None:
            report.warnings.append(f"{document.name}: a coding refers to an unknown code; skipped")
            continue
        who = ctx.who(user_guid, sel.user)
        memo = _selection_memo(ctx.plan, sel, text[start:end], notes)
        if (who, theme_id, start, end) in there:
            report.duplicates += 1
            continue
        there.add((who, theme_id, start, end))
        stamp = next((s for s in (created, sel.created) if _DATETIME.match(s)), None) or now()
        if who not in ctx.coders:
            store.ensure_coder(who)
            ctx.coders.add(who)
        rows.add((who, document.id, theme_id, start, end, text[start:end], before, after, memo, stamp, stamp))
        coders.add(who)
        report.codings += 1
    return coders


def reference(document: str, text: str, start: int, end: int, newlines: list[int] | None = None) -> str:
    """``[document L12-14] “the words”``: a passage in the form chart summaries use
    (``newlines``, where the text's line ends are, spares counting them again)."""
    if newlines is None:
        newlines = [m.start() for m in re.finditer("\n", text)]
    first = bisect.bisect_left(newlines, start) + 1
    last = bisect.bisect_left(newlines, max(start, end - 1)) + 1
    quote = " ".join(text[start:end].split())
    quote = quote if len(quote) <= 80 else quote[:79] + "…"
    lines = f"L{first}" if first == last else f"L{first}-{last}"
    return f"[{document} {lines}] “{quote}”"


def _annotation(ctx: _Context, document: str, text: str, start: int, end: int, note: str, who: str,
                created: str) -> None:
    if not note.strip():
        ctx.report.warnings.append(f"{document}: a selection with neither coding nor note; skipped")
        return
    if ctx.newlines[0] != document:
        ctx.newlines = (document, [m.start() for m in re.finditer("\n", text)])
    passage = reference(document, text, start, end, ctx.newlines[1])
    if _memo(ctx, who, "document", document, f"{passage}\n\n{note.strip()}", created):
        ctx.report.annotations += 1


def _memo(ctx: _Context, who: str, kind: str, target: str, text: str, created: str = "") -> bool:
    """Add a memo unless the same one is there; returns whether it was added."""
    if not text.strip() or not ctx.new_memo(kind, target, text):
        return False
    stamp = created if _DATETIME.match(created) else now()
    ctx.store.conn.execute(
        "INSERT INTO memos(coder, target_kind, target_id, text, created_at, updated_at) VALUES (?,?,?,?,?,?)",
        (who, kind, target, text, stamp, stamp))
    ctx.report.memos += 1
    return True


def _note_places(ctx: _Context) -> dict[str, tuple[str, str]]:
    plan = ctx.plan
    where: dict[str, tuple[str, str]] = {}
    for n in plan.project_notes:
        where.setdefault(n, ("project", ""))
    for node in walk(plan.codes):
        for n in node.note_refs:
            where.setdefault(n, ("theme", ctx.theme_of[node.guid]))
    for src in plan.sources:
        for n in src.note_refs:
            if src.guid in ctx.doc_name:
                where.setdefault(n, ("document", ctx.doc_name[src.guid]))
    return where


def _write_notes(ctx: _Context) -> None:
    plan = ctx.plan
    used = {n for src in plan.sources for sel in src.selections for c in sel.codings for n in c[3]}
    used |= {n for src in plan.sources for sel in src.selections for n in sel.note_refs}
    used |= {g for g, note in plan.notes.items() if note.selection is not None}
    where = _note_places(ctx)
    themes_by_old = {node.file_id: node.theme_id for node in walk(plan.codes)}
    for g, note in plan.notes.items():
        if g in used and not (g in where and plan.notes[g].selection is None):
            continue
        if note.description.startswith(CELL_MARK):
            _chart_summary(ctx, note, where.get(g, ("", "")), themes_by_old)
            continue
        kind, target = where.get(g, ("project", ""))
        if note.description.startswith(MEMO_MARK):
            parts = _fields(note.description, MEMO_MARK).get("target", "").split(" ", 1)
            if parts[0] in ("project", "case", "document", "theme"):
                kind, target = parts[0], parts[1] if len(parts) > 1 else ""
                if kind == "theme":
                    target = themes_by_old.get(target, target)
        _memo(ctx, ctx.who(note.user), kind, target, note.text or note.name, note.created)


def _chart_summary(ctx: _Context, note, where: tuple[str, str], themes_by_old: dict[str, str]) -> None:
    store, report, coder = ctx.store, ctx.report, ctx.coder
    f = _fields(note.description, CELL_MARK)
    kind, target = where
    theme_id = target if kind == "theme" else themes_by_old.get(f.get("theme", ""))
    if not theme_id or not f.get("case") or not f.get("layer"):
        report.warnings.append(f"chart summary {note.name!r} names no case, theme or layer; skipped")
        return
    case_id = store.cases.ensure(f["case"])
    layer = _coder_name(f["layer"], coder)
    old = store.cells.find(case_id, theme_id, layer)
    if old is not None and old.summary.strip() and old.summary != note.text:
        report.warnings.append(f"chart summary {f['case']} / {theme_id} ({layer}): the project's own was kept")
        return
    status = f.get("status") if f.get("status") in ("empty", "draft", "done") else "draft"
    if old is not None and (old.summary, old.status) == (note.text, status):
        return
    store.ensure_coder(layer)
    store.cells.put(ChartCell(case_id, theme_id, layer, note.text, status, now(), ctx.who(note.user)))
    report.summaries += 1


def _write_descriptions(ctx: _Context) -> None:
    """Project, case and source descriptions become memos (this program's own files repeat
    their notes there for the programs that read descriptions, so those are left out)."""
    plan = ctx.plan
    if plan.own:
        return
    _memo(ctx, ctx.coder, "project", "", plan.description)
    for case in plan.cases:
        if case.name:
            _memo(ctx, ctx.coder, "case", case.name, case.description)
    for src in plan.sources:
        if src.guid in ctx.doc_name:
            _memo(ctx, ctx.coder, "document", ctx.doc_name[src.guid], src.description)


def _write_groups(ctx: _Context) -> None:
    """Code groups become project memos naming their themes; document groups become a case
    attribute (``yes`` for the cases of the member documents), to group charts by."""
    store, plan, report = ctx.store, ctx.plan, ctx.report
    labels = {n.guid: f"{n.theme_id} {n.label}" for n in walk(plan.codes)}
    taken = {name for name, _ in plan.variables.values()}
    for group in plan.sets:
        name = group.name or f"group-{group.guid[:8]}"
        codes = [labels[c] for c in group.codes if c in labels]
        if codes:
            text = f"Code group “{name}”: " + "; ".join(codes) + (f"\n\n{group.description}" if group.description else "")
            _memo(ctx, ctx.coder, "project", "", text)
            report.groups.append(f"code group {name!r} ({len(codes)} codes): kept as a project memo")
        docs = [ctx.doc_name[s] for s in group.sources if s in ctx.doc_name]
        if docs:
            attribute = name if name not in taken else f"group: {name}"
            store.cases.ensure_attributes([attribute], {attribute: "text"})
            for doc in docs:
                store.cases.set_attributes(store.documents.get(doc).case_id, {attribute: "yes"})
            report.groups.append(f"document group {name!r} ({len(docs)} documents): case attribute {attribute!r}")
        if group.notes:
            report.skipped["memo groups (no place for them here)"] = \
                report.skipped.get("memo groups (no place for them here)", 0) + 1
