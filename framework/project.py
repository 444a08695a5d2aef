"""A project folder: ``themes.yaml``, ``transcripts/``, ``exports/`` and its database.

``open_project`` finds the folder's database and opens it. In a folder that has a
framework and transcripts but no database yet (a fresh copy of a shared project),
it creates the database and imports the themes, ``cases.csv``, the transcripts and
any shared coding files (``codings/<coder>.jsonl``), so every command just works. When ``themes.yaml`` has changed since it was last
loaded, it is synced again (safely; see :mod:`framework.themes.sync`).
"""

from __future__ import annotations

import getpass
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from framework.errors import FrameworkError, InputError
from framework.fileio import write_atomic
from framework.paths import CASES, CODINGS, DB_NAME, EXPORTS, LOCAL_DIR, SETTINGS, THEMES, TRANSCRIPTS
from framework.reports import Progress
from framework.safety.cloud import cloud_sync_warning
from framework.store import SYSTEM_CODERS, Store, parts
from framework.store.backups import PARTS, backup_dir, maybe_hourly
from framework.store.db import read_only_reason
from framework.themes.sync import SyncReport, finish_pending, needs_sync, pending_path, sync_themes

_SETTINGS_LOCK = threading.Lock()
CODERS_SETTING = "coders"
"""The settings key of who is coding: a name per OS user."""
LEGACY_CODER_SETTING = "coder"


def os_user() -> str:
    """The name of the computer account running this (the key of the remembered coder)."""
    try:
        return getpass.getuser() or "user"
    except (OSError, KeyError, ImportError):
        return "user"


@dataclass
class Project:
    """An open project: its folder, paths and store."""

    root: Path
    store: Store
    warnings: list[str] = field(default_factory=list)
    created: bool = False
    themes_loaded: SyncReport | None = None
    """What loading ``themes.yaml`` on opening changed (on the first run, or when the file had changed)."""
    _unsaved: dict[str, object] = field(default_factory=dict, repr=False)
    """Settings changed in a read-only folder: they hold for this session only."""

    @property
    def themes_path(self) -> Path:
        return self.root / THEMES

    @property
    def transcripts_dir(self) -> Path:
        return self.root / TRANSCRIPTS

    @property
    def exports_dir(self) -> Path:
        return self.root / EXPORTS

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    @property
    def local_dir(self) -> Path:
        return self.root / LOCAL_DIR

    # -- per-user settings (not shared with the project) --

    def _settings_path(self) -> Path:
        return self.local_dir / SETTINGS

    def settings(self) -> dict:
        try:
            data = json.loads(self._settings_path().read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            data = {}
        if not isinstance(data, dict):
            data = {}
        return {**data, **self._unsaved}

    def save_setting(self, key: str, value: object) -> None:
        """Set one per-user setting; safe from several threads and processes at once."""
        self.update_setting(key, lambda _old: value)

    def update_setting(self, key: str, change: Callable[[Any], object]) -> object:
        """Replace one setting by ``change(old value or None)`` in one step; returns the new value.

        The file is written whole beside the old one and put in its place: a value that
        cannot be written (not Unicode) or a full disk leaves the old file and no other. In a
        read-only folder the value holds for this session only."""
        with _SETTINGS_LOCK:
            data = self.settings()
            data[key] = value = change(data.get(key))
            try:
                encoded = json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")
            except UnicodeEncodeError:
                raise InputError(f"the setting {key!r} is not Unicode text; it was not saved.") from None
            if self.store.read_only:
                self._unsaved[key] = value
                return value
            try:
                self.local_dir.mkdir(exist_ok=True)
                write_atomic(self._settings_path(), encoded)
            except OSError as exc:
                raise InputError(f"{self._settings_path()}: the setting {key!r} could not be saved "
                                 f"({exc.strerror or exc}).") from None
        return value

    # -- who is coding ---------------------------------------------------------------------

    @property
    def coder(self) -> str | None:
        """Who is coding, as remembered for the person using this computer account.

        Several people may share one project folder, so the name is kept per OS user
        (``coders`` in the settings). A project set up by an earlier version kept one
        ``coder`` for everyone: it is still read until this person chooses a name.
        """
        data = self.settings()
        mine = data.get(CODERS_SETTING)
        value = mine.get(os_user()) if isinstance(mine, dict) else None
        if not (isinstance(value, str) and value):
            value = data.get(LEGACY_CODER_SETTING)
        return value if isinstance(value, str) and value and value not in SYSTEM_CODERS else None

    def remember_coder(self, name: str) -> None:
        """Remember ``name`` as who is coding for this OS user (others' choices are kept)."""
        user = os_user()

        def change(old: object) -> dict[str, str]:
            coders = dict(old) if isinstance(old, dict) else {}
            coders[user] = name
            return coders

        self.update_setting(CODERS_SETTING, change)

    def close(self) -> None:
        self.store.close()


def is_project(root: Path) -> bool:
    return (root / DB_NAME).exists() or (root / THEMES).exists()


def open_project(root: Path | str = ".", *, progress: Progress | None = None, sync: bool = True) -> Project:
    """Open (and on first use, build) the project in ``root``; a changed ``themes.yaml`` is
    loaded unless ``sync`` is off (for a caller that loads it itself and reports it)."""
    root = Path(root).expanduser()
    if not root.is_dir():
        raise InputError(f"{root}: no such project folder.")
    db_path = root / DB_NAME
    if not db_path.exists() and not (root / THEMES).exists():
        raise InputError(
            f"{root.resolve()}: not a framework project (no {DB_NAME} and no {THEMES}). "
            "Run 'framework init' here, or pass --project DIR."
        )
    fresh = not db_path.exists()
    if fresh and (why := read_only_reason(db_path)):
        raise InputError(f"{why}, so the project database cannot be built here from the folder's files. "
                         "Copy the project to a folder you can write to, or ask for write access.")
    store = Store(db_path)
    project = Project(root, store, created=fresh)
    try:
        if fresh:
            _first_build(project, progress)
        else:
            _note_state(project)
            if (pending_path(project.themes_path).exists() and store.refusal() is None
                    and finish_pending(store, project.themes_path)):
                project.warnings.append(f"{THEMES}: brought in step with an import that was interrupted before "
                                        "writing it")
            if sync:
                _sync(project)
        _keep_safe(project)
    except BaseException:
        store.close()
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(str(db_path) + suffix).unlink(missing_ok=True)
        raise
    return project


CHECK_ON_OPENING = 32 * 1024 * 1024
"""Databases up to this size are checked for damage whenever they are opened."""


def _note_state(project: Project) -> None:
    """Say when the project can only be read: a read-only folder, or a damaged database.

    SQLite's check for damage reads the whole file: it runs on opening a database of up to
    :data:`CHECK_ON_OPENING` bytes (milliseconds); a larger one is checked before its first
    write, backup or ``doctor``, so that reading commands do not wait for it."""
    store = project.store
    if store.path is not None and store.path.stat().st_size <= CHECK_ON_OPENING and store.damage:
        project.warnings.append(
            f"{project.db_path}: the project database is damaged ({store.damage}); what can be read is shown, "
            "and nothing can be changed. Run 'framework doctor', then 'framework restore' to put back a backup."
        )
    elif store.read_only:
        project.warnings.append(f"{store.read_only}: reading only; nothing can be changed here.")


def _sync(project: Project) -> None:
    """Load ``themes.yaml`` again when it changed since it was last loaded."""
    store = project.store
    if not needs_sync(store, project.themes_path):
        return
    if store.refusal() is not None:
        project.warnings.append(f"{THEMES} changed since it was last loaded, but the project cannot be changed "
                                "now: the themes shown are those last loaded.")
        return
    try:
        report = project.themes_loaded = sync_themes(store, project.themes_path)
        if report.any:
            project.warnings.append(f"{THEMES} changed: {report.summary()}")
    except FrameworkError as exc:
        project.warnings.append(f"{THEMES} was not loaded: {exc}")


def _keep_safe(project: Project) -> None:
    """Warn about a cloud-sync folder; take the hourly backup (a failure is only reported).
    A damaged database is never backed up by itself: its copy would push good backups out."""
    warning = cloud_sync_warning(project.root.resolve())
    if warning:
        project.warnings.append(warning)
    if project.created or project.store.read_only:
        return  # just built from the folder's files, or it cannot be written
    parts.remove_stale(project.root, f".{DB_NAME}.*{parts.SUFFIX}")  # left by a restore that was killed
    parts.remove_stale(backup_dir(project), PARTS)  # left by a backup that was killed
    try:
        maybe_hourly(project)
    except FrameworkError as exc:
        project.warnings.append(f"no hourly backup: {exc}")


def _first_build(project: Project, progress: Progress | None) -> None:
    """A new database for a folder with a framework: themes, cases, transcripts."""
    from framework.ingest.documents import import_cases, import_paths

    store = project.store
    if project.themes_path.exists():
        project.themes_loaded = sync_themes(store, project.themes_path)
    if project.transcripts_dir.is_dir() and any(project.transcripts_dir.iterdir()):
        report = import_paths(store, [project.transcripts_dir], root=project.root, progress=progress)
        project.warnings.append(f"first run: imported {len(report.added)} transcripts from {TRANSCRIPTS}/")
    cases_csv = project.root / CASES
    if cases_csv.exists():
        _updated, _created, warnings = import_cases(store, cases_csv)
        project.warnings.extend(warnings)
    codings_dir = project.root / CODINGS
    if codings_dir.is_dir():
        from framework.ingest.codings import import_codings

        for path in sorted(codings_dir.glob("*.jsonl")):
            report = import_codings(store, path, coder=path.stem, progress=progress)
            project.warnings.append(f"first run: {report.summary()} for {path.stem} from {CODINGS}/{path.name}")


def init_project(root: Path | str) -> Path:
    """Scaffold an empty project folder; refuses to overwrite an existing one."""
    from framework.themes.edit import STARTER_THEMES

    root = Path(root).expanduser()
    if (root / DB_NAME).exists() or (root / THEMES).exists():
        raise InputError(f"{root}: already a framework project; nothing was changed.")
    root.mkdir(parents=True, exist_ok=True)
    (root / TRANSCRIPTS).mkdir(exist_ok=True)
    (root / EXPORTS).mkdir(exist_ok=True)
    (root / THEMES).write_text(STARTER_THEMES, encoding="utf-8")
    ignore = root / ".gitignore"
    if not ignore.exists():
        ignore.write_text(f"{DB_NAME}\n{DB_NAME}-wal\n{DB_NAME}-shm\n{LOCAL_DIR}/\n{EXPORTS}/\n", encoding="utf-8")
    project = open_project(root)
    project.close()
    return root
