"""The screens of issue 6 at 100x30 with a fixed clock, fixed ids and no cursor blink."""

from __future__ import annotations

from textual.pilot import Pilot

from causerie.testing.fake_openai import INVALID_KEY, FakeOpenAI, Reply
from causerie.ui.screens.chat import ChatScreen
from causerie.ui.screens.help import HelpScreen
from causerie.ui.screens.search import SearchResults, SearchScreen
from causerie.ui.screens.theme_picker import ThemePicker
from causerie.ui.widgets.conversation import Notice

from ..ui.helpers import type_text, wait_for
from ..ui.seed import ago, fixed_app, seed

SIZE = (100, 30)
OPEN_ID = "20260314-140000000-aaaaaa"
ANSWER = """A wheel is a built package; build one with:

```bash
python -m build --wheel
```

It lands in `dist/`. Upload it with **twine**."""


def seed_history() -> None:
    seed(OPEN_ID, "Python packaging", ago(hours=1), [("How do I build a wheel?", ANSWER)])
    seed("20260313-100000000-bbbbbb", "Sourdough starter", ago(days=1), [("Feeding schedule?", "Twice a day.")])
    seed("20260310-090000000-cccccc", "Trip to Lisbon", ago(days=4), [("Where to eat?", "Try the pastéis de nata.")])
    seed("20260220-090000000-dddddd", "Rust lifetimes", ago(days=22), [("What is 'a?", "A lifetime parameter.")])
    seed("20251201-090000000-eeeeee", "Tax return", ago(days=103), [("Deadline?", "Check your country's rules.")])


def chat(pilot: Pilot) -> ChatScreen:
    screen = pilot.app.screen
    assert isinstance(screen, ChatScreen)
    return screen


async def history_loaded(pilot: Pilot, count: int) -> ChatScreen:
    screen = chat(pilot)
    await wait_for(pilot, lambda: len(screen.sidebar.ids) == count, what="history")
    return screen


def test_first_start_without_a_key(snap_compare) -> None:
    async def ready(pilot: Pilot) -> None:
        screen = chat(pilot)
        await wait_for(pilot, lambda: bool(screen.view.notices()), what="the how-to notice")

    assert snap_compare(fixed_app(), terminal_size=SIZE, run_before=ready)


def test_a_conversation_with_dated_history(snap_compare) -> None:
    seed_history()

    async def open_one(pilot: Pilot) -> None:
        screen = await history_loaded(pilot, 5)
        screen.open_conversation(OPEN_ID)
        screen.sidebar.select(OPEN_ID)
        await wait_for(pilot, lambda: len(screen.view.message_views()) == 2, what="messages")

    assert snap_compare(fixed_app(), terminal_size=SIZE, run_before=open_one)


def test_a_reply_mid_stream(server: FakeOpenAI, snap_compare) -> None:
    server.queue(Reply(text="Tides come from the pull of the Moon and, less, the Sun. " * 4, stall_after=8))

    async def send(pilot: Pilot) -> None:
        screen = chat(pilot)
        await type_text(pilot, "Why are there tides?")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.streaming and len(screen.view.message_views()) == 2, what="streaming")
        reply = screen.view.message_views()[-1].message
        await wait_for(pilot, lambda: reply.content.count(" ") >= 7, what="8 tokens")
        await pilot.pause(0.2)  # one frame-capped redraw of the tail

    assert snap_compare(fixed_app(server), terminal_size=SIZE, run_before=send)


def test_an_error(server: FakeOpenAI, snap_compare) -> None:
    server.queue(Reply(status=401, error=INVALID_KEY))

    async def send(pilot: Pilot) -> None:
        screen = chat(pilot)
        await type_text(pilot, "Hello?")
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(n.has_class("-error") for n in screen.view.query(Notice)), what="error")
        await wait_for(pilot, lambda: not screen.streaming, what="end of the request")

    assert snap_compare(fixed_app(server), terminal_size=SIZE, run_before=send)


def test_search_results(snap_compare) -> None:
    seed_history()
    seed(
        "20260312-080000000-ffffff",
        "Animals",
        ago(days=2),
        [("Tell me about the axolotl", "The axolotl is a salamander that keeps its larval features for life.")],
    )

    async def search(pilot: Pilot) -> None:
        await history_loaded(pilot, 6)
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SearchScreen), what="search")
        await type_text(pilot, "the ")
        screen = pilot.app.screen
        results = screen.query_one(SearchResults)
        await wait_for(pilot, lambda: screen.hits_for == "the " and results.option_count == 2, what="hits")

    assert snap_compare(fixed_app(), terminal_size=SIZE, run_before=search)


def test_help_screen(snap_compare) -> None:
    async def help_screen(pilot: Pilot) -> None:
        chat(pilot)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), what="help")

    assert snap_compare(fixed_app(), terminal_size=SIZE, run_before=help_screen)


def test_theme_picker_over_the_conversation(snap_compare) -> None:
    """The picker's live preview restyles the conversation, which shows around the dialog."""
    seed_history()

    async def picker(pilot: Pilot) -> None:
        screen = await history_loaded(pilot, 5)
        assert screen.open_conversation(OPEN_ID)
        await wait_for(pilot, lambda: len(screen.view.message_views()) == 2, what="the conversation")
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ThemePicker), what="the theme picker")

    assert snap_compare(fixed_app(), terminal_size=SIZE, run_before=picker)
