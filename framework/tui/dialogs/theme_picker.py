"""The theme picker: type to filter the framework (fuzzy), Enter applies, or create a theme."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from framework.themes.model import ThemeSpec
from framework.tui.dialogs.common import DIALOG_CSS, ConfirmDialog
from framework.tui.dialogs.new_theme import NewTheme, NewThemeDialog
from framework.views.catalog import ThemeCatalog
from framework.views.workbench import create_theme

CREATE = "\x00create"


@dataclass(frozen=True)
class PickResult:
    """The chosen theme, and whether to write a memo on the new coding straight away."""

    theme_id: str
    with_memo: bool = False


class ThemePicker(ModalScreen[PickResult | None]):
    """Choose a theme: fuzzy search over id, label, path and description.

    With nothing typed, the recently used themes come first, numbered as on the number keys.
    """

    DEFAULT_CSS = DIALOG_CSS.format(name="ThemePicker") + """
    ThemePicker { background: $background 35%; }
    ThemePicker > Vertical { width: 84; height: auto; max-height: 90%; }
    ThemePicker OptionList { height: auto; max-height: 18; border: none; background: $surface; }
    ThemePicker #description { height: 3; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("down", "move(1)", "Next", show=False, id="picker.down"),
        Binding("up", "move(-1)", "Previous", show=False, id="picker.up"),
        Binding("pagedown", "move(10)", "Page down", show=False, id="picker.pagedown"),
        Binding("pageup", "move(-10)", "Page up", show=False, id="picker.pageup"),
        Binding("ctrl+o", "apply_with_memo", "Apply + memo", id="picker.apply_memo",
                tooltip="Apply the theme, then write a memo on the passage"),
        Binding("ctrl+n", "new_theme", "New theme", id="picker.new_theme",
                tooltip="Add a new theme to themes.yaml and apply it"),
    ]

    @dataclass
    class Created(Message):
        """A new theme is in themes.yaml and in the store."""

        catalog: ThemeCatalog
        theme_id: str
        with_memo: bool

    def __init__(self, catalog: ThemeCatalog, recent: list[str], *, title: str = "Apply a theme",
                 allow_create: bool = True) -> None:
        super().__init__()
        self.catalog, self.recent, self.title_text = catalog, catalog.recent_valid(recent), title
        self.allow_create = allow_create
        self._ids: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="dialog--title", markup=False)
            yield Input(placeholder="Type to filter themes by id, label or description", id="query")
            yield OptionList(id="theme-options")
            yield Static("", id="description", markup=False)
            yield Static("Enter apply · ctrl+o apply + memo · ctrl+n new theme · Esc cancel",
                         classes="dialog--hint")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#query", Input).focus()
        self.call_after_refresh(lambda: self._fill(self.query_one("#query", Input).value))

    # -- listing ---------------------------------------------------------------------------

    def _line(self, theme_id: str, number: int | None, indent: bool) -> Text:
        theme = self.catalog.by_id[theme_id]
        text = Text.assemble((f"{number} " if number else "  ", "bold"))
        text.append("■ ", style=self.catalog.colour(theme_id))
        text.append(f"{theme_id:<6} ", style="bold")
        if indent:
            text.append("  " * self.catalog.depth(theme_id) + theme.label)
        else:
            path = self.catalog.path(theme_id)
            if len(path) > 1:
                text.append(" › ".join(path[:-1]) + " › ", style="dim")
            text.append(theme.label)
        width = self.query_one("#theme-options", OptionList).scrollable_content_region.width - 1
        if width > 20:
            text.truncate(width, overflow="ellipsis")
        return text

    def _fill(self, query: str) -> None:
        options: list[Option | None] = []
        self._ids = []
        if query.strip():
            for match in self.catalog.search(query):
                options.append(Option(self._line(match.theme.id, None, False), id=match.theme.id))
                self._ids.append(match.theme.id)
            if self.allow_create:
                options.append(Option(Text(f"+ New theme “{query.strip()}”… (ctrl+n)", style="italic"), id=CREATE))
                self._ids.append(CREATE)
        else:
            for n, theme_id in enumerate(self.recent, start=1):
                options.append(Option(self._line(theme_id, n, False), id=f"recent:{theme_id}"))
                self._ids.append(theme_id)
            if self.recent:
                options.append(None)
            for theme in self.catalog.active():
                options.append(Option(self._line(theme.id, None, True), id=theme.id))
                self._ids.append(theme.id)
        option_list = self.query_one("#theme-options", OptionList)
        option_list.set_options(options)
        if self._ids:
            option_list.highlighted = 0
        self._describe()

    def _highlighted_id(self) -> str | None:
        option_list = self.query_one("#theme-options", OptionList)
        if option_list.highlighted is None:
            return None
        option = option_list.get_option_at_index(option_list.highlighted)
        if option.id is None:
            return None
        return option.id.removeprefix("recent:")

    def _describe(self) -> None:
        theme_id = self._highlighted_id()
        theme = self.catalog.get(theme_id) if theme_id else None
        text = ""
        if theme is not None:
            text = theme.description or theme.include
        self.query_one("#description", Static).update(text)

    @on(Input.Changed, "#query")
    def _query_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(OptionList.OptionHighlighted)
    def _highlighted(self) -> None:
        self._describe()

    # -- choosing ----------------------------------------------------------------------------

    @on(Input.Submitted, "#query")
    def _submitted(self) -> None:
        self._choose(with_memo=False)

    @on(OptionList.OptionSelected)
    def _selected(self) -> None:
        self._choose(with_memo=False)

    def _choose(self, *, with_memo: bool) -> None:
        theme_id = self._highlighted_id()
        if theme_id == CREATE:
            self.action_new_theme(with_memo=with_memo)
        elif theme_id is not None:
            self.dismiss(PickResult(theme_id, with_memo))

    def action_move(self, delta: int) -> None:
        option_list = self.query_one("#theme-options", OptionList)
        count = option_list.option_count
        if not count:
            return
        current = option_list.highlighted if option_list.highlighted is not None else -1
        target = min(max(current + delta, 0), count - 1)
        if option_list.get_option_at_index(target).disabled:
            target = min(max(target + (1 if delta > 0 else -1), 0), count - 1)
        option_list.highlighted = target

    def action_apply_with_memo(self) -> None:
        self._choose(with_memo=True)

    def action_cancel(self) -> None:
        self.dismiss(None)

    # -- a new theme ---------------------------------------------------------------------------

    def action_new_theme(self, with_memo: bool = False) -> None:
        if not self.allow_create:
            return
        label = self.query_one("#query", Input).value.strip()
        near = self._highlighted_id()
        parent = None
        if near and near != CREATE and near in self.catalog.by_id:
            parent = self.catalog.by_id[near].parent_id
        dialog = NewThemeDialog(self.catalog, label=label, parent_id=parent)
        self.app.push_screen(dialog, lambda new: self._confirm(new, with_memo))

    def _confirm(self, new: NewTheme | None, with_memo: bool) -> None:
        if new is None:
            return
        where = f"under {self.catalog.title(new.parent_id)}" if new.parent_id else "as a top-level theme"
        question = (f"Add theme {new.theme_id} “{new.label}” {where} to themes.yaml?\n"
                    "The file's comments and layout are kept.")
        self.app.push_screen(ConfirmDialog("New theme", question, yes="Add theme"),
                             lambda yes: self._create(new, with_memo) if yes else None)

    def _create(self, new: NewTheme, with_memo: bool) -> None:
        app = self.app
        project, coder = app.project, app.coder  # type: ignore[attr-defined]
        spec = ThemeSpec(id=new.theme_id, label=new.label, description=new.description)
        app.write(  # type: ignore[attr-defined]
            self,
            lambda: create_theme(project, coder, spec, new.parent_id),
            lambda catalog: self.Created(catalog, new.theme_id, with_memo),
        )

    @on(Created)
    def _created(self, event: Created) -> None:
        self.app.set_catalog(event.catalog)  # type: ignore[attr-defined]
        self.notify(f"Added theme {event.theme_id} to themes.yaml", markup=False)
        self.dismiss(PickResult(event.theme_id, event.with_memo))
