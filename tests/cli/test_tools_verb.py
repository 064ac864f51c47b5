"""`causerie tools`: each server, whether it started (with the cause when not), its tools; exit 1 if one fails."""

from __future__ import annotations

import json
import os
import sys

import pytest

from causerie.core.settings import paths
from tests.cli.helpers import run_cli
from tests.mcp_servers import WEATHER


def _config(text: str) -> None:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.chmod(path, 0o600)


def _server(name: str, *args: str, extra: str = "") -> str:
    quoted = ", ".join(json.dumps(a) for a in (WEATHER, *args))
    return f"[mcp_servers.{name}]\ncommand = {json.dumps(sys.executable)}\nargs = [{quoted}]\n{extra}\n"


def test_lists_servers_and_tools_and_exits_0_when_all_start() -> None:
    _config(_server("weather", extra='enabled_tools = ["forecast", "slow"]\nallow = ["forecast"]\nenv_vars = ["X"]'))
    done = run_cli("tools")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("weather\tready\t")
    assert lines[1] == "  forecast\tweather__forecast (runs without asking)\tThe forecast for a city."
    assert lines[2] == "  slow\tweather__slow\tSleeps, then answers."
    assert "causerie does not use were ignored: env_vars (in weather)" in done.stderr


def test_a_server_that_fails_is_named_with_its_cause_and_exit_1() -> None:
    _config(_server("weather") + _server("broken", "--exit") + '[mcp_servers.off]\ncommand = "x"\nenabled = false\n')
    done = run_cli("tools", "--json")
    assert done.returncode == 1
    servers = {s["name"]: s for s in json.loads(done.stdout)}
    assert servers["weather"]["state"] == "ready" and len(servers["weather"]["tools"]) == 6
    assert servers["broken"]["state"] == "failed"
    assert "cannot open the station database" in servers["broken"]["error"]
    assert servers["off"]["state"] == "disabled"


def test_no_server_configured() -> None:
    done = run_cli("tools")
    assert done.returncode == 0 and done.stdout.startswith("No MCP server is configured")


@pytest.mark.parametrize("json_output", [False, True], ids=["lines", "json"])
def test_a_tool_description_reaches_the_terminal_without_its_controls(json_output: bool) -> None:
    _config(_server("weather", "--hostile"))
    done = run_cli("tools", *(["--json"] if json_output else []))
    assert done.returncode == 0, done.stderr
    assert not any(char in done.stdout for char in ("\x1b", "\x9b", "\x9d", "\x9c", "\u202e"))
    if json_output:  # the same text, its controls written as \u escapes
        (weather,) = json.loads(done.stdout)
        (hostile,) = [tool for tool in weather["tools"] if tool["name"] == "hostile"]
        assert hostile["description"].endswith("\x1b[31mred\x1b[0m \x9b2J \x9d0;t\x9c \u202eRTL")
    else:
        assert "[@click=app.quit]click me[/] ␛[31mred␛[0m" in done.stdout
