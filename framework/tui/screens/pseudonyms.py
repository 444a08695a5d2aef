"""The pseudonym key: names, places and organisations and the pseudonyms that replace them in exports.

The key is a CSV file (``term,replacement``) kept wherever the team chooses, never under
``exports/``; ``f`` chooses it and it is remembered for this project. Every change is
written to the file at once through :mod:`framework.confidentiality.key`. Beside the key, the
capitalised names found in the texts are suggested, most frequent first: Enter on one
opens the add form with a pseudonym of its guessed kind ("Person 3", "Place 1"). The line
at the bottom shows a sentence with the highlighted term, before and after the key.

Others may change the key file too (a colleague, ``framework pseudonym add``, a text editor):
the screen looks at the file every second and reads it again when it was written, and a
change to an entry is refused when its row is no longer what the screen showed. Texts
imported or removed elsewhere are scanned again for suggestions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Header, OptionList, Static

from framework.confidentiality.key import mark
from framework.tui.dialogs.common import ConfirmDialog, TextPrompt
from framework.tui.dialogs.pseudonym_entry import EntryDialog
from framework.tui.screens.following import FollowsProject
from framework.tui.widgets.pseudonym_panels import KeyTable, SamplePreview, SuggestionList
from framework.views.pseudonyms import (
    KEY_SETTING,
    Candidate,
    Entry,
    KeyState,
    Sample,
    Stamp,
    Texts,
    add_new_entry,
    candidates,
    case_names,
    check_key_choice,
    delete_entry,
    display_path,
    key_stamp,
    load_texts,
    next_replacement,
    read_key_state,
    replace_entry,
    resolve_key_path,
    sample,
    saved_key_path,
    term_counts,
    texts_stamp,
)


class PseudonymScreen(FollowsProject[None]):
    """The key's entries on the left, suggested names on the right, a sample sentence below."""

    CSS_PATH = "pseudonyms.tcss"
    AUTO_FOCUS = "#entries"

    BINDINGS = [
        Binding("a", "add", "Add", id="pseudonyms.add", tooltip="Add a term and its pseudonym to the key"),
        Binding("e", "edit", "Edit", id="pseudonyms.edit", tooltip="Edit the highlighted entry of the key"),
        Binding("d,delete", "delete", "Delete", id="pseudonyms.delete",
                tooltip="Delete the highlighted entry from the key"),
        Binding("enter", "choose", "Edit/add", show=False, id="pseudonyms.choose",
                tooltip="Edit the highlighted entry, or add the highlighted suggestion"),
        Binding("f", "choose_file", "Key file", id="pseudonyms.file",
                tooltip="Choose the key file (kept outside exports/, remembered for this project)"),
        Binding("tab", "switch_pane", "Key/suggestions", show=False, id="pseudonyms.switch",
                tooltip="Move between the key and the suggestions"),
        Binding("f5", "reload", "Reload", show=False, id="pseudonyms.reload",
                tooltip="Read the key file again and look for names anew"),
        Binding("escape", "back", "Back", id="pseudonyms.back"),
    ]

    @dataclass
    class KeyRead(Message):
        """The key file as read, with the texts the suggestions come from."""

        generation: int
        state: KeyState
        texts: Texts
        texts_stamp: tuple[object, ...] | None = None
        """The texts' stamp when they were read (None: the texts already shown were kept)."""

    @dataclass
    class Scanned(Message):
        """Suggestions and the key terms' counts, found in the texts."""

        generation: int
        candidates: list[Candidate]
        counts: dict[str, int]

    @dataclass
    class Outdated(Message):
        """The key file, or the texts, changed since they were read."""

        stamp: Stamp | None
        """The key file's stamp as found."""
        texts: bool

    @dataclass
    class SampleFound(Message):
        term: str
        sample: Sample | None
        proposed: str | None

    @dataclass
    class Written(Message):
        """A change was written to the key file (``note`` says which), or it failed (``None``)."""

        note: str | None
        stamp: Stamp | None = None
        """The file's stamp just after the change."""

    def __init__(self) -> None:
        super().__init__()
        self.key = KeyState(None, [])
        self.texts: Texts | None = None
        self.suggestions: list[Candidate] = []
        self.counts: dict[str, int] | None = None
        self._generation = 0
        self._shown_once = False
        self._focus_term: str | None = None
        self._preview_term: str | None = None
        self._texts_stamp: tuple[object, ...] | None = None
        self._writes = 0
        self._shown = 0
        """The generation of the key as shown: while a newer one is being read, the file is not looked at."""
        """Changes to the key under way: the file is not looked at meanwhile."""

    def compose(self) -> ComposeResult:
        yield Header(icon="▦")
        with Horizontal(id="key-bar"):
            yield Static("Key file", id="key-label")
            yield Static("", id="key-path", markup=False)
        with Horizontal(id="pseudonym-body"):
            with Vertical(id="key-pane"):
                yield Static("", id="key-title", markup=False)
                yield KeyTable(id="entries")
                yield Static("", id="key-empty", markup=False)
            with Vertical(id="suggestion-pane"):
                yield Static("", id="suggestion-title", markup=False)
                yield SuggestionList(id="suggestions")
        yield SamplePreview(id="preview")
        yield Footer()

    @property
    def project(self):  # noqa: ANN201
        return self.app.project  # type: ignore[attr-defined]

    def on_mount(self) -> None:
        self.query_one("#suggestions", OptionList).loading = True
        self.query_one(SamplePreview).show_sample(None, None)
        self.reload(saved_key_path(self.project))
        self.set_interval(self.app.changes_every, self.look_at_key)  # type: ignore[attr-defined]

    # -- loading -------------------------------------------------------------------------------------

    def reload(self, path: Path | None, *, texts: bool = False) -> None:
        """Read the key file again (and the texts, when asked or not yet read), then rescan."""
        self._generation += 1
        self.scan(self._generation, path, None if texts else self.texts)

    @work(thread=True, exclusive=True, exit_on_error=False, group="pseudonym-scan")
    def scan(self, generation: int, path: Path | None, texts: Texts | None) -> None:
        state = read_key_state(path)
        stamp = None
        if texts is None:
            stamp = texts_stamp(self.app.store)  # type: ignore[attr-defined]
            texts = load_texts(self.app.store)  # type: ignore[attr-defined]
        self.post_message(self.KeyRead(generation, state, texts, stamp))
        found = candidates(texts, state.entries, case_names(self.app.store))  # type: ignore[attr-defined]
        self.post_message(self.Scanned(generation, found, term_counts(state.entries, texts)))

    @on(KeyRead)
    def _key_read(self, event: KeyRead) -> None:
        if event.generation != self._generation:
            return
        self._shown = event.generation
        self.key, self.texts = event.state, event.texts
        self._texts_stamp = event.texts_stamp or self._texts_stamp
        self.counts = None
        self._show_key()

    @on(Scanned)
    def _scanned_texts(self, event: Scanned) -> None:
        if event.generation != self._generation:
            return
        first, self._shown_once = not self._shown_once, True
        self.suggestions, self.counts = event.candidates, event.counts
        self._show_key()
        self._show_suggestions()
        if first and not self.key.entries and self.suggestions and self.query_one("#entries").has_focus:
            self.query_one("#suggestions").focus()

    def _show_key(self) -> None:
        bar = self.query_one("#key-path", Static)
        state = self.key
        if state.path is None:
            bar.update(Text("none chosen: press f to choose a file outside exports/", style="italic"))
        else:
            shown = Text(display_path(self.project, state.path), style="bold")
            if state.error:
                shown.append("  cannot be used (see below)")
            elif not state.exists:
                shown.append("  (new: created with its first entry)", style="italic")
            bar.update(shown)
        self.query_one("#key-bar").set_class(bool(state.error), "-error")
        entries = state.entries
        self.query_one("#key-title", Static).update(
            Text.assemble(("Key", "bold"), f"  {len(entries)} entr{'y' if len(entries) == 1 else 'ies'}"))
        keep = self._focus_term or self._highlighted_entry_term()
        self._focus_term = None
        self.query_one("#entries", KeyTable).show(entries, self.counts, keep)
        empty = self.query_one("#key-empty", Static)
        empty.display = not entries
        if state.error:
            empty.update(f"{state.error}\nNothing is changed in it until it can be read: fix it, then press F5.")
        elif state.path:
            empty.update("No entries yet: a adds one; Enter on a suggestion adds it.")
        else:
            empty.update("Choose the key file with f; it is created with its first entry.")
        self._preview_focused()

    def _show_suggestions(self) -> None:
        options = self.query_one("#suggestions", SuggestionList)
        options.loading = False
        count = options.show(self.suggestions, self._highlighted_suggestion())
        self.query_one("#suggestion-title", Static).update(
            Text.assemble(("Suggestions", "bold"), f"  {count} · Enter adds"))
        self._preview_focused()

    # -- what is highlighted ---------------------------------------------------------------------------

    def _highlighted_entry(self) -> Entry | None:
        table = self.query_one("#entries", DataTable)
        if not table.row_count or not self.key.entries:
            return None
        row = min(max(table.cursor_row, 0), len(self.key.entries) - 1)
        return self.key.entries[row]

    def _highlighted_entry_term(self) -> str | None:
        entry = self._highlighted_entry()
        return entry[0] if entry else None

    def _highlighted_suggestion(self) -> Candidate | None:
        options = self.query_one("#suggestions", OptionList)
        index = options.highlighted
        return self.suggestions[index] if index is not None and index < len(self.suggestions) else None

    def _suggestions_focused(self) -> bool:
        focused = self.focused
        return focused is not None and focused.id == "suggestions"

    def proposal(self, candidate: Candidate) -> str:
        """The pseudonym offered for a suggestion: the next free one of its kind."""
        return next_replacement(candidate.kind, self.key.entries)

    # -- the preview -----------------------------------------------------------------------------------

    def _preview_focused(self) -> None:
        if self._suggestions_focused():
            candidate = self._highlighted_suggestion()
            if candidate is not None:
                self._preview(candidate.term, self.proposal(candidate))
                return
        else:
            entry = self._highlighted_entry()
            if entry is not None:
                self._preview(entry[0], None)
                return
        self._preview_term = None
        self.query_one(SamplePreview).show_sample(None, None)

    def _preview(self, term: str, proposed: str | None) -> None:
        if self.texts is None:
            return
        self._preview_term = term
        self.find_sample(term, list(self.key.entries), proposed, self.texts)

    @work(thread=True, exclusive=True, exit_on_error=False, group="pseudonym-preview")
    def find_sample(self, term: str, entries: list[Entry], proposed: str | None, texts: Texts) -> None:
        self.post_message(self.SampleFound(term, sample(texts, entries, term, proposed), proposed))

    @on(SampleFound)
    def _sample_found(self, event: SampleFound) -> None:
        if event.term == self._preview_term:
            self.query_one(SamplePreview).show_sample(event.term, event.sample, proposed=event.proposed)

    @on(DataTable.RowHighlighted, "#entries")
    @on(OptionList.OptionHighlighted, "#suggestions")
    def _highlighted(self) -> None:
        self._preview_focused()

    def on_descendant_focus(self, event) -> None:  # noqa: ANN001
        self._preview_focused()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "delete"):
            return None if self._suggestions_focused() or self._highlighted_entry() is None else True
        return True

    # -- changing the key ------------------------------------------------------------------------------

    def _write(self, action: Callable[[], object], note: str, focus: str | None) -> None:
        """Write one change through the core in a thread worker (in key order), then read the key again."""
        self._focus_term = focus
        self._writes += 1
        path = self.key.path

        def change() -> Stamp | None:
            action()
            return key_stamp(path)

        self.app.write(self, change, lambda stamp: self.Written(note, stamp),  # type: ignore[attr-defined]
                       lambda: self.Written(None))

    @on(Written)
    def _written(self, event: Written) -> None:
        self._writes -= 1
        if event.stamp is not None:
            self.key = replace(self.key, stamp=event.stamp)
        if event.note:
            self.notify(event.note, markup=False)
        self.reload(self.key.path)

    def _taken(self, except_term: str | None = None) -> set[str]:
        skip = except_term.casefold() if except_term else None
        return {term.casefold() for term, _ in self.key.entries if term.casefold() != skip}

    def action_add(self, term: str = "", replacement: str = "") -> None:
        if self.key.path is None:
            self.action_choose_file(then=partial(self.action_add, term, replacement))
            return
        dialog = EntryDialog("Add to the pseudonym key", term=term, replacement=replacement, taken=self._taken())
        self.app.push_screen(dialog, self._add)

    def _add(self, result: tuple[str, str] | None) -> None:
        path = self.key.path
        if result is None or path is None:
            return
        term, replacement = result
        self._write(partial(add_new_entry, path, term, replacement), f"Added {term} → {mark(replacement)}", term)

    def action_edit(self) -> None:
        entry = self._highlighted_entry()
        if entry is None:
            return
        dialog = EntryDialog("Edit the entry", term=entry[0], replacement=entry[1], taken=self._taken(entry[0]))
        self.app.push_screen(dialog, partial(self._edit, entry))

    def _edit(self, old: Entry, result: tuple[str, str] | None) -> None:
        path = self.key.path
        if result is None or path is None or result == old:
            return
        term, replacement = result
        self._write(partial(replace_entry, path, old, term, replacement), f"Changed {term} → {mark(replacement)}",
                    term)

    def action_delete(self) -> None:
        entry = self._highlighted_entry()
        if entry is None:
            return
        question = f"Delete {entry[0]} → {mark(entry[1])} from the key? Exports will show the name again."
        self.app.push_screen(ConfirmDialog("Delete the entry", question, yes="Delete"), partial(self._delete, entry))

    def _delete(self, entry: Entry, yes: bool | None) -> None:
        path = self.key.path
        if not yes or path is None:
            return
        terms = [term for term, _ in self.key.entries]
        index = next((n for n, term in enumerate(terms) if term.casefold() == entry[0].casefold()), 0)
        rest = terms[:index] + terms[index + 1:]
        focus = rest[min(index, len(rest) - 1)] if rest else None
        self._write(partial(delete_entry, path, entry), f"Deleted {entry[0]}", focus)

    @on(DataTable.RowSelected, "#entries")
    def _entry_selected(self) -> None:
        self.action_edit()

    @on(OptionList.OptionSelected, "#suggestions")
    def _suggestion_selected(self, event: OptionList.OptionSelected) -> None:
        candidate = self.suggestions[event.option_index]
        self.action_add(candidate.term, self.proposal(candidate))

    def action_choose(self) -> None:
        if self._suggestions_focused():
            candidate = self._highlighted_suggestion()
            if candidate is not None:
                self.action_add(candidate.term, self.proposal(candidate))
        else:
            self.action_edit()

    # -- the key file ------------------------------------------------------------------------------------

    def action_choose_file(self, then: Callable[[], None] | None = None) -> None:
        current = self.project.settings().get(KEY_SETTING)
        prompt = TextPrompt(
            "Pseudonym key file",
            value=current if isinstance(current, str) else "",
            placeholder="e.g. ../pseudonym-key.csv",
            hint="A CSV file (term,replacement), kept outside exports/ so it is never shared with them. "
                 "A relative path is read from the project folder; a new file is created with its first entry.",
            check=partial(check_key_choice, self.project),
        )
        self.app.push_screen(prompt, partial(self._file_chosen, then))

    def _file_chosen(self, then: Callable[[], None] | None, value: str | None) -> None:
        if not value:
            return
        self.remember(value)
        self.key = KeyState(resolve_key_path(self.project, value), [])
        self.reload(self.key.path)
        if then is not None:
            then()

    @work(thread=True, exclusive=True, exit_on_error=False, group="pseudonym-setting")
    def remember(self, value: str) -> None:
        self.project.save_setting(KEY_SETTING, value)

    def action_reload(self) -> None:
        self.reload(self.key.path, texts=True)

    # -- changes made elsewhere ----------------------------------------------------------------------------

    def project_changed(self) -> None:
        """Something changed in the project: scan again if texts or cases were added, removed or imported again."""
        self.look(texts=True)

    def look_at_key(self) -> None:
        """What the timer does: see whether the key file was written since it was read."""
        if not self._writes and self._shown == self._generation:
            self.look(texts=False)

    @work(thread=True, exclusive=False, exit_on_error=False, group="pseudonym-look")
    def look(self, texts: bool) -> None:
        key = self.key
        stamp = key_stamp(key.path)
        texts_changed = texts and texts_stamp(self.app.store) != self._texts_stamp  # type: ignore[attr-defined]
        if (key.path is not None and stamp != key.stamp) or texts_changed:
            self.post_message(self.Outdated(stamp, texts_changed))

    @on(Outdated)
    def _outdated(self, event: Outdated) -> None:
        key_changed = (self.key.path is not None and event.stamp != self.key.stamp and not self._writes
                       and self._shown == self._generation)
        if not (key_changed or event.texts):
            return
        if key_changed:
            self.key = replace(self.key, stamp=event.stamp)
            self.notify("The key file was changed by another program: it has been read again.",
                        title="Key changed", severity="warning", timeout=6, markup=False)
        self.reload(self.key.path, texts=event.texts)

    # -- moving ------------------------------------------------------------------------------------------

    def action_switch_pane(self) -> None:
        target = "#entries" if self._suggestions_focused() else "#suggestions"
        widget: Widget = self.query_one(target)
        widget.focus()

    def action_back(self) -> None:
        self.app.pop_screen()
