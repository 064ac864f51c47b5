"""Schema migrations: each older `version` of a conversation document is brought up to the current one."""

from __future__ import annotations

import hashlib
from typing import Any

# The version this causerie writes; older documents are migrated up to it on load.
SCHEMA_VERSION = 2


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    """Return `data` migrated to SCHEMA_VERSION (a new dict; the input is not modified)."""
    data = dict(data)
    version = data["version"]
    if version == 0:
        data = _v0_to_v1(data)
    if data["version"] == 1:
        data = _v1_to_v2(data)
    data["version"] = SCHEMA_VERSION
    return data


def _v0_to_v1(data: dict[str, Any]) -> dict[str, Any]:
    """Version 0 kept a linear list of {role, content} without ids or parents.

    Message ids are derived from the conversation id and the position, so that every load of the same
    unmigrated file gives the same ids (search hits and open views must agree until the file is saved).
    """
    messages = []
    parent = None
    for position, raw in enumerate(data.get("messages") or []):
        if not isinstance(raw, dict):
            messages.append(raw)  # left for validation to reject
            continue
        message = dict(raw)
        seed = f"{data.get('id')}/{position}".encode()
        message.setdefault("id", "m" + hashlib.blake2b(seed, digest_size=6).hexdigest())
        message.setdefault("parent", parent)
        parent = message["id"]
        messages.append(message)
    data["messages"] = messages
    data.setdefault("active_leaf", parent)
    data["version"] = 1
    return data


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 2 adds optional fields (assistant `tool_calls`, `tool` messages): a version 1 document is already
    a valid version 2 document, so only the number changes (and only in memory until the file is saved again).
    """
    data["version"] = 2
    return data
