"""AttachmentTray: the files attached to the message being written, as chips above the prompt.

It holds them until the message is sent (the prompt's text and its chips go together); pressing a chip (Enter,
or a click) removes it. File names are outside text: each chip is a Content, never markup.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.content import Content
from textual.message import Message
from textual.widgets import Button

from causerie.core.attachments.record import Attachment, describe
from causerie.core.safe_text import sanitize_line
from causerie.ui.messages import PromptFocusRequested


class AttachmentChip(Button):
    """One attached file; pressing it removes it from the message."""

    DEFAULT_CSS = """
    AttachmentChip {
        width: auto;
        min-width: 0;
        height: 1;
        border: none;
        margin: 0 1 0 0;
        padding: 0 1;
        background: $primary 20%;
        color: $text;
    }
    AttachmentChip:focus {
        background: $accent 40%;
        text-style: bold;
    }
    AttachmentChip:hover {
        background: $primary 40%;
    }
    """

    def __init__(self, attachment: Attachment) -> None:
        super().__init__(Content(sanitize_line(describe(attachment)) + " ✕"), compact=True)
        self.attachment = attachment
        self.tooltip = Content("Remove this attachment (Enter or click)")


class AttachmentTray(HorizontalGroup):
    """The chips of the message being written (hidden while there are none)."""

    class Changed(Message):
        """A chip was added or removed (the context meter counts the chips; the draft keeps them)."""

    DEFAULT_CSS = """
    AttachmentTray {
        height: auto;
        max-height: 3;
        padding: 0 1;
        display: none;
    }
    AttachmentTray.-shown {
        display: block;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.attachments: list[Attachment] = []

    def compose(self) -> ComposeResult:
        yield from (AttachmentChip(a) for a in self.attachments)

    def add(self, attachment: Attachment) -> bool:
        """Add a chip; False when the same content is attached already."""
        if any(a.sha256 == attachment.sha256 for a in self.attachments):
            return False
        self.attachments.append(attachment)
        self.mount(AttachmentChip(attachment))
        self.add_class("-shown")
        self.post_message(self.Changed())
        return True

    def take(self) -> list[Attachment]:
        """The attachments of the message being sent; the tray is emptied."""
        taken, self.attachments = self.attachments, []
        self.remove_children()
        self.remove_class("-shown")
        if taken:
            self.post_message(self.Changed())
        return taken

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if not isinstance(event.button, AttachmentChip):
            return
        event.stop()
        self.attachments = [a for a in self.attachments if a is not event.button.attachment]
        event.button.remove()
        self.set_class(bool(self.attachments), "-shown")
        self.post_message(self.Changed())
        if not self.attachments:
            self.post_message(PromptFocusRequested())
