"""Keeping the store's themes in step with ``themes.yaml``.

The file is the source of truth for the framework; the store holds a copy that
codings point at. Syncing is safe: a changed label or description, or a theme moved
under another parent, keeps its codings (themes are matched by id). A theme that is
gone from the file but still has codings is not deleted: the sync is refused with
the counts, unless ``archive`` keeps it (and its codings) under an archived theme.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from framework.errors import InputError
from framework.fileio import write_atomic
from framework.store import Store, Theme
from framework.store.backups import backup_before

if TYPE_CHECKING:
    from framework.themes.model import FlatTheme, ThemeFile

ARCHIVE_ID = "_archived"
ARCHIVE_LABEL = "Archived themes"
META_KEY = "themes_sha256"


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.moved or self.removed or self.archived)

    def summary(self) -> str:
        parts = [f"{len(v)} {k}" for k, v in (
            ("added", self.added), ("changed", self.changed), ("moved", self.moved),
            ("removed", self.removed), ("archived", self.archived),
        ) if v]
        return "themes: " + (", ".join(parts) if parts else "no change")


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def needs_sync(store: Store, path: Path) -> bool:
    return path.exists() and store.get_meta(META_KEY) != file_hash(path)


def _as_theme(t: FlatTheme) -> Theme:
    return Theme(t.id, t.parent_id, t.label, t.description, t.include, t.exclude, t.colour, t.position, False)


def sync_themes(
    store: Store, path: Path, *, archive: bool = False, coder: str = "import", theme_file: ThemeFile | None = None
) -> SyncReport:
    """Load ``themes.yaml`` into the store (one transaction)."""
    from framework.themes.validate import load_themes

    parsed = theme_file or load_themes(path)
    wanted = parsed.flat()
    stored = {t.id: t for t in store.themes.list()}
    usage = store.themes.usage()
    wanted_ids = {t.id for t in wanted}
    if ARCHIVE_ID in wanted_ids:
        raise InputError(f"{path}: the theme id {ARCHIVE_ID!r} is reserved; rename that theme.")
    report = SyncReport()
    gone = [t for tid, t in stored.items() if tid not in wanted_ids and tid != ARCHIVE_ID and not t.archived]
    in_use = [t for t in gone if usage.get(t.id, (0, 0))[0] or _has_cells(store, t.id)]
    if in_use and not archive:
        detail = "; ".join(
            f"{t.id} ({t.label}): {usage.get(t.id, (0, 0))[0]} codings in {usage.get(t.id, (0, 0))[1]} cases"
            for t in in_use
        )
        raise InputError(
            f"{path}: {len(in_use)} theme(s) removed from the file still have codings: {detail}. "
            "Put them back, move their codings to another theme, or run 'framework themes sync --archive' "
            "to keep them under an archived theme. Nothing was changed."
        )
    if gone:
        backup_before(store, "before-theme-removal")
    with store.write():
        store.ensure_coder(coder)
        # Parents first (depth-first order), so the foreign key holds at every step.
        for t in wanted:
            old = stored.get(t.id)
            new = _as_theme(t)
            if old is None:
                report.added.append(t.id)
            elif old.parent_id != new.parent_id and not old.archived:
                report.moved.append(t.id)
            elif old != new:
                report.changed.append(t.id)
            store.themes.upsert(new)
        if in_use:
            store.themes.upsert(Theme(ARCHIVE_ID, None, ARCHIVE_LABEL, "Themes removed from themes.yaml that still hold codings.",
                                      "", "", "#7f7f7f", 1_000_000, True))
            for t in in_use:
                parent = t.parent_id if t.parent_id in wanted_ids or t.parent_id in {x.id for x in in_use} else ARCHIVE_ID
                store.themes.upsert(Theme(t.id, parent, t.label, t.description, t.include, t.exclude, t.colour,
                                          1_000_001 + t.position, True))
                report.archived.append(t.id)
        for t in sorted(gone, key=lambda x: -x.position):
            if t in in_use:
                continue
            # Children of a removed theme that are themselves removed go first (reverse order).
            store.conn.execute("UPDATE themes SET parent_id = NULL WHERE parent_id = ? AND archived = 1", (t.id,))
            store.themes.delete(t.id)
            report.removed.append(t.id)
        store.conn.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (META_KEY, file_hash(path)),
        )
        if report.any:
            store.log(coder, "themes.sync", {
                "added": report.added, "changed": report.changed, "moved": report.moved,
                "removed": report.removed, "archived": report.archived,
            })
    return report


def _has_cells(store: Store, theme_id: str) -> bool:
    return bool(store.scalar(
        "SELECT 1 FROM chart_cells WHERE theme_id = ? AND (summary != '' OR status != 'empty') LIMIT 1", (theme_id,)
    ))


# -- changing themes.yaml together with the store ---------------------------------------------------


def pending_path(path: Path) -> Path:
    """Where a new ``themes.yaml`` waits until the transaction that syncs it has committed."""
    return path.with_name(f".{path.name}.pending")


def stage_themes(store: Store, path: Path, data: bytes, *, coder: str = "import") -> SyncReport:
    """Write ``data`` as the pending ``themes.yaml`` and sync the store from it. Call it inside
    the transaction that makes the rest of the change; after the commit, :func:`finish_pending`
    puts the file in place. Killed at any moment, the file and the store still agree: the
    next :func:`finish_pending` (run when the project opens) keeps the pending file only if
    the store committed it."""
    pending = pending_path(path)
    write_atomic(pending, data)
    return sync_themes(store, pending, coder=coder)


def finish_pending(store: Store, path: Path) -> bool:
    """Put a pending ``themes.yaml`` in place when the store holds its themes (the store's
    record of the synced file is the pending file's hash), else remove it. Returns whether
    ``themes.yaml`` was replaced."""
    pending = pending_path(path)
    if not pending.exists():
        return False
    try:
        if store.get_meta(META_KEY) == file_hash(pending):
            os.replace(pending, path)
            return True
        pending.unlink(missing_ok=True)
    except OSError:  # a read-only folder: left for a run that can write
        pass
    return False
