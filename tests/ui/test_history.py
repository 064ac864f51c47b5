"""The history sidebar driven with Pilot: groups, keys, rename, delete + undo, filter, full-text search."""

from __future__ import annotations

from datetime import timedelta

from rich.console import Console
from textual import events
from textual.widgets import Input

from causerie.core.conversation.models import Message
from causerie.core.settings import paths
from causerie.core.storage.store import ConversationStore
from causerie.ui.screens.chat import ChatScreen
from causerie.ui.screens.dialogs import ConfirmDialog, TextDialog
from causerie.ui.screens.search import SearchResults, SearchScreen
from causerie.ui.widgets.sidebar import HistoryFilter, HistorySidebar

from .helpers import SIZE, Recorder, type_text, wait_for
from .seed import FIXED_NOW, ago, fixed_app, seed

TODAY_ID = "20260314-140000000-aaaaaa"
YESTERDAY_ID = "20260313-100000000-bbbbbb"
WEEK_ID = "20260310-090000000-cccccc"
MONTH_ID = "20260220-090000000-dddddd"
OLD_ID = "20251201-090000000-eeeeee"


def seed_history() -> None:
    seed(TODAY_ID, "Python packaging", ago(hours=1), [("How do I build a wheel?", "Use `python -m build`.")])
    seed(YESTERDAY_ID, "Sourdough starter", ago(days=1), [("Feeding schedule?", "Twice a day.")])
    seed(WEEK_ID, "Trip to Lisbon", ago(days=4), [("Where to eat?", "Try the pastéis de nata.")])
    seed(MONTH_ID, "Rust lifetimes", ago(days=22), [("What is 'a?", "A lifetime parameter.")])
    seed(OLD_ID, "Tax return", ago(days=103), [("Deadline?", "Check your country's rules.")])


def screen_of(app) -> ChatScreen:
    assert isinstance(app.screen, ChatScreen)
    return app.screen


def rows(sidebar: HistorySidebar) -> list[tuple[bool, str]]:
    """(is_heading, text) of every row of the list."""
    options = sidebar.option_list
    out = []
    for index in range(options.option_count):
        option = options.get_option_at_index(index)
        console = Console(width=32, color_system=None)
        with console.capture() as captured:
            console.print(option.prompt)
        out.append((option.disabled, " ".join(captured.get().split())))
    return out


async def loaded(pilot, count: int) -> HistorySidebar:
    sidebar = pilot.app.screen.query_one(HistorySidebar)
    await wait_for(pilot, lambda: len(sidebar.ids) == count, what=f"{count} conversations listed")
    return sidebar


async def test_sidebar_groups_by_date_newest_first() -> None:
    seed_history()
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        sidebar = await loaded(pilot, 5)
        assert sidebar.ids == [TODAY_ID, YESTERDAY_ID, WEEK_ID, MONTH_ID, OLD_ID]
        assert rows(sidebar) == [
            (True, "Today"),
            (False, "Python packaging 1 h"),
            (True, "Yesterday"),
            (False, "Sourdough starter 1 d"),
            (True, "Previous 7 days"),
            (False, "Trip to Lisbon 4 d"),
            (True, "Previous 30 days"),
            (False, "Rust lifetimes 2026-02-20"),
            (True, "December 2025"),
            (False, "Tax return 2025-12-01"),
        ]


async def test_keys_move_over_headings_and_enter_opens() -> None:
    seed_history()
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        sidebar = await loaded(pilot, 5)
        await pilot.press("ctrl+b", "ctrl+b")  # hide, then show: the focus lands in the list
        assert app.focused is sidebar.option_list
        sidebar.select(TODAY_ID)
        await pilot.press("down")
        assert sidebar.option_list.highlighted_id == YESTERDAY_ID  # skipped the "Yesterday" heading
        await pilot.press("down", "down")
        assert sidebar.option_list.highlighted_id == MONTH_ID
        await pilot.press("up", "up")
        assert sidebar.option_list.highlighted_id == YESTERDAY_ID
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.conversation.id == YESTERDAY_ID, what="open")
        assert [v.text for v in screen.view.message_views()] == ["Feeding schedule?", "Twice a day."]
        assert app.focused is screen.prompt


async def test_f2_renames_in_a_dialog() -> None:
    seed_history()
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        sidebar = await loaded(pilot, 5)
        sidebar.option_list.focus()
        sidebar.select(WEEK_ID)
        await pilot.press("f2")
        await wait_for(
            pilot, lambda: isinstance(app.screen, TextDialog) and bool(app.screen.query(Input)), what="rename dialog"
        )
        box = app.screen.query_one(Input)
        assert box.value == "Trip to Lisbon"
        await pilot.press("ctrl+u")
        await type_text(pilot, "Lisbon, May 2026")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="dialog closed")
        assert sidebar.summary(WEEK_ID).title == "Lisbon, May 2026"
        assert ("Lisbon, May 2026 4 d") in [text for _, text in rows(sidebar)]
        # Esc cancels without touching the title.
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, TextDialog))
        await type_text(pilot, " extra")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
    assert ConversationStore(paths.data_dir()).load(WEEK_ID).title == "Lisbon, May 2026"


async def test_rename_of_the_open_conversation_survives_its_next_save(server) -> None:
    seed_history()
    app = fixed_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        sidebar = await loaded(pilot, 5)
        screen.open_conversation(TODAY_ID)
        sidebar.option_list.focus()
        sidebar.select(TODAY_ID)
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, TextDialog))
        await pilot.press("ctrl+u")
        await type_text(pilot, "Wheels")
        await pilot.press("enter")
        await wait_for(pilot, lambda: sidebar.summary(TODAY_ID).title == "Wheels")
        screen.prompt.focus()
        await type_text(pilot, "and sdists?")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(screen.view.message_views()) == 4)
    assert ConversationStore(paths.data_dir()).load(TODAY_ID).title == "Wheels"


async def test_delete_asks_then_moves_to_trash_and_the_key_it_names_undoes() -> None:
    seed_history()
    app = fixed_app()
    store = ConversationStore(paths.data_dir())
    recorder = Recorder()
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        screen = screen_of(app)
        sidebar = await loaded(pilot, 5)
        screen.open_conversation(YESTERDAY_ID)
        sidebar.option_list.focus()
        sidebar.select(YESTERDAY_ID)
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="confirmation")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        assert YESTERDAY_ID in sidebar.ids and store.path_for(YESTERDAY_ID).exists()

        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "Undo with ^z in the history" in app.screen.question  # the key that undoes, as the footer shows it
        await pilot.press("y")
        await wait_for(pilot, lambda: YESTERDAY_ID not in sidebar.ids, what="removed from the list")
        assert not store.path_for(YESTERDAY_ID).exists()
        assert (store.trash_dir / f"{YESTERDAY_ID}.json").exists()
        assert screen.conversation.id != YESTERDAY_ID  # the open conversation was the deleted one
        assert screen.view.message_views() == []
        assert sidebar.option_list.highlighted_id == WEEK_ID  # the highlight moved to the neighbour
        assert app.focused is sidebar.option_list

        assert any("Press ^z in the history to undo" in n.message for n in recorder.notifications())
        await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: YESTERDAY_ID in sidebar.ids, what="undo")
        assert store.path_for(YESTERDAY_ID).exists()
        assert sidebar.ids == [TODAY_ID, YESTERDAY_ID, WEEK_ID, MONTH_ID, OLD_ID]
        await pilot.press("ctrl+z")  # nothing left to undo: a notice, no error
        await pilot.pause()
        assert any("Nothing to undo" in n.message for n in recorder.notifications())
    assert ConversationStore(paths.data_dir()).load(YESTERDAY_ID).title == "Sourdough starter"


async def test_typing_filters_titles() -> None:
    seed_history()
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        sidebar = await loaded(pilot, 5)
        sidebar.option_list.focus()
        await type_text(pilot, "rust")  # typed in the list: goes to the filter
        assert app.focused is sidebar.filter_input
        assert sidebar.filter_text == "rust"
        assert sidebar.ids == [MONTH_ID]
        assert sidebar.option_list.highlighted_id == MONTH_ID  # the match is highlighted, ready for F2 / Delete
        await pilot.press("ctrl+u")
        await type_text(pilot, "TRIP lis")  # every word, any case
        assert sidebar.ids == [WEEK_ID]
        await type_text(pilot, "zzz")
        assert sidebar.ids == []
        assert rows(sidebar) == [(True, "No title matches the filter")]
        await pilot.press("escape")  # clears the filter
        assert sidebar.filter_text == "" and len(sidebar.ids) == 5
        await type_text(pilot, "sour")
        await pilot.press("enter")  # opens the first match
        await wait_for(pilot, lambda: screen_of(app).conversation.id == YESTERDAY_ID, what="open from filter")


async def test_filter_down_moves_into_the_list() -> None:
    seed_history()
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        sidebar = await loaded(pilot, 5)
        app.screen.query_one(HistoryFilter).focus()
        await pilot.press("down")
        assert app.focused is sidebar.option_list


def long_conversation() -> str:
    turns = [(f"Question number {n} about history", f"Answer {n}: " + "filler text. " * 30) for n in range(12)]
    turns[3] = ("Tell me about the axolotl", "The axolotl is a salamander that keeps its larval features. " * 5)
    seed("20260312-080000000-ffffff", "Animals", ago(days=2), turns)
    return "m3a"


async def test_search_opens_the_conversation_at_the_matching_message() -> None:
    seed_history()
    message_id = long_conversation()
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await loaded(pilot, 6)
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen), what="search screen")
        search = app.screen
        await type_text(pilot, "salamander")
        await wait_for(pilot, lambda: search.query_one(SearchResults).option_count == 1, what="hits")
        assert search.hits[0].message_id == message_id
        assert "salamander" in search.hits[0].snippet
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), what="back")
        await wait_for(pilot, lambda: screen.conversation.id == "20260312-080000000-ffffff", what="opened")
        view = screen.view
        await wait_for(pilot, lambda: (v := view.view_for(message_id)) is not None and v.has_class("-found"))
        found = view.view_for(message_id)
        await pilot.pause()
        assert app.focused is found
        visible = view.scroll_offset.y, view.scroll_offset.y + view.scrollable_content_region.height
        top = found.virtual_region.y
        assert visible[0] <= top < visible[1], (visible, top)
        assert view.scroll_offset.y > 0  # it really scrolled: the message is not near the bottom


async def test_search_results_show_title_date_and_the_found_words_highlighted_as_styles() -> None:
    seed(TODAY_ID, "[b]Résumé[/b] tips", ago(hours=1), [("Relis mon **résumé** et [red]la lettre[/red]", "Oui.")])
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, 1)
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen), what="search screen")
        search = app.screen
        await type_text(pilot, "lettre resume")
        results = search.query_one(SearchResults)
        await wait_for(pilot, lambda: search.hits_for == "lettre resume" and results.option_count == 1, what="hits")
        title, snippet = results.get_option_at_index(0).prompt.renderables
        assert title.plain == "[b]Résumé[/b] tips  2026-03-14"  # outside text: shown as it is, never markup
        assert snippet.plain == "Relis mon résumé et [red]la lettre[/red]"  # Markdown markers gone
        marked = sorted(snippet.plain[span.start : span.end] for span in snippet.spans if "reverse" in str(span.style))
        assert marked == ["lettre", "résumé"]


async def test_a_search_hit_whose_date_is_not_a_time_shows_no_date() -> None:
    seed(TODAY_ID, "Crafted dates", "\x1b]0;PWND\x1b\\\x1b[8m", [("Where is the narwhal?", "North.")])
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, 1)
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen), what="search screen")
        search = app.screen
        await type_text(pilot, "narwhal")
        results = search.query_one(SearchResults)
        await wait_for(pilot, lambda: search.hits_for == "narwhal" and results.option_count == 1, what="hits")
        title, _ = results.get_option_at_index(0).prompt.renderables
        assert title.plain == "Crafted dates"


async def test_a_hit_in_another_branch_shows_that_branch_without_writing_the_choice() -> None:
    conversation = seed(TODAY_ID, "Branches", ago(hours=1), [("Question?", "The shown answer.")])
    store = ConversationStore(paths.data_dir())
    hidden = Message(role="assistant", content="An older answer about the okapi.", id="m0b")
    conversation.append(hidden, parent="m0u")
    conversation.active_leaf = "m0a"
    store.save(conversation)
    path = store.path_for(TODAY_ID)
    before = path.read_bytes(), path.stat().st_mtime_ns
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await loaded(pilot, 1)
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen), what="search screen")
        await type_text(pilot, "okapi")
        search = app.screen
        await wait_for(pilot, lambda: search.query_one(SearchResults).option_count == 1, what="hits")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.conversation.id == TODAY_ID, what="opened")
        await wait_for(pilot, lambda: (v := screen.view.view_for("m0b")) is not None and v.has_class("-found"))
        assert screen.view.view_for("m0a") is None
        assert [m.id for m in screen.conversation.active_path()] == ["m0u", "m0b"]
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


async def test_slash_in_the_list_opens_search_and_escape_closes_it() -> None:
    seed_history()
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        sidebar = await loaded(pilot, 5)
        sidebar.option_list.focus()
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen), what="search screen")
        search = app.screen
        await type_text(pilot, "nothing-matches-this")
        await wait_for(pilot, lambda: "Nothing matches" in str(search.query_one("#search-status").render()))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))


async def test_keys_typed_ahead_of_a_focus_move_reach_the_new_focus() -> None:
    """Down then F2 arriving together (a fast typist, a loaded machine): F2 renames the highlighted match.

    The terminal driver posts both keys before the app handles the first; the focus move done by Down must be
    in force when F2 is dispatched, or F2 is checked against the filter box's bindings and silently dropped.
    """
    seed_history()
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        sidebar = await loaded(pilot, 5)
        sidebar.filter_input.focus()
        await wait_for(pilot, lambda: app.focused is sidebar.filter_input, what="the filter's focus")
        await type_text(pilot, "lisbon")
        await wait_for(pilot, lambda: sidebar.ids == [WEEK_ID], what="the filter")
        assert sidebar.filter_input.value == "lisbon"
        app.post_message(events.Key("down", None))
        app.post_message(events.Key("f2", None))
        # The dialog is pushed first and composed a moment later: wait for its input, not just the screen.
        await wait_for(
            pilot, lambda: isinstance(app.screen, TextDialog) and bool(app.screen.query(Input)), what="rename dialog"
        )
        assert app.screen.query_one(Input).value == "Trip to Lisbon"


async def test_a_checkpoint_of_the_newest_conversation_only_redraws_its_row() -> None:
    # A streaming reply saves about once a second; with 10,000 conversations, rebuilding every row each time froze
    # the app. Only the saved conversation's row may change when it stays at the top.
    seed_history()
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        sidebar = await loaded(pilot, 5)
        options = sidebar.option_list
        before = [options.get_option_at_index(i) for i in range(options.option_count)]
        top = sidebar.summary(TODAY_ID)
        assert top is not None
        sidebar.upsert(top._replace(updated_at=ago(minutes=5), message_count=top.message_count + 1))
        after = [options.get_option_at_index(i) for i in range(options.option_count)]
        assert len(after) == len(before)
        assert all(a is b for index, (a, b) in enumerate(zip(after, before, strict=True)) if index != 1)
        assert rows(sidebar)[1] == (False, "Python packaging 5 min")
        # A save that moves another conversation to the top still rebuilds the list in date order.
        older = sidebar.summary(WEEK_ID)
        assert older is not None
        sidebar.upsert(older._replace(updated_at=ago(minutes=1)))
        assert sidebar.ids[0] == WEEK_ID


def heading_rows(sidebar: HistorySidebar) -> list[str]:
    return [text for is_heading, text in rows(sidebar) if is_heading]


async def test_a_new_conversation_goes_to_the_top_without_rebuilding_the_other_rows() -> None:
    # The first save of every new chat added a row; with 10,000 conversations rebuilding them all took ~1 s.
    seed_history()
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        sidebar = await loaded(pilot, 5)
        options = sidebar.option_list
        before = [options.get_option_at_index(i) for i in range(options.option_count)]
        newest = sidebar.summary(TODAY_ID)._replace(
            id="20260314-145900000-ffffff", title="Brand new", updated_at=ago(minutes=1)
        )
        sidebar.upsert(newest)
        after = [options.get_option_at_index(i) for i in range(options.option_count)]
        assert sidebar.ids == [newest.id, TODAY_ID, YESTERDAY_ID, WEEK_ID, MONTH_ID, OLD_ID]
        assert after[0] is before[0]  # the "Today" heading is kept, the new row goes under it
        assert all(a is b for a, b in zip(after[2:], before[1:], strict=True))
        assert rows(sidebar)[1] == (False, "Brand new 1 min")
        assert options.highlighted_id == newest.id
        # A conversation from an older group moves to the top: its emptied heading goes too, nothing else changes.
        kept = [options.get_option_at_index(i) for i in range(options.option_count)]
        sidebar.upsert(sidebar.summary(MONTH_ID)._replace(updated_at=ago(seconds=30)))
        assert sidebar.ids == [MONTH_ID, newest.id, TODAY_ID, YESTERDAY_ID, WEEK_ID, OLD_ID]
        assert heading_rows(sidebar) == ["Today", "Yesterday", "Previous 7 days", "December 2025"]
        now = [options.get_option_at_index(i) for i in range(options.option_count)]
        assert {id(o) for o in now} - {id(o) for o in kept} == {id(options.get_option(MONTH_ID))}
        # A save that leaves a conversation in its place (a renamed old one) replaces its row alone.
        sidebar.upsert(sidebar.summary(WEEK_ID)._replace(title="Lisbon again"))
        assert sidebar.ids == [MONTH_ID, newest.id, TODAY_ID, YESTERDAY_ID, WEEK_ID, OLD_ID]
        assert ("Lisbon again 4 d") in [text for _, text in rows(sidebar)]


async def test_relative_times_follow_the_clock_without_rebuilding_rows_and_groups_follow_the_day() -> None:
    seed_history()
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        sidebar = await loaded(pilot, 5)
        options = sidebar.option_list
        before = [options.get_option_at_index(i) for i in range(options.option_count)]
        assert rows(sidebar)[1] == (False, "Python packaging 1 h")
        sidebar.clock = lambda: FIXED_NOW + timedelta(hours=2)
        sidebar.refresh_times()
        after = [options.get_option_at_index(i) for i in range(options.option_count)]
        assert all(a is b for a, b in zip(after, before, strict=True))
        assert rows(sidebar)[1] == (False, "Python packaging 3 h")
        await pilot.pause()
        sidebar.clock = lambda: FIXED_NOW + timedelta(days=1)  # the next day: "Today" became "Yesterday"
        sidebar.refresh_times()
        assert heading_rows(sidebar)[:2] == ["Yesterday", "Previous 7 days"]
        assert sidebar.ids == [TODAY_ID, YESTERDAY_ID, WEEK_ID, MONTH_ID, OLD_ID]


async def test_home_end_and_page_keys_move_over_headings() -> None:
    seed_history()
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        sidebar = await loaded(pilot, 5)
        sidebar.option_list.focus()
        await pilot.press("end")
        assert sidebar.option_list.highlighted_id == OLD_ID
        await pilot.press("home")
        assert sidebar.option_list.highlighted_id == TODAY_ID
        await pilot.press("pagedown")
        assert sidebar.option_list.highlighted_id == OLD_ID
        await pilot.press("pageup")
        assert sidebar.option_list.highlighted_id == TODAY_ID
        await pilot.press("up")  # wraps around, as before
        assert sidebar.option_list.highlighted_id == OLD_ID
