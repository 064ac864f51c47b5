"""StartupWork: what the chat screen does off the event loop once its first screen is drawn.

The history is listed from the index database in a thread (no file is looked at before the first paint); once the
list is drawn, the SDK is imported and its client made in a thread, so that an early first request does not wait for
them; the MCP servers start in the background; a second later, the index is checked against the files (the first
time: every file, with a progress bar), the list following. Then the long-lived objects are left out of later garbage
collections (bench/README.md: a full collection during a reply stalled it by 110-270 ms).

The index is checked against the files again whenever the sidebar is shown, and every RECHECK_EVERY seconds while it
is in sight and no reply is written: conversations written meanwhile by another causerie or by `causerie ask` appear,
deleted ones go (in a thread; its cost is the "list, warm" figure of bench/README.md).
"""

from __future__ import annotations

import functools
import gc
import threading
import time
from typing import Any, Protocol

from causerie.core.chat.client import ChatClient
from causerie.core.conversation.models import Conversation
from causerie.core.engine.engine import Engine
from causerie.core.storage.store import ConversationStore
from causerie.ui.widgets.sidebar import HistorySidebar

PREPARE_DELAY = 1.0  # seconds after the history is shown before the index is checked against the files
HISTORY_REFRESH = 1.0  # seconds between two refreshes of the sidebar while the index is first built
RECHECK_EVERY = 30.0  # seconds between two checks of the index against the files while the sidebar is in sight


class StartupHost(Protocol):
    """What the startup work needs from the chat screen."""

    store: ConversationStore
    client: ChatClient | None
    engine: Engine | None
    conversation: Conversation
    app: Any

    @property
    def sidebar(self) -> HistorySidebar: ...
    @property
    def streaming(self) -> bool: ...
    def run_worker(self, work: Any, **kwargs: Any) -> Any: ...
    def set_timer(self, delay: float, callback: Any) -> Any: ...
    def set_interval(self, interval: float, callback: Any) -> Any: ...
    def call_after_refresh(self, callback: Any) -> Any: ...
    def notify(self, message: str, **kwargs: Any) -> None: ...


class StartupWork:
    """Starts the background work of the chat screen and undoes the garbage collector freeze when it goes."""

    def __init__(self, host: StartupHost) -> None:
        self.host = host
        self._gc_lock = threading.Lock()
        self._froze_gc = self._stopped = False
        self._checked = False  # the first check of the index against the files has ended
        self._reported: set[object] = set()  # the paths of the unreadable files already reported

    def start(self) -> None:
        """List the history in a thread and start the tool servers (after the first paint)."""
        host = self.host
        host.run_worker(self._list_history, thread=True, group="history", exclusive=True, exit_on_error=False)
        tools = host.engine.tools if host.engine is not None else None
        if tools is not None:
            tools.servers.launch()  # the MCP servers start in the background; the first request waits for them

    def listed(self, summaries: list, problems: list, first: bool = True) -> None:
        """The history was listed: show it and report files that could not be loaded; after the first listing,
        check the index against the files a little later (that shares the interpreter with painting)."""
        host = self.host
        sidebar = host.sidebar
        if first or sidebar.summaries() != summaries:  # unchanged: the list, and where the user is in it, stay
            highlight = None if first else sidebar.option_list.highlighted_id
            sidebar.set_summaries(summaries, highlight=highlight or host.conversation.id)
        if first:
            host.call_after_refresh(self._prepare_client)  # once the list is drawn: it would slow drawing it (the GIL)
            host.set_timer(PREPARE_DELAY, self._prepare)
        problems = [p for p in problems if p.path not in self._reported]  # each reported once, not at each check
        self._reported.update(p.path for p in problems)
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

    def _prepare_client(self) -> None:
        """Import the SDK and make its client in a thread, so that an early first request does not wait for it."""
        host = self.host
        if host.client is not None:
            host.run_worker(host.client.prepare, thread=True, group="sdk", exclusive=True, exit_on_error=False)

    def _list_history(self) -> None:
        # What the index database holds, without looking at the files: those are checked after the first paint.
        self.host.app.call_from_thread(self.listed, self.host.store.indexed(), [])

    def _reconcile(self) -> None:
        """Bring the index in line with the files (the first time: every file), the sidebar following it."""
        host = self.host
        shown = time.monotonic()

        def progress(done: int, total: int) -> None:
            nonlocal shown
            summaries = None
            if time.monotonic() - shown >= HISTORY_REFRESH:  # a long first build: the list fills in as it goes
                summaries, shown = host.store.indexed(), time.monotonic()
            host.app.call_from_thread(self._indexing, done, total, summaries)

        before = host.store.changes
        summaries = host.store.refresh_index(progress)
        host.app.call_from_thread(self._checked_files, summaries, host.store.problems(), before)

    def _checked_files(self, summaries: list, problems: list, before: int) -> None:
        """A check against the files ended: its list is shown, unless this causerie changed a conversation while
        it ran (a deletion, a rename, a reply saved) and that list may show it as it was: then the list is read
        again from the database, which holds every change (a read, not a check: "listing from the database" in
        bench/README.md)."""
        if self.host.store.changes != before:
            relist = functools.partial(self._relist, problems)
            self.host.run_worker(relist, thread=True, group="relist", exclusive=True, exit_on_error=False)
            return
        self.listed(summaries, problems, False)
        if not self._checked:
            self._checked = True
            self.host.set_interval(RECHECK_EVERY, self._recheck_in_sight)

    def _relist(self, problems: list) -> None:
        before = self.host.store.changes
        self.host.app.call_from_thread(self._checked_files, self.host.store.indexed(), problems, before)

    def _indexing(self, done: int, total: int, summaries: list | None) -> None:
        if summaries is not None:
            self.host.sidebar.set_summaries(summaries, highlight=self.host.conversation.id)
        self.host.sidebar.show_progress(done, total)

    @property
    def checked(self) -> bool:
        """Whether the first check of the index against the files has ended."""
        return self._checked

    def recheck(self) -> None:
        """Check the index against the files again, the list following (not before the first check has ended)."""
        if self._checked:
            self.host.run_worker(self._reconcile, thread=True, group="recheck", exclusive=True, exit_on_error=False)

    def _recheck_in_sight(self) -> None:
        """The periodic check: only while the sidebar is in sight and no reply is written (it shares the GIL)."""
        host = self.host
        if not host.sidebar.has_class("-hidden") and not host.streaming and host.app.screen is host.sidebar.screen:
            self.recheck()

    def _prepare(self) -> None:
        self.host.run_worker(self._prepare_in_thread, thread=True, group="prepare", exclusive=True, exit_on_error=False)

    def _prepare_in_thread(self) -> None:
        self._reconcile()
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
