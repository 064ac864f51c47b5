"""Fixtures shared by the core tests."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator

import pytest

from causerie.core.tools.config import ServerConfig
from causerie.core.tools.servers import ToolServers
from tests.mcp_servers import WEATHER


@pytest.fixture
async def servers() -> AsyncIterator[ToolServers]:
    """The weather MCP server running as a process, its forecast tool allowed without asking."""
    config = ServerConfig(name="weather", command=sys.executable, args=(WEATHER,), allow=("forecast",))
    running = ToolServers([config])
    [status] = await running.start()
    assert status.state == "ready", status.error
    yield running
    await running.stop()
