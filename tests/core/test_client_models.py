"""ChatClient.list_models and the non-streaming ChatClient.complete, against the loopback server."""

from __future__ import annotations

import socket

import pytest

from causerie.core.chat.client import ChatClient
from causerie.core.chat.errors import ChatError
from causerie.testing.fake_openai import INVALID_KEY, FakeOpenAI, Reply

KEY = "sk-test-abcdefghijklmnop1234"


def client_for(server: FakeOpenAI) -> ChatClient:
    return ChatClient(base_url=server.base_url, api_key=KEY, key_source="OPENAI_API_KEY")


async def test_list_models_sorted_ids(server: FakeOpenAI) -> None:
    server.models = [{"id": name, "object": "model", "created": 0, "owned_by": "x"} for name in ("b-model", "a-model")]
    client = client_for(server)
    try:
        assert await client.list_models() == ["a-model", "b-model"]
    finally:
        await client.close()
    assert server.requests[-1].method == "GET" and server.requests[-1].path.endswith("/models")


async def test_list_models_failure_is_a_chat_error_without_the_key(server: FakeOpenAI) -> None:
    server.models_reply = Reply(status=401, error=INVALID_KEY)
    client = client_for(server)
    try:
        with pytest.raises(ChatError) as caught:
            await client.list_models()
    finally:
        await client.close()
    assert caught.value.kind == "auth"
    assert KEY not in caught.value.message


async def test_list_models_unreachable_server() -> None:
    with socket.socket() as bound:  # bound, never listening: a connection is refused, and no other test can take it
        bound.bind(("127.0.0.1", 0))
        client = ChatClient(base_url=f"http://127.0.0.1:{bound.getsockname()[1]}/v1", api_key=KEY)
        try:
            with pytest.raises(ChatError) as caught:
                await client.list_models()
        finally:
            await client.close()
    assert caught.value.kind == "network"


async def test_complete_returns_the_text_without_streaming(server: FakeOpenAI) -> None:
    server.queue(Reply(text="Bread basics"))
    client = client_for(server)
    try:
        text = await client.complete([{"role": "user", "content": "title?"}], "gpt-6-luna", max_tokens=20)
    finally:
        await client.close()
    assert text == "Bread basics"
    body = server.chat_requests()[-1].body
    assert "stream" not in body and body["max_completion_tokens"] == 20


async def test_complete_failure_is_a_chat_error(server: FakeOpenAI) -> None:
    server.queue(Reply(status=401, error=INVALID_KEY))
    client = client_for(server)
    try:
        with pytest.raises(ChatError) as caught:
            await client.complete([{"role": "user", "content": "x"}], "gpt-6-luna")
    finally:
        await client.close()
    assert caught.value.kind == "auth"


async def test_model_ids_that_are_not_text_are_left_out(server: FakeOpenAI) -> None:
    server.models = [{"id": name, "object": "model"} for name in ("gpt-a", 5, None, "", ["x"])]
    client = client_for(server)
    try:
        assert await client.list_models() == ["gpt-a"]
    finally:
        await client.close()


@pytest.mark.parametrize(
    "body",
    [b'{"choices": [{"message": null}]}', b'{"choices": "none"}', b'{"choices": [{"message": {"content": 5}}]}'],
)
async def test_a_completion_in_another_shape_gives_no_text(server: FakeOpenAI, body: bytes) -> None:
    server.queue(Reply(raw_body=body, content_type="application/json"))
    client = client_for(server)
    try:
        assert await client.complete([{"role": "user", "content": "title?"}], "gpt-6-luna") == ""
    finally:
        await client.close()
