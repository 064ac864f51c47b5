"""Small modal dialogs: a yes/no confirmation and a one-line text input (rename)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from causerie.ui.text import outside, outside_body
from causerie.ui.widgets.in_order import InOrderInput

DIALOG_CSS = """
    align: center middle;
    & > Vertical {
        width: 60;
        max-width: 100%;
        height: auto;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    & .dialog-title {
        text-style: bold;
    }
    & .dialog-keys {
        color: $text-muted;
    }
"""


class ConfirmDialog(ModalScreen[bool]):
    """Asks a yes/no question; dismisses with True for yes."""

    DEFAULT_CSS = "ConfirmDialog {" + DIALOG_CSS + "}"

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", id="dialog.yes"),
        Binding("n,escape", "answer(False)", "No", id="dialog.no"),
    ]

    def __init__(self, title: str, question: str, yes: str = "Yes") -> None:
        super().__init__()
        self.title_text = title
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(outside(self.title_text), classes="dialog-title")
            yield Static(outside_body(self.question), classes="dialog-question")
            yield Static(outside(f"y / Enter: {self.yes}    n / Esc: cancel"), classes="dialog-keys")

    def action_answer(self, answer: bool) -> None:
        """Close with this answer."""
        self.dismiss(answer)


class TextDialog(ModalScreen[str | None]):
    """Asks for one line of text; dismisses with the text, or None when cancelled."""

    DEFAULT_CSS = "TextDialog {" + DIALOG_CSS + "} TextDialog Input { margin: 1 0 0 0; }"

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
    ]

    def __init__(self, title: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(outside(self.title_text), classes="dialog-title")
            yield InOrderInput(self.value, placeholder=self.placeholder, id="dialog-input")
            yield Static("Enter: save    Esc: cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        """Close without a value."""
        self.dismiss(None)
