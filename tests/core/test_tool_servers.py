"""ToolServers against real MCP servers (the SDK's own server, as a process): start, tools, calls, failures, stop."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from causerie.core.tools.config import ServerConfig
from causerie.core.tools.servers import ToolServers
from tests.mcp_servers import WEATHER

LONG_TOOL = "a.very-long.tool.name.that.goes.on.and.on.and.on.beyond.the.api.limit"


def stdio(name: str = "weather", *flags: str, **kwargs) -> ServerConfig:  # noqa: ANN003
    return ServerConfig(name=name, command=sys.executable, args=(WEATHER, *flags), **kwargs)


async def test_a_stdio_server_starts_lists_its_tools_and_answers() -> None:
    servers = ToolServers([stdio(env={"UNITS": "metric"})])
    try:
        [status] = await servers.start()
        assert (status.state, status.error) == ("ready", "")
        names = {spec.tool: spec.exposed_name for spec in servers.tools()}
        assert names["forecast"] == "weather__forecast"
        forecast = servers.spec("weather__forecast")
        assert forecast is not None and forecast.input_schema["required"] == ["city"]
        assert forecast.to_openai()["function"]["name"] == "weather__forecast"
        result = await servers.call("weather__forecast", '{"city": "Oslo", "days": 2}')
        assert (result.text, result.is_error) == ("Oslo: rain for 2 day(s), metric", False)
        assert result.duration_s > 0
    finally:
        await servers.stop()
    assert servers.statuses()[0].state == "stopped"
    after = await servers.call("weather__forecast", '{"city": "Oslo"}')
    assert after.is_error and "not running" in after.text


async def test_bad_arguments_errors_and_timeouts_are_error_results() -> None:
    servers = ToolServers([stdio(tool_timeout_sec=3)], max_result_chars=100)
    try:
        await servers.start()
        for arguments, expected in [
            ("{not json", "not valid JSON"),
            ("[1, 2]", "must be a JSON object"),
            ("{}", "Missing required argument(s): city"),
            ('{"city": 3}', "'city' must be of type string"),
        ]:
            result = await servers.call("weather__forecast", arguments)
            assert result.is_error and expected in result.text, arguments
        broken = await servers.call("weather__broken", "")
        assert broken.is_error and "the barometer is broken" in broken.text
        slow = await servers.call("weather__slow", '{"seconds": 30}')
        assert slow.is_error and "did not answer within 3 s" in slow.text
        big = await servers.call("weather__big", '{"size": 5000}')
        assert not big.is_error
        assert big.text.startswith("x" * 100 + "\n[cut by causerie: the result was 5,000 characters")
        unknown = await servers.call("nowhere__tool", "{}")
        assert unknown.is_error and "no tool named" in unknown.text
        after = await servers.call("weather__forecast", '{"city": "Lyon"}')  # the server survived all that
        assert after.text.startswith("Lyon: rain")
    finally:
        await servers.stop()


async def test_the_server_gets_a_minimal_environment_and_never_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-in-the-environment")
    monkeypatch.setenv("CAUSERIE_SOMETHING", "private")
    config = stdio(env={"UNITS": "metric", "OPENAI_API_KEY": "sk-copied", "TOKEN": "sk-held-by-causerie"})
    servers = ToolServers([config], secrets=("sk-held-by-causerie",))
    try:
        await servers.start()
        seen = {}
        for name in ("OPENAI_API_KEY", "CAUSERIE_SOMETHING", "TOKEN", "UNITS", "PATH"):
            seen[name] = (await servers.call("weather__environment", f'{{"name": "{name}"}}')).text
    finally:
        await servers.stop()
    assert seen["OPENAI_API_KEY"] == seen["CAUSERIE_SOMETHING"] == seen["TOKEN"] == "<unset>"
    assert seen["UNITS"] == "metric" and seen["PATH"] == os.environ["PATH"]


async def test_names_are_unique_within_64_characters_and_filtered_by_the_config() -> None:
    servers = ToolServers(
        [
            stdio(
                "weather",
                enabled_tools=("forecast", "a.very-long.tool.name.that.goes.on.and.on.and.on.beyond.the.api.limit"),
            ),
            stdio("weather-2", disabled_tools=("slow", "big", "broken", "environment")),
            stdio("off", enabled=False),
        ]
    )
    try:
        statuses = await servers.start()
        assert [s.state for s in statuses] == ["ready", "ready", "disabled"]
        exposed = [spec.exposed_name for spec in servers.tools()]
        assert len(exposed) == len(set(exposed)) == 4
        assert all(len(name) <= 64 and name.replace("_", "").replace("-", "").isalnum() for name in exposed)
        assert {s.tool for s in servers.tools() if s.server == "weather"} == {"forecast", LONG_TOOL}
        long = next(s for s in servers.tools() if s.tool.startswith("a.very"))
        assert (await servers.call(long.exposed_name, "{}")).text == "long"
    finally:
        await servers.stop()


async def test_failures_at_start_are_reported_per_server_and_the_others_work() -> None:
    servers = ToolServers(
        [
            ServerConfig(name="missing", command="/nonexistent/mcp-server-xyz"),
            stdio("exits", "--exit"),
            stdio("silent", "--silent", startup_timeout_sec=1.5),
            stdio("weather"),
        ]
    )
    started = time.monotonic()
    try:
        statuses = {s.name: s for s in await servers.start()}
        assert time.monotonic() - started < 30
        assert statuses["missing"].state == "failed"
        assert "/nonexistent/mcp-server-xyz" in statuses["missing"].error
        assert statuses["exits"].state == "failed"
        assert "cannot open the station database" in statuses["exits"].error
        assert statuses["silent"].state == "failed"
        assert "did not answer within 1.5 s" in statuses["silent"].error
        assert "warming up" in statuses["silent"].error
        assert statuses["weather"].state == "ready"
        assert {s.server for s in servers.tools()} == {"weather"}
    finally:
        await servers.stop()


async def test_stderr_with_escape_sequences_is_cleaned(tmp_path: Path) -> None:
    script = tmp_path / "bad.py"
    script.write_text("import sys\nsys.stderr.write('\\x1b]0;owned\\x07\\x1b[31mboom\\n')\nsys.exit(1)\n")
    servers = ToolServers([ServerConfig(name="bad", command=sys.executable, args=(str(script),))])
    [status] = await servers.start()
    await servers.stop()
    assert (
        status.state == "failed"
        and "boom" in status.error
        and "\x1b" not in status.error
        and "\x07" not in status.error
    )


def _processes_with(marker: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if marker.encode() in (entry / "cmdline").read_bytes():
                found.append(entry.name)
        except OSError:
            continue
    return found


async def test_wait_gives_up_on_late_servers_and_stop_ends_the_processes() -> None:
    marker = f"marker-{uuid.uuid4().hex}"
    servers = ToolServers([stdio("silent", "--silent", marker, startup_timeout_sec=60), stdio("weather", marker)])
    late = await servers.wait(0.2)
    assert late == ["silent", "weather"]
    deadline = time.monotonic() + 30
    while len(_processes_with(marker)) < 2:  # both processes run
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    await servers.wait(30)
    assert [s.state for s in servers.statuses()] == ["starting", "ready"]
    await asyncio.wait_for(servers.stop(), 30)
    assert [s.state for s in servers.statuses()] == ["stopped", "stopped"]
    assert _processes_with(marker) == []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def http_server() -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, WEATHER, "--http", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the HTTP MCP server did not start") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(10)


async def test_a_streamable_http_server(http_server: str) -> None:
    servers = ToolServers([ServerConfig(name="remote", url=http_server)])
    try:
        [status] = await servers.start()
        assert status.state == "ready", status.error
        result = await servers.call("remote__forecast", '{"city": "Nantes"}')
        assert result.text == "Nantes: rain for 1 day(s), kelvin"
    finally:
        await servers.stop()


async def test_an_http_server_that_is_not_there_fails_with_a_cause() -> None:
    servers = ToolServers([ServerConfig(name="remote", url=f"http://127.0.0.1:{_free_port()}/mcp")])
    [status] = await servers.start()
    await servers.stop()
    assert status.state == "failed" and status.error
