"""SaveQueue: a store's writes on one thread, in order, so the event loop never waits for a disk.

A checkpoint of a streaming reply is encoded on the event loop (a consistent snapshot of a conversation the loop
keeps changing) and written by the thread; a final save waits for the checkpoints before it, so no late checkpoint
can overwrite it. A checkpoint never forks a conflict copy: when the file changed under us it is skipped, and the
final save (which may fork) decides.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from causerie.core.conversation.models import Conversation
from causerie.core.storage.documents import encode_conversation
from causerie.core.storage.store import ConversationStore, StoreError


class SaveQueue:
    """Writes conversations of one store on a single thread, first in, first out."""

    def __init__(self, store: ConversationStore) -> None:
        self.store = store
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="causerie-save")
        self._lock = threading.Lock()
        self._queued: dict[str, tuple[Conversation, bytes]] = {}  # newest snapshot waiting, per conversation
        self._last: Future[object] | None = None
        self._failures: list[tuple[Conversation, Exception]] = []

    def checkpoint(self, conversation: Conversation) -> None:
        """Queue a snapshot of `conversation` (the newest one wins when the disk is slower than the stream)."""
        if conversation.read_only:
            return
        data = encode_conversation(conversation)
        with self._lock:
            waiting = conversation.id in self._queued
            self._queued[conversation.id] = (conversation, data)
            if not waiting:
                self._last = self._executor.submit(self._write_checkpoint, conversation.id)

    def _write_checkpoint(self, conversation_id: str) -> None:
        with self._lock:
            conversation, data = self._queued.pop(conversation_id)
        # A checkpoint that cannot be written is not reported: the final save, which always follows, reports its own.
        with contextlib.suppress(StoreError):
            self.store.save(conversation, data=data, fork_on_conflict=False)

    async def save(self, conversation: Conversation) -> None:
        """Save `conversation` after every write queued before it; raises StoreError."""
        with self._lock:
            future = self._last = self._executor.submit(self.store.save, conversation)
        await asyncio.wrap_future(future)

    def save_now(self, conversation: Conversation) -> None:
        """Save at once from the caller's thread, after the writes queued before (a cancelled turn, an exit)."""
        self.drain()
        self.store.save(conversation)

    def drain(self) -> None:
        """Wait for every queued write."""
        with self._lock:
            last = self._last
        if last is not None:
            last.result()

    def record_failure(self, conversation: Conversation, error: Exception) -> None:
        """A save made outside the queue's awaitable path failed (a cancelled turn's last save)."""
        with self._lock:
            self._failures.append((conversation, error))

    def take_failures(self) -> list[tuple[Conversation, Exception]]:
        """Failures recorded since the last call, each returned once."""
        with self._lock:
            failures, self._failures = self._failures, []
        return failures

    def close(self) -> None:
        """Finish the queued writes and stop the thread."""
        self._executor.shutdown(wait=True)
