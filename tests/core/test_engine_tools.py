"""The engine's tool loop against the loopback server and a real MCP server: rounds, approval, Esc, the limit."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from causerie.core.chat.client import ChatClient
from causerie.core.conversation.models import Conversation, Message
from causerie.core.engine.engine import Engine
from causerie.core.engine.events import Finished, ToolAnswered, ToolRound
from causerie.core.engine.saving import SaveQueue
from causerie.core.engine.tool_step import Tools
from causerie.core.storage.store import ConversationStore
from causerie.core.tools.approval import Decision, ToolPolicy
from causerie.core.tools.config import ServerConfig
from causerie.core.tools.round import CANCELLED, DECLINED
from causerie.core.tools.servers import ToolServers
from causerie.core.tools.switches import SWITCHED_OFF
from causerie.testing.fake_openai import FakeOpenAI, Reply, ToolCallSpec
from tests.core.approvers import NeverAnswers, ScriptedApprover
from tests.mcp_servers import WEATHER


@pytest.fixture
async def client(server: FakeOpenAI) -> AsyncIterator[ChatClient]:
    chat = ChatClient(base_url=server.base_url, api_key="sk-tools-test")
    yield chat
    await chat.close()


def engine_with(client: ChatClient, store: ConversationStore, servers: ToolServers, approver, rounds: int = 10):  # noqa: ANN001, ANN201
    tools = Tools(servers, approver, ToolPolicy(servers), max_rounds=rounds, wait_timeout=10)
    return Engine(client, SaveQueue(store), tools=tools)


def conversation_with(prompt: str) -> Conversation:
    conversation = Conversation(model="gpt-6-luna")
    conversation.append(Message(role="user", content=prompt))
    return conversation


@pytest.mark.parametrize("style", ["openai", "ollama"])
async def test_a_round_runs_the_calls_and_asks_the_model_again(
    server: FakeOpenAI, client: ChatClient, servers: ToolServers, tmp_path: Path, style: str
) -> None:
    calls = [
        ToolCallSpec("weather__forecast", '{"city": "Oslo"}', id="call_a"),
        ToolCallSpec("weather__environment", '{"name": "HOME"}', id="call_b"),
    ]
    server.queue(Reply(text="", tool_calls=calls, tool_style=style, finish_reason="tool_calls"), Reply(text="Rain."))
    store = ConversationStore(tmp_path / "data")
    approver = ScriptedApprover(Decision.DENY)  # forecast is allowed in the config; environment is asked
    engine = engine_with(client, store, servers, approver)
    conversation = conversation_with("Weather in Oslo?")
    events = [event async for event in engine.run(conversation, "gpt-6-luna")]
    assert [p.tool for p in approver.asked] == ["environment"]
    assert ToolRound in [type(e) for e in events] and isinstance(events[-1], Finished)
    answered = [e.message for e in events if isinstance(e, ToolAnswered)]
    assert [(m.tool_call_id, m.is_error) for m in answered] == [("call_a", False), ("call_b", True)]
    assert answered[1].content == DECLINED and answered[0].content.startswith("Oslo")
    first, second = server.chat_requests()
    assert [t["function"]["name"] for t in first.body["tools"]] == [
        s.to_openai()["function"]["name"] for s in servers.tools()
    ]
    sent = second.body["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "tool", "tool"]
    assert [c["id"] for c in sent[1]["tool_calls"]] == ["call_a", "call_b"]
    assert [m["tool_call_id"] for m in sent[2:]] == ["call_a", "call_b"]
    saved = ConversationStore(store.data_dir).load(conversation.id).active_path()
    assert [m.role for m in saved] == ["user", "assistant", "tool", "tool", "assistant"]
    assert saved[-1].content == "Rain."


async def test_esc_at_the_approval_prompt_answers_every_call_and_keeps_everything(
    server: FakeOpenAI, client: ChatClient, servers: ToolServers, tmp_path: Path
) -> None:
    calls = [ToolCallSpec("weather__environment", '{"name": "HOME"}', id="call_b")]
    server.queue(Reply(text="Let me look.", tool_calls=calls, finish_reason="tool_calls"))
    store = ConversationStore(tmp_path / "data")
    approver = NeverAnswers()
    engine = engine_with(client, store, servers, approver)
    conversation = conversation_with("Where is home?")

    async def consume() -> None:
        async for _ in engine.run(conversation, "gpt-6-luna"):
            pass

    task = asyncio.create_task(consume())
    await asyncio.wait_for(approver.asked.wait(), 30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    saved = ConversationStore(store.data_dir).load(conversation.id).active_path()
    assert [m.role for m in saved] == ["user", "assistant", "tool"]
    assert saved[1].content == "Let me look." and saved[2].content == CANCELLED
    assert len(server.chat_requests()) == 1


async def test_a_model_that_keeps_calling_stops_at_the_round_limit(
    server: FakeOpenAI, client: ChatClient, servers: ToolServers, tmp_path: Path
) -> None:
    call = [ToolCallSpec("weather__forecast", '{"city": "Oslo"}')]
    server.default = Reply(text="", tool_calls=call, finish_reason="tool_calls")
    store = ConversationStore(tmp_path / "data")
    engine = engine_with(client, store, servers, ScriptedApprover(), rounds=2)
    conversation = conversation_with("Loop")
    events = [event async for event in engine.run(conversation, "gpt-6-luna")]
    assert [e.number for e in events if isinstance(e, ToolRound)] == [1, 2]
    assert any("Stopped after 2 rounds" in getattr(e, "text", "") for e in events)
    assert len(server.chat_requests()) == 3
    last = ConversationStore(store.data_dir).load(conversation.id).active_path()[-1]
    assert last.role == "tool" and "limit" in last.content  # the unrun calls are answered too


async def test_tools_switched_off_in_the_conversation_are_not_offered_and_a_call_to_one_never_runs(
    server: FakeOpenAI, client: ChatClient, tmp_path: Path
) -> None:
    ran = tmp_path / "calls.txt"
    config = ServerConfig(
        name="weather", command=sys.executable, args=(WEATHER,), env={"WEATHER_CALLS": str(ran)}, allow=("forecast",)
    )
    servers = ToolServers([config])
    [status] = await servers.start()
    assert status.state == "ready", status.error
    try:
        calls = [
            ToolCallSpec("weather__environment", '{"name": "HOME"}', id="call_off"),  # offered or not, models call
            ToolCallSpec("weather__forecast", '{"city": "Oslo"}', id="call_on"),
        ]
        server.queue(Reply(text="", tool_calls=calls, finish_reason="tool_calls"), Reply(text="Rain."))
        store = ConversationStore(tmp_path / "data")
        approver = ScriptedApprover()  # environment is not allowed: asking about it would fail the turn
        engine = engine_with(client, store, servers, approver)
        conversation = conversation_with("Weather in Oslo?")
        conversation.disabled_tools = ["weather__environment"]
        events = [event async for event in engine.run(conversation, "gpt-6-luna")]
        assert isinstance(events[-1], Finished)
        offered = [t["function"]["name"] for t in server.chat_requests()[0].body["tools"]]
        assert "weather__environment" not in offered
        assert "weather__forecast" in offered and len(offered) == len(servers.tools()) - 1
        answered = {e.message.tool_call_id: e.message for e in events if isinstance(e, ToolAnswered)}
        assert answered["call_off"].content == SWITCHED_OFF and answered["call_off"].is_error
        assert answered["call_on"].content.startswith("Oslo") and not answered["call_on"].is_error
        assert approver.asked == []
        assert ran.read_text().split() == ["forecast"]  # the switched-off tool never ran
        saved = ConversationStore(store.data_dir).load(conversation.id)
        assert saved.disabled_tools == ["weather__environment"]

        # A whole server switched off: the request carries no tools at all, and its calls are not run either.
        conversation.disabled_tools = ["weather__*"]
        conversation.append(Message(role="user", content="And in Bergen?"))
        server.queue(Reply(text="", tool_calls=[calls[1]], finish_reason="tool_calls"), Reply(text="Rain too."))
        events = [event async for event in engine.run(conversation, "gpt-6-luna")]
        assert isinstance(events[-1], Finished)
        assert "tools" not in server.chat_requests()[-2].body
        [message] = [e.message for e in events if isinstance(e, ToolAnswered)]
        assert message.content == SWITCHED_OFF
        assert ran.read_text().split() == ["forecast"]
    finally:
        await servers.stop()
