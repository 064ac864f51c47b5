"""ConversationView: the messages of the active path, with the streaming reply at the bottom.

The rendering strategy lives behind `MessageView.append()` / `MessageView.finish()`: today each message renders
its whole text with Rich's Markdown, at most ~15 times a second while it streams.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.markdown import Markdown as RichMarkdown
from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from causerie.core.branches import version_position
from causerie.core.markdown_blocks import code_blocks
from causerie.core.models import Conversation, Message
from causerie.core.sanitize import sanitize
from causerie.ui.messages import EditRequested, PromptFocusRequested, VersionSwitchRequested
from causerie.ui.themes import code_theme

FRAME_INTERVAL = 1 / 15
# A pathological message (a 50,000-line code block, a 1 MB line) froze the event loop for many seconds while it
# rendered: only its beginning is rendered. The whole text stays in the message (saved, sent, copied, exported).
SHOWN_CHARS = 100_000
SHOWN_LINES = 2_000

FINISH_LABELS = {
    "cancelled": "stopped",
    "length": "cut off: length limit",
    "error": "interrupted by an error",
    "content_filter": "stopped by the content filter",
}


def shown_part(body: str) -> tuple[str, int]:
    """The beginning of `body` that is rendered (at most SHOWN_CHARS and SHOWN_LINES) and how much is left out."""
    cut = min(len(body), SHOWN_CHARS)
    if body.count("\n", 0, cut) > SHOWN_LINES:
        cut = -1
        for _ in range(SHOWN_LINES):
            cut = body.index("\n", cut + 1)
    return body[:cut], len(body) - cut


class MessageView(Widget, can_focus=True):
    """One message: a role line and the Markdown body (model output is sanitized first)."""

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
    """

    def __init__(self, message: Message) -> None:
        super().__init__(classes=f"-{message.role}")
        self.message = message
        self._pending = False
        self.streaming = False
        self._cut = False  # the last render left part of the text out
        self.version: tuple[int, int] = (1, 1)  # (position, count) among the versions of this turn

    @property
    def text(self) -> str:
        """The message's current text."""
        return self.message.content

    def _version_label(self) -> Text:
        position, count = self.version
        return Text(f" · ‹{position}/{count}›", style="bold") if count > 1 else Text("")

    def _label(self) -> Text:
        message = self.message
        if message.role == "user":
            return Text("You", style="bold") + self._version_label()
        label = Text("Assistant", style="bold") + self._version_label()
        if message.model:
            label.append(f" · {sanitize(message.model)}", style="dim")
        if self.streaming:
            label.append(" · writing…", style="italic dim")
        elif message.finish_reason in FINISH_LABELS:
            label.append(f" · {FINISH_LABELS[message.finish_reason]}", style="italic")
        elif message.partial:
            label.append(" · incomplete", style="italic")
        return label

    def render(self) -> RenderableType:
        shown, left_out = shown_part(self.message.content)
        self._cut = left_out > 0
        body = sanitize(shown)
        if self.message.role == "user":
            content: RenderableType = Text(body)
        elif body:
            content = RichMarkdown(body, code_theme=code_theme(self.app.current_theme), hyperlinks=False)
        else:
            content = Text("…", style="dim")
        if not left_out:
            return Group(self._label(), content)
        note = Text(
            f"… and {left_out:,} more characters, not shown: too long to display here (the whole text is kept).",
            style="dim italic",
        )
        return Group(self._label(), content, note)

    def append(self, text: str) -> None:
        """Show more streamed text (the message's content already holds it); redraws are frame-capped."""
        if self._cut:
            return  # what is shown no longer changes; finish() updates the count
        if not self._pending:
            self._pending = True
            self.set_timer(FRAME_INTERVAL, self._flush)

    def _flush(self) -> None:
        self._pending = False
        self.refresh(layout=True)

    def finish(self) -> None:
        """The reply ended: one full, final render."""
        self.streaming = False
        self._pending = False
        self.refresh(layout=True)


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
        super().__init__(Text(sanitize(text)), classes=f"-{severity}")
        self.text = text


class ConversationView(VerticalScroll):
    """The conversation pane; follows the bottom while a reply streams until the user scrolls up."""

    DEFAULT_CSS = """
    ConversationView {
        height: 1fr;
        padding: 1 1 0 1;
        scrollbar-gutter: stable;
    }
    """

    BINDINGS = [
        Binding("up,k", "previous_message", "Previous", show=False, id="messages.previous"),
        Binding("down,j", "next_message", "Next", show=False, id="messages.next"),
        Binding("y", "copy_message", "Copy", id="messages.copy"),
        Binding("c", "copy_code", "Copy code", id="messages.copy_code"),
        Binding("e", "edit_message", "Edit", id="messages.edit"),
        Binding("left,[", "older_version", "Older version", show=False, id="messages.older_version"),
        Binding("right,]", "newer_version", "Newer version", show=False, id="messages.newer_version"),
    ]

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self._views: dict[str, MessageView] = {}
        self._conversation: Conversation | None = None
        self._code_cursor: dict[str, int] = {}  # message id -> the code block "c" copies next

    def on_mount(self) -> None:
        self.anchor()

    def view_for(self, message_id: str) -> MessageView | None:
        """The mounted widget of a message, if shown."""
        view = self._views.get(message_id)
        return view if view is not None and view.is_attached else None

    def show(self, conversation: Conversation, intro: str | None = None) -> None:
        """Replace the view's content with a conversation's active path."""
        from causerie.ui.widgets.notes import notes_and_views

        self.remove_children()
        self._conversation = conversation
        widgets, views = notes_and_views(conversation.active_path(), self._make_view)
        self._views = {v.message.id: v for v in views}
        if not widgets and intro:
            notice = Notice(intro)
            notice.add_class("-intro")
            widgets.append(notice)
        if widgets:
            self.mount_all(widgets)
        self.anchor()

    def add_message(self, message: Message, *, streaming: bool = False) -> MessageView:
        """Mount a new message at the bottom."""
        for notice in self.query(Notice).filter(".-intro"):
            notice.remove()
        view = self._make_view(message)
        view.streaming = streaming
        self._views[message.id] = view
        self.mount(view)
        return view

    def _make_view(self, message: Message) -> MessageView:
        view = MessageView(message)
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
