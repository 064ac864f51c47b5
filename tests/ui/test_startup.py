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


# In a fresh interpreter: an audit hook cannot be removed. It notes every listing of the conversations folder
# and every opening of a conversation file, and the app's message hook notes the first frame (events.Ready).
FIRST_PAINT = textwrap.dedent(
    """
    import asyncio, sys, time
    from pathlib import Path
    from textual import events
    from causerie.core.conversation.models import Conversation, Message
    from causerie.core.settings import paths
    from causerie.core.settings.config import load_settings
    from causerie.core.storage.store import ConversationStore, encode_conversation
    from causerie.ui.app import CauserieApp
    from causerie.ui.widgets.sidebar import HistorySidebar

    store = ConversationStore(paths.data_dir())
    for n in range(20):
        conversation = Conversation(title=f"Saved {n}", model="m")
        conversation.append(Message(role="user", content="hello"))
        store.save(conversation)
    store.close()
    late = Conversation(id="20200101-000000000-abcdef", title="Put there behind the index", model="m")
    store.path_for(late.id).write_bytes(encode_conversation(late))
    folder = str(store.conversations_dir)
    events_seen = []

    def audit(event, args):
        if event in ("os.scandir", "os.listdir") and args and str(args[0]) == folder:
            events_seen.append("listing")
        elif event == "open" and args and str(args[0]).startswith(folder + "/"):
            events_seen.append("file opened")

    sys.addaudithook(audit)

    def hook(message):
        if isinstance(message, events.Ready) and "first paint" not in events_seen:
            events_seen.append("first paint")

    app = CauserieApp(load_settings({"base_url": "http://127.0.0.1:9/v1"}))

    async def main():
        async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
            sidebar = app.screen.query_one(HistorySidebar)
            deadline = time.monotonic() + 30
            while late.id not in sidebar.ids and time.monotonic() < deadline:
                await pilot.pause(0.02)
            print("listed:", len(sidebar.ids))

    asyncio.run(main())
    print("order:", events_seen[: events_seen.index("first paint") + 2])
    """
)


def test_no_file_is_listed_or_parsed_before_the_first_paint() -> None:
    # The sidebar's first list comes from the index database; the folder is listed and the files parsed (to find
    # the one put there behind the index's back) only once the first frame is on screen.
    result = subprocess.run([sys.executable, "-c", FIRST_PAINT], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "listed: 21" in result.stdout
    order = result.stdout.split("order:", 1)[1]
    assert order.strip().startswith("['first paint', "), order
    assert "listing" in order or "file opened" in order


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


PREPARED_REQUEST = textwrap.dedent(
    """
    import asyncio, sys, threading
    from causerie.core.chat.client import ChatClient, TextDelta
    from causerie.testing.fake_openai import FakeOpenAI

    on_loop = []

    class Where:  # notes every module imported on the event loop's thread, imports nothing itself
        def find_spec(self, name, path=None, target=None):
            if threading.current_thread() is threading.main_thread():
                on_loop.append(name)
            return None

    async def main(base_url):
        client = ChatClient(base_url=base_url, api_key=None)
        await asyncio.to_thread(client.prepare)  # what the app does once its first screen is drawn
        sys.meta_path.insert(0, Where())
        text = ""
        async for event in client.stream([{"role": "user", "content": "hi"}], "m"):
            if isinstance(event, TextDelta):
                text += event.text
        print("reply:", text)
        print("imported on the event loop:", sorted(on_loop))
        await client.close()

    with FakeOpenAI() as server:
        asyncio.run(main(server.base_url))
    """
)


def test_a_prepared_client_imports_nothing_on_the_event_loop_at_its_first_request() -> None:
    # The SDK imports its chat resources at their first use and its HTTP transport an async backend at the first
    # connection (about 65 ms together): the background preparation does both, so the first reply starts sooner.
    result = subprocess.run([sys.executable, "-c", PREPARED_REQUEST], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "reply: Hello! How can I help?" in result.stdout
    assert "imported on the event loop: []" in result.stdout, result.stdout
