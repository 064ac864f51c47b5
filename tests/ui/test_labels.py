"""Every message shows its role line: loaded from disk, shown after a version switch, and while it streams."""

from __future__ import annotations

from causerie.testing.fake_openai import FakeOpenAI, Reply
from causerie.ui.screens.chat import ChatScreen
from causerie.ui.widgets.conversation import MessageView

from .helpers import SIZE, make_app, type_text, wait_for
from .seed import ago, seed


def shown_label(view: MessageView) -> str:
    """The text the role line shows on screen (not what it would compute)."""
    return str(view.label.content)


def chat(app) -> ChatScreen:
    assert isinstance(app.screen, ChatScreen)
    return app.screen


async def test_a_reopened_conversation_shows_its_labels(server: FakeOpenAI) -> None:
    saved = seed("c1", "Old talk", ago(days=3), [("hello", "hi there")])
    app = make_app(server, open_id=saved.id)
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
        await wait_for(pilot, lambda: len(screen.view.message_views()) == 2, what="the conversation shown")
        you, reply = screen.view.message_views()
        await wait_for(pilot, lambda: shown_label(reply) != "", timeout=5, what="the reply's label")
        assert shown_label(you) == "You"
        assert shown_label(reply) == "Assistant · gpt-6-luna"


async def test_both_versions_and_a_streaming_reply_show_their_labels(server: FakeOpenAI) -> None:
    server.queue(Reply(text="first answer"), Reply(text="second answer"))
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
        await type_text(pilot, "question")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(screen.view.message_views()) == 2)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: not screen.streaming and screen.view.message_views()[-1].text == "second answer")
        await pilot.press("shift+tab", "[")
        await wait_for(pilot, lambda: screen.view.message_views()[-1].text == "first answer", what="older version")
        await wait_for(pilot, lambda: "‹1/2›" in shown_label(screen.view.message_views()[-1]), timeout=5)
        await pilot.press("]")
        await wait_for(pilot, lambda: screen.view.message_views()[-1].text == "second answer", what="newer version")
        await wait_for(pilot, lambda: "‹2/2›" in shown_label(screen.view.message_views()[-1]), timeout=5)
        # A reply being written says so from its first word.
        server.queue(Reply(text="slow words here", stall_after=1))
        await pilot.press("escape")
        await type_text(pilot, "again")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.streaming and len(screen.view.message_views()) == 4)
        await wait_for(pilot, lambda: "writing…" in shown_label(screen.view.message_views()[-1]), timeout=5)
        await pilot.press("escape")  # stop it
        await wait_for(pilot, lambda: not screen.streaming, what="the reply stopped")
