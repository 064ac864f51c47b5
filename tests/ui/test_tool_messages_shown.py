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


async def test_calls_show_on_one_line_and_a_long_result_folds_until_o(server: FakeOpenAI) -> None:
    conversation = Conversation(title="Files", model="gpt-6-luna")
    conversation.append(Message(role="user", content="What is in notes.txt?"))
    call = ToolCall("call_1", "files__read", '{\n  "path": "notes.txt",\n  "lines": 10\n}')
    conversation.append(Message(role="assistant", content="Let me look.", tool_calls=[call]))
    result = "\n".join(f"line {n} [b]not markup[/b]" for n in range(1, 11))
    conversation.append(
        Message(role="tool", content=result, tool_call_id="call_1", name=call.name, duration_s=0.25, is_error=True)
    )
    ConversationStore(paths.data_dir()).save(conversation)
    app = CauserieApp(load_settings({"base_url": server.base_url}), open_id=conversation.id)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen) and len(app.screen.query(MessageView)) == 3)
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        asked, tool = (screen.view.view_for(m.id) for m in conversation.messages[1:3])
        assert asked is not None and tool is not None
        assert str(asked.calls.render()) == '→ files › read {"path": "notes.txt", "lines": 10}'
        assert tool._label().plain == "Tool · files › read · 0.25 s · error · 10 lines, o: show all"
        await wait_for(pilot, lambda: tool.body.size.height == 3, what="the folded result")
        assert tool.body.plain_lines()[0] == "line 1 [b]not markup[/b]"  # shown as it came, never as markup
        tool.focus()
        await pilot.press("o")
        await wait_for(pilot, lambda: tool.body.size.height == 10, what="the whole result")
        assert tool._label().plain.endswith("10 lines, o: fold")
        await pilot.press("o")
        await wait_for(pilot, lambda: tool.body.size.height == 3, what="folded again")
