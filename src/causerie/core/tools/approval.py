"""Approval before a tool runs: what is asked (PendingCall), the answers (Decision), who answers (Approver),
and what the config already allows (ToolPolicy, which also remembers "always allow" in config.toml).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from causerie.core.conversation.tool_calls import ToolCall
from causerie.core.settings.config_check import ConfigError
from causerie.core.tools.servers import ToolServers, ToolSpec

FOLD_AT = 200  # characters of a string argument shown before it is folded


class Decision(enum.Enum):
    """The user's answer to one call."""

    ALLOW_ONCE = "once"
    ALWAYS = "always"  # allow now and from now on (added to `allow` in the config)
    DENY = "deny"


@dataclass(frozen=True)
class PendingCall:
    """A call waiting for the user's answer: which server and tool, with which arguments (as the model wrote them).

    `position` and `count` place it among the calls of the same reply that need an answer ("2 of 3").
    """

    call: ToolCall
    spec: ToolSpec
    position: int = 1
    count: int = 1

    @property
    def server(self) -> str:
        """The server's name, as in the config."""
        return self.spec.server

    @property
    def tool(self) -> str:
        """The tool's own name (not the exposed one)."""
        return self.spec.tool

    def arguments(self, fold: int | None = FOLD_AT) -> str:
        """The arguments as pretty JSON, long strings folded (fold=None unfolds); outside text: clean it to show."""
        return pretty_arguments(self.call.arguments, fold)


@runtime_checkable
class Approver(Protocol):
    """Whoever answers approval prompts: the app's dialog, the shell prompt of `causerie ask`, a test."""

    async def approve(self, pending: PendingCall) -> Decision:
        """The user's answer for one call (never raises for a "no": that is Decision.DENY)."""
        ...


def _fold(value: Any, fold: int) -> Any:
    if isinstance(value, str) and len(value) > fold:
        return f"{value[:fold]}… ({len(value) - fold:,} more characters)"
    if isinstance(value, list):
        return [_fold(item, fold) for item in value]
    if isinstance(value, dict):
        return {key: _fold(item, fold) for key, item in value.items()}
    return value


def pretty_arguments(arguments: str, fold: int | None = FOLD_AT) -> str:
    """Arguments as indented JSON with long string values folded; text that is not JSON is returned as it is."""
    try:
        value = json.loads(arguments or "{}")
    except (ValueError, RecursionError):
        return arguments
    if fold is not None:
        value = _fold(value, fold)
    return json.dumps(value, indent=2, ensure_ascii=False)


@dataclass
class ToolPolicy:
    """Which calls run without asking: the `allow` lists of the config, plus tools allowed "always" since.

    `persist(server, tool_names)` writes a server's new `allow` list (by default into config.toml through the
    config editor); a failure to write is returned as a sentence, and the tool stays allowed for the session.
    """

    servers: ToolServers
    config_path: Path | None = None
    persist: Callable[[str, list[str]], None] | None = None
    allowed_now: set[tuple[str, str]] = field(default_factory=set)

    def allows(self, spec: ToolSpec) -> bool:
        """Whether the tool runs without asking."""
        return self.servers.is_allowed(spec.exposed_name) or (spec.server, spec.tool) in self.allowed_now

    def always_allow(self, spec: ToolSpec) -> str:
        """Allow the tool from now on and save it in the config's `allow`; "" or why it could not be saved."""
        self.allowed_now.add((spec.server, spec.tool))
        config = self.servers.config_of(spec.server)
        names = list(config.allow) if config is not None else []
        names += [tool for server, tool in sorted(self.allowed_now) if server == spec.server and tool not in names]
        try:
            if self.persist is not None:
                self.persist(spec.server, names)
            elif self.config_path is not None:
                from causerie.core.settings.config_edit import set_mcp_server_list

                set_mcp_server_list(self.config_path, spec.server, "allow", names)
            else:
                return "there is no config file to save it in"
        except ConfigError as exc:
            return str(exc)
        return ""
