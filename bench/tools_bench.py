"""Time the tool path: importing the mcp SDK, starting a stdio MCP server, one call, and assembling streamed calls.

Run: PYTHONPATH=src python -m bench.tools_bench [--runs 5] [--calls 50]
The server is the small one the tests use (tests/mcp_servers/weather.py, written with the SDK).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

from causerie.core.chat.tool_deltas import ToolCallAssembler
from causerie.core.tools.config import ServerConfig
from causerie.core.tools.servers import ToolServers

WEATHER = str(Path(__file__).resolve().parents[1] / "tests" / "mcp_servers" / "weather.py")


def sdk_import_ms() -> float:
    """Wall time of `import mcp.client.client` in a fresh interpreter, minus the interpreter's own start."""

    def run(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - start

    return max(run("import mcp.client.client") - run("pass"), 0.0) * 1000


async def server_ms(calls: int) -> tuple[float, list[float]]:
    """(start of one stdio server until its tools are listed, the wall time of each call), in milliseconds."""
    servers = ToolServers([ServerConfig(name="weather", command=sys.executable, args=(WEATHER,))])
    start = time.perf_counter()
    [status] = await servers.start()
    started = (time.perf_counter() - start) * 1000
    if status.state != "ready":
        raise RuntimeError(status.error)
    samples = []
    try:
        for n in range(calls):
            begin = time.perf_counter()
            result = await servers.call("weather__forecast", f'{{"city": "c{n}"}}')
            samples.append((time.perf_counter() - begin) * 1000)
            assert not result.is_error, result.text
    finally:
        await servers.stop()
    return started, samples


def assembly_us(pieces: int = 10_000) -> float:
    """Microseconds per streamed arguments delta (OpenAI style: one call, many small pieces)."""
    assembler = ToolCallAssembler()
    assembler.feed([{"index": 0, "id": "c", "type": "function", "function": {"name": "t", "arguments": ""}}])
    start = time.perf_counter()
    for _ in range(pieces):
        assembler.feed([{"index": 0, "function": {"arguments": '"abcde'}}])
    assembler.calls()
    return (time.perf_counter() - start) / pieces * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--calls", type=int, default=50)
    args = parser.parse_args(argv)
    imports = [sdk_import_ms() for _ in range(args.runs)]
    starts, calls = [], []
    for _ in range(args.runs):
        started, samples = asyncio.run(server_ms(args.calls))
        starts.append(started)
        calls += samples
    print(f"mcp SDK import (fresh interpreter): median {statistics.median(imports):.0f} ms over {args.runs} runs")
    print(f"stdio server start to tools listed: median {statistics.median(starts):.0f} ms, max {max(starts):.0f} ms")
    print(f"one call (forecast): median {statistics.median(calls):.1f} ms, max {max(calls):.1f} ms over {len(calls)}")
    print(f"assembling a streamed arguments delta: {assembly_us():.2f} µs each")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
