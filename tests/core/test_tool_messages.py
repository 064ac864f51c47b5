"""Schema version 2: assistant tool calls and tool results are stored, sent, planned and exported together."""

from __future__ import annotations

import json

import pytest

from causerie.core.conversation.context import plan, request_messages
from causerie.core.conversation.models import SCHEMA_VERSION, Conversation, Message, SchemaError, ToolCall
from causerie.core.interchange.export import conversation_to_markdown
from causerie.core.storage.store import ConversationStore


def _round(conversation: Conversation, question: str, call_id: str) -> None:
    conversation.append(Message(role="user", content=question))
    conversation.append(
        Message(role="assistant", content="", tool_calls=[ToolCall(call_id, "weather__forecast", '{"city": "Oslo"}')])
    )
    conversation.append(
        Message(role="tool", content="rain, 4 °C", tool_call_id=call_id, name="weather__forecast", duration_s=0.25)
    )
    conversation.append(Message(role="assistant", content=f"It will rain ({question})."))


def test_the_schema_is_version_2_and_tool_messages_round_trip(tmp_path) -> None:  # noqa: ANN001
    assert SCHEMA_VERSION == 2
    conversation = Conversation(model="gpt-6-luna")
    _round(conversation, "Weather in Oslo?", "call_1")
    store = ConversationStore(tmp_path)
    store.save(conversation)
    data = json.loads(store.path_for(conversation.id).read_text())
    assert data["version"] == 2
    call_message, result = data["messages"][1], data["messages"][2]
    assert call_message["tool_calls"] == [
        {"id": "call_1", "type": "function", "function": {"name": "weather__forecast", "arguments": '{"city": "Oslo"}'}}
    ]
    assert (result["role"], result["tool_call_id"], result["name"], result["duration_s"]) == (
        "tool",
        "call_1",
        "weather__forecast",
        0.25,
    )
    assert store.load(conversation.id) == conversation


def test_a_version_1_document_opens_unchanged() -> None:
    conversation = Conversation(model="gpt-6-luna")
    conversation.append(Message(role="user", content="Hi"))
    conversation.append(Message(role="assistant", content="Hello"))
    data = conversation.to_dict()
    data["version"] = 1
    before = json.dumps(data, sort_keys=True)
    loaded = Conversation.from_dict(data)
    assert json.dumps(data, sort_keys=True) == before  # the input is not modified
    assert loaded == conversation
    assert loaded.to_dict()["messages"] == conversation.to_dict()["messages"]


def test_a_version_3_document_is_refused_as_newer() -> None:
    data = Conversation().to_dict()
    data["version"] = 3
    with pytest.raises(SchemaError, match="newer causerie"):
        Conversation.from_dict(data)


@pytest.mark.parametrize(
    "bad",
    [
        "not a list",
        [{"id": "c", "function": "f"}],
        [{"id": "", "function": {"name": "f", "arguments": "{}"}}],
        [{"id": "c", "function": {"name": "f", "arguments": {"a": 1}}}],
    ],
)
def test_malformed_tool_calls_are_a_schema_error(bad: object) -> None:
    data = Conversation().to_dict()
    data["messages"] = [{"id": "m1", "parent": None, "role": "assistant", "content": "", "tool_calls": bad}]
    with pytest.raises(SchemaError):
        Conversation.from_dict(data)


def test_calls_and_results_are_sent_in_the_api_form() -> None:
    conversation = Conversation(model="gpt-6-luna")
    _round(conversation, "Weather in Oslo?", "call_1")
    sent = request_messages(conversation)
    assert sent == [
        {"role": "user", "content": "Weather in Oslo?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "weather__forecast", "arguments": '{"city": "Oslo"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "rain, 4 °C"},
        {"role": "assistant", "content": "It will rain (Weather in Oslo?)."},
    ]


def test_a_call_left_without_a_result_is_not_sent() -> None:
    """A crash between the call and its result must not make every later request invalid."""
    conversation = Conversation(model="gpt-6-luna")
    conversation.append(Message(role="user", content="Weather?"))
    conversation.append(
        Message(role="assistant", content="Let me look.", tool_calls=[ToolCall("call_9", "weather__forecast", "{}")])
    )
    sent = request_messages(conversation)
    assert sent == [{"role": "user", "content": "Weather?"}, {"role": "assistant", "content": "Let me look."}]


def test_trimming_never_separates_calls_from_their_results() -> None:
    conversation = Conversation(model="gpt-6-luna", context_policy="trim")
    for index in range(6):
        _round(conversation, f"question {index} " + "x" * 400, f"call_{index}")
    conversation.append(Message(role="user", content="and now?"))
    for window in range(200, 3000, 37):
        result = plan(conversation, window, reserve=0)
        sent = result.messages
        offered = {c["id"] for m in sent for c in m.get("tool_calls") or ()}
        answered = [m["tool_call_id"] for m in sent if m["role"] == "tool"]
        assert sorted(offered) == sorted(answered), window
        assert sent[0]["role"] != "tool", window
        if result.dropped:  # the cut is never between a call and its result, nor between a result and the reply
            assert not result.dropped[-1].tool_calls and result.dropped[-1].role != "tool", window


def test_context_estimates_count_the_calls_arguments() -> None:
    small, large = Conversation(), Conversation()
    for conversation, size in ((small, 10), (large, 4000)):
        conversation.append(Message(role="user", content="q"))
        conversation.append(Message(role="assistant", content="", tool_calls=[ToolCall("c", "t", "x" * size)]))
        conversation.append(Message(role="tool", content="r", tool_call_id="c", name="t"))
    assert plan(large, 100_000).tokens - plan(small, 100_000).tokens >= 900


def test_markdown_export_shows_calls_and_results() -> None:
    conversation = Conversation(title="Weather", model="gpt-6-luna")
    _round(conversation, "Weather in Oslo?", "call_1")
    conversation.messages[2].is_error = True
    text = conversation_to_markdown(conversation)
    assert "**Tool call** `weather__forecast` (id call_1):" in text
    assert '```json\n{"city": "Oslo"}\n```' in text
    assert "## Tool result (weather__forecast, error, 0.25 s)\n\n```text\nrain, 4 °C\n```" in text
