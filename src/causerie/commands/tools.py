"""`causerie tools`: each configured MCP server, whether it started (and why not), and its tools."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import replace

from causerie.commands import EXIT_FAILED, EXIT_OK, guarded, settings_from


@guarded
def run_tools(args: argparse.Namespace) -> int:
    """Start every enabled server, print what it offers, stop them; exit 1 when one failed to start."""
    from causerie.core.tools.servers import ToolServers

    settings = settings_from(args)
    for warning in settings.config_warnings:
        print(f"causerie: {warning}", file=sys.stderr)
    if not settings.tool_servers:
        where = settings.config_path or "the config file"
        print(f"No MCP server is configured (add a [mcp_servers.NAME] table to {where}).")
        return EXIT_OK
    servers = ToolServers(settings.tool_servers, secrets=tuple(k for k in (settings.api_key,) if k))

    async def run() -> list:
        try:
            return [replace(status) for status in await servers.start()]  # as they were before stopping
        finally:
            await servers.stop()

    statuses = asyncio.run(run())
    if getattr(args, "json", False):
        from causerie.core.safe_text import json_for_terminal

        # A server's names, descriptions and errors are outside text: their controls are written as \u escapes.
        print(json_for_terminal(json.dumps([_as_json(s, servers) for s in statuses], ensure_ascii=False, indent=1)))
    else:
        for status in statuses:
            config = servers.config_of(status.name)
            where = (config.url or " ".join([config.command or "", *config.args])) if config else ""
            line = f"{status.name}\t{status.state}\t{where}"
            if status.error:
                line += f"\t{status.error}"
            print(_clean(line))
            for spec in status.tools:
                allowed = " (runs without asking)" if servers.is_allowed(spec.exposed_name) else ""
                print(_clean(f"  {spec.tool}\t{spec.exposed_name}{allowed}\t{_first_line(spec.description)}"))
    return EXIT_FAILED if any(s.state == "failed" for s in statuses) else EXIT_OK


def _clean(line: str) -> str:
    """One line of outside text (names, descriptions, errors) safe for the terminal; tabs kept as separators."""
    from causerie.core.safe_text import sanitize_line

    return "\t".join(sanitize_line(part) for part in line.split("\t"))


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _as_json(status, servers) -> dict:  # noqa: ANN001
    return {
        "name": status.name,
        "state": status.state,
        "error": status.error,
        "tools": [
            {
                "name": spec.tool,
                "exposed_name": spec.exposed_name,
                "description": spec.description,
                "allowed": servers.is_allowed(spec.exposed_name),
            }
            for spec in status.tools
        ],
    }
