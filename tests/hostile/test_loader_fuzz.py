"""The conversation loader against arbitrary bytes, arbitrary JSON and mutated documents.

It must either load or report (StoreError / problems()), never raise anything else, and never write to the
conversation files (bytes and mtimes checked; the index database beside the folder is derived and may be rewritten).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from causerie.core.conversation.models import Conversation, Message
from causerie.core.safe_text import sanitize, sanitize_line
from causerie.core.storage.store import ConversationStore, StoreError, encode_conversation

FILE_ID = "20250102-030405006-a1b2c3"
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


def valid_document() -> dict[str, Any]:
    conversation = Conversation(id=FILE_ID, title="A title", model="gpt-6-luna")
    first = conversation.append(Message(role="user", content="question"))
    conversation.append(Message(role="assistant", content="answer", model="gpt-6-luna", finish_reason="stop"))
    conversation.append(Message(role="assistant", content="other answer"), parent=first.id)
    return json.loads(encode_conversation(conversation))


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


@st.composite
def mutated_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A valid document with a few places replaced by arbitrary JSON or removed."""
    return _mutate(valid_document(), draw)


def check_loader(raw: bytes, name: str = f"{FILE_ID}.json") -> Conversation | None:
    """Write `raw` as a conversation file and run the store over it; returns what loaded, if anything."""
    root = Path(tempfile.mkdtemp(prefix="causerie-fuzz-"))
    try:
        folder = root / "conversations"
        folder.mkdir()
        path = folder / name
        path.write_bytes(raw)
        before = (raw, path.stat().st_mtime_ns)
        store = ConversationStore(root)
        loaded: Conversation | None = None
        summaries = store.list()
        try:
            loaded = store.load(Path(name).stem)
        except StoreError:
            assert store.problems(), "a file that does not load is reported"
        for summary in summaries:
            sanitize_line(summary.title)  # what the sidebar does with it
            assert isinstance(summary.title, str) and isinstance(summary.updated_at, str)
        if loaded is not None:
            assert [s.id for s in summaries] == [loaded.id]
            for message in loaded.active_path():
                sanitize(message.content)
            # What loads can be written back and reads the same (extra fields aside).
            again = Conversation.from_dict(json.loads(encode_conversation(loaded)))
            assert again == loaded
        assert (path.read_bytes(), path.stat().st_mtime_ns) == before
        assert sorted(p.name for p in folder.iterdir()) == [name]
        return loaded
    finally:
        shutil.rmtree(root)


@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_bytes(raw: bytes) -> None:
    check_loader(raw)


@FUZZ
@given(json_values)
def test_arbitrary_json(value: Any) -> None:
    check_loader(json.dumps(value).encode())


@FUZZ
@given(mutated_documents())
def test_mutated_documents(document: dict[str, Any]) -> None:
    check_loader(json.dumps(document, ensure_ascii=False).encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.binary(max_size=200), st.integers(0, 2000))
def test_valid_document_truncated_or_spliced(noise: bytes, cut: int) -> None:
    raw = encode_conversation(Conversation.from_dict(valid_document()))
    check_loader(raw[:cut] + noise)


def test_hostile_shapes() -> None:
    # Hand-picked shapes that parsers and recursive code trip on.
    deep = b"[" * 100_000 + b"]" * 100_000
    deep_doc = valid_document()
    deep_doc["extra"] = json.loads("[" * 500 + "]" * 500)
    huge_number = valid_document()
    cases = [
        deep,
        b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        json.dumps(deep_doc).encode(),
        json.dumps(huge_number).replace('"version": 1', '"version": ' + "9" * 5000).encode(),
        json.dumps(valid_document()).replace('"version": 1', '"version": 1e400').encode(),
        json.dumps(valid_document()).replace('"version": 1', '"version": NaN').encode(),
        json.dumps(valid_document()).replace('"version": 1', '"version": 999').encode(),  # newer: read-only
        json.dumps(valid_document()).replace('"version": 1', '"version": true').encode(),
        b"\xef\xbb\xbf" + json.dumps(valid_document()).encode(),  # UTF-8 BOM
        json.dumps(valid_document()).encode("utf-16"),
        json.dumps({**valid_document(), "id": "../../etc/passwd"}).encode(),
        json.dumps({**valid_document(), "title": "\ud800\x1b]0;x\x07"}).encode(),
        b"",
        b"\x00" * 1000,
        b"null",
    ]
    for raw in cases:
        check_loader(raw)


def _mutate(document: Any, draw: st.DrawFn) -> Any:
    for _ in range(draw(st.integers(1, 3))):
        places = [p for p in _paths(document) if p]
        if not places:
            break
        place = draw(st.sampled_from(places))
        parent = document
        for step in place[:-1]:
            parent = parent[step]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[place[-1]]
        else:
            parent[place[-1]] = draw(json_values)
    return document
