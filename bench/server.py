"""The benchmark's own loopback server: FakeOpenAI in a child process, so its CPU is not counted as the app's.

The prompt says what to send back: "bench tokens=5000 delay=0.005 seed=5" streams a synthetic Markdown reply of
5,000 pieces, one every 5 ms. The moment the server wrote its last byte (time.monotonic, which is system-wide on
Linux) is reported through a queue.
"""

from __future__ import annotations

import multiprocessing
import re
import time
from functools import lru_cache
from typing import Any

from causerie.testing.fake_openai import FakeOpenAI, Received, Reply

from .corpus import markdown_reply, math_reply

_PARAM_RE = re.compile(r"(tokens|delay|seed|math)=([0-9.]+)")


def prompt(tokens: int, delay: float = 0.0, seed: int = 5, math: bool = False) -> str:
    """The prompt that asks the bench server for this reply (`math`: a reply full of formulas)."""
    return f"bench tokens={tokens} delay={delay} seed={seed} math={int(math)}"


END_MARK = "End of the benchmark reply."


@lru_cache(maxsize=8)
def reply_text(tokens: int, seed: int = 5, math: bool = False) -> str:
    """The reply the server sends for a prompt (the bench knows it, to tell when its end is on screen)."""
    return (math_reply if math else markdown_reply)(tokens, seed) + "\n" + END_MARK + "\n"


def _last_user_text(received: Received) -> str:
    body: Any = received.body
    messages = body.get("messages", []) if isinstance(body, dict) else []
    for message in reversed(messages):
        if message.get("role") == "user":
            return str(message.get("content", ""))
    return ""


def _serve(ready: Any, sent: Any) -> None:
    def respond(received: Received) -> Reply:
        params = dict(_PARAM_RE.findall(_last_user_text(received)))
        tokens = int(float(params.get("tokens", 20)))
        text = reply_text(tokens, int(float(params.get("seed", 5))), params.get("math", "0") == "1")
        return Reply(
            text=text,
            delay=float(params.get("delay", 0)),
            on_sent=lambda: sent.put(time.monotonic()),
        )

    server = FakeOpenAI(responder=respond).start()
    ready.put(server.base_url)
    while True:
        time.sleep(3600)


class BenchServer:
    """Start with `with BenchServer() as server:`; `server.base_url`, `server.last_byte(timeout)`."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._ready = context.Queue()
        self._sent = context.Queue()
        self._process = context.Process(target=_serve, args=(self._ready, self._sent), daemon=True)
        self.base_url = ""

    def __enter__(self) -> BenchServer:
        self._process.start()
        self.base_url = self._ready.get(timeout=30)
        return self

    def __exit__(self, *exc: object) -> None:
        self._process.terminate()
        self._process.join(5)

    def last_byte(self, timeout: float = 120.0) -> float:
        """When the server finished sending the next reply (time.monotonic of the server process)."""
        return self._sent.get(timeout=timeout)

    def drain(self) -> None:
        """Forget the timestamps of replies already sent."""
        while not self._sent.empty():
            self._sent.get_nowait()
