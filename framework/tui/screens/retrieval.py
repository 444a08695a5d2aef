"""Theme retrieval: every passage coded with a theme, across cases, with a jump to each.

When another process changes the project, the passages are read again and the highlight
stays on the passage it was on while that passage is still coded.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from framework.tui.screens.following import FollowsProject
from framework.views.workbench import Passage, load_passages


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


class RetrievalScreen(FollowsProject[None]):
    """Choose a theme on the left; its passages, with case, attributes and line, on the right.

    Subthemes' passages are included (a theme's coding rolls up to its parent) unless
    ``i`` turns that off. Enter on a passage opens it in the reader, selected.
    """

    BINDINGS = [
        Binding("enter", "choose", "Open", id="retrieval.open", tooltip="Choose the theme / open the passage"),
        Binding("tab", "switch_pane", "Themes/passages", show=False, id="retrieval.switch"),
        Binding("i", "toggle_subthemes", "Subthemes", id="retrieval.subthemes",
                tooltip="Include or leave out subthemes' passages"),
        Binding("o", "toggle_others", "Others", id="retrieval.others", tooltip="Show or hide other coders' passages"),
        Binding("slash", "filter", "Filter themes", show=False, id="retrieval.filter"),
        Binding("escape", "back", "Back", id="retrieval.back"),
    ]

    theme_id: reactive[str | None] = reactive(None, init=False)
    subthemes: reactive[bool] = reactive(True, init=False)

    @dataclass
    class Loaded(Message):
        theme_id: str
        passages: list[Passage]
        keep: bool = False
        """Read again after changes made elsewhere: the highlight stays on its passage."""

    def __init__(self, theme_id: str | None = None) -> None:
        super().__init__()
        self.initial_theme = theme_id
        self.passages: list[Passage] = []
        self._theme_ids: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header(icon="▦")
        with Horizontal(id="retrieval-body"):
            with Vertical(id="theme-pane"):
                yield Input(placeholder="Filter themes", id="theme-filter", compact=True)
                yield OptionList(id="theme-list")
            with Vertical(id="passage-pane"):
                yield Static("", id="retrieval-title")
                yield OptionList(id="passages")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#theme-filter").display = False
        self.call_after_refresh(self._fill_themes)
        self.watch(self.app, "catalog_version", self._fill_themes)
        self.watch(self.app, "show_others", self._reload, init=False)
        self.watch(self.app, "coder", self._reload, init=False)
        if self.initial_theme and self.initial_theme in self.app.catalog.by_id:  # type: ignore[attr-defined]
            self.choose_theme(self.initial_theme)
            self.query_one("#passages").focus()
        else:
            self.query_one("#theme-list").focus()

    # -- themes ---------------------------------------------------------------------------------

    def _fill_themes(self) -> None:
        catalog = self.app.catalog  # type: ignore[attr-defined]
        words = self.query_one("#theme-filter", Input).value.strip()
        themes = [m.theme for m in catalog.search(words)] if words else catalog.themes
        options = []
        self._theme_ids = []
        theme_list = self.query_one("#theme-list", OptionList)
        width = max(theme_list.scrollable_content_region.width - 2, 20)
        for theme in themes:
            ids = catalog.descendants(theme.id) if self.subthemes else [theme.id]
            total = sum(catalog.usage.get(tid, (0, 0))[0] for tid in ids)
            text = Text.assemble((f"{total:>4} ", "bold" if total else "dim"), ("■ ", catalog.colour(theme.id)))
            text.append(("  " * catalog.depth(theme.id) if not words else "") + f"{theme.id} ", style="bold")
            text.append(theme.label, style="dim" if theme.archived else "")
            text.truncate(width, overflow="ellipsis")
            options.append(Option(text, id=theme.id))
            self._theme_ids.append(theme.id)
        theme_list.set_options(options)
        if self.theme_id in self._theme_ids:
            theme_list.highlighted = self._theme_ids.index(self.theme_id)
        elif options:
            theme_list.highlighted = 0

    def on_resize(self) -> None:
        self._fill_themes()

    def choose_theme(self, theme_id: str) -> None:
        self.theme_id = theme_id
        if theme_id in self._theme_ids:
            self.query_one("#theme-list", OptionList).highlighted = self._theme_ids.index(theme_id)

    def watch_theme_id(self) -> None:
        self._reload()

    def watch_subthemes(self) -> None:
        self._fill_themes()
        self._reload()

    def _reload(self) -> None:
        self.read_passages()

    def read_passages(self, *, quietly: bool = False) -> None:
        """Read the theme's passages in a worker; ``quietly`` keeps the list as it is until they come."""
        if self.theme_id is None:
            return
        catalog = self.app.catalog  # type: ignore[attr-defined]
        ids = catalog.descendants(self.theme_id) if self.subthemes else [self.theme_id]
        coders = None if self.app.show_others else [self.app.coder]  # type: ignore[attr-defined]
        if not quietly:
            self.query_one("#passages", OptionList).loading = True
        self.load(self.theme_id, ids, coders, quietly)

    def project_changed(self) -> None:
        """Codings added, changed or removed elsewhere: the passages as they are now."""
        self.read_passages(quietly=True)

    @work(thread=True, exclusive=True, exit_on_error=False, group="retrieval")
    def load(self, theme_id: str, theme_ids: list[str], coders: list[str] | None, keep: bool = False) -> None:
        found = load_passages(self.app.store, theme_ids, coders)  # type: ignore[attr-defined]
        self.post_message(self.Loaded(theme_id, found, keep))

    # -- passages --------------------------------------------------------------------------------

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        if event.theme_id != self.theme_id:
            return
        keep = self._highlighted_coding() if event.keep else None
        self.passages = event.passages
        catalog = self.app.catalog  # type: ignore[attr-defined]
        passages = self.query_one("#passages", OptionList)
        passages.loading = False
        options: list[Option | None] = []
        for n, passage in enumerate(event.passages):
            if n:
                options.append(None)
            options.append(Option(self._passage_text(passage), id=str(n)))
        passages.set_options(options)
        ids = [p.coding.id for p in event.passages]
        if keep in ids:
            passages.highlighted = ids.index(keep)
        elif options:
            passages.highlighted = 0
        cases = len({p.case.id for p in event.passages})
        scope = "all coders" if self.app.show_others else f"coder {self.app.coder}"  # type: ignore[attr-defined]
        title = Text.assemble((catalog.path_text(event.theme_id), "bold"))
        title.append(f"  {_count(len(event.passages), 'passage')} in {_count(cases, 'case')} · {scope}"
                     + (" · with subthemes" if self.subthemes and catalog.children.get(event.theme_id) else ""))
        self.query_one("#retrieval-title", Static).update(title)

    def _highlighted_coding(self) -> int | None:
        """The coding of the passage highlighted (None: none yet)."""
        index = self.query_one("#passages", OptionList).highlighted
        if index is None or not self.passages:
            return None
        option = self.query_one("#passages", OptionList).get_option_at_index(index)
        n = int(option.id or 0)
        return self.passages[n].coding.id if n < len(self.passages) else None

    def _passage_text(self, passage: Passage) -> Text:
        catalog = self.app.catalog  # type: ignore[attr-defined]
        coding = passage.coding
        text = Text()
        text.append(passage.case.name, style="bold")
        if coding.document != passage.case.name:
            text.append(f" · {coding.document}")
        text.append(f"  line {passage.line_ref}", style="underline")
        if coding.theme_id != self.theme_id:
            text.append("  ■", style=catalog.colour(coding.theme_id))
            text.append(f" {catalog.title(coding.theme_id)}")
        if self.app.show_others:  # type: ignore[attr-defined]
            text.append(f"  ({coding.coder})", style="italic")
        attributes = ", ".join(v for v in passage.case.attributes.values() if v)
        if attributes:
            text.append(f"\n{attributes}", style="dim")
        text.append("\n" + " ".join(coding.quote.split()))
        if coding.memo:
            text.append(f"\nmemo: {coding.memo}", style="italic")
        return text

    # -- keys -------------------------------------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#theme-list")
    def _theme_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.theme_id = event.option.id

    @on(OptionList.OptionSelected, "#theme-list")
    def _theme_selected(self, event: OptionList.OptionSelected) -> None:
        self.theme_id = event.option.id
        self.query_one("#passages").focus()

    @on(OptionList.OptionSelected, "#passages")
    def _passage_selected(self, event: OptionList.OptionSelected) -> None:
        self._open(int(event.option.id or 0))

    def _open(self, index: int) -> None:
        passage = self.passages[index]
        coding = passage.coding
        span = None if coding.detached else (coding.start, coding.end)
        self.app.open_document(coding.document_id, span=span)  # type: ignore[attr-defined]

    def action_choose(self) -> None:
        self.focused_list().action_select()

    def focused_list(self) -> OptionList:
        focused = self.focused
        if isinstance(focused, OptionList):
            return focused
        return self.query_one("#theme-list", OptionList)

    def action_switch_pane(self) -> None:
        target = "#theme-list" if self.focused is self.query_one("#passages") else "#passages"
        self.query_one(target).focus()

    @on(Input.Changed, "#theme-filter")
    def _filter_changed(self) -> None:
        self._fill_themes()

    @on(Input.Submitted, "#theme-filter")
    def _filter_submitted(self) -> None:
        self.query_one("#theme-list").focus()

    def action_filter(self) -> None:
        field = self.query_one("#theme-filter", Input)
        field.display = True
        field.focus()

    def action_toggle_subthemes(self) -> None:
        self.subthemes = not self.subthemes

    def action_toggle_others(self) -> None:
        self.app.show_others = not self.app.show_others  # type: ignore[attr-defined]

    def action_back(self) -> None:
        field = self.query_one("#theme-filter", Input)
        if field.has_focus:
            field.value = ""
            field.display = False
            self.query_one("#theme-list").focus()
        else:
            self.app.pop_screen()
