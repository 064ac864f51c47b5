"""Drafts: what the user typed and has not sent yet, one small file per conversation in `<data>/drafts/`.

Beside the text, `<key>.attachments.json` lists the files attached to the message being written (their records:
the bytes are in the attachment store, which keeps whatever a draft names when it collects).

Kept apart from the conversation files on purpose: a draft is not part of the conversation (it is never sent,
exported or indexed), and writing it on every pause in typing must not rewrite a large conversation file.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path

from causerie.core.attachments.record import Attachment, AttachmentRecordError
from causerie.core.conversation.models import is_valid_id
from causerie.core.storage.fileio import atomic_write_bytes

__all__ = ["ATTACHMENTS_SUFFIX", "NEW_CONVERSATION", "DraftStore", "EditDraft"]

NEW_CONVERSATION = "new"
"""The key of the draft typed in a conversation that has no message yet (it is back at the next plain start)."""

ATTACHMENTS_SUFFIX = ".attachments.json"
"""The end of the name of a draft's attachments file (the attachment collector reads every one)."""


@dataclass(frozen=True, slots=True)
class EditDraft:
    """A sent message being edited: which one, and its text as typed so far (not sent yet either)."""

    message_id: str
    text: str


class DraftStore:
    """Load, save and discard drafts by conversation id (or NEW_CONVERSATION)."""

    def __init__(self, data_dir: Path) -> None:
        self.directory = Path(data_dir) / "drafts"

    def path_for(self, key: str) -> Path:
        """The file of a draft.

        Args:
            key: A conversation id, or NEW_CONVERSATION.

        Raises:
            ValueError: For a key that is not a valid conversation id (it could name a path elsewhere).
        """
        if key != NEW_CONVERSATION and not is_valid_id(key):
            raise ValueError(f"not a conversation id: {key!r}")
        return self.directory / f"{key}.txt"

    def load(self, key: str) -> str:
        """The draft saved for `key`, or "" when there is none or it cannot be read."""
        try:
            raw = self.path_for(key).read_bytes()
        except (OSError, ValueError):
            return ""
        try:
            return raw.decode("utf-8", "surrogatepass")  # a lone surrogate typed or pasted comes back as it was
        except UnicodeDecodeError:
            return raw.decode("utf-8", "replace")

    def save(self, key: str, text: str) -> None:
        """Keep `text` as the draft of `key` (atomically, owner-only); an empty or blank text discards it.

        Raises:
            OSError: When the draft cannot be written (a full disk): the text is still in the prompt.
        """
        if not text.strip():
            with contextlib.suppress(OSError, ValueError):
                self.path_for(key).unlink(missing_ok=True)
            return
        # A lone surrogate (pasted from a broken source) has no UTF-8 form: kept as its surrogate code, not refused.
        atomic_write_bytes(self.path_for(key), text.encode("utf-8", "surrogatepass"))

    def discard(self, key: str) -> None:
        """Forget the draft of `key`: its text, its edit and its attachments (it was sent)."""
        for path in (self.path_for, self._edit_path, self._attachments_path):
            with contextlib.suppress(OSError, ValueError):
                path(key).unlink(missing_ok=True)

    def load_attachments(self, key: str) -> list[Attachment]:
        """The files attached to the draft of `key`, or [] (none, or a file that does not read as a list of them)."""
        data = _read_json(self._attachments_path(key))
        if not isinstance(data, list):
            return []
        try:
            return [Attachment.from_dict(item) for item in data]
        except AttachmentRecordError:
            return []

    def save_attachments(self, key: str, attachments: list[Attachment]) -> None:
        """Keep the files attached to the draft of `key` (atomically, owner-only); none removes the file.

        Raises:
            OSError: When it cannot be written: the chips are still in the tray.
        """
        _write_json(self._attachments_path(key), [a.to_dict() for a in attachments] if attachments else None)

    def load_edit(self, key: str) -> EditDraft | None:
        """The edit of a sent message left unfinished in `key`, or None (none, or a file that does not read as one)."""
        data = _read_json(self._edit_path(key))
        if not isinstance(data, dict):
            return None
        message_id, text = data.get("message"), data.get("text")
        if not isinstance(message_id, str) or not isinstance(text, str):
            return None
        return EditDraft(message_id, text)

    def save_edit(self, key: str, edit: EditDraft | None) -> None:
        """Keep the unfinished edit of `key` (None forgets it).

        Raises:
            OSError: When it cannot be written: the text is still in the prompt.
        """
        _write_json(self._edit_path(key), None if edit is None else {"message": edit.message_id, "text": edit.text})

    def _edit_path(self, key: str) -> Path:
        return self.path_for(key).with_suffix(".edit.json")

    def _attachments_path(self, key: str) -> Path:
        return self.path_for(key).with_suffix(ATTACHMENTS_SUFFIX)


def _read_json(path: Path) -> object:
    """The JSON in `path`, or None when there is none or it does not read (a draft file is never worth a crash)."""
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None


def _write_json(path: Path, data: object) -> None:
    """Write `data` as JSON (atomically, owner-only), or remove the file for None; raises OSError if not written.

    JSON's \\u escapes keep a lone surrogate (in a name or a text) exactly.
    """
    if data is None:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
        return
    atomic_write_bytes(path, json.dumps(data).encode())
