"""With MCP servers configured, the app's start imports nothing of the `mcp` SDK and starts no server process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from causerie.core.settings import paths

SCRIPT = textwrap.dedent(
    """
    import asyncio, os, sys, time
    from causerie.core.settings.config import load_settings
    from causerie.ui.app import CauserieApp
    from causerie.ui.screens.background import StartupWork

    markers = sys.argv[1:]
    settings = load_settings({"base_url": "http://127.0.0.1:9/v1"})
    print("servers configured:", len(settings.tool_servers))
    app = CauserieApp(settings)
    print("mcp imported by the app's construction:", any(m.split(".")[0] == "mcp" for m in sys.modules))
    real_start = StartupWork.start

    def start(self):
        # Called once the first screen is drawn (call_after_refresh): the state at the first paint.
        print("mcp imported by the first paint:", any(m.split(".")[0] == "mcp" for m in sys.modules))
        print("servers started by the first paint:", any(os.path.exists(m) for m in markers))
        real_start(self)

    StartupWork.start = start

    async def main():
        async with app.run_test(size=(100, 30)) as pilot:
            deadline = time.monotonic() + 30
            while not all(os.path.exists(m) for m in markers) and time.monotonic() < deadline:
                await pilot.pause(0.05)
            print("servers started after the first paint:", all(os.path.exists(m) for m in markers))

    asyncio.run(main())
    """
)


def test_three_configured_servers_cost_nothing_before_the_first_paint(tmp_path: Path) -> None:
    markers = [tmp_path / f"started-{n}" for n in range(3)]
    tables = "".join(
        f"[mcp_servers.s{n}]\ncommand = {json.dumps(sys.executable)}\n"
        f'args = ["-c", {json.dumps(f"open({str(marker)!r}, chr(119))")}]\n\n'
        for n, marker in enumerate(markers)
    )
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tables)
    os.chmod(path, 0o600)
    argv = [sys.executable, "-c", SCRIPT, *map(str, markers)]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "servers configured: 3" in result.stdout
    assert "mcp imported by the app's construction: False" in result.stdout
    assert "mcp imported by the first paint: False" in result.stdout
    assert "servers started by the first paint: False" in result.stdout
    assert "servers started after the first paint: True" in result.stdout  # in the background, once it is drawn
