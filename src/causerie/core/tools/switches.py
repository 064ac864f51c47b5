"""Tools switched off in one conversation (F3): the keys stored in its `disabled_tools`, and what they match.

A key names a tool by its server and its own name, `server__tool`, or a whole server, `server__*` (its tools now and
any it lists later). Keys are built from the names, never parsed, so a server or tool name holding `__` still
matches exactly; they do not depend on the exposed name (which gains a hash when two servers' names collide).
"""

from __future__ import annotations

from collections.abc import Iterable

from causerie.core.tools.naming import SEPARATOR

ALL = "*"
SWITCHED_OFF = "The user switched this tool off for this conversation."


def tool_key(server: str, tool: str) -> str:
    """The key that switches off one tool of `server`."""
    return f"{server}{SEPARATOR}{tool}"


def server_key(server: str) -> str:
    """The key that switches off every tool of `server`."""
    return tool_key(server, ALL)


def is_switched_off(server: str, tool: str, disabled: Iterable[str]) -> bool:
    """Whether `tool` of `server` is off by the keys in `disabled` (its own, or its server's)."""
    keys = set(disabled)
    return tool_key(server, tool) in keys or server_key(server) in keys
