"""Reconciliation of the index database against any mix of added, removed, changed and corrupt files.

Whatever happened to the files behind the store's back, and however often, the reconciled index lists, reports
and finds exactly what a fresh scan of the same files (no database at all) does, and no conversation file is
ever written.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from causerie.core.conversation.models import Conversation, Message
from causerie.core.storage.store import ConversationStore, encode_conversation

IDS = [f"20250102-030405006-a1b2{n:02x}" for n in range(8)]
WORDS = ["apple", "banana", "cherry", "durian", "crème", "東京都"]
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def document(cid: str, words: list[str], title: str) -> bytes:
    conversation = Conversation(id=cid, title=title, model="m")
    for word in words:
        conversation.append(Message(role="user", content=f"about {word}"))
    return encode_conversation(conversation)


operation = st.one_of(
    st.tuples(
        st.just("write"), st.sampled_from(IDS), st.lists(st.sampled_from(WORDS), max_size=3), st.text(max_size=8)
    ),
    st.tuples(st.just("remove"), st.sampled_from(IDS)),
    st.tuples(st.just("corrupt"), st.sampled_from(IDS), st.binary(max_size=40)),
    st.tuples(st.just("directory"), st.sampled_from(IDS)),
    st.tuples(st.just("touch"), st.sampled_from(IDS)),
    st.tuples(st.just("reconcile"), st.booleans()),
)


def apply(folder: Path, op: tuple, tick: list[int]) -> None:
    kind, cid = op[0], op[1]
    path = folder / f"{cid}.json"
    if kind == "reconcile":
        return
    if path.is_dir() and not path.is_symlink():
        path.rmdir()
    if kind == "write":
        # In place (same inode, as an editor might) or replaced (as causerie and sync tools do), at random.
        data = document(cid, op[2], op[3])
        if op[3].startswith("a") and path.exists():
            path.write_bytes(data)
        else:
            tmp = folder / f".{cid}.tmp"
            tmp.write_bytes(data)
            os.replace(tmp, path)
    elif kind == "remove":
        path.unlink(missing_ok=True)
    elif kind == "corrupt":
        path.write_bytes(op[2])
    elif kind == "directory":
        path.unlink(missing_ok=True)
        path.mkdir()
    elif kind == "touch" and path.exists():
        os.utime(path)
    if path.exists() and not path.is_dir():
        # Every change is a new mtime: a same-size rewrite within one clock tick is invisible to any (size,
        # mtime, inode) check, this one and rsync's alike.
        tick[0] += 1_000_000
        os.utime(path, ns=(tick[0], tick[0]))


def view(store: ConversationStore) -> tuple:
    summaries = store.refresh_index()
    problems = sorted((p.path.name, p.reason) for p in store.problems())
    found = {word: sorted((h.conversation_id, h.message_id) for h in store.search(word + " ")) for word in WORDS}
    return summaries, problems, found


@FUZZ
@given(st.lists(operation, max_size=25))
def test_reconciled_index_equals_a_fresh_scan(ops: list[tuple]) -> None:
    root = Path(tempfile.mkdtemp(prefix="causerie-fuzz-"))
    try:
        folder = root / "conversations"
        folder.mkdir()
        tick = [1_700_000_000_000_000_000]
        store = ConversationStore(root)
        for op in ops:
            apply(folder, op, tick)
            if op[0] == "reconcile":
                store.refresh_index() if op[1] else store.list()
        files = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir() if p.is_file()}
        reconciled = view(store)
        assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir() if p.is_file()} == files
        store.close()
        store.index_path.unlink()
        fresh = ConversationStore(root)
        assert view(fresh) == reconciled
        fresh.close()
    finally:
        shutil.rmtree(root)
