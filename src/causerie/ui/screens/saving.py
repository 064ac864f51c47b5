"""ConversationSaver: the chat screen's saves, and what the user is told about them.

A failed save keeps the conversation in memory, says so once and tries again every few seconds (and once more at
exit); a save that forked a conflict copy (another causerie changed the file) says that both versions are kept.
Saves made by the engine on its own thread report here through `saved` and `failed`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from causerie.core.conversation.models import Conversation
from causerie.core.storage.store import ConversationStore, Deleted, StoreError, Summary

SAVE_RETRY_INTERVAL = 5.0  # seconds between attempts to save again after a failed save


class ConversationSaver:
    """Saves conversations of the open store and keeps the open copies and the sidebar in step."""

    def __init__(
        self,
        store: ConversationStore,
        *,
        notify: Callable[..., Any],
        listed: Callable[[Summary], None],
        every: Callable[[float, Callable[[], None]], Any],
    ) -> None:
        """`notify` is App.notify, `listed(summary)` updates the sidebar, `every(seconds, callback)` a timer."""
        self.store = store
        self.open: dict[str, Conversation] = {}  # conversations loaded or saved in this session, by id
        self._notify = notify
        self._listed = listed
        self._every = every
        self._failed: dict[str, Conversation] = {}  # kept in memory until a save succeeds
        self._retry_timer: Any = None

    def save(self, conversation: Conversation) -> bool:
        """Save atomically now; on failure tell the user once and keep everything in memory for the next save."""
        if conversation.read_only:
            return False
        if not conversation.title:
            conversation.title = conversation.default_title()
        try:
            self.store.save(conversation)
        except Deleted:
            return False  # moved to the trash meanwhile: a late save must not bring it back
        except StoreError as exc:
            self.failed(conversation, exc)
            return False
        self.saved(conversation)
        return True

    def saved(self, conversation: Conversation) -> None:
        """A save of `conversation` succeeded (here or on the engine's thread)."""
        if self._failed.pop(conversation.id, None) is not None:
            self._notify("Saved again.", title="Saved")
            if not self._failed and self._retry_timer is not None:
                self._retry_timer.stop()
                self._retry_timer = None
        for conflict in self.store.take_conflicts():
            self.open.pop(conflict.original_id, None)
            self._notify(
                f"This conversation was changed by another causerie meanwhile. Both versions are kept: yours is "
                f"saved as “{conversation.title}”.",
                title="Saved as a copy",
                severity="warning",
                timeout=10,
                markup=False,
            )
        self.open[conversation.id] = conversation
        self._listed(self.store.summary_of(conversation))

    def failed(self, conversation: Conversation, error: Exception) -> None:
        """A save of `conversation` failed: keep it, say so once, and try again every few seconds."""
        if self._retry_timer is None:
            self._retry_timer = self._every(SAVE_RETRY_INTERVAL, self.retry)  # read at each use: tests shorten it
        if conversation.id not in self._failed:
            self._failed[conversation.id] = conversation
            self._notify(
                f"{error}. The text is kept in memory; saving is retried.",
                title="Not saved",
                severity="error",
                timeout=10,
                markup=False,
            )

    def retry(self) -> None:
        """Try again to save what could not be saved (the disk was full, read-only, or the directory gone)."""
        for conversation in list(self._failed.values()):
            self.save(conversation)

    def last_attempt(self) -> None:
        """At exit: one more try, so a reply that could not be saved earlier is not dropped silently."""
        for conversation in self._failed.values():
            with contextlib.suppress(StoreError):
                self.store.save(conversation)
