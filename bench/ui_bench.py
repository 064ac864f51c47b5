"""Headless scenarios: the real CauserieApp under App.run_test(), against the bench server in another process.

CPU figures are this process's CPU time (the app, its HTTP client and the bench's own small driver code); the
server's CPU is not in them.
"""

from __future__ import annotations

import asyncio
import io
import os
import tempfile
import time
from pathlib import Path
from statistics import median
from typing import Any

from rich.console import Console
from rich.markdown import Markdown as RichMarkdown
from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Markdown, Static

from causerie.core.settings.config import load_settings
from causerie.core.storage.store import ConversationStore
from causerie.ui.app import CauserieApp
from causerie.ui.messages import ConversationChosen
from causerie.ui.screens.background import PREPARE_DELAY

from . import probes
from .histories import markdown_conversation
from .server import BenchServer, prompt, reply_text

SIZE = (120, 40)
ECHO_INTERVAL = 0.1  # a key every 100 ms while a reply streams
WAIT = 300.0  # seconds: a guard against a hang, not a budget


def _app(base_url: str) -> CauserieApp:
    return CauserieApp(load_settings({"base_url": base_url}))


async def _send_key(app: App, character: str) -> None:
    event = events.Key(character, character)
    event.set_sender(app)
    app._driver.send_message(event)  # what the terminal driver does with a key press


async def _echo_loop(app: App, stop: asyncio.Event, latencies: list[float]) -> None:
    """Type a key every ECHO_INTERVAL and measure until the prompt paints it; clears the prompt now and then."""
    prompt_widget = app.screen.prompt  # type: ignore[attr-defined]
    while not stop.is_set():
        if len(prompt_widget.text) > 60:
            prompt_widget.clear()
            await asyncio.sleep(0.02)
        painted = probes.ECHO.arm(probes.prompt_holds(len(prompt_widget.text) + 1))
        start = time.perf_counter()
        await _send_key(app, "x")
        try:
            await asyncio.wait_for(painted.wait(), 10)
        except TimeoutError:
            latencies.append(10.0)
            continue
        latencies.append(probes.ECHO.wall - start)
        try:
            await asyncio.wait_for(stop.wait(), ECHO_INTERVAL)
        except TimeoutError:
            pass


async def _settle(app: App, pilot: Any, deadline: float) -> None:
    """Wait for a settled app: the work it starts once the list is shown (the SDK's import, bringing the search
    cache up to date: CPU in threads, counted in this process's CPU time) is done, as it is by the time a user has
    typed a question or chosen a conversation."""
    await pilot.pause(PREPARE_DELAY + 0.2)
    while any(worker.group == "prepare" and not worker.is_finished for worker in app.workers):
        if time.monotonic() > deadline:
            raise TimeoutError("the app never finished its background preparation")
        await pilot.pause(0.02)


async def reply_run(
    server: BenchServer, tokens: int, delay: float, echo: bool, home: Path, math: bool = False
) -> dict[str, Any]:
    """One reply: Enter to last token on screen (wall, CPU), server's last byte, key echoes meanwhile."""
    probes.install()
    os.environ["CAUSERIE_HOME"] = str(home)
    text = reply_text(tokens, math=math)
    app = _app(server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot, time.monotonic() + WAIT)
        screen = app.screen
        screen.prompt.load_text(prompt(tokens, delay, math=math))  # type: ignore[attr-defined]
        await pilot.pause()
        server.drain()
        done = probes.REPLY.arm(probes.reply_complete(len(text)))
        stop = asyncio.Event()
        latencies: list[float] = []
        start_wall, start_cpu, start_mono = time.perf_counter(), time.process_time(), time.monotonic()
        app._driver.send_message(_enter(app))
        if echo:
            # Type only once the message has left the prompt (Enter empties it): a key handled before the Enter
            # would be sent with the message and never echoed.
            while screen.prompt.text:  # type: ignore[attr-defined]
                await asyncio.sleep(0.001)
        echo_task = asyncio.create_task(_echo_loop(app, stop, latencies)) if echo else None
        await asyncio.wait_for(done.wait(), WAIT)
        stop.set()
        if echo_task is not None:
            await echo_task
        last_byte = server.last_byte(WAIT)
        result = {
            "wall": probes.REPLY.wall - start_wall,
            "cpu": probes.REPLY.cpu - start_cpu,
            "server_send": last_byte - start_mono,
            "after_last_byte": probes.REPLY.monotonic - last_byte,
            "echo": latencies,
        }
        screen.prompt.clear()  # type: ignore[attr-defined]
    return result


def _enter(app: App) -> events.Key:
    event = events.Key("enter", "\r")
    event.set_sender(app)
    return event


async def idle_echo_run(server: BenchServer, home: Path, keys: int = 20) -> list[float]:
    """Key echo in an idle app (the floor of the echo scenario)."""
    probes.install()
    os.environ["CAUSERIE_HOME"] = str(home)
    app = _app(server.base_url)
    latencies: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot, time.monotonic() + WAIT)
        stop = asyncio.Event()
        task = asyncio.create_task(_echo_loop(app, stop, latencies))
        while len(latencies) < keys:
            await asyncio.sleep(0.05)
        stop.set()
        await task
        app.screen.prompt.clear()  # type: ignore[attr-defined]
    return latencies


async def open_run(server: BenchServer, home: Path, conversation_id: str, last_id: str) -> dict[str, float]:
    """Open a saved conversation from the sidebar's message: until its last message is painted."""
    probes.install()
    os.environ["CAUSERIE_HOME"] = str(home)
    app = _app(server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        deadline = time.monotonic() + WAIT
        while conversation_id not in screen.sidebar.ids:  # type: ignore[attr-defined]
            if time.monotonic() > deadline:
                raise TimeoutError("the sidebar never listed the conversation")
            await pilot.pause(0.02)
        await _settle(app, pilot, deadline)
        painted = probes.REPLY.arm(probes.message_painted(last_id))
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        screen.post_message(ConversationChosen(conversation_id))
        await asyncio.wait_for(painted.wait(), WAIT)
        result = {"wall": probes.REPLY.wall - start_wall, "cpu": probes.REPLY.cpu - start_cpu}
        result["mounted"] = len(screen.view.message_views())  # type: ignore[attr-defined]
    return result


def prepare_open_store(home: Path, messages: int) -> tuple[str, str]:
    """A store holding one conversation of `messages` messages; (its id, its last message's id)."""
    conversation = markdown_conversation(messages)
    store = ConversationStore(home / "data")
    store.save(conversation)
    return conversation.id, conversation.active_path()[-1].id


# -- floors ------------------------------------------------------------------------------------------------------
def rich_floor(tokens: int, width: int = 120, math: bool = False) -> float:
    """CPU seconds for Rich to render the final reply once at `width` columns (its formulas as written)."""
    text = reply_text(tokens, math=math)
    console = Console(file=io.StringIO(), width=width, force_terminal=True, color_system="truecolor")
    start = time.process_time()
    console.render_lines(RichMarkdown(text), console.options)
    return time.process_time() - start


class _MarkdownFloorApp(App):
    def compose(self) -> ComposeResult:
        yield Static("ready")


async def textual_markdown_floor(tokens: int) -> float:
    """CPU seconds for Textual's Markdown widget to mount and render the final reply once, statically."""
    text = reply_text(tokens)
    app = _MarkdownFloorApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        start = time.process_time()
        await app.mount(Markdown(text))
        await pilot.pause()
        await pilot.pause()
        return time.process_time() - start


def summarize_echo(runs: list[list[float]]) -> dict[str, float]:
    """Median and worst of all echoes of all runs."""
    flat = [value for run in runs for value in run]
    return {"median": median(flat) if flat else float("nan"), "worst": max(flat) if flat else float("nan")}


def new_home() -> Path:
    """A fresh CAUSERIE_HOME for one run (the reply is saved there)."""
    return Path(tempfile.mkdtemp(prefix="causerie-bench-"))
