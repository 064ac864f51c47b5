"""PromptInput: the multi-line input box (Enter sends, ctrl+j / alt+enter insert a newline)."""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.widgets import TextArea

from causerie.ui.messages import PromptSubmitted


class PromptInput(TextArea):
    """Where the user types; posts PromptSubmitted on Enter."""

    DEFAULT_CSS = """
    PromptInput {
        height: auto;
        min-height: 3;
        max-height: 12;
        border: round $primary 50%;
        background: $surface;
    }
    PromptInput:focus {
        border: round $primary;
    }
    """

    BINDINGS = [
        Binding("enter", "submit", "Send", id="prompt.send"),
        Binding("ctrl+j,alt+enter,shift+enter", "newline", "Newline", id="prompt.newline"),
    ]

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
        self.border_title = "Message"

    async def _on_key(self, event: events.Key) -> None:
        # A key bound here (Enter, the newline keys, or what the keymap maps onto them) goes to its binding,
        # not to TextArea's insert. Not a priority binding: those run before keys still queued for this widget,
        # so "Hello" typed quickly followed by Enter would send only "H".
        if event.key in self._bindings.key_to_bindings:
            event.prevent_default()  # skip TextArea's handler; the event still bubbles to the binding check

    def action_submit(self) -> None:
        """Send the prompt's text (the screen decides whether it can)."""
        if self.text.strip():
            self.post_message(PromptSubmitted(self.text))

    def action_newline(self) -> None:
        """Insert a newline at the cursor."""
        self.insert("\n")
