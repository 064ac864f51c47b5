"""ChatClient through the real openai SDK against a real loopback server speaking the SSE wire format."""

from __future__ import annotations

import pytest

from causerie.core.chat.client import ChatClient, Finished, ReasoningDelta, TextDelta, UsageReport
from causerie.core.chat.errors import ChatError
from causerie.core.conversation.token_usage import Usage
from causerie.testing.fake_openai import (
    CONTEXT_TOO_LONG,
    INSUFFICIENT_QUOTA,
    INVALID_KEY,
    MODEL_NOT_FOUND,
    RATE_LIMITED,
    FakeOpenAI,
    Reply,
)

KEY = "sk-test-abcdefghijklmnop1234"


def client_for(server: FakeOpenAI, **kwargs) -> ChatClient:
    return ChatClient(base_url=server.base_url, api_key=KEY, key_source="OPENAI_API_KEY", **kwargs)


async def collect(client: ChatClient, messages=None) -> list:
    events = []
    async for event in client.stream(messages or [{"role": "user", "content": "hi"}], "gpt-6-luna"):
        events.append(event)
    await client.close()
    return events


def text_of(events: list) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


async def stream_until_error(server: FakeOpenAI, **kwargs) -> tuple[list, ChatError]:  # noqa: ANN003
    """The events of one streamed request that must end in a ChatError, and that error."""
    client = client_for(server, **kwargs)
    received = []
    with pytest.raises(ChatError) as info:
        async for event in client.stream([{"role": "user", "content": "hi"}], "gpt-6-luna"):
            received.append(event)
    await client.close()
    return received, info.value


async def test_stream_text_finish_and_usage(server: FakeOpenAI) -> None:
    server.queue(
        Reply(text="Hello there, **friend**!", usage={"prompt_tokens": 9, "completion_tokens": 5, "total_tokens": 14})
    )
    events = await collect(client_for(server), [{"role": "system", "content": "S"}, {"role": "user", "content": "hi"}])
    assert text_of(events) == "Hello there, **friend**!"
    assert Finished("stop") in events
    usage = [e.usage for e in events if isinstance(e, UsageReport)]
    assert [(u.prompt_tokens, u.completion_tokens, u.total_tokens) for u in usage] == [(9, 5, 14)]
    body = server.chat_requests()[0].body
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["messages"] == [{"role": "system", "content": "S"}, {"role": "user", "content": "hi"}]
    assert server.chat_requests()[0].headers["authorization"] == f"Bearer {KEY}"


async def test_events_split_across_tcp_writes_and_keepalive_comments(server: FakeOpenAI) -> None:
    text = "Ünïcödé 中文 and emoji 👩‍💻 across split writes. " * 5
    server.queue(Reply(text=text, split_writes=True, keepalive=True))
    events = await collect(client_for(server))
    assert text_of(events) == text
    assert Finished("stop") in events


@pytest.mark.parametrize(
    ("usage", "expected"),
    [
        ({"prompt_tokens": -5, "completion_tokens": 3, "total_tokens": -2}, (0, 3, 3, 0, 0)),
        ({"prompt_tokens": float("inf"), "completion_tokens": 2.0}, (0, 2, 2, 0, 0)),
        ({"prompt_tokens": "12", "completion_tokens": True, "total_tokens": 2**60}, (0, 0, 0, 0, 0)),
        ({"prompt_tokens": 4, "prompt_tokens_details": [1], "completion_tokens_details": "x"}, (4, 0, 4, 0, 0)),
        (
            {
                "prompt_tokens": 10,
                "completion_tokens": 5,
                "prompt_tokens_details": {"cached_tokens": -1},
                "completion_tokens_details": {"reasoning_tokens": 2.5},
            },
            (10, 5, 15, 0, 0),
        ),
    ],
)
async def test_counts_a_server_got_wrong_count_as_zero_and_the_reply_is_kept(
    server: FakeOpenAI, usage: dict, expected: tuple[int, ...]
) -> None:
    server.queue(Reply(text="counted", usage=usage))
    events = await collect(client_for(server))
    assert text_of(events) == "counted" and Finished("stop") in events
    [report] = [e.usage for e in events if isinstance(e, UsageReport)]
    counts = (report.prompt_tokens, report.completion_tokens, report.total_tokens)
    assert (*counts, report.cached_tokens, report.reasoning_tokens) == expected
    assert Usage.from_dict(report.to_dict()) == report  # what is stored passes the file's own validation


async def test_an_error_body_nested_too_deep_to_parse_is_a_chat_error(server: FakeOpenAI) -> None:
    server.queue(Reply(status=400, raw_body=b"[" * 100_000, content_type="application/json"))
    with pytest.raises(ChatError) as caught:
        await collect(client_for(server))
    assert caught.value.kind == "bad_request"


async def test_stream_without_done_marker(server: FakeOpenAI) -> None:
    server.queue(Reply(text="no done marker here", send_done=False))
    events = await collect(client_for(server))
    assert text_of(events) == "no done marker here"
    assert Finished("stop") in events


async def test_mid_stream_error_event_keeps_what_arrived(server: FakeOpenAI) -> None:
    server.queue(Reply(text="one two three four five", error_after=2))
    received, error = await stream_until_error(server)
    assert text_of(received) == "one two"
    assert error.kind in ("stream", "server")


async def test_dropped_connection_mid_stream(server: FakeOpenAI) -> None:
    server.queue(Reply(text="one two three four five", drop_after=3))
    received, error = await stream_until_error(server)
    assert text_of(received) == "one two three"
    assert error.kind == "network"


async def test_a_fault_after_the_last_piece_happens_and_one_past_the_end_is_refused(server: FakeOpenAI) -> None:
    server.queue(Reply(text="one two three", drop_after=3))  # every word, then no finish: the link drops
    received, error = await stream_until_error(server)
    assert text_of(received) == "one two three" and error.kind == "network"
    with pytest.raises(ValueError, match="error_after=4: the reply has only 3 pieces"):
        Reply(text="one two three", error_after=4)  # a fault that would never happen, silently


async def test_reasoning_deltas_are_separate(server: FakeOpenAI) -> None:
    server.queue(Reply(text="Answer.", reasoning="Let me think."))
    events = await collect(client_for(server))
    assert "".join(e.text for e in events if isinstance(e, ReasoningDelta)) == "Let me think."
    assert text_of(events) == "Answer."


@pytest.mark.parametrize(
    "reply, kind",
    [
        (Reply(status=401, error=INVALID_KEY), "auth"),
        (Reply(status=429, error=INSUFFICIENT_QUOTA), "quota"),
        (Reply(status=429, error=RATE_LIMITED, headers={"retry-after-ms": "1500"}), "rate_limit"),
        (Reply(status=400, error=CONTEXT_TOO_LONG), "context_length"),
        (Reply(status=404, error=MODEL_NOT_FOUND), "model_not_found"),
        (
            Reply(status=502, raw_body=b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"),
            "server",
        ),
    ],
)
async def test_error_statuses_are_classified(server: FakeOpenAI, reply: Reply, kind: str) -> None:
    server.queue(reply)
    with pytest.raises(ChatError) as info:
        await collect(client_for(server))
    error = info.value
    assert error.kind == kind
    assert KEY not in error.message and KEY not in error.detail
    assert "<html" not in error.message and "<html" not in error.detail
    if kind == "rate_limit":
        assert error.retry_after == pytest.approx(1.5)
    assert len(server.chat_requests()) == 1  # causerie, not the SDK, decides about retries


async def test_connection_refused_names_the_url() -> None:
    with FakeOpenAI() as fake:
        url = fake.base_url
    client = ChatClient(base_url=url, api_key=KEY)
    with pytest.raises(ChatError) as info:
        await collect(client)
    assert info.value.kind == "network"
    assert url in info.value.message


async def test_read_timeout_is_bounded(server: FakeOpenAI) -> None:
    server.queue(Reply(text="a b c d", stall_after=1, stall_seconds=10))
    # A read timeout never reached between two pieces sent back to back.
    received, error = await stream_until_error(server, read_timeout=1.5)
    assert error.kind == "timeout"
    assert text_of(received) == "a"


async def test_a_line_that_never_ends_is_cut_at_the_stated_size(server: FakeOpenAI) -> None:
    from causerie.core.chat.sse import MAX_LINE

    endless = b"data: " + b"x" * (MAX_LINE + 1024 * 1024)  # no line end, ever
    server.queue(Reply(raw_body=endless, content_type="text/event-stream"))
    with pytest.raises(ChatError) as info:
        await collect(client_for(server))
    assert info.value.kind == "stream"
    assert f"longer than {MAX_LINE // (1024 * 1024)} MiB" in info.value.message
