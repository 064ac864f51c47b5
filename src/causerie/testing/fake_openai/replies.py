"""What the loopback server answers: a scripted `Reply` per request, and the `Received` request it recorded."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_PIECE_RE = re.compile(r"\s*\S+|\s+")


def tokens_of(text: str) -> list[str]:
    """Split text into word-sized pieces, the way a model streams it (whitespace kept)."""
    return _PIECE_RE.findall(text) or [text]


@dataclass(frozen=True)
class ToolCallSpec:
    """A tool call the fake model makes: streamed as deltas the OpenAI way or the Ollama way (see Reply)."""

    name: str
    arguments: str = "{}"
    id: str | None = None  # default: call_<n>


@dataclass
class Reply:
    """How the server answers one request."""

    text: str = "Hello! How can I help?"
    chunks: list[str] | None = None
    delay: float = 0.0
    first_delay: float = 0.0
    status: int = 200
    error: dict[str, Any] | None = None
    raw_body: bytes | None = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    usage: dict[str, Any] | None = None
    send_usage: bool = True
    send_done: bool = True
    finish_reason: str | None = "stop"
    split_writes: bool = False
    keepalive: bool = False
    error_after: int | None = None
    drop_after: int | None = None
    stall_after: int | None = None
    stall_seconds: float = 3600.0
    stalled: threading.Event | None = None  # set once the stall begins: every piece before it was written
    reasoning: str = ""
    hang: bool = False
    byte_by_byte: bool = False  # every byte of the stream in its own write (a slow link)
    on_sent: Callable[[], None] | None = None  # called right after the last byte of a stream (benchmarks)
    # When set, the stream sends its first piece, then waits until the event is set (or the server stops) and goes
    # on: a reply the test holds open for as long as it needs, then lets end normally.
    release: threading.Event | None = None
    # Tool calls after the text: "openai" streams each call's arguments in pieces under its own index;
    # "ollama" sends each call whole in its own chunk, every one with index 0 (they differ only by id).
    tool_calls: list[ToolCallSpec] = field(default_factory=list)
    tool_style: str = "openai"

    def __post_init__(self) -> None:
        # A fault placed after the last piece would never happen: the test asking for it would test nothing.
        for name in ("error_after", "drop_after", "stall_after"):
            at = getattr(self, name)
            if at is not None and not 0 <= at <= len(self.pieces()):
                raise ValueError(f"{name}={at}: the reply has only {len(self.pieces())} pieces")

    def fault_at(self, index: int) -> str | None:
        """The fault that comes instead of piece `index` (`index` == the number of pieces: after the last)."""
        for name in ("error_after", "drop_after", "stall_after"):
            if getattr(self, name) == index:
                return name
        return None

    def pieces(self) -> list[str]:
        """The content deltas to send."""
        return list(self.chunks) if self.chunks is not None else tokens_of(self.text)


@dataclass
class Received:
    """A request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
