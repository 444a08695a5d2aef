"""Pseudonymised chart and quote exports, and the export log.

With a pseudonym key (:class:`framework.confidentiality.key.Pseudonymiser`) every writer writes from
a pseudonymised copy of the built charts (or quotes); the store is only read. In the copy
the key is applied to every text that is written:

* cases are shown by their labels (:mod:`framework.export.references`: the key's
  replacement of the whole case id, else ``[Case N]``), so a case id such as
  ``director_london_borough`` never reaches an export;
* case attribute names and values, and the group labels made from them;
* cell summaries, coded passages and memos; references to passages, in cells and in
  summaries, are written as ``--refs`` asks (pseudonymised: ``[[Case 3] L12]``);
* theme labels, descriptions and include/exclude notes. These are the analysts' words,
  but a place or an organisation named in a label ("Northshire restructure") identifies
  as well as one in a quote; a label without key terms is written as it is. The qdpx
  export treats theme names the same way;
* the layer and coder names, titles, sheet names and the documents' properties.

Theme ids are kept: they name the files and link the charts with the codebook; a theme id
holding a key term is refused (rename it in ``themes.yaml``). Rows (and the groups of the
mapping) are sorted again by the pseudonymised names and values, so the order does not
hint at the names replaced.

Coded passages are replaced in the whole document text and then cut out, so a passage
that starts or ends inside a name gets the whole replacement ("[Director A] said" for a
passage "Hill said" of "Margaret Hill said"), never a leftover part of the name. A passage
that cannot be placed in the current text (a detached coding) is replaced within the
context kept with it.

Line numbers in references count lines of the stored, original documents, whatever the
replacements do to the line breaks; pseudonymised exports say so where they have room
for a note (:data:`PSEUDONYM_NOTE`).

Every pseudonymised file is checked for the key's terms before it gets its name
(:mod:`framework.export.staging`). Every chart and quote export, with or without a key,
adds one ``export`` entry to the project's action log, naming the key file and its
SHA-256 when one was applied.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from framework.analysis.charting import (
    Chart,
    ChartSet,
    Column,
    Extract,
    GroupCount,
    Mapping,
    Row,
    ThemeTree,
    quoted,
    sort_rows,
)
from framework.confidentiality.key import Pseudonymiser, check_key_location
from framework.errors import InputError
from framework.export.references import Labels, default_refs, labels, natural, rewrite_references
from framework.store import Store, Theme

PSEUDONYM_NOTE = ("Pseudonymised: names are replaced by the pseudonyms in brackets. "
                  "Line numbers in references count lines of the original documents.")


def check_key(key: Pseudonymiser | None, store: Store | None, *folders: Path | None) -> None:
    """Refuse a key file kept in the project's exports folder or in a folder written to; and
    refuse any export from a project that cannot record it in its log (read-only, damaged)."""
    refused = store.refusal() if store is not None and hasattr(store, "refusal") else None
    if refused is not None:
        raise refused
    if key is None or key.path is None:
        return
    if store is not None and getattr(store, "path", None) is not None:
        from framework.paths import EXPORTS

        check_key_location(key.path, Path(store.path).parent / EXPORTS)
    for folder in folders:
        check_key_location(key.path, folder)


def log_export(store: Store, coder: str | None, fmt: str, paths: Sequence[Path], key: Pseudonymiser | None,
               **details: object) -> None:
    """One ``export`` entry in the action log: the format, the files and the key applied."""
    payload: dict[str, object] = {
        "format": fmt,
        "file": str(paths[0]) if paths else None,
        "files": [str(p) for p in paths],
        "pseudonym_key": str(key.path) if key is not None and key.path is not None else None,
        "key_sha256": key.sha256 if key is not None else None,
        **details,
    }
    with store.write():
        store.log(coder or "export", "export", payload)


# -- what is applied ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Unreferenced(Extract):
    """A passage written without its reference (``--refs none``)."""

    @property
    def reference(self) -> str:
        return ""

    @property
    def marked_quote(self) -> str:
        return quoted(self.quote)


@dataclass(frozen=True)
class Masking:
    """What an export applies: the key (if any), how references are written, and the labels."""

    key: Pseudonymiser | None
    refs: str
    labels: Labels | None
    documents: dict[str, str]
    """Document name -> what references show (the label, the name through the key, or the name)."""

    @classmethod
    def make(cls, store: Store, key: Pseudonymiser | None, refs: str | None = None) -> Masking:
        refs = default_refs(refs, key)
        found = labels(store, key) if key is not None else None
        if found is not None and refs == "pseudonymised":
            documents = found.documents
        elif key is not None or refs == "none":
            documents = {d.name: key.apply(d.name) if key is not None else d.name for d in store.documents.list()}
        else:
            documents = {}  # written as they are
        return cls(key, refs, found, documents)

    @property
    def changes(self) -> bool:
        return self.key is not None or self.refs == "none"

    def text(self, text: str) -> str:
        return self.key.apply(text) if self.key is not None else text

    def case(self, name: str) -> str:
        if self.labels is not None and name in self.labels.cases:
            return self.labels.cases[name]
        return self.text(name)

    def summary(self, text: str) -> str:
        return self.text(rewrite_references(text, self.refs, self.documents))


def check_theme_ids(ids: Iterable[str], key: Pseudonymiser | None) -> None:
    """Refuse theme ids holding a key term: they are written as they are (names of files, sheets, headings)."""
    if key is None:
        return
    for tid in ids:
        found = key.matches(tid)
        if found:
            raise InputError(f"theme id {tid!r} holds {found[0].term!r}, a term of the pseudonym key; theme ids "
                             "are written as they are, so give the theme another id in themes.yaml.")


# -- the pseudonymised copies ------------------------------------------------------------------


def pseudonymise_theme(theme: Theme, key: Pseudonymiser) -> Theme:
    return replace(theme, label=key.apply(theme.label), description=key.apply(theme.description),
                   include=key.apply(theme.include), exclude=key.apply(theme.exclude))


def pseudonymise_tree(tree: ThemeTree, key: Pseudonymiser) -> ThemeTree:
    """The theme tree with the key applied to labels, descriptions and include/exclude notes."""
    return ThemeTree({tid: pseudonymise_theme(t, key) for tid, t in tree.themes.items()}, tree.children)


def _quotes(store: Store, unique: dict[int, Extract], key: Pseudonymiser) -> dict[int, str]:
    """Each passage replaced in its document's text (or, detached, within its kept context)."""
    texts: dict[int, str] = {}
    placed: dict[int, list[Extract]] = {}
    loose: list[Extract] = []
    for e in unique.values():
        if e.document_id not in texts:
            texts[e.document_id] = store.documents.text(e.document_id)
        text = texts[e.document_id]
        if not e.detached and 0 <= e.start <= e.end <= len(text) and text[e.start:e.end] == e.quote:
            placed.setdefault(e.document_id, []).append(e)
        else:
            loose.append(e)
    quotes: dict[int, str] = {}
    for document_id, items in placed.items():
        cut = key.excerpts(texts[document_id], [(e.start, e.end) for e in items])
        quotes.update((e.coding_id, q) for e, q in zip(items, cut))
    for e in loose:
        coding = store.codings.find(e.coding_id)
        before, after = (coding.before, coding.after) if coding is not None else ("", "")
        (quotes[e.coding_id],) = key.excerpts(before + e.quote + after, [(len(before), len(before) + len(e.quote))])
    return quotes


def pseudonymise_extracts(store: Store, extracts: Iterable[Extract], key: Pseudonymiser | None,
                          masking: Masking | None = None) -> dict[int, Extract]:
    """Each extract (by coding id) with its passage replaced in context, its memo, document
    (as references show it) and coder; without its reference for ``--refs none``."""
    masking = masking or Masking.make(store, key)
    unique = {e.coding_id: e for e in extracts}
    quotes = _quotes(store, unique, masking.key) if masking.key is not None else {}
    out = {}
    for cid, e in unique.items():
        done = replace(e, quote=quotes.get(cid, e.quote), memo=masking.text(e.memo),
                       document=masking.documents.get(e.document, masking.text(e.document)),
                       coder=masking.text(e.coder))
        if masking.refs == "none":
            done = Unreferenced(**{f: getattr(done, f) for f in done.__dataclass_fields__})
            done = replace(done, document="", line_start=0, line_end=0)
        out[cid] = done
    return out


def attribute_names(names: Iterable[str], key: Pseudonymiser) -> dict[str, str]:
    """Attribute name -> its pseudonymised name (refused if two would become one)."""
    out: dict[str, str] = {}
    taken: dict[str, str] = {}
    for name in names:
        new = key.apply(name)
        if new in taken and taken[new] != name:
            raise InputError(f"the pseudonym key turns the case attributes {taken[new]!r} and {name!r} into the "
                             f"same name {new!r}; rename one of them or change the key.")
        taken[new] = name
        out[name] = new
    return out


def pseudonymise_charts(charts: ChartSet, key: Pseudonymiser | None, store: Store,
                        masking: Masking | None = None) -> ChartSet:
    """A copy of ``charts`` with the key (and the choice of references) applied to every text the exports write."""
    masking = masking or Masking.make(store, key)
    if masking.key is None:
        return _unreferenced(charts, masking, store)
    key = masking.key
    check_theme_ids([c.theme.id for chart in charts.charts for c in chart.columns] + list(charts.tree.themes), key)
    tree = pseudonymise_tree(charts.tree, key)

    def theme_of(theme: Theme) -> Theme:
        return tree.themes.get(theme.id) or pseudonymise_theme(theme, key)

    names = attribute_names(
        dict.fromkeys([*charts.attributes, *charts.group_by,
                       *(a for r in charts.rows for a in r.case.attributes)]), key)
    cases = [replace(r.case, name=masking.case(r.case.name),
                     attributes={a: key.apply(v) for a, v in r.case.attributes.items()}) for r in charts.rows]
    rows = [Row(replace(r.case, attributes={names[a]: v for a, v in r.case.attributes.items()}), r.group)
            for r in sort_rows(store, cases, charts.group_by)]
    rank = _group_rank(rows)
    rows.sort(key=lambda r: (rank[r.group], natural(r.case.name)))
    extracts = pseudonymise_extracts(
        store, (e for chart in charts.charts for cell in chart.cells.values() for e in cell.extracts), key, masking)
    out = []
    for chart in charts.charts:
        cells = {
            at: replace(cell, summary=masking.summary(cell.summary),
                        # by document name as written; sorted() keeps the order within a document
                        extracts=tuple(sorted((extracts[e.coding_id] for e in cell.extracts),
                                              key=lambda e: natural(e.document))))
            for at, cell in chart.cells.items()
        }
        columns = [Column(theme_of(c.theme), c.own) for c in chart.columns]
        out.append(Chart(theme_of(chart.theme), columns, rows, cells))
    return ChartSet(key.apply(charts.layer), tuple(names[g] for g in charts.group_by),
                    [names[a] for a in charts.attributes], rows, out, tree)


def _group_rank(rows: list[Row]) -> dict[tuple[str, ...], int]:
    rank: dict[tuple[str, ...], int] = {}
    for r in rows:
        rank.setdefault(r.group, len(rank))
    return rank


def _unreferenced(charts: ChartSet, masking: Masking, store: Store) -> ChartSet:
    """Without a key: the charts with references left out, when ``--refs none`` asks."""
    if masking.refs != "none":
        return charts
    extracts = pseudonymise_extracts(
        store, (e for chart in charts.charts for cell in chart.cells.values() for e in cell.extracts), None, masking)
    out = []
    for chart in charts.charts:
        cells = {at: replace(cell, summary=masking.summary(cell.summary),
                             extracts=tuple(extracts[e.coding_id] for e in cell.extracts))
                 for at, cell in chart.cells.items()}
        out.append(Chart(chart.theme, chart.columns, chart.rows, cells))
    return replace(charts, charts=out)


def pseudonymise_mapping(table: Mapping, key: Pseudonymiser, charts: ChartSet,
                         masking: Masking | None = None) -> Mapping:
    """The mapping with the key applied to case names (shown by their labels), group values
    and theme labels, its groups and case lists in the order of the rows of ``charts``
    (pseudonymised, grouped by the mapping's attribute)."""
    case_rank = {r.case.name: i for i, r in enumerate(charts.rows)}
    group_rank = {g[0]: i for i, g in reversed(list(enumerate(r.group for r in charts.rows))) if g}
    values = [key.apply(v) for v, _ in table.values]
    order = sorted(range(len(values)), key=lambda i: group_rank.get(values[i], len(group_rank)))
    name = masking.case if masking is not None else key.apply

    def group(g: GroupCount) -> GroupCount:
        cases = sorted((name(c) for c in g.cases), key=lambda c: case_rank.get(c, len(case_rank)))
        return replace(g, value=key.apply(g.value), cases=tuple(cases))

    rows = [replace(r, theme=charts.tree.themes.get(r.theme.id) or pseudonymise_theme(r.theme, key),
                    all=group(r.all), groups=tuple(group(r.groups[i]) for i in order)) for r in table.rows]
    return replace(table, layer=key.apply(table.layer), by=key.apply(table.by) if table.by else table.by,
                   values=tuple((values[i], table.values[i][1]) for i in order), rows=rows)
