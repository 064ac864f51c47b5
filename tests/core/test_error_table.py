"""Every row of the error table, through the real SDK against the loopback server's real error bodies."""

from __future__ import annotations

import pytest

from causerie.core.chat.client import ChatClient, OptionDropped, TextDelta, UsageReport
from causerie.core.chat.errors import ChatError, classify
from causerie.core.chat.params import RequestParams
from causerie.core.chat.retry import RetryPolicy
from causerie.testing.fake_openai import (
    CONTEXT_TOO_LONG,
    HTML_502,
    INSUFFICIENT_QUOTA,
    INVALID_KEY,
    LLAMACPP_CONTEXT,
    OLLAMA_CONTEXT,
    RATE_LIMITED,
    VLLM_CONTEXT,
    FakeOpenAI,
    Reply,
)

KEY = "sk-test-abcdefghijklmnop1234"


async def failure(server: FakeOpenAI, reply: Reply) -> ChatError:
    server.queue(reply)
    client = ChatClient(base_url=server.base_url, api_key=KEY, key_source="the OPENAI_API_KEY environment variable")
    try:
        with pytest.raises(ChatError) as info:
            async for _ in client.stream([{"role": "user", "content": "hi"}], "gpt-6-luna"):
                pass
    finally:
        await client.close()
    return info.value


@pytest.mark.parametrize(
    "body, status, limit",
    [
        (CONTEXT_TOO_LONG, 400, 128000),
        (LLAMACPP_CONTEXT, 400, 8192),
        (LLAMACPP_CONTEXT, 500, 8192),  # older llama.cpp servers answer 500
        (VLLM_CONTEXT, 400, 4096),
        (OLLAMA_CONTEXT, 400, None),
    ],
)
async def test_context_overflow_in_every_servers_wording(server: FakeOpenAI, body, status, limit) -> None:
    error = await failure(server, Reply(status=status, error=body))
    assert error.kind == "context_length"
    assert error.context_limit == limit
    assert not error.retryable  # the same request would overflow again: the way out is to summarize or trim


async def test_html_502_is_a_short_message(server: FakeOpenAI) -> None:
    error = await failure(server, Reply(status=502, raw_body=HTML_502))
    assert error.kind == "server"
    assert "HTML" in error.message and "<" not in error.message
    assert "<" not in error.detail and "502 Bad Gateway" in error.detail


async def test_non_json_body(server: FakeOpenAI) -> None:
    body = b"upstream connect error or disconnect/reset"
    error = await failure(server, Reply(status=503, raw_body=body, content_type="text/plain"))
    assert error.kind == "server"
    assert "HTTP 503" in error.message
    assert error.detail == "upstream connect error or disconnect/reset"


async def test_auth_names_the_source_and_never_the_key(server: FakeOpenAI) -> None:
    body = {"error": dict(INVALID_KEY["error"], message=f"Incorrect API key provided: {KEY}.")}
    error = await failure(server, Reply(status=401, error=body))
    assert error.kind == "auth" and not error.retryable
    assert "OPENAI_API_KEY" in error.message
    assert KEY not in error.message and KEY not in error.detail
    assert "1234" in error.detail  # at most the last four characters


async def test_quota_and_auth_are_never_retried_automatically(server: FakeOpenAI) -> None:
    policy = RetryPolicy(attempts=5, base_delay=0.01)
    quota = await failure(server, Reply(status=429, error=INSUFFICIENT_QUOTA))
    assert quota.kind == "quota" and policy.delay(quota, 0) is None
    auth = await failure(server, Reply(status=401, error=INVALID_KEY))
    assert policy.delay(auth, 0) is None


async def test_rate_limit_wait_from_headers_then_backoff(server: FakeOpenAI) -> None:
    policy = RetryPolicy(attempts=2, base_delay=0.5, factor=2.0, max_delay=10)
    error = await failure(server, Reply(status=429, error=RATE_LIMITED, headers={"retry-after-ms": "50"}))
    assert error.kind == "rate_limit" and error.retry_after == pytest.approx(0.05)
    assert policy.delay(error, 0) == pytest.approx(0.05)
    assert policy.delay(error, 2) is None  # bounded
    error = await failure(server, Reply(status=429, error=RATE_LIMITED, headers={"retry-after": "3"}))
    assert error.retry_after == 3.0
    error = await failure(server, Reply(status=429, error=RATE_LIMITED))
    assert [policy.delay(error, n) for n in range(3)] == [0.5, 1.0, None]
    huge = await failure(server, Reply(status=429, error=RATE_LIMITED, headers={"retry-after": "3600"}))
    assert policy.delay(huge, 0) == 10


async def test_server_errors_back_off_and_stream_errors_do_not_retry_alone() -> None:
    policy = RetryPolicy(attempts=3, base_delay=1, factor=3)
    server_error = classify(status=500, body={"error": {"message": "boom", "type": "server_error"}})
    assert [policy.delay(server_error, n) for n in range(4)] == [1, 3, 9, None]
    for kind in ("timeout", "network", "stream", "context_length", "model_not_found", "bad_request"):
        assert policy.delay(ChatError(kind, "x"), 0) is None


async def test_server_rejecting_stream_options_is_asked_again_without(server: FakeOpenAI) -> None:
    server.reject_stream_options = True
    server.queue(Reply(text="fine without"))
    client = ChatClient(base_url=server.base_url, api_key=KEY)
    events = [e async for e in client.stream([{"role": "user", "content": "hi"}], "m")]
    assert OptionDropped("stream_options") in events
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "fine without"
    assert not any(isinstance(e, UsageReport) for e in events)
    assert client.stream_options is False
    bodies = [r.body for r in server.chat_requests()]
    assert "stream_options" in bodies[0] and "stream_options" not in bodies[1]
    # Remembered: the next request goes without it straight away.
    server.queue(Reply(text="again"))
    events = [e async for e in client.stream([{"role": "user", "content": "hi"}], "m")]
    assert not any(isinstance(e, OptionDropped) for e in events)
    assert len(server.chat_requests()) == 3
    await client.close()


async def test_max_tokens_parameter_name_follows_the_profile(server: FakeOpenAI) -> None:
    for param in ("max_completion_tokens", "max_tokens"):
        client = ChatClient(base_url=server.base_url, api_key=KEY, max_tokens_param=param)
        async for _ in client.stream([{"role": "user", "content": "hi"}], "m", params=RequestParams(max_tokens=77)):
            pass
        await client.close()
        body = server.chat_requests()[-1].body
        assert body[param] == 77
        other = "max_tokens" if param == "max_completion_tokens" else "max_completion_tokens"
        assert other not in body


async def test_server_enforcing_a_small_window_sends_the_real_error(server: FakeOpenAI) -> None:
    server.context_window = 5  # "hi" counts 0 + 4 tokens
    server.queue(Reply(text="fits"))
    client = ChatClient(base_url=server.base_url, api_key=KEY)
    with pytest.raises(ChatError) as info:
        async for _ in client.stream([{"role": "user", "content": "a much longer question"}], "m"):
            pass
    await client.close()
    assert info.value.kind == "context_length" and info.value.context_limit == 5
    client = ChatClient(base_url=server.base_url, api_key=KEY)
    events = [e async for e in client.stream([{"role": "user", "content": "hi"}], "m")]
    await client.close()
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "fits"
