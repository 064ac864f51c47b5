"""Tool calls through the real openai SDK: `tools` sent as given, OpenAI-style and Ollama-style deltas assembled."""

from __future__ import annotations

import pytest

from causerie.core.chat.client import ChatClient, Finished, TextDelta, ToolCallsRequested
from causerie.core.chat.errors import ChatError
from causerie.core.chat.tool_deltas import ToolCallAssembler
from causerie.core.chat.way_out import WITHOUT_TOOLS, way_out
from causerie.core.conversation.models import ToolCall
from causerie.testing.fake_openai import TOOLS_REJECTED, FakeOpenAI, Reply, ToolCallSpec

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "weather__forecast",
            "description": "The forecast for a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        },
    }
]
CALLS = [
    ToolCallSpec("weather__forecast", '{"city": "Oslo", "days": 3, "note": "é ✓"}', "call_a"),
    ToolCallSpec("weather__forecast", '{"city": "Lyon"}', "call_b"),
    ToolCallSpec("files__read", "{}", "call_c"),
]


async def _events(server: FakeOpenAI, tools=TOOLS) -> list:  # noqa: ANN001
    client = ChatClient(base_url=server.base_url, api_key="sk-test")
    try:
        return [e async for e in client.stream([{"role": "user", "content": "weather?"}], "gpt-6-luna", tools=tools)]
    finally:
        await client.close()


@pytest.mark.parametrize("style", ["openai", "ollama"])
async def test_parallel_calls_are_assembled_by_index_and_id(server: FakeOpenAI, style: str) -> None:
    server.queue(Reply(text="Let me check.", tool_calls=CALLS, tool_style=style, split_writes=True))
    events = await _events(server)
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "Let me check."
    [requested] = [e for e in events if isinstance(e, ToolCallsRequested)]
    assert requested.calls == [ToolCall(c.id, c.name, c.arguments) for c in CALLS]
    assert events[-1] is requested  # given once, at the end of the reply
    assert Finished("tool_calls") in events
    assert server.chat_requests()[0].body["tools"] == TOOLS


async def test_no_tools_parameter_without_tools_and_no_event_without_calls(server: FakeOpenAI) -> None:
    server.queue(Reply(text="Plain."))
    events = await _events(server, tools=None)
    assert not [e for e in events if isinstance(e, ToolCallsRequested)]
    assert "tools" not in server.chat_requests()[0].body


async def test_a_server_that_rejects_tools_is_a_tools_rejected_error(server: FakeOpenAI) -> None:
    server.queue(Reply(status=400, error=TOOLS_REJECTED))
    with pytest.raises(ChatError) as caught:
        await _events(server)
    assert caught.value.kind == "tools_rejected"
    assert WITHOUT_TOOLS in way_out(caught.value).actions


async def test_a_plain_bad_request_with_tools_stays_a_bad_request(server: FakeOpenAI) -> None:
    server.queue(Reply(status=400, error={"error": {"message": "temperature is out of range", "type": "x"}}))
    with pytest.raises(ChatError) as caught:
        await _events(server)
    assert caught.value.kind == "bad_request"


def test_assembler_names_calls_without_ids_and_drops_nameless_ones() -> None:
    assembler = ToolCallAssembler()
    assembler.feed([{"index": 0, "function": {"name": "a", "arguments": '{"x"'}}])
    assembler.feed([{"index": 0, "function": {"arguments": ": 1}"}}])
    assembler.feed([{"index": 1, "function": {"arguments": "{}"}}])  # never named: left out
    assembler.feed([{"index": 2, "id": "call_0", "function": {"name": "b", "arguments": {"y": 2}}}])
    assembler.feed("garbage")
    assembler.feed([None, 3])
    assert assembler.calls() == [ToolCall("call_0_", "a", '{"x": 1}'), ToolCall("call_0", "b", '{"y": 2}')]
