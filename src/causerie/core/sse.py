"""Server-sent events: the lines of a streamed chat completion turned into (event, data) pairs.

causerie reads the stream's lines from the `openai` SDK's raw streaming response and decodes the JSON itself: the
SDK's typed chunk objects cost about half a millisecond of CPU per chunk (pydantic model construction), which was
most of the CPU of a fast 5,000-token reply. Request building, authentication, status errors and timeouts stay the
SDK's.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass


@dataclass(frozen=True)
class ServerEvent:
    """One dispatched event: its type ("" when the server named none) and its data (lines joined by newlines)."""

    event: str
    data: str


async def server_events(lines: AsyncIterable[str]) -> AsyncIterator[ServerEvent]:
    """Decode SSE lines (without their line endings) into events, as the WHATWG event-stream format says.

    Comments (`:` lines, used as keep-alives) and fields other than `event` and `data` are ignored; an event is
    dispatched at a blank line, and one still open when the stream ends is dispatched too (servers that omit the
    last blank line).
    """
    event = ""
    data: list[str] = []
    async for line in lines:
        if not line:
            if data:
                yield ServerEvent(event, "\n".join(data))
            event, data = "", []
            continue
        if line.startswith(":"):
            continue
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            data.append(value)
        elif name == "event":
            event = value
    if data:
        yield ServerEvent(event, "\n".join(data))
