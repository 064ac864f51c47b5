"""Small and large terminals: the sidebar folds away when narrow, the footer keeps Quit and Help."""

from __future__ import annotations

import functools

import pytest
from textual import events
from textual.widget import Widget
from textual.widgets import DataTable

from causerie.testing.fake_openai import FakeOpenAI, Reply
from causerie.ui.screens.chat import ChatScreen
from causerie.ui.screens.usage import UsageScreen
from causerie.ui.widgets.footer import KeptFooter

from .helpers import make_app, send_and_wait, type_text, wait_for
from .seed import ago, fixed_app, seed


def footer_keys(footer: KeptFooter) -> dict[str | None, Widget]:
    """The footer's keys by action (the kept ones included)."""
    return {getattr(key, "action", None): key for key in footer.query("FooterKey")}


async def test_at_80_columns_the_sidebar_starts_hidden_and_ctrl_b_shows_it_over_the_pane(server: FakeOpenAI) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await wait_for(pilot, lambda: screen.view.region.width > 0, what="the layout")
        assert not screen.sidebar.display or screen.sidebar.region.width == 0
        assert screen.view.region.width == 80  # the conversation has the whole width
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: screen.sidebar.region.width > 0, what="the sidebar shown")
        assert screen.view.region.width == 80  # over the pane, not squeezing it
        assert app.focused is screen.sidebar.option_list
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: app.focused is screen.prompt, what="back to the prompt")


async def test_at_80_columns_the_sidebar_over_the_pane_goes_when_the_focus_leaves_it(server: FakeOpenAI) -> None:
    seed("20260314-140000000-aaaaaa", "Lisbon notes", ago(hours=1), [("Where to eat?", "Pasteis.")])
    app = fixed_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await wait_for(pilot, lambda: screen.view.region.width > 0, what="the layout")
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: screen.sidebar.region.width > 0, what="the sidebar shown")
        await pilot.press("escape")  # back to the prompt: the sidebar no longer covers it
        await wait_for(pilot, lambda: app.focused is screen.prompt and not screen.sidebar.display, what="hidden")
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: app.focused is screen.sidebar.option_list, what="the list focused")
        app.post_message(events.AppBlur())  # the terminal loses the focus (alt+tab), then has it again: it stays
        await wait_for(pilot, lambda: app.focused is None, what="nothing focused while the terminal is away")
        app.post_message(events.AppFocus())
        await wait_for(pilot, lambda: app.focused is screen.sidebar.option_list, what="the list focused again")
        assert not screen.sidebar.has_class("-hidden")
        await pilot.press("f2")  # a dialog over it keeps it
        await wait_for(pilot, lambda: app.screen is not screen, what="the rename dialog")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.focused is screen.sidebar.option_list, what="back in the list")
        assert screen.sidebar.display
        await pilot.press("enter")  # open the highlighted conversation
        await wait_for(pilot, lambda: screen.conversation.title == "Lisbon notes", what="opened")
        await wait_for(pilot, lambda: app.focused is screen.prompt and not screen.sidebar.display, what="hidden")


async def test_at_120_columns_the_sidebar_is_beside_the_conversation(server: FakeOpenAI) -> None:
    app = make_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await wait_for(pilot, lambda: screen.sidebar.region.width > 0, what="the layout")
        assert screen.view.region.x >= screen.sidebar.region.right
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: not screen.sidebar.display, what="folded away when the terminal narrows")
        await wait_for(pilot, lambda: screen.view.region.width == 80, what="the whole width")


async def test_the_footer_keeps_quit_and_help_at_80_columns(server: FakeOpenAI) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        footer = screen.query_one(KeptFooter)
        keys = functools.partial(footer_keys, footer)
        await wait_for(pilot, lambda: {"quit", "help"} <= set(keys()), what="the footer's keys")
        await wait_for(pilot, lambda: keys()["quit"].region.width > 0, what="the footer laid out")
        shown = footer.region
        for action in ("quit", "help"):
            region = keys()[action].region
            assert region.width > 0 and shown.contains_region(region), f"{action} is not in sight: {region}"
        assert not keys()["quit"].region.overlaps(keys()["help"].region)
        await pilot.press("ctrl+b")  # the sidebar's keys join the footer: Quit and Help stay
        await wait_for(pilot, lambda: screen.sidebar.region.width > 0, what="the sidebar")
        await wait_for(pilot, lambda: "quit" in keys() and keys()["quit"].region.width > 0)
        assert footer.region.contains_region(keys()["quit"].region)


async def test_at_200_columns_messages_keep_a_readable_measure(server: FakeOpenAI) -> None:
    server.default = Reply(text="word " * 200)
    app = make_app(server)
    async with app.run_test(size=(200, 50)) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await type_text(pilot, "hello")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(screen.view.message_views()) == 2, what="reply")
        await wait_for(pilot, lambda: screen.view.message_views()[-1].region.width > 0, what="laid out")
        view = screen.view
        for message in view.message_views():
            region = message.region
            assert region.width <= 110
            # In the middle of the pane, not against its left edge.
            left, right = region.x - view.region.x, view.region.right - region.right
            assert abs(left - right) <= 4, (left, right)


async def test_the_footer_offers_stop_only_while_a_reply_is_written(server: FakeOpenAI) -> None:
    server.default = Reply(text="one two three four five six", delay=0.3)
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        footer = screen.query_one(KeptFooter)
        actions = lambda: set(footer_keys(footer))  # noqa: E731
        await wait_for(pilot, lambda: "quit" in actions(), what="the footer's keys")
        assert "stop" not in actions()
        await type_text(pilot, "count")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "stop" in actions(), what="Stop offered while the reply is written")
        stop = footer_keys(footer)["stop"]
        await wait_for(pilot, lambda: stop.region.width > 0, what="Stop laid out")
        assert stop.display and footer.region.contains_region(stop.region)  # in sight at 80 columns, whole
        assert stop.region.right <= footer_keys(footer)["quit"].region.x
        await pilot.press("escape")
        await wait_for(pilot, lambda: not screen.streaming, what="the reply stopped")
        await wait_for(pilot, lambda: "stop" not in actions(), what="Stop gone once it ended")
        assert screen.conversation.messages[-1].finish_reason == "cancelled"
        await pilot.press("shift+tab")  # to the messages
        await wait_for(pilot, lambda: app.focused is not screen.prompt, what="the focus on the messages")
        await pilot.press("escape")  # idle, Esc still brings the focus back to the prompt
        await wait_for(pilot, lambda: app.focused is screen.prompt, what="back to the prompt")


async def test_the_footer_hides_a_key_it_cannot_show_whole(server: FakeOpenAI) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        footer = screen.query_one(KeptFooter)
        keys = functools.partial(footer_keys, footer)
        await wait_for(
            pilot, lambda: "toggle_sidebar" in keys() and not keys()["toggle_sidebar"].display, what="a key hidden"
        )
        kept = keys()["quit"].region
        for action, key in keys().items():
            if key.display and action not in ("quit", "help", "command_palette"):
                assert key.region.right <= kept.x, f"{action} runs under Quit: {key.region} {kept}"
        await pilot.resize_terminal(200, 50)  # room for every key again
        await wait_for(pilot, lambda: all(k.display for k in keys().values()), what="every key shown")
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: not keys()["toggle_sidebar"].display, what="hidden again")


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_the_usage_tables_show_every_column(server: FakeOpenAI, size: tuple[int, int]) -> None:
    server.default = Reply(text="ok", usage={"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150})
    app = make_app(server)
    async with app.run_test(size=size) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await send_and_wait(pilot, screen, "count")
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, UsageScreen) and app.screen.summary is not None)
        days, models = app.screen.query_one("#usage-days", DataTable), app.screen.query_one("#usage-models", DataTable)
        await wait_for(pilot, lambda: days.row_count == 1 and models.row_count == 1, what="the rows")
        await pilot.pause()
        for table in (days, models):  # nothing hidden to the right (Cost was, at 80 columns)
            assert table.virtual_size.width <= table.scrollable_content_region.width, (table.id, table.virtual_size)
        side_by_side = models.region.x > days.region.x
        assert side_by_side == (size[0] >= UsageScreen.SIDE_BY_SIDE)
