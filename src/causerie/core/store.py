"""ConversationStore: one JSON file per conversation under `<data>/conversations/`, written atomically."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from causerie.core.fileio import atomic_write_bytes, ensure_private_dir
from causerie.core.models import Conversation, NewerVersionError, SchemaError, is_valid_id


class StoreError(Exception):
    """A conversation could not be read or written; the message says which file and why."""


@dataclass(frozen=True)
class Summary:
    """What the sidebar needs to list one conversation without loading it."""

    id: str
    title: str
    created_at: str
    updated_at: str
    model: str
    message_count: int
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Problem:
    """A file in the data directory that causerie will not load (and never touches)."""

    path: Path
    reason: str


def encode_conversation(conversation: Conversation) -> bytes:
    """The bytes written for a conversation: indented UTF-8 JSON (escaped only if it holds lone surrogates)."""
    data = conversation.to_dict()
    try:
        return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(data, ensure_ascii=True, indent=1) + "\n").encode("ascii")


class ConversationStore:
    """Lists, loads and saves conversations under a data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.conversations_dir = self.data_dir / "conversations"
        self.trash_dir = self.data_dir / "trash"
        self._problems: dict[Path, Problem] = {}

    # -- paths ---------------------------------------------------------------------------------------------
    def path_for(self, conversation_id: str) -> Path:
        """The file of a conversation id (validated: no path separators)."""
        if not is_valid_id(conversation_id):
            raise StoreError(f"invalid conversation id {conversation_id!r}")
        return self.conversations_dir / f"{conversation_id}.json"

    # -- reading -------------------------------------------------------------------------------------------
    def problems(self) -> list[Problem]:
        """Files seen so far that could not be loaded, each once."""
        return sorted(self._problems.values(), key=lambda p: str(p.path))

    def _report(self, path: Path, reason: str) -> None:
        self._problems.setdefault(path, Problem(path, reason))

    def _read_document(self, path: Path) -> tuple[Conversation, os.stat_result]:
        """Read and validate one file without following links out of the directory."""
        try:
            info = os.lstat(path)
        except OSError as exc:
            raise StoreError(f"cannot read: {exc.strerror or exc}") from exc
        if stat.S_ISLNK(info.st_mode):
            target = path.resolve()
            if not target.is_relative_to(self.conversations_dir.resolve()):
                raise StoreError("symbolic link pointing outside the data directory")
            info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise StoreError("not a regular file")
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise StoreError(f"cannot read: {exc.strerror or exc}") from exc
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise StoreError(f"not valid JSON ({exc.__class__.__name__})") from exc
        try:
            conversation = Conversation.from_dict(data)
        except NewerVersionError:
            raise
        except (SchemaError, RecursionError, TypeError, ValueError) as exc:
            raise StoreError(f"not a valid conversation: {exc}") from exc
        if path.stem != conversation.id:
            raise StoreError(f"its id {conversation.id!r} does not match the file name")
        return conversation, info

    def load(self, conversation_id: str) -> Conversation:
        """Load one conversation; raises StoreError (a newer version loads read-only)."""
        path = self.path_for(conversation_id)
        try:
            conversation, _ = self._read_document(path)
        except NewerVersionError as exc:
            conversation = self._load_newer(path, exc)
        except StoreError as exc:
            self._report(path, str(exc))
            raise StoreError(f"{path}: {exc}") from exc
        return conversation

    def _load_newer(self, path: Path, exc: NewerVersionError) -> Conversation:
        """Best-effort read-only view of a file from a newer causerie."""
        self._report(path, f"{exc}: opened read-only")
        data = json.loads(path.read_bytes())
        downgraded = dict(data, version=1)
        try:
            conversation = Conversation.from_dict(downgraded)
        except SchemaError as inner:
            raise StoreError(f"{path}: {exc}") from inner
        conversation.read_only = True
        return conversation

    def list(self) -> list[Summary]:
        """Summaries of every loadable conversation, newest first; bad files go to problems()."""
        summaries: list[Summary] = []
        if not self.conversations_dir.is_dir():
            return summaries
        for entry in os.scandir(self.conversations_dir):
            if not entry.name.endswith(".json") or entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                conversation, info = self._read_document(path)
            except NewerVersionError as exc:
                self._report(path, f"{exc}: opened read-only")
                try:
                    conversation = self._load_newer(path, exc)
                    info = os.stat(path)
                except (StoreError, OSError, ValueError):
                    continue
            except StoreError as exc:
                self._report(path, str(exc))
                continue
            summaries.append(self._summary(conversation, info))
        summaries.sort(key=lambda s: (s.updated_at, s.id), reverse=True)
        return summaries

    @staticmethod
    def _summary(conversation: Conversation, info: os.stat_result) -> Summary:
        return Summary(
            id=conversation.id,
            title=conversation.title or conversation.default_title(),
            created_at=conversation.created_at,
            updated_at=conversation.updated_at,
            model=conversation.model,
            message_count=len(conversation.messages),
            size=info.st_size,
            mtime_ns=info.st_mtime_ns,
        )

    def summary_of(self, conversation: Conversation) -> Summary:
        """The summary of a conversation just saved (uses its file's size and mtime)."""
        try:
            info = os.stat(self.path_for(conversation.id))
        except OSError:
            info = os.stat_result((0,) * 10)
        return self._summary(conversation, info)

    # -- writing -------------------------------------------------------------------------------------------
    def save(self, conversation: Conversation) -> Path:
        """Write a conversation atomically (0600 file in a 0700 directory); raises StoreError."""
        if conversation.read_only:
            raise StoreError("this conversation was written by a newer causerie and is read-only")
        path = self.path_for(conversation.id)
        if path in self._problems:
            raise StoreError(f"{path} is a file causerie cannot read; it is left untouched")
        try:
            ensure_private_dir(self.data_dir)
            ensure_private_dir(self.conversations_dir)
            if os.path.lexists(path) and not path.is_file():
                raise StoreError(f"{path} exists and is not a regular file; it is left untouched")
            atomic_write_bytes(path, encode_conversation(conversation))
        except OSError as exc:
            raise StoreError(f"could not save {path}: {exc.strerror or exc}") from exc
        return path

    def delete(self, conversation_id: str) -> Path:
        """Move a conversation's file to the trash; returns its new path."""
        path = self.path_for(conversation_id)
        ensure_private_dir(self.trash_dir)
        target = self.trash_dir / path.name
        try:
            os.replace(path, target)
        except OSError as exc:
            raise StoreError(f"could not move {path} to the trash: {exc.strerror or exc}") from exc
        return target
