"""The coding workbench: ``FrameworkApp``, built by ``make_app`` for the command line and the tests."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.message_pump import MessagePump
from textual.reactive import reactive
from textual.widgets import TextArea
from textual.worker import Worker, WorkerState

from framework.coding.actions import check_coder
from framework.errors import FrameworkError
from framework.project import Project
from framework.store import people
from framework.tui.commands import ActionsProvider
from framework.tui.dialogs.common import TextPrompt
from framework.tui.messages import ProjectChanged
from framework.tui.shared import CellTarget, EditorResult
from framework.tui.writes import WriteGate
from framework.views.catalog import ThemeCatalog, push_recent
from framework.views.exporting import ExportChoices, ExportDone, ExportRequest, export_choices, run_export
from framework.views.workbench import load_catalog, recent_themes, save_recent

T = TypeVar("T")

BACKUP_CHECK_S = 600
"""How often (seconds) a running session checks whether an hourly backup is due."""
NOTES_SHOWN = 8
"""How many of the project's opening notes are listed; the rest are counted."""
CHANGES_CHECK_S = 1.0
"""How often (seconds) a running session looks whether another process changed the project."""


@dataclass
class Started(Message):
    """The framework and the coder's recent themes are loaded."""

    catalog: ThemeCatalog
    coders: list[str]
    recent: list[str]
    name: str


@dataclass
class UsageLoaded(Message):
    """Project-wide counts per theme: (codings, cases)."""

    usage: dict[str, tuple[int, int]]


@dataclass
class RecentLoaded(Message):
    coder: str
    recent: list[str]


@dataclass
class ExportOffered(Message):
    """What the export dialog can offer from where the user is."""

    choices: ExportChoices


@dataclass
class Exported(Message):
    """An export was written."""

    done: ExportDone


class DataChanged(Message):
    """The project database was changed by another process since the last look."""


@dataclass
class CatalogLoaded(Message):
    """The themes, read again after another process changed the project."""

    catalog: ThemeCatalog


class FrameworkApp(App[None]):
    """Read transcripts and code them from the keyboard; every action is saved at once."""

    CSS_PATH = "app.tcss"
    TITLE = "framework"
    COMMANDS = App.COMMANDS | {ActionsProvider}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide"), (140, "-very-wide")]
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help", tooltip="List every key"),
        Binding("C", "switch_coder", "Coder", show=False, id="app.coder", tooltip="Switch to another coder"),
        Binding("M", "analysis('matrix')", "Matrix", show=False, id="app.matrix",
                tooltip="Framework charts: cases by themes, with summaries"),
        Binding("P", "analysis('mapping')", "Mapping", show=False, id="app.mapping",
                tooltip="How many cases raised each theme, by an attribute"),
        Binding("A", "analysis('agreement')", "Agreement", show=False, id="app.agreement",
                tooltip="Inter-coder agreement per theme"),
        Binding("R", "analysis('review')", "Review", show=False, id="app.review",
                tooltip="Review coders' disagreements and agree a consensus coding"),
        Binding("K", "analysis('pseudonyms')", "Pseudonyms", show=False, id="app.pseudonyms",
                tooltip="Edit the pseudonym key: names to replace in exports"),
        Binding("S", "answers", "Answers", show=False, id="app.answers",
                tooltip="Survey answers, one question at a time: read, mark and code them"),
        Binding("f2", "toggle_dark", "Light/dark", show=False, id="app.toggle_dark",
                tooltip="Switch between a light and a dark theme"),
    ]

    coder: reactive[str] = reactive("", init=False)
    """Who is coding (empty until chosen)."""
    show_others: reactive[bool] = reactive(False, init=False)
    """Show other coders' codings beside the current coder's own."""
    catalog_version: reactive[int] = reactive(0, init=False)
    """Bumped whenever :attr:`catalog` is replaced or its counts change."""

    def __init__(self, project: Project, coder: str | None = None, document: str | None = None,
                 line: int | None = None, notes: Sequence[str] = (), question: str | None = None) -> None:
        super().__init__()
        self.notes = list(notes)
        """What opening the project had to say (first run, themes reloaded, who is coding)."""
        self.project = project
        self.store = project.store
        self.catalog = ThemeCatalog()
        self.coders: list[str] = []
        self.recent: list[str] = []
        self.gate = WriteGate()
        self._data_version: int | None = None
        self.changes_every = CHANGES_CHECK_S
        """Seconds between looks at whether another process changed the project."""
        self._start_document = document
        self._start_line = line
        self._start_question = question
        self.set_reactive(FrameworkApp.coder, coder or "")

    def on_mount(self) -> None:
        from framework.tui.screens.documents import DocumentsScreen

        self._show_coder()
        self.load_start()
        self.push_screen(DocumentsScreen())
        self.set_interval(BACKUP_CHECK_S, self.hourly_backup)
        self.look_for_changes()
        self.set_interval(self.changes_every, self.look_for_changes)
        self.show_notes()

    def show_notes(self) -> None:
        """The project's notes as one notification that stays long enough to read."""
        if not self.notes:
            return
        lines = [f"• {note}" for note in self.notes[:NOTES_SHOWN]]
        if len(self.notes) > NOTES_SHOWN:
            lines.append(f"… and {len(self.notes) - NOTES_SHOWN} more ('framework doctor' checks the project)")
        self.notify("\n".join(lines), title="Notes on opening the project", timeout=8 + 3 * len(lines),
                    markup=False)

    @work(thread=True, exclusive=True, exit_on_error=False, group="backup")
    def hourly_backup(self) -> None:
        """While working, keep a backup at most an hour old (see :mod:`framework.store.backups`)."""
        from framework.store.backups import maybe_hourly

        maybe_hourly(self.project)

    # -- changes made by other processes -----------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="changes")
    def look_for_changes(self) -> None:
        """Post :class:`DataChanged` if another process committed since the last look (a cheap pragma)."""
        version = self.store.data_version()
        seen, self._data_version = self._data_version, version
        if seen is not None and version != seen:
            self.post_message(DataChanged())

    @on(DataChanged)
    def _data_changed(self) -> None:
        """Another process changed the project: reload the themes and counts, tell every screen."""
        self._reload_catalog(self.coder or None)
        for screen in self.screen_stack:
            screen.post_message(ProjectChanged())

    @work(thread=True, exclusive=True, exit_on_error=False, group="catalog")
    def _reload_catalog(self, coder: str | None) -> None:
        self.post_message(CatalogLoaded(load_catalog(self.store, None if self.show_others else coder)))

    @on(CatalogLoaded)
    def _catalog_loaded(self, event: CatalogLoaded) -> None:
        if event.catalog.themes == self.catalog.themes:
            self.catalog.usage = event.catalog.usage
            self.catalog_version += 1
        else:
            self.set_catalog(event.catalog)

    # -- starting --------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="start")
    def load_start(self) -> None:
        catalog = load_catalog(self.store, self.coder or None)
        recent = recent_themes(self.project, self.coder) if self.coder else []
        name = self.project.root.resolve().name
        self.post_message(Started(catalog, people(self.store.coders()), recent, name))

    @on(Started)
    def _started(self, event: Started) -> None:
        self.title = f"framework · {event.name}"
        self.coders = event.coders
        self.recent = event.recent
        self.set_catalog(event.catalog)
        if self._start_document is not None:
            self.open_document(self._start_document, line=self._start_line)
        elif self._start_question is not None:
            self.open_answers(self._start_question)
        if not self.coder:
            self.ask_coder(first=True)

    # -- shared state ------------------------------------------------------------------------

    def set_catalog(self, catalog: ThemeCatalog) -> None:
        self.catalog = catalog
        self.catalog_version += 1

    def watch_coder(self) -> None:
        self._show_coder()
        if self.coder:
            self.load_recent(self.coder)
            self.refresh_usage()

    def _show_coder(self) -> None:
        self.sub_title = f"coder: {self.coder}" if self.coder else "coder: (none yet)"

    @work(thread=True, exclusive=True, exit_on_error=False, group="recent")
    def load_recent(self, coder: str) -> None:
        self.post_message(RecentLoaded(coder, recent_themes(self.project, coder)))

    @on(RecentLoaded)
    def _recent_loaded(self, event: RecentLoaded) -> None:
        if event.coder == self.coder:
            self.recent = event.recent

    def use_theme(self, theme_id: str) -> None:
        """Remember a theme as the most recently used (number key 1)."""
        self.recent = push_recent(self.recent, theme_id)
        self.save_recent(self.coder, list(self.recent))

    @work(thread=True, exclusive=True, exit_on_error=False, group="save-recent")
    def save_recent(self, coder: str, recent: list[str]) -> None:
        save_recent(self.project, coder, recent)

    def refresh_usage(self) -> None:
        """Reload the project-wide counts per theme (the coder's own, or everyone's
        when others' codings are shown) after a change."""
        self._load_usage(None if self.show_others else (self.coder or None))

    @work(thread=True, exclusive=True, exit_on_error=False, group="usage")
    def _load_usage(self, coder: str | None) -> None:
        self.post_message(UsageLoaded(self.store.themes.usage(coder)))

    def watch_show_others(self) -> None:
        self.refresh_usage()

    @on(UsageLoaded)
    def _usage_loaded(self, event: UsageLoaded) -> None:
        self.catalog.usage = event.usage
        self.catalog_version += 1

    # -- writing -------------------------------------------------------------------------------

    def write(self, reply_to: MessagePump, action: Callable[[], T], done: Callable[[T], Message],
              failed: Callable[[], Message] | None = None, *, after_refresh: bool = False) -> None:
        """Run one user action (a core function) in a thread worker, in key order; post its result.

        If it fails, ``failed()`` is posted (so a screen can take back what it showed early)
        and the error is shown by :meth:`_worker_failed`. ``after_refresh`` starts the worker
        once the screen has been painted (its place in the order is kept from now).
        """
        ticket = self.gate.ticket()

        def job() -> None:
            # Results are posted before the next action may start, so they arrive in order too.
            with self.gate.turn(ticket):
                try:
                    result = action()
                except BaseException:
                    if failed is not None:
                        reply_to.post_message(failed())
                    raise
                reply_to.post_message(done(result))

        def start() -> None:
            self.run_worker(job, thread=True, group="write", exit_on_error=False, description="saving")

        if after_refresh:
            self.call_after_refresh(start)
        else:
            start()

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """The one place errors from workers are shown."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        if isinstance(error, FrameworkError):
            self.notify(str(error), title="Not done", severity="error", timeout=8, markup=False)
        else:
            self.notify(f"{type(error).__name__}: {error}", title="Unexpected error", severity="error", timeout=12,
                        markup=False)
            self.log.error(error)

    # -- navigation ---------------------------------------------------------------------------

    def open_document(self, document: str | int, *, line: int | None = None,
                      span: tuple[int, int] | None = None) -> None:
        from framework.tui.screens.documents import DocumentsScreen
        from framework.tui.screens.reader import ReaderScreen

        while len(self.screen_stack) > 2 and not isinstance(self.screen, DocumentsScreen):
            self.pop_screen()
        self.push_screen(ReaderScreen(document, line=line, span=span))

    def open_retrieval(self, theme_id: str | None = None) -> None:
        from framework.tui.screens.retrieval import RetrievalScreen

        if isinstance(self.screen, RetrievalScreen):
            if theme_id:
                self.screen.choose_theme(theme_id)
            return
        self.push_screen(RetrievalScreen(theme_id))

    def action_help(self) -> None:
        from framework.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(help_sections()))

    def show_passage(self, document_id: int | str, *, line: int | None = None,
                     span: tuple[int, int] | None = None) -> None:
        """Open a passage in the reader over the current screen (Escape comes back to it)."""
        from framework.tui.screens.reader import ReaderScreen

        self.push_screen(ReaderScreen(document_id, line=line, span=span))

    def open_cell_editor(self, target: CellTarget, done: Callable[[EditorResult | None], None]) -> None:
        """Edit one chart cell's summary; ``done`` gets what the matrix needs back."""
        from framework.tui.screens.cell_editor import CellEditorScreen

        self.push_screen(CellEditorScreen(target), done)

    def open_answers(self, question: str | None = None) -> None:
        """The answers screen, at a question (its key or words of its text) or the first."""
        from framework.tui.screens.answers import AnswersScreen

        if not isinstance(self.screen, AnswersScreen):
            self.push_screen(AnswersScreen(question))

    def action_answers(self) -> None:
        from textual.screen import ModalScreen

        if not isinstance(self.screen, ModalScreen):
            self.open_answers()

    def open_autocode(self, *, question: str | None = None, scope: str = "sentence",
                      done: Callable[[Any], None] | None = None) -> None:
        """Search, preview and code every hit with a theme (one action); ``done`` gets what was coded."""
        from framework.tui.dialogs.autocode import AutocodeDialog

        theme = self.catalog.recent_valid(self.recent)[:1]
        self.push_screen(AutocodeDialog(theme_id=theme[0] if theme else None, question=question, scope=scope), done)

    def open_mapping(self, layer: str) -> None:
        from framework.tui.screens.mapping import MappingScreen

        self.push_screen(MappingScreen(layer))

    def open_review(self, coders: list[str], *, theme_ids: list[str] | None = None, theme_title: str | None = None,
                    documents: list[int] | None = None) -> None:
        """Review these coders' disagreements (of some themes, in some documents)."""
        from framework.tui.screens.review import ReviewScreen

        self.push_screen(ReviewScreen(coders, theme_ids=theme_ids, theme_title=theme_title, documents=documents))

    # -- exporting ---------------------------------------------------------------------------

    def open_export(self, layer: str, chart_ids: list[str], charts_title: str, *, group_by: tuple[str, ...] = (),
                    quote_theme: str | None = None, quote_title: str = "") -> None:
        """Offer to export these charts (or the quotes of ``quote_theme``): choose in a dialog,
        then write the file in a worker and say where it is."""
        self._offer_export(layer, chart_ids, charts_title, group_by, quote_theme, quote_title)

    @work(thread=True, exclusive=True, exit_on_error=False, group="export-offer")
    def _offer_export(self, layer: str, chart_ids: list[str], charts_title: str, group_by: tuple[str, ...],
                      quote_theme: str | None, quote_title: str) -> None:
        self.post_message(ExportOffered(export_choices(self.project, layer, chart_ids, charts_title,
                                                       group_by=group_by, quote_theme=quote_theme,
                                                       quote_title=quote_title)))

    @on(ExportOffered)
    def _export_offered(self, event: ExportOffered) -> None:
        from framework.tui.dialogs.export import ExportDialog

        self.push_screen(ExportDialog(event.choices), self._export_chosen)

    def _export_chosen(self, request: ExportRequest | None) -> None:
        if request is not None:
            self.notify("Exporting…", timeout=3)
            self.run_export(request, self.coder or None)

    @work(thread=True, exclusive=False, exit_on_error=False, group="export")
    def run_export(self, request: ExportRequest, coder: str | None) -> None:
        self.post_message(Exported(run_export(self.project, request, coder)))

    @on(Exported)
    def _exported(self, event: Exported) -> None:
        self.notify(event.done.message, title="Exported", timeout=15, markup=False)

    def action_analysis(self, name: str) -> None:
        """Open the matrix, mapping, agreement, review or pseudonym-key screen (unless showing)."""
        from textual.screen import ModalScreen

        from framework.tui.screens.agreement import AgreementScreen
        from framework.tui.screens.mapping import MappingScreen
        from framework.tui.screens.matrix import MatrixScreen
        from framework.tui.screens.pseudonyms import PseudonymScreen
        from framework.tui.screens.review import ReviewScreen

        screen_type = {"matrix": MatrixScreen, "mapping": MappingScreen, "agreement": AgreementScreen,
                       "review": ReviewScreen, "pseudonyms": PseudonymScreen}[name]
        if not isinstance(self.screen, (screen_type, ModalScreen)):
            self.push_screen(screen_type())

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    # -- coder -----------------------------------------------------------------------------------

    def action_switch_coder(self) -> None:
        self.ask_coder(first=False)

    def ask_coder(self, *, first: bool) -> None:
        title = "Who is coding? (remembered for you in this project)" if first else "Switch coder"
        hint = ("Your codings are kept under this name; others' are shown with o."
                if first else f"Now coding as {self.coder}. Enter a name, or choose one below (remembered for you).")
        prompt = TextPrompt(title, placeholder="your name, e.g. alice", hint=hint,
                            suggestions=sorted((c for c in people(self.coders) if c != self.coder), key=str.casefold),
                            check=check_coder, cancellable=not first)
        self.push_screen(prompt, self._coder_chosen)

    def _coder_chosen(self, name: str | None) -> None:
        if not name:
            return
        before = self.coder
        self.coders.extend(n for n in dict.fromkeys((before, name)) if n and n not in self.coders)
        self.coder = name
        self.remember_coder(name)
        if name == before:
            self.notify(f"Still coding as {name}", markup=False)
        else:
            self.notify(f"Coding as {name} now" + (f" (was {before})" if before else "")
                        + "; remembered for you in this project", title="Coder", markup=False)

    @work(thread=True, exclusive=True, exit_on_error=False, group="settings")
    def remember_coder(self, name: str) -> None:
        self.project.remember_coder(name)


def make_app(project: Project, coder: str | None = None, document: str | None = None,
             line: int | None = None, notes: Sequence[str] = (), question: str | None = None) -> FrameworkApp:
    """The app for a project; ``document`` (a name or id) opens straight in the reader at ``line``,
    ``question`` (a key such as ``q1``) on the answers screen.

    ``coder`` codes for this session (default: the coder remembered for this person); only
    the switch (``C``) remembers a new one. ``notes`` are shown once the screen is up.
    """
    if coder:
        check_coder(coder)
    return FrameworkApp(project, coder=coder or project.coder, document=document, line=line, notes=notes,
                        question=question)


def run(project: Project, coder: str | None = None, document: str | None = None,
        line: int | None = None, notes: Sequence[str] = (), question: str | None = None, **kwargs: Any) -> None:
    make_app(project, coder, document, line, notes, question).run(**kwargs)


# -- help ---------------------------------------------------------------------------------------

# TextArea's own keys that make sense in a read-only transcript.
_TEXTAREA_ACTIONS = ("cursor_", "select_", "copy")


def _bindings(items: Iterable[BindingType]) -> list[Binding]:
    return [b for b in items if isinstance(b, Binding)]


def help_sections() -> list[tuple[str, list[Binding]]]:
    """Every screen's and widget's keys, grouped as the user meets them."""
    from framework.tui.dialogs.autocode import AutocodeDialog
    from framework.tui.dialogs.bounds import EditBoundsDialog
    from framework.tui.dialogs.coders import CoderSelection
    from framework.tui.dialogs.common import ChoiceDialog, ConfirmDialog
    from framework.tui.dialogs.export import ExportDialog
    from framework.tui.dialogs.memo import MemoDialog
    from framework.tui.dialogs.pseudonym_entry import EntryDialog
    from framework.tui.dialogs.theme_picker import ThemePicker
    from framework.tui.screens.agreement import AgreementScreen
    from framework.tui.screens.answers import AnswersScreen
    from framework.tui.screens.cell_editor import CellEditorScreen
    from framework.tui.screens.documents import DocumentsScreen
    from framework.tui.screens.mapping import MappingScreen
    from framework.tui.screens.matrix import MatrixScreen
    from framework.tui.screens.pseudonyms import PseudonymScreen
    from framework.tui.screens.reader import ReaderScreen
    from framework.tui.screens.retrieval import RetrievalScreen
    from framework.tui.screens.review import ReviewScreen
    from framework.tui.widgets.paged_table import PagedTable
    from framework.tui.widgets.transcript import TranscriptView

    everywhere = _bindings(FrameworkApp.BINDINGS) + [
        Binding(App.COMMAND_PALETTE_BINDING, "command_palette", "Command palette: every action by name"),
        Binding("ctrl+q", "quit", "Quit"),
    ]
    moving = _bindings(TranscriptView.BINDINGS) + [
        b for b in _bindings(TextArea.BINDINGS) if b.action.startswith(_TEXTAREA_ACTIONS)
    ]
    return [
        ("Everywhere", everywhere),
        ("Documents", _bindings(DocumentsScreen.BINDINGS)),
        ("Survey answers", _bindings(AnswersScreen.BINDINGS) + _bindings(PagedTable.BINDINGS)),
        ("Autocode", _bindings(AutocodeDialog.BINDINGS)),
        ("Reader: coding", _bindings(ReaderScreen.BINDINGS)),
        ("Reader: moving and selecting", moving),
        ("Theme picker", _bindings(ThemePicker.BINDINGS)),
        ("Retrieval", _bindings(RetrievalScreen.BINDINGS)),
        ("Matrix (charts)", _bindings(MatrixScreen.BINDINGS) + _bindings(ExportDialog.BINDINGS)),
        ("Cell editor", _bindings(CellEditorScreen.BINDINGS)),
        ("Mapping", _bindings(MappingScreen.BINDINGS)),
        ("Agreement", _bindings(AgreementScreen.BINDINGS) + _bindings(CoderSelection.BINDINGS)),
        ("Review and consensus", _bindings(ReviewScreen.BINDINGS) + _bindings(EditBoundsDialog.BINDINGS)),
        ("Pseudonym key", _bindings(PseudonymScreen.BINDINGS) + _bindings(EntryDialog.BINDINGS)),
        ("Memo, choices and questions", _bindings(MemoDialog.BINDINGS) + _bindings(ChoiceDialog.BINDINGS)[:1]
         + _bindings(ConfirmDialog.BINDINGS)),
    ]
