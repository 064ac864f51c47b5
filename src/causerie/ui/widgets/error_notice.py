"""ErrorNotice: a failure in plain words with its ways out (buttons), and a countdown before an automatic retry."""

from __future__ import annotations

import time
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Static

from causerie.core.chat.way_out import CONTINUE, PICK_MODEL, RETRY, SUMMARIZE, TRIM, WITHOUT_ATTACHMENTS, WITHOUT_TOOLS
from causerie.ui.text import outside
from causerie.ui.widgets.conversation import Notice

LABELS = {
    RETRY: "Retry (ctrl+r)",
    SUMMARIZE: "Summarize older messages and resend",
    TRIM: "Leave out older messages and resend",
    CONTINUE: "Continue the reply",
    PICK_MODEL: "Pick another model",
    WITHOUT_TOOLS: "Send again without tools",
    WITHOUT_ATTACHMENTS: "Send without the attachments",
}


class ErrorNotice(Vertical):
    """The sentence, then one button per way out; while an automatic retry is pending, a live countdown."""

    DEFAULT_CSS = """
    ErrorNotice {
        height: auto;
        margin: 0 0 1 0;
    }
    ErrorNotice > Notice {
        margin: 0;
    }
    ErrorNotice .countdown {
        padding: 0 1;
        color: $text-warning;
        border-left: outer $warning;
    }
    ErrorNotice Horizontal {
        height: auto;
        padding: 0 1;
    }
    ErrorNotice Button {
        margin: 0 1 0 0;
        min-width: 10;
    }
    """

    @dataclass
    class Chosen(Message):
        """The user picked a way out."""

        action: str

    def __init__(self, text: str, actions: tuple[str, ...] = (), severity: str = "error") -> None:
        super().__init__(classes=f"-{severity}")
        self.text = text
        self.actions = actions
        self.severity = severity
        self._deadline: float | None = None
        self._countdown_label = ""
        self._countdown_value = ""
        self._countdown = Static("", classes="countdown")
        self._countdown.display = False
        self._ways_out_shown = True

    def compose(self) -> ComposeResult:
        yield Notice(self.text, self.severity)
        yield self._countdown
        with Horizontal(classes="ways-out"):
            for action in self.actions:
                yield Button(LABELS.get(action, action), name=action, compact=True)

    def on_mount(self) -> None:
        self._show_ways_out(self._ways_out_shown)
        self.set_interval(0.2, self._tick)

    def start_countdown(self, seconds: float, label: str) -> None:
        """Show "label in N s" until the retry starts (display only: the screen's worker does the waiting)."""
        self._deadline = time.monotonic() + seconds
        self._countdown_label = label
        self._tick()

    def end_countdown(self, text: str) -> None:
        """Replace the countdown with a final line (retrying now, gave up...)."""
        self._deadline = None
        self._set_countdown(text)

    @property
    def countdown_text(self) -> str:
        """What the countdown line says now (for tests and screen readers)."""
        return self._countdown_value

    def _set_countdown(self, text: str) -> None:
        self._countdown_value = text
        self._countdown.update(outside(text))
        self._countdown.display = bool(text)

    def _tick(self) -> None:
        if self._deadline is None:
            return
        left = max(0.0, self._deadline - time.monotonic())
        self._set_countdown(f"{self._countdown_label} in {left:.0f} s. ctrl+r retries now, Esc gives up.")

    def _show_ways_out(self, shown: bool) -> None:
        self._ways_out_shown = shown
        if self.is_mounted:
            self.query_one(".ways-out").display = shown and bool(self.actions)

    @on(Button.Pressed)
    def _chosen(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.name:
            self.post_message(self.Chosen(event.button.name))

    def retire(self) -> None:
        """The failure is behind us: hide the buttons and the countdown (the sentence stays)."""
        if self._deadline is not None:
            self.end_countdown("")
        self._show_ways_out(False)
