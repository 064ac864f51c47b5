"""Corrupt and foreign files: the rest loads, each bad file is reported once and never modified."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from causerie.core.conversation.models import Message
from causerie.core.settings import paths
from causerie.core.storage import documents
from causerie.core.storage.store import ConversationStore, StoreError

from .foreign import make_unreadable, plant_bad_files, save_good, snapshot, valid_document

BAD_KINDS = ("truncated", "binary", "other shape", "a list", "id mismatch", "directory", "symlink out", "unreadable")


def test_full_core_session_reports_each_bad_file_once_and_touches_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ConversationStore(paths.data_dir())
    first = save_good(store, "first good one", "2024-01-01T00:00:00.000000Z")
    second = save_good(store, "second good one", "2024-02-01T00:00:00.000000Z")
    planted = plant_bad_files(store, tmp_path / "outside")
    make_unreadable(monkeypatch, planted["unreadable"])
    before = snapshot(planted)

    session = ConversationStore(paths.data_dir())
    for _ in range(2):  # a second listing reuses the index: still reported, still untouched
        listed = session.list()
        assert [s.id for s in listed] == [second.id, first.id, "20200101-000000000-000006"]
        assert listed[-1].read_only
        problems = session.problems()
        assert sorted(p.path for p in problems) == sorted([planted[k] for k in BAD_KINDS] + [planted["newer"]]), (
            problems
        )
        assert len({p.path for p in problems}) == len(problems)
    reasons = {p.path: p.reason for p in problems}
    assert "not valid JSON" in reasons[planted["truncated"]]
    assert "not valid JSON" in reasons[planted["binary"]]
    assert "not a causerie conversation" in reasons[planted["other shape"]]
    assert "does not match the file name" in reasons[planted["id mismatch"]]
    assert "not a regular file" in reasons[planted["directory"]]
    assert "outside the data directory" in reasons[planted["symlink out"]]
    assert "Permission denied" in reasons[planted["unreadable"]]
    assert "read-only" in reasons[planted["newer"]]

    newer = session.load("20200101-000000000-000006")
    assert newer.read_only and newer.messages[0].content == "hello"
    newer.append(Message(role="user", content="try to write"))
    with pytest.raises(StoreError, match="read-only"):
        session.save(newer)
    for kind in ("truncated", "binary", "id mismatch", "unreadable", "directory", "symlink out"):
        with pytest.raises(StoreError):
            session.load(planted[kind].stem)
    opened = session.load(first.id)
    opened.append(Message(role="user", content="more"))
    session.save(opened)
    session.rename(second.id, "Renamed")
    session.delete(first.id)
    session.restore(first.id)
    assert {h.conversation_id for h in session.search("good one")} == {first.id, second.id}
    assert len(session.problems()) == len(BAD_KINDS) + 1
    monkeypatch.delattr(documents, "open")  # readable again, for the comparison
    assert snapshot(planted) == before


def test_a_bad_file_is_reported_even_without_the_index(tmp_path: Path) -> None:
    store = ConversationStore(paths.data_dir())
    good = save_good(store, "fine")
    planted = plant_bad_files(store, tmp_path / "outside")
    store.list()
    store.close()
    store.index_path.unlink()
    fresh = ConversationStore(paths.data_dir())
    ids = [s.id for s in fresh.list()]
    assert good.id in ids and "20200101-000000000-000008" in ids  # "unreadable" is readable in this test
    expected = {path for kind, path in planted.items() if kind not in ("unreadable", "symlink target")}
    assert {p.path for p in fresh.problems()} == expected


def test_a_reason_quoting_a_lone_surrogate_is_recorded_and_the_rest_still_lists() -> None:
    """A message id holding a lone surrogate (valid JSON, no UTF-8 form) named in the reason a file is refused."""
    store = ConversationStore(paths.data_dir())
    good = save_good(store, "fine")
    bad = store.conversations_dir / "20200101-000000000-00000a.json"
    data = json.loads(valid_document("20200101-000000000-00000a"))
    data["messages"][0].update(id="m\ud800", parent="gone")
    bad.write_text(json.dumps(data))  # ensure_ascii: the surrogate is written as the escape \ud800
    before = bad.read_bytes()
    for _ in range(2):  # built, then read back from the index
        assert [s.id for s in store.list()] == [good.id]
        [problem] = store.problems()
        assert problem.path == bad and "unknown parent" in problem.reason
    assert bad.read_bytes() == before
