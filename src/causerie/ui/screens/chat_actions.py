"""MessageActions: the conversation-level actions of the chat screen (versions, edit, branch, continue, copy, export,
conversation settings, auto-title), kept apart from the screen's layout and workers in chat.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from causerie.core.chat.errors import ChatError
from causerie.core.chat.way_out import CONTINUE
from causerie.core.conversation.branches import branch, switch_version
from causerie.core.conversation.endings import is_continuable
from causerie.core.conversation.models import Conversation, Message
from causerie.core.conversation.titles import auto_title_enabled, clean_title, title_request
from causerie.core.interchange.export import conversation_to_markdown
from causerie.core.interchange.export_files import write_markdown_export
from causerie.ui.drafts import DraftKeeper
from causerie.ui.messages import (
    EditRequested,
    MessagesFocusRequested,
    PromptFocusRequested,
    RecallRequested,
    VersionSwitchRequested,
)
from causerie.ui.screens.chat_texts import no_key_help
from causerie.ui.screens.conversation_settings import ConversationSettings, ConversationSettingsScreen
from causerie.ui.screens.queue_actions import PromptQueue

if TYPE_CHECKING:
    from textual.app import App

    from causerie.core.chat.client import ChatClient
    from causerie.core.engine.engine import Engine
    from causerie.core.engine.params_step import ModelOffer
    from causerie.core.settings.config import Settings
    from causerie.ui.widgets.conversation import ConversationView
    from causerie.ui.widgets.prompt import PromptInput

MessageIntent = MessagesFocusRequested | PromptFocusRequested | RecallRequested | EditRequested | VersionSwitchRequested


class ChatHost(Protocol):
    """What the message actions need from the chat screen."""

    conversation: Conversation
    settings: Settings
    client: ChatClient | None
    engine: Engine | None
    app: App

    @property
    def view(self) -> ConversationView: ...
    @property
    def prompt(self) -> PromptInput: ...
    @property
    def streaming(self) -> bool: ...
    def notify(self, message: str, **kwargs: Any) -> None: ...
    def save(self, conversation: Conversation) -> bool: ...
    def show_conversation(self, conversation: Conversation) -> None: ...
    def start_reply(self, conversation: Conversation, mode: str = "send") -> None: ...
    def update_status(self) -> None: ...
    def call_after_refresh(self, callback: Callable[..., Any], *args: Any) -> bool: ...
    def run_worker(self, work: Any, **kwargs: Any) -> Any: ...

    drafts: DraftKeeper
    queue: PromptQueue


class MessageActions:
    """Actions on the open conversation's tree and files, for the chat screen (which binds keys to them)."""

    def __init__(self, host: ChatHost) -> None:
        self.host = host

    def submit(self, text: str, edit_of: str | None) -> None:
        """The prompt was submitted: send it (or the edit of an earlier message), unless it cannot be sent now."""
        host = self.host
        if not text.strip() and (edit_of is not None or not host.attachments.pending()):
            return  # nothing to send: an empty prompt, or an edit emptied of its text
        if not host.settings.can_send or host.client is None:
            host.notify(no_key_help(host.settings), title="Cannot send", severity="warning", timeout=15)
            return
        if host.conversation.read_only:
            host.notify("This conversation is read-only.", severity="warning")
            return
        if host.streaming:
            if edit_of is not None:  # a new version of a sent message waits for the reply to end, in the prompt
                host.notify("A reply is still being written: wait, or press Esc to stop it.", severity="warning")
            elif host.queue.add(text):  # sent when the reply ends well
                host.prompt.clear()
                host.drafts.sent(host.conversation)
            return
        if edit_of is not None:
            self.send_edit(edit_of, text)
            return
        conversation = host.conversation
        message = conversation.append(Message(role="user", content=text, attachments=host.attachments.take()))
        host.view.add_message(message)
        host.prompt.clear()
        host.drafts.sent(conversation)
        host.save(conversation)
        host.start_reply(conversation)

    def can_send(self) -> bool:
        if self.host.client is None or not self.host.settings.can_send:
            self.host.notify("No API key or server is configured: nothing can be sent.", severity="warning")
            return False
        if self.host.conversation.read_only:
            self.host.notify("This conversation is read-only.", severity="warning")
            return False
        if self.host.streaming:
            self.host.notify("A reply is still being written: wait, or press Esc to stop it.", severity="warning")
            return False
        return True

    def requested(self, event: MessageIntent) -> None:
        """An intent posted by the prompt or a message: move the focus, recall, edit, switch versions."""
        if isinstance(event, MessagesFocusRequested):
            self.focus_messages()
        elif isinstance(event, PromptFocusRequested):
            self.host.prompt.focus()
        elif isinstance(event, RecallRequested):
            self.recall_last_sent()
        elif isinstance(event, EditRequested):
            self.edit(event.message_id)
        else:
            self.switch_version(event.message_id, event.step)

    # -- focus between the prompt and the messages ---------------------------------------------------------
    def focus_messages(self) -> None:
        """Into the messages: the one being edited, else the last."""
        editing = self.host.prompt.editing
        target = editing if editing and self.host.view.view_for(editing) else None
        self.host.view.focus_message(target)

    # -- versions and editing --------------------------------------------------------------------------------
    def recall_last_sent(self) -> None:
        """Up in an empty prompt: the last prompt queued (taken back), else the last message sent, for editing."""
        if self.host.queue.edit_last(quiet=True):
            return
        last = next((m for m in reversed(self.host.conversation.active_path()) if m.role == "user"), None)
        if last is None:
            self.host.view.focus_message()
            return
        self.host.prompt.start_editing(last.id, last.content)

    def edit(self, message_id: str) -> None:
        """Put one of the user's messages in the prompt for editing (a reply cannot be edited)."""
        message = self.host.conversation.by_id().get(message_id)
        if message is not None and message.role == "user":
            self.host.prompt.start_editing(message.id, message.content)

    def send_edit(self, message_id: str, text: str) -> None:
        """Add the edited text as a new version of `message_id` (same parent) and ask for a reply to it."""
        conversation = self.host.conversation
        original = conversation.by_id().get(message_id)
        if original is None:
            self.host.notify("The message being edited is gone; the text stays in the prompt.", severity="warning")
            return
        # A new version keeps the files the original was sent with.
        conversation.append(
            Message(role="user", content=text, attachments=original.attachments), parent=original.parent
        )
        self.host.prompt.stop_editing()
        self.host.show_conversation(conversation)
        self.host.save(conversation)
        self.host.start_reply(conversation)

    def switch_version(self, message_id: str, step: int) -> None:
        """Show the previous or next version of a message (and what follows it)."""
        conversation = self.host.conversation
        message = conversation.by_id().get(message_id)
        if message is None:
            return
        if self.host.streaming:
            self.host.notify("Wait for the reply to end (or stop it with Esc) before switching versions.")
            return
        shown = switch_version(conversation, message, step)
        if shown is None:
            which = "older" if step < 0 else "newer"
            self.host.notify(f"No {which} version of this message.")
            return
        self.host.show_conversation(conversation)
        self.host.save(conversation)
        self.host.call_after_refresh(self.host.view.focus_message, shown.id)

    # -- branch, continue -------------------------------------------------------------------------------------
    def branch(self) -> None:
        """Copy the active path (up to the focused message, if one is) into a new conversation and open it."""
        if not self.host.conversation.active_path():
            self.host.notify("Nothing to branch yet.", severity="warning")
            return
        focused = self.host.view.focused_message
        copy = branch(self.host.conversation, upto=focused.message.id if focused is not None else None)
        self.host.save(copy)
        self.host.show_conversation(copy)
        self.host.prompt.focus()
        self.host.notify(f"Branched into a new conversation: {copy.title}", title="Branch", markup=False)

    def continue_reply(self) -> None:
        """Ask the model to go on after a reply that was cut off; what comes is appended to that same reply.

        The request is the path plus a user instruction to continue (the engine's CONTINUE mode); the instruction is
        not stored, so the reply reads as one message (a code block cut in two is whole again).
        """
        path = self.host.conversation.active_path()
        last = path[-1] if path else None
        if last is None or not is_continuable(last):
            self.host.notify("Nothing to continue: the last reply is complete.", severity="warning")
            return
        if not self.can_send():
            return
        self.host.start_reply(self.host.conversation, mode=CONTINUE)

    # -- copy, export -----------------------------------------------------------------------------------------
    def copy_conversation(self) -> None:
        """Copy the whole conversation (the branch shown) as Markdown."""
        if not self.host.conversation.active_path():
            self.host.notify("Nothing to copy yet.", severity="warning")
            return
        text = conversation_to_markdown(self.host.conversation)
        self.host.app.copy_to_clipboard(text)
        count = len(self.host.conversation.active_path())
        self.host.notify(f"Copied the conversation as Markdown ({count} messages, {len(text)} characters).")

    def export_markdown(self) -> None:
        """Write the conversation to a Markdown file in the exports directory."""
        if not self.host.conversation.active_path():
            self.host.notify("Nothing to export yet.", severity="warning")
            return
        try:
            path = write_markdown_export(self.host.conversation)
        except OSError as exc:
            message = f"Could not write the export: {exc.strerror or exc}"
            self.host.notify(message, title="Export", severity="error", markup=False)
            return
        self.host.notify(f"Saved as Markdown: {path}", title="Export", timeout=15, markup=False)

    # -- conversation settings --------------------------------------------------------------------------------
    def set_context_policy(self, policy: str) -> None:
        """Set how this conversation handles a full context window (summarize, trim or off), and save it."""
        conversation = self.host.conversation
        conversation.context_policy = policy
        if conversation.messages:
            self.host.save(conversation)
        self.host.notify(f"Context policy for this conversation: {policy}.", title="Context")
        self.host.update_status()

    def pick_model(self) -> None:
        """Choose another model for this conversation (the settings modal, on the model field)."""
        self.conversation_settings(focus="model")

    def conversation_settings(self, focus: str = "system-prompt") -> None:
        """Edit this conversation's system prompt, model, model controls, context policy and tools offered."""
        conversation = self.host.conversation
        current = ConversationSettings(
            system_prompt=conversation.system_prompt,
            model=conversation.model or self.host.settings.model,
            context_policy=conversation.context_policy,
            params=dict(conversation.params),
            disabled_tools=tuple(conversation.disabled_tools),
        )
        engine = self.host.engine
        tools = engine.tools.servers if engine is not None and engine.tools is not None else None
        self.host.app.push_screen(
            ConversationSettingsScreen(current, self.host.client, focus=focus, offer=self._model_offer, tools=tools),
            lambda result: self._apply_conversation_settings(conversation, result),
        )

    def _model_offer(self, model: str) -> ModelOffer:
        """The controls `model` takes on this profile (the model table, and what its server refused before)."""
        from causerie.core.chat.refusals import Refusals
        from causerie.core.engine.factory import price_table
        from causerie.core.engine.params_step import model_offer
        from causerie.core.settings import paths

        engine = self.host.engine
        prices = engine.prices if engine is not None else price_table(self.host.settings)
        refusals = engine.refusals if engine is not None else Refusals.in_data_dir(paths.data_dir())
        return model_offer(prices, refusals, self.host.settings.profile, model or self.host.settings.model)

    def _apply_conversation_settings(self, conversation: Conversation, result: ConversationSettings | None) -> None:
        if result is None:
            return
        conversation.system_prompt = result.system_prompt
        conversation.model = result.model
        conversation.context_policy = result.context_policy
        conversation.params = dict(result.params)
        conversation.disabled_tools = list(result.disabled_tools)
        conversation.touch()
        if conversation.messages:  # an empty conversation is saved with its first message
            self.host.save(conversation)
        if conversation is self.host.conversation:
            self.host.update_status()
        controls = ", ".join(f"{k} {v}" for k, v in result.params.items() if k != "extra")
        if result.params.get("extra"):
            controls = f"{controls}, extra body fields" if controls else "extra body fields"
        controls = f", {controls}" if controls else ""
        off = len(result.disabled_tools)
        controls = f"{controls}, {off} tool switch{'es' if off != 1 else ''} off" if off else controls
        message = f"Conversation settings saved (model {result.model}{controls}, context {result.context_policy})."
        self.host.notify(message, markup=False)

    # -- auto-title -------------------------------------------------------------------------------------------
    def maybe_auto_title(self, conversation: Conversation, reply: Message) -> None:
        """After the first complete reply, ask for a title in the background (unless renamed or disabled)."""
        if reply.finish_reason != "stop" or self.host.client is None or conversation.read_only:
            return
        if not auto_title_enabled(self.host.settings.auto_title, self.host.settings.keyless):
            return
        replies = [m for m in conversation.messages if m.role == "assistant" and m.content]
        if len(replies) != 1 or conversation.title not in ("", conversation.default_title()):
            return
        self.host.run_worker(self._ask_title(conversation), group="title", exclusive=True, exit_on_error=False)

    async def _ask_title(self, conversation: Conversation) -> None:
        assert self.host.client is not None
        messages = title_request(conversation)
        if messages is None:
            return
        fallback = conversation.default_title()
        try:
            # No token cap: reasoning models spend a small cap on reasoning and answer nothing; clean_title shortens.
            answer = await self.host.client.complete(messages, conversation.model or self.host.settings.model)
        except ChatError:
            return  # the first words stay the title; a failed title is not worth a notification
        title = clean_title(answer)
        if title and conversation.title in ("", fallback):
            conversation.title = title
            self.host.save(conversation)
