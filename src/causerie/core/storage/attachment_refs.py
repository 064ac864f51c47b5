"""Which stored attachments are still named: by conversations (live and in the trash), queued prompts and drafts."""

from __future__ import annotations

import json
import os
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
    for directory in directories:
        try:
            entries = [e for e in os.scandir(directory) if e.name.endswith(".json")]
        except FileNotFoundError:
            continue
        except OSError:
            return None
        for entry in entries:
            try:
                with open(entry.path, "rb") as handle:
                    raw = handle.read()
            except OSError:
                return None
            if b'"attachments"' not in raw:
                continue
            try:
                document = json.loads(raw)
            except ValueError:
                continue
            except RecursionError:  # valid JSON too deep to read: what it names is unknown, so nothing goes
                return None
            # A conversation's messages, or a queue file's prompts: both carry `attachments`.
            for key in ("messages", "prompts"):
                found |= _named_in(document.get(key) if isinstance(document, dict) else None)
    return found


def _named_in(entries: object) -> set[str]:
    found: set[str] = set()
    for entry in entries if isinstance(entries, list) else []:
        items = entry.get("attachments") if isinstance(entry, dict) else None
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("sha256"), str):
                found.add(item["sha256"])
    return found


def named_by_drafts(directory: Path) -> set[str] | None:
    """The SHA-256 of every attachment on a draft's tray (the `*.attachments.json` files in `directory`).

    None when a file could not be read (nothing may be removed then); a file that does not parse names nothing,
    as it brings no chip back either.
    """
    found: set[str] = set()
    try:
        entries = [e for e in os.scandir(directory) if e.name.endswith(ATTACHMENTS_SUFFIX)]
    except FileNotFoundError:
        return found
    except OSError:
        return None
    for entry in entries:
        try:
            with open(entry.path, "rb") as handle:
                raw = handle.read()
        except OSError:
            return None
        try:
            items = json.loads(raw)
        except ValueError:
            continue
        except RecursionError:
            return None
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("sha256"), str):
                found.add(item["sha256"])
    return found


def collect_unreferenced(data_dir: Path, conversations: Path, trash: Path) -> int:
    """Remove the stored attachments no conversation, queue or draft file names; returns how many were removed."""
    names = referenced([conversations, trash, QueueStore(data_dir).directory])
    drafted = named_by_drafts(DraftStore(data_dir).directory)
    if names is None or drafted is None:
        return 0
    return AttachmentStore(data_dir).collect(names | drafted)
