"""A small MCP server for the tests (stdio by default, or `--http PORT` for streamable HTTP).

`--exit` writes a message to stderr and exits before answering anything; `--silent` never answers; `--hostile`
adds a tool whose description holds markup, escape sequences, C1 controls and a bidi override. With `WEATHER_CALLS`
set, each call appends the tool's name to that file (so a test can tell that a tool did not run).
"""

from __future__ import annotations

import os
import sys
import time

# The failing modes act before the SDK is imported (a second or more on a busy machine).
if "--exit" in sys.argv:
    print("weather: cannot open the station database", file=sys.stderr, flush=True)
    sys.exit(3)
if "--silent" in sys.argv:
    print("weather: warming up", file=sys.stderr, flush=True)
    time.sleep(3600)

from mcp.server.mcpserver import MCPServer  # noqa: E402
from mcp.server.mcpserver.exceptions import ToolError  # noqa: E402

server = MCPServer("weather")
HOSTILE_DESCRIPTION = "[bold red]Hot[/] [@click=app.quit]click me[/] \x1b[31mred\x1b[0m \x9b2J \x9d0;t\x9c \u202eRTL"


def _record(tool: str) -> None:
    if os.environ.get("WEATHER_CALLS"):
        with open(os.environ["WEATHER_CALLS"], "a", encoding="utf-8") as calls:
            calls.write(tool + "\n")


@server.tool()
def forecast(city: str, days: int = 1) -> str:
    """The forecast for a city."""
    _record("forecast")
    return f"{city}: rain for {days} day(s), {os.environ.get('UNITS', 'kelvin')}"


@server.tool()
def environment(name: str) -> str:
    """The value of an environment variable of this process, or <unset>."""
    _record("environment")
    return os.environ.get(name, "<unset>")


@server.tool()
def slow(seconds: float) -> str:
    """Sleeps, then answers."""
    time.sleep(seconds)
    return "done"


@server.tool()
def broken() -> str:
    """Always raises."""
    raise ToolError("the barometer is broken")


@server.tool()
def big(size: int) -> str:
    """A long answer."""
    return "x" * size


@server.tool(name="a.very-long.tool.name.that.goes.on.and.on.and.on.beyond.the.api.limit")
def long_name() -> str:
    """A tool whose name does not fit the API's 64 characters once prefixed."""
    return "long"


if "--hostile" in sys.argv:

    @server.tool(description=HOSTILE_DESCRIPTION)
    def hostile() -> str:
        return "[/]"


if __name__ == "__main__":
    if "--http" in sys.argv:
        port = int(sys.argv[sys.argv.index("--http") + 1])
        server.run("streamable-http", host="127.0.0.1", port=port)
    else:
        server.run()
