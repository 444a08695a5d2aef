"""The form for a new theme: where it goes in the framework, its id, label and description."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from framework.tui.dialogs.common import DIALOG_CSS
from framework.views.catalog import ThemeCatalog, suggest_id

TOP = "\x00top"


@dataclass(frozen=True)
class NewTheme:
    """A theme to add to ``themes.yaml``."""

    theme_id: str
    label: str
    description: str
    parent_id: str | None


class NewThemeDialog(ModalScreen[NewTheme | None]):
    """Fill in a new theme; the id follows the parent (``5.9`` after ``5.8``) unless typed."""

    DEFAULT_CSS = DIALOG_CSS.format(name="NewThemeDialog") + """
    NewThemeDialog Input, NewThemeDialog Select { margin-bottom: 0; }
    NewThemeDialog .field { color: $text-muted; padding: 0 0 0 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="new_theme.cancel")]

    def __init__(self, catalog: ThemeCatalog, *, label: str = "", parent_id: str | None = None) -> None:
        super().__init__()
        self.catalog, self.label, self.parent_id = catalog, label, parent_id
        self._suggested = suggest_id(catalog, parent_id)

    def compose(self) -> ComposeResult:
        parents = [(Text(f"{t.id}  {'  ' * self.catalog.depth(t.id)}{t.label}"), t.id) for t in self.catalog.active()]
        with Vertical():
            yield Label("New theme (added to themes.yaml)", classes="dialog--title")
            yield Static("Under", classes="field")
            yield Select([("(top level)", TOP), *parents], value=self.parent_id or TOP, allow_blank=False, id="parent")
            yield Static("Id", classes="field")
            yield Input(self._suggested, id="theme-id")
            yield Static("Label", classes="field")
            yield Input(self.label, placeholder="A short name for the theme", id="label")
            yield Static("Description", classes="field")
            yield Input(placeholder="What belongs under this theme (optional)", id="description")
            yield Static("", classes="dialog--error", markup=False)
            with Horizontal():
                yield Button("Add…", variant="primary", id="add")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#label" if not self.label else "#theme-id", Input).focus()

    @on(Select.Changed, "#parent")
    def _parent_changed(self, event: Select.Changed) -> None:
        """Follow the parent with the suggested id, unless the id was typed."""
        field = self.query_one("#theme-id", Input)
        if field.value.strip() in ("", self._suggested):
            parent = None if event.value == TOP else str(event.value)
            self._suggested = suggest_id(self.catalog, parent)
            field.value = self._suggested

    @on(Input.Submitted)
    @on(Button.Pressed, "#add")
    def _add(self) -> None:
        theme_id = self.query_one("#theme-id", Input).value.strip()
        label = self.query_one("#label", Input).value.strip()
        parent_value = self.query_one("#parent", Select).value
        parent = None if parent_value == TOP else str(parent_value)
        error = ""
        if not theme_id:
            error = "Give the theme an id, e.g. 5.9."
        elif theme_id in self.catalog.by_id:
            error = f"The id {theme_id} is already used by “{self.catalog.by_id[theme_id].label}”."
        elif not label:
            error = "Give the theme a label."
        if error:
            self.query_one(".dialog--error", Static).update(error)
            return
        description = self.query_one("#description", Input).value.strip()
        self.dismiss(NewTheme(theme_id, label, description, parent))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
