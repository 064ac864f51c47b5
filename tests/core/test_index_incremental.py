"""A save re-indexes only the messages whose text changed; search finds exactly what a fresh build would find."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from causerie.core.conversation.models import Conversation, Message
from causerie.core.settings import paths
from causerie.core.storage.store import ConversationStore

QUERIES = ("quokka", "wombat", "numbat", "bilby", "dingo", "echidna", "platypus", "Marsupials", "Fauna", "東京", "都")

# The index as version 0.2 wrote it (schema 2: one block of rows per conversation, text stored in the FTS table).
SCHEMA_2 = """
CREATE TABLE files(
    name TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, ino INTEGER NOT NULL,
    problem TEXT, has_text INTEGER NOT NULL DEFAULT 0, first_row INTEGER, last_row INTEGER
) WITHOUT ROWID;
CREATE TABLE summaries(
    id TEXT PRIMARY KEY, title TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    model TEXT NOT NULL, message_count INTEGER NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    read_only INTEGER NOT NULL, costs TEXT NOT NULL DEFAULT '{}'
) WITHOUT ROWID;
CREATE VIRTUAL TABLE texts USING fts5(
    body, conversation_id UNINDEXED, message_id UNINDEXED, tokenize="unicode61 remove_diacritics 2"
);
CREATE VIRTUAL TABLE grams USING fts5(body, tokenize="trigram");
"""


def store() -> ConversationStore:
    return ConversationStore(paths.data_dir())


def found(s: ConversationStore) -> dict[str, list[tuple[str, str | None, str]]]:
    """Every query's hits: (conversation, message, snippet), in order."""
    return {q: [(h.conversation_id, h.message_id, h.snippet) for h in s.search(q)] for q in QUERIES}


def rebuilt(tmp_path: Path) -> dict[str, list[tuple[str, str | None, str]]]:
    """What a fresh index built from a copy of the files finds."""
    copy = tmp_path / "copy"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(paths.data_dir() / "conversations", copy / "conversations")
    fresh = ConversationStore(copy)
    fresh.refresh_index()
    try:
        return found(fresh)
    finally:
        fresh.close()


def rows_of(s: ConversationStore, conversation_id: str) -> dict[str | None, int]:
    """message id (None: the title) -> rowid of its text row, read from the database as another reader would."""
    with sqlite3.connect(s.index_path) as db:
        rows = db.execute("SELECT message_id, row FROM messages WHERE conversation_id = ?", (conversation_id,))
        return dict(rows.fetchall())


def zoo() -> Conversation:
    conversation = Conversation(title="Fauna notes", model="m")
    conversation.append(Message(role="user", content="Tell me about the quokka"))
    conversation.append(Message(role="assistant", content="The **quokka** lives on Rottnest Island."))
    conversation.append(Message(role="user", content="And the numbat?"))
    conversation.append(Message(role="assistant", content="The numbat eats termites."))
    return conversation


def test_editing_one_message_rewrites_its_row_only(tmp_path: Path) -> None:
    s = store()
    conversation = zoo()
    s.save(conversation)
    before = rows_of(s, conversation.id)
    reply = conversation.messages[-1]
    reply.content = "The wombat digs burrows."  # a reply rewritten in place (a checkpoint growing, a retry)
    s.save(conversation)
    after = rows_of(s, conversation.id)
    assert {k: v for k, v in after.items() if k != reply.id} == {k: v for k, v in before.items() if k != reply.id}
    assert set(after) == set(before)
    assert s.search("numbat")[0].message_id == conversation.messages[2].id  # the question still names it
    assert s.search("termites") == []
    assert [h.message_id for h in s.search("wombat")] == [reply.id]
    assert found(s) == rebuilt(tmp_path)


def test_a_save_that_changes_nothing_writes_no_row() -> None:
    s = store()
    conversation = zoo()
    s.save(conversation)
    before = rows_of(s, conversation.id)
    s.save(conversation)
    assert rows_of(s, conversation.id) == before


def test_an_added_branch_is_found_beside_the_first(tmp_path: Path) -> None:
    s = store()
    conversation = zoo()
    s.save(conversation)
    question = conversation.messages[2]
    sibling = conversation.append(Message(role="assistant", content="A bilby has long ears."), parent=question.id)
    s.save(conversation)
    assert [h.message_id for h in s.search("bilby")] == [sibling.id]
    assert [h.message_id for h in s.search("termites")] == [conversation.messages[3].id]  # the other branch
    assert found(s) == rebuilt(tmp_path)


def test_a_deleted_message_is_no_longer_found(tmp_path: Path) -> None:
    s = store()
    conversation = zoo()
    conversation.append(Message(role="user", content="What about the dingo?"))
    s.save(conversation)
    assert s.search("dingo")
    dropped = conversation.messages.pop()
    conversation.active_leaf = dropped.parent
    s.save(conversation)
    assert s.search("dingo") == []
    assert dropped.id not in rows_of(s, conversation.id)
    assert found(s) == rebuilt(tmp_path)


def test_a_renamed_conversation_is_found_by_its_new_title_only(tmp_path: Path) -> None:
    s = store()
    conversation = zoo()
    s.save(conversation)
    s.rename(conversation.id, "Marsupials of Australia")
    assert [h.message_id for h in s.search("marsupials")] == [None]
    assert s.search("fauna") == []
    assert found(s) == rebuilt(tmp_path)


def test_edits_of_wide_text_move_between_the_trigram_rows(tmp_path: Path) -> None:
    s = store()
    conversation = Conversation(title="旅行", model="m")
    note = conversation.append(Message(role="user", content="私は東京都に住んでいます。"))
    s.save(conversation)
    assert [h.message_id for h in s.search("東京")] == [note.id]
    note.content = "I live in Kyoto now, the platypus too."
    s.save(conversation)
    assert s.search("東京") == [] and s.search("都") == []
    assert [h.message_id for h in s.search("platypus")] == [note.id]
    note.content = "東京に戻りました"
    s.save(conversation)
    assert [h.message_id for h in s.search("東京")] == [note.id]
    assert found(s) == rebuilt(tmp_path)


def test_many_edits_across_conversations_find_what_a_fresh_build_finds(tmp_path: Path) -> None:
    s = store()
    other = store()  # another causerie writing to the same database
    first, second = zoo(), zoo()
    s.save(first)
    other.save(second)
    first.messages[1].content = "echidna " * 3
    s.save(first)
    second.append(Message(role="user", content="platypus and echidna"))
    other.save(second)
    s.rename(first.id, "Marsupials")
    s.delete(second.id)
    assert found(s) == rebuilt(tmp_path)
    s.undo_delete()
    assert found(s) == rebuilt(tmp_path)


def test_an_index_of_the_previous_schema_is_rebuilt_from_untouched_files(tmp_path: Path) -> None:
    s = store()
    conversation = zoo()
    s.save(conversation)
    s.close()
    files = {p.name: p.read_bytes() for p in s.conversations_dir.iterdir()}
    for suffix in ("", "-wal", "-shm"):
        Path(f"{s.index_path}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(s.index_path) as db:
        db.executescript(SCHEMA_2)
        db.execute("INSERT INTO texts(body, conversation_id, message_id) VALUES ('stale words', ?, NULL)", ("x",))
        db.execute("PRAGMA user_version = 2")
    fresh = store()
    assert [x.id for x in fresh.refresh_index()] == [conversation.id]
    assert fresh.search("stale") == []
    assert [h.conversation_id for h in fresh.search("quokka")] == [conversation.id]
    assert found(fresh) == rebuilt(tmp_path)
    assert {p.name: p.read_bytes() for p in s.conversations_dir.iterdir()} == files
