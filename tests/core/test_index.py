"""index.json: validated against the directory, refreshed incrementally, rebuilt when missing or corrupt."""

from __future__ import annotations

import concurrent.futures
import json
import os
import stat

from causerie.core.conversation.models import Conversation, Message
from causerie.core.settings import paths
from causerie.core.storage.store import ConversationStore


def store() -> ConversationStore:
    return ConversationStore(paths.data_dir())


def save(s: ConversationStore, text: str) -> Conversation:
    conversation = Conversation(model="gpt-6-luna")
    conversation.append(Message(role="user", content=text))
    s.save(conversation)
    return conversation


def test_warm_listing_parses_nothing_and_a_change_parses_one_file() -> None:
    s = store()
    conversations = [save(s, f"question {n}") for n in range(5)]
    assert len(s.list()) == 5 and s._index.rebuilt == 5
    index = json.loads(s.index_path.read_bytes())
    assert index["schema"] == "causerie.index" and len(index["files"]) == 5
    assert stat.S_IMODE(s.index_path.stat().st_mode) == 0o600

    fresh = store()  # a new start: everything comes from index.json
    assert [x.id for x in fresh.list()] == [x.id for x in s.list()]
    assert fresh._index.rebuilt == 0

    other = store()  # another causerie edits one conversation, adds one, deletes one
    edited = other.load(conversations[0].id)
    edited.title = "Edited elsewhere"
    other.save(edited)
    added = save(other, "added elsewhere")
    os.unlink(other.path_for(conversations[1].id))
    listed = {x.id: x for x in fresh.list()}
    assert fresh._index.rebuilt == 2
    assert listed[conversations[0].id].title == "Edited elsewhere"
    assert added.id in listed and conversations[1].id not in listed and len(listed) == 5
    assert {row[0][:-5] for row in json.loads(fresh.index_path.read_bytes())["files"]} == set(listed)


def test_same_size_rewrite_is_noticed() -> None:
    s = store()
    conversation = save(s, "abc")
    conversation.title = "abc"
    s.save(conversation)
    s.list()
    other = store()
    copy = other.load(conversation.id)
    copy.title = "xyz"  # same length, possibly the same mtime tick: the new inode tells
    size = other.path_for(copy.id).stat().st_size
    other.save(copy)
    assert other.path_for(copy.id).stat().st_size == size
    assert [x.title for x in s.list()] == ["xyz"]


def test_missing_or_corrupt_index_is_rebuilt() -> None:
    s = store()
    for n in range(3):
        save(s, f"q{n}")
    expected = [x.id for x in s.list()]
    for damage in (b"", b"{not json", b'{"schema": "causerie.index", "version": 1, "files": {"a.json": 3}}', None):
        if damage is None:
            s.index_path.unlink()
        else:
            s.index_path.write_bytes(damage)
        fresh = store()
        assert [x.id for x in fresh.list()] == expected
        assert fresh._index.rebuilt == 3 and fresh.problems() == []
        assert len(json.loads(fresh.index_path.read_bytes())["files"]) == 3


def test_index_from_a_newer_causerie_is_ignored_not_trusted() -> None:
    s = store()
    save(s, "q")
    s.list()
    data = json.loads(s.index_path.read_bytes())
    data["version"] = 99
    s.index_path.write_text(json.dumps(data))
    fresh = store()
    assert len(fresh.list()) == 1 and fresh._index.rebuilt == 1


def test_progress_is_reported_while_rebuilding(monkeypatch) -> None:
    from causerie.core.storage import index

    s = store()
    for n in range(12):
        save(s, f"q{n}")
    monkeypatch.setattr(index, "PROGRESS_INTERVAL", 0.0)
    seen: list[tuple[int, int]] = []
    assert len(store().list(progress=lambda done, total: seen.append((done, total)))) == 12
    assert seen[0] == (1, 12) and seen[-1] == (12, 12) and len(seen) == 12
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    seen.clear()
    store().list(progress=lambda done, total: seen.append((done, total)))
    assert seen == []  # nothing to parse, nothing to report


def test_listing_never_writes_an_unchanged_index() -> None:
    s = store()
    save(s, "q")
    s.list()
    before = s.index_path.stat().st_mtime_ns, s.index_path.stat().st_ino
    store().list()
    assert (s.index_path.stat().st_mtime_ns, s.index_path.stat().st_ino) == before


def test_a_large_rebuild_in_worker_processes_gives_the_same_result(monkeypatch) -> None:
    from causerie.core.storage import parallel

    s = store()
    made = [save(s, f"q{n}") for n in range(30)]
    bad = s.conversations_dir / "20200101-000000000-0000aa.json"
    bad.write_bytes(b"{broken")
    expected = [x.id for x in s.list()]
    s.index_path.unlink()
    monkeypatch.setattr(parallel, "PARALLEL_THRESHOLD", 10)
    monkeypatch.setattr(parallel, "BATCH", 7)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    submitted: list[int] = []

    class SpyPool(concurrent.futures.ProcessPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
            submitted.append(len(args[1]))
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", SpyPool)
    seen: list[tuple[int, int]] = []
    fresh = store()
    assert [x.id for x in fresh.list(progress=lambda done, total: seen.append((done, total)))] == expected
    assert submitted == [7, 7, 7, 7, 3]
    assert len(expected) == len(made) and seen[-1] == (31, 31)
    assert [p.path for p in fresh.problems()] == [bad]


def test_an_index_with_wrong_types_is_not_trusted() -> None:
    s = store()
    conversation = save(s, "q")
    s.list()
    data = json.loads(s.index_path.read_bytes())
    data["files"][0][4] = {"title": "not a string"}
    s.index_path.write_text(json.dumps(data))
    fresh = store()
    assert [x.title for x in fresh.list()] == ["q"] and fresh._index.rebuilt == 1
    assert fresh.list()[0].id == conversation.id


def test_an_index_edited_in_place_as_causerie_lays_it_out_is_not_trusted() -> None:
    # The digest is checked on the file's own bytes when it is laid out as causerie writes it (no re-encoding of
    # 10,000 entries): a title changed in place, every byte of the layout kept, must still be caught.
    s = store()
    save(s, "the real title")
    s.list()
    raw = s.index_path.read_bytes()
    assert b'"files":' in raw and b',"problems":' in raw
    s.index_path.write_bytes(raw.replace(b"the real title", b"the fake title"))
    fresh = store()
    assert [x.title for x in fresh.list()] == ["the real title"] and fresh._index.rebuilt == 1
    untouched = store()
    assert [x.title for x in untouched.list()] == ["the real title"] and untouched._index.rebuilt == 0
