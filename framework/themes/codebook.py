"""Codebooks: the thematic framework as a table (CSV or Markdown), out and in.

Columns: id, parent, path (labels from the root joined by " > "), label,
description, include, exclude, colour. A CSV codebook is written with a byte-order
mark so spreadsheets open it as UTF-8, and cells that a spreadsheet would run as a
formula get a leading apostrophe, which the reader removes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

from framework.errors import InputError
from framework.fileio import write_atomic
from framework.themes.model import CODEBOOK_COLUMNS, MAX_DEPTH, FlatTheme, ThemeFile, ThemeSpec, quote
from framework.themes.validate import colour_problem, id_problem, read_text, suggest_key

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _rows(themes: ThemeFile | Sequence[FlatTheme]) -> list[FlatTheme]:
    return themes.flat() if isinstance(themes, ThemeFile) else list(themes)


def _codebook_row(row: FlatTheme) -> list[str]:
    return [row.id, row.parent_id or "", " > ".join(row.path), row.label, row.description,
            row.include, row.exclude, row.colour]


def _put(out: Path | str | IO[str], text: str, bom: bool) -> None:
    if hasattr(out, "write"):
        out.write(text)  # type: ignore[union-attr]
    else:
        write_atomic(Path(out), (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))


def write_codebook_csv(themes: ThemeFile | Sequence[FlatTheme], out: Path | str | IO[str]) -> None:
    """One row per theme (columns ``CODEBOOK_COLUMNS``), depth-first. Written to a path, the
    file is UTF-8 with a byte-order mark so spreadsheets read it right; a cell that a
    spreadsheet would take for a formula gets a leading ``'`` (removed again on reading)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CODEBOOK_COLUMNS)
    for row in _rows(themes):
        writer.writerow([_cell(cell) for cell in _codebook_row(row)])
    _put(out, buffer.getvalue(), bom=True)


def _md_cell(text: str) -> str:
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
    return "<br>".join(line.strip() for line in text.replace("\r\n", "\n").split("\n"))


def write_codebook_markdown(themes: ThemeFile | Sequence[FlatTheme],
                            out: Path | str | IO[str]) -> None:
    """The codebook as a Markdown table with the same columns as the CSV."""
    name = themes.name if isinstance(themes, ThemeFile) else None
    lines = [f"# Codebook: {name}" if name else "# Codebook", "",
             "| " + " | ".join(CODEBOOK_COLUMNS) + " |",
             "|" + "---|" * len(CODEBOOK_COLUMNS)]
    for row in _rows(themes):
        lines.append("| " + " | ".join(_md_cell(cell) for cell in _codebook_row(row)) + " |")
    _put(out, "\n".join(lines) + "\n", bom=False)


_CSV_COLUMNS = {"id": "id", "label": "label", "parent": "parent", "parent_id": "parent",
                "description": "description", "include": "include", "exclude": "exclude",
                "colour": "colour", "path": "path"}


def read_codebook_csv(path: Path) -> list[ThemeSpec]:
    """Themes from a codebook CSV (as ``write_codebook_csv`` writes, or made in a spreadsheet):
    columns id and label, and optionally parent (or parent_id), description, include, exclude,
    colour; a path column is ignored. Returns the top-level themes with their children, in row
    order; every problem is raised at once as ``InputError`` naming the rows."""
    path = Path(path)
    text, _bom, problem = read_text(path)
    if problem is not None:
        raise InputError(str(problem))
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if "," not in header_line and ";" in header_line else (
        "\t" if "," not in header_line and "\t" in header_line else ",")
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if not records or not any(cell.strip() for cell in records[0]):
        raise InputError(f"{path}: the file is empty; the first row must name the columns "
                         f"(id, label, parent, description, include, exclude, colour)")
    problems: list[str] = []
    columns: list[str | None] = []
    for cell in records[0]:
        name = cell.strip().lower()
        if name in _CSV_COLUMNS and _CSV_COLUMNS[name] not in columns:
            columns.append(_CSV_COLUMNS[name])
        elif name in _CSV_COLUMNS:
            problems.append(f'row 1: column "{cell.strip()}" appears twice; keep one')
            columns.append(None)
        else:
            allowed = [c for c in _CSV_COLUMNS if c != "path"]
            problems.append(f"row 1: unknown column {quote(cell.strip())}; "
                            f"{suggest_key(name, allowed)}allowed columns are {', '.join(allowed)}")
            columns.append(None)
    for required in ("id", "label"):
        if required not in columns:
            problems.append(f'row 1: there is no "{required}" column; add one')
    if problems:
        raise InputError(f"{path}: " + f"\n{path}: ".join(problems))

    rows: list[tuple[int, dict[str, str]]] = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(columns):
            problems.append(f"row {number}: has more cells than the first row has columns; "
                            f"check for a stray comma")
            continue
        cells = {name: _uncell(cell) for name, cell in zip(columns, record) if name}
        rows.append((number, cells))
    specs, parents, row_of = _codebook_specs(rows, problems)
    if problems:
        raise InputError(f"{path}: " + f"\n{path}: ".join(problems))
    return _build_tree(specs, parents, row_of, path)


def _cell(text: str) -> str:
    """A CSV cell that no spreadsheet runs as a formula: ``'`` before a risky first character
    (and before a ``'`` that would otherwise be taken for that mark)."""
    return "'" + text if text.startswith(_FORMULA_START) or _uncell(text) != text else text


def _uncell(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(_FORMULA_START + ("'",)) else cell


def _codebook_specs(rows: list[tuple[int, dict[str, str]]], problems: list[str]
                    ) -> tuple[dict[str, ThemeSpec], dict[str, str], dict[str, int]]:
    specs: dict[str, ThemeSpec] = {}
    parents: dict[str, str] = {}
    row_of: dict[str, int] = {}
    for number, cells in rows:
        theme_id = cells.get("id", "").strip()
        label = cells.get("label", "")
        colour = cells.get("colour", "").strip() or None
        found = [id_problem(theme_id)]
        if not label.strip():
            found.append("the label is empty; write a short name")
        if colour:
            found.append(colour_problem(colour))
        if theme_id in row_of:
            found.append(f"the id is already used in row {row_of[theme_id]}; "
                         f"give each theme its own id")
        elif theme_id:
            row_of[theme_id] = number
        where = f"row {number}" + (f" (id {quote(theme_id)})" if theme_id else "")
        problems.extend(f"{where}: {message}" for message in found if message)
        if any(found):
            continue
        parents[theme_id] = cells.get("parent", "").strip()
        specs[theme_id] = ThemeSpec(
            id=theme_id, label=label, description=cells.get("description", ""),
            include=cells.get("include", ""), exclude=cells.get("exclude", ""), colour=colour)
    for theme_id, parent in parents.items():
        if parent and parent not in row_of:
            problems.append(f"row {row_of[theme_id]} (id {quote(theme_id)}): parent "
                            f"{quote(parent)} is not the id of any row; add a row for it or "
                            f"correct the parent")
    return specs, parents, row_of


def _build_tree(specs: dict[str, ThemeSpec], parents: dict[str, str], row_of: dict[str, int],
                path: Path) -> list[ThemeSpec]:
    children: dict[str, list[str]] = {}
    for theme_id, parent in parents.items():
        children.setdefault(parent, []).append(theme_id)
    placed: set[str] = set()

    def build(theme_id: str, depth: int) -> ThemeSpec:
        placed.add(theme_id)
        if depth > MAX_DEPTH:
            raise InputError(f"{path}: row {row_of[theme_id]}: themes are nested more than "
                             f"{MAX_DEPTH} levels deep; move some of them up")
        kids = tuple(build(kid, depth + 1) for kid in children.get(theme_id, ()))
        return replace(specs[theme_id], children=kids)

    roots = [build(theme_id, 1) for theme_id in children.get("", ())]
    stranded = [theme_id for theme_id in specs if theme_id not in placed]
    if stranded:
        listed = ", ".join(f"row {row_of[t]} (id {quote(t)})" for t in stranded)
        raise InputError(f"{path}: {listed}: these themes are their own ancestors (the parents "
                         f"go round in a circle); give one of them another parent or none")
    return roots


# -- bringing a codebook into an existing framework -------------------------------------------------


@dataclass
class CodebookMerge:
    """How the themes of an imported codebook go into the project's framework.

    ``ids`` maps each id in the codebook to the project's id for it; ``adds`` are the new
    themes (without children) with the id of the theme they go under; ``mapped`` and
    ``renamed`` say, one line each, which codes became existing themes and which got a new
    id because theirs was taken."""

    ids: dict[str, str] = field(default_factory=dict)
    adds: list[tuple[ThemeSpec, str | None]] = field(default_factory=list)
    mapped: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)


def next_id(parent_id: str | None, taken: set[str]) -> str:
    """The next free id: ``max top-level number + 1``, or ``<parent>.<n>``."""
    if parent_id is None:
        n = max((int(t) for t in taken if t.isdigit()), default=0) + 1
        while str(n) in taken:
            n += 1
        return str(n)
    n = 1
    while f"{parent_id}.{n}" in taken:
        n += 1
    return f"{parent_id}.{n}"


def merge_codebook(specs: Sequence[ThemeSpec], existing: Sequence[FlatTheme], *,
                   on_clash: str = "rename", source: str = "the codebook") -> CodebookMerge:
    """Match ``specs`` (a codebook's tree) against the ``existing`` themes.

    A code is an existing theme when its id, label and parent agree, or when a theme with
    the same labels from the top (``Staffing > Vacancies``) exists. Otherwise it is new: it
    keeps its id when that is free (under a renumbered parent, the parent's new number
    leads), else it gets the next free id under its parent (``on_clash="rename"``) or the
    whole import is refused with every clash listed (``on_clash="refuse"``)."""
    by_id = {t.id: t for t in existing}
    by_path = {tuple(t.path): t.id for t in existing}
    taken = set(by_id)
    merge = CodebookMerge()
    clashes: list[str] = []

    def visit(spec: ThemeSpec, file_parent: str | None, parent: str | None, path: tuple[str, ...]) -> None:
        here = path + (spec.label,)
        old = by_id.get(spec.id)
        if old is not None and old.label == spec.label and old.parent_id == parent:
            final = spec.id
        elif here in by_path:
            final = by_path[here]
            merge.mapped.append(f"{spec.id} {spec.label!r} is the project's theme {final}")
        else:
            wanted = spec.id
            if file_parent is not None and parent != file_parent and spec.id.startswith(file_parent + "."):
                wanted = f"{parent}{spec.id[len(file_parent):]}"
            final = wanted if wanted not in taken else next_id(parent, taken)
            if wanted in taken:
                holder = by_id.get(wanted)
                why = f"taken by {holder.label!r}" if holder else "used twice"
                clashes.append(f"{spec.id} {spec.label!r}: id {wanted} is {why}")
                merge.renamed.append(f"{spec.id} {spec.label!r}: id {wanted} is {why}; imported as {final}")
            elif final != spec.id:
                merge.renamed.append(f"{spec.id} {spec.label!r}: imported as {final} under {parent}")
            taken.add(final)
            merge.adds.append((replace(spec, id=final, children=()), parent))
        merge.ids[spec.id] = final
        for child in spec.children:
            visit(child, spec.id, final, here)

    for spec in specs:
        visit(spec, None, None, ())
    if clashes and on_clash == "refuse":
        raise InputError(f"{source}: {len(clashes)} code(s) have ids already used by other themes: "
                         + "; ".join(clashes) + ". Rename them, or import with --on-clash rename. Nothing was changed.")
    return merge
