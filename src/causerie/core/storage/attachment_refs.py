"""Which stored attachments are still named: by conversations (live and in the trash), queued prompts and drafts."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

from causerie.core.attachments.store import AttachmentStore
from causerie.core.storage.drafts import ATTACHMENTS_SUFFIX, DraftStore
from causerie.core.storage.queued import QueueStore


def referenced(directories: list[Path]) -> set[str] | None:
    """The SHA-256 of every attachment named by a conversation or queue file in `directories`.

    None when a file could not be read: then nobody can tell what is unreferenced, and nothing may be removed.
    A file that does not parse names nothing (it is reported elsewhere and never modified).
    """
    found: set[str] = set()
    try:
        for directory in directories:
            for document in _documents(directory, ".json", needle=b'"attachments"'):
                # A conversation's messages, or a queue file's prompts: both carry `attachments`.
                for key in ("messages", "prompts"):
                    entries = document.get(key) if isinstance(document, dict) else None
                    for entry in entries if isinstance(entries, list) else []:
                        found |= _sha256s(entry.get("attachments") if isinstance(entry, dict) else None)
    except _Unknown:
        return None
    return found


def named_by_drafts(directory: Path) -> set[str] | None:
    """The SHA-256 of every attachment on a draft's tray (the `*.attachments.json` files in `directory`).

    None when a file could not be read (nothing may be removed then); a file that does not parse names nothing,
    as it brings no chip back either.
    """
    try:
        return set().union(*map(_sha256s, _documents(directory, ATTACHMENTS_SUFFIX)))
    except _Unknown:
        return None


class _Unknown(Exception):
    """A file could not be read, or is valid JSON nested too deep to read: what it names is unknown."""


def _documents(directory: Path, suffix: str, needle: bytes = b"") -> Iterator[object]:
    """The parsed JSON of the files of `directory` ending in `suffix` that hold `needle`, one at a time (a file that
    does not parse is left out); raises _Unknown when one cannot be read."""
    try:
        entries = [e for e in os.scandir(directory) if e.name.endswith(suffix)]
    except FileNotFoundError:
        return
    except OSError:
        raise _Unknown from None
    for entry in entries:
        try:
            with open(entry.path, "rb") as handle:
                raw = handle.read()
        except OSError:
            raise _Unknown from None
        if needle not in raw:
            continue
        try:
            document = json.loads(raw)
        except ValueError:
            continue
        except RecursionError:
            raise _Unknown from None
        yield document


def _sha256s(items: object) -> set[str]:
    """The `sha256` of each attachment record in a list of them (anything else names nothing)."""
    if not isinstance(items, list):
        return set()
    return {item["sha256"] for item in items if isinstance(item, dict) and isinstance(item.get("sha256"), str)}


def collect_unreferenced(data_dir: Path, conversations: Path, trash: Path) -> int:
    """Remove the stored attachments no conversation, queue or draft file names; returns how many were removed."""
    names = referenced([conversations, trash, QueueStore(data_dir).directory])
    drafted = named_by_drafts(DraftStore(data_dir).directory)
    if names is None or drafted is None:
        return 0
    return AttachmentStore(data_dir).collect(names | drafted)
