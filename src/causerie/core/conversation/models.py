"""Conversation, Message and Usage: plain dataclasses with their JSON form (schema `causerie.conversation`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from causerie.core.attachments.record import Attachment
from causerie.core.conversation.fields import (
    attachments_field,
    cost_field,
    is_valid_id,
    names_field,
    new_conversation_id,
    new_message_id,
    params_field,
    tool_calls_field,
    utc_now,
)
from causerie.core.conversation.migrations import SCHEMA_VERSION, migrate
from causerie.core.conversation.token_usage import SchemaError, Usage
from causerie.core.conversation.tool_calls import ToolCall

__all__ = [
    "ROLES",
    "SCHEMA",
    "SCHEMA_VERSION",
    "Conversation",
    "Message",
    "NewerVersionError",
    "SchemaError",
    "ToolCall",
    "Usage",
    "is_valid_id",
    "new_conversation_id",
    "new_message_id",
    "utc_now",
]

SCHEMA = "causerie.conversation"
ROLES = ("system", "user", "assistant", "tool")

_FENCED_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^ {0,3}\1[`~]*[ \t]*$|\Z)", re.MULTILINE | re.DOTALL)
_FENCE_LINE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,}).*$", re.MULTILINE)


class NewerVersionError(SchemaError):
    """A conversation file was written by a newer causerie (opened read-only)."""


MESSAGE_KEYS = frozenset(  # every key a message of this version writes; others are kept as they came
    (
        "id",
        "parent",
        "role",
        "content",
        "created_at",
        "model",
        "usage",
        "finish_reason",
        "partial",
        "reasoning",
        "kind",
        "cost",
        "covers",
        "tool_calls",
        "tool_call_id",
        "name",
        "is_error",
        "duration_s",
        "attachments",
        "params",
    )
)


@dataclass
class Message:
    """One node of the conversation tree."""

    role: str
    content: str
    id: str = field(default_factory=new_message_id)
    parent: str | None = None
    created_at: str = field(default_factory=utc_now)
    model: str | None = None
    usage: Usage | None = None
    finish_reason: str | None = None
    partial: bool = False
    reasoning: str = ""
    kind: str | None = None  # e.g. "summary" for a stored summary note
    cost: float | None = None  # dollars for this reply at the prices of the day it was received
    covers: str | None = None  # for a summary: id of the last message it stands in for
    # Schema 2: an assistant's calls; a `tool` message answers one of them (its id, the tool's exposed name).
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_call_id: str | None = None
    name: str | None = None
    is_error: bool = False  # a tool result that is an error (the tool failed, timed out, was declined...)
    duration_s: float | None = None  # how long the tool ran
    attachments: list[Attachment] = field(default_factory=list)  # files sent with it (bytes in the attachment store)
    # A reply's controls as sent (reasoning_effort, temperature, ... and `extra` body fields); empty when none.
    params: dict[str, Any] = field(default_factory=dict)
    # Keys this version does not know (written by a newer causerie): kept as they were and written back unchanged.
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON form (optional fields only when set)."""
        data: dict[str, Any] = {
            "id": self.id,
            "parent": self.parent,
            "role": self.role,
            "content": self.content,
            "created_at": self.created_at,
        }
        if self.model is not None:
            data["model"] = self.model
        if self.usage is not None:
            data["usage"] = self.usage.to_dict()
        if self.finish_reason is not None:
            data["finish_reason"] = self.finish_reason
        if self.partial:
            data["partial"] = True
        if self.reasoning:
            data["reasoning"] = self.reasoning
        if self.kind:
            data["kind"] = self.kind
        if self.cost is not None:
            data["cost"] = self.cost
        if self.covers is not None:
            data["covers"] = self.covers
        if self.tool_calls:
            data["tool_calls"] = [call.to_dict() for call in self.tool_calls]
        if self.tool_call_id is not None:
            data["tool_call_id"] = self.tool_call_id
        if self.name is not None:
            data["name"] = self.name
        if self.is_error:
            data["is_error"] = True
        if self.duration_s is not None:
            data["duration_s"] = self.duration_s
        if self.attachments:
            data["attachments"] = [a.to_dict() for a in self.attachments]
        if self.params:
            data["params"] = dict(self.params)
        data.update({k: v for k, v in self.extra.items() if k not in data})
        return data

    @classmethod
    def from_dict(cls, data: Any) -> Message:
        """Parse the JSON form; raises SchemaError."""
        if not isinstance(data, dict):
            raise SchemaError("a message must be an object")
        role = data.get("role")
        if role not in ROLES:
            raise SchemaError(f"unknown message role {role!r}")
        content = data.get("content")
        if not isinstance(content, str):
            raise SchemaError("message content must be a string")
        mid = data.get("id")
        if not isinstance(mid, str) or not mid:
            raise SchemaError("message id must be a non-empty string")
        parent = data.get("parent")
        if parent is not None and not isinstance(parent, str):
            raise SchemaError("message parent must be a string or null")
        usage = Usage.from_dict(data["usage"]) if data.get("usage") is not None else None
        for name in ("created_at", "model", "finish_reason", "reasoning", "kind", "covers", "tool_call_id", "name"):
            if data.get(name) is not None and not isinstance(data[name], str):
                raise SchemaError(f"message {name} must be a string")
        return cls(
            role=role,
            content=content,
            attachments=attachments_field(data.get("attachments")),
            id=mid,
            parent=parent,
            created_at=data.get("created_at") or utc_now(),
            model=data.get("model"),
            usage=usage,
            finish_reason=data.get("finish_reason"),
            partial=bool(data.get("partial", False)),
            reasoning=data.get("reasoning") or "",
            kind=data.get("kind"),
            cost=cost_field(data.get("cost")),
            covers=data.get("covers"),
            tool_calls=tool_calls_field(data.get("tool_calls")),
            tool_call_id=data.get("tool_call_id"),
            name=data.get("name"),
            is_error=bool(data.get("is_error", False)),
            duration_s=cost_field(data.get("duration_s"), "duration_s"),
            params=params_field(data.get("params"), "message params"),
            extra={k: v for k, v in data.items() if k not in MESSAGE_KEYS},
        )


def effort_of(message: Message) -> str | None:
    """The reasoning effort a reply was asked with, if one was set (and is text)."""
    effort = message.params.get("reasoning_effort")
    return effort if isinstance(effort, str) and effort else None


@dataclass
class Conversation:
    """A conversation: a tree of messages whose `active_leaf` names the path shown and sent."""

    id: str = field(default_factory=new_conversation_id)
    title: str = ""
    created_at: str = field(default_factory=utc_now)
    updated_at: str = ""
    model: str = ""
    profile: str = ""
    system_prompt: str = ""
    messages: list[Message] = field(default_factory=list)
    active_leaf: str | None = None
    context_policy: str = "summarize"
    # The conversation's own controls (F3): the JSON form of RequestParams, over the profile's defaults.
    params: dict[str, Any] = field(default_factory=dict)
    # Tools switched off for this conversation (F3): `server__tool` or `server__*` keys (core/tools/switches.py).
    disabled_tools: list[str] = field(default_factory=list)
    read_only: bool = field(default=False, compare=False)
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if not self.updated_at:
            self.updated_at = self.created_at

    # -- tree -----------------------------------------------------------------------------------------------
    def by_id(self) -> dict[str, Message]:
        """Messages keyed by id."""
        return {m.id: m for m in self.messages}

    def active_path(self) -> list[Message]:
        """Messages from the root to the active leaf, in order."""
        if self.active_leaf is None:
            return []
        index = self.by_id()
        path: list[Message] = []
        seen: set[str] = set()
        node = index.get(self.active_leaf)
        while node is not None and node.id not in seen:
            seen.add(node.id)
            path.append(node)
            node = index.get(node.parent) if node.parent else None
        path.reverse()
        return path

    def append(self, message: Message, parent: str | None | type[Ellipsis] = ...) -> Message:
        """Add `message` under `parent` (default: the active leaf) and make it the active leaf."""
        message.parent = self.active_leaf if parent is ... else parent  # type: ignore[assignment]
        self.messages.append(message)
        self.active_leaf = message.id
        self.touch()
        return message

    def children(self, parent: str | None) -> list[Message]:
        """Messages whose parent is `parent`, oldest first (the versions of a turn)."""
        return [m for m in self.messages if m.parent == parent]

    def touch(self) -> None:
        """Mark the conversation changed now."""
        self.updated_at = utc_now()

    def total_usage(self) -> Usage:
        """Sum of the usage of every reply in the conversation."""
        total = Usage()
        for message in self.messages:
            if message.usage is not None:
                total = total + message.usage
        return total

    def total_cost(self) -> float | None:
        """Sum of the stored per-reply costs (None when no reply has a known cost)."""
        costs = [m.cost for m in self.messages if m.cost is not None]
        return sum(costs) if costs else None

    def cost_by_effort(self) -> dict[str, float]:
        """The stored costs of the replies asked with a reasoning effort, summed per effort (rounded like `cost`)."""
        costs: dict[str, float] = {}
        for message in self.messages:
            effort = effort_of(message)
            if effort is not None and message.cost is not None:
                costs[effort] = costs.get(effort, 0.0) + message.cost
        return {effort: round(cost, 8) for effort, cost in costs.items()}

    def default_title(self) -> str:
        """A title from the first user message (first line, about 60 characters)."""
        for message in self.active_path():
            if message.role == "user" and message.content.strip():
                # The words around a pasted or piped code block name the conversation, not its fence markers.
                prose = _FENCED_RE.sub(" ", message.content).strip()
                text = prose or _FENCE_LINE_RE.sub(" ", message.content)
                line = " ".join(text.split()) or " ".join(message.content.split())
                return line if len(line) <= 60 else line[:59].rstrip() + "…"
        return "New conversation"

    # -- JSON -----------------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The JSON document written to disk."""
        total = self.total_usage()
        data: dict[str, Any] = {
            "schema": SCHEMA,
            "version": SCHEMA_VERSION,
            "id": self.id,
            "title": self.title,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "model": self.model,
            "profile": self.profile,
            "system_prompt": self.system_prompt,
            "context_policy": self.context_policy,
            "active_leaf": self.active_leaf,
            "usage": total.to_dict(),
            "messages": [m.to_dict() for m in self.messages],
        }
        if self.params:
            data["params"] = dict(self.params)
        if self.disabled_tools:
            data["disabled_tools"] = list(self.disabled_tools)
        cost = self.total_cost()
        if cost is not None:
            data["cost"] = round(cost, 8)
        data.update({k: v for k, v in self.extra.items() if k not in data})
        return data

    @classmethod
    def from_dict(cls, data: Any) -> Conversation:
        """Parse and validate a document (migrating older versions); raises SchemaError."""
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise SchemaError("not a causerie conversation (missing or wrong 'schema')")
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 0:
            raise SchemaError("'version' must be an integer")
        if version > SCHEMA_VERSION:
            raise NewerVersionError(f"written by a newer causerie (version {version}, this one knows {SCHEMA_VERSION})")
        data = migrate(data)
        cid = data.get("id")
        if not is_valid_id(cid):
            raise SchemaError("'id' is missing or not a safe file name")
        messages_raw = data.get("messages")
        if not isinstance(messages_raw, list):
            raise SchemaError("'messages' must be a list")
        messages = [Message.from_dict(m) for m in messages_raw]
        ids = {m.id for m in messages}
        if len(ids) != len(messages):
            raise SchemaError("duplicate message ids")
        for message in messages:
            if message.parent is not None and message.parent not in ids:
                raise SchemaError(f"message {message.id} has an unknown parent")
        leaf = data.get("active_leaf")
        if leaf is not None and leaf not in ids:
            raise SchemaError("'active_leaf' names no message")
        if leaf is None and messages:
            leaf = messages[-1].id
        for name in ("title", "created_at", "updated_at", "model", "profile", "system_prompt"):
            if data.get(name) is not None and not isinstance(data[name], str):
                raise SchemaError(f"'{name}' must be a string")
        known = {
            "schema",
            "version",
            "id",
            "title",
            "created_at",
            "updated_at",
            "model",
            "profile",
            "system_prompt",
            "context_policy",
            "active_leaf",
            "usage",
            "cost",
            "messages",
            "params",
            "disabled_tools",
        }
        return cls(
            id=cid,
            title=data.get("title") or "",
            created_at=data.get("created_at") or utc_now(),
            updated_at=data.get("updated_at") or "",
            model=data.get("model") or "",
            profile=data.get("profile") or "",
            system_prompt=data.get("system_prompt") or "",
            messages=messages,
            active_leaf=leaf,
            context_policy=data.get("context_policy") or "summarize",
            params=params_field(data.get("params"), "'params'"),
            disabled_tools=names_field(data.get("disabled_tools")),
            extra={k: v for k, v in data.items() if k not in known},
        )
