"""Export a conversation as Markdown or as causerie's own JSON (never with an API key: none is ever stored)."""

from __future__ import annotations

import json
from typing import Any

from causerie.core.attachments.record import describe
from causerie.core.conversation.endings import ending_of
from causerie.core.conversation.models import Conversation, Message
from causerie.core.interchange.carried_files import KEY as CARRIED_KEY
from causerie.core.safe_text import encodable

FORMATS = ("md", "json")

_ROLE_HEADINGS = {"user": "You", "assistant": "Assistant", "system": "System", "tool": "Tool result"}


def _fence_for(text: str) -> str:
    """A backtick fence longer than any run of backticks inside `text`."""
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    return "`" * max(3, longest + 1)


def _message_markdown(message: Message) -> str:
    heading = _ROLE_HEADINGS.get(message.role, message.role.title())
    if message.kind == "summary":
        heading = "Summary of earlier turns"
    notes: list[str] = []
    if message.role == "assistant" and message.model:
        notes.append(message.model)
    if ending := ending_of(message):
        notes.append(ending.label)  # worded as the app's label: "cut off: length limit", "stopped"…
    elif message.partial:
        notes.append("incomplete")
    if message.role == "tool":
        notes.append(message.name or "tool")
        if message.is_error:
            notes.append("error")
        if message.duration_s is not None:
            notes.append(f"{message.duration_s:.2f} s")
    suffix = f" ({', '.join(notes)})" if notes else ""
    parts = [f"## {heading}{suffix}", ""]
    if message.reasoning:
        fence = _fence_for(message.reasoning)
        parts += [
            "<details><summary>Reasoning</summary>",
            "",
            f"{fence}text",
            message.reasoning,
            fence,
            "",
            "</details>",
            "",
        ]
    if message.role == "tool":
        fence = _fence_for(message.content)
        parts += [f"{fence}text", message.content.rstrip("\n"), fence]
        return "\n".join(parts)
    if message.content or not message.tool_calls:
        parts.append(message.content.rstrip("\n") if message.content else "*(empty)*")
    for call in message.tool_calls:
        fence = _fence_for(call.arguments)
        parts += ["", f"**Tool call** `{call.name}` (id {call.id}):", "", f"{fence}json", call.arguments, fence]
    if message.attachments:
        parts += ["", "Attachments:"]
        parts += [f"- {describe(a)} ({a.mime.split(';')[0]}, sha256 {a.sha256[:12]}…)" for a in message.attachments]
    return "\n".join(parts)


def conversation_to_markdown(conversation: Conversation) -> str:
    """The conversation as Markdown: a title, a line of metadata, then the active path (the branch shown).

    Other branches (earlier versions of an edited or regenerated turn) are counted in the header, not printed.
    Lone surrogates (half an emoji, a byte of a non-UTF-8 file name) become U+FFFD: the text is written, copied and
    printed as UTF-8, which cannot hold them (the JSON export keeps them, escaped).
    """
    title = conversation.title or conversation.default_title()
    path = conversation.active_path()
    meta = [f"created {conversation.created_at}"]
    if conversation.model:
        meta.append(f"model {conversation.model}")
    if conversation.profile:
        meta.append(f"profile {conversation.profile}")
    hidden = len(conversation.messages) - len(path)
    if hidden > 0:
        meta.append(f"{hidden} message{'s' if hidden != 1 else ''} on other branches not shown")
    blocks = [f"# {title}", "", f"*{' · '.join(meta)}*  ", f"*id {conversation.id}*"]
    if conversation.system_prompt:
        fence = _fence_for(conversation.system_prompt)
        blocks += ["", "## System prompt", "", f"{fence}text", conversation.system_prompt, fence]
    for message in path:
        blocks += ["", _message_markdown(message)]
    return encodable("\n".join(blocks).rstrip("\n") + "\n")


def conversation_to_dict(conversation: Conversation) -> dict[str, Any]:
    """The JSON document of an export: exactly the stored form (every branch), which `causerie import` reads back."""
    return conversation.to_dict()


def conversation_to_json(conversation: Conversation, carried: dict[str, str] | None = None) -> str:
    """The conversation as causerie's own JSON (every branch kept), indented, UTF-8 friendly.

    `carried`: attached files to embed (SHA-256 -> base64, see carried_files), which `causerie import` restores.
    """
    data = conversation_to_dict(conversation)
    if carried:
        data[CARRIED_KEY] = carried
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates cannot be written as UTF-8: escape everything instead
        text = json.dumps(data, ensure_ascii=True, indent=1) + "\n"
    return text


def export_conversation(conversation: Conversation, fmt: str, carried: dict[str, str] | None = None) -> str:
    """Export in `fmt` (`md` or `json`, which can carry attached files); raises ValueError for another format."""
    if fmt in ("md", "markdown"):
        return conversation_to_markdown(conversation)
    if fmt == "json":
        return conversation_to_json(conversation, carried)
    raise ValueError(f"unknown export format {fmt!r} (known: {', '.join(FORMATS)})")
