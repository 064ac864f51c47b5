"""What the index needs of a conversation document, read from its decoded JSON without building a Conversation.

Building the conversation (a Message per message, its usage, its fields checked one by one) costs twice what
the index needs of it, for every file of a first build. The summary and the text rows need only a few fields,
so a document of the shape this version writes is checked and read here directly; anything else (an older or
newer version, tool calls, attachments, keys this reader does not know, a missing title or date) gets None,
and is loaded as a Conversation (which says why a file does not load). Every document read here would load,
and gives the same summary and text rows as the Conversation would (a property test compares the two on
mutated documents).
"""

from __future__ import annotations

import os
from typing import Any, NamedTuple

from causerie.core.conversation.fields import cost_field, is_valid_id
from causerie.core.conversation.models import MESSAGE_KEYS, ROLES, SCHEMA, SCHEMA_VERSION
from causerie.core.conversation.token_usage import SchemaError
from causerie.core.storage.documents import Summary, costs_json

TextSources = list[tuple[str | None, str]]
"""(message id, or None for the title; Markdown) of every row of a conversation's text."""

# The message keys read (or skipped as harmless) here: a message's own keys but those that need the full load.
_KEYS = MESSAGE_KEYS - {"tool_calls", "attachments"}
_TEXT_FIELDS = ("created_at", "model", "finish_reason", "reasoning", "kind", "covers", "tool_call_id", "name")
_USAGE_COUNTS = ("prompt_tokens", "completion_tokens", "total_tokens", "cached_tokens", "reasoning_tokens")
_TOP_TEXT_FIELDS = ("title", "created_at", "updated_at", "model", "profile", "system_prompt")


class Indexable(NamedTuple):
    """A conversation as the index records it."""

    summary: Summary
    sources: TextSources


def indexable(data: Any, expected_id: str, info: os.stat_result) -> Indexable | None:
    """The summary and text rows of a decoded document, or None when it must be loaded as a Conversation."""
    if not _plain_document(data, expected_id):
        return None
    messages = data["messages"]
    sources: TextSources = [(None, data["title"])]
    ids: set[str] = set()
    costs: list[float] = []
    by_effort: dict[str, float] = {}
    try:
        for message in messages:
            if not _plain_message(message):
                return None
            message_id = message["id"]
            ids.add(message_id)
            cost = cost_field(message.get("cost"))
            cost_field(message.get("duration_s"), "duration_s")
            if cost is not None:
                costs.append(cost)
                effort = _effort(message.get("params"))
                if effort is not None:
                    by_effort[effort] = by_effort.get(effort, 0.0) + cost
            if message["content"]:
                sources.append((message_id, message["content"]))
    except SchemaError:
        return None
    try:
        if not _links_hold(messages, ids, data.get("active_leaf")):
            return None
    except TypeError:  # an active leaf that is a list or an object
        return None
    summary = Summary(
        id=expected_id,
        title=data["title"],
        created_at=data["created_at"],
        updated_at=data.get("updated_at") or data["created_at"],
        model=data.get("model") or "",
        message_count=len(messages),
        size=info.st_size,
        mtime_ns=info.st_mtime_ns,
        read_only=False,
        costs=costs_json(sum(costs) if costs else None, {k: round(v, 8) for k, v in by_effort.items()}),
    )
    return Indexable(summary, sources)


def _plain_document(data: Any, expected_id: str) -> bool:
    """A document of this version, named as its file, with a title and a date (the fields read as they are)."""
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        return False
    version = data.get("version")
    if type(version) is not int or version != SCHEMA_VERSION:
        return False  # older ones are migrated, newer ones read-only: the full load
    if data.get("id") != expected_id or not is_valid_id(expected_id):
        return False
    if not isinstance(data.get("messages"), list):
        return False
    for name in _TOP_TEXT_FIELDS:
        if data.get(name) is not None and not isinstance(data[name], str):
            return False
    params = data.get("params")
    # Without a title the default one is made from the active path; without a date, the load gives "now".
    return (params is None or isinstance(params, dict)) and bool(data.get("title")) and bool(data.get("created_at"))


def _plain_message(message: Any) -> bool:
    """A message whose fields are all of the shape Message.from_dict accepts."""
    if not isinstance(message, dict) or not message.keys() <= _KEYS:
        return False
    if message.get("role") not in ROLES or not isinstance(message.get("content"), str):
        return False
    message_id = message.get("id")
    if not isinstance(message_id, str) or not message_id:
        return False
    parent = message.get("parent")
    if parent is not None and not isinstance(parent, str):
        return False
    for name in _TEXT_FIELDS:
        value = message.get(name)
        if value is not None and not isinstance(value, str):
            return False
    params = message.get("params")
    if params is not None and not isinstance(params, dict):
        return False
    usage = message.get("usage")
    return usage is None or _plain_usage(usage)


def _plain_usage(usage: Any) -> bool:
    """Usage of the shape Usage.from_dict accepts (token counts that are non-negative integers), read in place."""
    if not isinstance(usage, dict):
        return False
    for name in _USAGE_COUNTS:
        value = usage.get(name, 0)
        if type(value) is not int or value < 0:
            return False
    return True


def _effort(params: dict[str, Any] | None) -> str | None:
    """The reasoning effort a reply was asked with (as models.effort_of)."""
    effort = params.get("reasoning_effort") if params else None
    return effort if isinstance(effort, str) and effort else None


def _links_hold(messages: list[dict[str, Any]], ids: set[str], leaf: Any) -> bool:
    """Ids unique, every parent and the active leaf naming a message."""
    if len(ids) != len(messages):
        return False
    if leaf is not None and leaf not in ids:
        return False
    return all(message.get("parent") is None or message["parent"] in ids for message in messages)
