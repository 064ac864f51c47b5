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
    import asyncio, sys, time
    from causerie.core.settings.config import load_settings
    from causerie.ui.app import CauserieApp

    settings = load_settings({"base_url": "http://127.0.0.1:9/v1"})
    print("servers configured:", len(settings.tool_servers))
    app = CauserieApp(settings)
    print("mcp imported by the app's construction:", any(m.split(".")[0] == "mcp" for m in sys.modules))

    async def main():
        async with app.run_test(size=(100, 30)) as pilot:
            # The SDK preload runs once the first screen is shown: past it, the first paint is done.
            deadline = time.monotonic() + 30
            while "openai" not in sys.modules and time.monotonic() < deadline:
                await pilot.pause(0.02)
            print("first screen shown:", "openai" in sys.modules)
            print("mcp imported by the first paint:", any(m.split(".")[0] == "mcp" for m in sys.modules))

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
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "servers configured: 3" in result.stdout
    assert "mcp imported by the app's construction: False" in result.stdout
    assert "first screen shown: True" in result.stdout
    assert "mcp imported by the first paint: False" in result.stdout
    assert [m.exists() for m in markers] == [False, False, False]  # no server process was started
