"""The sidebar filter behaves like a filter: typed in the list, every printable key goes to it."""

from __future__ import annotations

from causerie.ui.screens.chat import ChatScreen

from .helpers import SIZE, type_text, wait_for
from .seed import ago, fixed_app, seed


async def test_typing_java_in_the_list_filters_java_and_backspace_and_esc_edit_it() -> None:
    seed("20260314-100000000-aaaaaa", "Java generics", ago(hours=2), [("q", "a")])
    seed("20260314-090000000-bbbbbb", "Kotlin coroutines", ago(hours=3), [("q", "a")])
    seed("20260314-080000000-cccccc", "Jakarta EE", ago(hours=4), [("q", "a")])
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        sidebar = screen.sidebar
        await wait_for(pilot, lambda: len(sidebar.ids) == 3, what="history")
        sidebar.option_list.focus()
        await type_text(pilot, "java")  # j and k are not list keys: they are letters of the filter
        assert sidebar.filter_text == "java"
        assert sidebar.ids == ["20260314-100000000-aaaaaa"]
        await pilot.press("down")  # back into the list
        assert app.focused is sidebar.option_list
        await pilot.press("backspace", "backspace")  # in the list, Backspace edits the filter
        assert sidebar.filter_text == "ja"
        assert sidebar.ids == ["20260314-100000000-aaaaaa", "20260314-080000000-cccccc"]
        assert app.focused is sidebar.option_list
        await pilot.press("escape")  # Esc from the list clears the filter first
        assert sidebar.filter_text == ""
        assert len(sidebar.ids) == 3
        assert app.focused is sidebar.option_list


async def test_a_branch_is_told_apart_from_its_origin_when_titles_are_cut() -> None:
    title = "A long conversation about Rust lifetimes and borrowing"
    seed("20260314-100000000-aaaaaa", title, ago(hours=2), [("q", "a")])
    seed("20260314-110000000-bbbbbb", f"{title} (branch)", ago(hours=1), [("q", "a")])
    app = fixed_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await wait_for(pilot, lambda: len(screen.sidebar.ids) == 2, what="history")
        shot = app.export_screenshot().replace("&#160;", " ")
        assert "(branch)" not in shot  # the suffix is cut off at this width…
        assert shot.count("⑂ A long") == 1  # …so the branch carries a mark
        assert shot.count("A long conversation") == 2
