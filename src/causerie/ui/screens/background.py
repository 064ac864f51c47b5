"""StartupWork: what the chat screen does off the event loop once its first screen is drawn.

The history is listed in a thread (by a child process that listed it while the app started, when there is one);
the SDK is imported in a thread right after the first paint, so that an early first request does not wait for it;
the search data is refreshed once the list is drawn. Then the long-lived objects are left out of later garbage
collections (bench/README.md: a full collection during a reply stalled it by 110-270 ms).
"""

from __future__ import annotations

import gc
import threading
from typing import Any, Protocol

from causerie.core.chat.client import ChatClient, preload_sdk
from causerie.core.conversation.models import Conversation
from causerie.core.engine.engine import Engine
from causerie.core.storage.early_list import EarlyListing
from causerie.core.storage.store import ConversationStore
from causerie.ui.widgets.sidebar import HistorySidebar

PREPARE_DELAY = 1.0  # seconds after the history is shown before the search data is refreshed


class StartupHost(Protocol):
    """What the startup work needs from the chat screen."""

    store: ConversationStore
    client: ChatClient | None
    engine: Engine | None
    app: Any

    @property
    def sidebar(self) -> HistorySidebar: ...

    conversation: Conversation

    def run_worker(self, work: Any, **kwargs: Any) -> Any: ...
    def set_timer(self, delay: float, callback: Any) -> Any: ...
    def notify(self, message: str, **kwargs: Any) -> None: ...


class StartupWork:
    """Starts the background work of the chat screen and undoes the garbage collector freeze when it goes."""

    def __init__(self, host: StartupHost, early_listing: EarlyListing | None) -> None:
        self.host = host
        self._early_listing = early_listing
        self._gc_lock = threading.Lock()
        self._froze_gc = self._stopped = False

    def start(self) -> None:
        """List the history and import the SDK, each in a thread (called right after the first paint)."""
        host = self.host
        host.run_worker(self._list_history, thread=True, group="history", exclusive=True, exit_on_error=False)
        if host.client is not None:
            host.run_worker(preload_sdk, thread=True, group="sdk", exclusive=True, exit_on_error=False)
        tools = host.engine.tools if host.engine is not None else None
        if tools is not None:
            tools.servers.launch()  # the MCP servers start in the background; the first request waits for them

    def listed(self, summaries: list, problems: list) -> None:
        """The history was listed (in a thread): show it, report files that could not be loaded, and refresh the
        search data a little later (it shares the interpreter with painting)."""
        host = self.host
        host.sidebar.set_summaries(summaries, highlight=host.conversation.id)
        host.set_timer(PREPARE_DELAY, self._prepare)
        if problems:
            where = host.store.conversations_dir
            names = ", ".join(p.path.name for p in problems[:3]) + (" …" if len(problems) > 3 else "")
            host.notify(
                f"{len(problems)} file(s) in {where} could not be loaded (or only read-only, from a newer causerie);"
                f" they are left untouched: {names}",
                title="Unreadable conversations",
                severity="warning",
                timeout=10,
                markup=False,  # file names are not markup
            )

    def _list_history(self) -> None:
        host = self.host

        def progress(done: int, total: int) -> None:
            host.app.call_from_thread(host.sidebar.show_progress, done, total)

        early, self._early_listing = self._early_listing, None
        found = early.result() if early is not None else None  # listed by a child process while the app started
        if found is None:
            summaries, problems = host.store.list(progress=progress), host.store.problems()
        else:
            summaries, problems = found
        host.app.call_from_thread(self.listed, summaries, problems)

    def _prepare(self) -> None:
        self.host.run_worker(self._prepare_in_thread, thread=True, group="prepare", exclusive=True, exit_on_error=False)

    def _prepare_in_thread(self) -> None:
        # Bring the search data up to date now, not at the first ctrl+f.
        self.host.store.prepare_search()
        # Python's full collections scan every object that can be in a cycle: the app's own objects (Textual, the
        # SDK, a long history's rows) live as long as the app: collect once now, then leave them out of later
        # collections (unfrozen when the screen goes, so an app that ends in a longer-lived process is collected).
        with self._gc_lock:
            if not self._stopped:
                gc.collect()
                gc.freeze()
                self._froze_gc = True

    def stop(self) -> None:
        """The screen goes: undo the freeze."""
        with self._gc_lock:
            self._stopped = True
            if self._froze_gc:
                gc.unfreeze()
