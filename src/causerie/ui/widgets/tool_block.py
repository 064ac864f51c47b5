"""How tool calls and their results read in the conversation: compact first, whole on request.

A result is untrusted text like a reply, often long (a file, a page of JSON): it shows as a few lines under a
one-line heading (tool, duration, error) and unfolds with a key. The calls of an assistant message show as one line
each (tool and arguments) under its text.
"""

from __future__ import annotations

import json

from rich.text import Text

from causerie.core.conversation.models import Message
from causerie.core.safe_text import sanitize_line
from causerie.core.tools.naming import SEPARATOR

PREVIEW_LINES = 3  # lines of a folded result
PREVIEW_CHARS = 240  # a result longer than this (in fewer lines) is folded too
CALL_CHARS = 160  # arguments shown on a call's line


def shown_tool(exposed: str | None) -> str:
    """`weather__forecast` as the user knows it: `weather › forecast`."""
    if not exposed:
        return "tool"
    server, separator, tool = exposed.partition(SEPARATOR)
    return f"{server} › {tool}" if separator and server and tool else exposed


def foldable(message: Message) -> bool:
    """Whether a tool result is longer than its folded preview."""
    content = message.content
    return content.count("\n") >= PREVIEW_LINES or len(content) > PREVIEW_CHARS


def result_label(message: Message, folded: bool) -> Text:
    """The heading of a tool result: tool, duration, whether it failed, and how to unfold it."""
    label = Text("Tool", style="bold")
    label.append(f" · {sanitize_line(shown_tool(message.name))}")
    if message.duration_s is not None:
        label.append(f" · {message.duration_s:.2f} s", style="dim")
    if message.is_error:
        label.append(" · error", style="bold reverse")
    if foldable(message):
        lines = message.content.count("\n") + 1
        size = f"{lines:,} lines" if lines > 1 else f"{len(message.content):,} characters"
        label.append(f" · {size}, o: {'show all' if folded else 'fold'}", style="italic dim")
    return label


def calls_text(message: Message) -> Text:
    """One line per call of an assistant message: `→ weather › forecast {"city": "Paris"}`."""
    text = Text()
    for number, call in enumerate(message.tool_calls):
        if number:
            text.append("\n")
        text.append("→ ", style="bold")
        text.append(sanitize_line(shown_tool(call.name)), style="bold")
        text.append(" " + sanitize_line(_compact(call.arguments)), style="dim")
    return text


def _compact(arguments: str) -> str:
    """Arguments on one line (compact JSON when they are JSON), cut to CALL_CHARS."""
    try:
        arguments = json.dumps(json.loads(arguments), ensure_ascii=False, separators=(", ", ": "))
    except (ValueError, RecursionError):
        arguments = " ".join(arguments.split())
    return arguments if len(arguments) <= CALL_CHARS else arguments[: CALL_CHARS - 1] + "…"
