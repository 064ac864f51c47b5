"""ChatScreen: the main screen (sidebar, conversation, prompt, status); owns the reply worker and saving."""

from __future__ import annotations

import asyncio

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import TextArea
from textual.worker import Worker, WorkerState

from causerie.core.chat.client import ChatClient
from causerie.core.conversation.models import Conversation
from causerie.core.engine.engine import SEND, Engine
from causerie.core.engine.factory import make_engine, price_table
from causerie.core.engine.saving import SaveQueue
from causerie.core.settings.config import BUILTIN_PROFILES, Settings
from causerie.core.storage.drafts import DraftStore
from causerie.core.storage.queued import QueueStore
from causerie.core.storage.store import ConversationStore, StoreError
from causerie.ui.bindings import key_text
from causerie.ui.commands import PaletteCommand
from causerie.ui.drafts import DraftKeeper
from causerie.ui.engine_commands import EngineCommands
from causerie.ui.messages import (
    AttachRequested,
    ConversationChosen,
    DeleteRequested,
    EditRequested,
    MessagesFocusRequested,
    PromptFocusRequested,
    RecallRequested,
    RenameRequested,
    SearchRequested,
    UndoDeleteRequested,
    VersionSwitchRequested,
)
from causerie.ui.screens.attach_actions import AttachmentActions
from causerie.ui.screens.background import StartupWork
from causerie.ui.screens.chat_actions import MessageActions, MessageIntent
from causerie.ui.screens.chat_texts import WELCOME, no_key_help
from causerie.ui.screens.history import HistoryActions, HistoryIntent
from causerie.ui.screens.queue_actions import BINDINGS as QUEUE_BINDINGS
from causerie.ui.screens.queue_actions import PromptQueue
from causerie.ui.screens.reply_presenter import ReplyPresenter
from causerie.ui.screens.saving import ConversationSaver
from causerie.ui.screens.status_facts import StatusFacts
from causerie.ui.screens.tool_approval import DialogApprover
from causerie.ui.screens.typing_pause import typing_pause
from causerie.ui.widgets.attachment_tray import AttachmentTray
from causerie.ui.widgets.conversation import ConversationView
from causerie.ui.widgets.error_notice import ErrorNotice
from causerie.ui.widgets.footer import KeptFooter
from causerie.ui.widgets.prompt import PromptInput
from causerie.ui.widgets.queued import QueuedPrompts
from causerie.ui.widgets.sidebar import HistorySidebar
from causerie.ui.widgets.status import StatusLine

READ_ONLY_NOTE = "This conversation was written by a newer version of causerie: it is shown read-only."
BUILTIN_LOCAL = tuple(name for name, profile in BUILTIN_PROFILES.items() if profile.local)


class ChatScreen(Screen):
    """Sidebar, conversation, prompt and status line: the layout, the bindings and the workers; each intent is
    handed to one small object (engine, presenter, saver, history and message actions)."""

    COMMANDS = Screen.COMMANDS | {EngineCommands}
    # Keys typed while the app starts must land in the prompt, not in the first focusable widget (the filter).
    AUTO_FOCUS = "#prompt"

    BINDINGS = [
        Binding("ctrl+f", "search", "Search", id="chat.search"),
        Binding("ctrl+n", "new_conversation", "New", id="chat.new"),
        Binding("ctrl+b", "toggle_sidebar", "Sidebar", id="chat.toggle_sidebar"),
        Binding("escape", "stop", "Stop", id="chat.stop"),  # shown and run only while a reply is written
        Binding("escape", "back", "Back", show=False, id="chat.back"),
        Binding("ctrl+r", "regenerate", "Retry", id="chat.regenerate"),
        Binding("f4", "show_usage", "Usage", id="chat.usage"),
        Binding("ctrl+g", "continue_reply", "Continue", show=False, id="chat.continue"),
        Binding("f3", "conversation_settings", "Conversation", show=False, id="chat.conversation_settings"),
        Binding("f5", "branch", "Branch", show=False, id="chat.branch"),
        Binding("ctrl+o", "copy_conversation", "Copy all", show=False, id="chat.copy_conversation"),
        Binding("ctrl+s", "export_markdown", "Export", show=False, id="chat.export_markdown"),
        Binding("f8", "attach", "Attach", show=False, id="chat.attach"),
        *QUEUE_BINDINGS,
    ]

    def __init__(
        self,
        settings: Settings,
        store: ConversationStore,
        client: ChatClient | None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.store = store
        self.client = client
        self.startup = StartupWork(self)
        self.conversation = self._new_conversation()
        self._reply_worker: Worker | None = None
        self.saves = SaveQueue(store)
        self.engine: Engine | None = self._make_engine(client)
        self.saver = ConversationSaver(
            store, notify=self.notify, listed=lambda summary: self.sidebar.upsert(summary), every=self.set_interval
        )
        self.messages = MessageActions(self)
        self.attachments = AttachmentActions(self)
        self.history = HistoryActions(self)
        self.replies = ReplyPresenter(self, self.saver, finished=self.messages.maybe_auto_title)
        self._status_facts = StatusFacts()
        self.drafts = DraftKeeper(
            DraftStore(store.data_dir), self.query_one, self.set_timer, self.attachments.store.has, self.notify
        )
        self.queue = PromptQueue(self, QueueStore(store.data_dir))

    def _make_engine(self, client: ChatClient | None) -> Engine | None:
        if client is None:
            return None
        approver = DialogApprover(self, self.action_stop)
        return make_engine(self.settings, client, self.saves, pause=typing_pause(self), approver=approver)

    def compose(self) -> ComposeResult:
        yield HistorySidebar(id="sidebar", clock=getattr(self.app, "clock", None))
        with Vertical(id="main"):
            yield ConversationView(id="conversation")
            yield QueuedPrompts(id="queued")
            yield AttachmentTray(id="attachments")
            yield PromptInput(id="prompt", on_submit=self.messages.submit)
            yield StatusLine(id="status")
        yield KeptFooter()

    @property
    def view(self) -> ConversationView:
        # Looked up once: every streamed delta asks for it.
        view = self.__dict__.get("_conversation_view")
        if view is None or not view.is_attached:
            view = self.__dict__["_conversation_view"] = self.query_one(ConversationView)
        return view

    @property
    def prompt(self) -> PromptInput:
        return self.query_one(PromptInput)

    @property
    def sidebar(self) -> HistorySidebar:
        return self.query_one(HistorySidebar)

    @property
    def streaming(self) -> bool:
        """Whether a reply is being received."""
        worker = self._reply_worker
        return worker is not None and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)

    def on_mount(self) -> None:
        self.sidebar.fit_to(self.app.size.width)
        self.show_conversation(self.conversation)
        self.prompt.focus()
        self.call_after_refresh(self.startup.start)  # right after the first paint

    def _intro(self) -> str:
        return WELCOME if self.settings.can_send else no_key_help(self.settings)

    def _new_conversation(self) -> Conversation:
        settings = self.settings
        return Conversation(model=settings.model, profile=settings.profile, system_prompt=settings.system_prompt)

    def show_conversation(self, conversation: Conversation) -> None:
        """Show `conversation` in the pane (it becomes the one the prompt sends to), with its draft."""
        self.conversation = conversation
        self.drafts.show(conversation)
        self.view.show(conversation, intro=self._intro())
        self.queue.refresh()
        self.update_status()
        if conversation.read_only:
            self.view.add_notice(READ_ONLY_NOTE, "warning")

    def open_conversation(self, conversation_id: str) -> bool:
        """Show a saved conversation (from memory if open already); False when it cannot be loaded."""
        conversation = self.saver.open.get(conversation_id)
        if conversation is None:
            try:
                conversation = self.store.load(conversation_id)
            except StoreError as exc:
                self.notify(str(exc), title="Cannot open conversation", severity="error", markup=False)
                return False
            self.saver.open[conversation.id] = conversation
        self.show_conversation(conversation)
        return True

    def held_conversations(self) -> list[Conversation]:
        """Every conversation held in memory here (the shown one first), for a save after a crash."""
        return [self.conversation, *(c for c in self.saver.open.values() if c is not self.conversation)]

    def forget(self, conversation_id: str) -> None:
        """Drop the open copy of a conversation (deleted, or replaced by another causerie's version)."""
        self.saver.open.pop(conversation_id, None)

    def save(self, conversation: Conversation) -> bool:
        """Save now (the saver tells the user about failures and conflicts)."""
        return self.saver.save(conversation)

    def on_resize(self, event: events.Resize) -> None:
        self.sidebar.fit_to(event.size.width)

    @on(TextArea.Changed, "#prompt")
    def _prompt_changed(self) -> None:
        self.drafts.changed()

    async def on_unmount(self) -> None:
        self.drafts.flush()  # ctrl+q with text in the prompt: it is there at the next start
        if self.engine is not None and self.engine.tools is not None:
            await self.engine.tools.servers.stop()
        self.saves.close()
        self.saver.last_attempt()
        self.startup.stop()

    def start_reply(self, conversation: Conversation, mode: str = SEND) -> None:
        """Run a turn of the engine on `conversation` in the reply worker."""
        self._reply_worker = self._reply(conversation, mode)
        self.update_status()

    @work(exclusive=True, group="reply", exit_on_error=False)
    async def _reply(self, conversation: Conversation, mode: str) -> None:
        engine = self.engine
        assert engine is not None
        model = conversation.model or self.settings.model
        self.replies.started(conversation)
        try:
            async for event in engine.run(conversation, model, mode):
                self.replies.show(conversation, event)
        except asyncio.CancelledError:
            self.replies.cancelled(conversation, self.saves.take_failures())
            raise
        finally:
            self.call_later(self.queue.turn_ended, conversation)  # once this worker is over

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Esc is "Stop" (and the footer says so) only while a reply is written; otherwise it is "Back".
        if action == "stop":
            return self.streaming
        return True

    def action_stop(self) -> None:
        """Stop the reply being written (keeping what arrived)."""
        if self.streaming and self._reply_worker is not None:
            self._reply_worker.cancel()

    def action_back(self) -> None:
        """Leave editing a message, or go back to the prompt."""
        if self.prompt.editing is not None and self.focused is self.prompt:
            self.prompt.stop_editing()
        else:
            self.prompt.focus()

    def action_send_queued(self) -> None:
        """Send the held queued prompts (the first now, or when the reply ends; the rest one after another)."""
        self.queue.send_held()

    def action_edit_queued(self) -> None:
        """Take the last queued prompt back into the prompt box to edit it (when the box is empty)."""
        self.queue.edit_last()

    def action_remove_queued(self) -> None:
        """Remove the last queued prompt."""
        self.queue.remove_last()

    def action_regenerate(self) -> None:
        """Ask again: a new version of the last reply (or a retry after a failure)."""
        self.replies.regenerate()

    @on(ErrorNotice.Chosen)
    def _way_out_chosen(self, event: ErrorNotice.Chosen) -> None:
        event.stop()
        self.replies.way_out(event.action)

    def update_status(self) -> None:
        """Show the profile, model, tokens, cost and context meter of the open conversation."""
        line, pending = self.query_one(StatusLine), self.attachments.pending_tokens()
        self._status_facts.show(
            line,
            self.conversation,
            self.settings,
            self.engine,
            streaming=self.streaming,
            pending=pending,
            key=lambda binding_id: key_text(self.app, self.BINDINGS, binding_id),
        )

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is self._reply_worker:
            self.update_status()
            self.refresh_bindings()  # Esc: "Stop" while the reply is written, not after
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.notify(f"Something went wrong: {event.worker.error}", severity="error", markup=False)

    def use_settings(self, settings: Settings, client: ChatClient | None) -> None:
        """Switch to new settings and client (after the setup screen), keeping the open conversation."""
        self.settings = settings
        self.client = client
        self.engine = self._make_engine(client)
        if not self.conversation.messages:
            self.conversation.model = settings.model
            self.conversation.profile = settings.profile
        self.show_conversation(self.conversation)

    def action_new_conversation(self) -> None:
        """Start a new, empty conversation."""
        self.show_conversation(self._new_conversation())
        self.prompt.focus()

    def action_toggle_sidebar(self) -> None:
        """Hide or show the history sidebar (showing it moves the focus into the list, and lists what is new)."""
        self.history.toggle_sidebar()
        if not self.sidebar.has_class("-hidden") and not self.streaming:  # a check shares the GIL with the reply
            self.startup.recheck()

    def action_show_usage(self) -> None:
        """Open the usage screen: tokens and cost per day and per model across all conversations."""
        from causerie.ui.screens.usage import UsageScreen

        local = (self.settings.profile,) if self.settings.local else ()
        prices = self.engine.prices if self.engine is not None else price_table(self.settings)
        self.app.push_screen(UsageScreen(self.store, prices, local + BUILTIN_LOCAL))

    def set_context_policy(self, policy: str) -> None:
        """Set how this conversation handles a full context window (summarize, trim or off), and save it."""
        self.messages.set_context_policy(policy)

    def conversation_titles(self) -> list[tuple[str, str]]:
        """(id, title) of every listed conversation, newest first (for "Open conversation…")."""
        return self.history.conversation_titles()

    def palette_commands(self) -> list[PaletteCommand]:
        """Commands without a key, offered by the command palette."""
        return self.history.palette_commands()

    def action_search(self) -> None:
        """Search the text of all conversations."""
        self.history.search()

    def action_continue_reply(self) -> None:
        """Ask the model to go on after a reply that was cut off; what comes is appended to that same reply."""
        self.messages.continue_reply()

    def action_conversation_settings(self) -> None:
        """Edit this conversation's system prompt, model, model controls, tools and context policy."""
        self.messages.conversation_settings()

    def action_pick_model(self) -> None:
        """Choose another model for this conversation (the settings modal, on the model field)."""
        self.messages.pick_model()

    def action_branch(self) -> None:
        """Copy the active path (up to the focused message, if one is) into a new conversation and open it."""
        self.messages.branch()

    def action_copy_conversation(self) -> None:
        """Copy the whole conversation (the branch shown) as Markdown."""
        self.messages.copy_conversation()

    def action_export_markdown(self) -> None:
        """Write the conversation to a Markdown file in the exports directory."""
        self.messages.export_markdown()

    def action_attach(self) -> None:
        """Attach a file to the message being written (a fuzzy picker over the working directory)."""
        self.attachments.open_picker()

    @on(AttachRequested)
    def _attach_requested(self, event: AttachRequested) -> None:
        event.stop()
        self.attachments.requested(event.typed_at, event.pasted)

    @on(AttachmentTray.Changed)
    def _chips_changed(self) -> None:
        self.update_status()
        self.drafts.chips_changed()

    @on(ConversationChosen)
    @on(SearchRequested)
    @on(RenameRequested)
    @on(DeleteRequested)
    @on(UndoDeleteRequested)
    def _history_requested(self, event: HistoryIntent) -> None:
        event.stop()
        self.history.requested(event)

    @on(MessagesFocusRequested)
    @on(PromptFocusRequested)
    @on(RecallRequested)
    @on(EditRequested)
    @on(VersionSwitchRequested)
    def _messages_requested(self, event: MessageIntent) -> None:
        event.stop()
        self.messages.requested(event)
