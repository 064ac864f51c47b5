"""The index's reader of decoded documents against the full load: what it reads, a Conversation would give too.

For any document it either declines (None: the conversation is loaded instead) or gives the summary and text
rows that summary_of and text_sources give for the loaded conversation; a document that does not load is
always declined, so it is reported as before.
"""

from __future__ import annotations

import json
import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from causerie.core.attachments.record import Attachment
from causerie.core.conversation.models import Conversation, Message, ToolCall, Usage
from causerie.core.storage.documents import StoreError, conversation_of, encode_conversation, summary_of
from causerie.core.storage.index_reader import Indexable, indexable
from causerie.core.storage.reconcile import text_sources

FILE_ID = "20250102-030405006-a1b2c3"
INFO = os.stat(__file__)
FUZZ = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)


def document(*, title: str = "A title", effort: bool = True, tools: bool = False) -> dict[str, Any]:
    """A document as causerie writes it: branches, usage, costs, controls (optionally tool calls, attachments)."""
    conversation = Conversation(id=FILE_ID, title=title, model="gpt-6-luna", created_at="2025-01-02T03:04:05Z")
    first = conversation.append(Message(role="user", content="## question\n\nwith **bold**"))
    reply = Message(role="assistant", content="answer", model="m", usage=Usage(10, 20, 30), cost=0.25)
    if effort:
        reply.params = {"reasoning_effort": "high", "temperature": 0.5}
    conversation.append(reply)
    conversation.append(Message(role="assistant", content="", finish_reason="cancelled", partial=True))
    conversation.append(Message(role="assistant", content="other", cost=0.125), parent=first.id)
    conversation.append(Message(role="user", content="東京 café", created_at="2025-01-02T03:05:00Z"))
    if tools:
        call = Message(role="assistant", content="", tool_calls=[ToolCall("c1", "srv__read", "{}")])
        conversation.append(call)
        conversation.append(Message(role="tool", content="result", tool_call_id="c1", name="srv__read"))
        conversation.messages[0].attachments = [Attachment("a.txt", "0" * 64, "text/plain", 3)]
    return json.loads(encode_conversation(conversation))


def full(data: Any) -> Indexable | None:
    """What the index recorded before: the conversation loaded, then summarized; None if it does not load."""
    try:
        conversation = conversation_of(data, FILE_ID)
    except StoreError:
        return None
    return Indexable(summary_of(conversation, INFO), text_sources(conversation))


def _places(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _places(child, (*prefix, key))
    elif isinstance(value, list):
        for at, child in enumerate(value):
            found += _places(child, (*prefix, at))
    return found


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    """A written document with a few places replaced by arbitrary JSON, removed, or given a new key."""
    data = document(title=draw(st.sampled_from(["A title", ""])), effort=draw(st.booleans()))
    for _ in range(draw(st.integers(1, 3))):
        places = [p for p in _places(data) if p]
        place = draw(st.sampled_from(places))
        parent = data
        for key in place[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "remove", "add"]))
        if action == "remove" and isinstance(parent, dict):
            del parent[place[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["kind", "cost", "params", "extra", "active_leaf", "version", "usage"]))] = (
                draw(json_values)
            )
        else:
            parent[place[-1]] = draw(json_values | st.sampled_from(["m", "high", 2, 1, 0.5, "causerie.conversation"]))
    return data


def test_documents_as_written_are_read_directly_and_agree() -> None:
    costs = {True: '{"cost": 0.375, "by_effort": {"high": 0.25}}', False: '{"cost": 0.375, "by_effort": {}}'}
    for effort, expected in costs.items():
        data = document(effort=effort)
        found = indexable(data, FILE_ID, INFO)
        assert found is not None
        assert found == full(data)
        assert found.summary.costs == expected
        assert found.summary.title == "A title" and found.summary.message_count == 5
        # The title, then every message with text, of every branch (the cancelled empty reply has none).
        assert [text for _, text in found.sources] == [
            "A title",
            "## question\n\nwith **bold**",
            "answer",
            "other",
            "東京 café",
        ]


def test_what_the_reader_declines_is_loaded_in_full() -> None:
    untitled, tools = document(title=""), document(tools=True)
    older = dict(document(), version=1)
    newer = dict(document(), version=99)
    other_name = dict(document(), id="20250102-030405006-ffffff")
    for data in (untitled, tools, older, newer, other_name, [], "text"):
        assert indexable(data, FILE_ID, INFO) is None
    assert full(untitled) is not None and full(tools) is not None and full(older) is not None
    newer_summary = full(newer)
    assert newer_summary is not None and newer_summary.summary.read_only
    assert full(other_name) is None


@FUZZ
@given(mutated())
def test_the_reader_agrees_with_the_full_load_or_declines(data: dict[str, Any]) -> None:
    found = indexable(data, FILE_ID, INFO)
    if found is not None:
        assert found == full(data)
