"""Two causeries on one data directory: detect that a file changed since we saw it, and keep both versions.

A store remembers, per conversation, the fingerprint and a hash of the bytes it last read or wrote. Before a
save it looks again (under an advisory lock, so check-and-write is one step between processes): if the file
is another version and ours does not simply extend it, ours is forked to a new id instead of overwriting.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from causerie.core.conversation.models import Conversation, new_conversation_id
from causerie.core.storage.documents import Fingerprint, StoreError, parse_conversation, read_bytes, safe_stat

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: atomic replace still prevents torn files
    fcntl = None  # type: ignore[assignment]

CONFLICT_SUFFIX = " (conflict copy)"


@dataclass(frozen=True)
class Conflict:
    """A save found the file changed on disk by someone else: ours went to `saved_as`, theirs stayed."""

    original_id: str
    saved_as: str
    path: Path


@dataclass(frozen=True)
class Seen:
    """One version of a file as this store read or wrote it."""

    fp: Fingerprint
    digest: bytes


def digest(data: bytes) -> bytes:
    """A short content hash."""
    return hashlib.blake2b(data, digest_size=16).digest()


def seen_bytes(info: os.stat_result, data: bytes) -> Seen:
    """Remember a version of a file: its stat and the bytes read or written."""
    return Seen(Fingerprint.of(info), digest(data))


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive advisory lock on `path` (created 0600 if missing) for the duration of the block.

    A symlink is not followed (O_NOFOLLOW): planted in the data directory, it would make causerie create or lock a
    file elsewhere. It fails with an OSError (ELOOP), which the store reports as a file it cannot save.
    """
    if fcntl is None:
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def extends(ours: Conversation, theirs: Conversation) -> bool:
    """True when writing `ours` loses nothing of `theirs`: same title, and every message of theirs is in ours."""
    if (theirs.title or "") not in ("", ours.title) or theirs.system_prompt != ours.system_prompt:
        return False
    mine = ours.by_id()
    for message in theirs.messages:
        other = mine.get(message.id)
        if other is None or (other.role, other.content, other.parent) != (
            message.role,
            message.content,
            message.parent,
        ):
            return False
    return True


def diverged(path: Path, ours: Conversation, seen: Seen | None, root: Path) -> bool:
    """Whether saving `ours` over `path` would drop a version we never saw (the caller holds file_lock)."""
    if not os.path.lexists(path):
        return False
    try:
        info = safe_stat(path, root)
    except StoreError:
        return True  # something odd sits there: never overwrite it
    if seen is not None and Fingerprint.of(info) == seen.fp:
        return False
    try:
        raw, _ = read_bytes(path)
    except StoreError:
        return True
    if seen is not None and digest(raw) == seen.digest:
        return False  # touched (a sync tool), not changed
    try:
        theirs = parse_conversation(raw, path.stem)
    except StoreError:
        return True
    return theirs.read_only or not extends(ours, theirs)


def fork(conversation: Conversation) -> None:
    """Give `conversation` a new id and mark its title as a conflict copy (in place)."""
    conversation.id = new_conversation_id()
    title = conversation.title or conversation.default_title()
    if not title.endswith(CONFLICT_SUFFIX):
        title += CONFLICT_SUFFIX
    conversation.title = title
