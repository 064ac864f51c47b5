"""The server-sent-events decoder the chat client reads streamed chunks with."""

from __future__ import annotations

from causerie.core.sse import ServerEvent, server_events


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
