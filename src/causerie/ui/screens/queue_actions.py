"""PromptQueue: prompts sent while a reply streams wait their turn, and go one after another as replies end well.

A prompt queued in a conversation goes after the reply streaming there ends with a complete answer, then the next
after that reply, and so on. A reply that failed, was stopped or was cut off holds the queue and asks whether to
send it now (n keeps it held). The queue is on disk (`core.storage.queued`) from the moment a prompt is queued: after
a quit or a crash it comes back held, never sent by itself. Enter in the prompt while nothing streams sends at once,
ahead of held prompts (held means: not until the user says so).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from causerie.core.conversation.endings import is_complete_reply
from causerie.core.conversation.models import Conversation, Message
from causerie.core.storage.queued import QueuedPrompt, QueueFileError, QueueStore
from causerie.ui.bindings import key_text
from causerie.ui.screens.dialogs import ConfirmDialog
from causerie.ui.text import notice_text, outside, outside_body
from causerie.ui.widgets.queued import QueuedLine, QueuedPrompts

if TYPE_CHECKING:
    from textual.app import App

    from causerie.core.settings.config import Settings
    from causerie.ui.drafts import DraftKeeper
    from causerie.ui.screens.attach_actions import AttachmentActions
    from causerie.ui.widgets.conversation import ConversationView
    from causerie.ui.widgets.prompt import PromptInput

# Not F6 / F7: the prompt is a TextArea, whose own F6 and F7 (select the line, select all) win while it has focus.
BINDINGS = [
    Binding("ctrl+l", "send_queued", "Send queued", show=False, id="queue.send"),
    Binding("alt+up", "edit_queued", "Edit queued", show=False, id="queue.edit"),
    Binding("f9", "remove_queued", "Remove queued", show=False, id="queue.remove"),
]


class QueueHost(Protocol):
    """What the queue needs from the chat screen."""

    conversation: Conversation
    settings: Settings
    client: Any
    attachments: AttachmentActions
    drafts: DraftKeeper
    app: App

    @property
    def view(self) -> ConversationView: ...
    @property
    def prompt(self) -> PromptInput: ...
    @property
    def streaming(self) -> bool: ...
    def query_one(self, selector: Any) -> Any: ...
    def notify(self, message: str, **kwargs: Any) -> None: ...
    def save(self, conversation: Conversation) -> bool: ...
    def start_reply(self, conversation: Conversation, mode: str = "send") -> None: ...
    def call_later(self, callback: Callable[..., Any], *args: Any) -> bool: ...
    def update_status(self) -> None: ...


@dataclass
class Entry:
    """A queued prompt and whether it waits for the user."""

    prompt: QueuedPrompt
    held: bool = False


class SendQueuedDialog(ConfirmDialog):
    """Asks whether to send the queued prompts after a reply that did not end well (y sends, n holds them)."""

    inherit_bindings = False  # Enter typed for the prompt must not answer: only y, n or Esc do
    BINDINGS = [
        Binding("y", "answer(True)", "Send now", id="queue_dialog.send"),
        Binding("n,escape", "answer(False)", "Hold", id="queue_dialog.hold"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(outside(self.title_text), classes="dialog-title")
            yield Static(outside_body(self.question), classes="dialog-question")
            yield Static(outside("y: send now    n / Esc: keep them held"), classes="dialog-keys")


def succeeded(conversation: Conversation) -> bool:
    """Whether the last turn of `conversation` ended with a complete reply (what a queued prompt follows)."""
    path = conversation.active_path()
    last = path[-1] if path else None
    return last is not None and is_complete_reply(last)


class PromptQueue:
    """The queued prompts of every conversation seen in this session, on disk and on screen."""

    def __init__(self, host: QueueHost, store: QueueStore) -> None:
        self.host = host
        self.store = store
        self._queues: dict[str, list[Entry]] = {}
        self._damaged: set[str] = set()  # conversations whose queue file cannot be read (said once)

    @property
    def widget(self) -> QueuedPrompts:
        return self.host.query_one(QueuedPrompts)

    def entries(self, conversation: Conversation) -> list[Entry]:
        """The queue of a conversation (loaded from disk the first time, every prompt held)."""
        queue = self._queues.get(conversation.id)
        if queue is None:
            queue = self._queues[conversation.id] = []
            if conversation.messages:
                try:
                    queue.extend(Entry(prompt, held=True) for prompt in self.store.load(conversation.id))
                except QueueFileError as exc:
                    self._report(conversation.id, exc)
        return queue

    def _report(self, conversation_id: str, exc: QueueFileError) -> None:
        if conversation_id in self._damaged:
            return
        self._damaged.add(conversation_id)
        message = f"The queued prompts of this conversation cannot be read ({exc}). The file is left as it is."
        self.host.notify(notice_text(message), title="Queued prompts", severity="error", timeout=20, markup=False)

    def _write(self, conversation: Conversation) -> bool:
        """Put the queue of `conversation` on disk; False (and said) when it could not be."""
        try:
            self.store.save(conversation.id, [entry.prompt for entry in self.entries(conversation)])
        except QueueFileError as exc:
            self._report(conversation.id, exc)
            return False
        except OSError as exc:
            message = f"The queue could not be written to disk: {exc.strerror or exc}"
            self.host.notify(notice_text(message), title="Queued prompts", severity="error", markup=False)
            return False
        return True

    def refresh(self) -> None:
        """Show the queue of the conversation on screen."""
        lines = [
            QueuedLine(e.prompt.text, len(e.prompt.attachments), e.held) for e in self.entries(self.host.conversation)
        ]
        self.widget.show_queue(lines, self._keys())

    def _key(self, binding_id: str) -> str:
        """The key of one of the queue's bindings, as the footer shows it (after the user's keymap)."""
        return key_text(self.host.app, BINDINGS, binding_id)

    def _keys(self) -> str:
        send, edit, remove = (self._key(f"queue.{name}") for name in ("send", "edit", "remove"))
        return f"{send} sends held · {edit} or Up edits the last · {remove} removes it"

    # -- queueing ---------------------------------------------------------------------------------------------
    def add(self, text: str) -> bool:
        """Queue `text` with the prompt's chips in the conversation shown; False (and said) when it cannot be.

        The text and chips leave the prompt only once the queue is on disk: otherwise they stay where they are.
        """
        conversation = self.host.conversation
        if not conversation.messages:
            self.host.notify(
                "A reply is being written in another conversation: wait for it (or stop it with Esc) to send this.",
                severity="warning",
            )
            return False
        if conversation.read_only:
            self.host.notify("This conversation is read-only.", severity="warning")
            return False
        queue = self.entries(conversation)
        queue.append(Entry(QueuedPrompt(text, tuple(self.host.attachments.pending()))))
        if not self._write(conversation):
            queue.pop()
            self.host.notify("Not queued: the text stays in the prompt.", severity="warning")
            return False
        self.host.attachments.take()
        self.refresh()
        return True

    # -- after a turn -------------------------------------------------------------------------------------------
    def turn_ended(self, conversation: Conversation) -> None:
        """A turn on `conversation` is over: send the next queued prompt, or hold the queue and ask."""
        host = self.host
        if host.streaming:
            return  # another turn started meanwhile (ctrl+r): its end decides
        both = (conversation,) if host.conversation is conversation else (conversation, host.conversation)
        waiting = [c for c in both if self._next(c) is not None]
        if not waiting:
            return
        if succeeded(conversation):
            self.send_next(waiting[0])
            return
        for each in waiting:
            for entry in self.entries(each):
                entry.held = True
        self.refresh()
        count = len(self.entries(waiting[0]))  # y sends these; another conversation's stay held
        how = "was stopped" if self._was_stopped(conversation) else "did not end well"
        where = "" if waiting == [host.conversation] else f' (in "{waiting[0].title}")'
        question = (
            f"The reply {how}. Send the {count} queued prompt{'s' if count != 1 else ''}{where} now? "
            "If not, they stay held: " + self._key("queue.send") + " sends them later."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.send_held(waiting[0])

        host.app.push_screen(SendQueuedDialog("Send the queued prompts?", question, yes="Send now"), answered)

    @staticmethod
    def _was_stopped(conversation: Conversation) -> bool:
        path = conversation.active_path()
        return bool(path) and path[-1].finish_reason == "cancelled"

    def _next(self, conversation: Conversation) -> Entry | None:
        return next((e for e in self.entries(conversation) if not e.held), None)

    def send_next(self, conversation: Conversation) -> bool:
        """Send the first prompt of `conversation` that is not held (as a new message, then the reply)."""
        host = self.host
        entry = self._next(conversation)
        if entry is None or host.streaming:
            return False
        if not host.settings.can_send or host.client is None or conversation.read_only:
            entry.held = True
            self.refresh()
            host.notify("The queued prompt cannot be sent here; it stays held.", severity="warning")
            return False
        prompt = entry.prompt
        message = conversation.append(Message(role="user", content=prompt.text, attachments=list(prompt.attachments)))
        if conversation is host.conversation:
            host.view.add_message(message)
        host.save(conversation)  # the message is in the conversation file before it leaves the queue file
        self.entries(conversation).remove(entry)
        self._write(conversation)
        self.refresh()
        host.start_reply(conversation)
        return True

    # -- keys -----------------------------------------------------------------------------------------------------
    def send_held(self, conversation: Conversation | None = None) -> None:
        """Release the held prompts: the first goes now (or when the streaming reply ends), the rest after it."""
        conversation = conversation or self.host.conversation
        queue = self.entries(conversation)
        if not queue:
            self.host.notify("Nothing is queued in this conversation.")
            return
        for entry in queue:
            entry.held = False
        self.refresh()
        if self.host.streaming:
            self.host.notify("The queued prompts go when the reply ends.")
        else:
            self.send_next(conversation)

    def edit_last(self, quiet: bool = False) -> bool:
        """The last queued prompt back in the prompt box (with its files), if the box is empty.

        `quiet`: say nothing when nothing is queued (Up in an empty prompt then recalls the last sent message).
        """
        host = self.host
        queue = self.entries(host.conversation)
        if not queue:
            if not quiet:
                host.notify("Nothing is queued in this conversation.")
            return False
        prompt = host.prompt
        if prompt.text.strip() or prompt.editing is not None or host.attachments.pending():
            host.notify(
                "The prompt is not empty: send or clear it first, then the last queued prompt can come back.",
                severity="warning",
            )
            return True
        entry = queue.pop()
        prompt.restore(entry.prompt.text)
        for attachment in entry.prompt.attachments:
            host.attachments.tray.add(attachment)
        host.update_status()
        host.drafts.flush()  # the draft on disk holds it before it leaves the queue file
        self._write(host.conversation)
        self.refresh()
        prompt.focus()
        return True

    def remove_last(self) -> None:
        """Drop the last queued prompt."""
        host = self.host
        queue = self.entries(host.conversation)
        if not queue:
            host.notify("Nothing is queued in this conversation.")
            return
        entry = queue.pop()
        self._write(host.conversation)
        self.refresh()
        first = entry.prompt.text.strip().splitlines()[0] if entry.prompt.text.strip() else ""
        host.notify(notice_text(f"Removed the queued prompt: {first[:80]}"), title="Queue", markup=False)
