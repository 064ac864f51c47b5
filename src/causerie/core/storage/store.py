"""ConversationStore: one JSON file per conversation under `<data>/conversations/`, written atomically.

Listing and search go through the index database (database.py), which is derived from the files and updated in
the same step as every save, rename, delete and restore; every save checks that the file on disk is still the
version this store last saw (conflicts.py): when another causerie changed it in between, ours is saved as a
conflict copy and both versions are kept.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import threading
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from causerie.core.conversation.models import Conversation, is_valid_id
from causerie.core.storage import fulltext
from causerie.core.storage.attachment_refs import collect_unreferenced
from causerie.core.storage.conflicts import Conflict, Seen, diverged, file_lock, fork, seen_bytes
from causerie.core.storage.database import INDEX_FILE, IndexDatabase
from causerie.core.storage.documents import (
    NEWER_VERSION_NOTE,
    Problem,
    StoreError,
    Summary,
    encode_conversation,
    read_bytes,
    read_conversation,
    summary_of,
)
from causerie.core.storage.fileio import atomic_write_bytes, ensure_private_dir
from causerie.core.storage.fulltext import SearchHit
from causerie.core.storage.reconcile import Progress, index_conversation, reconcile

T = TypeVar("T")

__all__ = [
    "Conflict",
    "ConflictPending",
    "ConversationStore",
    "Deleted",
    "Problem",
    "Progress",
    "SearchHit",
    "StoreError",
    "Summary",
    "encode_conversation",
]


class Deleted(StoreError):
    """The conversation was moved to the trash in this session: a late save (a reply still streaming into it, a
    title arriving) must not bring its file back. Undo (restore) makes it saveable again."""


class ConflictPending(StoreError):
    """A save that may not fork found the file changed under it: nothing was written."""


class ConversationStore:
    """Lists, loads, saves, renames, trashes and searches conversations under a data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.conversations_dir = self.data_dir / "conversations"
        self.trash_dir = self.data_dir / "trash"
        self.lock_path = self.data_dir / ".lock"
        self.index_path = self.data_dir / INDEX_FILE  # derived from the files: may be deleted at any time
        self._index: IndexDatabase | None = None  # opened at first use: making a store costs nothing
        self._index_lock = threading.RLock()  # one connection, used from the UI's worker threads one at a time
        self._problems: dict[Path, Problem] = {}
        self._seen: dict[str, Seen] = {}  # what this store last read or wrote, per conversation id
        self._live: weakref.WeakValueDictionary[str, Conversation] = weakref.WeakValueDictionary()
        self._deleted: list[str] = []  # undo order, emptied when the trash is purged
        self._trashed: set[str] = set()  # deleted in this session and not restored: never saved again
        self._conflicts: list[Conflict] = []
        self._changes = 0  # writes, deletions and restorations made through this store

    @property
    def changes(self) -> int:
        """How many writes, deletions and restorations went through this store: a listing taken before the count
        moved may show a conversation as it no longer is."""
        return self._changes

    # -- paths and problems --------------------------------------------------------------------------------
    def path_for(self, conversation_id: str) -> Path:
        """The file of a conversation id (validated: no path separators)."""
        if not is_valid_id(conversation_id):
            raise StoreError(f"invalid conversation id {conversation_id!r}")
        return self.conversations_dir / f"{conversation_id}.json"

    def problems(self) -> list[Problem]:
        """Files that could not be loaded (or only read-only) at the last listing or since, each once."""
        return sorted(self._problems.values(), key=lambda p: str(p.path))

    def _report(self, path: Path, reason: str) -> None:
        self._problems.setdefault(path, Problem(path, reason))

    def take_conflicts(self) -> list[Conflict]:
        """Conflicts met by save() since the last call (each returned once), for the UI to announce."""
        conflicts, self._conflicts = self._conflicts, []
        return conflicts

    # -- reading -------------------------------------------------------------------------------------------
    def load(self, conversation_id: str) -> Conversation:
        """Load one conversation; raises StoreError (a newer version loads read-only and is reported)."""
        path = self.path_for(conversation_id)
        try:
            conversation, info, raw = read_conversation(path, self.conversations_dir)
        except StoreError as exc:
            self._report(path, str(exc))
            raise StoreError(f"{path}: {exc}") from exc
        if conversation.read_only:
            self._report(path, NEWER_VERSION_NOTE)
        self._seen[conversation.id] = seen_bytes(info, raw)
        self._live[conversation.id] = conversation
        return conversation

    def list(self, progress: Progress | None = None) -> list[Summary]:
        """Summaries of every loadable conversation, newest first; bad files go to problems().

        Brings the index in line with the files first (parsing only new and changed files; `progress(done,
        total)` about ten times a second meanwhile), without indexing their text for search.
        """
        return self._reconciled(with_text=False, progress=progress)

    def refresh_index(self, progress: Progress | None = None) -> list[Summary]:
        """As list(), and index the text of every conversation for search too (the first time: every file)."""
        return self._reconciled(with_text=True, progress=progress)

    def indexed(self) -> list[Summary]:
        """The summaries the index holds now, newest first, without looking at the files (for a fast first paint)."""
        return self._use(lambda index: index.summaries(), [])

    def _reconciled(self, with_text: bool, progress: Progress | None) -> list[Summary]:
        def run(index: IndexDatabase) -> list[Summary]:
            unreadable = reconcile(index, self.conversations_dir, with_text, progress)
            self._problems.clear()  # the files as they are now: a file repaired meanwhile is no problem any more
            for name, reason in [*unreadable, *index.problems()]:
                self._report(self.conversations_dir / name, reason)
            summaries = index.summaries()
            for summary in summaries:
                if summary.read_only:
                    self._report(self.path_for(summary.id), NEWER_VERSION_NOTE)
            return summaries

        return self._use(run, [])

    def summary_of(self, conversation: Conversation) -> Summary:
        """The summary of a conversation just saved (uses its file's size and mtime)."""
        try:
            info: os.stat_result | None = os.stat(self.path_for(conversation.id))
        except OSError:
            info = None
        return summary_of(conversation, info)

    # -- the index -----------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _open_index(self) -> Iterator[IndexDatabase]:
        with self._index_lock:
            if self._index is None or (self._index.waiting and self.data_dir.is_dir()):
                if self._index is not None:
                    self._index.close()
                self._index = IndexDatabase(self.data_dir)
            yield self._index

    def _use(self, action: Callable[[IndexDatabase], T], fallback: T) -> T:
        """Run `action` on the index; a damaged database is built again, a busy one waited for and tried again.

        The index is derived: whatever goes wrong with it, the files are untouched and the caller gets
        `fallback` rather than an error (the next reconciliation repairs what was missed).
        """
        for attempt in range(3):
            with self._open_index() as index:
                try:
                    return action(index)
                except (sqlite3.ProgrammingError, sqlite3.InterfaceError, sqlite3.IntegrityError):
                    raise  # a mistake in causerie, not a damaged file: say so
                except sqlite3.OperationalError as exc:
                    busy = "locked" in str(exc) or "busy" in str(exc)
                    if attempt == 2 or not busy:
                        return fallback  # busy after every timeout, disk full...: the files are unchanged
                except sqlite3.DatabaseError:
                    index.reset()  # damaged on disk: started again, and filled from the files by the next listing
        return fallback

    def _index_write(self, action: Callable[[IndexDatabase], None]) -> None:
        def run(index: IndexDatabase) -> None:
            with index.writing():
                action(index)

        self._use(run, None)

    def index_location(self) -> Path | None:
        """The index database's file, or None when it lives in memory (a data directory that cannot be written)."""
        return self._use(lambda index: None if index.in_memory else index.path, None)

    def close(self) -> None:
        """Close the index database (a store can still be used after: it opens it again)."""
        with self._index_lock:
            if self._index is not None:
                self._index.close()
                self._index = None

    # -- writing -------------------------------------------------------------------------------------------
    def save(self, conversation: Conversation, *, data: bytes | None = None, fork_on_conflict: bool = True) -> Path:
        """Write a conversation atomically (0600 file in a 0700 directory) and return its path.

        If the file changed on disk since this store last read or wrote it (another causerie, a sync tool,
        a hand edit) and ours does not simply extend it, ours is saved under a new id as a conflict copy:
        `conversation.id` changes, both versions stay, and take_conflicts() reports it. Raises StoreError.
        `data` is the conversation already encoded (a snapshot taken earlier); with `fork_on_conflict` False a
        conflict raises ConflictPending instead of forking (a checkpoint leaves that decision to the final save).
        """
        if conversation.read_only:
            raise StoreError("this conversation was written by a newer causerie and is read-only")
        if conversation.id in self._trashed:
            raise Deleted(f"{conversation.id} was moved to the trash")
        path = self.path_for(conversation.id)
        if path in self._problems:
            raise StoreError(f"{path} is a file causerie cannot read; it is left untouched")
        try:
            ensure_private_dir(self.data_dir)
            ensure_private_dir(self.conversations_dir)
            with file_lock(self.lock_path):
                if conversation.id in self._trashed:  # deleted while this save waited for the lock
                    raise Deleted(f"{conversation.id} was moved to the trash")
                if diverged(path, conversation, self._seen.get(conversation.id), self.conversations_dir):
                    if not fork_on_conflict:
                        raise ConflictPending(f"{path} changed on disk since it was read")
                    original = conversation.id
                    fork(conversation)
                    path = self.path_for(conversation.id)
                    self._conflicts.append(Conflict(original, conversation.id, path))
                if data is None:
                    data = encode_conversation(conversation)
                atomic_write_bytes(path, data)
                info = os.stat(path)
        except OSError as exc:
            raise StoreError(f"could not save {path}: {exc.strerror or exc}") from exc
        self._seen[conversation.id] = seen_bytes(info, data)
        self._changes += 1
        self._live[conversation.id] = conversation
        self._index_write(lambda index: index_conversation(index, conversation, info))
        return path

    def rename(self, conversation_id: str, title: str) -> None:
        """Give a conversation a new title (the open copy, if any, is renamed and saved with it)."""
        title = " ".join(title.split())
        if not title:
            raise StoreError("a title cannot be empty")
        conversation = self._live.get(conversation_id) or self.load(conversation_id)
        conversation.title = title
        self.save(conversation)

    # -- trash ---------------------------------------------------------------------------------------------
    def delete(self, conversation_id: str) -> Path:
        """Move a conversation's file to `<data>/trash/` and return its new path (restore() brings it back)."""
        path = self.path_for(conversation_id)
        target = self.trash_dir / path.name
        try:
            ensure_private_dir(self.trash_dir)
            with file_lock(self.lock_path):
                os.replace(path, target)
                # Under the lock: a save (a checkpoint in its writer thread) that waits for it sees the deletion.
                self._trashed.add(conversation_id)
                self._seen.pop(conversation_id, None)
        except OSError as exc:
            raise StoreError(f"could not move {path} to the trash: {exc.strerror or exc}") from exc
        self._changes += 1
        self._index_write(lambda index: index.drop(path.name))
        self._deleted.append(conversation_id)
        return target

    def restore(self, conversation_id: str) -> None:
        """Bring a trashed conversation back; raises StoreError if it is not in the trash or its name is taken."""
        path = self.path_for(conversation_id)
        source = self.trash_dir / path.name
        try:
            with file_lock(self.lock_path):
                if not os.path.lexists(source):
                    raise FileNotFoundError(source)
                if os.path.lexists(path):
                    raise StoreError(f"{path} already exists: the trashed copy stays in {self.trash_dir}")
                os.replace(source, path)
                self._changes += 1
        except FileNotFoundError as exc:
            raise StoreError(f"{conversation_id} is not in the trash") from exc
        except OSError as exc:
            raise StoreError(f"could not restore {source}: {exc.strerror or exc}") from exc
        try:
            raw, info = read_bytes(path)
            self._seen[conversation_id] = seen_bytes(info, raw)
            conversation, info, _ = read_conversation(path, self.conversations_dir)
            self._index_write(lambda index: index_conversation(index, conversation, info))
        except StoreError:
            pass  # the next listing records it as it is
        if conversation_id in self._deleted:
            self._deleted.remove(conversation_id)
        self._trashed.discard(conversation_id)

    def undo_delete(self) -> str | None:
        """Restore the conversation deleted last in this session; returns its id (None if nothing to undo)."""
        if not self._deleted:
            return None
        conversation_id = self._deleted[-1]
        self.restore(conversation_id)
        return conversation_id

    def purge_trash(self) -> int:
        """Delete every conversation file in the trash for good, and the attachments nobody references any more.

        Returns how many conversations were removed.
        """
        removed = 0
        try:
            entries = list(os.scandir(self.trash_dir))
        except FileNotFoundError:
            return 0
        for entry in entries:
            if not entry.name.endswith(".json"):
                continue
            try:
                if stat.S_ISREG(entry.stat(follow_symlinks=False).st_mode):
                    os.unlink(entry.path)
                    removed += 1
            except OSError:
                continue
        self._deleted.clear()
        collect_unreferenced(self.data_dir, self.conversations_dir, self.trash_dir)
        return removed

    def was_deleted(self, conversation_id: str) -> bool:
        """Whether this store moved the conversation to the trash (and it was not restored since)."""
        return conversation_id in self._trashed

    # -- search --------------------------------------------------------------------------------------------
    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Conversations whose title or messages match `query`, best first (one hit each).

        Words in any order, "quoted phrases", `prefix*` (the last word is a prefix while it is being typed),
        accents and case folded; Chinese and Japanese by substring. Searches the index as it is: call
        refresh_index() first to take in files changed behind this store's back.
        """
        return self._use(lambda index: fulltext.search(index.db, query, limit), [])
