"""Importing a REFI-QDA project (``.qdpx``) into a project (see :mod:`framework.exchange.qda`).

Everything is read and checked first (:func:`framework.exchange.read.read_plan`);
then the new themes are written into ``themes.yaml`` (the source of truth) and synced,
and the documents, cases, codings, chart summaries and memos are written, all in one
transaction. If anything fails, ``themes.yaml`` is put back as it was and the database
is left unchanged.

A new project's placeholder framework (the one ``framework init`` writes) is replaced
by the imported codebook. Otherwise a code whose theme id is already used by a theme
with another label gets a new id (reported); a code with the same id and label, or the
same label path, is the same theme.

Selection positions are checked per source: positions counted in the file's own line
ends (CRLF as two characters), or with every line end as two characters, are recognised
when they fit the text clearly better than positions counted in the stored text, and are
corrected. Selections outside the text are reported and skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from framework.coding.anchoring import context
from framework.errors import InputError
from framework.exchange.qda import CELL_MARK, MEMO_MARK, NAMESPACE_META
from framework.exchange.read import CodeNode, Plan, Source, assign_ids, new_id, read_plan, spec_tree, walk
from framework.ingest.documents import source_label, write_documents
from framework.ingest.formats import content_hash
from framework.ingest.text import paragraphs
from framework.store import ChartCell, NewDocument, now
from framework.store.backups import backup_before
from framework.themes.edit import STARTER_THEMES, add_theme_to_file, theme_file_text
from framework.themes.model import ThemeSpec
from framework.themes.sync import sync_themes
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
    coders: list[str] = field(default_factory=list)
    codings: int = 0
    duplicates: int = 0
    cases: int = 0
    summaries: int = 0
    memos: int = 0
    corrected: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    detached: list[tuple[str, int, str]] = field(default_factory=list)

    def summary(self) -> str:
        """Counts, corrected positions and skipped selections (``warnings`` are listed apart)."""
        lines = [
            f"{self.file.name}: documents: {len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged; themes: {len(self.themes_added)} added; "
            f"codings: {self.codings} added" + (f" ({self.duplicates} already there)" if self.duplicates else "")
            + f"; cases: {self.cases}; chart summaries: {self.summaries}; memos: {self.memos}"
        ]
        for title, items in (("positions corrected", self.corrected), ("outside the text", self.outside),
                             ("theme ids changed", self.themes_renumbered)):
            lines.extend(f"  {title}: {item}" for item in items[:LIST_LIMIT])
            if len(items) > LIST_LIMIT:
                lines.append(f"  {title}: ... and {len(items) - LIST_LIMIT} more")
        return "\n".join(lines)


# -- positions ----------------------------------------------------------------------------------


def _raw_map(raw: str) -> list[int]:
    """For each position in ``raw`` (and its end), the position in the normalised text."""
    out: list[int] = []
    n = i = 0
    while i < len(raw):
        out.append(n)
        if raw[i] == "\r" and raw[i + 1:i + 2] == "\n":
            out.append(n + 1)  # between CR and LF: after the line end
            i += 2
        else:
            i += 1
        n += 1
    out.append(n)
    return out


def _doubled_map(text: str) -> list[int]:
    """Positions counted with every line end as two characters, to positions in ``text``."""
    out = []
    for i, ch in enumerate(text):
        out.append(i)
        if ch == "\n":
            out.append(i + 1)
    out.append(len(text))
    return out


def _boundary(text: str, p: int) -> bool:
    return p <= 0 or p >= len(text) or not (text[p - 1].isalnum() and text[p].isalnum())


def choose_positions(src: Source) -> tuple[Callable[[int], int | None], str | None]:
    """How this source's positions map to the stored text, and a note when corrected."""
    text = src.text
    candidates: list[tuple[str | None, Callable[[int], int | None]]] = [
        (None, lambda p: p if 0 <= p <= len(text) else None)]
    if src.raw != text and len(src.raw) != len(text):
        table = _raw_map(src.raw)
        candidates.append(("counted with the file's line ends as two characters (CRLF)",
                           lambda p, t=table: t[p] if 0 <= p < len(t) else None))
    if "\r" not in src.raw and "\n" in text:
        table2 = _doubled_map(text)
        candidates.append(("counted with every line end as two characters",
                           lambda p, t=table2: t[p] if 0 <= p < len(t) else None))
    if len(candidates) == 1 or all(sel.whole for sel in src.selections):
        return candidates[0][1], None

    def score(mapper: Callable[[int], int | None]) -> tuple[int, int]:
        outside = fits = 0
        for sel in src.selections:
            if sel.whole:
                continue
            s, e = mapper(sel.start), mapper(sel.end)
            if s is None or e is None or s >= e:
                outside += 1
            else:
                fits += _boundary(text, s) + _boundary(text, e)
        return outside, fits

    base = score(candidates[0][1])
    margin = max(1, len(src.selections) // 2)
    best = (candidates[0], base)
    for cand in candidates[1:]:
        got = score(cand[1])
        if got[0] < best[1][0] or (got[0] == best[1][0] and got[1] >= best[1][1] + margin):
            best = (cand, got)
    (note, mapper), _ = best
    return mapper, note


# -- themes ----------------------------------------------------------------------------------------


def _label_paths(themes) -> dict[tuple[str, ...], str]:
    return {tuple(t.path): t.id for t in themes}


def _plan_themes(project, plan: Plan, report: QdpxImportReport) -> tuple[str | None, list[tuple[ThemeSpec, str | None]]]:
    """Give the codes theme ids; returns new ``themes.yaml`` text (when the whole file is
    replaced) or the themes to add with their parents."""
    path = project.themes_path
    existing = load_themes(path) if path.exists() else None
    if not plan.codes:
        return None, []
    starter = existing is not None and path.read_text(encoding="utf-8") == STARTER_THEMES \
        and not project.store.codings.count()
    flat = existing.flat() if existing and not starter else []
    known = {t.id: t for t in flat}
    assign_ids(plan.codes, plan.namespace, set(known))
    paths = _label_paths(flat)
    used = set(known) | {n.theme_id for n in walk(plan.codes)}
    by_guid = {n.guid: n for n in walk(plan.codes)}

    def label_path(node: CodeNode) -> tuple[str, ...]:
        chain = []
        while node is not None:
            chain.append(node.label)
            node = by_guid.get(node.parent)
        return tuple(reversed(chain))

    reuse: set[str] = set()
    for node in walk(plan.codes):
        parent = by_guid.get(node.parent)
        if node.generated and parent is not None and not node.theme_id.startswith(parent.theme_id + "."):
            used.discard(node.theme_id)
            node.theme_id = new_id(parent.theme_id, used)
            used.add(node.theme_id)
        same = known.get(node.theme_id)
        if same is not None and same.label == node.label:
            reuse.add(node.guid)
            continue
        if label_path(node) in paths:
            node.theme_id = paths[label_path(node)]
            reuse.add(node.guid)
            continue
        if same is not None:
            fresh = new_id(parent.theme_id if parent else None, used)
            report.themes_renumbered.append(f"{node.name!r}: id {node.theme_id} is taken by {same.label!r}; "
                                            f"imported as {fresh}")
            node.theme_id = fresh
            used.add(fresh)
    if existing is None or starter:
        specs = spec_tree(plan.codes)
        report.themes_added = [n.theme_id for n in walk(plan.codes)]
        return theme_file_text(plan.name or (existing.name if existing else None), specs), []
    adds = []
    for node in walk(plan.codes):
        if node.guid in reuse:
            continue
        parent = by_guid.get(node.parent)
        leaf = CodeNode(node.guid, node.name, node.description, node.colour, None, [], [], node.theme_id, node.label)
        spec = spec_tree([leaf], parent.colour if parent else None)[0]
        adds.append((spec, parent.theme_id if parent else None))
        report.themes_added.append(node.theme_id)
    return None, adds


# -- the import -------------------------------------------------------------------------------------


def _coder_name(name: str, fallback: str) -> str:
    cleaned = " ".join(re.sub(r"[,|\t\r\n]", " ", name).split())
    return cleaned or fallback


def _fields(description: str, mark: str) -> dict[str, str]:
    parts = _FIELD.split(description[len(mark):])
    return {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}


def import_project(project, path: Path, coder: str) -> QdpxImportReport:
    store = project.store
    plan = read_plan(path)
    report = QdpxImportReport(path, warnings=list(plan.warnings))
    new_text, adds = _plan_themes(project, plan, report)
    theme_of = {n.guid: n.theme_id for n in walk(plan.codes)}
    user = {g: _coder_name(name, f"user-{g[:8]}") for g, name in plan.users.items()}

    # documents: names, cases, conflicts
    case_of: dict[str, str] = {}
    for _, name, _, sources in plan.cases:
        for s in sources:
            case_of.setdefault(s, name)
    label = source_label(path, project.root)
    prepared: list[tuple[Path, NewDocument]] = []
    doc_name: dict[str, str] = {}
    problems: list[str] = []
    seen: set[str] = set()
    for src in plan.sources:
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

    backup_before(store, "before-qdpx-import")
    backup = project.themes_path.read_bytes() if project.themes_path.exists() else None
    try:
        with store.write() as conn:
            store.ensure_coder(coder)
            if new_text is not None:
                project.themes_path.write_text(new_text, encoding="utf-8")
            for spec, parent in adds:
                add_theme_to_file(project.themes_path, spec, parent)
            if new_text is not None or adds:
                sync_themes(store, project.themes_path, coder=coder)
            if plan.namespace and not store.get_meta(NAMESPACE_META) and not store.documents.list():
                conn.execute("INSERT INTO meta(key, value) VALUES (?, ?)", (NAMESPACE_META, str(plan.namespace)))
            if prepared:
                done = write_documents(store, prepared, coder=coder)
                report.added, report.updated, report.detached = done.added, done.updated, done.detached
            _write_cases(store, plan, report, doc_name)
            _write_codings(store, plan, report, doc_name, theme_of, user, coder)
            _write_notes(store, plan, report, doc_name, theme_of, user, coder)
            store.log(coder, "import.qdpx", {
                "file": str(path), "documents": report.added, "themes": report.themes_added,
                "codings": report.codings, "cases": report.cases, "summaries": report.summaries,
                "memos": report.memos,
            })
    except BaseException:
        if backup is not None:
            project.themes_path.write_bytes(backup)
        raise
    return report


def _write_cases(store, plan: Plan, report: QdpxImportReport, doc_names: dict[str, str]) -> None:
    names = [name for name, _ in plan.variables.values() if name]
    types = {name: "number" if kind in ("Integer", "Float") else "text" for name, kind in plan.variables.values()}
    if names:
        store.cases.ensure_attributes(list(dict.fromkeys(names)), types)
    for g, name, values, _ in plan.cases:
        case_id = store.cases.ensure(name or f"case-{g[:8]}")
        attrs = {plan.variables[v][0]: value for v, value in values.items()
                 if v in plan.variables and plan.variables[v][0] and value}
        if attrs:
            store.cases.set_attributes(case_id, attrs)
        report.cases += 1
    for src in plan.sources:
        attrs = {plan.variables[v][0]: value for v, value in src.values.items()
                 if v in plan.variables and plan.variables[v][0] and value}
        if attrs and src.guid in doc_names:
            store.cases.set_attributes(store.documents.get(doc_names[src.guid]).case_id, attrs)


def _write_codings(store, plan, report, doc_name, theme_of, user, coder) -> None:
    coders: set[str] = set()
    for src in plan.sources:
        if src.guid not in doc_name:
            continue
        document = store.documents.get(doc_name[src.guid])
        text = store.documents.text(document.id)
        mapper, note = choose_positions(src)
        if note:
            report.corrected.append(f"{document.name}: positions {note}")
        for sel in src.selections:
            start, end = (0, len(text)) if sel.whole else (mapper(sel.start), mapper(sel.end))
            if start is None or end is None or start >= end or end > len(text):
                report.outside.append(f"{document.name}: selection {sel.start}-{sel.end} does not fit the text "
                                      f"({len(text)} characters); skipped")
                continue
            before, after = context(text, start, end)
            for user_guid, code_guid, created, notes in sel.codings:
                theme_id = theme_of.get(code_guid)
                if theme_id is None:
                    report.warnings.append(f"{document.name}: a coding refers to an unknown code; skipped")
                    continue
                who = user.get(user_guid) or user.get(sel.user) or coder
                memo = "\n\n".join(plan.notes[n].text for n in [*notes, *sel.note_refs] if n in plan.notes)
                if store.conn.execute(
                    'SELECT 1 FROM codings WHERE coder = ? AND document_id = ? AND theme_id = ? AND start = ? '
                    'AND "end" = ?', (who, document.id, theme_id, start, end)).fetchone():
                    report.duplicates += 1
                    continue
                stamp = created if _DATETIME.match(created) else now()
                store.ensure_coder(who)
                store.codings.insert({
                    "coder": who, "document_id": document.id, "theme_id": theme_id, "start": start, "end": end,
                    "quote": text[start:end], "before": before, "after": after, "memo": memo, "detached": 0,
                    "created_at": stamp, "updated_at": stamp,
                })
                coders.add(who)
                report.codings += 1
    report.coders = sorted(coders)


def _write_notes(store, plan, report, doc_name, theme_of, user, coder) -> None:
    used = {n for src in plan.sources for sel in src.selections for c in sel.codings for n in c[3]}
    used |= {n for src in plan.sources for sel in src.selections for n in sel.note_refs}
    where: dict[str, tuple[str, str]] = {}
    for n in plan.project_notes:
        where.setdefault(n, ("project", ""))
    for node in walk(plan.codes):
        for n in node.note_refs:
            where.setdefault(n, ("theme", theme_of[node.guid]))
    for src in plan.sources:
        for n in src.note_refs:
            if src.guid in doc_name:
                where.setdefault(n, ("document", doc_name[src.guid]))
    themes_by_old = {node.file_id: node.theme_id for node in walk(plan.codes)}
    for g, note in plan.notes.items():
        if g in used and g not in where:
            continue
        who = user.get(note.user) or coder
        if note.description.startswith(CELL_MARK):
            f = _fields(note.description, CELL_MARK)
            kind, target = where.get(g, ("", ""))
            theme_id = target if kind == "theme" else themes_by_old.get(f.get("theme", ""))
            if not theme_id or not f.get("case") or not f.get("layer"):
                report.warnings.append(f"chart summary {note.name!r} names no case, theme or layer; skipped")
                continue
            case_id = store.cases.ensure(f["case"])
            layer = _coder_name(f["layer"], coder)
            old = store.cells.find(case_id, theme_id, layer)
            if old is not None and old.summary.strip() and old.summary != note.text:
                report.warnings.append(f"chart summary {f['case']} / {theme_id} ({layer}): the project's own was kept")
                continue
            status = f.get("status") if f.get("status") in ("empty", "draft", "done") else "draft"
            if old is not None and (old.summary, old.status) == (note.text, status):
                continue
            store.ensure_coder(layer)
            store.cells.put(ChartCell(case_id, theme_id, layer, note.text, status, now(), who))
            report.summaries += 1
            continue
        kind, target = where.get(g, ("project", ""))
        if note.description.startswith(MEMO_MARK):
            target_text = _fields(note.description, MEMO_MARK).get("target", "")
            parts = target_text.split(" ", 1)
            if parts[0] in ("project", "case", "document", "theme"):
                kind, target = parts[0], parts[1] if len(parts) > 1 else ""
                if kind == "theme":
                    target = themes_by_old.get(target, target)
        text = note.text or note.name
        if not text.strip():
            continue
        if store.conn.execute("SELECT 1 FROM memos WHERE target_kind = ? AND target_id = ? AND text = ?",
                              (kind, target, text)).fetchone():
            continue
        stamp = note.created if _DATETIME.match(note.created) else now()
        store.conn.execute(
            "INSERT INTO memos(coder, target_kind, target_id, text, created_at, updated_at) VALUES (?,?,?,?,?,?)",
            (who, kind, target, text, stamp, stamp))
        report.memos += 1
