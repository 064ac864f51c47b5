"""Helpers for Pilot tests: build the app as the CLI does, and wait for conditions."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from textual.command import CommandList, CommandPalette
from textual.message import Message
from textual.notifications import Notification, Notify
from textual.pilot import Pilot
from textual.worker import Worker, WorkerState

from causerie.core.settings.config import load_settings
from causerie.testing.fake_openai import FakeOpenAI
from causerie.ui.app import CauserieApp

SIZE = (100, 30)


def make_app(
    server: FakeOpenAI | None = None, *, setup: bool = False, open_id: str | None = None, **cli: str
) -> CauserieApp:
    """The app as `causerie --base-url ...` would build it (`open_id`: with a saved conversation to open at start).

    Without a key or server the real app first shows the setup screen; tests get the chat screen directly
    unless they ask for `setup=True` (tests/ui/test_setup.py covers that screen).
    """
    if server is not None:
        cli.setdefault("base_url", server.base_url)
    return CauserieApp(load_settings(cli), offer_setup=setup, open_id=open_id)


async def wait_for(pilot: Pilot, condition: Callable[[], bool], timeout: float = 30.0, what: str = "") -> None:
    """Let the app run until `condition()` holds; fail after `timeout` seconds (a guard for a loaded CI machine)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await pilot.pause(0.02)
        await asyncio.sleep(0)


class Recorder:
    """What the app posted while a test ran: pass `recorder.hook` as `run_test(message_hook=...)`.

    Tests ask what happened (notifications shown, workers started) through this public hook instead of reading
    the app's private state, and check that something did not happen by waiting for what happens instead.
    """

    def __init__(self) -> None:
        self.messages: list[Message] = []

    def hook(self, message: Message) -> None:
        self.messages.append(message)

    def notifications(self) -> list[Notification]:
        """Every notification the app showed, in order."""
        return [m.notification for m in self.messages if isinstance(m, Notify)]

    def workers_started(self, group: str) -> int:
        """How many workers of `group` started running."""
        return sum(
            1
            for m in self.messages
            if isinstance(m, Worker.StateChanged) and m.worker.group == group and m.state == WorkerState.RUNNING
        )


async def type_text(pilot: Pilot, text: str) -> None:
    """Type text into the focused widget, key by key."""
    keys = ["space" if ch == " " else ch for ch in text]
    await pilot.press(*keys)


async def palette(pilot: Pilot, query: str, best: str) -> None:
    """Open the palette, type a query and wait until the best hit is the one expected."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="palette")
    await type_text(pilot, query)
    commands = app.screen.query_one(CommandList)

    def best_hit() -> str:
        return str(commands.get_option_at_index(0).prompt) if commands.option_count else ""

    await wait_for(pilot, lambda: best in best_hit(), what=f"{best!r} first for {query!r} (got {best_hit()!r})")
    commands.highlighted = 0


async def send_and_wait(pilot: Pilot, screen: Any, text: str) -> None:
    """Type and send a message on the chat screen, then wait for the whole reply."""
    count = len(screen.conversation.active_path())
    await type_text(pilot, text)
    await pilot.press("enter")
    await wait_for(
        pilot,
        lambda: not screen.streaming and len(screen.conversation.active_path()) == count + 2,
        what=f"reply to {text!r}",
    )
