"""Quotations for the write-up: every passage coded with a theme, attributed.

The attribution is built from case attributes with a pattern such as
``[{role}, {authority_type}]`` -> ``[Director, London borough]`` (``{case}`` is the case
id). A pattern naming an attribute the project does not have, or one that a quoted case
has no value for, is refused with the attribute named, so no quote goes out unattributed.

With a pseudonym key the quotes, attributions, memos and theme labels are pseudonymised
(see :mod:`framework.export.pseudonymise`); cases and documents are shown by their labels
(``{case}`` gives ``Case 3``, see :mod:`framework.export.references`), since a case id can
itself identify someone. An attribution pattern of attributes, such as
``[{role}, {authority_type}]``, is the usual choice. References (``--refs``) are left out,
shown through the labels, or written in full; they keep the line numbers of the original
documents.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, replace
from pathlib import Path

from framework.analysis.charting import Extract, ThemeTree, check_layer, load_extracts, quoted
from framework.confidentiality.key import Pseudonymiser
from framework.errors import InputError
from framework.export.common import clean, safe_stem, write_file
from framework.export.options import DEFAULT_PATTERN, QUOTE_FORMATS
from framework.export.pseudonymise import (
    PSEUDONYM_NOTE,
    Masking,
    check_key,
    check_theme_ids,
    log_export,
    pseudonymise_extracts,
    pseudonymise_tree,
)
from framework.export.references import natural
from framework.export.staging import staged
from framework.store import Case, Store

QUOTE_COLUMNS = ("theme", "theme_path", "case", "attribution", "quote", "reference", "document",
                 "line_start", "line_end", "memo", "coder")


@dataclass(frozen=True)
class Quote:
    """One coded passage with its theme, case and attribution."""

    theme_id: str
    theme_path: str
    case: str
    attribution: str
    extract: Extract
    by_default: bool = False
    """The attribution is the default pattern's (the case alone), which the reference names already."""

    @property
    def text(self) -> str:
        """The passage on one line, as quoted."""
        return " ".join(self.extract.quote.split())

    @property
    def shown_attribution(self) -> str:
        """The attribution written beside the quote: none when it is the default and the
        reference is shown (``[dir_london L13]`` names the case already)."""
        return "" if self.by_default and self.extract.reference else self.attribution

    @property
    def credit(self) -> str:
        """The line under a quote: the attribution and the reference (``[Director, London] · [dir_london L13]``)."""
        return " · ".join(part for part in (self.shown_attribution, self.extract.reference) if part)


def pattern_fields(pattern: str) -> list[str]:
    """The attribute names a pattern uses, in order."""
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        raise InputError(f"attribution pattern {pattern!r}: {exc}; write fields as {{role}} "
                         "and a literal brace as {{ or }}.") from exc
    fields = []
    for _, name, _, _ in parsed:
        if name is None:
            continue
        if not name.strip() or name.strip().isdigit():
            raise InputError(f"attribution pattern {pattern!r}: name a case attribute inside the braces, "
                             "e.g. [{role}, {authority_type}].")
        fields.append(name)
    return fields


def attribution(pattern: str, case: Case) -> str:
    """The pattern filled in with the case's attribute values (``{case}``: the case id)."""
    out = []
    for literal, name, spec, _ in string.Formatter().parse(pattern):
        out.append(literal)
        if name is not None:
            value = case.name if name == "case" else case.attributes.get(name, "")
            if not value:
                raise InputError(f"case {case.name!r} has no value for {name!r}, which the attribution "
                                 "pattern uses; give it one (framework cases import) or change the pattern.")
            out.append(format(value, spec) if spec else value)
    return "".join(out)


def collect_quotes(store: Store, layer: str, theme_id: str, pattern: str = DEFAULT_PATTERN,
                   key: Pseudonymiser | None = None, refs: str | None = None) -> list[Quote]:
    """Every passage of ``layer`` coded with the theme or a theme below it, attributed.

    In framework order of the themes, then by case, document and position (of the stored
    texts). With ``key`` every text of the quotes is pseudonymised and cases are shown by
    their labels; ``refs`` is how references are written (``none``, ``pseudonymised``,
    ``full``; by default ``pseudonymised`` with a key, else ``full``).
    """
    check_layer(store, layer)
    store.themes.get(theme_id)
    attributes = [a.name for a in store.cases.attributes()]
    for name in pattern_fields(pattern):
        if name != "case" and name not in attributes:
            listed = ", ".join(attributes) or "none yet"
            raise InputError(f"attribution pattern {pattern!r} names {name!r}, which is not a case attribute "
                             f"(attributes: {listed}; {{case}} gives the case id).")
    tree = ThemeTree.from_store(store)
    rank = {t.id: i for i, (t, _) in enumerate(tree.walk([theme_id], archived=True))}
    cases = {c.id: c for c in store.cases.list()}
    case_rank = {cid: i for i, cid in enumerate(cases)}
    chosen = [e for e in load_extracts(store, layer) if e.theme_id in rank]
    chosen.sort(key=lambda e: (rank[e.theme_id], case_rank[e.case_id], e.document, e.start, e.end))
    missing: dict[str, list[str]] = {}
    quotes = []
    for e in chosen:
        case = cases[e.case_id]
        for name in pattern_fields(pattern):
            if name != "case" and not case.attributes.get(name):
                missing.setdefault(name, []).append(case.name)
        if not missing:
            quotes.append(Quote(e.theme_id, " > ".join(tree.path(e.theme_id)), case.name,
                                attribution(pattern, case), e, pattern == DEFAULT_PATTERN))
    if missing:
        detail = "; ".join(f"{name!r} is empty for {', '.join(dict.fromkeys(names))}" for name, names in missing.items())
        raise InputError(f"attribution pattern {pattern!r}: {detail}. Give those cases a value "
                         "(framework cases import) or change the pattern.")
    masking = Masking.make(store, key, refs)
    if not masking.changes:
        return quotes
    extracts = pseudonymise_extracts(store, (q.extract for q in quotes), key, masking)
    if key is None:
        return [replace(q, extract=extracts[q.extract.coding_id]) for q in quotes]
    shown = pseudonymise_tree(tree, key)
    out = []
    for q in quotes:
        case = cases[q.extract.case_id]
        label = masking.case(case.name)
        named = replace(case, name=label[1:-1] if label.startswith("[") and label.endswith("]") else label)
        out.append(Quote(q.theme_id, " > ".join(shown.path(q.theme_id)), label,
                         key.apply(attribution(pattern, named)), extracts[q.extract.coding_id], q.by_default))
    # in the order of the pseudonymised names, which does not hint at the names replaced
    out.sort(key=lambda q: (rank[q.theme_id], natural(q.case), natural(q.extract.document),
                            q.extract.start, q.extract.end))
    return out


# -- writing -----------------------------------------------------------------------------------


def _md(text: str, emphasis: bool = False) -> str:
    text = clean(text).replace("\\", "\\\\").replace("<", "&lt;")
    return text.replace("*", "\\*").replace("_", "\\_") if emphasis else text


def quotes_markdown(quotes: list[Quote], title: str, tree: ThemeTree, pseudonymised: bool = False) -> str:
    lines = [f"# {_md(title)}", ""]
    if pseudonymised:
        lines += [f"*{PSEUDONYM_NOTE}*", ""]
    current = None
    for q in quotes:
        if q.theme_id != current:
            current = q.theme_id
            theme = tree.themes[q.theme_id]
            lines += [f"## {_md(theme.id)} {_md(theme.label)}", ""]
        lines += [f"> {_md(quoted(q.text), emphasis=True)}", ">", f"> {_md(q.credit)}", ""]
    if not quotes:
        lines.append("No passages are coded with this theme yet.")
    return "\n".join(lines).rstrip("\n") + "\n"


def write_quotes_docx(quotes: list[Quote], title: str, tree: ThemeTree, path: Path,
                      pseudonymised: bool = False) -> None:
    from framework.export.docx import GREY, add_note, new_document

    doc = new_document(title, landscape=False)
    if pseudonymised:
        add_note(doc)
    current = None
    for q in quotes:
        if q.theme_id != current:
            current = q.theme_id
            theme = tree.themes[q.theme_id]
            doc.add_heading(clean(f"{theme.id} {theme.label}"), level=1)
        paragraph = doc.add_paragraph()
        paragraph.add_run(clean(quoted(q.text))).italic = True
        if q.shown_attribution:
            paragraph.add_run(" " + clean(q.shown_attribution))
        if q.extract.reference:
            ref = paragraph.add_run(" " + clean(q.extract.reference))
            ref.font.color.rgb = GREY
    if not quotes:
        doc.add_paragraph("No passages are coded with this theme yet.")
    doc.save(str(path))


def write_quotes(quotes: list[Quote], fmt: str, path: Path, title: str, tree: ThemeTree,
                 pseudonymised: bool = False) -> None:
    """Write quotes as ``fmt``; ``tree`` gives the theme headings (pseudonymised with the quotes)."""
    if fmt == "md":
        path.write_text(quotes_markdown(quotes, title, tree, pseudonymised), encoding="utf-8")
    elif fmt == "csv":
        from framework.export.csv import write_csv

        write_csv(path, QUOTE_COLUMNS, [
            [q.theme_id, q.theme_path, q.case, q.attribution, q.extract.quote, q.extract.reference,
             q.extract.document, *((q.extract.line_start, q.extract.line_end) if q.extract.reference else ("", "")),
             q.extract.memo, q.extract.coder]
            for q in quotes
        ])
    elif fmt == "docx":
        write_quotes_docx(quotes, title, tree, path, pseudonymised)
    else:
        raise InputError(f"quotes format {fmt!r}: choose one of {', '.join(QUOTE_FORMATS)}.")


def export_quotes(
    store: Store, layer: str, theme_id: str, *, fmt: str = "md", pattern: str = DEFAULT_PATTERN,
    out: Path | None = None, directory: Path | None = None, force: bool = False,
    key: Pseudonymiser | None = None, coder: str | None = None, refs: str | None = None,
) -> tuple[Path, int]:
    """Write the quotes of a theme; returns the file and the number of quotes.

    ``out`` is the file to write (numbered if it exists and ``force`` is off); without it
    ``quotes_<id>.<fmt>`` in ``directory``. ``key`` pseudonymises everything written (and the
    file is checked for the key's terms before it gets its name); ``refs`` is how references
    are written. The export is logged, as ``coder`` (default ``export``).
    """
    if fmt not in QUOTE_FORMATS:
        raise InputError(f"quotes format {fmt!r}: choose one of {', '.join(QUOTE_FORMATS)}.")
    if out is not None and not out.is_dir():
        folder, name = out.parent, out.name
    else:
        folder, name = out or directory or Path("."), f"quotes_{safe_stem(theme_id)}.{fmt}"
    check_key(key, store, folder)
    check_theme_ids([theme_id], key)
    if key is not None and key.matches(name):
        raise InputError(f"{name}: the file name holds {key.matches(name)[0].term!r}, a term of the pseudonym key; "
                         "give the export another name.")
    quotes = collect_quotes(store, layer, theme_id, pattern, key=key, refs=refs)
    tree = ThemeTree.from_store(store)
    if key is not None:
        tree = pseudonymise_tree(tree, key)
    theme = tree.themes[theme_id]
    title = f"Quotes: {theme.id} {theme.label} ({key.apply(layer) if key is not None else layer})"
    with staged(key):
        path = write_file(folder, name, force, lambda p: write_quotes(quotes, fmt, p, title, tree, key is not None))
    log_export(store, coder, fmt, [path], key, export="quotes", layer=layer, theme=theme_id, pattern=pattern)
    return path, len(quotes)
