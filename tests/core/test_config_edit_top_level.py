"""Setting a top-level key (how the theme picker saves the theme) edits one line of config.toml and keeps
everything else, comments included."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest

from causerie.core.settings import paths
from causerie.core.settings.config import load_settings
from causerie.core.settings.config_check import ConfigError
from causerie.core.settings.config_edit import set_top_level_key, set_top_level_text

COMMENTED = """\
# My causerie settings
profile = "ollama"   # local by default
theme = "causerie-dark"  # was dark
system_prompt = \"\"\"
[not a table]
theme = "inside a string"
\"\"\"

# Keys I like
[keymap]
"chat.new" = "ctrl+o"

[profiles.ollama]
model = "llama3.3"
"""


def test_replaces_the_value_and_keeps_its_comment_and_every_other_line() -> None:
    result = set_top_level_text(COMMENTED, "theme", "causerie-light")
    assert result == COMMENTED.replace('theme = "causerie-dark"  # was dark', 'theme = "causerie-light"  # was dark')


def test_inserts_after_the_last_top_level_setting_before_the_first_table() -> None:
    text = COMMENTED.replace('theme = "causerie-dark"  # was dark\n', "")
    result = set_top_level_text(text, "theme", "nord")
    lines = result.splitlines()
    assert lines[lines.index('"""') + 1] == 'theme = "nord"'
    assert tomllib.loads(result) == {**tomllib.loads(text), "theme": "nord"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 'theme = "nord"\n'),
        ("# just a comment", '# just a comment\ntheme = "nord"\n'),
        ('model = "m"', 'model = "m"\ntheme = "nord"\n'),
        ("# intro\n\n# profiles\n[profiles.x]\n", '# intro\n\ntheme = "nord"\n\n# profiles\n[profiles.x]\n'),
        ("theme = 'old'\r\n[keymap]\r\n", "theme = 'nord'\r\n[keymap]\r\n"),
        ('"theme" = "old"\n', '"theme" = "nord"\n'),
        ('theme = """old"""\nmodel = "m"\n', 'theme = "nord"\nmodel = "m"\n'),
        (
            'm = [\n  [1, 2],\n]\ntheme = "old"\n[t]\ntheme = "x"\n',
            'm = [\n  [1, 2],\n]\ntheme = "nord"\n[t]\ntheme = "x"\n',
        ),
    ],
)
def test_layouts(text: str, expected: str) -> None:
    assert set_top_level_text(text, "theme", "nord") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("it's", 'theme = "it\'s"\n'), ("a\nb", 'theme = "a\\nb"\n'), ("tab\there", "theme = 'tab\there'\n")],
)
def test_single_quotes_stay_unless_the_new_value_cannot_be_written_in_them(value: str, expected: str) -> None:
    result = set_top_level_text("theme = 'old'\n", "theme", value)
    assert result == expected
    assert tomllib.loads(result) == {"theme": value}


def test_a_theme_key_inside_a_table_is_not_the_top_level_one() -> None:
    text = '[keymap]\ntheme = "ctrl+t"\n'
    result = set_top_level_text(text, "theme", "nord")
    assert tomllib.loads(result) == {"theme": "nord", "keymap": {"theme": "ctrl+t"}}


def test_other_kinds_of_values() -> None:
    text = "read_timeout = 60  # seconds\nmax_retries = 2\n"
    assert set_top_level_text(text, "read_timeout", 90.5) == "read_timeout = 90.5  # seconds\nmax_retries = 2\n"
    assert set_top_level_text(text, "max_retries", 0) == "read_timeout = 60  # seconds\nmax_retries = 0\n"


def test_values_are_escaped() -> None:
    result = set_top_level_text("", "theme", 'odd "name" \\ é')
    assert tomllib.loads(result)["theme"] == 'odd "name" \\ é'


def test_invalid_toml_is_refused() -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        set_top_level_text("theme = \n", "theme", "nord")


def test_save_theme_round_trips_through_load_settings_and_creates_a_private_file() -> None:
    path = paths.config_file()
    set_top_level_key(path, "theme", "causerie-light")
    assert load_settings().theme == "causerie-light"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_save_theme_keeps_the_other_settings_and_the_file_mode() -> None:
    path = paths.config_file()
    path.parent.mkdir(parents=True)
    path.write_text(COMMENTED, encoding="utf-8")
    path.chmod(0o640)
    set_top_level_key(path, "theme", "causerie-high-contrast")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    settings = load_settings()
    assert settings.theme == "causerie-high-contrast"
    assert settings.profile == "ollama" and settings.model == "llama3.3"
    assert settings.keymap == {"chat.new": "ctrl+o"}
    assert "# Keys I like" in path.read_text(encoding="utf-8")


def test_a_symlinked_config_is_written_through_to_its_target(tmp_path: Path) -> None:
    target = tmp_path / "dotfiles" / "causerie.toml"
    target.parent.mkdir()
    target.write_text('model = "m"\n', encoding="utf-8")
    link = paths.config_file()
    link.parent.mkdir(parents=True)
    link.symlink_to(target)
    set_top_level_key(link, "theme", "nord")
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8") == 'model = "m"\ntheme = "nord"\n'


def test_a_broken_config_is_left_untouched() -> None:
    path = paths.config_file()
    path.parent.mkdir(parents=True)
    path.write_text("model = \n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        set_top_level_key(path, "theme", "nord")
    assert str(path) in str(caught.value)
    assert path.read_text(encoding="utf-8") == "model = \n"
    assert os.listdir(path.parent) == ["config.toml"]
