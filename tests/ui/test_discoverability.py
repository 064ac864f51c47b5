"""F1 help built from the bindings, the command palette's providers, and `[keymap]` remapping."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from rich.console import Console

from causerie.testing.fake_openai import FakeOpenAI
from causerie.ui.bindings import bound_actions
from causerie.ui.keymap import check_keymap, declared_binding_ids
from causerie.ui.screens.chat import ChatScreen
from causerie.ui.screens.help import HelpScreen, help_renderable

from .helpers import SIZE, Recorder, palette, type_text, wait_for
from .seed import ago, fixed_app, seed

TODAY_ID = "20260314-140000000-aaaaaa"
OTHER_ID = "20260310-090000000-cccccc"


def write_config(home: Path, text: str) -> None:
    config = home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(text, encoding="utf-8")


async def test_f1_lists_every_bound_action_from_the_bindings() -> None:
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        chat = app.screen
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        help_screen = app.screen
        shown = {entry.id: entry for entry in help_screen.actions}
        # Read from the widgets: every id declared on the chat screen's widgets, screen and app is there.
        expected = {
            b.id
            for node in [*chat.walk_children(with_self=True), app]
            for _key, b in node._bindings  # the test cross-checks against Textual's own table
            if b.id
        }
        assert expected <= set(shown)
        for binding_id in ("app.quit", "app.help", "chat.new", "chat.search", "history.rename", "history.delete"):
            assert binding_id in shown
        assert shown["chat.new"].keys == ("^n",)
        assert shown["history.delete"].group == "History"
        console = Console(width=80, color_system=None)
        with console.capture() as captured:
            console.print(help_renderable(help_screen.actions, ""))
        lines = captured.get().splitlines()
        assert any("f2" in line and "Rename" in line and "history.rename" in line for line in lines)
        for entry in help_screen.actions:  # every id whole at 80 columns: it is what `[keymap]` needs
            assert any(line.rstrip().endswith(entry.id) for line in lines), entry.id
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="help closed")


async def test_help_shows_remapped_keys(causerie_home: Path) -> None:
    write_config(causerie_home, '[keymap]\n"chat.new" = "f9"\n')
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        entries = {e.id: e for e in bound_actions(app.screen)}
        assert entries["chat.new"].keys == ("f9",)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert {e.id: e for e in app.screen.actions}["chat.new"].keys == ("f9",)


async def test_keymap_remaps_a_binding(causerie_home: Path) -> None:
    write_config(causerie_home, '[keymap]\n"chat.new" = "f9"\n"history.rename" = "r"\n')
    seed(TODAY_ID, "Python packaging", ago(hours=1), [("How do I build a wheel?", "Use build.")])
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await wait_for(pilot, lambda: screen.sidebar.ids == [TODAY_ID])
        screen.open_conversation(TODAY_ID)
        screen.prompt.focus()
        await pilot.pause()
        await pilot.press("ctrl+n")  # the old key no longer starts a new conversation
        await pilot.pause()
        assert screen.conversation.id == TODAY_ID
        await pilot.press("f9")
        await wait_for(pilot, lambda: screen.conversation.id != TODAY_ID, what="new conversation from f9")
        screen.sidebar.option_list.focus()
        screen.sidebar.select(TODAY_ID)
        await pilot.press("r")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "TextDialog", what="rename on r")


async def test_keymap_moves_a_key_of_the_prompt(causerie_home: Path, server: FakeOpenAI) -> None:
    # The prompt and the boxes run their own bindings as keys come (in_order.py): the keymap's keys, not the class's.
    write_config(causerie_home, '[keymap]\n"prompt.send" = "ctrl+s"\n"prompt.newline" = "f6"\n')
    app = fixed_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        screen.prompt.focus()
        await type_text(pilot, "one")
        await pilot.press("enter")  # no longer sends, and is no newline binding either: TextArea's own Enter
        await pilot.press("f6")
        await type_text(pilot, "two")
        await wait_for(pilot, lambda: screen.prompt.text.count("\n") == 2, what="two line breaks")
        assert screen.conversation.messages == []  # nothing was sent by Enter
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: bool(screen.conversation.messages), what="sent by ctrl+s")
        assert screen.conversation.messages[0].content == "one\n\ntwo"


async def test_keys_that_are_no_key_names_are_reported_and_f1_shows_keys_as_text(causerie_home: Path) -> None:
    write_config(causerie_home, '[keymap]\n"chat.new" = "f9,x[/],[@click=app.screenshot]boom[/]"\n')
    app = fixed_app()
    recorder = Recorder()
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        await wait_for(pilot, lambda: bool(recorder.notifications()), what="the keymap warning")
        (warning,) = [n.message for n in recorder.notifications()]
        assert "'x[/]'" in warning and "'[@click=app.screenshot]boom[/]'" in warning
        assert app.user_keymap == {"chat.new": "f9"}
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        actions = app.screen.actions
        assert {e.id: e for e in actions}["chat.new"].keys == ("f9",)
        # Keys shown in the help are text: a key display holding brackets is never parsed as markup.
        crafted = [replace(e, keys=("x[/]", "[b]B")) if e.id == "chat.new" else e for e in actions]
        console = Console(width=100, color_system=None)
        with console.capture() as captured:
            console.print(help_renderable(crafted, ""))
        assert "x[/] [b]B" in captured.get()
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="help closed")
        assert app.is_running


async def test_unknown_keymap_ids_are_reported_not_fatal(causerie_home: Path) -> None:
    write_config(causerie_home, '[keymap]\n"chat.nope" = "f9"\n"chat.new" = "f9"\n')
    app = fixed_app()
    recorder = Recorder()
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        await pilot.pause()
        messages = [n.message for n in recorder.notifications()]
        assert any("'chat.nope' is not a binding id" in m for m in messages)
        assert app.user_keymap == {"chat.new": "f9"}


def test_check_keymap_knows_the_declared_ids() -> None:
    import causerie.ui.app  # noqa: F401 - imports every screen and widget

    ids = declared_binding_ids()
    assert {"app.quit", "app.help", "chat.new", "history.rename", "help.close", "search.close"} <= ids
    usable, errors = check_keymap({"chat.new": " f9 , f5 ", "x.y": "a", "chat.stop": " "})
    assert usable == {"chat.new": "f9,f5"}
    assert len(errors) == 2


async def test_palette_opens_a_conversation_by_fuzzy_title() -> None:
    seed(TODAY_ID, "Python packaging", ago(hours=1), [("How do I build a wheel?", "Use build.")])
    seed(OTHER_ID, "Trip to Lisbon", ago(days=4), [("Where to eat?", "Pastéis.")])
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await wait_for(pilot, lambda: len(screen.sidebar.ids) == 2)
        await palette(pilot, "trplis", "Trip to Lisbon")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.conversation.id == OTHER_ID, what="opened from the palette")
        assert [v.text for v in screen.view.message_views()] == ["Where to eat?", "Pastéis."]


async def test_palette_offers_and_runs_bound_actions() -> None:
    seed(TODAY_ID, "Python packaging", ago(hours=1), [("How do I build a wheel?", "Use build.")])
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await wait_for(pilot, lambda: screen.sidebar.ids == [TODAY_ID])
        screen.open_conversation(TODAY_ID)
        await pilot.pause()
        await palette(pilot, "sidebar", "Hide or show the history sidebar")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.sidebar.has_class("-hidden"), what="sidebar hidden by the palette")
        await palette(pilot, "new conv", "Start a new, empty conversation")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.conversation.id != TODAY_ID, what="new conversation by the palette")
