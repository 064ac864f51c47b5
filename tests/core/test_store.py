"""ConversationStore: save, load and list on a temporary CAUSERIE_HOME."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from causerie.core.conversation.models import Conversation, Message
from causerie.core.settings import paths
from causerie.core.storage import store as store_module
from causerie.core.storage.store import ConversationStore, Deleted, StoreError


def store() -> ConversationStore:
    return ConversationStore(paths.data_dir())


def conversation_with(text: str) -> Conversation:
    conversation = Conversation(model="gpt-6-luna")
    conversation.append(Message(role="user", content=text))
    conversation.append(Message(role="assistant", content=f"Re: {text}", finish_reason="stop"))
    return conversation


def test_data_lives_under_causerie_home(causerie_home: Path) -> None:
    assert paths.data_dir() == causerie_home / "data"
    assert paths.config_dir() == causerie_home / "config"


def test_save_load_list(causerie_home: Path) -> None:
    s = store()
    first = conversation_with("first question")
    second = conversation_with("second question")
    second.updated_at = "2999-01-01T00:00:00.000000Z"
    path = s.save(first)
    s.save(second)
    assert path == causerie_home / "data" / "conversations" / f"{first.id}.json"
    assert s.load(first.id) == first
    summaries = s.list()
    assert [x.id for x in summaries] == [second.id, first.id]
    assert summaries[1].title == "first question" and summaries[1].message_count == 2
    assert s.problems() == []


def test_files_are_private_and_no_temp_files_remain() -> None:
    s = store()
    conversation = conversation_with("secret plans")
    path = s.save(conversation)
    s.save(conversation)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(s.data_dir.stat().st_mode) == 0o700
    assert sorted(os.listdir(path.parent)) == [path.name]


def test_failed_replace_keeps_the_previous_file(monkeypatch: pytest.MonkeyPatch) -> None:
    s = store()
    conversation = conversation_with("keep me")
    path = s.save(conversation)
    before = path.read_bytes()
    conversation.append(Message(role="user", content="new text"))

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(StoreError, match="No space left"):
        s.save(conversation)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(os.listdir(path.parent)) == [path.name]
    s.save(conversation)
    assert s.load(conversation.id).active_path()[-1].content == "new text"


def test_bad_files_are_reported_and_untouched() -> None:
    s = store()
    good = conversation_with("fine")
    s.save(good)
    bad = s.conversations_dir / "20200101-000000000-aaaaaa.json"
    bad.write_bytes(b'{"schema": "causerie.conv')
    before = bad.read_bytes(), bad.stat().st_mtime_ns
    assert [x.id for x in s.list()] == [good.id]
    assert [p.path for p in s.problems()] == [bad]
    with pytest.raises(StoreError):
        s.load("20200101-000000000-aaaaaa")
    assert (bad.read_bytes(), bad.stat().st_mtime_ns) == before


def test_text_is_saved_byte_exact() -> None:
    s = store()
    tricky = "NUL\x00 lone\ud83d surrogate, RTL مرحبا, CJK 中文, e\u0301, emoji 👩‍💻\n" * 3
    conversation = conversation_with(tricky)
    s.save(conversation)
    assert s.load(conversation.id).active_path()[0].content == tricky


def test_delete_moves_to_trash() -> None:
    s = store()
    conversation = conversation_with("bye")
    s.save(conversation)
    target = s.delete(conversation.id)
    assert target.parent == s.trash_dir and target.exists()
    assert s.list() == []


def test_directories_created_are_private_under_umask_000(tmp_path: Path) -> None:
    from causerie.core.storage.fileio import ensure_private_dir

    old = os.umask(0)
    try:
        ensure_private_dir(tmp_path / "a" / "b" / "c")
    finally:
        os.umask(old)
    for level in ("a", "a/b", "a/b/c"):
        assert stat.S_IMODE((tmp_path / level).stat().st_mode) == 0o700, level


def test_the_lock_file_is_never_followed_through_a_symlink(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "data")
    (tmp_path / "data").mkdir()
    elsewhere = tmp_path / "elsewhere"
    (tmp_path / "data" / ".lock").symlink_to(elsewhere)
    conversation = Conversation()
    conversation.append(Message("user", "hi"))
    with pytest.raises(StoreError):
        store.save(conversation)
    assert not elsewhere.exists()


def test_a_save_waiting_for_the_lock_when_its_conversation_is_deleted_does_not_bring_the_file_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = store()
    conversation = Conversation(title="Doomed")
    conversation.append(Message(role="user", content="hello"))
    s.save(conversation)
    trashed: list[Path] = []
    real = store_module.ensure_private_dir

    def deleted_meanwhile(path: Path) -> None:  # runs in save() between its first check and the file lock
        real(path)
        if path == s.conversations_dir and not trashed:
            trashed.append(s.delete(conversation.id))  # the user deletes it: a checkpoint was already on its way

    monkeypatch.setattr(store_module, "ensure_private_dir", deleted_meanwhile)
    conversation.append(Message(role="assistant", content="a checkpoint of the reply"))
    with pytest.raises(Deleted):
        s.save(conversation)
    assert trashed and trashed[0].exists()
    assert not s.path_for(conversation.id).exists()
