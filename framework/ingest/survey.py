"""Bringing survey exports into a project: one case per respondent, one document per answer.

Exports from survey tools are read as they come. Qualtrics writes three header rows (the
column names, the question texts, and import ids such as ``{"ImportId":"QID2_TEXT"}``),
SurveyMonkey two (the question texts, then each column's answer option or "Open-Ended
Response"); both are recognised (:func:`survey_layout`), their question texts kept with
the answers and the extra rows never taken for respondents. Every respondent becomes a case
with its attributes, including those who left every free-text question blank. Columns of
personal data that survey tools add (names, e-mail and IP addresses, locations) are left out
unless asked for.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from framework.errors import InputError
from framework.ingest.documents import ImportReport, source_label, write_documents
from framework.ingest.tables import Table, read_table
from framework.ingest.text import LINE_BREAKS, normalise_newlines
from framework.reports import Progress, problem_list
from framework.store import NewDocument, Store
from framework.store.questions import answer_units

_MIN_TEXT_LEN = 25
_IMPORT_ID = re.compile(r'^\{\s*"ImportId"\s*:')
_QUALTRICS_TEXT = re.compile(r'"ImportId"\s*:\s*"QID\d+_TEXT"')
_SUBHEADINGS = {"", "response", "open-ended response"}
_OPEN = "open-ended response"

ID_NAMES = ("id", "respondent", "respondent_id", "responseid", "response_id", "record_id", "participant_id",
            "participant", "case", "case_id")
"""Column names (lower case, spaces as ``_``) taken for the respondent id without ``--id``."""

PERSONAL = {"ipaddress", "recipientlastname", "recipientfirstname", "recipientemail", "emailaddress", "email",
            "firstname", "lastname", "locationlatitude", "locationlongitude"}
"""Columns of personal data survey tools add (letters only, lower case), left out unless kept."""


@dataclass
class SurveyLayout:
    """How a survey table is laid out: which tool wrote it, how many header rows follow the
    first, the name to use for each column and its question text."""

    tool: str = ""
    header_rows: int = 0
    names: dict[str, str] = field(default_factory=dict)
    """Column (as read) -> the name used for it: an attribute's name, or the question."""
    questions: dict[str, str] = field(default_factory=dict)
    """Column -> the question's text, where the export gives one."""
    free_text: set[str] = field(default_factory=set)
    """Columns the tool itself marks as free-text answers."""

    def name(self, column: str) -> str:
        return self.names.get(column, column)

    def question(self, column: str) -> str:
        return self.questions.get(column) or self.name(column)


def survey_layout(table: Table) -> SurveyLayout:
    """Recognise a Qualtrics or SurveyMonkey export from the rows below its header."""
    rows = table.rows
    if len(rows) >= 2 and _is_import_id_row(rows[1]):
        return _qualtrics(table, header_rows=2)
    if rows and any(c.replace(" ", "").casefold() in ("responseid", "v1") for c in table.columns) and any(
        rows[0].get(c, "").replace(" ", "").casefold() == "responseid" for c in table.columns
    ):
        return _qualtrics(table, header_rows=1)
    first = table.columns[0] if table.columns else ""
    if rows and first.casefold() == "respondent id" and not rows[0][first].strip() and any(
        v.strip() for v in rows[0].values()
    ):
        return _surveymonkey(table)
    return SurveyLayout()


def _is_import_id_row(row: dict[str, str]) -> bool:
    values = [v.strip() for v in row.values() if v.strip()]
    return bool(values) and all(_IMPORT_ID.match(v) for v in values)


def _qualtrics(table: Table, header_rows: int) -> SurveyLayout:
    texts = table.rows[0]
    layout = SurveyLayout("Qualtrics", header_rows)
    for column in table.columns:
        text = " ".join(texts[column].split())
        if text and text != column:
            layout.questions[column] = text
        if header_rows == 2 and _QUALTRICS_TEXT.search(table.rows[1][column]):
            layout.free_text.add(column)
    return layout


def _surveymonkey(table: Table) -> SurveyLayout:
    """Questions over several columns have their text over the first only and the options below."""
    subheads = table.rows[0]
    layout = SurveyLayout("SurveyMonkey", 1)
    question = ""
    used: set[str] = set()
    for column in table.columns:
        if not re.fullmatch(r"column [A-Z0-9]+", column):
            question = " ".join(column.split())
        sub = " ".join(subheads[column].split())
        name = question if sub.casefold() in _SUBHEADINGS else f"{question} - {sub}"
        base, n = name, 1
        while name.casefold() in used:
            n += 1
            name = f"{base} ({n})"
        used.add(name.casefold())
        layout.names[column] = name
        layout.questions[column] = name
        if sub.casefold() == _OPEN:
            layout.free_text.add(column)
    return layout


# -- which columns are what ----------------------------------------------------------------------


DETECT_ROWS = 5000
"""Rows looked at to tell free-text columns from the others."""


def detect_text_columns(table: Table, exclude: Iterable[str] = (), *, skip_rows: int = 0) -> list[str]:
    """Columns that hold free text: long, varied answers with spaces (in the first rows)."""
    skip = set(exclude)
    rows = table.rows[skip_rows : skip_rows + DETECT_ROWS]
    found = []
    for column in table.columns:
        if column in skip:
            continue
        values = [v for r in rows if (v := r[column].strip())]
        if not values:
            continue
        mean = sum(len(v) for v in values) / len(values)
        spaced = sum(1 for v in values if " " in v) / len(values)
        distinct = len(set(values)) / len(values)
        if mean >= _MIN_TEXT_LEN and spaced >= 0.5 and distinct >= 0.5:
            found.append(column)
    return found


def _id_candidates(table: Table, layout: SurveyLayout) -> tuple[list[str], list[str]]:
    """Columns named as respondent ids (``respondent_id``, ``ResponseId``...), and weaker ones
    that only end in ``_id``."""
    strong, weak = [], []
    for column in table.columns:
        name = re.sub(r"[\s-]+", "_", layout.name(column).strip().lower())
        if name in ID_NAMES or name.replace("_", "") in ID_NAMES:
            strong.append(column)
        elif name.endswith("_id"):
            weak.append(column)
    return strong, weak


def _resolve(table: Table, layout: SurveyLayout, wanted: str, option: str) -> str:
    """The column a user named: by its name in the file, the name used for it or its question
    (exactly, then ignoring case)."""
    folded = wanted.casefold()
    for fits in (lambda c: wanted in (c, layout.name(c), layout.question(c)),
                 lambda c: folded in (c.casefold(), layout.name(c).casefold(), layout.question(c).casefold())):
        found = [c for c in table.columns if fits(c)]
        if found:
            return found[0]
    names = ", ".join(layout.name(c) for c in table.columns)
    raise InputError(f"{table.path}: there is no column {wanted!r} ({option}); columns are: {names}.")


@dataclass(frozen=True)
class _Ids:
    column: str | None
    ids: list[str]
    notes: list[str]


def _respondent_ids(table: Table, layout: SurveyLayout, id_column: str | None, row_ids: bool) -> _Ids:
    rows = table.rows[layout.header_rows:]
    numbers = table.row_numbers[layout.header_rows:]
    path = table.path
    if row_ids:
        return _Ids(None, [f"r{i + 1:05d}" for i in range(len(rows))], [])
    notes: list[str] = []
    chosen = id_column
    if chosen is None:
        strong, weak = _id_candidates(table, layout)
        unique = [c for c in strong + weak if _all_unique(rows, c)]
        if unique:
            chosen = unique[0]
        elif strong:
            chosen = strong[0]  # its problems are reported below
        else:
            notes.append("no respondent id column found: respondents are numbered r00001, r00002, ... by row "
                         "(name the id column with --id)")
            return _Ids(None, [f"r{i + 1:05d}" for i in range(len(rows))], notes)
    problems: list[str] = []
    seen: dict[str, int] = {}
    ids: list[str] = []
    label = layout.name(chosen)
    for row, number in zip(rows, numbers):
        rid = row[chosen].strip()
        if not rid:
            problems.append(f"{path}: row {number}: the id column {label!r} is empty.")
        elif rid in seen:
            problems.append(f"{path}: row {number}: id {rid!r} is also on row {seen[rid]}; ids must be unique.")
        seen.setdefault(rid, number)
        ids.append(rid)
    if problems:
        how = ("" if id_column else
               f" The column {label!r} was taken for the respondent ids: fix the file, choose another "
               "column with --id COLUMN, or number respondents by row with --row-ids.")
        raise InputError(problem_list(problems, "nothing was imported") + how)
    return _Ids(chosen, ids, notes)


def _all_unique(rows: Sequence[dict[str, str]], column: str) -> bool:
    values = [r[column].strip() for r in rows]
    return all(values) and len(set(values)) == len(values)


def _personal(column: str, layout: SurveyLayout) -> bool:
    return re.sub(r"[^a-z]", "", layout.name(column).casefold()) in PERSONAL


# -- question maps ----------------------------------------------------------------------------------


def load_question_map(path: Path) -> dict[str, str]:
    """A ``question: theme-id`` map from YAML or CSV (columns question, theme)."""
    import yaml

    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise InputError(f"{path}: cannot read the question map ({exc}).") from exc
        if not isinstance(data, dict):
            raise InputError(f"{path}: the question map must be 'question: theme-id' pairs.")
        return {str(k).strip(): str(v).strip() for k, v in data.items()}
    table = read_table(path)
    lower = {c.lower(): c for c in table.columns}
    if "question" not in lower or "theme" not in lower:
        raise InputError(f"{path}: the question map needs columns 'question' and 'theme'.")
    return {r[lower["question"]].strip(): r[lower["theme"]].strip() for r in table.rows}


_ODD_BREAKS = re.compile(f"[{re.escape(LINE_BREAKS)}\ufeff]")
"""Characters :func:`~framework.ingest.text.normalise_newlines` changes; most answers have none."""


# -- importing ----------------------------------------------------------------------------------------


@dataclass
class _Plan:
    """What an import will write, once everything has been checked."""

    ids: list[str]
    columns: list[str]
    attributes: list[str]
    themes_for: dict[str, str]
    notes: list[str]


def import_survey(
    store: Store,
    path: Path,
    *,
    root: Path | None = None,
    id_column: str | None = None,
    text_columns: Sequence[str] | None = None,
    question_map: dict[str, str] | None = None,
    coder: str = "import",
    progress: Progress | None = None,
    row_ids: bool = False,
    keep_personal: bool = False,
) -> ImportReport:
    """Import a survey export: one case per respondent, one document per free-text answer.

    Everything is checked before anything is written, and everything is written in one
    transaction: the respondents (cases) with their attributes, the answers (documents), and
    with ``question_map`` each answer coded with its question's theme.
    """
    with _no_collection_pauses():
        table = read_table(path, unnamed=True)
        layout = survey_layout(table)
        plan = _plan(store, table, layout, id_column, text_columns, question_map, row_ids, keep_personal)
        rows = table.rows[layout.header_rows:]
        prepared, silent = _read_answers(path, source_label(path, root), layout, plan, rows, progress)
        respondents = len(rows)
        with store.write():
            case_ids = _write_respondents(store, layout, plan, rows)
            del table, rows  # the answers are in `prepared`: the rest of the table goes before they are written
            report = write_documents(store, prepared, coder=coder, progress=progress, case_ids=case_ids)
            if plan.themes_for:
                report.coded = _autocode(store, coder, prepared, report, {
                    layout.question(c): t for c, t in plan.themes_for.items()})
    report.warnings.extend(plan.notes)
    if silent:
        report.warnings.append(f"{silent} of {respondents} respondents answered no free-text question; "
                               "they are cases with their attributes all the same")
    return report


@contextlib.contextmanager
def _no_collection_pauses() -> Iterator[None]:
    """Hold the cyclic garbage collector while a large survey is read into objects that hold no
    cycles: otherwise it walks every row again and again, and the import takes three times as long."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _read_answers(path: Path, source: str, layout: SurveyLayout, plan: _Plan, rows: Sequence[dict[str, str]],
                  progress: Progress | None) -> tuple[list[tuple[Path, NewDocument]], list[tuple[str, dict[str, str]]], int]:
    """The answers as documents to write, and how many respondents answered no free-text question."""
    columns = [(column, f"q{n}", f"{source}#{layout.name(column)}", layout.question(column))
               for n, column in enumerate(plan.columns, start=1)]
    prepared: list[tuple[Path, NewDocument]] = []
    silent = 0
    sha256 = hashlib.sha256
    for i, (rid, row) in enumerate(zip(plan.ids, rows)):
        if progress and i % 5000 == 0:
            progress(i, len(rows), "reading answers")
        answered = False
        for column, key, doc_source, question in columns:
            answer = row[column]
            if not answer or answer.isspace():
                continue
            if _ODD_BREAKS.search(answer):
                answer = normalise_newlines(answer)
            answer = answer.strip()
            answered = True
            prepared.append((path, NewDocument(
                name=f"{rid}.{key}", case=rid, kind="survey", source=doc_source, text=answer,
                sha256=sha256(answer.encode("utf-8")).hexdigest(), encoding=None, format="survey",
                units=answer_units(answer), question=question,
            )))
        silent += not answered
    return prepared, silent


def _plan(store: Store, table: Table, layout: SurveyLayout, id_column: str | None,
          text_columns: Sequence[str] | None, question_map: dict[str, str] | None, row_ids: bool,
          keep_personal: bool) -> _Plan:
    """Check the table and the options; raise one error naming every problem."""
    path = table.path
    notes: list[str] = []
    if layout.tool == "Qualtrics":
        ids_row = "; skipped the import ids of row 3" if layout.header_rows == 2 else ""
        notes.append(f"Qualtrics export: took the question texts from row 2{ids_row} (neither is a respondent)")
    elif layout.tool:
        notes.append(f"{layout.tool} export: took the answer options of row 2 into the column names "
                     "(it is not a respondent)")
    if id_column is not None:
        id_column = _resolve(table, layout, id_column, "--id")
    ids = _respondent_ids(table, layout, id_column, row_ids)
    notes.extend(ids.notes)
    problems: list[str] = []
    if text_columns:
        columns = []
        for wanted in text_columns:
            try:
                columns.append(_resolve(table, layout, wanted, "--text-columns"))
            except InputError as exc:
                problems.append(str(exc))
    else:
        exclude = [ids.column] if ids.column else []
        columns = detect_text_columns(table, exclude, skip_rows=layout.header_rows)
        hinted = [c for c in table.columns if c in layout.free_text and c not in columns and c not in exclude
                  and any(r[c].strip() for r in table.rows[layout.header_rows:])]
        columns = [c for c in table.columns if c in columns or c in hinted]
        if not columns:
            problems.append(f"{path}: found no free-text column; name them with --text-columns "
                            f"(columns are: {', '.join(layout.name(c) for c in table.columns)}).")
    themes_for = _question_themes(store, layout, columns, question_map or {}, problems)
    if problems:
        raise InputError(problem_list(problems, "nothing was imported"))
    others = [c for c in table.columns if c not in columns and c != ids.column]
    personal = [c for c in others if _personal(c, layout)] if not keep_personal else []
    if personal:
        notes.append(f"left out {len(personal)} column(s) of personal data: "
                     f"{', '.join(layout.name(c) for c in personal)} (--keep-personal keeps them)")
    attributes = [c for c in others if c not in personal]
    return _Plan(ids.ids, columns, attributes, themes_for, notes)


def _question_themes(store: Store, layout: SurveyLayout, columns: Sequence[str], question_map: dict[str, str],
                     problems: list[str]) -> dict[str, str]:
    themes_for: dict[str, str] = {}
    for n, column in enumerate(columns, start=1):
        theme_id = (question_map.get(column) or question_map.get(layout.name(column))
                    or question_map.get(layout.question(column)) or question_map.get(f"q{n}"))
        if theme_id:
            theme = store.themes.find(theme_id)
            if theme is None:
                problems.append(f"question map: theme {theme_id!r} (for {layout.name(column)!r}) is not in the framework.")
            elif theme.archived:
                problems.append(f"question map: theme {theme_id!r} (for {layout.name(column)!r}) is archived.")
            themes_for[column] = theme_id
    return themes_for


def _write_respondents(store: Store, layout: SurveyLayout, plan: _Plan,
                       rows: Sequence[dict[str, str]]) -> dict[str, int]:
    """Every respondent as a case with its attributes (inside the import's transaction); their ids."""
    case_ids = store.cases.ensure_many(plan.ids)
    attributes = [(a, layout.name(a)) for a in plan.attributes]
    if not attributes:
        return case_ids
    store.cases.ensure_attributes([name for _, name in attributes])
    store.cases.set_attributes_many(
        (case_ids[rid], name, row[a].strip()) for rid, row in zip(plan.ids, rows) for a, name in attributes
    )
    return case_ids


def _autocode(store: Store, coder: str, prepared: Sequence[tuple[Path, NewDocument]], report: ImportReport,
              themes_for: dict[str, str]) -> int:
    """Code each answer of the file, whole, with its question's theme (those imported before
    too; answers the coder has coded so already are left): one undoable action per theme."""
    from framework.coding.actions import code_whole

    added = set(report.added) | set(report.updated) | set(report.unchanged)
    by_theme: dict[str, list[str]] = {}
    for _, doc in prepared:
        theme_id = themes_for.get(doc.question or "")
        if theme_id and doc.name in added:
            by_theme.setdefault(theme_id, []).append(doc.name)
    coded = 0
    for theme_id, names in by_theme.items():
        ids = [d.id for d in store.documents.by_names(names).values()]
        coded += code_whole(store, coder, ids, theme_id, how="import").added
    return coded

