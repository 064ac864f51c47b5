"""MessageView: one message of the conversation, a role line and a body that renders cheaply (see MessageBody)."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Static

from causerie.core.attachments.record import describe
from causerie.core.conversation.endings import ending_of
from causerie.core.conversation.models import Message, effort_of
from causerie.core.safe_text import sanitize, sanitize_line
from causerie.ui.compat import SettledLayout
from causerie.ui.widgets.display_caps import SHOWN_CHARS, SHOWN_LINES, shown_part
from causerie.ui.widgets.math_render import RENDER
from causerie.ui.widgets.message_body import MessageBody
from causerie.ui.widgets.tool_block import calls_text, foldable, result_label

__all__ = ["SHOWN_CHARS", "SHOWN_LINES", "EarlierMessages", "MessageView", "shown_part"]


class MessageView(SettledLayout, Widget, can_focus=True):
    """One message: a role line and its body (model output is sanitized first)."""

    DEFAULT_CSS = """
    MessageView {
        height: auto;
        padding: 0 1;
        margin: 0 0 1 0;
        background: $assistant-message-background;
    }
    MessageView.-user {
        background: $user-message-background;
        border-left: outer $message-role-user;
    }
    MessageView.-assistant {
        border-left: outer $message-role-assistant;
    }
    MessageView:focus {
        background: $boost;
        border-left: outer $accent;
    }
    MessageView.-tool {
        border-left: outer $message-role-assistant 40%;
    }
    MessageView.-tool.-folded > MessageBody {
        max-height: 3;
    }
    MessageView > .message-label {
        height: 1;
    }
    MessageView > .tool-calls {
        height: auto;
        color: $text-muted;
    }
    MessageView > .message-note {
        display: none;
        color: $text-muted;
        text-style: italic;
    }
    MessageView > .message-note.-shown {
        display: block;
    }
    """

    def __init__(self, message: Message, *, streaming: bool = False, math: str = RENDER) -> None:
        super().__init__(classes=f"-{message.role}")
        self.message = message
        self.label = Static(classes="message-label")
        markdown = message.role not in ("user", "tool")  # a tool's result is shown as it came, like typed text
        self.body = MessageBody(message, markdown=markdown, streaming=streaming, math=math)
        self.calls = Static(classes="tool-calls")
        self.note = Static(classes="message-note")
        self.set_class(message.role == "tool" and foldable(message), "-folded")
        self.version: tuple[int, int] = (1, 1)  # (position, count) among the versions of this turn

    def compose(self) -> ComposeResult:
        yield self.label
        yield self.body
        yield self.calls
        yield self.note

    def on_mount(self) -> None:
        self.refresh_label()

    @property
    def streaming(self) -> bool:
        """Whether the reply is still being received."""
        return self.body.streaming

    @streaming.setter
    def streaming(self, value: bool) -> None:
        if value != self.body.streaming:
            if value:
                self.body.restart()  # the text grows again (continue): follow it from its start
            else:
                self.body.streaming = False
            self.refresh_label()

    @property
    def text(self) -> str:
        """The message's current text."""
        return self.message.content

    def refresh_label(self) -> None:
        """Show the role line again (after the model, the finish reason or the streaming state changed).

        No `is_mounted` guard: during Mount it is still false (Textual 8.2.8), and a guard there left every
        message loaded or switched to without its label. Updating a Static that is not mounted yet is harmless.
        """
        self.label.update(self._label())
        self.calls.display = bool(self.message.tool_calls)  # a streamed reply learns its calls at its end
        self.calls.update(calls_text(self.message))
        left_out = self.body.left_out
        self.note.set_class(left_out > 0, "-shown")
        if left_out:
            self.note.update(
                f"… and {left_out:,} more characters, not shown: too long to display here (the whole text is kept)."
            )

    def _version_label(self) -> Text:
        position, count = self.version
        return Text(f" · ‹{position}/{count}›", style="bold") if count > 1 else Text("")

    def _label(self) -> Text:
        message = self.message
        if message.role == "tool":
            return result_label(message, self.has_class("-folded"))
        if message.role == "user":
            label = Text("You", style="bold") + self._version_label()
            for attachment in message.attachments:  # the chips it was sent with
                label.append(" ")
                label.append(f" {sanitize_line(describe(attachment))} ", style="reverse")
            return label
        label = Text("Assistant", style="bold") + self._version_label()
        if message.model:
            label.append(f" · {sanitize(message.model)}", style="dim")
        if effort := effort_of(message):
            label.append(f" · effort {sanitize_line(effort)}", style="dim")
        if message.usage is not None and message.usage.reasoning_tokens:
            label.append(f" · {message.usage.reasoning_tokens:,} reasoning tokens", style="dim")
        if self.streaming:
            label.append(" · writing…", style="italic dim")
        elif ending := ending_of(message):
            label.append(f" · {ending.label}", style="italic")
        elif message.partial:
            label.append(" · incomplete", style="italic")
        return label

    def toggle_fold(self) -> bool:
        """Unfold a long tool result, or fold it again; False for a message that does not fold."""
        if self.message.role != "tool" or not foldable(self.message):
            return False
        self.toggle_class("-folded")
        self.refresh_label()
        return True

    def append(self, text: str) -> None:
        """Show more streamed text (the message's content already holds it); redraws are frame-capped."""
        self.streaming = True
        self.body.append()

    def finish(self) -> None:
        """The reply ended: render what is still open, once, whole."""
        self.body.finish()
        self.refresh_label()

    def rerender(self) -> None:
        """Render the whole message again from its content (after it was edited in place)."""
        self.body.rerender()
        self.refresh_label()


class EarlierMessages(Static):
    """Stands for the older messages of a long conversation that are not mounted yet; click to show them."""

    DEFAULT_CSS = """
    EarlierMessages {
        height: auto;
        padding: 0 1;
        margin: 0 0 1 0;
        color: $text-muted;
        text-align: center;
    }
    """

    def __init__(self, count: int) -> None:
        super().__init__()
        self.set_count(count)

    def set_count(self, count: int) -> None:
        """Say how many older messages there are."""
        self.count = count
        self.update(f"↑ {count} earlier message{'s' if count != 1 else ''} (scroll up to show)")

    def on_click(self, event: events.Click) -> None:
        event.stop()
        load = getattr(self.parent, "load_earlier", None)
        if load is not None:
            load()
