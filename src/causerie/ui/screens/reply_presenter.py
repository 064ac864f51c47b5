"""ReplyPresenter: the engine's events of a turn shown in the conversation view, and ctrl+r and the ways out.

Only the conversation on screen is drawn; a turn that runs in a conversation the user left keeps going in the
engine and is saved, and shows its final state when the conversation is opened again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from causerie.core.chat.errors import ChatError
from causerie.core.chat.way_out import (
    CONTINUE,
    PICK_MODEL,
    RETRY,
    SUMMARIZE,
    TRIM,
    WITHOUT_ATTACHMENTS,
    WITHOUT_TOOLS,
    way_out,
)
from causerie.core.conversation.models import Conversation, Message
from causerie.core.engine import events
from causerie.core.engine.engine import SEND, Engine
from causerie.core.settings.config import Settings
from causerie.core.settings.config_check import ConfigError
from causerie.core.settings.config_edit import set_profile_key
from causerie.ui.screens.saving import ConversationSaver
from causerie.ui.widgets.conversation import ConversationView
from causerie.ui.widgets.error_notice import ErrorNotice
from causerie.ui.widgets.notes import ReasoningNote, SummaryNote


class ReplyHost(Protocol):
    """What the reply controller needs from the screen."""

    conversation: Conversation
    settings: Settings
    engine: Engine | None

    @property
    def view(self) -> ConversationView: ...
    @property
    def streaming(self) -> bool: ...
    def show_conversation(self, conversation: Conversation) -> None: ...
    def start_reply(self, conversation: Conversation, mode: str = SEND) -> None: ...
    def action_pick_model(self) -> None: ...
    def notify(self, message: str, *, severity: str = "information") -> None: ...


class ReplyPresenter:
    """Turns engine events into view updates, notices and saves' bookkeeping for one screen."""

    def __init__(self, host: ReplyHost, saver: ConversationSaver, *, finished: Callable[[Conversation, Message], Any]):
        """`finished(conversation, reply)` runs after a turn that ended with a reply (e.g. to ask for a title)."""
        self.host = host
        self.saver = saver
        self._finished = finished
        self.failed_kind: dict[str, str] = {}  # conversation id -> kind of its last failure (ctrl+r's mode)
        self._reasoning: ReasoningNote | None = None
        self._countdown: ErrorNotice | None = None
        self._reply: Message | None = None
        self._earlier: list[ErrorNotice] = []
        self._focus_reply = False  # ctrl+r was pressed on a message: the new version gets the focus

    def retry_mode(self, conversation: Conversation) -> str:
        """How ctrl+r resends after the last failure: a context overflow shortens the context first."""
        if self.failed_kind.get(conversation.id) == "context_length":
            policy = conversation.context_policy
            return policy if policy in (SUMMARIZE, TRIM) else SUMMARIZE
        return SEND

    def regenerate(self) -> None:
        """Ask again: a new version of the last reply (or a retry after a failure, or now during a countdown)."""
        host = self.host
        if host.engine is not None and host.engine.retry_now():  # an automatic retry is counting down
            return
        if host.streaming or not host.settings.can_send or host.engine is None:
            return
        conversation = host.conversation
        path = conversation.active_path()
        if not path:
            return
        self._focus_reply = host.view.focused_message is not None  # asked from a message: the new reply takes it
        if path[-1].role in ("assistant", "tool"):
            # Back to the user's message: a reply that called tools is asked again whole (its calls approved
            # again, their results not reused).
            while path and path[-1].role in ("assistant", "tool"):
                path.pop()
            conversation.active_leaf = path[-1].id if path else None
            host.show_conversation(conversation)
        host.start_reply(conversation, self.retry_mode(conversation))

    def way_out(self, action: str) -> None:
        """A way out was picked on an error notice."""
        host = self.host
        if host.streaming or host.engine is None:
            return
        conversation = host.conversation
        if action == RETRY:
            self.regenerate()
        elif action in (SUMMARIZE, TRIM):
            host.start_reply(conversation, mode=action)
        elif action == CONTINUE:
            path = conversation.active_path()
            if path and path[-1].role == "assistant" and path[-1].content:
                host.start_reply(conversation, mode=CONTINUE)
        elif action == PICK_MODEL:
            host.action_pick_model()
        elif action == WITHOUT_TOOLS and host.engine.tools is not None:
            host.engine.tools.enabled = False  # for this session
            self.regenerate()
        elif action == WITHOUT_ATTACHMENTS:
            self.send_without_attachments(conversation)

    def send_without_attachments(self, conversation: Conversation) -> None:
        """Send the last message again as a new version without its attachments (the first version keeps them)."""
        path = conversation.active_path()
        last = path[-1] if path else None
        if last is None or last.role != "user" or not last.attachments:
            self.host.notify(
                "The attachments are on an earlier message: edit that message (e) to send it without them.",
                severity="warning",
            )
            return
        conversation.append(Message(role="user", content=last.content), parent=last.parent)
        self.host.show_conversation(conversation)
        self.host.start_reply(conversation)

    def _visible(self, conversation: Conversation) -> bool:
        return self.host.conversation is conversation

    def started(self, conversation: Conversation) -> None:
        """A turn starts: earlier failure notices step back."""
        self.failed_kind.pop(conversation.id, None)
        self._reasoning = self._countdown = self._reply = None
        self._earlier = list(self.host.view.query(ErrorNotice))
        for notice in self._earlier:
            notice.retire()

    def show(self, conversation: Conversation, event: events.EngineEvent) -> None:
        """Draw one event of a turn running on `conversation`."""
        view = self.host.view
        visible = self._visible(conversation)
        if isinstance(event, events.TextAdded):
            if visible and (shown := view.view_for(event.reply.id)) is not None:
                shown.append(event.text)
        elif isinstance(event, events.ReasoningAdded):
            if visible:
                self._show_reasoning(event.reply)
        elif isinstance(event, events.ReplyStarted):
            self._reply, self._reasoning = event.reply, None
            if visible and not event.continuing:
                view.add_message(event.reply, streaming=True)
                if self._focus_reply and view.has_focus_within:  # still there, not moved to the prompt meanwhile
                    view.focus_message(event.reply.id)
            elif visible and (shown := view.view_for(event.reply.id)) is not None:
                shown.streaming = True
            self._focus_reply = False
        elif isinstance(event, events.ReplyEnded):
            self._ended(conversation, event.reply, event.kept)
        elif isinstance(event, events.ContextNote):
            if visible:
                view.add_notice(event.text, event.severity)
        elif isinstance(event, events.SummaryAdded):
            if visible:
                view.mount(SummaryNote(event.note, event.turns))
        elif isinstance(event, events.OptionDropped):
            self._option_dropped(conversation, event.option)
        elif isinstance(event, events.RetryScheduled):
            self._countdown = self.failure(conversation, event.error, partial=False)
            if self._countdown is not None:
                label = f"Automatic retry {event.attempt} of {event.attempts}"
                self._countdown.start_countdown(event.delay, label)
        elif isinstance(event, events.Retrying):
            if self._countdown is not None:
                self._countdown.end_countdown(f"Retried automatically (attempt {event.attempt} of {event.attempts}).")
                self._countdown.retire()
                self._countdown = None
        elif isinstance(event, events.ToolRound):
            if visible:
                reply_view = view.view_for(event.reply.id)
                if reply_view is not None:
                    reply_view.refresh_label()  # its calls, one line each, under its text
                view.add_notice(f"Tool round {event.number} of at most {event.limit}")
        elif isinstance(event, events.ToolAnswered):
            if visible:
                view.add_message(event.message)
        elif isinstance(event, events.Saved):
            self.saver.saved(event.conversation)
        elif isinstance(event, events.SaveFailed):
            self.saver.failed(event.conversation, event.error)
        elif isinstance(event, events.Failed):
            self._focus_reply = False  # a ctrl+r that failed before its reply started: not for a later turn
            self.failure(conversation, event.error, partial=event.partial)
        elif isinstance(event, events.Finished):
            self._focus_reply = False
            # It worked: an earlier "could not reach … press ctrl+r" is no longer true (a notice of this turn
            # stays, saying it was retried automatically).
            for notice in self._earlier:
                notice.remove()
            self._earlier = []
            self._finished(conversation, event.reply)

    def cancelled(self, conversation: Conversation, failures: list[tuple[Conversation, Exception]]) -> None:
        """The turn was stopped (Esc, quit): the engine kept and saved what arrived; show how it ended."""
        self._focus_reply = False
        if self._countdown is not None:
            self._countdown.end_countdown("Gave up. Your message is kept: press ctrl+r to try again.")
            self._countdown = None
        reply = self._reply
        if reply is not None and reply.finish_reason == "cancelled":
            self._ended(conversation, reply, reply in conversation.messages)
        for failed, error in failures:
            self.saver.failed(failed, error)
        if not any(failed is conversation for failed, _ in failures):
            self.saver.saved(conversation)

    def _ended(self, conversation: Conversation, reply: Message, kept: bool) -> None:
        if not self._visible(conversation) or (shown := self.host.view.view_for(reply.id)) is None:
            return
        if kept:
            shown.finish()
        else:
            shown.remove()

    def _show_reasoning(self, reply: Message) -> None:
        note = self._reasoning
        if note is None:
            view = self.host.view
            shown = view.view_for(reply.id)
            note = self._reasoning = ReasoningNote(reply)
            if shown is not None:
                view.mount(note, before=shown)
            else:
                view.mount(note)
        note.refresh_text()

    def failure(self, conversation: Conversation, error: ChatError, *, partial: bool) -> ErrorNotice | None:
        """Remember the failure (for ctrl+r) and show its sentence and ways out."""
        self.failed_kind[conversation.id] = error.kind
        if not self._visible(conversation):
            return None
        settings = self.host.settings
        found = way_out(
            error,
            api_key=settings.api_key,
            key_source=settings.api_key_source,
            partial=partial,
            policy=conversation.context_policy,
            attachments=any(m.attachments for m in conversation.active_path()),
        )
        notice = ErrorNotice(found.text, found.actions)
        self.host.view.mount(notice)
        return notice

    def _option_dropped(self, conversation: Conversation, option: str) -> None:
        settings = self.host.settings
        remembered = "for this session"
        if settings.profile != "openai" and settings.config_path is not None:
            try:
                set_profile_key(settings.config_path, settings.profile, option, False)
                remembered = f"in {settings.config_path} ([profiles.{settings.profile}] {option} = false)"
            except ConfigError:
                pass
        if self._visible(conversation):
            self.host.view.add_notice(
                f"This server does not accept {option}: sent again without it, and remembered {remembered}. "
                "Token usage is now estimated (shown with ≈).",
                "warning",
            )
