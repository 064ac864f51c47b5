"""A failure notice goes away when the retry succeeds: what went wrong is no longer true."""

from __future__ import annotations

from causerie.core.chat.retry import RetryPolicy
from causerie.testing.fake_openai import FakeOpenAI, Reply
from causerie.ui.screens.chat import ChatScreen
from causerie.ui.widgets.error_notice import ErrorNotice

from .helpers import SIZE, make_app, type_text, wait_for


async def test_the_failure_notice_goes_when_ctrl_r_succeeds(server: FakeOpenAI) -> None:
    server.queue(Reply(status=502, raw_body=b"bad gateway", content_type="text/plain"), Reply(text="here it is"))
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        screen.engine.retry_policy = RetryPolicy(attempts=0)  # no automatic retry: the user presses ctrl+r
        await type_text(pilot, "hello")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.view.query(ErrorNotice) and not screen.streaming, what="the failure")
        assert "ctrl+r" in screen.view.query_one(ErrorNotice).text
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: [v.text for v in screen.view.message_views()] == ["hello", "here it is"])
        await wait_for(pilot, lambda: not screen.streaming)
        await wait_for(pilot, lambda: not screen.view.query(ErrorNotice), timeout=5, what="the notice gone")


async def test_a_stopped_retry_keeps_the_notice(server: FakeOpenAI) -> None:
    server.queue(
        Reply(status=502, raw_body=b"bad gateway", content_type="text/plain"),
        Reply(text="slow words here", stall_after=1),
    )
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        screen.engine.retry_policy = RetryPolicy(attempts=0)
        await type_text(pilot, "hello")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.view.query(ErrorNotice) and not screen.streaming, what="the failure")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.streaming and len(screen.view.message_views()) == 2, what="the retry")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not screen.streaming, what="the retry stopped")
        assert len(screen.view.query(ErrorNotice)) == 1  # a stopped reply did not succeed
