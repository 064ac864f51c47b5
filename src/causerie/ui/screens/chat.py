"""ChatScreen: the main screen (sidebar, conversation, prompt, status); owns the reply worker and saving."""

from __future__ import annotations

import contextlib
import gc
import threading
import time

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import Footer
from textual.worker import Worker, WorkerState

from causerie.core.chat.client import ChatClient, preload_sdk
from causerie.core.chat.errors import ChatError
from causerie.core.conversation.models import Conversation, Message
from causerie.core.settings.config import Settings
from causerie.core.storage.store import ConversationStore, StoreError
from causerie.ui.engine_commands import EngineCommands
from causerie.ui.messages import ConversationChosen, PromptSubmitted
from causerie.ui.reply_flow import ReplyFlow
from causerie.ui.screens.chat_actions import ChatActions
from causerie.ui.screens.history import HistoryActions
from causerie.ui.widgets.conversation import ConversationView
from causerie.ui.widgets.prompt import PromptInput
from causerie.ui.widgets.sidebar import HistorySidebar
from causerie.ui.widgets.status import StatusLine

CHECKPOINT_INTERVAL = 1.0
PREPARE_DELAY = 1.0  # seconds after the history is shown before background preparation starts
HISTORY_REFRESH = 1.0  # seconds between two refreshes of the sidebar while the index is first built
SAVE_RETRY_INTERVAL = 5.0  # seconds between attempts to save again after a failed save


def no_key_help(settings: Settings) -> str:
    """What to do when no key or server is configured."""
    return (
        "No API key is configured, so causerie cannot send messages yet. Saved conversations stay readable.\n\n"
        f"To use OpenAI: set the key in {settings.api_key_source} (for example "
        "`export OPENAI_API_KEY=sk-...` in your shell) and start causerie again.\n"
        "To use a local OpenAI-compatible server instead, start causerie with --base-url:\n"
        "  Ollama     causerie --base-url http://localhost:11434/v1\n"
        "  llama.cpp  causerie --base-url http://localhost:8080/v1\n"
        "  vLLM       causerie --base-url http://localhost:8000/v1\n"
        "  LM Studio  causerie --base-url http://localhost:1234/v1"
    )


WELCOME = "Type a message and press Enter to send it (ctrl+j or alt+enter for a new line; Esc stops a reply)."


class ChatScreen(ReplyFlow, HistoryActions, ChatActions):
    """Sidebar of saved conversations, the open conversation, the prompt and the status line."""

    COMMANDS = HistoryActions.COMMANDS | {EngineCommands}
    # Keys typed while the app starts must land in the prompt, not in the first focusable widget (the filter).
    AUTO_FOCUS = "#prompt"

    BINDINGS = [
        Binding("ctrl+n", "new_conversation", "New", id="chat.new"),
        Binding("ctrl+b", "toggle_sidebar", "Sidebar", id="chat.toggle_sidebar"),
        Binding("escape", "stop", "Stop", id="chat.stop"),
        Binding("ctrl+r", "regenerate", "Retry", id="chat.regenerate"),
        Binding("f4", "show_usage", "Usage", id="chat.usage"),
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
        self._gc_lock = threading.Lock()
        self._froze_gc = self._unmounted = False
        self.conversation = self._new_conversation()
        self._open: dict[str, Conversation] = {}
        self._reply_worker: Worker | None = None
        self._save_failed: dict[str, Conversation] = {}  # kept in memory until a save succeeds
        self._save_retry: Timer | None = None
        self._init_reply_flow()

    # -- layout --------------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield HistorySidebar(id="sidebar", clock=getattr(self.app, "clock", None))
        with Vertical(id="main"):
            yield ConversationView(id="conversation")
            yield PromptInput(id="prompt")
            yield StatusLine(id="status")
        yield Footer()

    @property
    def view(self) -> ConversationView:
        # Looked up once: the reply worker asks for it on every streamed delta.
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
        return self._reply_worker is not None and self._reply_worker.state in (
            WorkerState.PENDING,
            WorkerState.RUNNING,
        )

    def on_mount(self) -> None:
        self._show_conversation(self.conversation)
        self.prompt.focus()
        self._load_history()

    def _intro(self) -> str:
        return WELCOME if self.settings.can_send else no_key_help(self.settings)

    # -- history -------------------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="history", exit_on_error=False)
    def _load_history(self) -> None:
        # What the index database holds, without looking at the files: those are checked after the first paint.
        self.app.call_from_thread(self._history_loaded, self.store.indexed(), [])

    def _reconcile_history(self) -> None:
        """Bring the index in line with the files (the first time: every file), the sidebar following it."""
        shown = time.monotonic()

        def progress(done: int, total: int) -> None:
            nonlocal shown
            summaries = None
            if time.monotonic() - shown >= HISTORY_REFRESH:  # a long first build: the list fills in as it goes
                summaries, shown = self.store.indexed(), time.monotonic()
            self.app.call_from_thread(self._indexing, done, total, summaries)

        summaries = self.store.refresh_index(progress)
        self.app.call_from_thread(self._history_loaded, summaries, self.store.problems(), False)

    def _indexing(self, done: int, total: int, summaries: list | None) -> None:
        if summaries is not None:
            self.sidebar.set_summaries(summaries, highlight=self.conversation.id)
        self.sidebar.show_progress(done, total)

    @work(thread=True, exclusive=True, group="prepare", exit_on_error=False)
    def _prepare_in_background(self) -> None:
        """Work the first screen does not need, done once it is shown (and so not on the way to it)."""
        if self.client is not None:
            preload_sdk()  # the first request would otherwise wait for the SDK's import
        self._reconcile_history()
        # Python's full collections scan every object that can be in a cycle: with the app's own objects (Textual,
        # the SDK, a long history's rows and search index) one took 110-270 ms, a visible stall when it fell in a
        # reply or a key's echo. Those live as long as the app: collect once now, then leave them out of later
        # collections (unfrozen when the screen goes, so an app that ends in a longer-lived process is collected).
        with self._gc_lock:
            if not self._unmounted:
                gc.collect()
                gc.freeze()
                self._froze_gc = True

    def _history_loaded(self, summaries: list, problems: list, first: bool = True) -> None:
        if first or self.sidebar.summaries() != summaries:  # unchanged: the list, and where the user is in it, stay
            highlight = None if first else self.sidebar.option_list.highlighted_id
            self.sidebar.set_summaries(summaries, highlight=highlight or self.conversation.id)
        if first:
            # Not before the list has been drawn: the SDK's import and the check of the files against the index
            # are CPU-bound and would share the interpreter with that first paint.
            self.set_timer(PREPARE_DELAY, self._prepare_in_background)
        if problems:
            where = self.store.conversations_dir
            names = ", ".join(p.path.name for p in problems[:3]) + (" …" if len(problems) > 3 else "")
            self.notify(
                f"{len(problems)} file(s) in {where} could not be loaded (or only read-only, from a newer causerie);"
                f" they are left untouched: {names}",
                title="Unreadable conversations",
                severity="warning",
                timeout=10,
                markup=False,  # file names are not markup
            )

    def _new_conversation(self) -> Conversation:
        return Conversation(
            model=self.settings.model,
            profile=self.settings.profile,
            system_prompt=self.settings.system_prompt,
        )

    def _show_conversation(self, conversation: Conversation) -> None:
        self.conversation = conversation
        self.view.show(conversation, intro=self._intro())
        self._update_status()
        if conversation.read_only:
            self.view.add_notice(
                "This conversation was written by a newer version of causerie: it is shown read-only.",
                "warning",
            )

    @on(ConversationChosen)
    def _open_conversation(self, event: ConversationChosen) -> None:
        if self.open_conversation(event.conversation_id):
            self.prompt.focus()

    def open_conversation(self, conversation_id: str) -> bool:
        """Show a saved conversation (from memory if open already); False when it cannot be loaded."""
        conversation = self._open.get(conversation_id)
        if conversation is None:
            try:
                conversation = self.store.load(conversation_id)
            except StoreError as exc:
                self.notify(str(exc), title="Cannot open conversation", severity="error", markup=False)
                return False
            self._open[conversation.id] = conversation
        self._show_conversation(conversation)
        return True

    def action_new_conversation(self) -> None:
        """Start a new, empty conversation."""
        self._show_conversation(self._new_conversation())
        self.prompt.focus()

    def action_toggle_sidebar(self) -> None:
        """Hide or show the history sidebar (showing it moves the focus into the list)."""
        sidebar = self.sidebar
        sidebar.toggle_class("-hidden")
        if sidebar.has_class("-hidden"):
            if self.focused is None or sidebar in self.focused.ancestors:
                self.prompt.focus()
        else:
            sidebar.option_list.focus()

    # -- saving --------------------------------------------------------------------------------------------
    def _save(self, conversation: Conversation) -> bool:
        """Save atomically; on failure tell the user once and keep everything in memory for the next save."""
        if conversation.read_only or self.store.was_deleted(conversation.id):
            return False  # deleted while a reply was still arriving: the store drops the save, the list stays
        if not conversation.title:
            conversation.title = conversation.default_title()
        try:
            self.store.save(conversation)
        except StoreError as exc:
            if self._save_retry is None:
                self._save_retry = self.set_interval(SAVE_RETRY_INTERVAL, self._retry_saves)
            if conversation.id not in self._save_failed:
                self._save_failed[conversation.id] = conversation
                self.notify(
                    f"{exc}. The text is kept in memory; saving is retried.",
                    title="Not saved",
                    severity="error",
                    timeout=10,
                    markup=False,
                )
            return False
        if self._save_failed.pop(conversation.id, None) is not None:
            self.notify("Saved again.", title="Saved")
        for conflict in self.store.take_conflicts():
            self._open.pop(conflict.original_id, None)
            self.notify(
                f"This conversation was changed by another causerie meanwhile. Both versions are kept: yours is "
                f"saved as “{conversation.title}”.",
                title="Saved as a copy",
                severity="warning",
                timeout=10,
            )
        self._open[conversation.id] = conversation
        self.sidebar.upsert(self.store.summary_of(conversation))
        return True

    def _retry_saves(self) -> None:
        """Try again to save what could not be saved (the disk was full, read-only, or the directory gone)."""
        for conversation in list(self._save_failed.values()):
            self._save(conversation)
        if not self._save_failed and self._save_retry is not None:
            self._save_retry.stop()
            self._save_retry = None

    def on_unmount(self) -> None:
        # Quitting: one last attempt, so a reply that could not be saved earlier is not dropped silently.
        for conversation in self._save_failed.values():
            with contextlib.suppress(StoreError):
                self.store.save(conversation)
        with self._gc_lock:
            self._unmounted = True
            if self._froze_gc:
                gc.unfreeze()

    # -- sending -------------------------------------------------------------------------------------------
    @on(PromptSubmitted)
    def _submitted(self, event: PromptSubmitted) -> None:
        event.stop()
        if not self.settings.can_send or self.client is None:
            self.notify(no_key_help(self.settings), title="Cannot send", severity="warning", timeout=15)
            return
        if self.conversation.read_only:
            self.notify("This conversation is read-only.", severity="warning")
            return
        if self.streaming:
            # Refused rather than queued: the text stays in the prompt (still editable) until the reply ends.
            self.notify("A reply is still being written: wait, or press Esc to stop it.", severity="warning")
            return
        if event.edit_of is not None:
            self._send_edit(event.edit_of, event.text)
            return
        conversation = self.conversation
        message = conversation.append(Message(role="user", content=event.text))
        self.view.add_message(message)
        self.prompt.clear()
        self._save(conversation)
        self._start_reply(conversation)

    def _start_reply(self, conversation: Conversation, mode: str = "send") -> None:
        self._reply_worker = self._reply(conversation, mode)
        self._update_status()

    def action_stop(self) -> None:
        """Stop the reply being written (keeping what arrived), or leave editing, or go back to the prompt."""
        if self.streaming and self._reply_worker is not None:
            self._reply_worker.cancel()
        elif self.prompt.editing is not None and self.focused is self.prompt:
            self.prompt.stop_editing()
        else:
            self.prompt.focus()

    def action_regenerate(self) -> None:
        """Ask again: a new version of the last reply (or a retry after a failure)."""
        if self.retry_now():  # an automatic retry is counting down: do it now
            return
        if self.streaming or not self.settings.can_send or self.client is None:
            return
        conversation = self.conversation
        path = conversation.active_path()
        if not path:
            return
        if path[-1].role == "assistant":
            conversation.active_leaf = path[-1].parent
            self._show_conversation(conversation)
        self._start_reply(conversation, self.retry_mode(conversation))

    def _end_reply(self, conversation: Conversation, reply: Message, error: ChatError | None = None) -> None:
        """ReplyFlow's end of a reply, then the background title request after the first one."""
        super()._end_reply(conversation, reply, error)
        self._maybe_auto_title(conversation, reply)

    def _update_status(self) -> None:
        conversation = self.conversation
        last = next((m.usage for m in reversed(conversation.active_path()) if m.usage is not None), None)
        cost, context = self.usage_facts(conversation)
        self.query_one(StatusLine).show(
            profile=self.settings.profile,
            model=conversation.model or self.settings.model,
            last=last,
            total=conversation.total_usage(),
            state="writing…" if self.streaming else "",
            cost=cost,
            context=context,
        )

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is self._reply_worker:
            self._update_status()
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.notify(f"Something went wrong: {event.worker.error}", severity="error", markup=False)

    def use_settings(self, settings: Settings, client: ChatClient | None) -> None:
        """Switch to new settings and client (after the setup screen), keeping the open conversation."""
        self.settings = settings
        self.client = client
        if not self.conversation.messages:
            self.conversation.model = settings.model
            self.conversation.profile = settings.profile
        self._show_conversation(self.conversation)
