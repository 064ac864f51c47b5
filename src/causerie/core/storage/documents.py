"""Conversation files on disk: encoding, safe reading and validation, and the records the store hands out."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from causerie.core.conversation.models import Conversation, NewerVersionError, SchemaError

NEWER_VERSION_NOTE = "written by a newer version of causerie: opened read-only"


class StoreError(Exception):
    """A conversation could not be read or written; the message says which file and why."""


class UnreadableError(StoreError):
    """The file could not be opened or read (permissions, I/O): it may become readable later."""


class Summary(NamedTuple):
    """What the sidebar needs to list one conversation without loading it (a tuple: 10,000 are cheap)."""

    id: str
    title: str
    created_at: str
    updated_at: str
    model: str
    message_count: int
    size: int
    mtime_ns: int
    read_only: bool = False
    # JSON: {"cost": dollars of the replies with a stored cost (or null), "by_effort": {effort: dollars}} for the
    # replies asked with a reasoning effort.
    costs: str = "{}"


@dataclass(frozen=True)
class Problem:
    """A file in the data directory that causerie will not load (and never touches)."""

    path: Path
    reason: str


class Fingerprint(NamedTuple):
    """Identity of one version of a file: atomic writes always change the inode, edits change size or mtime."""

    size: int
    mtime_ns: int
    ino: int

    @classmethod
    def of(cls, info: os.stat_result) -> Fingerprint:
        """The fingerprint of a stat result."""
        return cls(info.st_size, info.st_mtime_ns, info.st_ino)


def encode_conversation(conversation: Conversation) -> bytes:
    """The bytes written for a conversation: indented UTF-8 JSON (escaped only if it holds lone surrogates)."""
    data = conversation.to_dict()
    try:
        return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(data, ensure_ascii=True, indent=1) + "\n").encode("ascii")


def safe_stat(path: Path, root: Path) -> os.stat_result:
    """Stat a conversation file, refusing links that leave `root` and anything but a regular file."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise UnreadableError(f"cannot read: {exc.strerror or exc}") from exc
    if stat.S_ISLNK(info.st_mode):
        target = path.resolve()
        if not target.is_relative_to(root.resolve()):
            raise StoreError("symbolic link pointing outside the data directory")
        try:
            info = os.stat(path)
        except OSError as exc:
            raise StoreError(f"cannot read: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise StoreError("not a regular file")
    return info


def read_bytes(path: Path) -> tuple[bytes, os.stat_result]:
    """The raw bytes of a file and the stat of exactly that version (read-only access); raises StoreError."""
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            return handle.read(), info
    except OSError as exc:
        raise UnreadableError(f"cannot read: {exc.strerror or exc}") from exc


def parse_conversation(raw: bytes, expected_id: str) -> Conversation:
    """Validate file bytes as a conversation named `expected_id`.

    A newer version is returned with `read_only` set (best effort, never rewritten); anything else that
    does not validate raises StoreError with a plain reason.
    """
    return conversation_of(decode_document(raw), expected_id)


def decode_document(raw: bytes) -> Any:
    """The JSON value of file bytes; raises StoreError with a plain reason."""
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:  # ValueError also covers a number of more than 4,300 digits
        raise StoreError(f"not valid JSON ({exc.__class__.__name__})") from exc


def conversation_of(data: Any, expected_id: str) -> Conversation:
    """Validate a decoded document as a conversation named `expected_id` (as parse_conversation)."""
    read_only = False
    try:
        try:
            conversation = Conversation.from_dict(data)
        except NewerVersionError:
            # Read what we understand of it; the file itself is never rewritten.
            conversation = Conversation.from_dict(dict(data, version=1))
            read_only = True
    except (SchemaError, RecursionError, TypeError, ValueError, AttributeError) as exc:
        raise StoreError(f"not a valid conversation: {exc}") from exc
    if conversation.id != expected_id:
        raise StoreError(f"its id {conversation.id!r} does not match the file name")
    conversation.read_only = read_only
    return conversation


def read_conversation(path: Path, root: Path) -> tuple[Conversation, os.stat_result, bytes]:
    """Read and validate one file without following links out of `root`; raises StoreError."""
    safe_stat(path, root)
    raw, info = read_bytes(path)
    return parse_conversation(raw, path.stem), info, raw


def _rounded(cost: float | None) -> float | None:
    return None if cost is None else round(cost, 8)


def summary_of(conversation: Conversation, info: os.stat_result | None) -> Summary:
    """The summary of a conversation whose file has this stat (size and mtime 0 when unknown)."""
    return Summary(
        id=conversation.id,
        title=conversation.title or conversation.default_title(),
        created_at=conversation.created_at,
        updated_at=conversation.updated_at,
        model=conversation.model,
        message_count=len(conversation.messages),
        size=info.st_size if info is not None else 0,
        mtime_ns=info.st_mtime_ns if info is not None else 0,
        read_only=conversation.read_only,
        costs=costs_json(conversation.total_cost(), conversation.cost_by_effort()),
    )


def costs_json(total: float | None, by_effort: dict[str, float]) -> str:
    """The `costs` of a summary: the replies' total cost (rounded) and their cost by reasoning effort."""
    return json.dumps({"cost": _rounded(total), "by_effort": by_effort})
