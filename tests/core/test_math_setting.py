"""The `render_math` setting: on unless the config file turns it off, and checked like every other key."""

from __future__ import annotations

import os

import pytest

from causerie.core.settings import paths
from causerie.core.settings.config import ConfigError, load_settings


def write_config(text: str) -> None:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.chmod(path, 0o600)


def test_on_by_default_and_off_from_the_file() -> None:
    assert load_settings().render_math is True
    write_config("render_math = false\n")
    assert load_settings().render_math is False


def test_a_wrong_value_names_the_line() -> None:
    write_config('model = "m"\nrender_math = "no"\n')
    with pytest.raises(ConfigError, match="line 2: render_math must be true or false"):
        load_settings()
