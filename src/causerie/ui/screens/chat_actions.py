"""ChatActions: the conversation-level actions of the chat screen (versions, edit, branch, continue, copy, export,
conversation settings, auto-title), kept apart from the screen's layout and reply worker in chat.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.binding import Binding
from textual.screen import Screen

from causerie.core.chat.errors import ChatError
from causerie.core.chat.way_out import CONTINUE
from causerie.core.conversation.branches import branch, switch_version
from causerie.core.conversation.models import Conversation, Message
from causerie.core.conversation.titles import auto_title_enabled, clean_title, title_request
from causerie.core.interchange.export import conversation_to_markdown
from causerie.core.interchange.export_files import write_markdown_export
from causerie.ui.messages import (
    EditRequested,
    MessagesFocusRequested,
    PromptFocusRequested,
    RecallRequested,
    VersionSwitchRequested,
)
from causerie.ui.screens.conversation_settings import ConversationSettings, ConversationSettingsScreen

if TYPE_CHECKING:
    from causerie.core.chat.client import ChatClient
    from causerie.core.settings.config import Settings
    from causerie.ui.widgets.conversation import ConversationView
    from causerie.ui.widgets.prompt import PromptInput

CONTINUABLE = ("length", "cancelled", "incomplete", "error")


class ChatActions(Screen):
    """Base of ChatScreen: actions on the open conversation's tree and files (ChatScreen provides the rest)."""

    BINDINGS = [
        Binding("ctrl+g", "continue_reply", "Continue", show=False, id="chat.continue"),
        Binding("f3", "conversation_settings", "Conversation", show=False, id="chat.conversation_settings"),
        Binding("f5", "branch", "Branch", show=False, id="chat.branch"),
        Binding("ctrl+o", "copy_conversation", "Copy all", show=False, id="chat.copy_conversation"),
        Binding("ctrl+s", "export_markdown", "Export", show=False, id="chat.export_markdown"),
    ]

    # Provided by ChatScreen.
    conversation: Conversation
    settings: Settings
    client: ChatClient | None
    view: ConversationView
    prompt: PromptInput
    streaming: bool

    if TYPE_CHECKING:

        def _save(self, conversation: Conversation) -> bool: ...
        def _show_conversation(self, conversation: Conversation) -> None: ...
        def _start_reply(self, conversation: Conversation, mode: str = "send") -> None: ...
        def _update_status(self) -> None: ...

    def _can_send(self) -> bool:
        if self.client is None or not self.settings.can_send:
            self.notify("No API key or server is configured: nothing can be sent.", severity="warning")
            return False
        if self.conversation.read_only:
            self.notify("This conversation is read-only.", severity="warning")
            return False
        if self.streaming:
            self.notify("A reply is still being written: wait, or press Esc to stop it.", severity="warning")
            return False
        return True

    # -- focus between the prompt and the messages ---------------------------------------------------------
    @on(MessagesFocusRequested)
    def _focus_messages(self, event: MessagesFocusRequested) -> None:
        event.stop()
        target = self.prompt.editing if self.prompt.editing and self.view.view_for(self.prompt.editing) else None
        self.view.focus_message(target)

    @on(PromptFocusRequested)
    def _focus_prompt(self, event: PromptFocusRequested) -> None:
        event.stop()
        self.prompt.focus()

    # -- versions and editing --------------------------------------------------------------------------------
    @on(RecallRequested)
    def _recall_last_sent(self, event: RecallRequested) -> None:
        event.stop()
        last = next((m for m in reversed(self.conversation.active_path()) if m.role == "user"), None)
        if last is None:
            self.view.focus_message()
            return
        self.prompt.start_editing(last.id, last.content)

    @on(EditRequested)
    def _edit_requested(self, event: EditRequested) -> None:
        event.stop()
        message = self.conversation.by_id().get(event.message_id)
        if message is not None and message.role == "user":
            self.prompt.start_editing(message.id, message.content)

    def _send_edit(self, message_id: str, text: str) -> None:
        """Add the edited text as a new version of `message_id` (same parent) and ask for a reply to it."""
        conversation = self.conversation
        original = conversation.by_id().get(message_id)
        if original is None:
            self.notify("The message being edited is gone; the text stays in the prompt.", severity="warning")
            return
        conversation.append(Message(role="user", content=text), parent=original.parent)
        self.prompt.stop_editing()
        self._show_conversation(conversation)
        self._save(conversation)
        self._start_reply(conversation)

    @on(VersionSwitchRequested)
    def _switch_version(self, event: VersionSwitchRequested) -> None:
        event.stop()
        conversation = self.conversation
        message = conversation.by_id().get(event.message_id)
        if message is None:
            return
        if self.streaming:
            self.notify("Wait for the reply to end (or stop it with Esc) before switching versions.")
            return
        shown = switch_version(conversation, message, event.step)
        if shown is None:
            which = "older" if event.step < 0 else "newer"
            self.notify(f"No {which} version of this message.")
            return
        self._show_conversation(conversation)
        self._save(conversation)
        self.call_after_refresh(self.view.focus_message, shown.id)

    # -- branch, continue -------------------------------------------------------------------------------------
    def action_branch(self) -> None:
        """Copy the active path (up to the focused message, if one is) into a new conversation and open it."""
        if not self.conversation.active_path():
            self.notify("Nothing to branch yet.", severity="warning")
            return
        focused = self.view.focused_message
        copy = branch(self.conversation, upto=focused.message.id if focused is not None else None)
        self._save(copy)
        self._show_conversation(copy)
        self.prompt.focus()
        self.notify(f"Branched into a new conversation: {copy.title}", title="Branch", markup=False)

    def action_continue_reply(self) -> None:
        """Ask the model to go on after a reply that was cut off; what comes is appended to that same reply.

        The request is the path plus a user instruction to continue (ReplyFlow's CONTINUE mode); the instruction is
        not stored, so the reply reads as one message (a code block cut in two is whole again).
        """
        path = self.conversation.active_path()
        last = path[-1] if path else None
        if last is None or last.role != "assistant" or not last.content or last.finish_reason not in CONTINUABLE:
            self.notify("Nothing to continue: the last reply is complete.", severity="warning")
            return
        if not self._can_send():
            return
        self._start_reply(self.conversation, mode=CONTINUE)

    # -- copy, export -----------------------------------------------------------------------------------------
    def action_copy_conversation(self) -> None:
        """Copy the whole conversation (the branch shown) as Markdown."""
        if not self.conversation.active_path():
            self.notify("Nothing to copy yet.", severity="warning")
            return
        text = conversation_to_markdown(self.conversation)
        self.app.copy_to_clipboard(text)
        count = len(self.conversation.active_path())
        self.notify(f"Copied the conversation as Markdown ({count} messages, {len(text)} characters).")

    def action_export_markdown(self) -> None:
        """Write the conversation to a Markdown file in the exports directory."""
        if not self.conversation.active_path():
            self.notify("Nothing to export yet.", severity="warning")
            return
        try:
            path = write_markdown_export(self.conversation)
        except OSError as exc:
            message = f"Could not write the export: {exc.strerror or exc}"
            self.notify(message, title="Export", severity="error", markup=False)
            return
        self.notify(f"Saved as Markdown: {path}", title="Export", timeout=15, markup=False)

    # -- conversation settings --------------------------------------------------------------------------------
    def action_pick_model(self) -> None:
        """Choose another model for this conversation (the settings modal, on the model field)."""
        self.action_conversation_settings(focus="model")

    def action_conversation_settings(self, focus: str = "system-prompt") -> None:
        """Edit this conversation's system prompt, model and context policy."""
        conversation = self.conversation
        current = ConversationSettings(
            system_prompt=conversation.system_prompt,
            model=conversation.model or self.settings.model,
            context_policy=conversation.context_policy,
        )
        self.app.push_screen(
            ConversationSettingsScreen(current, self.client, focus=focus),
            lambda result: self._apply_conversation_settings(conversation, result),
        )

    def _apply_conversation_settings(self, conversation: Conversation, result: ConversationSettings | None) -> None:
        if result is None:
            return
        conversation.system_prompt = result.system_prompt
        conversation.model = result.model
        conversation.context_policy = result.context_policy
        conversation.touch()
        if conversation.messages:  # an empty conversation is saved with its first message
            self._save(conversation)
        if conversation is self.conversation:
            self._update_status()
        message = f"Conversation settings saved (model {result.model}, context {result.context_policy})."
        self.notify(message, markup=False)

    # -- auto-title -------------------------------------------------------------------------------------------
    def _maybe_auto_title(self, conversation: Conversation, reply: Message) -> None:
        """After the first complete reply, ask for a title in the background (unless renamed or disabled)."""
        if reply.finish_reason != "stop" or self.client is None or conversation.read_only:
            return
        if not auto_title_enabled(self.settings.auto_title, self.settings.keyless):
            return
        replies = [m for m in conversation.messages if m.role == "assistant" and m.content]
        if len(replies) != 1 or conversation.title not in ("", conversation.default_title()):
            return
        self._ask_title(conversation)

    @work(exclusive=True, group="title", exit_on_error=False)
    async def _ask_title(self, conversation: Conversation) -> None:
        assert self.client is not None
        messages = title_request(conversation)
        if messages is None:
            return
        fallback = conversation.default_title()
        try:
            # No token cap: reasoning models spend a small cap on reasoning and answer nothing; clean_title shortens.
            answer = await self.client.complete(messages, conversation.model or self.settings.model)
        except ChatError:
            return  # the first words stay the title; a failed title is not worth a notification
        title = clean_title(answer)
        if title and conversation.title in ("", fallback):
            conversation.title = title
            self._save(conversation)
