"""The start of the app: what it leaves out of the way to its first screen, and does once that screen is up."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# In a fresh interpreter: this test process has long imported the SDK through other tests.
SCRIPT = textwrap.dedent(
    """
    import asyncio, sys, time
    from causerie.core.settings.config import load_settings
    from causerie.ui.app import CauserieApp

    app = CauserieApp(load_settings({"base_url": "http://127.0.0.1:9/v1"}))
    print("sdk imported by the app's construction:", "openai" in sys.modules)

    async def main():
        async with app.run_test(size=(100, 30)) as pilot:
            deadline = time.monotonic() + 30
            while "openai" not in sys.modules and time.monotonic() < deadline:
                await pilot.pause(0.02)
            print("sdk imported once the app runs:", "openai" in sys.modules)

    asyncio.run(main())
    """
)


def test_the_sdk_is_imported_after_the_first_screen_not_before() -> None:
    # Importing the OpenAI SDK is the largest part of the start (about 0.5 s of CPU); the app preloads it in a
    # thread once its first screen is shown, so the first request does not wait for it either.
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "sdk imported by the app's construction: False" in result.stdout
    assert "sdk imported once the app runs: True" in result.stdout


async def test_the_history_comes_from_the_early_listing_when_there_is_one() -> None:
    from causerie.core.storage.documents import Summary
    from causerie.ui.app import CauserieApp
    from causerie.ui.widgets.sidebar import HistorySidebar

    from .helpers import SIZE, make_app, wait_for

    when = "2026-03-14T14:00:00.000000Z"
    listed = Summary("20260314-140000000-aaaaaa", "Listed early", when, when, "m", 2, 10, 0)

    class Listed:
        def result(self):
            return [listed], []

    settings = make_app().settings
    app = CauserieApp(settings, early_listing=Listed())  # the store itself is empty
    async with app.run_test(size=SIZE) as pilot:
        sidebar = app.screen.query_one(HistorySidebar)
        await wait_for(pilot, lambda: sidebar.ids == [listed.id], what="the early listing shown")


FIRST_REQUEST = textwrap.dedent(
    """
    import asyncio, sys, threading
    from causerie.core.chat.client import ChatClient
    from causerie.core.chat.errors import ChatError

    class Where:  # notes the thread that imports the SDK, imports nothing itself
        def find_spec(self, name, path=None, target=None):
            if name == "openai":
                print("sdk imported on:", threading.current_thread().name)
            return None

    sys.meta_path.insert(0, Where())

    async def main():
        client = ChatClient(base_url="http://127.0.0.1:9/v1", api_key=None, connect_timeout=2)
        try:
            async for _ in client.stream([{"role": "user", "content": "hi"}], "m"):
                pass
        except ChatError as error:
            print("request failed as expected:", error.kind)

    asyncio.run(main())
    """
)


def test_a_first_request_before_the_preload_imports_the_sdk_off_the_event_loop() -> None:
    # A question sent within a second of the start (before the background preload) must not freeze typing for the
    # 0.8-0.9 s of the SDK's import: it is imported in a thread while the event loop goes on.
    result = subprocess.run([sys.executable, "-c", FIRST_REQUEST], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "request failed as expected:" in result.stdout
    lines = [line for line in result.stdout.splitlines() if line.startswith("sdk imported on:")]
    assert lines and "MainThread" not in lines[0]
