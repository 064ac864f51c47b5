"""Attachments carried inside an exported conversation, so a JSON export is complete on another machine.

`export --format json --with-attachments` embeds every stored file the conversation references (every branch) once,
base64 under its SHA-256; `causerie import` puts them back into the attachment store. An import file is data from
anywhere: a file is stored only when its bytes hash to the name it is listed under and it is no larger than
MAX_FILE_BYTES, and the embedded table never reaches the conversation file.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field
from typing import Any

from causerie.core.attachments.record import is_sha256
from causerie.core.attachments.store import AttachmentMissing, AttachmentStore
from causerie.core.conversation.models import Conversation

KEY = "attachment_files"
MAX_FILE_BYTES = 64 * 1024 * 1024  # above every attachment limit a user can set sensibly; a bomb stops here


def referenced(conversation: Conversation) -> list[str]:
    """The SHA-256 of every file the conversation's messages attach (every branch), each once, in order."""
    return list(dict.fromkeys(a.sha256 for m in conversation.messages for a in m.attachments))


def collect(conversation: Conversation, store: AttachmentStore) -> tuple[dict[str, str], list[str]]:
    """The referenced files to embed (SHA-256 -> base64), and the digests the store no longer has."""
    carried: dict[str, str] = {}
    missing: list[str] = []
    for digest in referenced(conversation):
        try:
            carried[digest] = base64.b64encode(store.read(digest)).decode("ascii")
        except AttachmentMissing:
            missing.append(digest)
    return carried, missing


@dataclass
class Restored:
    """What an import did with the files it carried."""

    stored: int = 0
    refused: list[str] = field(default_factory=list)  # why each refused entry was refused

    def add(self, other: Restored) -> None:
        """Count another conversation's files in."""
        self.stored += other.stored
        self.refused += other.refused


def restore(carried: Any, store: AttachmentStore | None) -> Restored:
    """Store the genuine files of an import item's carried table (the value under KEY; none when `store` is None)."""
    result = Restored()
    if carried is None or store is None:
        return result
    if not isinstance(carried, dict):
        result.refused.append(f"{KEY} is not an object")
        return result
    for digest, encoded in carried.items():
        shown = str(digest)[:16]
        if not isinstance(digest, str) or not is_sha256(digest) or not isinstance(encoded, str):
            result.refused.append(f"{shown}: not a SHA-256 name with base64 bytes")
            continue
        if len(encoded) > MAX_FILE_BYTES * 4 // 3 + 4:
            result.refused.append(f"{digest[:12]}…: larger than {MAX_FILE_BYTES // 2**20} MiB")
            continue
        try:
            data = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            result.refused.append(f"{digest[:12]}…: not valid base64")
            continue
        if hashlib.sha256(data).hexdigest() != digest:
            result.refused.append(f"{digest[:12]}…: its bytes do not match its SHA-256")
            continue
        try:
            store.add(data)
        except OSError as exc:  # a full disk, or no attachments folder to write in: the other files may still fit
            result.refused.append(f"{digest[:12]}…: could not be stored: {exc.strerror or exc}")
            continue
        result.stored += 1
    return result
