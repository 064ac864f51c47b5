"""Fixtures for end-to-end tests: the real `causerie` command in a pseudo-terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from causerie.testing.fake_openai import FakeOpenAI

from .terminal import Terminal, causerie_command, child_env

FAKE_KEY = "sk-e2e-CANARY-7f3a9c1d5e2b8f4a6c0d"

Launch = Callable[..., Terminal]


@pytest.fixture
def launch(causerie_home: Path) -> Iterator[Launch]:
    """Start causerie in a pty (`launch(server, *args, key=..., **env)`); every child is killed at the end."""
    started: list[Terminal] = []

    def start(server: FakeOpenAI | None = None, *args: str, key: str | None = FAKE_KEY, **env: str) -> Terminal:
        argv = [*causerie_command(), *args]
        if server is not None:
            argv += ["--base-url", server.base_url]
        extra = dict(env)
        if key is not None:
            extra["OPENAI_API_KEY"] = key
        term = Terminal(argv, child_env(causerie_home, **extra))
        started.append(term)
        return term

    try:
        yield start
    finally:
        for term in started:
            term.kill()
