"""Charting: the case x theme matrices of the Framework Method, and mapping counts.

For one coding layer (a coder's name, or ``consensus``) :func:`build_charts` makes one
chart per main theme. Its columns are the theme's subthemes (a theme without subthemes is
its own single column; deeper levels roll up into their level-2 ancestor's column). Its
rows are every case of the project, grouped and sorted by the chosen attributes, in the
same order in every chart. A cell holds the analyst's summary and status for its
case x column theme pair, and the extracts behind it: the layer's codings of that case
for the column's theme and everything below it, each with its line range.

Passages coded at the chart's own theme (or at an archived subtheme) are never dropped:
they go to a leading column for the chart theme itself, shown only when something is in it.

:func:`mapping` counts, for every theme, the cases that raised it (a coding of it or of a
theme below it), with their share, broken down by the values of one attribute.

Nothing here draws: the exports and the screens render what these functions compute.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from framework.errors import InputError
from framework.store import CONSENSUS, Case, ChartCell, Document, Store, Theme, people
from framework.store.queries import line_number, line_starts

NO_VALUE = "(not set)"
"""The group label of cases without a value for a grouping attribute (sorted last)."""


_OPENS_AFTER = frozenset(" \t\n([{—–-/‘'")


def quoted(text: str) -> str:
    """A passage on one line as a quotation: ``“...”``, with the double quotation marks inside
    it made single (“he said ‘no’ twice”), so that the quotation's own marks stay the outer
    ones. A straight ``"`` opens after a space or bracket and closes elsewhere."""
    out = []
    flat = " ".join(text.split())
    for i, ch in enumerate(flat):
        if ch == "“":
            ch = "‘"
        elif ch == "”":
            ch = "’"
        elif ch == '"':
            ch = "‘" if i == 0 or flat[i - 1] in _OPENS_AFTER else "’"
        out.append(ch)
    return "“" + "".join(out) + "”"


def reference(doc: Document | str, first: int, last: int | None = None) -> str:
    """A passage reference as analysts write it in summaries: ``[dir_london_01 L120-128]``.

    ``doc`` is a document or its name. Document names are the short names given on import
    (the file name without its extension), unique in a project, so a reference always leads
    back to one passage; ``first``/``last`` are 1-based line numbers (one line: ``L120``).
    """
    name = doc if isinstance(doc, str) else doc.name
    lines = f"L{first}" if last is None or last == first else f"L{first}-{last}"
    return f"[{name} {lines}]"


# -- the theme tree ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeTree:
    """The themes of a project as a tree, in framework order."""

    themes: dict[str, Theme]
    children: dict[str | None, list[str]]

    @classmethod
    def from_store(cls, store: Store) -> ThemeTree:
        themes = {t.id: t for t in store.themes.list()}
        children: dict[str | None, list[str]] = {}
        for t in themes.values():
            parent = t.parent_id if t.parent_id in themes else None
            children.setdefault(parent, []).append(t.id)
        return cls(themes, children)

    def chain(self, theme_id: str) -> list[str]:
        """The theme and its ancestors, from the theme up to its main theme."""
        out = [theme_id]
        parent = self.themes[theme_id].parent_id if theme_id in self.themes else None
        while parent is not None and parent in self.themes and parent not in out:
            out.append(parent)
            parent = self.themes[parent].parent_id
        return out

    def walk(self, roots: Iterable[str] | None = None, *, archived: bool = False) -> list[tuple[Theme, int]]:
        """Themes depth-first from ``roots`` (default: the main themes) with their depth."""
        out: list[tuple[Theme, int]] = []
        stack = [(tid, 0) for tid in reversed(list(self.children.get(None, []) if roots is None else roots))]
        while stack:
            tid, depth = stack.pop()
            theme = self.themes[tid]
            if theme.archived and not archived:
                continue
            out.append((theme, depth))
            stack.extend((c, depth + 1) for c in reversed(self.children.get(tid, [])))
        return out

    def path(self, theme_id: str) -> tuple[str, ...]:
        """Labels from the main theme down to this theme."""
        return tuple(self.themes[t].label for t in reversed(self.chain(theme_id)))

    def mains(self) -> list[Theme]:
        return [self.themes[t] for t in self.children.get(None, []) if not self.themes[t].archived]

    def current_children(self, theme_id: str) -> list[Theme]:
        return [self.themes[c] for c in self.children.get(theme_id, []) if not self.themes[c].archived]


# -- what a chart holds ------------------------------------------------------------------------


@dataclass(frozen=True)
class Extract:
    """One coded passage behind a cell."""

    coding_id: int
    case_id: int
    document: str
    document_id: int
    theme_id: str
    start: int
    end: int
    line_start: int
    line_end: int
    quote: str
    memo: str
    coder: str
    detached: bool = False

    @property
    def reference(self) -> str:
        """``[doc L12-14]``; a passage that could not be placed after a text change says so."""
        ref = reference(self.document, self.line_start, self.line_end)
        return ref + " (detached)" if self.detached else ref

    @property
    def marked_quote(self) -> str:
        """The passage as a marked verbatim quote with its reference: ``“...” [doc L12-14]``."""
        return f"{quoted(self.quote)} {self.reference}"

    def as_json(self) -> dict[str, Any]:
        return {"coding": self.coding_id, "document": self.document, "theme": self.theme_id,
                "start": self.start, "end": self.end, "lines": [self.line_start, self.line_end],
                "reference": self.reference, "quote": self.quote, "memo": self.memo, "coder": self.coder,
                "detached": self.detached}


@dataclass(frozen=True)
class Cell:
    """One case x column cell: the summary, its status, and the passages it summarises."""

    case_id: int
    theme_id: str
    summary: str = ""
    status: str = "empty"
    extracts: tuple[Extract, ...] = ()

    @property
    def count(self) -> int:
        return len(self.extracts)

    def preview(self, width: int = 40) -> str:
        """The start of the summary, or the number of coded passages when there is none."""
        if self.summary.strip():
            first = " ".join(self.summary.split())
            return first if len(first) <= width else first[: max(1, width - 1)] + "…"
        if self.extracts:
            return f"{self.count} passage{'s' if self.count != 1 else ''}"
        return ""

    def as_json(self) -> dict[str, Any]:
        return {"theme": self.theme_id, "summary": self.summary, "status": self.status,
                "extracts": [e.as_json() for e in self.extracts]}


@dataclass(frozen=True)
class Column:
    """A chart column: a subtheme with everything below it, or the chart theme itself."""

    theme: Theme
    own: bool = False
    """True for the chart theme's own column (its direct passages and archived subthemes')."""

    @property
    def id(self) -> str:
        return self.theme.id

    @property
    def heading(self) -> str:
        return f"{self.theme.id} {self.theme.label}"


@dataclass(frozen=True)
class Row:
    """A chart row: a case and its group (the values of the grouping attributes)."""

    case: Case
    group: tuple[str, ...]


@dataclass
class Chart:
    """One chart: a main theme's columns over the shared rows."""

    theme: Theme
    columns: list[Column]
    rows: list[Row]
    cells: dict[tuple[int, str], Cell] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"{self.theme.id} {self.theme.label}"

    def cell(self, case_id: int, column: Column | str) -> Cell:
        key = column.id if isinstance(column, Column) else column
        return self.cells.get((case_id, key)) or Cell(case_id, key)

    def grid(self) -> list[list[Cell]]:
        """Cells row by row, column by column (what a matrix screen shows)."""
        return [[self.cell(r.case.id, c) for c in self.columns] for r in self.rows]

    def as_json(self) -> dict[str, Any]:
        return {
            "theme": self.theme.id, "label": self.theme.label,
            "columns": [{"theme": c.id, "heading": c.heading, "own": c.own} for c in self.columns],
            "rows": [{"case": r.case.name, "group": list(r.group),
                      "cells": [self.cell(r.case.id, c).as_json() for c in self.columns]} for r in self.rows],
        }


@dataclass
class ChartSet:
    """The charts of one layer, sharing one row order."""

    layer: str
    group_by: tuple[str, ...]
    attributes: list[str]
    rows: list[Row]
    charts: list[Chart]
    tree: ThemeTree

    def chart(self, theme_id: str) -> Chart:
        for chart in self.charts:
            if chart.theme.id == theme_id:
                return chart
        raise InputError(f"no chart for theme {theme_id!r}; charts: {', '.join(c.theme.id for c in self.charts)}.")

    def groups(self) -> list[tuple[tuple[str, ...], list[Row]]]:
        """Consecutive rows sharing a group, in row order."""
        out: list[tuple[tuple[str, ...], list[Row]]] = []
        for row in self.rows:
            if out and out[-1][0] == row.group:
                out[-1][1].append(row)
            else:
                out.append((row.group, [row]))
        return out

    def update(self, cell: ChartCell) -> None:
        """Take a saved summary/status into every chart showing that case x theme pair."""
        if cell.layer != self.layer:
            return
        key = (cell.case_id, cell.theme_id)
        for chart in self.charts:
            if any(c.id == cell.theme_id for c in chart.columns):
                chart.cells[key] = replace(chart.cell(*key), summary=cell.summary, status=cell.status)

    def as_json(self) -> dict[str, Any]:
        return {"layer": self.layer, "group_by": list(self.group_by), "charts": [c.as_json() for c in self.charts]}


# -- building charts ----------------------------------------------------------------------------


def check_layer(store: Store, layer: str) -> str:
    """A layer that exists: ``consensus``, or a coder with codings or cells."""
    if layer == CONSENSUS or layer in store.coders():
        return layer
    if store.scalar("SELECT 1 FROM chart_cells WHERE layer = ? LIMIT 1", (layer,)):
        return layer
    known = ", ".join(people(store.coders())) or "none yet"
    raise InputError(f"no coder named {layer!r} in this project (coders: {known}; or {CONSENSUS!r}).")


def sort_rows(store: Store, cases: Sequence[Case], group_by: Sequence[str]) -> list[Row]:
    """Cases grouped and sorted by the attributes (numbers by value), then by name."""
    types = {a.name: a.type for a in store.cases.attributes()}
    for name in group_by:
        if name not in types:
            listed = ", ".join(types) or "none yet"
            raise InputError(f"no case attribute named {name!r} to group by (attributes: {listed}).")

    def value_key(case: Case, name: str) -> tuple:
        value = case.attributes.get(name, "").strip()
        if not value:
            return (1, 0, "")
        if types[name] == "number":
            try:
                return (0, float(value.replace(",", "")), "")
            except ValueError:
                pass
        return (0, 0, value.casefold())

    ordered = sorted(cases, key=lambda c: (tuple(value_key(c, n) for n in group_by), c.name.casefold(), c.name))
    return [Row(c, tuple(c.attributes.get(n, "").strip() or NO_VALUE for n in group_by)) for c in ordered]


def chart_themes(store: Store, tree: ThemeTree, theme_ids: Sequence[str] | None) -> list[Theme]:
    if not theme_ids:
        return tree.mains()
    out: list[Theme] = []
    for tid in dict.fromkeys(theme_ids):
        theme = store.themes.get(tid)
        if theme.archived:
            raise InputError(f"theme {tid!r} is archived; chart a current theme.")
        out.append(theme)
    return out


def load_extracts(store: Store, layer: str, case_of: dict[int, int] | None = None) -> list[Extract]:
    """Every coding of the layer as an extract with 1-based line numbers."""
    if case_of is None:
        case_of = {d.id: d.case_id for d in store.documents.list()}
    starts: dict[int, list[int]] = {}
    out: list[Extract] = []
    for k in store.codings.list(coder=layer):
        lines = starts.get(k.document_id)
        if lines is None:
            lines = starts[k.document_id] = line_starts(store.documents.text(k.document_id))
        first = line_number(lines, k.start)
        last = max(first, line_number(lines, max(k.start, k.end - 1)))
        out.append(Extract(k.id, case_of[k.document_id], k.document, k.document_id, k.theme_id, k.start, k.end,
                           first, last, k.quote, k.memo, k.coder, k.detached))
    return out


def build_charts(
    store: Store, layer: str, *, theme_ids: Sequence[str] | None = None, group_by: Sequence[str] = (),
) -> ChartSet:
    """The charts of ``layer`` for ``theme_ids`` (default: every main theme); see the module."""
    check_layer(store, layer)
    tree = ThemeTree.from_store(store)
    themes = chart_themes(store, tree, theme_ids)
    rows = sort_rows(store, store.cases.list(), tuple(group_by))
    summaries = {(c.case_id, c.theme_id): c for c in store.cells.list(layer)}
    extracts = load_extracts(store, layer)

    specs = []  # (chart theme, its current children's ids)
    for theme in themes:
        specs.append((theme, {c.id for c in tree.current_children(theme.id)}))

    targets: dict[str, list[tuple[int, str]]] = {}
    gathered: list[dict[tuple[int, str], list[Extract]]] = [{} for _ in specs]
    for e in extracts:
        hits = targets.get(e.theme_id)
        if hits is None:
            hits = targets[e.theme_id] = _targets(tree.chain(e.theme_id), specs)
        for index, column_id in hits:
            gathered[index].setdefault((e.case_id, column_id), []).append(e)

    written = {tid for (_, tid), c in summaries.items() if c.summary or c.status != "empty"}
    charts = []
    for (theme, child_ids), found in zip(specs, gathered):
        columns = [Column(t) for t in tree.current_children(theme.id)]
        own_used = theme.id in written or any(col == theme.id for _, col in found)
        if not columns or own_used:
            columns.insert(0, Column(theme, own=bool(child_ids)))
        chart = Chart(theme, columns, rows)
        for row in rows:
            for col in columns:
                key = (row.case.id, col.id)
                saved = summaries.get(key)
                passages = found.get(key)
                if saved is not None or passages:
                    chart.cells[key] = Cell(row.case.id, col.id, saved.summary if saved else "",
                                            saved.status if saved else "empty", tuple(passages or ()))
        charts.append(chart)
    attributes = [a.name for a in store.cases.attributes()]
    return ChartSet(layer, tuple(group_by), attributes, rows, charts, tree)


def _targets(chain: list[str], specs: list[tuple[Theme, set[str]]]) -> list[tuple[int, str]]:
    """For a coded theme (given by its chain up to the main theme): (chart, column) pairs."""
    out = []
    for index, (theme, child_ids) in enumerate(specs):
        if theme.id not in chain:
            continue
        below = chain.index(theme.id) - 1
        child = chain[below] if below >= 0 else None
        out.append((index, child if child in child_ids else theme.id))
    return out


# -- mapping ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupCount:
    """Cases of one group that raised a theme, out of the group's cases."""

    value: str
    cases: tuple[str, ...]
    total: int

    @property
    def count(self) -> int:
        return len(self.cases)

    @property
    def share(self) -> float:
        return self.count / self.total if self.total else 0.0


@dataclass(frozen=True)
class MapRow:
    """One theme of the mapping: all cases that raised it, and per group."""

    theme: Theme
    depth: int
    all: GroupCount
    groups: tuple[GroupCount, ...]

    def as_json(self) -> dict[str, Any]:
        def one(g: GroupCount) -> dict[str, Any]:
            return {"value": g.value, "count": g.count, "total": g.total, "share": round(g.share, 4),
                    "cases": list(g.cases)}
        return {"theme": self.theme.id, "label": self.theme.label, "depth": self.depth,
                **{k: v for k, v in one(self.all).items() if k != "value"}, "groups": [one(g) for g in self.groups]}


@dataclass(frozen=True)
class Mapping:
    """How many cases, and which, raised each theme; by the values of ``by``."""

    layer: str
    by: str | None
    total: int
    values: tuple[tuple[str, int], ...]
    """The groups: (value, number of cases), in sorted order."""
    rows: list[MapRow]

    def as_json(self) -> dict[str, Any]:
        return {"layer": self.layer, "by": self.by, "cases": self.total,
                "groups": [{"value": v, "cases": n} for v, n in self.values],
                "themes": [r.as_json() for r in self.rows]}


def mapping(
    store: Store, layer: str, *, by: str | None = None, theme_ids: Sequence[str] | None = None,
    extracts: Sequence[Extract] | None = None,
) -> Mapping:
    """Per theme (depth-first, below ``theme_ids`` or all): the cases that raised it."""
    check_layer(store, layer)
    tree = ThemeTree.from_store(store)
    rows = sort_rows(store, store.cases.list(), (by,) if by else ())
    name_of = {r.case.id: r.case.name for r in rows}
    order = {r.case.id: i for i, r in enumerate(rows)}
    raised: dict[str, set[int]] = {}
    if extracts is None:
        case_of = {d.id: d.case_id for d in store.documents.list()}
        pairs: Iterable[tuple[int, str]] = (
            (case_of[k.document_id], k.theme_id) for k in store.codings.list(coder=layer))
    else:
        pairs = ((e.case_id, e.theme_id) for e in extracts)
    chains: dict[str, list[str]] = {}
    for case_id, theme_id in set(pairs):
        chain = chains.get(theme_id) or chains.setdefault(theme_id, tree.chain(theme_id))
        for tid in chain:
            raised.setdefault(tid, set()).add(case_id)
    values: dict[str, list[int]] = {}
    for r in rows:
        values.setdefault(r.group[0] if by else "", []).append(r.case.id)
    roots = [t.id for t in chart_themes(store, tree, theme_ids)] if theme_ids else None
    def count(ids: set[int], members: Iterable[int], value: str, total: int) -> GroupCount:
        hit = sorted((m for m in members if m in ids), key=order.__getitem__)
        return GroupCount(value, tuple(name_of[m] for m in hit), total)

    out = []
    for theme, depth in tree.walk(roots):
        ids = raised.get(theme.id, set())
        groups = tuple(count(ids, m, v, len(m)) for v, m in values.items()) if by else ()
        out.append(MapRow(theme, depth, count(ids, order, "", len(rows)), groups))
    return Mapping(layer, by, len(rows), tuple((v, len(m)) for v, m in values.items()) if by else (), out)


def theme_usage(store: Store, layer: str | None = None) -> dict[str, tuple[int, int]]:
    """Per theme id: (codings, cases with a coding) of ``layer`` (every coder when None), each
    theme counting those of the themes below it too, as the charts and the matrix count them."""
    themes = {t.id: t for t in store.themes.list(include_archived=True)}
    tree = ThemeTree(themes, {})
    where, params = ("WHERE k.coder = ? ", (layer,)) if layer else ("", ())
    codings: dict[str, int] = {}
    cases: dict[str, set[int]] = {}
    for r in store.query("SELECT k.theme_id, d.case_id, count(*) AS n FROM codings k JOIN documents d "
                         f"ON d.id = k.document_id {where}GROUP BY k.theme_id, d.case_id", params):
        for tid in tree.chain(r["theme_id"]):
            codings[tid] = codings.get(tid, 0) + r["n"]
            cases.setdefault(tid, set()).add(r["case_id"])
    return {tid: (n, len(cases[tid])) for tid, n in codings.items()}


# -- layers ----------------------------------------------------------------------------------


def available_layers(store: Store) -> list[str]:
    """Layers with something to chart: coders with codings or summaries, then consensus."""
    coders = {c for per_doc in store.documents.coded_counts().values() for c in per_doc}
    coders |= {r["layer"] for r in store.query("SELECT DISTINCT layer FROM chart_cells")}
    return sorted(coders - {CONSENSUS}, key=str.casefold) + [CONSENSUS]


def default_layer(store: Store, coder: str, layers: list[str]) -> str:
    """The current coder's layer if there is one to chart, else the first with codings."""
    if coder and (coder in layers or coder in store.coders()):
        return coder
    return layers[0]
