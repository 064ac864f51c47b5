"""Text from a hostile server or file: shown as typed (brackets visible, controls as symbols), never markup, no crash.

The markup guard (tests/markup_guard.py) also runs on every one of these tests.
"""

from __future__ import annotations

import argparse

from textual.command import CommandList, CommandPalette
from textual.widgets import Button, DataTable, Input, OptionList, RadioButton, Static, TextArea

from causerie.commands.app import app_settings
from causerie.core.settings import paths
from causerie.testing.fake_openai import FakeOpenAI, Reply, error_body
from causerie.ui.app import CauserieApp
from causerie.ui.screens.chat import ChatScreen
from causerie.ui.screens.conversation_settings import ConversationSettingsScreen
from causerie.ui.screens.usage import UsageScreen
from causerie.ui.widgets.status import StatusLine

from .helpers import SIZE, Recorder, make_app, type_text, wait_for
from .seed import ago, fixed_app, seed

CLICK_ID = "[@click=app.quit]gpt-5-click[/]"
ESC_ID = "gpt\x1b]0;pwned\x07-6\u202e"
ESC_SHOWN = "gpt␛]0;pwned␇-6⟨U+202E⟩"


def _model(name: str) -> dict[str, object]:
    return {"id": name, "object": "model", "created": 0, "owned_by": "x"}


async def test_model_ids_are_shown_as_typed_and_the_chosen_one_is_saved_byte_for_byte(server: FakeOpenAI) -> None:
    server.models = [_model(name) for name in (CLICK_ID, "[/]", ESC_ID)]
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        chat.conversation.system_prompt = "be \x1b]0;x\x07 brief \u202e"  # as read from a file
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationSettingsScreen), what="F3")
        modal = app.screen
        assert modal.query_one("#system-prompt", TextArea).text == "be ␛]0;x␇ brief ⟨U+202E⟩"
        options = modal.query_one("#models", OptionList)
        await wait_for(pilot, lambda: options.option_count == 3, what="the server's models")
        prompts = [options.get_option_at_index(i).prompt for i in range(3)]
        shown = [str(prompt) for prompt in prompts]
        assert sorted(shown) == sorted([CLICK_ID, "[/]", ESC_SHOWN])
        assert all(not prompt.spans for prompt in prompts)  # no @click, no style: plain text
        options.focus()
        options.highlighted = shown.index(ESC_SHOWN)
        await pilot.press("enter")
        assert modal.query_one("#model", Input).value == ESC_SHOWN
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is chat, what="F3 closed")
        assert chat.conversation.model == ESC_ID  # cleaning is display-only
        assert chat.conversation.system_prompt == "be \x1b]0;x\x07 brief \u202e"
        status = chat.query_one(StatusLine).full_text
        assert ESC_SHOWN in status and "\x1b" not in status


async def test_a_model_named_with_brackets_shows_in_the_usage_screen(server: FakeOpenAI) -> None:
    server.default = Reply(text="ok", usage={"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15})
    app = make_app(server, model="[/]")
    async with app.run_test(size=SIZE) as pilot:
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        await type_text(pilot, "hi")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(chat.conversation.messages) == 2 and not chat.streaming, what="reply")
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, UsageScreen) and app.screen.summary is not None)
        table = app.screen.query_one("#usage-models", DataTable)
        assert table.row_count == 1
        assert str(table.get_row_at(0)[0]) == "[/]"


async def test_a_title_with_closing_markup_stays_in_the_palette_with_every_older_one() -> None:
    seed("20260314-140000000-aaaaaa", "[/b] Lisbon notes", ago(hours=1), [("a", "b")])
    seed("20260310-090000000-cccccc", "Lisbon trip", ago(days=4), [("c", "d")])
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await wait_for(pilot, lambda: len(screen.sidebar.ids) == 2, what="sidebar")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="palette")
        await type_text(pilot, "lisbon")
        commands = app.screen.query_one(CommandList)

        def hits() -> list[str]:
            return [str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)]

        await wait_for(pilot, lambda: sum("Lisbon" in hit for hit in hits()) == 2, what=f"both titles ({hits()})")
        assert any("[/b] Lisbon notes" in hit for hit in hits())


async def test_markup_in_a_server_error_is_shown_by_test_connection(server: FakeOpenAI) -> None:
    message = "bad key [/INST] [@click=app.quit]click[/]"
    server.models_reply = Reply(status=401, error=error_body("invalid_api_key", message, "authentication_error"))
    app = make_app(setup=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query("#setup-test")), what="setup screen")
        app.screen.query_one("#setup-local", RadioButton).value = True
        app.screen.query_one("#setup-url", Input).value = server.base_url
        app.screen.query_one("#setup-test", Button).press()
        result = app.screen.query_one("#setup-result", Static)
        await wait_for(pilot, lambda: "[/INST]" in str(result.content), what=f"the error ({result.content})")
        assert "[@click=app.quit]click[/]" in str(result.content)
        assert app.is_running


async def test_notifications_of_outside_text_are_plain(server: FakeOpenAI) -> None:
    recorder = Recorder()
    app = make_app(server)
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        app.notify("saved as “[/INST] \x1b]0;x\x07”", title="Saved as a copy")
        await wait_for(pilot, lambda: bool(recorder.notifications()), what="notice")
        notice = recorder.notifications()[-1]
        assert notice.message == "saved as “[/INST] ␛]0;x␇”" and notice.markup is False
        await pilot.press("ctrl+n")  # the app still answers keys
        assert app.is_running


async def test_a_config_key_with_closing_markup_starts_the_app_with_a_notice(server: FakeOpenAI) -> None:
    config = paths.config_file()
    config.parent.mkdir(parents=True)
    config.write_text('"[/b]" = 1\n')
    recorder = Recorder()
    app = CauserieApp(app_settings(argparse.Namespace(model=None, base_url=server.base_url, profile=None, theme=None)))
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        await wait_for(pilot, lambda: any("[/b]" in n.message for n in recorder.notifications()), what="notice")
        assert isinstance(app.screen, ChatScreen)
