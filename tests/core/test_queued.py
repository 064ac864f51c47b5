"""The queue file: prompts queued while a reply streams, kept per conversation, written atomically, never clobbered."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from causerie.core.attachments.record import Attachment
from causerie.core.storage.queued import QueuedPrompt, QueueFileError, QueueStore

CONVERSATION = "20260314-150000000-abcdef"
FILE = Attachment(name="notes.txt", sha256="a" * 64, mime="text/plain", bytes=18)


def test_round_trip_in_order_with_attachments(tmp_path: Path) -> None:
    store = QueueStore(tmp_path)
    assert store.load(CONVERSATION) == []
    prompts = [QueuedPrompt("first", (FILE,)), QueuedPrompt("second\nwith [b]lines[/b] \x1b[31m")]
    store.save(CONVERSATION, prompts)
    path = store.path_for(CONVERSATION)
    assert path.parent == tmp_path / "queued"
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert store.load(CONVERSATION) == prompts
    store.save(CONVERSATION, [])
    assert not path.exists()


def test_a_failed_write_keeps_the_previous_queue_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = QueueStore(tmp_path)
    store.save(CONVERSATION, [QueuedPrompt("kept")])
    before = store.path_for(CONVERSATION).read_bytes()

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError):
        store.save(CONVERSATION, [QueuedPrompt("kept"), QueuedPrompt("new")])
    monkeypatch.undo()
    assert store.path_for(CONVERSATION).read_bytes() == before
    assert sorted(p.name for p in store.directory.iterdir()) == [f"{CONVERSATION}.json"]  # no temp file left


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe",
        b'{"schema": "causerie.queued", "version": 99, "prompts": []}',
        b'{"schema": "something.else", "version": 1, "prompts": []}',
        b'{"schema": "causerie.queued", "version": 1, "prompts": [{"text": 3}]}',
        b'{"schema": "causerie.queued", "version": 1, "prompts": [{"text": "x", "attachments": [{"name": "../x"}]}]}',
        pytest.param(b"[" * 100_000, id="nested-deeper-than-the-decoder-recurses"),
    ],
)
def test_a_damaged_file_is_reported_and_never_overwritten_or_removed(tmp_path: Path, content: bytes) -> None:
    store = QueueStore(tmp_path)
    path = store.path_for(CONVERSATION)
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    with pytest.raises(QueueFileError) as raised:
        store.load(CONVERSATION)
    assert raised.value.path == path
    with pytest.raises(QueueFileError):
        store.save(CONVERSATION, [QueuedPrompt("new")])
    with pytest.raises(QueueFileError):
        store.save(CONVERSATION, [])
    assert path.read_bytes() == content


def test_names_are_conversation_ids_only(tmp_path: Path) -> None:
    store = QueueStore(tmp_path)
    for bad in ("../x", "a/b", ".hidden", ""):
        with pytest.raises(ValueError):
            store.path_for(bad)


def test_lone_surrogates_are_kept_exactly(tmp_path: Path) -> None:
    store = QueueStore(tmp_path)
    prompts = [QueuedPrompt("high \ud800 low \udfff end")]
    store.save(CONVERSATION, prompts)
    assert store.load(CONVERSATION) == prompts
