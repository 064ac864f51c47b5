"""[mcp_servers.NAME] in config.toml: Codex CLI's form, causerie's `allow`, one warning for unused Codex keys."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest

from causerie.core.settings import paths
from causerie.core.settings.config import ConfigError, load_settings
from causerie.core.settings.config_edit import set_mcp_server_list
from causerie.core.tools.config import ServerConfig

WEATHER = """\
max_tool_rounds = 4

# the weather station
[mcp_servers.weather]
command = "python"
args = ["weather_server.py"]
env = { UNITS = "metric" }      # optional
enabled = true
startup_timeout_sec = 10
tool_timeout_sec = 60
enabled_tools = ["forecast"]
allow = ["forecast"]            # runs without asking

[mcp_servers.remote]
url = "http://127.0.0.1:9000/mcp"
bearer_token_env_var = "REMOTE_TOKEN"
http_headers = { "X-Team" = "a" }
"""


def _write(text: str, mode: int = 0o600) -> Path:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


def _load():  # noqa: ANN202
    return load_settings({}, {"CAUSERIE_HOME": os.environ["CAUSERIE_HOME"]})


def test_codex_form_is_read_and_unused_codex_keys_get_one_warning() -> None:
    _write(WEATHER)
    settings = _load()
    weather, remote = settings.tool_servers
    assert weather == ServerConfig(
        name="weather",
        command="python",
        args=("weather_server.py",),
        env={"UNITS": "metric"},
        startup_timeout_sec=10.0,
        tool_timeout_sec=60.0,
        enabled_tools=("forecast",),
        allow=("forecast",),
    )
    assert (remote.url, remote.transport, remote.command) == ("http://127.0.0.1:9000/mcp", "http", None)
    assert settings.max_tool_rounds == 4
    assert settings.config_warnings == (
        "MCP server settings causerie does not use were ignored: bearer_token_env_var (in remote); "
        "http_headers (in remote).",
    )
    assert weather.offers("forecast") and not weather.offers("alerts")


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ('command = "x"\ncolour = "red"', "line 3: unknown setting 'colour' in [mcp_servers.w]"),
        ('command = "x"\nurl = "http://h/mcp"', "line 1: [mcp_servers.w] needs a command or a url (one)"),
        ("args = []", "needs a command or a url (one)"),
        ('command = "x"\nargs = [1]', "line 3: args in [mcp_servers.w] must be strings"),
        ('command = "x"\nenv = { A = 1 }', "env in [mcp_servers.w] must map names to strings"),
        ('command = "x"\ntool_timeout_sec = 0', "tool_timeout_sec in [mcp_servers.w] must be more than 0"),
        ('command = "x"\nallow = "forecast"', "allow in [mcp_servers.w] must be a list of tool names"),
    ],
)
def test_a_bad_server_table_is_one_clear_error(table: str, problem: str) -> None:
    _write(f"[mcp_servers.w]\n{table}\n")
    with pytest.raises(ConfigError) as caught:
        _load()
    assert problem in str(caught.value)


def test_a_bad_server_name_and_a_bad_round_limit_are_refused() -> None:
    _write('[mcp_servers."a b"]\ncommand = "x"\n')
    with pytest.raises(ConfigError, match="letters, digits, - and _ only"):
        _load()
    _write("max_tool_rounds = 0\n")
    with pytest.raises(ConfigError, match="max_tool_rounds must be 1 or more"):
        _load()


def test_a_file_others_can_change_is_refused_when_it_names_a_command() -> None:
    path = _write(WEATHER, 0o646)
    with pytest.raises(ConfigError) as caught:
        _load()
    assert "other users can change it" in str(caught.value) and f"chmod 600 {path}" in str(caught.value)
    _write('[mcp_servers.remote]\nurl = "http://127.0.0.1:9000/mcp"\n', 0o646)  # no command: nothing to run
    assert _load().tool_servers[0].url
    _write(WEATHER, 0o644)
    assert _load().tool_servers[0].command == "python"


def test_always_allow_writes_the_list_and_keeps_the_rest_of_the_file() -> None:
    path = _write(WEATHER)
    set_mcp_server_list(path, "weather", "allow", ["forecast", "alerts"])
    text = path.read_text()
    assert 'allow = ["forecast", "alerts"]' in text
    assert "# the weather station" in text and 'env = { UNITS = "metric" }      # optional' in text
    data = tomllib.loads(text)
    assert data["mcp_servers"]["weather"]["allow"] == ["forecast", "alerts"]
    assert data["mcp_servers"]["remote"] == tomllib.loads(WEATHER)["mcp_servers"]["remote"]
    set_mcp_server_list(path, "remote", "allow", ["read"])  # no allow yet: added to the section
    assert tomllib.loads(path.read_text())["mcp_servers"]["remote"]["allow"] == ["read"]
    assert _load().tool_servers[1].allow == ("read",)


def test_always_allow_edits_an_inline_server_table_too() -> None:
    path = _write('mcp_servers = { inline = { command = "x" } }  # kept\n')
    set_mcp_server_list(path, "inline", "allow", ["t"])
    text = path.read_text()
    assert tomllib.loads(text)["mcp_servers"]["inline"] == {"command": "x", "allow": ["t"]}
    assert text.endswith("# kept\n")
