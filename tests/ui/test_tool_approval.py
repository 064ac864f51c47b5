"""Tool calls in the app: the approval dialog's answers, its typing-ahead guard, Esc mid-loop (a real MCP server)."""

from __future__ import annotations

import json
import os
import sys
import time
import tomllib
from pathlib import Path

import pytest

from causerie.core.settings import paths
from causerie.core.tools.round import CANCELLED, DECLINED
from causerie.testing.fake_openai import FakeOpenAI, Reply, ToolCallSpec
from causerie.ui.screens.tool_approval import GUARD_SECONDS, ToolApprovalScreen
from tests.mcp_servers import WEATHER

from .helpers import SIZE, make_app, type_text, wait_for

CALL = ToolCallSpec("weather__environment", '{"name": "HOME"}', id="call_env")


def configure_weather() -> Path:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"[mcp_servers.weather]\ncommand = {json.dumps(sys.executable)}\nargs = [{json.dumps(WEATHER)}]\n")
    os.chmod(path, 0o600)
    return path


def screen_of(app):  # noqa: ANN001, ANN201
    return app.screen_stack[1]


async def ask_for_a_tool(pilot, app, server: FakeOpenAI) -> ToolApprovalScreen:  # noqa: ANN001
    server.queue(Reply(text="", tool_calls=[CALL], finish_reason="tool_calls"), Reply(text="Done."))
    await type_text(pilot, "Where is home?")
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ToolApprovalScreen), what="the approval dialog")
    dialog = app.screen
    await wait_for(pilot, lambda: time.monotonic() - dialog.shown_at >= GUARD_SECONDS, what="the guard to pass")
    return dialog


@pytest.mark.parametrize(("key", "allowed"), [("y", True), ("a", True), ("n", False)])
async def test_each_answer_of_the_dialog(server: FakeOpenAI, key: str, allowed: bool) -> None:
    config = configure_weather()
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await ask_for_a_tool(pilot, app, server)
        assert "environment" in str(dialog.query_one("#approval-title").render())
        await pilot.press(key)
        chat = screen_of(app)
        await wait_for(pilot, lambda: not chat.streaming and len(server.chat_requests()) == 2, what="the reply")
        tool = [m for m in chat.conversation.active_path() if m.role == "tool"][0]
        assert (tool.content == os.environ["HOME"]) is allowed
        assert (tool.content == DECLINED) is (not allowed)
        assert chat.conversation.active_path()[-1].content == "Done."
    allow = tomllib.loads(config.read_text())["mcp_servers"]["weather"].get("allow", [])
    assert ("environment" in allow) is (key == "a")


async def test_keys_typed_ahead_never_approve(server: FakeOpenAI) -> None:
    configure_weather()
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await ask_for_a_tool(pilot, app, server)
        dialog.guard_seconds = 3600  # as if it had just appeared, on any machine
        dialog.shown_at = time.monotonic()
        await pilot.press("y", "a")  # a key is handled before press() returns: an answer would have closed it
        assert app.screen is dialog
        dialog.guard_seconds = 0
        await pilot.press("y")
        chat = screen_of(app)
        await wait_for(pilot, lambda: not chat.streaming and len(server.chat_requests()) == 2, what="the reply")
        assert [m.content for m in chat.conversation.active_path() if m.role == "tool"] == [os.environ["HOME"]]


async def test_esc_in_the_dialog_stops_the_loop_and_keeps_everything(server: FakeOpenAI) -> None:
    configure_weather()
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await ask_for_a_tool(pilot, app, server)
        await pilot.press("escape")
        chat = screen_of(app)
        await wait_for(pilot, lambda: app.screen is chat and not chat.streaming, what="stopped")
        path = chat.conversation.active_path()
        assert [m.role for m in path] == ["user", "assistant", "tool"]
        assert path[-1].content == CANCELLED
        assert len(server.chat_requests()) == 1
