"""ChatClient: streams a chat completion from any OpenAI-compatible server as simple events."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from causerie.core.chat.errors import ChatError, classify, redact, tools_rejection
from causerie.core.chat.params import RequestParams
from causerie.core.chat.sse import LineTooLong, paced_lines, server_events
from causerie.core.chat.thinking import ThinkSplitter
from causerie.core.chat.tool_deltas import ToolCallAssembler
from causerie.core.conversation.models import ToolCall, Usage
from causerie.core.safe_text import encodable

if TYPE_CHECKING:
    import httpx2
    import openai

PLACEHOLDER_KEY = "no-key-needed"


@dataclass(frozen=True)
class TextDelta:
    """A piece of the reply's text."""

    text: str


@dataclass(frozen=True)
class ReasoningDelta:
    """A piece of the model's visible reasoning (shown apart, never sent back)."""

    text: str


@dataclass(frozen=True)
class UsageReport:
    """Token usage of the request, from the final usage chunk."""

    usage: Usage


@dataclass(frozen=True)
class Finished:
    """The server said why the reply ended (`stop`, `length`, ...)."""

    reason: str


@dataclass(frozen=True)
class OptionDropped:
    """The server rejected a request option; the request was sent again without it (say so once)."""

    option: str


@dataclass(frozen=True)
class ToolCallsRequested:
    """The model asks for these tool calls (assembled from the stream; given once, at the end of the reply)."""

    calls: list[ToolCall]


StreamEvent = TextDelta | ReasoningDelta | UsageReport | Finished | OptionDropped | ToolCallsRequested


MAX_COUNT = 2**53
"""More tokens than any reply has: a count beyond it (or negative, or not a number) is not believed."""


def usage_from_api(raw: dict[str, Any]) -> Usage:
    """Usage from a chunk's `usage` object, including cached and reasoning tokens.

    A count the server got wrong (negative, fractional, infinite, a string, a list) counts as 0: stored as sent,
    a negative count made the conversation's file fail its own validation, unreadable from then on.
    """
    prompt = _count(raw.get("prompt_tokens"))
    completion = _count(raw.get("completion_tokens"))
    total = _count(raw.get("total_tokens")) or prompt + completion
    prompt_details, completion_details = raw.get("prompt_tokens_details"), raw.get("completion_tokens_details")
    cached = _count(prompt_details.get("cached_tokens")) if isinstance(prompt_details, dict) else 0
    reasoning = _count(completion_details.get("reasoning_tokens")) if isinstance(completion_details, dict) else 0
    return Usage(prompt, completion, total, cached, reasoning)


def _count(value: object) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT:
        return value
    return 0


class ChatClient:
    """A thin layer over `openai.AsyncOpenAI` with bounded retries, a read timeout and plain errors."""

    def __init__(
        self,
        *,
        base_url: str | None,
        api_key: str | None,
        read_timeout: float = 60.0,
        connect_timeout: float = 10.0,
        max_retries: int = 0,
        stream_options: bool = True,
        key_source: str = "",
        max_tokens_param: str = "max_completion_tokens",
    ) -> None:
        self.base_url = base_url
        self.stream_options = stream_options
        self.max_tokens_param = max_tokens_param
        self.read_timeout = read_timeout
        self.key_source = key_source
        self._api_key = api_key
        self._connect_timeout = connect_timeout
        self._max_retries = max_retries
        self._sdk_client: openai.AsyncOpenAI | None = None
        self._making = threading.Lock()

    def prepare(self) -> None:
        """Import the SDK, make its client and load what its first request would load (about 0.5 CPU-s).

        Called in a thread, never on the event loop: the app calls it once its first screen is drawn, a request
        before that, so that neither the start nor typing waits for the import, the HTTP client or its TLS context.
        """
        import anyio

        client = self._made()
        client.chat.completions  # noqa: B018 - the SDK imports its chat resources at first access (50 ms)
        anyio.run(anyio.sleep, 0)  # and the HTTP transport its async backend at first connection (15 ms)

    def _made(self) -> openai.AsyncOpenAI:
        with self._making:  # the background preparation and a first request may meet here
            if self._sdk_client is None:
                import openai

                self._sdk_client = openai.AsyncOpenAI(
                    api_key=self._api_key or PLACEHOLDER_KEY,
                    base_url=self.base_url,
                    max_retries=self._max_retries,
                    timeout=openai.Timeout(self.read_timeout, connect=self._connect_timeout),
                )
            return self._sdk_client

    @property
    def _client(self) -> openai.AsyncOpenAI:
        """The SDK client, made at first use if nothing prepared it before."""
        return self._sdk_client if self._sdk_client is not None else self._made()

    async def _loaded(self) -> None:
        """Before the first request: prepare the client in a thread, so the event loop (typing) is not blocked.

        Also while the background preparation is still under way: waiting for it on the event loop would block
        there. Once prepared, this costs nothing.
        """
        if self._sdk_client is None:
            await asyncio.to_thread(self.prepare)

    @property
    def display_url(self) -> str:
        """The base URL requests go to."""
        return str(self._client.base_url).rstrip("/")

    async def close(self) -> None:
        """Close the HTTP connection pool (if a request ever opened one)."""
        if self._sdk_client is not None:
            await self._sdk_client.close()

    async def stream(
        self,
        messages: list[dict[str, Any]],
        model: str,
        *,
        params: RequestParams | None = None,
        tools: list[dict[str, Any]] | None = None,
    ) -> AsyncIterator[StreamEvent]:
        """Send `messages` and yield the reply as events; raises ChatError on any failure.

        `params` are the controls set (effort, temperature, output cap...): only those are sent, the cap under
        the profile's `max_tokens_param`, extra fields in the body. A 400 refusing one raises a ChatError whose
        `param` names it (the engine decides whether to send again without it).

        `tools` is the API's `tools` parameter (function specs); the calls the model makes are yielded as one
        ToolCallsRequested after the reply's last chunk. A server that rejects `tools` raises a ChatError of kind
        `tools_rejected` (the UI offers to send again without them).
        Cancelling the consumer closes the HTTP response (the stream is used in `async with`).
        """
        # A lone surrogate cannot be encoded as UTF-8: the request would fail on every retry.
        messages = _encodable_strings(messages)
        tools = _encodable_strings(tools)
        await self._loaded()
        first = True
        while True:
            kwargs: dict[str, Any] = {"model": model, "messages": messages, "stream": True}
            if self.stream_options:
                kwargs["stream_options"] = {"include_usage": True}
            if params is not None:
                kwargs.update(params.request_kwargs(self.max_tokens_param))
            if tools:
                kwargs["tools"] = tools
            splitter = ThinkSplitter()
            assembler = ToolCallAssembler()
            answered = False
            try:
                # The raw streaming response (status errors, auth and timeouts stay the SDK's); the chunks are
                # decoded here as plain JSON: the SDK's typed chunk objects cost ~0.5 ms of CPU each, and the socket
                # is read at a bounded rate (see sse.py).
                async with self._client.chat.completions.with_streaming_response.create(**kwargs) as response:
                    answered = True
                    received = False
                    async for sse in server_events(paced_lines(response.http_response.aiter_bytes())):
                        received = True
                        if sse.data.startswith("[DONE]"):
                            break
                        chunk = json.loads(sse.data)
                        if isinstance(chunk, dict) and chunk.get("error"):
                            raise _stream_error(chunk["error"], response.http_request)
                        for event in self._events(chunk, splitter, assembler):
                            yield event
                    if not received:  # not one event: whatever answered does not speak the streaming format
                        raise json.JSONDecodeError("no server-sent event in the response", "", 0)
                    for event in self._split(*splitter.flush()):
                        yield event
                    calls = assembler.calls()
                    if calls:
                        yield ToolCallsRequested(calls)
                return
            except ChatError:
                raise
            except Exception as exc:  # every failure becomes a ChatError: never a traceback in the UI
                error = self._to_chat_error(exc)
                if answered and error.kind == "network":  # the server was reached: it hung up mid-reply
                    error.message = f"The connection to {self.display_url} dropped in the middle of the reply."
                if tools and not answered:
                    error = tools_rejection(error)
            if first and self.stream_options and error.kind == "bad_request" and "stream_options" in error.message:
                # Some OpenAI-compatible servers reject `stream_options`: ask again without it, once, and
                # remember for the rest of the session (usage is then estimated).
                self.stream_options = False
                first = False
                yield OptionDropped("stream_options")
                continue
            raise error

    @staticmethod
    def _split(answer: str, reasoning: str) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        if reasoning:
            events.append(ReasoningDelta(reasoning))
        if answer:
            events.append(TextDelta(answer))
        return events

    @staticmethod
    def _events(chunk: Any, splitter: ThinkSplitter, assembler: ToolCallAssembler) -> list[StreamEvent]:
        """The events of one decoded chunk (a JSON object; anything else in it is ignored)."""
        events: list[StreamEvent] = []
        if not isinstance(chunk, dict):
            return events
        for choice in chunk.get("choices") or ():
            if not isinstance(choice, dict):
                continue
            delta = choice.get("delta")
            if isinstance(delta, dict):
                reasoning = delta.get("reasoning_content") or delta.get("reasoning")
                if isinstance(reasoning, str) and reasoning:
                    events.append(ReasoningDelta(reasoning))
                content = delta.get("content")
                if isinstance(content, str) and content:
                    events.extend(ChatClient._split(*splitter.feed(content)))
                assembler.feed(delta.get("tool_calls"))
            reason = choice.get("finish_reason")
            if isinstance(reason, str) and reason:
                events.append(Finished(reason))
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            events.append(UsageReport(usage_from_api(usage)))
        return events

    def _to_chat_error(self, exc: BaseException) -> ChatError:
        # The SDK wraps failures of the request itself; a body read after the response arrived (the stream) raises
        # its HTTP library's own exceptions, which are therefore named here.
        import httpx2
        import openai

        url = self.display_url
        if isinstance(exc, openai.APIStatusError):
            error = classify(
                status=exc.status_code,
                body=exc.body if exc.body is not None else exc.response.text,
                code=exc.code,
                message=exc.message,
                headers=dict(exc.response.headers),
                request_id=exc.request_id,
                key_source=self.key_source,
            )
        elif isinstance(exc, openai.APITimeoutError | httpx2.TimeoutException):
            error = ChatError("timeout", f"No data from {url} for {self.read_timeout:g} s: the request timed out.")
        elif isinstance(exc, openai.APIConnectionError):
            cause = exc.__cause__ or exc.__context__
            reason = f" ({cause})" if cause and str(cause) else ""
            error = ChatError("network", f"Could not reach {url}{reason}.")
        elif isinstance(exc, httpx2.TransportError):
            error = ChatError("network", f"The connection to {url} dropped in the middle of the reply.")
        elif isinstance(exc, openai.APIError):
            error = classify(status=None, body=exc.body, code=exc.code, message=exc.message, key_source=self.key_source)
        elif isinstance(exc, LineTooLong):
            error = ChatError("stream", f"{url} sent {exc}: the reply was stopped there (a broken server?).")
        elif isinstance(exc, UnicodeDecodeError | json.JSONDecodeError):
            error = ChatError(
                "stream", f"{url} answered with something that is not a chat reply stream (not OpenAI-compatible?)."
            )
        else:
            error = ChatError("unknown", f"The request failed unexpectedly ({exc.__class__.__name__}).")
        error.message = redact(error.message, self._api_key)
        error.detail = redact(error.detail, self._api_key)
        return error

    async def list_models(self) -> list[str]:
        """The ids of the models the server offers (`GET /models`), sorted; raises ChatError on any failure."""
        await self._loaded()
        try:
            page = await self._client.models.list()
            ids = {model.id async for model in page if isinstance(getattr(model, "id", None), str) and model.id}
        except Exception as exc:  # every failure becomes a ChatError
            raise self._to_chat_error(exc) from None
        return sorted(ids)

    async def complete(self, messages: list[dict[str, str]], model: str, *, max_tokens: int | None = None) -> str:
        """One non-streaming completion (for short background requests such as a title); raises ChatError."""
        kwargs: dict[str, Any] = {"model": model, "messages": _encodable_strings(messages)}
        if max_tokens is not None:
            kwargs[self.max_tokens_param] = max_tokens
        await self._loaded()
        try:
            response = await self._client.chat.completions.create(**kwargs)
        except Exception as exc:  # every failure becomes a ChatError
            raise self._to_chat_error(exc) from None
        choices = getattr(response, "choices", None)
        message = getattr(choices[0], "message", None) if isinstance(choices, list) and choices else None
        content = getattr(message, "content", None)
        return content if isinstance(content, str) else ""  # a server that answered in another shape: no text


def _encodable_strings(value: Any) -> Any:
    """`value` with every string in it `encodable`: message texts, text parts, a PDF's name, tool call arguments.

    Lists and dicts are copied, so the caller's messages keep their exact text.
    """
    if isinstance(value, str):
        return encodable(value)
    if isinstance(value, dict):
        return {key: _encodable_strings(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_encodable_strings(item) for item in value]
    return value


def _stream_error(error: Any, request: httpx2.Request) -> openai.APIError:
    """An error event inside the stream, as the SDK reports it (a plain APIError without a status)."""
    import openai

    message = error.get("message") if isinstance(error, dict) else None
    if not isinstance(message, str) or not message:
        message = error if isinstance(error, str) and error else "An error occurred during streaming"
    return openai.APIError(message, request, body=error)
