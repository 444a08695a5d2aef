"""Exporting from the interface, computed without Textual: what the export dialog offers,
and the export itself (run in a thread worker), ending in the sentence that says where
the file is.

The matrix offers the charts it shows (one chart, or all of them) and the quotes of the
theme under the cursor, in the layer shown; the pseudonym key is the one remembered for
the project (see :mod:`framework.views.pseudonyms`) unless another is typed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from framework.confidentiality.key import Pseudonymiser
from framework.export.charts import export_charts
from framework.export.common import numbered_from
from framework.export.options import FORMATS, QUOTE_FORMATS
from framework.export.quotes import export_quotes
from framework.project import Project
from framework.views.pseudonyms import KEY_SETTING, check_key_choice, display_path, resolve_key_path, saved_key_path

CHARTS, QUOTES = "charts", "quotes"


@dataclass(frozen=True)
class ExportChoices:
    """What the export dialog offers from where the user is."""

    layer: str
    chart_ids: tuple[str, ...]
    """The charts shown (one, or every one)."""
    charts_title: str
    group_by: tuple[str, ...] = ()
    quote_theme: str | None = None
    """The theme under the cursor, whose quotes can be exported."""
    quote_title: str = ""
    key: str = ""
    """The remembered pseudonym key as shown ("" for none)."""
    attributes: tuple[str, ...] = ()

    def formats(self, what: str) -> tuple[str, ...]:
        return QUOTE_FORMATS if what == QUOTES else FORMATS


@dataclass(frozen=True)
class ExportRequest:
    """What to export, as chosen in the dialog."""

    what: str
    fmt: str
    layer: str
    theme_ids: tuple[str, ...]
    group_by: tuple[str, ...] = ()
    key: str = ""
    """The pseudonym key file as typed ("" for none)."""
    skip_empty: bool = False
    label: str | None = None
    """The attribute that names the cases (charts' rows, quotes' attribution)."""


@dataclass(frozen=True)
class ExportDone:
    """What was written, and the sentence that says so."""

    paths: tuple[Path, ...]
    message: str


def export_choices(project: Project, layer: str, chart_ids: list[str], charts_title: str, *,
                   group_by: tuple[str, ...] = (), quote_theme: str | None = None,
                   quote_title: str = "") -> ExportChoices:
    """The dialog's choices: the charts shown, the theme under the cursor, the remembered key."""
    key = saved_key_path(project)
    attributes = tuple(a.name for a in project.store.cases.attributes())
    return ExportChoices(layer, tuple(chart_ids), charts_title, group_by, quote_theme, quote_title,
                         display_path(project, key) if key is not None else "", attributes)


def check_key(project: Project, value: str) -> str:
    """A typed key path, checked ("" for no key): it must not be kept in ``exports/``."""
    return check_key_choice(project, value) if value.strip() else ""


def run_export(project: Project, request: ExportRequest, coder: str | None) -> ExportDone:
    """Export as requested into the project's ``exports/`` folder, pseudonymised with the key
    if one is given (and then remembered for the project)."""
    key = None
    if request.key.strip():
        value = check_key_choice(project, request.key)
        key = Pseudonymiser.load(resolve_key_path(project, value))
        if project.settings().get(KEY_SETTING) != value:
            project.save_setting(KEY_SETTING, value)
    store, folder = project.store, project.exports_dir
    if request.what == QUOTES:
        pattern = f"[{{{request.label}}}]" if request.label else "[{case}]"
        path, count = export_quotes(store, request.layer, request.theme_ids[0], fmt=request.fmt, pattern=pattern,
                                    directory=folder, key=key, coder=coder)
        paths = (path,)
        what = f"{count} quote{'s' if count != 1 else ''} to "
    else:
        paths = tuple(export_charts(store, request.layer, request.fmt, folder, theme_ids=list(request.theme_ids),
                                    group_by=request.group_by, key=key, coder=coder,
                                    skip_empty=request.skip_empty, label=request.label))
        what = ""
    return ExportDone(paths, _said(project, paths, what, key))


def _said(project: Project, paths: tuple[Path, ...], what: str, key: Pseudonymiser | None) -> str:
    """``Wrote exports/charts (2).xlsx in /study (charts.xlsx is kept), pseudonymised with ...``."""
    names = ", ".join(_shown(project, p) for p in paths)
    text = f"Wrote {what}{names} in {project.root.resolve()}"
    kept = [k.name for k in map(numbered_from, paths) if k is not None]
    if kept:
        text += f" ({', '.join(kept)} already there and kept)"
    if key is not None and key.path is not None:
        text += f"; pseudonymised with {display_path(project, Path(key.path))}"
    return text


def _shown(project: Project, path: Path) -> str:
    try:
        return os.path.relpath(path, project.root)
    except ValueError:
        return str(path)
