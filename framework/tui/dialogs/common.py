"""Small typed modals: yes/no, choose one of several, type a value."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from framework.errors import FrameworkError

T = TypeVar("T")

DIALOG_CSS = """
{name} {{
    align: center middle;
    background: $background 60%;
    & > Vertical {{
        width: 76;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }}
    & .dialog--title {{ text-style: bold; color: $text-primary; width: 1fr; padding: 0 0 1 0; }}
    & .dialog--hint {{ color: $text-muted; padding: 1 0 0 0; }}
    & .dialog--error {{ color: $text-error; height: auto; }}
    & Horizontal {{ height: auto; align-horizontal: right; padding: 1 0 0 0; }}
    & Button {{ margin-left: 1; }}
}}
"""


class ConfirmDialog(ModalScreen[bool]):
    """Ask a yes/no question; ``y``/Enter for yes, ``n``/Escape for no."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ConfirmDialog")
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, title: str, question: str, *, yes: str = "Yes") -> None:
        super().__init__()
        self.title_text, self.question, self.yes = title, question, yes

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="dialog--title", markup=False)
            yield Static(self.question, markup=False)
            with Horizontal():
                yield Button(self.yes, variant="primary", id="yes")
                yield Button("No", id="no")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class ChoiceDialog(ModalScreen[T | None], Generic[T]):
    """Choose one of several items with the arrows and Enter (or a number key)."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ChoiceDialog") + """
    ChoiceDialog OptionList { height: auto; max-height: 20; border: none; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="choice.cancel"),
        *[Binding(str(n), f"pick({n})", f"Choose {n}", show=False, id=f"choice.{n}") for n in range(1, 10)],
    ]

    def __init__(self, title: str, choices: Sequence[tuple[str | Text, T]], *, hint: str = "") -> None:
        super().__init__()
        self.title_text, self.choices, self.hint = title, list(choices), hint

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="dialog--title", markup=False)
            options = []
            for n, (label, _value) in enumerate(self.choices, start=1):
                prompt = Text.assemble((f"{n} " if n <= 9 else "  ", "bold"))
                prompt.append(label if isinstance(label, Text) else Text(label))
                options.append(Option(prompt))
            yield OptionList(*options)
            yield Static(self.hint or "↑↓ move · Enter choose · Esc cancel", classes="dialog--hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[event.option_index][1])

    def action_pick(self, number: int) -> None:
        if 1 <= number <= len(self.choices):
            self.dismiss(self.choices[number - 1][1])

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextPrompt(ModalScreen[str | None]):
    """Ask for one value; ``check`` may raise a :class:`FrameworkError` whose message is shown."""

    DEFAULT_CSS = DIALOG_CSS.format(name="TextPrompt") + """
    TextPrompt OptionList { height: auto; max-height: 8; border: none; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(
        self,
        title: str,
        *,
        value: str = "",
        placeholder: str = "",
        hint: str = "",
        suggestions: Sequence[str] = (),
        check: Callable[[str], str] | None = None,
        cancellable: bool = True,
    ) -> None:
        super().__init__()
        self.title_text, self.value, self.placeholder = title, value, placeholder
        self.hint, self.suggestions, self.check = hint, list(suggestions), check
        self.cancellable = cancellable

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="dialog--title", markup=False)
            yield Input(self.value, placeholder=self.placeholder)
            if self.suggestions:
                yield OptionList(*[Text(name) for name in self.suggestions])
            yield Static("", classes="dialog--error", markup=False)
            if self.hint:
                yield Static(self.hint, classes="dialog--hint", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(OptionList.OptionSelected)
    def _suggested(self, event: OptionList.OptionSelected) -> None:
        self._submit(self.suggestions[event.option_index])

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self._submit(event.value)

    def _submit(self, value: str) -> None:
        value = value.strip()
        try:
            value = self.check(value) if self.check else value
        except FrameworkError as exc:
            self.query_one(".dialog--error", Static).update(str(exc))
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        if self.cancellable:
            self.dismiss(None)
