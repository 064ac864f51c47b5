"""The loopback HTTP server: records each request and answers it with the next scripted Reply."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from causerie.testing.fake_openai.bodies import (
    INVALID_KEY,
    STREAM_OPTIONS_REJECTED,
    context_error,
    error_body,
    prompt_tokens_of,
    unsupported_param,
)
from causerie.testing.fake_openai.replies import Received, Reply, tokens_of
from causerie.testing.fake_openai.tool_stream import finish_reason, tool_call_deltas


class FakeOpenAI:
    """A scripted OpenAI-compatible server on loopback. Use as a context manager or start()/stop()."""

    def __init__(self, responder: Callable[[Received], Reply] | None = None) -> None:
        self.responder = responder
        self.default = Reply()
        self.replies: deque[Reply] = deque()
        self.requests: list[Received] = []
        # Behaviour of the whole server (not one reply): a context window it enforces with OpenAI's real
        # error, and whether it rejects `stream_options` like some OpenAI-compatible servers do.
        self.context_window: int | None = None
        self.reject_stream_options: bool = False
        # Body fields the "model" refuses with OpenAI's 400: name -> "parameter" (any value) or "value" (this one).
        self.rejected_params: dict[str, str] = {}
        # When set, every request must carry `Authorization: Bearer <required_key>` (else OpenAI's 401 body).
        self.required_key: str | None = None
        self.models: list[dict[str, Any]] = [
            {"id": "gpt-6-luna", "object": "model", "created": 1760000000, "owned_by": "openai"},
            {"id": "gpt-6", "object": "model", "created": 1760000000, "owned_by": "openai"},
        ]
        self.models_reply: Reply | None = None  # set with an error status to make GET /models fail
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    # -- control ---------------------------------------------------------------------------------------------
    def queue(self, *replies: Reply) -> None:
        """Answer the next requests with these replies, in order (then `default`)."""
        self.replies.extend(replies)

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        """The URL to give causerie (`--base-url`)."""
        return f"http://127.0.0.1:{self.port}/v1"

    def chat_requests(self) -> list[Received]:
        """The chat completion requests received so far."""
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def start(self, port: int = 0) -> FakeOpenAI:
        handler = _make_handler(self)
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-openai", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _next_reply(self, received: Received) -> Reply:
        if self.replies:
            return self.replies.popleft()
        if self.responder is not None:
            return self.responder(received)
        return self.default


def _make_handler(server: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
            pass

        def _read_body(self) -> Any:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                return json.loads(raw) if raw else None
            except ValueError:
                return raw.decode("utf-8", "replace")

        def _record(self, body: Any) -> Received:
            received = Received(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            server.requests.append(received)
            return received

        def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()

        def _authorized(self) -> bool:
            if server.required_key is None or self.headers.get("Authorization") == f"Bearer {server.required_key}":
                return True
            self._send_json(401, INVALID_KEY)
            return False

        def do_GET(self) -> None:  # noqa: N802
            self._record(None)
            if not self._authorized():
                return
            if self.path.rstrip("/").endswith("/models"):
                failure = server.models_reply
                if failure is not None and (failure.status != 200 or failure.raw_body is not None):
                    self._send_error(failure)
                    return
                self._send_json(200, {"object": "list", "data": server.models})
            else:
                self._send_json(404, error_body("not_found", f"Unknown path {self.path}"))

        def do_POST(self) -> None:  # noqa: N802
            body = self._read_body()
            received = self._record(body)
            if not self._authorized():
                return
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._send_json(404, error_body("not_found", f"Unknown path {self.path}"))
                return
            if server.reject_stream_options and isinstance(body, dict) and "stream_options" in body:
                self._send_json(400, STREAM_OPTIONS_REJECTED)
                return
            refused = [k for k in server.rejected_params if isinstance(body, dict) and k in body]
            if refused:
                name = refused[0]
                value = body[name] if server.rejected_params[name] == "value" else None
                self._send_json(400, unsupported_param(name, value))
                return
            if server.context_window is not None and prompt_tokens_of(body) > server.context_window:
                self._send_json(400, context_error(server.context_window, prompt_tokens_of(body)))
                return
            reply = server._next_reply(received)
            if reply.hang:
                server._stop.wait(reply.stall_seconds)
                self.close_connection = True
                return
            if reply.first_delay:
                time.sleep(reply.first_delay)
            if reply.status != 200 or reply.raw_body is not None:
                self._send_error(reply)
                return
            model = body.get("model", "gpt-6-luna") if isinstance(body, dict) else "gpt-6-luna"
            if isinstance(body, dict) and body.get("stream"):
                self._stream(reply, model, body)
            else:
                self._complete(reply, model, body)

        def _send_error(self, reply: Reply) -> None:
            data = reply.raw_body if reply.raw_body is not None else json.dumps(reply.error or {}).encode()
            ctype = reply.content_type or ("application/json" if reply.raw_body is None else "text/html")
            self.send_response(reply.status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()

        def _usage(self, reply: Reply, body: Any) -> dict[str, Any]:
            if reply.usage is not None:
                return reply.usage
            prompt = prompt_tokens_of(body)
            completion = len(reply.pieces())
            return {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            }

        def _complete(self, reply: Reply, model: str, body: Any) -> None:
            payload = {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "".join(reply.pieces())},
                        "finish_reason": reply.finish_reason or "stop",
                    }
                ],
                "usage": self._usage(reply, body),
            }
            self._send_json(200, payload)

        def _write(self, data: bytes, reply: Reply) -> None:
            if reply.byte_by_byte:
                for index in range(len(data)):
                    self._chunked(data[index : index + 1])
                return
            if reply.split_writes and len(data) > 3:
                # Several TCP writes per event, cutting inside the JSON and inside a UTF-8 sequence.
                cuts = sorted({1, len(data) // 3, len(data) // 2, len(data) - 2})
                start = 0
                for cut in [*cuts, len(data)]:
                    self._chunked(data[start:cut])
                    time.sleep(0.001)
                    start = cut
            else:
                self._chunked(data)

        def _chunked(self, data: bytes) -> None:
            if data:
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

        def _event(self, payload: Any, reply: Reply) -> None:
            try:
                data = json.dumps(payload, ensure_ascii=False).encode()
            except UnicodeEncodeError:  # lone surrogates: JSON can carry them escaped, as real servers do
                data = json.dumps(payload).encode()
            self._write(b"data: " + data + b"\n\n", reply)

        def _stream(self, reply: Reply, model: str, body: Any) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Transfer-Encoding", "chunked")
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.end_headers()
            base = {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": model,
            }

            def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
                return {
                    **base,
                    "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
                }

            try:
                self._event(chunk({"role": "assistant", "content": ""}), reply)
                if reply.keepalive:
                    self._write(b": keep-alive\n\n", reply)
                for piece in tokens_of(reply.reasoning) if reply.reasoning else []:
                    self._event(chunk({"reasoning_content": piece}), reply)
                pieces = reply.pieces()
                for index in range(len(pieces) + 1):
                    fault = reply.fault_at(index)
                    if fault == "error_after":
                        self._write(
                            b"event: error\ndata: "
                            + json.dumps(
                                error_body(
                                    "server_error",
                                    "The server had an error while processing your request.",
                                    "server_error",
                                )
                            ).encode()
                            + b"\n\n",
                            reply,
                        )
                        self._end()
                        return
                    if fault == "drop_after":
                        self._drop()
                        return
                    if fault == "stall_after":
                        if reply.stalled is not None:
                            reply.stalled.set()
                        server._stop.wait(reply.stall_seconds)
                        self._drop()
                        return
                    if index == len(pieces):
                        break
                    piece = pieces[index]
                    if reply.release is not None and index == 1:
                        while not reply.release.wait(0.05) and not server._stop.is_set():
                            pass
                    self._event(chunk({"content": piece}), reply)
                    if reply.keepalive and index % 5 == 4:
                        self._write(b": keep-alive\n\n", reply)
                    if reply.delay:
                        time.sleep(reply.delay)
                for delta in tool_call_deltas(reply):
                    self._event(chunk(delta), reply)
                if finish_reason(reply):
                    self._event(chunk({}, finish_reason(reply)), reply)
                if reply.send_usage and isinstance(body, dict) and body.get("stream_options", {}).get("include_usage"):
                    self._event({**base, "choices": [], "usage": self._usage(reply, body)}, reply)
                if reply.send_done:
                    self._write(b"data: [DONE]\n\n", reply)
                self._end()
                if reply.on_sent is not None:
                    reply.on_sent()
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def _end(self) -> None:
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
            self.close_connection = True

        def _drop(self) -> None:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    return Handler
