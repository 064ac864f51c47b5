"""A schema-2 conversation with tool calls and results opens in the app, and the next request sends them right."""

from __future__ import annotations

from causerie.core.conversation.models import Conversation, Message, ToolCall
from causerie.core.settings import paths
from causerie.core.settings.config import load_settings
from causerie.core.storage.store import ConversationStore
from causerie.testing.fake_openai import FakeOpenAI, Reply
from causerie.ui.app import CauserieApp
from causerie.ui.screens.chat import ChatScreen
from causerie.ui.widgets.conversation import MessageView

from .helpers import SIZE, type_text, wait_for


async def test_a_conversation_with_a_tool_round_opens_and_continues(server: FakeOpenAI) -> None:
    conversation = Conversation(title="Weather", model="gpt-6-luna")
    conversation.append(Message(role="user", content="Weather in Oslo?"))
    call = ToolCall("call_1", "weather__forecast", '{"city": "Oslo"}')
    conversation.append(Message(role="assistant", content="", tool_calls=[call]))
    conversation.append(Message(role="tool", content="\x1b[31mrain\x1b[0m", tool_call_id="call_1", name=call.name))
    conversation.append(Message(role="assistant", content="It will rain."))
    ConversationStore(paths.data_dir()).save(conversation)
    server.default = Reply(text="Take an umbrella.")
    app = CauserieApp(load_settings({"base_url": server.base_url}), open_id=conversation.id)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen) and len(app.screen.query(MessageView)) >= 3)
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await type_text(pilot, "And tomorrow?")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(server.chat_requests()) == 1, what="the reply")
    sent = server.chat_requests()[0].body["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "tool", "assistant", "user"]
    assert sent[1]["tool_calls"][0]["function"] == {"name": "weather__forecast", "arguments": '{"city": "Oslo"}'}
    assert sent[2] == {"role": "tool", "tool_call_id": "call_1", "content": "\x1b[31mrain\x1b[0m"}
