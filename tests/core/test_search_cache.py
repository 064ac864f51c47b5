"""The persisted search cache: reused by the next session, rebuilt when damaged, current after changes."""

from __future__ import annotations

import json
import stat

from causerie.core.conversation.models import Conversation, Message
from causerie.core.settings import paths
from causerie.core.storage.store import ConversationStore


def store() -> ConversationStore:
    return ConversationStore(paths.data_dir())


def fill(s: ConversationStore, count: int) -> list[Conversation]:
    made = []
    for n in range(count):
        conversation = Conversation(title=f"Topic {n}")
        conversation.append(Message(role="user", content=f"Question numéro {n} about crème brûlée"))
        conversation.append(Message(role="assistant", content=f"Answer {n}: caramelize the sugar"))
        s.save(conversation)
        made.append(conversation)
    return made


def hits(s: ConversationStore, query: str) -> set[tuple[str, str | None]]:
    return {(h.conversation_id, h.message_id) for h in s.search(query)}


def test_next_session_reuses_the_cache_without_reading_conversations() -> None:
    s = store()
    made = fill(s, 5)
    expected = {(c.id, c.active_path()[0].id) for c in made}
    assert hits(s, "creme brulee") == expected
    cache = s.data_dir / "search"
    for name in ("text.bin", "docs.json"):
        assert stat.S_IMODE((cache / name).stat().st_mode) == 0o600
    fresh = store()
    assert hits(fresh, "CRÈME BRÛLÉE") == expected
    assert fresh._search.rebuilt == 0


def test_changes_since_the_cache_was_written_are_found() -> None:
    s = store()
    made = fill(s, 5)
    s.search("anything")
    made[0].append(Message(role="user", content="Une tarte tatin"))
    s.save(made[0])
    s.delete(made[1].id)
    other = store()
    added = fill(other, 1)[0]
    fresh = store()
    assert hits(fresh, "tatin") == {(made[0].id, made[0].active_path()[-1].id)}
    assert fresh._search.rebuilt == 2  # the edited one and the added one
    assert {cid for cid, _ in hits(fresh, "caramelize")} == {c.id for c in made if c is not made[1]} | {added.id}


def wrong_types(document: dict) -> dict:
    first = next(iter(document["docs"]))
    document["docs"][first][-1] = 42  # message ids must be a string
    return document


def test_damaged_or_mismatched_cache_is_rebuilt() -> None:
    s = store()
    made = fill(s, 3)
    expected = hits(s, "question")
    cache = s.data_dir / "search"
    text = (cache / "text.bin").read_bytes()
    docs = (cache / "docs.json").read_bytes()
    damages = [
        ("text.bin", text[:40]),  # truncated
        ("text.bin", text.replace(b"causerie-search 1 ", b"causerie-search 1 0", 1)),  # another token
        ("docs.json", b"{nope"),
        ("docs.json", json.dumps({**json.loads(docs), "version": 99}).encode()),
        ("docs.json", json.dumps(wrong_types(json.loads(docs))).encode()),
        ("docs.json", json.dumps({**json.loads(docs), "docs": {"x": [1, 2]}}).encode()),
    ]
    for name, data in damages:
        (cache / name).write_bytes(data)
        fresh = store()
        assert hits(fresh, "question") == expected, name
        assert fresh._search.rebuilt == len(made), name
    assert len(made) == 3


def test_a_large_build_in_worker_processes_finds_the_same_and_reports_progress(monkeypatch) -> None:
    from causerie.core.storage import parallel, searchcache

    s = store()
    made = fill(s, 25)
    broken = s.conversations_dir / "20200101-000000000-0000bb.json"
    broken.write_bytes(b"[]")
    expected = hits(s, "numero brulee")
    assert len(expected) == 25
    monkeypatch.setattr(parallel, "PARALLEL_THRESHOLD", 10)
    monkeypatch.setattr(parallel, "BATCH", 6)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(searchcache, "PROGRESS_INTERVAL", 0.0)
    for name in ("text.bin", "docs.json"):
        (s.data_dir / "search" / name).unlink()
    seen: list[tuple[int, int]] = []
    fresh = store()
    results = fresh.search("numero brulee", progress=lambda done, total: seen.append((done, total)))
    assert {(h.conversation_id, h.message_id) for h in results} == expected
    assert fresh._search.rebuilt == len(made) and seen[-1] == (25, 25) and len(seen) >= 2


def test_a_large_build_is_written_as_documents_come_never_all_held(monkeypatch) -> None:
    # 10,000 conversations are ~200 MB of normalized text: holding all of it before writing doubled the app's peak
    # memory on a first start. Documents must reach the file while later ones are still being made.
    from causerie.core.storage import searchcache

    s = store()
    made = fill(s, 12)
    expected = hits(s, "caramelize")
    events: list[str] = []
    make_docs, write_chunks = searchcache.make_docs, searchcache.atomic_write_chunks

    def logged_make(directory, names):
        events.append("made")
        return make_docs(directory, names)

    def logged_write(path, chunks, *args):
        def logged():
            for chunk in chunks:
                events.append("written")
                yield chunk

        write_chunks(path, logged(), *args)

    monkeypatch.setattr(searchcache, "STREAM_THRESHOLD", 5)
    monkeypatch.setattr(searchcache, "make_docs", logged_make)
    monkeypatch.setattr(searchcache, "atomic_write_chunks", logged_write)
    for name in ("text.bin", "docs.json"):
        (s.data_dir / "search" / name).unlink()
    fresh = store()
    assert hits(fresh, "caramelize") == expected
    assert fresh._search.rebuilt == len(made)
    assert events.count("made") == len(made)
    assert events.index("written") < len(events) - 1 - events[::-1].index("made")  # a write before the last make
    again = store()
    assert hits(again, "caramelize") == expected and again._search.rebuilt == 0  # the file is complete


def test_a_large_build_that_cannot_be_written_is_searched_from_memory(monkeypatch) -> None:
    from causerie.core.storage import searchcache

    s = store()
    fill(s, 8)
    expected = hits(s, "caramelize")

    def full_disk(path, chunks, *args):
        next(iter(chunks))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(searchcache, "STREAM_THRESHOLD", 3)
    monkeypatch.setattr(searchcache, "atomic_write_chunks", full_disk)
    for name in ("text.bin", "docs.json"):
        (s.data_dir / "search" / name).unlink()
    fresh = store()
    assert hits(fresh, "caramelize") == expected
