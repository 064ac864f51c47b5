"""First run: the setup screen (API key or detected local server), test connection, saving, and the app path."""

from __future__ import annotations

import argparse

import pytest
from textual.widgets import Button, Checkbox, Input, OptionList, RadioButton, Static

from causerie.commands.app import app_settings
from causerie.core.settings import paths
from causerie.core.settings.config import load_settings
from causerie.testing.fake_openai import FakeOpenAI
from causerie.ui.app import CauserieApp
from causerie.ui.screens.chat import ChatScreen
from causerie.ui.screens.setup import SetupScreen, local_profile_for
from causerie.ui.widgets.prompt import PromptInput

from .helpers import SIZE, type_text, wait_for


def hosted_settings():  # noqa: ANN201
    """Settings for a server that wants a key: the loopback server stands for a hosted one (loopback needs none)."""
    return load_settings().with_overrides(keyless=False)


KEY = "sk-setup-test-0123456789"


def _result(app: CauserieApp) -> str:
    return str(app.screen.query_one("#setup-result", Static).render())


async def _click(pilot, selector: str) -> None:  # noqa: ANN001
    """Click a button as a user would: not while it still shows its last press.

    A Button ignores clicks for `active_effect_duration` (0.2 s) after a press: with the SDK already imported a
    refusal comes back sooner than that, and a second click at once was silently dropped.
    """
    widget = pilot.app.screen.query_one(selector)
    ready = lambda: not (isinstance(widget, Button) and widget.has_class("-active"))  # noqa: E731
    await wait_for(pilot, ready, what=f"{selector} ready for a click")
    assert await pilot.click(selector), f"the click missed {selector}"
    await pilot.pause()


async def test_api_key_is_tested_then_used_for_this_session_only(
    server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    server.required_key = KEY
    app = CauserieApp(hosted_settings(), offer_setup=True)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, SetupScreen)
        await type_text(pilot, "sk-wrong-000000000")
        await _click(pilot, "#setup-test")
        await wait_for(pilot, lambda: "refused the API key" in _result(app), what="refusal")
        assert "sk-wrong" not in _result(app)
        app.screen.query_one("#setup-key", Input).value = KEY
        await _click(pilot, "#setup-test")
        await wait_for(pilot, lambda: "Connected to" in _result(app), what="success")
        assert "2 model(s)" in _result(app)
        await _click(pilot, "#setup-use")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="chat screen")
        assert app.settings.api_key == KEY and app.client is not None
        await wait_for(pilot, lambda: app.focused is app.screen.query_one(PromptInput), what="the prompt's focus")
        await type_text(pilot, "hello")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(server.chat_requests()) >= 1, what="request")
        assert server.chat_requests()[0].headers["authorization"] == f"Bearer {KEY}"
    assert not paths.config_file().exists()  # not saved unless asked


async def test_saving_the_key_writes_an_owner_only_config(server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    app = CauserieApp(hosted_settings(), offer_setup=True)
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#setup-key", Input).value = KEY
        app.screen.query_one("#setup-save", Checkbox).value = True
        await _click(pilot, "#setup-use")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="chat screen")
    path = paths.config_file()
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)
    assert load_settings().api_key == KEY
    assert "config.toml" in load_settings().api_key_source


async def test_local_server_is_detected_and_used(server: FakeOpenAI) -> None:
    dead = FakeOpenAI().start()
    dead_url = dead.base_url
    dead.stop()
    app = CauserieApp(load_settings(), local_candidates=[dead_url, server.base_url], offer_setup=True)
    async with app.run_test(size=SIZE) as pilot:
        await _click(pilot, "#setup-local")
        found = app.screen.query_one("#setup-found", OptionList)
        await wait_for(pilot, lambda: found.option_count == 1, what="detection")
        assert found.get_option_at_index(0).id == server.base_url
        assert app.screen.query_one("#setup-url", Input).value == server.base_url
        app.screen.query_one("#setup-save", Checkbox).value = True
        await _click(pilot, "#setup-test")
        await wait_for(pilot, lambda: "Connected to" in _result(app), what="success")
        await _click(pilot, "#setup-use")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="chat screen")
        assert app.settings.local and app.settings.base_url == server.base_url
        assert app.settings.profile == "local"
        await type_text(pilot, "hi")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(server.chat_requests()) >= 1, what="request")
    saved = load_settings()
    assert (saved.profile, saved.base_url, saved.local) == ("local", server.base_url, True)


async def test_no_local_server_says_where_it_looked() -> None:
    dead = FakeOpenAI().start()
    dead_url = dead.base_url
    dead.stop()
    app = CauserieApp(load_settings(), local_candidates=[dead_url], offer_setup=True)
    async with app.run_test(size=SIZE) as pilot:
        await _click(pilot, "#setup-local")
        await wait_for(pilot, lambda: "No local server answered" in _result(app), what="nothing found")
        assert dead_url in _result(app)
        await _click(pilot, "#setup-test")
        await wait_for(pilot, lambda: "Could not reach" in _result(app), what="exact problem")


def test_local_profile_names_follow_the_port() -> None:
    assert local_profile_for("http://127.0.0.1:11434/v1") == "ollama"
    assert local_profile_for("http://localhost:1234/v1") == "lmstudio"
    assert local_profile_for("http://127.0.0.1:9999/v1") == "local"


async def test_a_bad_config_starts_the_app_with_defaults_and_a_notice(server: FakeOpenAI) -> None:
    """The CLI exits 2 on a bad config for its verbs; the app starts anyway, on defaults, and says why."""
    config = paths.config_file()
    config.parent.mkdir(parents=True)
    config.write_text('theme = "x"\nwhat = 1\n')
    settings = app_settings(argparse.Namespace(model=None, base_url=server.base_url, profile=None, theme=None))
    assert f"{config}, line 2: unknown setting 'what'" in settings.config_notice
    app = CauserieApp(settings)
    notices: list[tuple[str, str]] = []
    real_notify = app.notify

    def recording_notify(message: str, *, title: str = "", **kwargs: object) -> None:
        notices.append((title, message))
        real_notify(message, title=title, **kwargs)  # type: ignore[arg-type]

    app.notify = recording_notify  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="chat")
        await wait_for(pilot, lambda: any(t == "Config file" for t, _ in notices), what="notice")
        message = next(m for t, m in notices if t == "Config file")
        assert "line 2" in message and "defaults are used" in message


async def test_a_profile_name_with_brackets_is_shown_as_written() -> None:
    config = paths.config_file()
    config.parent.mkdir(parents=True)
    config.write_text('profile = "team[/]"\n[profiles."team[/]"]\nmodel = "m"\n')
    settings = load_settings()
    assert settings.profile == "team[/]" and not settings.can_send
    app = CauserieApp(settings, offer_setup=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SetupScreen), what="setup")
        choice = app.screen.query_one("#setup-openai", RadioButton)
        assert str(choice.label) == "An API key for profile 'team[/]'"
        await _click(pilot, "#setup-skip")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="chat screen")


async def test_at_80x24_every_field_is_whole_and_nothing_overlaps(server: FakeOpenAI) -> None:
    app = CauserieApp(hosted_settings(), offer_setup=True)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, SetupScreen)
        screen = app.screen
        key, remember = screen.query_one("#setup-key", Input), screen.query_one("#setup-save", Checkbox)
        buttons = list(screen.query(Button).filter("#setup-buttons Button"))
        await wait_for(pilot, lambda: key.region.height == 3, what="the key field laid out whole")
        assert not key.region.overlaps(remember.region)
        assert remember.region.height == 3
        for button in buttons:
            assert screen.region.contains_region(button.region), button.id
        assert key.region.bottom <= remember.region.y <= buttons[0].region.y - remember.region.height
