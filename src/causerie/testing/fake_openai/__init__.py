"""A real HTTP server on 127.0.0.1 that speaks the Chat Completions streaming wire format.

Used by the tests, the benchmarks and `python -m causerie.testing.fake_openai` (to try causerie offline).
Each request is answered by a scripted `Reply`: normal streams, split TCP writes, keep-alive comments,
missing `[DONE]`, error statuses with OpenAI's real error bodies, mid-stream error events, dropped or stalled
connections.
"""

from __future__ import annotations

import time

from causerie.testing.fake_openai.bodies import (
    CONTEXT_TOO_LONG,
    HTML_502,
    INSUFFICIENT_QUOTA,
    INVALID_KEY,
    LLAMACPP_CONTEXT,
    MODEL_NOT_FOUND,
    OLLAMA_CONTEXT,
    RATE_LIMITED,
    STREAM_OPTIONS_REJECTED,
    TOOLS_REJECTED,
    VLLM_CONTEXT,
    context_error,
    error_body,
    prompt_tokens_of,
)
from causerie.testing.fake_openai.replies import Received, Reply, ToolCallSpec, tokens_of
from causerie.testing.fake_openai.server import FakeOpenAI

__all__ = [
    "CONTEXT_TOO_LONG",
    "HTML_502",
    "INSUFFICIENT_QUOTA",
    "INVALID_KEY",
    "LLAMACPP_CONTEXT",
    "MODEL_NOT_FOUND",
    "OLLAMA_CONTEXT",
    "RATE_LIMITED",
    "SAMPLE_MARKDOWN",
    "STREAM_OPTIONS_REJECTED",
    "TOOLS_REJECTED",
    "VLLM_CONTEXT",
    "FakeOpenAI",
    "Received",
    "Reply",
    "ToolCallSpec",
    "context_error",
    "error_body",
    "main",
    "prompt_tokens_of",
    "tokens_of",
]


def main() -> None:
    """Run a fake server in the foreground (for trying causerie offline)."""
    import argparse

    parser = argparse.ArgumentParser(description="A loopback OpenAI-compatible server for trying causerie.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.02, help="seconds between streamed tokens")
    parser.add_argument("--text", default=None, help="the reply to send (default: a Markdown sample)")
    args = parser.parse_args()
    server = FakeOpenAI()
    server.default = Reply(text=args.text or SAMPLE_MARKDOWN, delay=args.delay)
    try:
        server.start(args.port)
    except OSError as exc:  # a busy port or one that needs privileges: say which, in one line
        parser.exit(1, f"fake_openai: cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}\n")
    print(f"causerie --base-url {server.base_url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


SAMPLE_MARKDOWN = """# A short answer

Here is a list:

- one item
- another item with `inline code`

```python
def greet(name: str) -> str:
    return f"Hello, {name}!"
```

| column | value |
|--------|-------|
| a      | 1     |

> A quote to finish.
"""
