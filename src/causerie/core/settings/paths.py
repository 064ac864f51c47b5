"""Where causerie keeps its data and configuration (platformdirs, or everything under CAUSERIE_HOME)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "causerie"


def home_override(environ: dict[str, str] | None = None) -> Path | None:
    """The CAUSERIE_HOME directory if set: it then holds `data/` and `config/`."""
    env = os.environ if environ is None else environ
    value = env.get("CAUSERIE_HOME")
    return Path(value).expanduser() if value else None


def data_dir(environ: dict[str, str] | None = None) -> Path:
    """Directory for conversations, the index and the trash."""
    home = home_override(environ)
    if home is not None:
        return home / "data"
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir(environ: dict[str, str] | None = None) -> Path:
    """Directory for config.toml and user themes."""
    home = home_override(environ)
    if home is not None:
        return home / "config"
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def config_file(environ: dict[str, str] | None = None) -> Path:
    """The config file; CAUSERIE_CONFIG names another one."""
    env = os.environ if environ is None else environ
    if env.get("CAUSERIE_CONFIG"):
        return Path(env["CAUSERIE_CONFIG"]).expanduser()
    return config_dir(environ) / "config.toml"


def user_themes_dir(environ: dict[str, str] | None = None) -> Path:
    """Directory of the user's own theme files."""
    return config_dir(environ) / "themes"
