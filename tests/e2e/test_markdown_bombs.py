"""Markdown bombs streamed into a real terminal: the app keeps answering keys and does not crash.

The liveness bound is a deadline in the test's own loop (a typed word must appear in the prompt), generous on
purpose: it catches a frozen or crashed app, it is not a performance measurement (bench/ does that).
"""

from __future__ import annotations

import time

import pytest

from causerie.testing.fake_openai import FakeOpenAI, Reply

from .conftest import Launch
from .terminal import Terminal

LIVENESS = 15.0  # seconds for a typed key to show up: a frozen event loop blows it, a slow machine does not

BOMBS = {
    "1,000-deep nested list": "".join("  " * i + f"- level {i}\n" for i in range(1000)) + "\nBOMB-END\n",
    "1,000-deep nested quotes": "".join("> " * i + f"quote {i}\n" for i in range(1, 1001)) + "\nBOMB-END\n",
    "50,000-line code block": "```python\n"
    + "".join(f"value_{i} = {i} * 2  # line {i}\n" for i in range(50_000))
    + "```\n\nBOMB-END\n",
    "1 MB single line": "word " * 200_000 + "\n\nBOMB-END\n",
    "thousands of tiny table cells": "|"
    + "|".join(f"c{i}" for i in range(40))
    + "|\n|"
    + "|".join("-" for _ in range(40))
    + "|\n"
    + "".join("|" + "|".join(str(r) for _ in range(40)) + "|\n" for r in range(150))
    + "\nBOMB-END\n",
}


def chunked(text: str, size: int = 20_000) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def probe(term: Terminal, word: str, typed: list[str]) -> float:
    """Type `word` into the prompt and wait for the prompt to show it; returns the seconds it took."""
    typed.append(word)
    start = time.monotonic()
    term.type(word)
    term.wait_until(lambda: "".join(typed) in term.text(), f"{word!r} to echo", timeout=LIVENESS)
    return time.monotonic() - start


@pytest.mark.parametrize("bomb", BOMBS)
def test_markdown_bomb_keeps_the_app_alive(launch: Launch, server: FakeOpenAI, bomb: str) -> None:
    text = BOMBS[bomb]
    server.queue(Reply(chunks=chunked(text), delay=0.01))
    term = launch(server)
    term.wait_for("Message")
    term.type("boom")
    term.press("enter")
    term.wait_until(lambda: len(server.chat_requests()) == 1, "the request")
    typed: list[str] = []
    probe(term, "alive1", typed)  # while the bomb streams in
    term.wait_gone("writing…", timeout=120)
    probe(term, "alive2", typed)  # after the final render
    assert term.process.isalive()
    term.press("ctrl+q")
    assert term.wait_exit() == 0
    assert b"Traceback" not in term.raw_bytes()
