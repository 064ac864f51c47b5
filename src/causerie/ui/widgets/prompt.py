"""PromptInput: the multi-line input box (Enter sends, ctrl+j / alt+enter insert a newline, Up recalls).

A paste longer than PASTE_INLINE_LIMIT characters is not put in the box as text (a 1 MB paste would take seconds
to wrap, and seconds again on every key): it is kept aside and shown as a one-line placeholder such as
`[pasted text #1: 10,000 lines, 977 KB]`, which is expanded when the message is sent. Deleting the placeholder drops
the paste.

It has an "editing" mode: the text of an earlier message is put in the box, and sending it passes `edit_of` so the
screen adds a new version of that message; the draft typed before is put back afterwards.

Enter hands the text to the screen's `on_submit` at once, inside the key's handler, not through a posted message: keys
that arrive in the same burst ("one", Enter, "two", Enter over ssh) are handled by this widget only after it, so the
box is already empty for "two" (a message handled later by the screen cleared the box after "two" was typed into it,
and the second Enter sent "onetwo").
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import TextArea

from causerie.ui.compat import render_text_area
from causerie.ui.messages import (
    AttachRequested,
    MessagesFocusRequested,
    RecallRequested,
)
from causerie.ui.text import editable_line
from causerie.ui.widgets.in_order import run_binding_now

PASTE_INLINE_LIMIT = 20_000
_PLACEHOLDER_RE = re.compile(r"\[pasted text #(\d+): [^\]\n]*\]")


def _size(text: str) -> str:
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    size = len(text.encode("utf-8", "replace"))
    amount = f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{size // 1024:,} KB"
    return f"{lines:,} line{'s' if lines != 1 else ''}, {amount}"


def _names_a_file(text: str) -> bool:
    """Whether a paste is exactly one path (one line, nothing else) to an existing regular file."""
    candidate = text.strip()
    if not candidate or "\n" in candidate or len(candidate) > 4096:
        return False
    try:
        return os.path.isfile(os.path.expanduser(candidate))
    except (OSError, ValueError):
        return False


class PromptInput(TextArea):
    """Where the user types; Enter calls `on_submit(text, edit_of)`."""

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
    PromptInput.-editing, PromptInput.-editing:focus {
        border: round $warning;
    }
    """

    BINDINGS = [
        Binding("enter", "submit", "Send", id="prompt.send"),
        Binding("ctrl+j,alt+enter,shift+enter", "newline", "Newline", id="prompt.newline"),
        Binding("up", "up_or_recall", "Recall", show=False, id="prompt.recall"),
        Binding("shift+tab,ctrl+up", "to_messages", "Messages", show=False, id="prompt.to_messages"),
    ]

    def __init__(self, *, on_submit: Callable[[str, str | None], None], id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
        self._on_submit = on_submit
        self._css_applied: list[object] = []  # see compat.render_text_area
        self.border_title = "Message"
        self.editing: str | None = None  # id of the message being edited
        self._draft = ""
        self._pastes: dict[int, str] = {}  # number -> a long pasted text shown as a placeholder

    def render_lines(self, crop: Region) -> list[Strip]:
        return render_text_area(self, crop, self._css_applied)

    def get_line(self, line_index: int) -> Text:
        """A line as shown: a recalled or pasted ESC, C1 or bidi override is a visible symbol, never sent to the
        terminal; the document keeps the text as it is, for sending."""
        return editable_line(self.document.get_line(line_index))

    def on_mount(self) -> None:
        # An app built without blinking (tests, snapshots) turns it off before the first focus: TextArea caches a
        # line drawn in a blink's "off" phase under the same key as a steady cursor, so a blink that ran between
        # the focus and the app's DescendantFocus handler could leave the cursor undrawn.
        if getattr(self.app, "cursor_blink", True) is False:
            self.cursor_blink = False

    @property
    def full_text(self) -> str:
        """The text to send: the box's text with every paste placeholder expanded."""
        return self.expand(self.text)

    def expand(self, text: str) -> str:
        """`text` with the placeholders of long pastes replaced by what was pasted."""
        if not self._pastes:
            return text
        return _PLACEHOLDER_RE.sub(lambda m: self._pastes.get(int(m.group(1)), m.group(0)), text)

    def _compact(self, text: str) -> str:
        """`text` itself, or a placeholder for it when it is too long to edit comfortably in the box."""
        if len(text) <= PASTE_INLINE_LIMIT:
            return text
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # as TextArea does with what it holds
        number = max(self._pastes, default=0) + 1
        self._pastes[number] = text
        return f"[pasted text #{number}: {_size(text)}]"

    async def on_paste(self, event: events.Paste) -> None:
        # A short paste is left to TextArea's own handler (Textual calls a subclass's handler first).
        if len(event.text) > PASTE_INLINE_LIMIT and not self.read_only:
            event.prevent_default()
            event.stop()
            self.replace(self._compact(event.text), *self.selection)
            self.focus()
        elif not self.read_only and _names_a_file(event.text):
            self.post_message(AttachRequested(pasted=event.text))  # pasted as text too: the screen offers to attach it

    def clear(self):  # noqa: ANN201 - TextArea's signature
        """Empty the box (and forget long pastes it held)."""
        if self.editing is None:
            self._pastes.clear()
        return super().clear()

    async def on_key(self, event: events.Key) -> None:
        # Bound keys (Enter, Backspace, ctrl+u, the newline keys, the keymap's) act now, in the order typed: in_order.py
        if not await run_binding_now(self, event) and event.character == "@" and self._at_word_start():
            self.post_message(AttachRequested(typed_at=True))  # handled once TextArea has inserted the "@"

    def _at_word_start(self) -> bool:
        """Whether the cursor is at the start of a word (nothing selected)."""
        start, end = self.selection
        if start != end:
            return False
        row, column = end
        return column == 0 or self.document.get_line(row)[column - 1].isspace()

    def action_submit(self) -> None:
        """Send the prompt's text (the screen decides whether it can: attachments alone can be sent)."""
        self._on_submit(self.full_text, self.editing)

    def action_newline(self) -> None:
        """Insert a newline at the cursor."""
        self.insert("\n")

    def action_up_or_recall(self) -> None:
        """Up: in an empty prompt take back the last queued or sent message; at the text's start go to the messages."""
        if not self.text and self.editing is None:
            self.post_message(RecallRequested())
        elif self.cursor_location == (0, 0):
            self.post_message(MessagesFocusRequested())
        else:
            self.action_cursor_up()

    def action_to_messages(self) -> None:
        """Move the focus up into the messages."""
        self.post_message(MessagesFocusRequested())

    def start_editing(self, message_id: str, text: str) -> None:
        """Put an earlier message's text in the box; the current draft is kept and comes back afterwards."""
        if self.editing is None:
            self._draft = self.text
        self.editing = message_id
        self.load_text(self._compact(text))
        self.move_cursor(self.document.end)
        self.add_class("-editing")
        self.border_title = "Editing a sent message · Enter sends a new version · Esc cancels"
        self.focus()

    @property
    def draft_underneath(self) -> str:
        """While a sent message is edited: the draft that comes back when the edit ends (else the box's text)."""
        return self.expand(self._draft) if self.editing is not None else self.full_text

    def restore(self, text: str) -> None:
        """Put `text` back in the (empty) box to be edited and sent again: a queued prompt taken back."""
        self.load_text(self._compact(text))
        self.move_cursor(self.document.end)

    def stop_editing(self) -> None:
        """Leave the editing mode and put the draft back."""
        if self.editing is None:
            return
        self.editing = None
        self.load_text(self._draft)
        self.move_cursor(self.document.end)
        self._draft = ""
        self.remove_class("-editing")
        self.border_title = "Message"
