"""ConversationView: the messages of the active path, with the streaming reply at the bottom.

Each message is a `MessageView` (a role line and a `MessageBody` that serves cached lines), so a long reply costs
a few widgets, not one per Markdown block. A long history mounts only its last messages; older ones are mounted in
batches when the view is scrolled near its top, when focus moves above the first one, or when asked (`reveal`).
"""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from causerie.core.conversation.branches import version_position
from causerie.core.conversation.markdown_blocks import code_blocks
from causerie.core.conversation.models import Conversation, Message
from causerie.core.safe_text import sanitize
from causerie.ui.compat import SettledLayout
from causerie.ui.messages import EditRequested, PromptFocusRequested, VersionSwitchRequested
from causerie.ui.text import outside_body
from causerie.ui.widgets.math_render import OFF, RENDER, SOURCE
from causerie.ui.widgets.message_view import (  # noqa: F401 - MessageView and the limits are imported from here
    SHOWN_CHARS,
    SHOWN_LINES,
    EarlierMessages,
    MessageView,
    shown_part,
)
from causerie.ui.widgets.notes import notes_and_views

# A long history mounts its last messages up to about this much text (two screens or so: every mounted message is
# styled, laid out and rendered before the first paint), then older ones in batches: after that first paint when
# they did not fill the view, and as the view is scrolled up.
INITIAL_CHARS = 6_000
INITIAL_MESSAGES = 16
BATCH_CHARS = 16_000
BATCH_MESSAGES = 40


class Notice(Static):
    """A line from causerie itself in the conversation (an error, a hint)."""

    DEFAULT_CSS = """
    Notice {
        height: auto;
        padding: 0 1;
        margin: 0 0 1 0;
        color: $text-muted;
        border-left: outer $primary;
    }
    Notice.-error {
        color: $text-error;
        border-left: outer $error;
    }
    Notice.-warning {
        color: $text-warning;
        border-left: outer $warning;
    }
    """

    def __init__(self, text: str, severity: str = "information") -> None:
        super().__init__(outside_body(text), classes=f"-{severity}")
        self.text = text


class ConversationView(SettledLayout, VerticalScroll):
    """The conversation pane; follows the bottom while a reply streams until the user scrolls up."""

    DEFAULT_CSS = """
    ConversationView {
        height: 1fr;
        padding: 1 1 0 1;
        scrollbar-gutter: stable;
        align-horizontal: center;
    }
    /* A readable measure on a wide terminal: lines of 200 columns are hard to follow (as on the ChatGPT page). */
    ConversationView > * {
        max-width: 110;
    }
    """

    BINDINGS = [
        Binding("up,k", "previous_message", "Previous", show=False, id="messages.previous"),
        Binding("down,j", "next_message", "Next", show=False, id="messages.next"),
        Binding("y", "copy_message", "Copy", id="messages.copy"),
        Binding("c", "copy_code", "Copy code", id="messages.copy_code"),
        Binding("e", "edit_message", "Edit", id="messages.edit"),
        Binding("m", "toggle_math", "Math source", show=False, id="messages.toggle_math"),
        Binding("o", "toggle_fold", "Unfold", show=False, id="messages.toggle_fold"),
        Binding("left,[", "older_version", "Older version", show=False, id="messages.older_version"),
        Binding("right,]", "newer_version", "Newer version", show=False, id="messages.newer_version"),
    ]

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self._views: dict[str, MessageView] = {}
        self._conversation: Conversation | None = None
        self._code_cursor: dict[str, int] = {}  # message id -> the code block "c" copies next
        self._path: list[Message] = []  # the shown path, mounted or not yet
        self._first_mounted = 0  # index in _path of the first mounted message
        self._earlier: EarlierMessages | None = None
        self._loading = False

    def on_mount(self) -> None:
        self.anchor()

    def view_for(self, message_id: str) -> MessageView | None:
        """The mounted widget of a message, if shown."""
        view = self._views.get(message_id)
        return view if view is not None and view.is_attached else None

    @property
    def unmounted_count(self) -> int:
        """How many older messages are not mounted yet."""
        return self._hidden_count()

    def show(self, conversation: Conversation, intro: str | None = None) -> None:
        """Replace the view's content with a conversation's active path (its last messages mounted first).

        A message that had the focus keeps it, or the last message takes it when that one is gone (ctrl+r on a reply):
        the focus is never left on a removed widget, where no key does anything.
        """
        focused = self.focused_message
        refocus = focused.message.id if focused is not None else None
        self.remove_children()
        self._conversation = conversation
        self._path = conversation.active_path()
        self._first_mounted = _batch_start(self._path, len(self._path), INITIAL_CHARS, INITIAL_MESSAGES)
        widgets, views = notes_and_views(self._path, self._make_view, self._first_mounted)
        self._views = {v.message.id: v for v in views}
        self._earlier = None
        if self._first_mounted:
            self._earlier = EarlierMessages(self._hidden_count())
            widgets.insert(0, self._earlier)
        if not widgets and intro:
            notice = Notice(intro)
            notice.add_class("-intro")
            widgets.append(notice)
        if widgets:
            self.mount_all(widgets)
        if refocus is not None:
            self.focus_message(refocus if refocus in self._views else None)
        self.anchor()
        if self._first_mounted:
            self.call_after_refresh(self._fill_view)

    def _fill_view(self) -> None:
        """Mount older messages until the view can scroll (short messages may not fill it)."""
        if self._first_mounted and self.max_scroll_y <= self.size.height and self.load_earlier():
            self.call_after_refresh(self._fill_view)

    def _hidden_count(self) -> int:
        return sum(1 for m in self._path[: self._first_mounted] if m.role != "system")

    def load_earlier(self) -> int:
        """Mount the next batch of older messages above the first one shown; returns how many were mounted.

        The messages on screen stay where they are: the view scrolls down by the height that was added above.
        """
        if not self._first_mounted or self._earlier is None:
            return 0
        end = self._first_mounted
        start = _batch_start(self._path, end, BATCH_CHARS, BATCH_MESSAGES)
        widgets, views = notes_and_views(self._path, self._make_view, start, end)
        for view in views:
            self._views[view.message.id] = view
        self._first_mounted = start
        before = self.virtual_size.height
        self._loading = True
        if widgets:
            self.mount_all(widgets, after=self._earlier)
        if start:
            self._earlier.set_count(self._hidden_count())
        else:
            self._earlier.remove()
            self._earlier = None

        def keep_position() -> None:
            self._loading = False
            added = self.virtual_size.height - before
            if added > 0 and self.scroll_y < self.max_scroll_y:
                self.scroll_to(y=self.scroll_y + added, animate=False, immediate=True, release_anchor=False)

        self.call_after_refresh(keep_position)
        return len(views)

    def reveal(self, message_id: str) -> MessageView | None:
        """The widget of a message on the shown path, mounting older messages down to it if needed."""
        if self.view_for(message_id) is None:
            if not any(m.id == message_id for m in self._path[: self._first_mounted]):
                return None
            while self.view_for(message_id) is None and self._first_mounted:
                self.load_earlier()
        return self.view_for(message_id)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self._first_mounted and not self._loading and new_value < max(self.size.height, 1):
            self.call_later(self.load_earlier)

    def add_message(self, message: Message, *, streaming: bool = False) -> MessageView:
        """Mount a new message at the bottom (a message from the user brings the view back to the bottom)."""
        for notice in self.query(Notice).filter(".-intro"):
            notice.remove()
        view = self._make_view(message)
        view.streaming = streaming
        self._views[message.id] = view
        self._path.append(message)
        self.mount(view)
        if message.role == "user":
            self.anchor()
        return view

    def _make_view(self, message: Message) -> MessageView:
        settings = getattr(self.app, "settings", None)
        view = MessageView(message, math=RENDER if getattr(settings, "render_math", True) else OFF)
        if self._conversation is not None:
            view.version = version_position(self._conversation, message)
        return view

    def add_notice(self, text: str, severity: str = "information") -> Notice:
        """Mount a notice at the bottom."""
        notice = Notice(text, severity)
        self.mount(notice)
        return notice

    def message_views(self) -> list[MessageView]:
        """The mounted message widgets, in order."""
        return list(self.query(MessageView))

    def notices(self) -> list[Notice]:
        """The mounted notices, in order."""
        return list(self.query(Notice))

    # -- keys on the focused message -------------------------------------------------------------------------
    @property
    def focused_message(self) -> MessageView | None:
        """The message that has the focus, if any."""
        focused = self.screen.focused
        return focused if isinstance(focused, MessageView) and focused.parent is self else None

    def focus_message(self, message_id: str | None = None) -> bool:
        """Focus a message (default: the last one); False when there is none."""
        views = self.message_views()
        view = self.view_for(message_id) if message_id is not None else (views[-1] if views else None)
        if view is None:
            return False
        view.focus()
        return True

    def _overflows(self, view: MessageView, downward: bool) -> bool:
        """Whether part of a tall focused message is still hidden in that direction."""
        region = view.virtual_region
        top = self.scroll_offset.y
        bottom = top + self.scrollable_content_region.height
        return region.bottom > bottom if downward else region.y < top

    def action_previous_message(self) -> None:
        """Focus the message above (scrolling through a tall message first)."""
        views = self.message_views()
        current = self.focused_message
        if current is None:
            if views:
                views[-1].focus()
            return
        if self._overflows(current, downward=False):
            self.scroll_relative(y=-max(1, self.scrollable_content_region.height // 2), animate=False)
            return
        index = views.index(current)
        if index == 0 and self.load_earlier():
            views = self.message_views()
            index = views.index(current)
        if index > 0:
            views[index - 1].focus()

    def action_next_message(self) -> None:
        """Focus the message below (scrolling through a tall message first); past the last, back to the prompt."""
        views = self.message_views()
        current = self.focused_message
        if current is not None and self._overflows(current, downward=True):
            self.scroll_relative(y=max(1, self.scrollable_content_region.height // 2), animate=False)
            return
        index = views.index(current) if current is not None else -1
        if index + 1 < len(views):
            views[index + 1].focus()
        else:
            self.post_message(PromptFocusRequested())

    def action_copy_message(self) -> None:
        """Copy the focused message's text (Markdown source) to the clipboard."""
        view = self.focused_message
        if view is None:
            return
        self.app.copy_to_clipboard(view.text)
        who = "your message" if view.message.role == "user" else "the reply"
        lines = len(view.text.splitlines()) or 1
        self.notify(f"Copied {who} ({lines} line{'s' if lines != 1 else ''}, {len(view.text)} characters).")

    def action_copy_code(self) -> None:
        """Copy a code block of the focused message; pressed again, the next one (cycling)."""
        view = self.focused_message
        if view is None:
            return
        blocks = code_blocks(view.text)
        if not blocks:
            self.notify("This message has no code block.", severity="warning")
            return
        index = self._code_cursor.get(view.message.id, 0) % len(blocks)
        self._code_cursor[view.message.id] = index + 1
        block = blocks[index]
        self.app.copy_to_clipboard(block.code)
        language = f" ({sanitize(block.language)})" if block.language else ""
        which = f"Code block {index + 1}/{len(blocks)}" if len(blocks) > 1 else "Code block"
        lines = f"{block.line_count} line{'s' if block.line_count != 1 else ''}"
        self.notify(f"{which}{language} copied: {lines}.", markup=False)  # the language comes from the model

    def action_toggle_math(self) -> None:
        """Show the focused message's formulas as their LaTeX source, or rendered again."""
        view = self.focused_message
        if view is None:
            return
        mode = view.body.toggle_math()
        self.notify("Formulas shown as their source." if mode == SOURCE else "Formulas rendered.")

    def action_toggle_fold(self) -> None:
        """Show the whole of the focused tool result, or fold it back to its first lines."""
        view = self.focused_message
        if view is not None and not view.toggle_fold():
            self.notify("Only a long tool result folds.", severity="warning")

    def action_edit_message(self) -> None:
        """Edit the focused message of yours (sending the edit adds a new version)."""
        view = self.focused_message
        if view is None:
            return
        if view.message.role != "user":
            self.notify("Only your own messages can be edited; ctrl+r asks for a new reply.", severity="warning")
            return
        self.post_message(EditRequested(view.message.id))

    def action_older_version(self) -> None:
        """Show the previous version of the focused message."""
        self._switch_version(-1)

    def action_newer_version(self) -> None:
        """Show the next version of the focused message."""
        self._switch_version(+1)

    def _switch_version(self, step: int) -> None:
        view = self.focused_message
        if view is not None:
            self.post_message(VersionSwitchRequested(view.message.id, step))


def _batch_start(messages: list[Message], end: int, max_chars: int, max_messages: int) -> int:
    """Where a batch ending at `end` starts: at least one message, then up to the limits."""
    start, chars = end, 0
    while start > 0 and end - start < max_messages and (chars < max_chars or start == end):
        start -= 1
        chars += len(messages[start].content)
    return start
