"""What the engine tells a front end while it runs a turn: small frozen dataclasses, rendered by the app and `ask`."""

from __future__ import annotations

from dataclasses import dataclass

from causerie.core.chat.errors import ChatError
from causerie.core.conversation.models import Conversation, Message


@dataclass(frozen=True)
class ContextNote:
    """Something the user must know about what is sent (left out, summarized, may not fit)."""

    text: str
    severity: str = "information"


@dataclass(frozen=True)
class SummaryAdded:
    """A summary note of the oldest `turns` messages was stored and is sent in their place."""

    note: Message
    turns: int


@dataclass(frozen=True)
class ReplyStarted:
    """A reply is being written into `reply` (a new message, or an old one when continuing)."""

    reply: Message
    continuing: bool = False


@dataclass(frozen=True)
class TextAdded:
    """A piece of the reply's text arrived (already appended to `reply.content`)."""

    reply: Message
    text: str


@dataclass(frozen=True)
class ReasoningAdded:
    """A piece of the model's visible reasoning arrived (already appended to `reply.reasoning`)."""

    reply: Message
    text: str


@dataclass(frozen=True)
class OptionDropped:
    """The server rejected a request option; the request was sent again without it."""

    option: str


@dataclass(frozen=True)
class RetryScheduled:
    """The request failed in a way waiting may fix: it is sent again after `delay` seconds unless stopped.

    `Engine.retry_now()` cuts the wait short; cancelling the turn gives up.
    """

    error: ChatError
    delay: float
    attempt: int
    attempts: int


@dataclass(frozen=True)
class Retrying:
    """The wait of a RetryScheduled is over: attempt number `attempt` starts now."""

    attempt: int
    attempts: int


@dataclass(frozen=True)
class ToolRound:
    """The reply asked for tool calls: round `number` (of at most `limit`) runs them, asking the user first."""

    reply: Message
    number: int
    limit: int


@dataclass(frozen=True)
class ToolAnswered:
    """A call was answered (its result, an error, "declined" or "cancelled by the user") by this `tool` message."""

    message: Message


@dataclass(frozen=True)
class ReplyEnded:
    """The reply stopped arriving; `kept` is False when nothing arrived and the empty reply was dropped."""

    reply: Message
    kept: bool


@dataclass(frozen=True)
class Saved:
    """The conversation was written to disk (at the end of a turn, or a summary note)."""

    conversation: Conversation


@dataclass(frozen=True)
class SaveFailed:
    """The conversation could not be written; it stays in memory (the front end retries and tells the user)."""

    conversation: Conversation
    error: Exception


@dataclass(frozen=True)
class Failed:
    """The turn failed for good; `partial` says whether part of a reply arrived and was kept."""

    error: ChatError
    partial: bool


@dataclass(frozen=True)
class Finished:
    """The turn ended with a reply (its `finish_reason` says how: stop, length, ...)."""

    reply: Message


EngineEvent = (
    ContextNote
    | SummaryAdded
    | ReplyStarted
    | TextAdded
    | ReasoningAdded
    | OptionDropped
    | RetryScheduled
    | Retrying
    | ToolRound
    | ToolAnswered
    | ReplyEnded
    | Saved
    | SaveFailed
    | Failed
    | Finished
)
