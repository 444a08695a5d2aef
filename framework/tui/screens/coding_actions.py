"""The reader's coding actions: each key calls one function of :mod:`framework.coding` in a worker."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.message import Message

from framework.coding import actions as core
from framework.store import Coding
from framework.tui.dialogs.common import ChoiceDialog, ConfirmDialog
from framework.tui.dialogs.memo import MemoDialog
from framework.tui.dialogs.theme_picker import PickResult, ThemePicker
from framework.tui.screens.reader_sync import ReaderSync
from framework.tui.widgets.transcript import TranscriptView
from framework.views.workbench import ReaderData

SELECT_FIRST = "Select a passage first: shift+arrows, v (line), t (turn) or the mouse"


class CodingActions(ReaderSync):
    """Code, remove, change, adjust, memo, undo and redo; the reader screen builds on this."""

    data: ReaderData | None
    adjusting: Any
    _provisional = 0

    @dataclass
    class Coded(Message):
        coding: Coding
        with_memo: bool = False
        provisional: int = 0
        """The id of the highlight shown while the coding was being saved."""

    @dataclass
    class NotCoded(Message):
        """Saving a coding failed: take back its provisional highlight."""

        provisional: int

    @dataclass
    class Changed(Message):
        coding: Coding
        what: str

    @dataclass
    class Removed(Message):
        coding: Coding

    @dataclass
    class Undone(Message):
        result: tuple[str, dict] | None
        description: str
        """What was undone or redone, and where (see :func:`framework.coding.actions.describe_action`)."""
        redo: bool



    # provided by the reader
    @property
    def view(self) -> TranscriptView:
        raise NotImplementedError

    def say(self, message: str) -> None:
        raise NotImplementedError

    def codings_changed(self, *spans: tuple[int, int]) -> None:
        raise NotImplementedError


    # -- helpers ---------------------------------------------------------------------------------

    def _ready(self) -> bool:
        if self.data is None:
            return False
        if not self.app.coder:  # type: ignore[attr-defined]
            self.app.ask_coder(first=True)  # type: ignore[attr-defined]
            return False
        return True

    def _write(self, action: Callable[[], Any], done: Callable[[Any], Message],
               failed: Callable[[], Message] | None = None, *, after_refresh: bool = False) -> None:
        self.app.write(self, action, done, failed, after_refresh=after_refresh)  # type: ignore[attr-defined]

    def _describe(self, coding: Coding) -> Text:
        catalog = self.app.catalog  # type: ignore[attr-defined]
        text = Text.assemble(("■ ", catalog.colour(coding.theme_id)))
        text.append(catalog.title(coding.theme_id), style="bold")
        text.append(f" · line {self.view.index.line_ref(coding.start, coding.end)}")
        quote = " ".join(coding.quote.split())
        text.append(f" · “{quote[:50]}{'…' if len(quote) > 50 else ''}”", style="dim")
        if coding.memo:
            text.append(" *", style="bold")
        return text

    def _choose_coding(self, verb: str, then: Callable[[Coding], None], *, others: bool = False) -> None:
        """The coder's coding at the cursor (or in the selection); asks which if several.

        With ``others``, another coder's coding shown here can be chosen when none of the
        coder's own is, after a confirmation (the log records who did it for whom).
        """
        if not self._ready():
            return
        view = self.view
        span = view.selected_span()

        def here(visible: Callable[[Coding], bool]) -> list[Coding]:
            found = (view.layout_map.overlapping(*span, visible) if span
                     else view.layout_map.at(view.cursor_offset, visible))
            return [c for c in found if c.id > 0]  # not those still being saved

        found = here(view.is_mine)
        if not found and others:
            theirs = here(view.is_shown)
            if theirs:
                self._pick(theirs, verb, lambda c: self._confirm_theirs(c, verb, then))
                return
        if not found:
            self.say(f"None of your codings here to {verb}")
            return
        self._pick(found, verb, then)

    def _pick(self, found: list[Coding], verb: str, then: Callable[[Coding], None]) -> None:
        if len(found) == 1:
            then(found[0])
            return
        found.sort(key=lambda c: (c.end - c.start, c.start))
        choices = [(self._describe(c), c) for c in found]
        self.app.push_screen(ChoiceDialog(f"Which coding to {verb}?", choices),
                             lambda c: then(c) if c is not None else None)

    def _confirm_theirs(self, coding: Coding, verb: str, then: Callable[[Coding], None]) -> None:
        me = self.app.coder  # type: ignore[attr-defined]
        question = (f"This coding is {coding.coder}'s, not yours ({me}). {verb.capitalize()} it anyway? "
                    f"The log records that you did it for {coding.coder}.")
        self.app.push_screen(ConfirmDialog(f"{verb.capitalize()} {coding.coder}'s coding?", question,
                                           yes=f"{verb.capitalize()} it"),
                             lambda yes: then(coding) if yes else self.say(f"{coding.coder}'s coding left as it was"))

    # -- coding a selection --------------------------------------------------------------------

    def action_code(self) -> None:
        span = self.view.selected_span()
        if span is None:
            self.say(SELECT_FIRST)
            return
        if not self._ready():
            return
        lines = self.view.index.line_ref(*span)
        picker = ThemePicker(self.app.catalog, self.app.recent, title=f"Code line {lines} with…")  # type: ignore[attr-defined]
        self.app.push_screen(picker, lambda result: self._picked(result, span))

    def _picked(self, result: PickResult | None, span: tuple[int, int]) -> None:
        if result is not None:
            self.apply_theme(result.theme_id, span, with_memo=result.with_memo)

    def action_code_or_confirm(self) -> None:
        if self.adjusting is not None:
            self._save_boundaries()
        elif self.view.selected_span():
            self.action_code()
        else:
            raise SkipAction()

    def action_recent(self, number: int) -> None:
        span = self.view.selected_span()
        if span is None:
            self.say(SELECT_FIRST)
            return
        recent = self.app.catalog.recent_valid(self.app.recent)  # type: ignore[attr-defined]
        if number > len(recent):
            self.say(f"No recent theme {number} yet: code with c first")
            return
        self.apply_theme(recent[number - 1], span)

    def apply_theme(self, theme_id: str, span: tuple[int, int], *, with_memo: bool = False) -> None:
        """Save a coding; its highlight shows at once and is confirmed when the write is committed.

        The write carries the version of the text the span was chosen in: if another process
        changed the text meanwhile, the coding follows the same words or is refused (and the
        document is read again either way).
        """
        if not self._ready() or self.data is None:
            return
        store, coder, document = self.app.store, self.app.coder, self.data.document  # type: ignore[attr-defined]
        seen = core.TextSeen(document.sha256, self.data.text)
        self.app.use_theme(theme_id)  # type: ignore[attr-defined]
        self._provisional -= 1
        provisional = Coding(self._provisional, coder, document.id, document.name, theme_id, span[0], span[1],
                             self.data.text[span[0]:span[1]], "", "", "", "", "")
        view = self.view
        view.layout_map.add(provisional)
        view.goto_offset(span[1], center=False)
        self.codings_changed(span)
        # The write starts once the highlight is painted, so the two do not compete.
        self._write(lambda: core.add_coding(store, coder, document.id, theme_id, *span, seen=seen),
                    lambda coding: self.Coded(coding, with_memo, provisional.id),
                    lambda: self.NotCoded(provisional.id), after_refresh=True)

    @on(NotCoded)
    def _not_coded(self, event: NotCoded) -> None:
        coding = self.view.layout_map.codings.get(event.provisional)
        self.view.layout_map.remove(event.provisional)
        self.codings_changed(*([(coding.start, coding.end)] if coding else []))
        self.reload_document("Not coded: see the message")

    @on(Coded)
    def _coded(self, event: Coded) -> None:
        view = self.view
        provisional = view.layout_map.codings.get(event.provisional)
        view.layout_map.remove(event.provisional)
        if provisional is not None and (provisional.start, provisional.end) != (event.coding.start, event.coding.end):
            # The text had changed under the selection: the coding followed its words into the new text.
            self.codings_changed((provisional.start, provisional.end))
            self.reload_document(f"The transcript had changed: coded the same words in the new version with "
                                 f"{self.app.catalog.title(event.coding.theme_id)}")  # type: ignore[attr-defined]
            self.app.refresh_usage()  # type: ignore[attr-defined]
            return
        view.layout_map.add(event.coding)
        self.codings_changed((event.coding.start, event.coding.end))
        self.say(f"Coded line {view.index.line_ref(event.coding.start, event.coding.end)} with "
                 f"{self.app.catalog.title(event.coding.theme_id)}")  # type: ignore[attr-defined]
        self.app.refresh_usage()  # type: ignore[attr-defined]
        if event.with_memo:
            self._edit_memo(event.coding)

    # -- changing codings --------------------------------------------------------------------------

    def action_remove(self) -> None:
        self._choose_coding("remove", self._remove, others=True)

    def _remove(self, coding: Coding) -> None:
        store, coder = self.app.store, self.app.coder  # type: ignore[attr-defined]
        theirs = coding.coder != coder
        self._write(lambda: core.remove_coding(store, coder, coding.id, as_owner=theirs), self.Removed,
                    self.NotSaved)



    @on(Removed)
    def _removed(self, event: Removed) -> None:
        self.view.layout_map.remove(event.coding.id)
        self.codings_changed((event.coding.start, event.coding.end))
        self.say(f"Removed {self.app.catalog.title(event.coding.theme_id)} (u undoes)")  # type: ignore[attr-defined]
        self.app.refresh_usage()  # type: ignore[attr-defined]

    def action_change_theme(self) -> None:
        self._choose_coding("change", self._change_theme, others=True)

    def _change_theme(self, coding: Coding) -> None:
        picker = ThemePicker(self.app.catalog, self.app.recent,  # type: ignore[attr-defined]
                             title=f"Change {self.app.catalog.title(coding.theme_id)} to…")  # type: ignore[attr-defined]
        self.app.push_screen(picker, lambda result: self._update(coding, "theme", theme_id=result.theme_id)
                             if result else None)

    def action_boundaries(self) -> None:
        if self.adjusting is not None:
            self._save_boundaries()
            return
        self._choose_coding("adjust", self._start_adjusting)

    def _start_adjusting(self, coding: Coding) -> None:
        self.adjusting = coding.id
        self.view.select_span(coding.start, coding.end)
        self.say("Adjust with shift+arrows (ctrl for words, v line, t turn); Enter saves, Esc cancels")

    def _save_boundaries(self) -> None:
        coding = self.view.layout_map.codings.get(self.adjusting)
        span = self.view.selected_span()
        self.adjusting = None
        if coding is None or span is None:
            self.say("Boundaries unchanged")
            return
        self._update(coding, "boundaries", start=span[0], end=span[1])

    def action_memo(self) -> None:
        self._choose_coding("write a memo on", self._edit_memo)

    def _edit_memo(self, coding: Coding) -> None:
        title = f"Memo on {self.app.catalog.title(coding.theme_id)}, line {self.view.index.line_ref(coding.start, coding.end)}"  # type: ignore[attr-defined]
        self.app.push_screen(MemoDialog(title, coding.quote, coding.memo),
                             lambda memo: self._update(coding, "memo", memo=memo) if memo is not None else None)

    def _update(self, coding: Coding, what: str, **changes: Any) -> None:
        store, coder = self.app.store, self.app.coder  # type: ignore[attr-defined]
        if self.data is None:
            return
        if "start" in changes:
            changes["seen"] = core.TextSeen(self.data.document.sha256, self.data.text)
        theirs = coding.coder != coder
        self._write(lambda: core.update_coding(store, coder, coding.id, as_owner=theirs, **changes),
                    lambda updated: self.Changed(updated, what), self.NotSaved)
        if "theme_id" in changes:
            self.app.use_theme(changes["theme_id"])  # type: ignore[attr-defined]

    @on(Changed)
    def _changed(self, event: Changed) -> None:
        old = self.view.layout_map.codings.get(event.coding.id)
        self.view.layout_map.add(event.coding)
        spans = [(event.coding.start, event.coding.end)] + ([(old.start, old.end)] if old else [])
        self.codings_changed(*spans)
        catalog = self.app.catalog  # type: ignore[attr-defined]
        self.say({"theme": f"Now coded {catalog.title(event.coding.theme_id)}",
                  "boundaries": f"Passage now line {self.view.index.line_ref(event.coding.start, event.coding.end)}",
                  "memo": "Memo saved" if event.coding.memo else "Memo removed"}[event.what])
        if event.what == "theme":
            self.app.refresh_usage()  # type: ignore[attr-defined]

    # -- undo and redo ----------------------------------------------------------------------------

    def action_undo(self) -> None:
        if self._ready():
            store, coder = self.app.store, self.app.coder  # type: ignore[attr-defined]
            self._write(lambda: self._described(store, core.undo(store, coder)),
                        lambda result: self.Undone(*result, False))

    def action_redo(self) -> None:
        if self._ready():
            store, coder = self.app.store, self.app.coder  # type: ignore[attr-defined]
            self._write(lambda: self._described(store, core.redo(store, coder)),
                        lambda result: self.Undone(*result, True))

    @on(Undone)
    def _undone(self, event: Undone) -> None:
        verb = "Redone" if event.redo else "Undone"
        if event.result is None:
            self.say("Nothing to redo" if event.redo else "Nothing to undo")
            return
        self.say(f"{verb}: {event.description}")
        self.reload_codings()
        self.app.refresh_usage()  # type: ignore[attr-defined]

    @staticmethod
    def _described(store: Any, result: tuple[str, dict] | None) -> tuple[tuple[str, dict] | None, str]:
        """An undo's or redo's result with its description (read in the same worker)."""
        return result, core.describe_action(store, *result) if result is not None else ""
