"""The [mcp_servers.NAME] tables of config.toml as typed ServerConfig values (already validated by config_check)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from causerie.core.settings.config_check import MCP_CODEX_ONLY_KEYS

# Codex CLI's defaults, so a copied block behaves the same.
DEFAULT_STARTUP_TIMEOUT = 10.0
DEFAULT_TOOL_TIMEOUT = 60.0
DEFAULT_MAX_TOOL_ROUNDS = 10


@dataclass(frozen=True)
class ServerConfig:
    """One MCP server: a command (stdio) or a url (streamable HTTP), its limits, and which tools it offers."""

    name: str
    command: str | None = None
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    cwd: str | None = None
    url: str | None = None
    enabled: bool = True
    startup_timeout_sec: float = DEFAULT_STARTUP_TIMEOUT
    tool_timeout_sec: float = DEFAULT_TOOL_TIMEOUT
    enabled_tools: tuple[str, ...] | None = None  # None: every tool the server lists
    disabled_tools: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()  # tools that run without asking

    @property
    def transport(self) -> str:
        """`stdio` or `http`."""
        return "http" if self.url else "stdio"

    def offers(self, tool: str) -> bool:
        """Whether the tool is offered to the model (enabled_tools and disabled_tools applied)."""
        if self.enabled_tools is not None and tool not in self.enabled_tools:
            return False
        return tool not in self.disabled_tools


def server_configs(data: dict[str, Any]) -> tuple[list[ServerConfig], list[str]]:
    """(the servers of a parsed config, warnings): one warning names the Codex keys causerie does not use.

    Args:
        data: the parsed and validated config file.

    Returns:
        Every configured server (disabled ones too, marked), and the warnings to show once.
    """
    servers: list[ServerConfig] = []
    unused: dict[str, list[str]] = {}
    for name, table in (data.get("mcp_servers") or {}).items():
        for key in table:
            if key in MCP_CODEX_ONLY_KEYS:
                unused.setdefault(key, []).append(name)
        enabled_tools = table.get("enabled_tools")
        servers.append(
            ServerConfig(
                name=name,
                command=table.get("command"),
                args=tuple(table.get("args", ())),
                env=dict(table.get("env", {})),
                cwd=table.get("cwd"),
                url=table.get("url"),
                enabled=bool(table.get("enabled", True)),
                startup_timeout_sec=float(table.get("startup_timeout_sec", DEFAULT_STARTUP_TIMEOUT)),
                tool_timeout_sec=float(table.get("tool_timeout_sec", DEFAULT_TOOL_TIMEOUT)),
                enabled_tools=tuple(enabled_tools) if enabled_tools is not None else None,
                disabled_tools=tuple(table.get("disabled_tools", ())),
                allow=tuple(table.get("allow", ())),
            )
        )
    warnings = []
    if unused:
        named = "; ".join(f"{key} (in {', '.join(names)})" for key, names in sorted(unused.items()))
        warnings.append(f"MCP server settings causerie does not use were ignored: {named}.")
    return servers, warnings
