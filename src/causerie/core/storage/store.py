"""ConversationStore: one JSON file per conversation under `<data>/conversations/`, written atomically.

Listing goes through the summary index (index.py), searching through normalized text (search.py), and every
save checks that the file on disk is still the version this store last saw (conflicts.py): when another
causerie changed it in between, ours is saved as a conflict copy and both versions are kept.
"""

from __future__ import annotations

import json
import operator
import os
import stat
import threading
import time
import weakref
from pathlib import Path

from causerie.core.conversation.models import Conversation, is_valid_id
from causerie.core.storage.attachment_refs import collect_unreferenced
from causerie.core.storage.conflicts import Conflict, Seen, diverged, file_lock, fork, seen_bytes
from causerie.core.storage.documents import (
    Fingerprint,
    Problem,
    StoreError,
    Summary,
    UnreadableError,
    encode_conversation,
    read_bytes,
    read_conversation,
    summary_of,
)
from causerie.core.storage.fileio import atomic_write_bytes, ensure_private_dir
from causerie.core.storage.index import NEWER_VERSION_NOTE, Progress, SummaryIndex
from causerie.core.storage.search import Corpus, SearchHit, rank, snippet
from causerie.core.storage.searchcache import SearchCache

SEARCH_RESCAN_SECONDS = 5.0
_newest_first = operator.itemgetter(3, 0)  # Summary (updated_at, id)

__all__ = [
    "Conflict",
    "ConflictPending",
    "ConversationStore",
    "Deleted",
    "Problem",
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
        self.index_path = self.data_dir / "index.json"
        self.lock_path = self.data_dir / ".lock"
        self._index = SummaryIndex(self.index_path, self.conversations_dir)
        self._problems: dict[Path, Problem] = {}
        self._seen: dict[str, Seen] = {}  # what this store last read or wrote, per conversation id
        self._live: weakref.WeakValueDictionary[str, Conversation] = weakref.WeakValueDictionary()
        self._search = SearchCache(self.data_dir / "search", self.conversations_dir)
        self._search_lock = threading.Lock()
        self._corpus: tuple[int, Corpus] | None = None  # built for this version of the index
        self._scanned: tuple[int | None, float] = (None, -SEARCH_RESCAN_SECONDS)  # directory mtime, when
        self._deleted: list[str] = []  # undo order, emptied when the trash is purged
        self._trashed: set[str] = set()  # deleted in this session and not restored: never saved again
        self._conflicts: list[Conflict] = []

    # -- paths and problems --------------------------------------------------------------------------------
    def path_for(self, conversation_id: str) -> Path:
        """The file of a conversation id (validated: no path separators)."""
        if not is_valid_id(conversation_id):
            raise StoreError(f"invalid conversation id {conversation_id!r}")
        return self.conversations_dir / f"{conversation_id}.json"

    def problems(self) -> list[Problem]:
        """Files seen so far that could not be loaded (or only read-only), each once."""
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

    def list(self, progress: Progress | None = None, parse_at_most: int | None = None) -> list[Summary]:
        """Summaries of every loadable conversation, newest first; bad files go to problems().

        Uses index.json and re-parses only files that changed; `progress(done, total)` is called about ten
        times a second while many files have to be parsed (first start, deleted index). With `parse_at_most`,
        raises TooMuchToParse instead of parsing more files than that.
        """
        summaries, problems = self._index.refresh(progress, parse_at_most)
        for problem in problems:
            self._report(problem.path, problem.reason)
        summaries.sort(key=_newest_first, reverse=True)
        return summaries

    def summary_of(self, conversation: Conversation) -> Summary:
        """The summary of a conversation just saved (uses its file's size and mtime)."""
        try:
            info: os.stat_result | None = os.stat(self.path_for(conversation.id))
        except OSError:
            info = None
        return summary_of(conversation, info)

    def flush(self) -> None:
        """Write the summary index now (saves update it in memory; list() and flush() persist it)."""
        self._index.flush()

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
        self._live[conversation.id] = conversation
        self._index.put(summary_of(conversation, info), Fingerprint.of(info))
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
        except OSError as exc:
            raise StoreError(f"could not move {path} to the trash: {exc.strerror or exc}") from exc
        self._index.drop(conversation_id)
        self._seen.pop(conversation_id, None)
        self._deleted.append(conversation_id)
        self._trashed.add(conversation_id)
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
        except FileNotFoundError as exc:
            raise StoreError(f"{conversation_id} is not in the trash") from exc
        except OSError as exc:
            raise StoreError(f"could not restore {source}: {exc.strerror or exc}") from exc
        try:
            raw, info = read_bytes(path)
            self._seen[conversation_id] = seen_bytes(info, raw)
        except UnreadableError:
            pass
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

    # -- search --------------------------------------------------------------------------------------------
    def prepare_search(self, progress: Progress | None = None) -> None:
        """Bring the search cache up to date without searching (the first start after an upgrade builds it)."""
        self.search("", progress=progress)

    def search(self, query: str, limit: int = 50, progress: Progress | None = None) -> list[SearchHit]:
        """Conversations whose title or messages match `query`, best first (case- and accent-insensitive).

        Title and exact-phrase matches rank first, then messages holding every word, then conversations
        holding every word across messages; equal scores put newer conversations first. The first search
        after an upgrade builds the search cache (`progress(done, total)` as for list()); later ones only
        re-read conversations that changed.
        """
        with self._search_lock:  # searches run in threads; one at a time keeps the cache files consistent
            self._refresh_for_search()
            if self._corpus is None or self._corpus[0] != self._index.version:
                docs = self._search.refresh(self._index.fingerprints(), progress)
                self._corpus = (self._index.version, Corpus(docs, self._search.mapped))
            corpus = self._corpus[1]
        hits: list[SearchHit] = []
        for score, conversation_id, message_id, doc in rank(corpus, query, limit):
            text = doc.title if message_id is None else self._message_text(conversation_id, message_id)
            hits.append(SearchHit(conversation_id, message_id, doc.title, snippet(text, query), score))
        return hits

    def _refresh_for_search(self) -> None:
        """Rescan the directory if anything was added, removed or replaced, or every few seconds anyway.

        Every causerie write is a rename into the directory, which changes its mtime; an edit in place by
        another program is seen at the next periodic rescan. Searching as the user types stays cheap.
        """
        try:
            stamp = os.stat(self.conversations_dir).st_mtime_ns
        except OSError:
            stamp = None
        now = time.monotonic()
        racy = stamp is None or time.time_ns() - stamp < 2_000_000_000  # mtime ticks are coarse: recent = unsure
        if racy or stamp != self._scanned[0] or now - self._scanned[1] > SEARCH_RESCAN_SECONDS:
            self.list()
            self._scanned = (stamp, now)

    def _message_text(self, conversation_id: str, message_id: str) -> str:
        conversation = self._live.get(conversation_id)
        if conversation is None:
            try:
                raw, _ = read_bytes(self.path_for(conversation_id))
                messages = json.loads(raw)["messages"]
            except (StoreError, ValueError, KeyError, TypeError):
                return ""
            found = [m for m in messages if isinstance(m, dict) and m.get("id") == message_id]
            return found[0].get("content", "") if found else ""
        message = conversation.by_id().get(message_id)
        return message.content if message is not None else ""
