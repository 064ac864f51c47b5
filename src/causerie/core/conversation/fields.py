"""The fields of a conversation file, checked as they are read, and the ids and times a conversation is given.

A field of the wrong shape raises SchemaError (the file is reported and never touched); fields that only steer a
request (controls, tool switches) are kept loosely, so a value no server takes never makes a file unreadable.
"""

from __future__ import annotations

import re
import secrets
import time
from datetime import UTC, datetime
from typing import Any

from causerie.core.attachments.record import Attachment, AttachmentRecordError
from causerie.core.conversation.token_usage import SchemaError
from causerie.core.conversation.tool_calls import ToolCall, ToolCallError

_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")  # fullmatch: "$" would let "id\n" through


def utc_now() -> str:
    """The current time as ISO 8601 UTC with seconds precision."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(iso: str) -> datetime | None:
    """An ISO 8601 time (naive times are taken as UTC), or None when it does not parse."""
    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def shown_time(value: str, *, minutes: bool = True) -> str:
    """A stored time as it is shown: ``2026-11-26 14:05`` (UTC; the date alone without `minutes`).

    A time comes from a file like any other field and may hold anything: one that is not an ISO 8601 time shows as
    nothing (the conversation still loads, and its file keeps what it holds).

    Args:
        value: The stored time (`created_at`, `updated_at`).
        minutes: Show the hour and minute after the date.

    Returns:
        The time to show, or "" when `value` is not a time.
    """
    when = parse_time(value)
    return "" if when is None else when.astimezone(UTC).strftime("%Y-%m-%d %H:%M" if minutes else "%Y-%m-%d")


def new_conversation_id() -> str:
    """A time-sortable id: UTC timestamp to the millisecond plus randomness (never derived from a title)."""
    now = time.time()
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(now))
    return f"{stamp}{int(now * 1000) % 1000:03d}-{secrets.token_hex(3)}"


def new_message_id() -> str:
    """A message id, unique within its conversation."""
    return "m" + secrets.token_hex(6)


def is_valid_id(value: object) -> bool:
    """True for ids safe to use as file names (no path separators, no dots first)."""
    return isinstance(value, str) and bool(_ID_RE.fullmatch(value))


def cost_field(value: Any, what: str = "cost") -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise SchemaError(f"message {what} must be a non-negative number")
    return float(value)


def tool_calls_field(value: Any) -> list[ToolCall]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise SchemaError("message tool_calls must be a list")
    try:
        return [ToolCall.from_dict(item) for item in value]
    except ToolCallError as exc:
        raise SchemaError(str(exc)) from None


def params_field(value: Any, what: str) -> dict[str, Any]:
    """Request controls (checked where they are used: a value no server takes never makes a file unreadable)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SchemaError(f"{what} must be an object")
    return dict(value)


def names_field(value: Any) -> list[str]:
    """The strings of a list (anything else left out: a malformed `disabled_tools` at worst offers a tool again)."""
    return [item for item in value if isinstance(item, str) and item] if isinstance(value, list) else []


def attachments_field(value: Any) -> list[Attachment]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise SchemaError("message attachments must be a list")
    try:
        return [Attachment.from_dict(item) for item in value]
    except AttachmentRecordError as exc:
        raise SchemaError(str(exc)) from None
