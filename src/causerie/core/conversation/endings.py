"""How a reply ended: one table of the finish reasons that need a word, and what may follow each.

The message's label, the status line, the export, Continue and the prompt queue all read this table, so a reason
is worded and handled alike everywhere (they each kept their own list before, and disagreed).
"""

from __future__ import annotations

from dataclasses import dataclass

from causerie.core.conversation.models import Message

__all__ = ["ENDINGS", "Ending", "ending_of", "is_complete_reply", "is_continuable"]


@dataclass(frozen=True, slots=True)
class Ending:
    short: str  # the status line, where space is short
    label: str  # the message's own label
    continuable: bool  # Continue can pick the reply up where it stopped


ENDINGS: dict[str, Ending] = {
    "cancelled": Ending("stopped", "stopped", continuable=True),
    "length": Ending("cut off", "cut off: length limit", continuable=True),
    "error": Ending("interrupted", "interrupted by an error", continuable=True),
    "incomplete": Ending("incomplete", "incomplete", continuable=True),
    "content_filter": Ending("filtered", "stopped by the content filter", continuable=False),
}


def ending_of(message: Message) -> Ending | None:
    """How `message` ended if that needs saying: None for a reply that finished (or is not a reply)."""
    return ENDINGS.get(message.finish_reason or "")


def is_complete_reply(message: Message) -> bool:
    """Whether `message` is an assistant reply that finished, an answer a queued prompt can follow.

    A reply that asked for tool calls is not: its answer comes after the tools' results.
    """
    return (
        message.role == "assistant"
        and not message.partial
        and message.finish_reason != "tool_calls"
        and ending_of(message) is None
    )


def is_continuable(message: Message) -> bool:
    """Whether Continue can pick `message` up: a reply with some text that stopped before it finished."""
    ending = ending_of(message)
    return message.role == "assistant" and bool(message.content) and ending is not None and ending.continuable
