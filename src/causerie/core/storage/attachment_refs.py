"""Which stored attachments the conversation files still name (the live ones and those left in the trash)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from causerie.core.attachments.store import AttachmentStore


def referenced(directories: list[Path]) -> set[str] | None:
    """The SHA-256 of every attachment named by a conversation file in `directories`.

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
            for message in document.get("messages", []) if isinstance(document, dict) else []:
                for item in message.get("attachments", []) if isinstance(message, dict) else []:
                    if isinstance(item, dict) and isinstance(item.get("sha256"), str):
                        found.add(item["sha256"])
    return found


def collect_unreferenced(data_dir: Path, conversations: Path, trash: Path) -> int:
    """Remove the stored attachments no conversation file names; returns how many were removed."""
    names = referenced([conversations, trash])
    if names is None:
        return 0
    return AttachmentStore(data_dir).collect(names)
