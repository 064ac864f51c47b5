"""Themes in the app: bundled and user themes register, bad files are reported once each, the live picker."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.geometry import Region
from textual.message import Message
from textual.notifications import Notify
from textual.theme import BUILTIN_THEMES
from textual.widgets._toast import Toast

from causerie.core.settings import paths
from causerie.core.settings.config import load_settings
from causerie.core.settings.themes import ThemeError, bundled_theme_files, load_themes, parse_theme
from causerie.ui.app import CauserieApp
from causerie.ui.screens.chat import ChatScreen
from causerie.ui.screens.theme_picker import ThemePicker
from causerie.ui.themes import VARIABLE_FALLBACKS, check_spec, code_theme, register_all

from .helpers import SIZE, make_app, palette, wait_for

REPO = Path(__file__).resolve().parents[2]
BUNDLED = [name.removesuffix(".toml") for name, _ in bundled_theme_files()]


def theme_notices(messages: list[Message]) -> list[str]:
    return [m.notification.message for m in messages if isinstance(m, Notify) and m.notification.title == "Theme"]


def write_user_theme(name: str, text: str) -> Path:
    folder = paths.user_themes_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", BUNDLED)
async def test_every_bundled_theme_registers_and_styles_the_main_screen(name: str) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, ChatScreen)
        app.theme = name
        await pilot.pause()
        assert app.current_theme.name == name
        for variable in VARIABLE_FALLBACKS:
            assert variable in app.theme_variables
        assert (
            app.get_css_variables()["user-message-background"] == app.current_theme.variables["user-message-background"]
        )


async def test_textual_builtin_themes_stay_available_and_get_causerie_variables() -> None:
    app = make_app(theme="nord")
    async with app.run_test(size=SIZE) as pilot:
        assert set(BUILTIN_THEMES) <= set(app.available_themes)
        assert app.theme == "nord"
        await pilot.pause()
        variables = app.get_css_variables()
        assert variables["user-message-background"] == variables["surface"]


def test_code_theme_for_the_renderer() -> None:
    specs, _ = load_themes(None)
    themes = {s.name: check_spec(s) for s in specs}
    assert code_theme(themes["causerie-ansi"]) == "ansi_dark"
    assert code_theme(themes["causerie-light"]) == "default"
    assert code_theme(themes["causerie-dark"]) == "monokai"
    assert code_theme(BUILTIN_THEMES["textual-light"]) == "default"
    assert code_theme(BUILTIN_THEMES["ansi-light"]) == "ansi_light"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('name = "x"\nprimary = "blurple"\n', "'primary': failed to parse 'blurple' as a color; did you mean 'purple'"),
        ('name = "x"\nprimary = "#336699"\n[variables]\nuser-mesage-background = "#000"\n', "unknown variable"),
        ('name = "x"\nprimary = "#336699"\n[variables]\ncode-background = "nope"\n', "variable 'code-background'"),
        ('name = "x"\nprimary = "#336699"\n[variables]\nmessage-role-usr = "red"\n', "mean 'message-role-user'"),
        ('name = "x"\nprimary = "#336699"\n[variables]\nlink-style = "wavy"\n', "'wavy' is not a text style"),
        ('name = "x"\nprimary = "#336699"\n[variables]\ntext-muted = "auto 60% extra"\n', "not a colour"),
    ],
)
def test_colours_are_checked_with_textuals_parser(text: str, problem: str) -> None:
    spec = parse_theme(text, "mine.toml")
    with pytest.raises(ThemeError) as caught:
        check_spec(spec)
    assert str(caught.value).startswith("mine.toml: ") and problem in str(caught.value)


def test_textual_style_values_are_accepted() -> None:
    text = 'name = "x"\nprimary = "#336699"\n[variables]\ntext-muted = "auto 60%"\ninput-selection-background = "#81a1c1 35%"\nlink-style-hover = "bold not underline"\n'  # noqa: E501
    check_spec(parse_theme(text, "mine.toml"))


async def test_bad_user_files_give_one_notice_each_and_the_good_ones_load() -> None:
    good = write_user_theme("sunset.toml", 'name = "sunset"\nprimary = "#ff8800"\nbackground = "#201010"\n')
    syntax = write_user_theme("a-[draft].toml", 'name = "a"\nprimary = "#ff8800\n')  # not markup
    unknown = write_user_theme("b-unknown.toml", 'name = "b"\nprimary = "#ff8800"\ncolour = "#fff"\n')
    colour = write_user_theme("c-colour.toml", 'name = "c"\nprimary = "#ff8800"\nbackground = "darkish"\n')
    messages: list[Message] = []
    app = CauserieApp(load_settings({"theme": "sunset"}))
    async with app.run_test(size=SIZE, message_hook=messages.append, notifications=True) as pilot:
        await wait_for(pilot, lambda: len(theme_notices(messages)) >= 3, what="theme notices")
        await pilot.pause()
        notices = theme_notices(messages)
        assert len(notices) == 3
        assert notices[0].startswith(f"{syntax}: TOML syntax error")
        assert notices[1].startswith(f"{unknown}: unknown key 'colour'")
        assert notices[2].startswith(f"{colour}: 'background': failed to parse 'darkish'")
        assert app.theme == "sunset"
        assert app.current_theme.primary == "#ff8800"
        assert {"causerie-dark", "causerie-light", "sunset"} <= set(app.available_themes)
        assert not {"a", "b", "c"} & set(app.available_themes)
        await wait_for(pilot, lambda: len(app.screen.query(Toast)) >= 3, what="toasts")
        shown = [str(toast.render()) for toast in app.screen.query(Toast)]
        assert any(str(syntax) in text for text in shown), shown  # "[draft]" shown as typed, not taken as markup
    assert good.exists()


async def test_unknown_theme_name_falls_back_to_the_default_with_a_notice() -> None:
    messages: list[Message] = []
    app = make_app(theme="no-such-theme")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for(pilot, lambda: theme_notices(messages), what="notice")
        assert app.theme == "causerie-dark"
        assert theme_notices(messages) == ["Unknown theme 'no-such-theme': using causerie-dark."]


async def test_a_user_theme_can_replace_a_bundled_one() -> None:
    write_user_theme("dark.toml", 'name = "causerie-dark"\nprimary = "#123456"\n')
    app = make_app()
    async with app.run_test(size=SIZE):
        assert app.current_theme.primary == "#123456"


def test_register_all_reports_rejected_specs() -> None:
    app = CauserieApp(load_settings())
    specs = [
        parse_theme('name = "ok"\nprimary = "#111111"\n', "ok.toml"),
        parse_theme('name = "no"\nprimary = "bluish"\n', "no.toml"),
    ]
    names, errors = register_all(app, specs)
    assert names == ["ok"] and len(errors) == 1 and errors[0].startswith("no.toml: ")


# -- the picker --------------------------------------------------------------------------------------------------
CONFIG = """\
# my settings
model = "gpt-6-luna"  # cheap
theme = "causerie-dark"

[profiles.local]
base_url = "http://127.0.0.1:9/v1"  # nothing listens here
"""


def picker_of(app: CauserieApp) -> ThemePicker:
    assert isinstance(app.screen, ThemePicker)
    return app.screen


async def test_picker_previews_live_and_enter_saves_the_choice_keeping_the_rest_of_the_config() -> None:
    config = paths.config_file()
    config.parent.mkdir(parents=True)
    config.write_text(CONFIG, encoding="utf-8")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, ThemePicker), what="picker")
        picker = picker_of(app)
        options = picker.option_list
        names = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert names[:4] == ["causerie-ansi", "causerie-dark", "causerie-high-contrast", "causerie-light"]
        assert set(BUILTIN_THEMES) <= set(names)
        assert options.highlighted == names.index("causerie-dark")
        await pilot.press("down")
        await wait_for(pilot, lambda: app.theme == "causerie-high-contrast", what="preview of the next theme")
        await pilot.press("down")
        await wait_for(pilot, lambda: app.theme == "causerie-light", what="preview of the one after")
        await pilot.pause()
        assert app.get_css_variables()["background"].upper() == "#FAF8F3"
        await pilot.press("enter")
        await wait_for(pilot, lambda: 'theme = "causerie-light"' in config.read_text(encoding="utf-8"), what="save")
        assert isinstance(app.screen, ChatScreen)
        assert app.theme == "causerie-light"
    assert config.read_text(encoding="utf-8") == CONFIG.replace("causerie-dark", "causerie-light")
    assert load_settings().theme == "causerie-light"


async def test_escape_restores_the_theme_and_saves_nothing() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        changes: list[str] = []
        app.theme_changed_signal.subscribe(app, lambda theme: changes.append(theme.name))
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, ThemePicker), what="picker")
        picker = app.screen
        await pilot.press("up")
        await wait_for(pilot, lambda: app.theme == "causerie-ansi", what="preview")
        await pilot.press("down", "down", "escape")  # a preview still pending when Esc arrives is dropped too
        # A pending preview is a timer of the picker: once the picker is gone, it can no longer land.
        await wait_for(pilot, lambda: not picker.is_attached, what="the picker removed")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)
        assert app.theme == "causerie-dark" and changes[-1] == "causerie-dark"
    assert not paths.config_file().exists()


async def test_the_palette_theme_command_opens_the_picker() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await palette(pilot, "theme", "Theme")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ThemePicker), what="picker from the palette")


async def test_a_config_that_cannot_be_edited_keeps_the_theme_for_the_session_and_says_so() -> None:
    config = paths.config_file()
    config.parent.mkdir(parents=True)
    config.write_text('theme = "causerie-dark"\n', encoding="utf-8")
    messages: list[Message] = []
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        config.write_text("theme = \n", encoding="utf-8")  # broken after start
        await pilot.press("ctrl+t", "down", "enter")
        await wait_for(pilot, lambda: any("not saved" in n for n in theme_notices(messages)), what="error notice")
        assert app.theme == "causerie-high-contrast"
        assert str(config) in theme_notices(messages)[-1]
    assert config.read_text(encoding="utf-8") == "theme = \n"


def test_the_readme_example_passes_the_full_check() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    example = readme.split("```toml\n# <config>/themes/", 1)[1].split("```", 1)[0]
    theme = check_spec(parse_theme("# " + example, "README example"))
    assert theme.name == "sunset" and theme.variables["code-background"] == "#15131c"


async def test_the_prompt_takes_the_new_theme_s_colours_at_once() -> None:
    # The prompt applies its text-area styles only when its styles or the theme changed (not at every key): a
    # theme switch must still reach the text and the cursor.
    app = CauserieApp(load_settings(), cursor_blink=False)  # the cursor is drawn in the cursor style, always
    async with app.run_test(size=SIZE) as pilot:
        prompt = app.screen.query_one("#prompt")
        prompt.focus()
        await pilot.pause()

        def colours() -> set[str]:
            width = prompt.size.width
            strip = prompt.render_lines(Region(0, 1, width, 1))[0]  # line 0 is the border
            return {str(segment.style.bgcolor) for segment in strip if segment.style and segment.style.bgcolor}

        dark = colours()
        app.theme = "causerie-light"
        await pilot.pause()
        await pilot.pause()
        light = colours()
        assert dark and light and dark.isdisjoint(light)


def test_the_picker_says_which_theme_follows_the_terminals_colours() -> None:
    choices = dict(make_app().theme_choices())
    assert choices["causerie-ansi"] == "causerie, terminal colours"
    assert choices["causerie-dark"] == "causerie, dark" and choices["causerie-light"] == "causerie, light"
