"""The main screen driven with Pilot against a loopback server."""

from __future__ import annotations

import gc

from causerie.core.settings import paths
from causerie.core.storage.store import ConversationStore
from causerie.testing.fake_openai import INVALID_KEY, FakeOpenAI, Reply
from causerie.ui.screens.chat import ChatScreen
from causerie.ui.screens.setup import SetupScreen
from causerie.ui.widgets.conversation import ConversationView, Notice
from causerie.ui.widgets.prompt import PromptInput
from causerie.ui.widgets.sidebar import HistorySidebar
from causerie.ui.widgets.status import StatusLine

from .helpers import SIZE, make_app, type_text, wait_for


def screen_of(app) -> ChatScreen:
    assert isinstance(app.screen, ChatScreen)
    return app.screen


async def test_type_send_and_see_the_streamed_reply(server: FakeOpenAI) -> None:
    server.queue(Reply(text="# Title\n\nSome **bold** text and `code`.", delay=0.01))
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await type_text(pilot, "Hello there")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(screen.view.message_views()) == 2, what="reply")
        views = screen.query_one(ConversationView).message_views()
        assert [v.message.role for v in views] == ["user", "assistant"]
        assert views[0].text == "Hello there"
        assert views[1].text == "# Title\n\nSome **bold** text and `code`."
        assert views[1].message.finish_reason == "stop"
        assert screen.query_one(PromptInput).text == ""
        sidebar = screen.query_one(HistorySidebar)
        assert sidebar.ids == [screen.conversation.id]
        status_line = screen.query_one(StatusLine)
        status = str(status_line.render())
        assert "gpt-6-luna" in status
        assert "tok" in status_line.full_text  # at this width the token counts are cut, and the line says so
        assert status == status_line.full_text or status.endswith("…")
    saved = ConversationStore(paths.data_dir()).load(screen.conversation.id)
    assert [m.content for m in saved.active_path()] == ["Hello there", "# Title\n\nSome **bold** text and `code`."]
    assert saved.active_path()[1].usage is not None


async def test_newline_key_and_multiline_prompt(server: FakeOpenAI) -> None:
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await type_text(pilot, "line one")
        await pilot.press("ctrl+j")
        await type_text(pilot, "line two")
        assert screen.prompt.text == "line one\nline two"
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(server.chat_requests()) == 1 and not screen.streaming)
        assert server.chat_requests()[0].body["messages"][-1]["content"] == "line one\nline two"


async def test_escape_stops_and_keeps_the_partial_reply(server: FakeOpenAI) -> None:
    server.queue(Reply(text=" ".join(f"word{i}" for i in range(400)), delay=0.02))
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await type_text(pilot, "long please")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "word5" in screen.conversation.active_path()[-1].content, what="some words")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not screen.streaming, what="stop")
        reply = screen.conversation.active_path()[-1]
        assert reply.role == "assistant"
        assert reply.finish_reason == "cancelled" and reply.partial
        assert "word5" in reply.content and "word399" not in reply.content
        assert screen.view.view_for(reply.id) is not None
    saved = ConversationStore(paths.data_dir()).load(screen.conversation.id)
    assert saved.active_path()[-1].finish_reason == "cancelled"
    assert saved.active_path()[-1].content == reply.content


async def test_reopen_in_a_second_app_and_continue(server: FakeOpenAI) -> None:
    server.queue(Reply(text="Paris is the capital of France."))
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await type_text(pilot, "Capital of France?")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(screen.view.message_views()) == 2)
        conversation_id = screen.conversation.id

    server.queue(Reply(text="About 2 million people."))
    second = make_app(server)
    async with second.run_test(size=SIZE) as pilot:
        screen = screen_of(second)
        sidebar = screen.query_one(HistorySidebar)
        await wait_for(pilot, lambda: sidebar.ids == [conversation_id], what="history")
        sidebar.option_list.focus()
        await pilot.press("down", "enter") if sidebar.option_list.highlighted is None else await pilot.press("enter")
        await wait_for(pilot, lambda: screen.conversation.id == conversation_id, what="reopen")
        assert [v.text for v in screen.view.message_views()] == [
            "Capital of France?",
            "Paris is the capital of France.",
        ]
        screen.prompt.focus()
        await type_text(pilot, "And its population?")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(screen.view.message_views()) == 4)
    sent = server.chat_requests()[-1].body["messages"]
    assert sent == [
        {"role": "user", "content": "Capital of France?"},
        {"role": "assistant", "content": "Paris is the capital of France."},
        {"role": "user", "content": "And its population?"},
    ]


async def test_new_conversation_and_sidebar_navigation(server: FakeOpenAI) -> None:
    server.default = Reply(text="ok")
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await type_text(pilot, "first")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(screen.view.message_views()) == 2)
        first_id = screen.conversation.id
        await pilot.press("ctrl+n")
        assert screen.view.message_views() == []
        await type_text(pilot, "second")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(screen.view.message_views()) == 2)
        sidebar = screen.query_one(HistorySidebar)
        assert sidebar.ids == [screen.conversation.id, first_id]
        await pilot.click(HistorySidebar, offset=(3, 4))  # second row of the list: the older conversation
        await wait_for(pilot, lambda: screen.conversation.id == first_id, what="click opens")
        assert [v.text for v in screen.view.message_views()] == ["first", "ok"]
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: sidebar.region.width == 0, what="the sidebar folded away")
        assert sidebar.has_class("-hidden") and app.focused is screen.prompt


async def test_no_key_shows_how_to_configure_and_keeps_the_text() -> None:
    app = make_app(setup=True)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, SetupScreen)  # first run: the setup screen; skipping it leaves help
        await pilot.press("escape")
        await pilot.pause()
        screen = screen_of(app)
        notices = screen.view.notices()
        assert notices and "OPENAI_API_KEY" in notices[0].text and "--base-url" in notices[0].text
        await type_text(pilot, "will this send")
        await pilot.press("enter")
        await pilot.pause()
        assert screen.prompt.text == "will this send"
        assert screen.view.message_views() == []


async def test_failed_request_shows_a_sentence_and_keeps_the_message(server: FakeOpenAI) -> None:
    server.queue(Reply(status=401, error=INVALID_KEY))
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await type_text(pilot, "important question")
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(n.has_class("-error") for n in screen.view.query(Notice)), what="error")
        errors = [n.text for n in screen.view.query(Notice) if n.has_class("-error")]
        assert "API key" in errors[0]
        assert [v.text for v in screen.view.message_views()] == ["important question"]
        # One key retries the same request without retyping.
        server.queue(Reply(text="answer"))
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: not screen.streaming and len(screen.view.message_views()) == 2)
        assert server.chat_requests()[-1].body["messages"][-1]["content"] == "important question"


def _bottom_line_shown(view: ConversationView) -> bool:
    """Whether the view is scrolled to its end (the last line of the last message is on screen)."""
    return view.scroll_y >= view.max_scroll_y - 1


async def test_the_view_follows_a_long_reply_to_its_end_unless_the_user_scrolls_up(server: FakeOpenAI) -> None:
    lines = "\n\n".join(f"Paragraph {i}: " + "words " * 12 for i in range(120))
    server.queue(Reply(text=lines, delay=0.002), Reply(text=lines, delay=0.002))
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        view = screen.view
        await type_text(pilot, "long please")
        await pilot.press("enter")
        # While it streams the reply grows taller than the pane, and the pane stays at its bottom.
        await wait_for(pilot, lambda: screen.streaming and view.max_scroll_y > view.size.height, what="a tall reply")
        assert _bottom_line_shown(view)
        await wait_for(pilot, lambda: not screen.streaming, what="the end of the reply")
        await pilot.pause()
        assert _bottom_line_shown(view)
        assert "Paragraph 119" in " ".join(view.message_views()[-1].body.plain_lines()[-3:])

        # Scrolled up while the next reply streams, the view stays where the user put it.
        await type_text(pilot, "again")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.streaming and len(view.message_views()) == 4, what="second reply")
        view.scroll_to(y=0, animate=False)
        await pilot.pause()
        await wait_for(pilot, lambda: not screen.streaming, what="the end of the second reply")
        await pilot.pause()
        assert view.scroll_y < view.size.height and not _bottom_line_shown(view)


async def test_what_lives_once_the_app_settled_is_left_out_of_later_garbage_collections(server: FakeOpenAI) -> None:
    # A full collection scanned every object of the app (110-270 ms: a stall in the middle of a reply); once the
    # background preparation is done they are frozen, and unfrozen when the app ends.
    before = gc.get_freeze_count()
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: gc.get_freeze_count() > before, what="the objects of the settled app frozen")
    assert gc.get_freeze_count() == 0
