"""The status line fits its width: least important facts go first, "writing…" never, a cut ends with "…"."""

from __future__ import annotations

import pytest

from causerie.testing.fake_openai import FakeOpenAI, Reply, error_body
from causerie.ui.screens.chat import ChatScreen
from causerie.ui.widgets.status import StatusLine, fit_parts

from .helpers import make_app, type_text, wait_for

USAGE = {"prompt_tokens": 1234, "completion_tokens": 44, "total_tokens": 1278}


def test_fit_parts_drops_the_least_important_first_and_keeps_the_state() -> None:
    parts = [("profile openai", 2), ("model gpt-6-luna", 5), ("last reply 1,278 tok (1,234 in, 44 out)", 0)]
    assert fit_parts(parts, "writing…", 200).endswith("out)  ·  writing…")
    assert fit_parts(parts, "writing…", 54) == "profile openai  ·  model gpt-6-luna  ·  writing…  ·  …"
    assert fit_parts(parts, "writing…", 53) == "model gpt-6-luna  ·  writing…  ·  …"
    assert fit_parts(parts, "writing…", 34) == "writing…  ·  …"
    assert fit_parts(parts, "writing…", 10).startswith("writing")
    for width in range(0, 90):
        assert len(fit_parts(parts, "stopped", width)) <= width


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 50)])
async def test_writing_is_always_shown_from_the_second_reply_on(server: FakeOpenAI, size: tuple[int, int]) -> None:
    server.queue(Reply(text="one", usage=USAGE), Reply(text="two words", usage=USAGE, stall_after=1))
    app = make_app(server)
    async with app.run_test(size=size) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        status = screen.query_one(StatusLine)
        await type_text(pilot, "first")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(screen.view.message_views()) == 2)
        await type_text(pilot, "second")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.streaming and len(screen.view.message_views()) == 4, what="streaming")
        await wait_for(pilot, lambda: "writing…" in str(status.render()), timeout=5, what="writing… shown")
        shown = str(status.render())
        assert len(shown) <= status.content_region.width
        assert "model gpt-6-luna" in shown
        if shown != status.full_text:
            assert shown.endswith("…")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not screen.streaming, what="stopped")


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_a_stopped_or_failed_turn_stays_said_on_the_status_line(
    server: FakeOpenAI, size: tuple[int, int]
) -> None:
    server.queue(
        Reply(text="one", usage=USAGE),
        Reply(text="two words", usage=USAGE, stall_after=1),
        Reply(status=400, error=error_body("invalid_request_error", "no")),
    )
    app = make_app(server)
    async with app.run_test(size=size) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        status = screen.query_one(StatusLine)
        shown = lambda: str(status.render())  # noqa: E731
        await type_text(pilot, "first")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(screen.view.message_views()) == 2)
        assert "stopped" not in shown() and "^r" not in shown()
        await type_text(pilot, "second")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "writing…" in shown(), what="writing… shown")
        await pilot.press("escape")
        await wait_for(pilot, lambda: "stopped (^g)" in shown(), what="stopped shown, with the key that goes on")
        await type_text(pilot, "third")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "no reply (^r)" in shown(), what="the failure shown")
        assert len(shown()) <= status.content_region.width
