"""Queued prompts: what the user sent while a reply was still being written, one small file per conversation.

Kept like drafts, in `<data>/queued/<conversation id>.json`, apart from the conversation file: a queued prompt is not
part of the conversation until it is sent. Written atomically on every change, so a crash or a quit loses none.
A file that does not parse is reported and never overwritten or removed: the user may want what it holds.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from causerie.core.attachments.record import Attachment, AttachmentRecordError
from causerie.core.conversation.models import is_valid_id, utc_now
from causerie.core.storage.fileio import atomic_write_text

__all__ = ["SCHEMA", "VERSION", "QueueFileError", "QueueStore", "QueuedPrompt"]

SCHEMA = "causerie.queued"
VERSION = 1


class QueueFileError(Exception):
    """A queue file that cannot be read as one (damaged, or written by a newer causerie); it is left as it is."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class QueuedPrompt:
    """One prompt waiting to be sent: its text (long pastes expanded) and the files attached to it."""

    text: str
    attachments: tuple[Attachment, ...] = ()
    queued_at: str = field(default_factory=utc_now)

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        data: dict[str, Any] = {"text": self.text, "queued_at": self.queued_at}
        if self.attachments:
            data["attachments"] = [a.to_dict() for a in self.attachments]
        return data

    @classmethod
    def from_dict(cls, data: Any) -> QueuedPrompt:
        """Parse the JSON form; raises ValueError for anything not of the shape written by `to_dict`."""
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            raise ValueError("a queued prompt must be an object with a text")
        attachments = data.get("attachments", [])
        if not isinstance(attachments, list):
            raise ValueError("attachments must be a list")
        queued_at = data.get("queued_at")
        try:
            files = tuple(Attachment.from_dict(a) for a in attachments)
        except AttachmentRecordError as exc:
            raise ValueError(str(exc)) from exc
        return cls(data["text"], files, queued_at if isinstance(queued_at, str) else "")


class QueueStore:
    """Load, save and discard the queued prompts of each conversation."""

    def __init__(self, data_dir: Path) -> None:
        self.directory = Path(data_dir) / "queued"

    def path_for(self, conversation_id: str) -> Path:
        """The queue file of a conversation.

        Raises:
            ValueError: For a string that is not a conversation id (it could name a path elsewhere).
        """
        if not is_valid_id(conversation_id):
            raise ValueError(f"not a conversation id: {conversation_id!r}")
        return self.directory / f"{conversation_id}.json"

    def load(self, conversation_id: str) -> list[QueuedPrompt]:
        """The prompts queued in a conversation, in order ([] when there is no file).

        Raises:
            QueueFileError: The file exists but is not a queue this version can read; it is left untouched.
        """
        path = self.path_for(conversation_id)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise QueueFileError(path, exc.strerror or str(exc)) from exc
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # RecursionError: nested too deep to decode
            raise QueueFileError(path, f"not valid JSON ({exc})") from exc
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise QueueFileError(path, "not a causerie queue file")
        version = data.get("version")
        if not isinstance(version, int) or version < 1:
            raise QueueFileError(path, "no valid version")
        if version > VERSION:
            raise QueueFileError(path, f"written by a newer causerie (version {version})")
        prompts = data.get("prompts")
        if not isinstance(prompts, list):
            raise QueueFileError(path, "prompts must be a list")
        try:
            return [QueuedPrompt.from_dict(p) for p in prompts]
        except ValueError as exc:
            raise QueueFileError(path, str(exc)) from exc

    def save(self, conversation_id: str, prompts: list[QueuedPrompt]) -> None:
        """Keep `prompts` as the queue of a conversation (atomically, owner-only); an empty queue removes the file.

        Raises:
            QueueFileError: The file there cannot be read: it is not replaced (nothing is written).
            OSError: The file cannot be written (a full disk).
        """
        self.load(conversation_id)  # raises for a damaged file, which must not be replaced
        path = self.path_for(conversation_id)
        if not prompts:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            return
        document = {"schema": SCHEMA, "version": VERSION, "prompts": [p.to_dict() for p in prompts]}
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate has no UTF-8 form: JSON's \u escapes keep it exactly
            text = json.dumps(document, ensure_ascii=True, indent=2) + "\n"
        atomic_write_text(path, text)
