"""A data directory salted with every kind of bad file, and a way to prove they were never touched."""

from __future__ import annotations

import builtins
import json
import os
from pathlib import Path

import pytest

from causerie.core.conversation.models import Conversation, Message
from causerie.core.storage import documents
from causerie.core.storage.store import ConversationStore, encode_conversation

UNREADABLE = "20200101-000000000-000008.json"


def valid_document(cid: str, text: str = "hello", **changes: object) -> bytes:
    conversation = Conversation(id=cid, title=f"About {text}", model="gpt-6-luna")
    conversation.append(Message(role="user", content=text))
    data = conversation.to_dict()
    data.update(changes)
    return json.dumps(data, indent=1).encode()


def plant_bad_files(store: ConversationStore, outside: Path) -> dict[str, Path]:
    """Write the bad files next to good ones; returns {kind: path}."""
    folder = store.conversations_dir
    folder.mkdir(parents=True, exist_ok=True)
    whole = valid_document("20200101-000000000-000001", "truncated")
    files = {
        "truncated": (folder / "20200101-000000000-000001.json", whole[: len(whole) // 2]),
        "binary": (folder / "20200101-000000000-000002.json", bytes(range(256)) * 4),
        "other shape": (folder / "20200101-000000000-000003.json", b'{"name": "a package.json", "version": "1.0"}'),
        "a list": (folder / "20200101-000000000-000004.json", b"[1, 2, 3]\n"),
        "id mismatch": (folder / "20200101-000000000-000005.json", valid_document("20200101-000000000-ffffff")),
        "newer": (
            folder / "20200101-000000000-000006.json",
            valid_document("20200101-000000000-000006", version=99, updated_at="2019-01-01T00:00:00.000000Z"),
        ),
        "unreadable": (folder / UNREADABLE, valid_document(UNREADABLE[:-5], "secret")),
    }
    planted = {}
    for kind, (path, data) in files.items():
        path.write_bytes(data)
        planted[kind] = path
    directory = folder / "20200101-000000000-000007.json"
    directory.mkdir()
    planted["directory"] = directory
    outside.mkdir(parents=True, exist_ok=True)
    target = outside / "20200101-000000000-000009.json"
    target.write_bytes(valid_document("20200101-000000000-000009", "outside"))
    link = folder / "20200101-000000000-000009.json"
    link.symlink_to(target)
    planted["symlink out"] = link
    planted["symlink target"] = target
    return planted


def snapshot(paths: dict[str, Path]) -> dict[str, tuple[bytes | None, int, int]]:
    """Bytes, mtime_ns and mode of each path (no link following), to compare before and after a session."""
    result = {}
    for kind, path in paths.items():
        info = os.lstat(path)
        data = path.read_bytes() if path.is_file() and not path.is_symlink() else None
        result[kind] = (data, info.st_mtime_ns, info.st_mode)
    return result


def make_unreadable(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """Opening `path` fails with EACCES (as chmod 000 would, except for root, which runs CI)."""
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if Path(os.fsdecode(file)) == path if isinstance(file, str | bytes | os.PathLike) else False:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(documents, "open", guarded_open, raising=False)
    os.chmod(path, 0o000)


def save_good(store: ConversationStore, text: str, updated: str = "") -> Conversation:
    conversation = Conversation(model="gpt-6-luna")
    conversation.append(Message(role="user", content=text))
    if updated:
        conversation.updated_at = updated
    store.save(conversation)
    assert encode_conversation(conversation)
    return conversation
