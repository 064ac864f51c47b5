"""`causerie ask` calling an MCP tool, in a real terminal: a pre-allowed tool runs without a question, another one is
asked about on the terminal (y/N/a), even when stdin is not the terminal."""

from __future__ import annotations

import json
import os
import sys

from causerie.core.settings import paths
from causerie.testing.fake_openai import FakeOpenAI, Reply, ToolCallSpec
from tests.mcp_servers import WEATHER

from .conftest import Launch

FORECAST = ToolCallSpec("weather__forecast", '{"city": "Paris", "days": 2}', id="call_paris")


def _configure(allow: list[str]) -> None:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"[mcp_servers.weather]\ncommand = {json.dumps(sys.executable)}\nargs = [{json.dumps(WEATHER)}]\n"
        f"allow = {json.dumps(allow)}\n"
    )
    os.chmod(path, 0o600)


def _tool_result(server: FakeOpenAI) -> dict:
    [result] = [m for m in server.chat_requests()[-1].body["messages"] if m["role"] == "tool"]
    return result


def test_a_pre_allowed_tool_runs_without_a_question(launch: Launch, server: FakeOpenAI) -> None:
    _configure(["forecast"])
    server.queue(Reply(text="", tool_calls=[FORECAST], finish_reason="tool_calls"), Reply(text="Rain in Paris."))
    term = launch(server, "ask", "Weather in Paris?")
    assert term.wait_exit(timeout=60) == 0, term.text()
    assert "Rain in Paris." in term.text()
    assert "Run it?" not in term.text()
    assert _tool_result(server) == {
        "role": "tool",
        "tool_call_id": "call_paris",
        "content": "Paris: rain for 2 day(s), kelvin",
    }
    offered = [tool["function"]["name"] for tool in server.chat_requests()[0].body["tools"]]
    assert "weather__forecast" in offered


def test_another_tool_is_asked_about_on_the_terminal(launch: Launch, server: FakeOpenAI) -> None:
    _configure([])
    server.queue(Reply(text="", tool_calls=[FORECAST], finish_reason="tool_calls"), Reply(text="Rain in Paris."))
    term = launch(server, "ask", "Weather in Paris?")
    term.wait_for("Run it? [y]es once / [N]o / [a]lways:", timeout=60)
    assert '"city": "Paris"' in term.text()
    assert len(server.chat_requests()) == 1  # nothing ran and nothing was sent before the answer
    term.type("y\r")
    assert term.wait_exit(timeout=60) == 0, term.text()
    assert "Rain in Paris." in term.text()
    assert _tool_result(server)["content"] == "Paris: rain for 2 day(s), kelvin"


def test_a_denied_call_tells_the_model_and_runs_nothing(launch: Launch, server: FakeOpenAI) -> None:
    _configure([])
    server.queue(Reply(text="", tool_calls=[FORECAST], finish_reason="tool_calls"), Reply(text="As you wish."))
    term = launch(server, "ask", "Weather in Paris?")
    term.wait_for("Run it? [y]es once / [N]o / [a]lways:", timeout=60)
    term.type("\r")  # Enter alone is the default: no
    assert term.wait_exit(timeout=60) == 0, term.text()
    assert "As you wish." in term.text()
    result = _tool_result(server)
    assert result["tool_call_id"] == "call_paris"
    assert "rain" not in result["content"] and "declined" in result["content"]
