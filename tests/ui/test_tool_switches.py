"""F3 lists the MCP servers with their tools, each with a switch for the conversation (a real MCP server)."""

from __future__ import annotations

import json
import os
import sys

from textual.widgets import SelectionList

from causerie.core.settings import paths
from causerie.core.storage.store import ConversationStore
from causerie.testing.fake_openai import FakeOpenAI, Reply
from causerie.ui.screens.chat import ChatScreen
from causerie.ui.screens.conversation_settings import ConversationSettingsScreen
from causerie.ui.widgets.tool_switches import ToolSwitches
from tests.mcp_servers import WEATHER

from .helpers import SIZE, make_app, type_text, wait_for

HOSTILE_STDERR = "[bold]loud[/] [@click=app.quit]quit[/] \x1b[2J"


def configure(tables: str) -> None:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tables)
    os.chmod(path, 0o600)


def weather_table(name: str = "weather", *args: str) -> str:
    return f"[mcp_servers.{name}]\ncommand = {json.dumps(sys.executable)}\nargs = {json.dumps([WEATHER, *args])}\n"


def chat_of(app) -> ChatScreen:  # noqa: ANN001
    screen = app.screen_stack[1] if len(app.screen_stack) > 1 else app.screen
    assert isinstance(screen, ChatScreen)
    return screen


def rows(selection: SelectionList) -> dict[str, str]:
    """Each row's value and its text as shown."""
    return {
        option.value: option.prompt.plain
        for option in (selection.get_option_at_index(i) for i in range(selection.option_count))
    }


async def open_tools(pilot, app, settled: int = 1) -> tuple[ConversationSettingsScreen, SelectionList]:  # noqa: ANN001
    """F3, once `settled` servers are listed as ready or failed."""
    await pilot.press("f3")
    await wait_for(pilot, lambda: isinstance(app.screen, ConversationSettingsScreen), what="the settings screen")
    modal = app.screen
    selection = modal.query_one(ToolSwitches).selection

    def listed() -> bool:
        texts = [text for value, text in rows(selection).items() if value.endswith("__*")]
        return sum(" — ready" in text or " — failed" in text for text in texts) == settled

    await wait_for(pilot, listed, what="the servers listed as ready or failed")
    return modal, selection


async def switch(pilot, modal, selection: SelectionList, value: str) -> None:  # noqa: ANN001
    """Move to the row of `value` with the keyboard and press space."""
    modal.set_focus(selection)
    await pilot.press("home")
    values = list(rows(selection))
    await pilot.press(*["down"] * values.index(value))
    assert selection.highlighted_option is not None and selection.highlighted_option.value == value
    await pilot.press("space")


async def send(pilot, chat: ChatScreen, server: FakeOpenAI, text: str) -> dict:  # noqa: ANN001
    before = len(server.chat_requests())
    await type_text(pilot, text)
    await pilot.press("enter")
    await wait_for(pilot, lambda: not chat.streaming and len(server.chat_requests()) == before + 1, what="the reply")
    return server.chat_requests()[-1].body


async def test_a_tool_switched_off_in_f3_is_not_offered_and_stays_off_after_reopening(server: FakeOpenAI) -> None:
    configure(weather_table())
    server.default = Reply(text="ok")
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        chat = chat_of(app)
        modal, selection = await open_tools(pilot, app)
        shown = rows(selection)
        assert shown["weather__*"].startswith("weather — ready, ")
        assert shown["weather__forecast"].strip() == "forecast — The forecast for a city."
        assert set(selection.selected) == set(shown)  # a new conversation offers everything configured
        await switch(pilot, modal, selection, "weather__environment")
        assert "weather__environment" not in selection.selected
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is chat, what="the settings saved")
        body = await send(pilot, chat, server, "Weather?")
        offered = [tool["function"]["name"] for tool in body["tools"]]
        assert "weather__environment" not in offered
        assert {"weather__forecast", "weather__slow", "weather__big"} <= set(offered)
        conversation_id = chat.conversation.id
        saved = ConversationStore(paths.data_dir()).load(conversation_id)
        assert saved.disabled_tools == ["weather__environment"]

        # Reopened, F3 shows it off; switching the whole server off covers its tools, and nothing is offered.
        modal, selection = await open_tools(pilot, app)
        assert "weather__environment" not in selection.selected and "weather__forecast" in selection.selected
        await switch(pilot, modal, selection, "weather__*")
        tool_rows = [selection.get_option(f"tool-0-{i}") for i in range(len(rows(selection)) - 1)]
        assert all(row.disabled for row in tool_rows)  # greyed while their server is off
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is chat, what="the settings saved")
        assert "tools" not in await send(pilot, chat, server, "And now?")

    # A new run of the app: the conversation opened from the history keeps its switches.
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        chat = chat_of(app)
        assert chat.open_conversation(conversation_id)
        modal, selection = await open_tools(pilot, app)
        assert "weather__*" not in selection.selected
        assert "weather__environment" not in selection.selected and "weather__forecast" in selection.selected
        await switch(pilot, modal, selection, "weather__*")  # the server on again: its tools as they were
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is chat, what="the settings saved")
        offered = [tool["function"]["name"] for tool in (await send(pilot, chat, server, "Again?"))["tools"]]
        assert "weather__forecast" in offered and "weather__environment" not in offered


async def test_a_new_conversation_offers_every_tool_again(server: FakeOpenAI) -> None:
    configure(weather_table())
    server.default = Reply(text="ok")
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        chat = chat_of(app)
        modal, selection = await open_tools(pilot, app)
        await switch(pilot, modal, selection, "weather__*")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is chat, what="the settings saved")
        assert "tools" not in await send(pilot, chat, server, "First")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: not chat.conversation.messages, what="a new conversation")
        offered = [tool["function"]["name"] for tool in (await send(pilot, chat, server, "Second"))["tools"]]
        assert "weather__environment" in offered and "weather__forecast" in offered


async def test_hostile_tool_descriptions_and_server_errors_are_shown_as_text(server: FakeOpenAI, markup_guard) -> None:  # noqa: ANN001
    failing = [sys.executable, "-c", f"import sys; sys.stderr.write({HOSTILE_STDERR!r}); sys.exit(3)"]
    broken = f"[mcp_servers.broken]\ncommand = {json.dumps(failing[0])}\nargs = {json.dumps(failing[1:])}\n"
    configure(weather_table("weather", "--hostile") + broken + '[mcp_servers.idle]\ncommand = "x"\nenabled = false\n')
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        modal, selection = await open_tools(pilot, app, settled=2)
        shown = rows(selection)
        assert "[bold red]Hot[/] [@click=app.quit]click me[/]" in shown["weather__hostile"]
        assert shown["broken__*"].startswith("broken — failed: ")
        assert "[bold]loud[/] [@click=app.quit]quit[/]" in shown["broken__*"]
        assert not any("\x1b" in text for text in shown.values())
        assert shown["idle__*"] == "idle — off in the config (enabled = false)"
        assert selection.get_option("server-2").disabled  # switched on in the config only
        await pilot.press("escape")


async def test_the_list_follows_the_servers_while_f3_is_open(server: FakeOpenAI) -> None:
    # A server that never answers stays "starting" for its startup_timeout_sec (counted once the SDK is imported).
    configure(weather_table("mute", "--silent") + "startup_timeout_sec = 5\n")
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationSettingsScreen), what="the settings screen")
        modal = app.screen
        selection = modal.query_one(ToolSwitches).selection
        await wait_for(pilot, lambda: selection.option_count == 1, what="the server listed")
        assert rows(selection)["mute__*"] in ("mute — starting…", "mute — not started yet")
        await wait_for(pilot, lambda: "failed" in rows(selection)["mute__*"], what="the failure shown")
        assert app.screen is modal  # the same screen, never reopened
        assert rows(selection)["mute__*"].startswith("mute — failed: did not answer within 5 s")
