"""Export from the matrix: the charts shown or the quotes of a theme, in a format, with a key."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet, Select, Static

from framework.errors import FrameworkError
from framework.tui.dialogs.common import DIALOG_CSS
from framework.views.exporting import CHARTS, QUOTES, ExportChoices, ExportRequest

FORMAT_NAMES = {"xlsx": "Excel workbook (.xlsx)", "docx": "Word document (.docx)", "html": "Web page (.html)",
                "md": "Markdown (.md)", "csv": "CSV table (.csv)"}


class ExportDialog(ModalScreen[ExportRequest | None]):
    """Choose what to export, the format, how cases are named and the pseudonym key;
    ctrl+s (or the button) exports, Escape cancels. Tab moves between the choices."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ExportDialog") + """
    ExportDialog RadioSet { width: 1fr; margin: 0 0 1 0; }
    ExportDialog .export--row { height: 1; padding: 0; align-horizontal: left; margin: 0 0 1 0; }
    ExportDialog .export--label { color: $text-muted; width: 18; }
    ExportDialog .export--row Select, ExportDialog .export--row Input { width: 1fr; }
    ExportDialog Checkbox { margin: 0 0 1 0; }
    """
    BINDINGS = [
        Binding("ctrl+s", "export", "Export", priority=True, id="export.go",
                tooltip="Write the file with these choices"),
        Binding("escape", "cancel", "Cancel", id="export.cancel", tooltip="Close without exporting"),
    ]

    def __init__(self, choices: ExportChoices) -> None:
        super().__init__()
        self.choices = choices

    def compose(self) -> ComposeResult:
        c = self.choices
        with Vertical():
            yield Label(f"Export ({c.layer}'s coding)" if c.layer != "consensus" else "Export (agreed coding)",
                        classes="dialog--title", markup=False)
            with RadioSet(compact=True, id="what"):
                yield RadioButton(f"Charts: {c.charts_title}", value=True)
                if c.quote_theme is not None:
                    yield RadioButton(f"Quotes of {c.quote_title}")
            with Horizontal(classes="export--row"):
                yield Label("Format", classes="export--label")
                yield Select(self._format_options(CHARTS), value="xlsx", allow_blank=False, compact=True,
                             id="format")
            with Horizontal(classes="export--row"):
                yield Label("Name the cases by", classes="export--label")
                yield Select([("their ids", ""), *((a, a) for a in c.attributes)], value="", allow_blank=False,
                             compact=True, id="label")
            yield Checkbox("Leave out cases with nothing coded", compact=True, id="skip-empty")
            with Horizontal(classes="export--row"):
                yield Label("Pseudonym key", classes="export--label")
                yield Input(c.key, placeholder="none; e.g. ../keys/study-key.csv", compact=True, id="key")
            yield Static("", classes="dialog--error", markup=False)
            yield Static("Tab moves · ctrl+s exports to exports/ · Esc cancels · the key screen (K) edits keys",
                         classes="dialog--hint")
            with Horizontal():
                yield Button("Export", variant="primary", compact=True, id="go")
                yield Button("Cancel", compact=True, id="cancel")

    def on_mount(self) -> None:
        self.query_one("#what", RadioSet).focus()

    def _format_options(self, what: str) -> list[tuple[str, str]]:
        return [(FORMAT_NAMES.get(f, f), f) for f in self.choices.formats(what)]

    @property
    def what(self) -> str:
        return QUOTES if self.query_one("#what", RadioSet).pressed_index == 1 else CHARTS

    @on(RadioSet.Changed, "#what")
    def _what_changed(self) -> None:
        what = self.what
        chosen = self.query_one("#format", Select)
        before = chosen.value
        chosen.set_options(self._format_options(what))
        formats = self.choices.formats(what)
        chosen.value = before if before in formats else formats[0]
        self.query_one("#skip-empty", Checkbox).display = what == CHARTS

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "go":
            self.action_export()
        else:
            self.dismiss(None)

    @on(Input.Submitted, "#key")
    def _submitted(self) -> None:
        self.action_export()

    def action_export(self) -> None:
        from framework.views.exporting import check_key

        c = self.choices
        try:
            key = check_key(self.app.project, self.query_one("#key", Input).value)  # type: ignore[attr-defined]
        except FrameworkError as exc:
            self.query_one(".dialog--error", Static).update(str(exc))
            self.query_one("#key", Input).focus()
            return
        what = self.what
        label = str(self.query_one("#label", Select).value or "") or None
        theme_ids = (c.quote_theme,) if what == QUOTES and c.quote_theme else c.chart_ids
        self.dismiss(ExportRequest(what, str(self.query_one("#format", Select).value), c.layer, theme_ids,
                                   c.group_by, key, what == CHARTS and self.query_one("#skip-empty", Checkbox).value,
                                   label))

    def action_cancel(self) -> None:
        self.dismiss(None)
