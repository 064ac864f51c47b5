"""Pasting into the prompt: short pastes are text, a 1 MB paste becomes a placeholder and the app keeps answering."""

from __future__ import annotations

from textual import events

from causerie.testing.fake_openai import FakeOpenAI, Reply
from causerie.ui.screens.chat import ChatScreen
from causerie.ui.widgets.prompt import PASTE_INLINE_LIMIT

from .helpers import SIZE, make_app, type_text, wait_for


async def test_short_paste_is_inserted_once_at_the_cursor(server: FakeOpenAI) -> None:
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await type_text(pilot, "ab")
        await pilot.press("left")
        app.post_message(events.Paste("XY\nZ"))
        await pilot.pause()
        assert screen.prompt.text == "aXY\nZb"


async def test_one_megabyte_paste_keeps_the_app_responsive(server: FakeOpenAI) -> None:
    big = "".join(f"line {i:06d} " + "x" * 87 + "\n" for i in range(10_000))  # 1,000,000 characters
    assert len(big) == 1_000_000 > PASTE_INLINE_LIMIT
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await type_text(pilot, "see:")
        await pilot.press("ctrl+j")
        app.post_message(events.Paste(big))
        await pilot.pause()
        # The app still handles keys afterwards, and the box holds a one-line placeholder, not a megabyte.
        await type_text(pilot, " ok")
        assert screen.prompt.text == "see:\n[pasted text #1: 10,000 lines, 976 KB] ok"
        assert screen.prompt.full_text == "see:\n" + big + " ok"
        await pilot.press("home", "x")
        assert screen.prompt.text.endswith("x[pasted text #1: 10,000 lines, 976 KB] ok")


async def test_a_long_paste_is_sent_whole(server: FakeOpenAI) -> None:
    server.default = Reply(text="got it")
    long = "z" * (PASTE_INLINE_LIMIT + 5) + "\nend"
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        app.post_message(events.Paste(long))
        await pilot.pause()
        await type_text(pilot, "?")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(screen.conversation.messages) == 2, what="reply")
        sent = server.chat_requests()[0].body["messages"][-1]["content"]
        assert sent == long + "?"
        assert screen.conversation.active_path()[0].content == sent
        assert screen.prompt.text == ""


async def test_deleting_the_placeholder_drops_the_paste(server: FakeOpenAI) -> None:
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        app.post_message(events.Paste("y" * (PASTE_INLINE_LIMIT + 1)))
        await pilot.pause()
        assert screen.prompt.text.startswith("[pasted text #1: 1 line, ")
        screen.prompt.clear()
        await type_text(pilot, "short")
        assert screen.prompt.full_text == "short"
