"""Keeping the reader in step with the project when others change it.

Another process may import a new version of the transcript, or another coder may
remove or change codings, while the reader is open. The app notices (it polls
SQLite's ``data_version``) and sends :class:`~framework.tui.messages.ProjectChanged`;
the reader then reads its document again, in turn with its own writes, and shows the
new text or codings. A write that fails (the coding was removed meanwhile, or the
text changed under a selection) reads the document again too.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.message import Message
from textual.screen import Screen

from framework.coding.realign import OffsetMap, follow
from framework.errors import InputError
from framework.store import Coding, Store
from framework.tui.messages import ProjectChanged
from framework.tui.widgets.transcript import TranscriptView
from framework.views.workbench import ReaderData, load_reader


class ReaderSync(Screen[None]):
    """Reading the document again after changes made elsewhere; the reader builds on this."""

    data: ReaderData | None
    adjusting: int | None
    note_after_reload = ""
    """Said in the status line once the document has been read again."""

    @dataclass
    class Reloaded(Message):
        """The document read again (None: it is no longer in the project)."""

        data: ReaderData | None

    @dataclass
    class CodingsLoaded(Message):
        codings: list[Coding]

    class NotSaved(Message):
        """A change to a coding failed (it may have been changed or removed elsewhere)."""

    # provided by the reader
    @property
    def view(self) -> TranscriptView:
        raise NotImplementedError

    def codings_changed(self, *spans: tuple[int, int]) -> None:
        raise NotImplementedError

    def _view_changed(self) -> None:
        raise NotImplementedError

    def say(self, message: str) -> None:
        raise NotImplementedError

    @on(ProjectChanged)
    def _project_changed(self) -> None:
        self.reload_document()

    @on(NotSaved)
    def _not_saved(self) -> None:
        self.reload_document()

    def reload_document(self, note: str = "") -> None:
        """Read the document again, in turn with the writes, and show what changed (then ``note``)."""
        self.note_after_reload = note or self.note_after_reload
        if self.data is not None:
            store, document_id = self.app.store, self.data.document.id  # type: ignore[attr-defined]
            self.app.write(self, lambda: _read_again(store, document_id), self.Reloaded)  # type: ignore[attr-defined]

    @on(Reloaded)
    def _reloaded(self, event: Reloaded) -> None:
        old, new = self.data, event.data
        if old is None:
            return
        if new is None:
            self.data = None
            self.app.notify(f"{old.document.name} was removed from the project by another process.",
                            title="Document removed", severity="warning", timeout=10, markup=False)
            if self.is_current and len(self.app.screen_stack) > 2:
                self.app.pop_screen()
            return
        self.data = new
        view = self.view
        if new.text != old.text:
            self._text_replaced(old, new)
        elif {c for c in view.layout_map.codings.values() if c.id > 0} != set(new.codings):
            pending = [c for c in view.layout_map.codings.values() if c.id < 0]
            view.layout_map.set([*new.codings, *pending])
            self.codings_changed()
        if self.note_after_reload:
            self.say(self.note_after_reload)
            self.note_after_reload = ""

    def _text_replaced(self, old: ReaderData, new: ReaderData) -> None:
        """A new version of the text: show it, keeping the cursor (and a selection whose words are unchanged)."""
        view = self.view
        offsets = OffsetMap(old.text, new.text)
        span = view.selected_span()
        kept = follow(offsets, *span, min_score=100.0) if span else None
        cursor, _same = offsets.first(min(view.cursor_offset, max(0, len(old.text) - 1)))
        self.adjusting = None
        view.show_document(new.text, new.units, new.codings)
        self._view_changed()
        if kept is not None and kept.method == "exact":
            view.select_span(kept.start, kept.end)
        else:
            view.goto_offset(min(cursor, len(new.text)))
        lost = span is not None and (kept is None or kept.method != "exact")
        self.app.notify(f"{new.document.name} was changed by another process (a new version was imported) and "
                        f"has been reloaded{' (the selected words changed: select again)' if lost else ''}.",
                        title="Transcript changed", severity="warning", timeout=10, markup=False)

    def reload_codings(self) -> None:
        """Read the document's codings again, in turn with the writes (so never a stale state)."""
        if self.data is not None:
            store, document_id = self.app.store, self.data.document.id  # type: ignore[attr-defined]
            self.app.write(self, lambda: store.codings.list(document_id=document_id), self.CodingsLoaded)  # type: ignore[attr-defined]

    @on(CodingsLoaded)
    def _codings_loaded(self, event: CodingsLoaded) -> None:
        self.view.layout_map.set(event.codings)
        self.codings_changed()


def _read_again(store: Store, document_id: int) -> ReaderData | None:
    try:
        return load_reader(store, document_id)
    except InputError:
        return None
