"""Server-sent events: the lines of a streamed chat completion turned into (event, data) pairs.

causerie reads the stream's lines from the `openai` SDK's raw streaming response and decodes the JSON itself: the
SDK's typed chunk objects cost about half a millisecond of CPU per chunk (pydantic model construction), which was
most of the CPU of a fast 5,000-token reply. Request building, authentication, status errors and timeouts stay the
SDK's.

The lines come from `paced_lines`, which splits the response's bytes itself and paces a trickling stream: a server
streaming at 200 tokens/s sends an event every 5 ms, and each wake-up of the HTTP stack (httpx2, httpcore2, anyio)
for one cost about 0.3 ms of CPU, a quarter of the app's CPU at that rate. Pausing READ_INTERVAL after a chunk the
stream waited for lets the events that arrive meanwhile be read in one go; the screen is redrawn at most 15 times
a second, so nothing is shown later for it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

READ_INTERVAL = 0.025  # seconds: the pause after a chunk the stream waited for, before the next read
WAITED = 0.001  # a chunk that took this long to come was waited for (a read of buffered data takes ~0.1 ms)
MAX_LINE = 8 * 1024 * 1024  # bytes: one event line (one chunk's JSON is a few KB); a longer one is cut with an error


class LineTooLong(ValueError):
    """The server sent a line longer than MAX_LINE without ending it (a broken or hostile server)."""


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


async def paced_lines(
    chunks: AsyncIterable[bytes],
    interval: float = READ_INTERVAL,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> AsyncIterator[str]:
    """The lines (without line endings: CRLF, LF or CR) of a byte stream, decoded as UTF-8.

    A chunk the stream had to wait for (the network was idle: the server trickles) is followed by a pause of up to
    `interval` before the next one is asked for, so that what arrives meanwhile is read at once. A reader busier
    than that, or a stream with data waiting (a fast server), is never paused.

    Raises:
        LineTooLong: A line grew past MAX_LINE bytes without an end (it is never held whole in memory).
    """
    buffer = bytearray()  # appending is amortised O(1): a line that never ends costs linear time, not quadratic
    pending_cr = False  # the last chunk ended with CR: a LF starting the next one belongs to it
    resume_at = None
    iterator = chunks.__aiter__()
    while True:
        if resume_at is not None:
            rest = resume_at - clock()
            if rest > 0:
                await sleep(rest)
        asked = clock()
        try:
            chunk = await iterator.__anext__()
        except StopAsyncIteration:
            break
        got = clock()
        resume_at = got + interval if got - asked >= WAITED else None
        if pending_cr and chunk.startswith(b"\n"):
            chunk = chunk[1:]
        pending_cr = chunk.endswith(b"\r")
        ends = b"\n" in chunk or b"\r" in chunk
        buffer += chunk
        if not ends:  # still inside one line: nothing to split, only its length to watch
            if len(buffer) > MAX_LINE:
                raise LineTooLong(f"a line longer than {MAX_LINE // (1024 * 1024)} MiB without an end")
            continue
        if b"\r" in buffer:
            buffer = bytearray(buffer.replace(b"\r\n", b"\n").replace(b"\r", b"\n"))
        *lines, rest = buffer.split(b"\n")
        buffer = bytearray(rest)
        if len(buffer) > MAX_LINE:
            raise LineTooLong(f"a line longer than {MAX_LINE // (1024 * 1024)} MiB without an end")
        for line in lines:
            if len(line) > MAX_LINE:
                raise LineTooLong(f"a line longer than {MAX_LINE // (1024 * 1024)} MiB without an end")
            yield line.decode("utf-8", errors="replace")
    if buffer:
        yield buffer.decode("utf-8", errors="replace")
