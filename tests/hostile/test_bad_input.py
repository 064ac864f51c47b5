"""Hostile user input: huge pastes, control characters, lone surrogates, bidi, wide and combining characters."""

from __future__ import annotations

import pytest
from rich.console import Console
from textual import events

from causerie.core.conversation.models import Conversation, Message
from causerie.core.safe_text import encodable
from causerie.core.settings import paths
from causerie.core.storage.store import ConversationStore, encode_conversation
from causerie.testing.fake_openai import FakeOpenAI, Reply
from causerie.ui.screens.chat import ChatScreen
from causerie.ui.widgets.status import StatusLine

from ..ui.helpers import SIZE, make_app, type_text, wait_for

HOSTILE_TEXTS = {
    "1 MB paste": ("lorem ipsum dolor sit amet " * 40_000)[:1_000_000],
    "10,000 lines": "\n".join(f"line {i}: the quick brown fox" for i in range(10_000)),
    "NUL and C0 controls": "before\x00after\x01\x02\x1b[31mred\x7f\x00",
    "lone surrogates": "high \ud800 low \udfff escaped-byte \udc80 \ud800 end",
    "right-to-left": "שלום עולם \u202eevil\u202c مرحبا بالعالم \u2067isolate\u2069",
    "emoji and CJK": "👩‍👩‍👧‍👦 🇫🇷 你好世界 こんにちは 한국어 ｆｕｌｌｗｉｄｔｈ 🧑🏽‍💻",
    "combining marks": "Z̷̧̛̤̲̫͓̈́͑̿a̶̗̭͎̓̽l̸̨̙̓̀g̵̰̈́o̴̝͗" + "e\u0301" * 50 + "\u0300" * 200,
    "BOM and zero-widths": "\ufeff\u200b\u200c\u200d\u2060\ufffe text",
    "CRLF and lone CR": "one\r\ntwo\rthree\n",
}


@pytest.mark.parametrize("name", HOSTILE_TEXTS)
def test_saved_and_reloaded_exactly(name: str) -> None:
    text = HOSTILE_TEXTS[name]
    store = ConversationStore(paths.data_dir())
    conversation = Conversation(title=text[:200])
    conversation.append(Message(role="user", content=text))
    conversation.append(Message(role="assistant", content=text[::-1]))
    path = store.save(conversation)
    written = path.read_bytes()
    loaded = store.load(conversation.id)
    assert loaded.title == text[:200]
    assert [m.content for m in loaded.active_path()] == [text, text[::-1]]
    assert encode_conversation(loaded) == written  # a reload writes back the very same bytes
    assert [s.id for s in store.list()] == [conversation.id]
    assert store.problems() == []


def screen_of(app) -> ChatScreen:
    assert isinstance(app.screen, ChatScreen)
    return app.screen


@pytest.mark.parametrize("name", HOSTILE_TEXTS)
async def test_sent_shown_and_saved_exactly(server: FakeOpenAI, name: str) -> None:
    text = HOSTILE_TEXTS[name]
    if name == "CRLF and lone CR":
        # A paste into a text box normalises line ends, as every editor does; what is sent is what the box holds.
        expected = "one\ntwo\nthree\n"
    else:
        expected = text
    reply = text if len(text) < 100_000 else "short reply"  # huge replies are the markdown bombs' business
    server.queue(Reply(chunks=[reply[:1000], reply[1000:]] if len(reply) > 1000 else [reply]))
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        layout = (screen.prompt.region, screen.query_one(StatusLine).region)
        app.post_message(events.Paste(text))  # as the driver delivers a bracketed paste
        await wait_for(pilot, lambda: screen.prompt.text != "", what="the paste")
        # A paste over PASTE_INLINE_LIMIT is shown as a placeholder; full_text is what Enter sends.
        assert screen.prompt.full_text == expected
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(screen.view.message_views()) == 2, what="reply")
        await pilot.pause()
        # On the wire a lone surrogate becomes U+FFFD (it cannot be encoded); the saved text keeps it.
        assert server.chat_requests()[0].body["messages"][-1]["content"] == encodable(expected)
        views = screen.view.message_views()
        assert views[0].text == expected and views[1].text == reply
        # The prompt and the status line are where they were: the content did not push the layout around.
        assert (screen.prompt.region, screen.query_one(StatusLine).region) == layout
        conversation_id = screen.conversation.id
    saved = ConversationStore(paths.data_dir()).load(conversation_id)
    assert [m.content for m in saved.active_path()] == [expected, reply]


async def test_title_with_an_unclosed_bracket_in_the_sidebar(server: FakeOpenAI) -> None:
    # The title comes from the first message; Textual markup in it once crashed the sidebar.
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await type_text(pilot, "what does x[ mean, and [b] or [/dim]?")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(screen.view.message_views()) == 2, what="reply")
        await pilot.pause()
        assert screen.sidebar.ids == [screen.conversation.id]
        option = screen.sidebar.option_list.get_option(screen.conversation.id)
        console = Console(width=200, color_system=None)
        with console.capture() as captured:
            console.print(option.prompt)
        assert "what does x[ mean, and [b] or [/dim]?" in captured.get()


def test_shown_part_bounds_what_is_rendered() -> None:
    from causerie.ui.widgets.conversation import SHOWN_CHARS, SHOWN_LINES, shown_part

    assert shown_part("short\ntext") == ("short\ntext", 0)
    lines = "".join(f"{i}\n" for i in range(SHOWN_LINES + 5_000))
    shown, left_out = shown_part(lines)
    assert shown.count("\n") == SHOWN_LINES - 1 and shown + lines[len(shown) :] == lines
    assert left_out == len(lines) - len(shown)
    long_line = "x" * (SHOWN_CHARS * 3)
    assert shown_part(long_line) == ("x" * SHOWN_CHARS, SHOWN_CHARS * 2)
