"""The sidebar over a real data directory: bad files reported once and untouched, rebuild progress shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from causerie.core.settings import paths
from causerie.core.storage import documents, reconcile
from causerie.core.storage.store import ConversationStore
from causerie.testing.fake_openai import FakeOpenAI, Reply
from causerie.ui.messages import ConversationChosen
from causerie.ui.screens import background
from causerie.ui.screens.chat import ChatScreen
from causerie.ui.widgets.sidebar import HistorySidebar
from tests.core.foreign import make_unreadable, plant_bad_files, save_good, snapshot

from .helpers import SIZE, Recorder, make_app, type_text, wait_for


async def test_session_with_bad_files_notifies_once_and_leaves_them_untouched(
    server: FakeOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ConversationStore(paths.data_dir())
    good = save_good(store, "a good conversation")
    planted = plant_bad_files(store, tmp_path / "outside")
    make_unreadable(monkeypatch, planted["unreadable"])
    before = snapshot(planted)
    server.queue(Reply(text="Answer one."), Reply(text="Answer two."))
    app = make_app(server)
    notes: list[tuple[str, str]] = []
    real_notify = app.notify

    def recording_notify(message: str, *, title: str = "", **kwargs: object) -> None:
        notes.append((title, message))
        real_notify(message, title=title, **kwargs)  # type: ignore[arg-type]

    app.notify = recording_notify  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        sidebar = screen.query_one(HistorySidebar)
        # The newer version, put there behind the index, is listed (read-only) once the files have been checked.
        await wait_for(pilot, lambda: {good.id, "20200101-000000000-000006"} <= set(sidebar.ids), what="history")
        screen.post_message(ConversationChosen(good.id))
        await wait_for(pilot, lambda: screen.conversation.id == good.id, what="open")
        await type_text(pilot, "and more")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(server.chat_requests()) == 1, what="reply")
        screen.post_message(ConversationChosen("20200101-000000000-000006"))
        await wait_for(pilot, lambda: screen.conversation.read_only, what="read-only open")
        await type_text(pilot, "refused")
        await pilot.press("enter")
        await pilot.press("ctrl+n")
        await type_text(pilot, "new one")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(server.chat_requests()) == 2, what="second")
        await pilot.pause()
    unreadable = [message for title, message in notes if title == "Unreadable conversations"]
    assert len(unreadable) == 1, notes
    assert unreadable[0].startswith("9 file(s) in ")
    monkeypatch.delattr(documents, "open")  # readable again, for the comparison
    assert snapshot(planted) == before
    reloaded = ConversationStore(paths.data_dir()).load(good.id)
    assert [m.content for m in reloaded.active_path()] == ["a good conversation", "and more", "Answer one."]


async def test_building_the_index_shows_progress_in_the_sidebar(monkeypatch: pytest.MonkeyPatch) -> None:
    store = ConversationStore(paths.data_dir())
    ids = {save_good(store, f"conversation {n}").id for n in range(30)}
    store.close()
    store.index_path.unlink()  # lost: every file is indexed again after the first paint
    monkeypatch.setattr(reconcile, "PROGRESS_INTERVAL", 0.0)
    monkeypatch.setattr(reconcile, "BATCH", 3)
    seen: list[tuple[int, int]] = []
    real = HistorySidebar.show_progress

    def recording(self: HistorySidebar, done: int, total: int) -> None:
        seen.append((done, total))
        real(self, done, total)

    monkeypatch.setattr(HistorySidebar, "show_progress", recording)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        sidebar = app.screen.query_one(HistorySidebar)
        await wait_for(pilot, lambda: set(sidebar.ids) == ids and seen[-1:] == [(30, 30)], what="history")
        assert str(sidebar.query_one("#history-title").render()) == "History"
        assert not sidebar.query_one("#history-progress").display
    assert all(total == 30 for _, total in seen) and len(seen) == 10
    assert store.index_path.exists()


async def test_conversations_written_elsewhere_are_listed_when_the_sidebar_is_shown() -> None:
    elsewhere = ConversationStore(paths.data_dir())  # `causerie ask` or another causerie, writing the same files
    first = save_good(elsewhere, "asked before the start")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await wait_for(pilot, lambda: set(screen.sidebar.ids) == {first.id}, what="the history")
        await wait_for(pilot, lambda: screen.startup.checked, what="the first check against the files")
        asked = save_good(elsewhere, "asked from the shell meanwhile")
        elsewhere.delete(first.id)
        await pilot.press("ctrl+b", "ctrl+b")  # hidden, shown again: what changed is listed
        await wait_for(pilot, lambda: set(screen.sidebar.ids) == {asked.id}, what="the new list")


async def test_the_sidebar_in_sight_follows_the_files_by_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(background, "RECHECK_EVERY", 0.2)
    elsewhere = ConversationStore(paths.data_dir())
    first = save_good(elsewhere, "asked before the start")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await wait_for(pilot, lambda: screen.startup.checked, what="the first check against the files")
        later = save_good(elsewhere, "asked later")
        await wait_for(pilot, lambda: set(screen.sidebar.ids) == {first.id, later.id}, what="the list followed")


async def test_a_check_that_ran_while_a_conversation_was_deleted_does_not_list_it_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    elsewhere = ConversationStore(paths.data_dir())
    doomed, kept = save_good(elsewhere, "to be deleted"), save_good(elsewhere, "kept")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await wait_for(pilot, lambda: screen.startup.checked, what="the first check against the files")
        real_refresh, real_listed = screen.store.refresh_index, screen.startup.listed
        shown: list[set[str]] = []  # what each check put in the sidebar

        def refresh_then_delete(progress=None):  # noqa: ANN001, ANN202 - the list is taken, then the user deletes
            summaries = real_refresh(progress)
            app.call_from_thread(screen.history.delete, doomed.id, "to be deleted")
            return summaries

        def listed(summaries, problems, first=True):  # noqa: ANN001, ANN202
            real_listed(summaries, problems, first)
            shown.append(set(screen.sidebar.ids))

        monkeypatch.setattr(screen.store, "refresh_index", refresh_then_delete)
        monkeypatch.setattr(screen.startup, "listed", listed)
        await pilot.press("ctrl+b", "ctrl+b")  # a check runs; the deletion comes before its list is shown
        await wait_for(pilot, lambda: bool(shown), what="the check's list shown")
        assert (screen.store.trash_dir / f"{doomed.id}.json").exists()
        assert shown == [{kept.id}] and set(screen.sidebar.ids) == {kept.id}


async def test_an_unreadable_file_is_reported_once_not_at_every_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(background, "RECHECK_EVERY", 0.1)
    store = ConversationStore(paths.data_dir())
    save_good(store, "fine")
    store.conversations_dir.joinpath("20250101-000000000-badbad.json").write_text("{not json", encoding="utf-8")
    checks = 0
    real = ConversationStore.refresh_index

    def counted(self, progress=None):  # noqa: ANN001, ANN202
        nonlocal checks
        checks += 1
        return real(self, progress)

    monkeypatch.setattr(ConversationStore, "refresh_index", counted)
    app = make_app()
    recorder = Recorder()
    async with app.run_test(size=(120, 40), message_hook=recorder.hook) as pilot:
        await wait_for(pilot, lambda: checks >= 4, what="several checks against the files")
        await pilot.pause()
    reports = [n for n in recorder.notifications() if n.title == "Unreadable conversations"]
    assert len(reports) == 1, [n.message for n in reports]
