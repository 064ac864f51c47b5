"""The server-sent-events decoder the chat client reads streamed chunks with."""

from __future__ import annotations

from causerie.core.chat.sse import ServerEvent, paced_lines, server_events


async def decode(lines: list[str]) -> list[ServerEvent]:
    async def source():
        for line in lines:
            yield line

    return [event async for event in server_events(source())]


async def test_data_lines_are_dispatched_at_blank_lines() -> None:
    events = await decode(['data: {"a": 1}', "", 'data: {"b": 2}', "", "data: [DONE]", ""])
    assert events == [ServerEvent("", '{"a": 1}'), ServerEvent("", '{"b": 2}'), ServerEvent("", "[DONE]")]


async def test_comments_and_unknown_fields_are_ignored_and_event_names_kept() -> None:
    lines = [": keep-alive", "id: 7", "retry: 100", "event: error", 'data: {"error": {}}', "", ": ping", ""]
    assert await decode(lines) == [ServerEvent("error", '{"error": {}}')]


async def test_multi_line_data_is_joined_and_one_space_after_the_colon_dropped() -> None:
    events = await decode(["data:first", "data:  second", "", "event: x", ""])
    assert events == [ServerEvent("", "first\n second")]  # an event with no data is not dispatched


async def test_an_event_left_open_at_the_end_is_dispatched() -> None:
    assert await decode(['data: {"last": true}']) == [ServerEvent("", '{"last": true}')]


async def split(chunks: list[bytes]) -> list[str]:
    async def source():
        for chunk in chunks:
            yield chunk

    return [line async for line in paced_lines(source(), 0.0)]


async def test_lines_end_at_crlf_lf_or_cr_even_when_split_across_reads() -> None:
    chunks = [b"data: a\r", b"\ndata: b\n", b"\r\n", b"data: c\r\rdata: d", b"\xc3", b"\xa9\n", b"tail"]
    assert await split(chunks) == ["data: a", "data: b", "", "data: c", "", "data: dé", "tail"]


async def test_a_chunk_the_stream_waited_for_is_followed_by_a_pause_before_the_next_read() -> None:
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(round(seconds, 6))
        now[0] += seconds

    async def source():
        # The network wait before each chunk: buffered (none), then a trickle (5 ms), twice.
        for wait in (0.0, 0.005, 0.0, 0.005):
            now[0] += wait
            yield b"data: x\n\n"

    busy = iter([0.0, 0.004, 0.0, 0.030])  # the time the reader spends on each event before asking for more
    lines = []
    async for line in paced_lines(source(), 0.025, clock=lambda: now[0], sleep=sleep):
        lines.append(line)
        if not line:
            now[0] += next(busy)
    assert lines == ["data: x", ""] * 4
    # After the second chunk (waited for) the reader was busy 4 ms: it pauses 21 ms more; after the fourth it was
    # busy 30 ms: no pause. Buffered chunks are never followed by one.
    assert slept == [0.021]


async def test_lines_just_under_the_limit_pass_and_one_over_it_raises() -> None:
    import pytest

    from causerie.core.chat.sse import MAX_LINE, LineTooLong

    line = "y" * (MAX_LINE - 10)
    assert await split([line[: MAX_LINE // 2].encode(), line[MAX_LINE // 2 :].encode() + b"\nnext\n"]) == [line, "next"]
    with pytest.raises(LineTooLong):
        await split([b"z" * (MAX_LINE // 2), b"z" * (MAX_LINE // 2 + 1)])
