"""Rename, delete to the trash, restore / undo, purge."""

from __future__ import annotations

import pytest

from causerie.core.conversation.models import Conversation, Message
from causerie.core.settings import paths
from causerie.core.storage.store import ConversationStore, Deleted, StoreError


def store() -> ConversationStore:
    return ConversationStore(paths.data_dir())


def saved(s: ConversationStore, text: str) -> Conversation:
    conversation = Conversation(model="gpt-6-luna")
    conversation.append(Message(role="user", content=text))
    s.save(conversation)
    return conversation


def test_rename_persists_and_updates_the_open_copy() -> None:
    s = store()
    conversation = saved(s, "hello")
    s.rename(conversation.id, "  Greetings\nto all ")
    assert conversation.title == "Greetings to all"  # the copy the UI holds
    assert store().load(conversation.id).title == "Greetings to all"
    assert [x.title for x in s.list()] == ["Greetings to all"]
    conversation.append(Message(role="user", content="more"))
    s.save(conversation)  # no conflict with our own rename
    assert s.take_conflicts() == []
    with pytest.raises(StoreError):
        s.rename(conversation.id, "   ")


def test_rename_of_a_conversation_not_open() -> None:
    conversation = saved(store(), "hello")
    fresh = store()
    fresh.rename(conversation.id, "Named")
    assert store().load(conversation.id).title == "Named"
    assert store().load(conversation.id).messages == conversation.messages


def test_delete_restore_undo_and_purge() -> None:
    s = store()
    first, second = saved(s, "one"), saved(s, "two")
    s.delete(first.id)
    s.delete(second.id)
    assert s.list() == []
    assert s.undo_delete() == second.id
    assert [x.id for x in s.list()] == [second.id]
    s.restore(first.id)
    assert {x.id for x in s.list()} == {first.id, second.id}
    assert s.undo_delete() is None
    with pytest.raises(StoreError, match="not in the trash"):
        s.restore(first.id)
    s.delete(first.id)
    assert s.purge_trash() == 1
    assert list(s.trash_dir.iterdir()) == []
    with pytest.raises(StoreError):
        s.restore(first.id)
    assert [x.id for x in s.list()] == [second.id]


def test_restore_never_overwrites() -> None:
    s = store()
    conversation = saved(s, "one")
    s.delete(conversation.id)
    with pytest.raises(Deleted):
        s.save(conversation)  # this causerie never brings a deleted conversation back (a reply still streaming)
    ConversationStore(s.data_dir).save(conversation)  # another causerie saved it again meanwhile
    with pytest.raises(StoreError, match="already exists"):
        s.restore(conversation.id)
    assert (s.trash_dir / f"{conversation.id}.json").exists()


def test_a_reply_still_arriving_into_a_deleted_conversation_does_not_bring_its_file_back() -> None:
    s = store()
    conversation = saved(s, "one")
    s.delete(conversation.id)
    assert s.was_deleted(conversation.id)
    conversation.append(Message(role="assistant", content="the end of a streamed reply"))
    with pytest.raises(Deleted):  # the reply's last checkpoint: refused, and the engine drops it
        s.save(conversation)
    assert not s.path_for(conversation.id).exists()
    assert s.list() == [] and s.search("streamed") == []
    s.undo_delete()  # brought back on purpose: saved again from then on
    assert not s.was_deleted(conversation.id)
    s.save(conversation)
    assert [x.id for x in s.list()] == [conversation.id]
    assert [h.conversation_id for h in s.search("streamed")] == [conversation.id]
