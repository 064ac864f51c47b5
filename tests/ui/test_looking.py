"""Looking is not changing: viewing a conversation or switching a version keeps its place in the history."""

from __future__ import annotations

from causerie.core.conversation.models import Message
from causerie.core.settings import paths
from causerie.core.storage.store import ConversationStore
from causerie.testing.fake_openai import FakeOpenAI
from causerie.ui.screens.chat import ChatScreen

from .helpers import SIZE, make_app, wait_for
from .seed import ago, seed


async def test_switching_a_version_keeps_the_conversations_date_and_place(server: FakeOpenAI) -> None:
    store = ConversationStore(paths.data_dir())
    old = seed("c-old", "Old talk", ago(days=30), [("question", "first answer")], store)
    second = Message(role="assistant", content="second answer", id="m0b", created_at=old.updated_at)
    second.model, second.finish_reason = "gpt-6-luna", "stop"
    old.append(second, parent="m0u")
    old.updated_at = ago(days=30)
    store.save(old)
    seed("c-new", "Recent talk", ago(hours=1), [("hi", "hello")], store)
    assert [s.id for s in store.list()] == ["c-new", "c-old"]

    app = make_app(server, open_id=old.id)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await wait_for(pilot, lambda: screen.conversation.id == old.id and screen.sidebar.ids[:2] == ["c-new", "c-old"])
        await pilot.press("shift+tab", "[")
        await wait_for(pilot, lambda: screen.view.message_views()[-1].text == "first answer", what="older version")
        # The switch is saved (it is what the conversation shows next time) without moving it in the history.
        await wait_for(pilot, lambda: store.load(old.id).active_leaf == "m0a", what="the switch saved")
        assert screen.sidebar.ids[:2] == ["c-new", "c-old"]
    reloaded = store.load(old.id)
    assert reloaded.updated_at == ago(days=30)
    assert [s.id for s in ConversationStore(paths.data_dir()).list()] == ["c-new", "c-old"]  # `-c` opens c-new
