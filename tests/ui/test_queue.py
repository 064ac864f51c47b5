"""Prompts queued while a reply streams: sent in order after a reply that ended well, held and asked about after a
failed or stopped one, edited and removed with their keys, kept on disk across a quit. Pilot + loopback server."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from causerie.core.settings import paths
from causerie.core.storage.queued import QueueStore
from causerie.testing.fake_openai import FakeOpenAI, Reply, error_body
from causerie.ui.screens.chat import ChatScreen
from causerie.ui.screens.help import HelpScreen
from causerie.ui.screens.queue_actions import SendQueuedDialog
from causerie.ui.widgets.queued import QueuedPrompts

from .helpers import SIZE, Recorder, make_app, type_text, wait_for
from .seed import ago, seed


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "notes.txt").write_text("remember the milk\n")
    monkeypatch.chdir(root)
    return root


def chat(app) -> ChatScreen:  # noqa: ANN001
    assert isinstance(app.screen, ChatScreen)
    return app.screen


def queued(screen: ChatScreen) -> list[tuple[str, bool]]:
    """(text, held) of each prompt queued in the conversation shown."""
    return [(e.prompt.text, e.held) for e in screen.queue.entries(screen.conversation)]


def shown(screen: ChatScreen) -> str:
    widget = screen.query_one(QueuedPrompts)
    return str(widget.render()) if widget.has_class("-shown") else ""


def last_user(request) -> str:  # noqa: ANN001
    users = [m for m in request.body["messages"] if m["role"] == "user"]
    content = users[-1]["content"]
    return content if isinstance(content, str) else content[0]["text"]


async def send(pilot, text: str) -> None:  # noqa: ANN001
    await type_text(pilot, text)
    await pilot.press("enter")


async def streaming_first(pilot, screen: ChatScreen, server: FakeOpenAI) -> None:  # noqa: ANN001
    await send(pilot, "one")
    await wait_for(pilot, lambda: screen.streaming and len(server.chat_requests()) == 1, what="the first reply")


async def two_queued_then_the_first_ends(
    pilot,  # noqa: ANN001
    screen: ChatScreen,
    server: FakeOpenAI,
    release: threading.Event,
) -> None:
    """ "one" streams while "two" and "three" are queued, then its reply ends and the queue asks what to do."""
    await streaming_first(pilot, screen, server)
    await send(pilot, "two")
    await send(pilot, "three")
    await wait_for(pilot, lambda: len(queued(screen)) == 2, what="two queued")
    release.set()
    await wait_for(pilot, lambda: isinstance(screen.app.screen, SendQueuedDialog), what="the question")


async def test_queued_prompts_go_after_the_reply_once_each_in_order(server: FakeOpenAI, project: Path) -> None:
    release = threading.Event()
    server.queue(Reply(text="first answer", release=release), Reply(text="second answer"), Reply(text="third answer"))
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
        await streaming_first(pilot, screen, server)
        assert screen.attachments.attach("notes.txt")
        await send(pilot, "two")
        await wait_for(pilot, lambda: queued(screen) == [("two", False)], what="two queued")
        assert screen.prompt.text == "" and screen.attachments.pending() == []  # the chip went with it
        await send(pilot, "three [b]not markup[/b]")
        await wait_for(pilot, lambda: len(queued(screen)) == 2, what="three queued")
        text = shown(screen)
        assert "2 queued, sent in order when the reply ends" in text
        assert "1. queued two (+1 file)" in text and "2. queued three [b]not markup[/b]" in text
        assert "^l sends held · alt+↑ or Up edits the last · f9 removes it" in text
        # On disk at once, like a draft.
        on_disk = QueueStore(paths.data_dir()).load(screen.conversation.id)
        assert [p.text for p in on_disk] == ["two", "three [b]not markup[/b]"]
        assert [a.name for a in on_disk[0].attachments] == ["notes.txt"]
        assert len(server.chat_requests()) == 1

        release.set()
        await wait_for(pilot, lambda: len(server.chat_requests()) == 3 and not screen.streaming, what="the queue")
        await wait_for(pilot, lambda: not shown(screen), what="the queue widget hidden")
        requests = server.chat_requests()
        with_file = "two\n\nnotes.txt\n```text\nremember the milk\n```"
        assert [last_user(r) for r in requests] == ["one", with_file, "three [b]not markup[/b]"]
        assert requests[1].body["messages"][-2] == {"role": "assistant", "content": "first answer"}
        assert requests[2].body["messages"][-2] == {"role": "assistant", "content": "second answer"}
        assert [m.content for m in screen.conversation.active_path()] == [
            "one",
            "first answer",
            "two",
            "second answer",
            "three [b]not markup[/b]",
            "third answer",
        ]
        assert not QueueStore(paths.data_dir()).path_for(screen.conversation.id).exists()

        # Nothing else was queued: the next prompt typed is the next request.
        server.queue(Reply(text="fourth answer"))
        await send(pilot, "four")
        await wait_for(pilot, lambda: screen.conversation.active_path()[-1].content == "fourth answer")
        assert [last_user(r) for r in server.chat_requests()][2:] == ["three [b]not markup[/b]", "four"]


async def test_a_stopped_reply_holds_the_queue_and_asks(server: FakeOpenAI) -> None:
    server.queue(Reply(text="one two three", release=threading.Event()))
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
        await streaming_first(pilot, screen, server)
        await send(pilot, "two")
        await wait_for(pilot, lambda: queued(screen) == [("two", False)], what="two queued")
        await pilot.press("escape")  # still means: stop the reply
        await wait_for(pilot, lambda: isinstance(app.screen, SendQueuedDialog), what="the question")
        assert "The reply was stopped. Send the 1 queued prompt now?" in app.screen.question
        assert screen.conversation.active_path()[-1].finish_reason == "cancelled"
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is screen, what="the question answered")
        assert queued(screen) == [("two", True)]
        assert "1 held, not sent until you say so" in shown(screen) and "1. held   two" in shown(screen)

        server.queue(Reply(text="second answer"))
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: screen.conversation.active_path()[-1].content == "second answer")
        assert [last_user(r) for r in server.chat_requests()] == ["one", "two"]
        assert queued(screen) == []


async def test_a_failed_reply_holds_the_queue_and_y_sends_it(server: FakeOpenAI) -> None:
    release = threading.Event()
    server.queue(Reply(text="one two three", release=release, error_after=2))
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
        await two_queued_then_the_first_ends(pilot, screen, server, release)
        assert "The reply did not end well. Send the 2 queued prompts now?" in app.screen.question
        assert len(server.chat_requests()) == 1
        assert [held for _, held in queued(screen)] == [True, True]
        server.queue(Reply(text="second answer"), Reply(text="third answer"))
        await pilot.press("enter")  # not an answer: Enter typed for the prompt must not send
        await pilot.press("y")
        await wait_for(pilot, lambda: screen.conversation.active_path()[-1].content == "third answer")
        assert [last_user(r) for r in server.chat_requests()] == ["one", "two", "three"]


async def test_a_queued_prompt_that_fails_holds_the_rest(server: FakeOpenAI) -> None:
    release = threading.Event()
    server.queue(
        Reply(text="first answer", release=release),
        Reply(status=400, error=error_body(None, "[red]bad[/red] request")),
    )
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
        await two_queued_then_the_first_ends(pilot, screen, server, release)
        assert "The reply did not end well. Send the 1 queued prompt now?" in app.screen.question
        assert [last_user(r) for r in server.chat_requests()] == ["one", "two"]
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is screen, what="the question answered")
        assert queued(screen) == [("three", True)]
        # The prompt whose request failed is kept in the conversation (ctrl+r retries it).
        assert [m.content for m in screen.conversation.active_path()] == ["one", "first answer", "two"]


async def test_alt_up_takes_the_last_back_into_an_empty_prompt_and_f9_removes(
    server: FakeOpenAI, project: Path
) -> None:
    release = threading.Event()
    server.queue(Reply(text="first answer", release=release), Reply(text="second answer"))
    recorder = Recorder()
    app = make_app(server)
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        screen = chat(app)
        await streaming_first(pilot, screen, server)
        await send(pilot, "two")
        assert screen.attachments.attach("notes.txt")
        await send(pilot, "three")
        await send(pilot, "four")
        await wait_for(pilot, lambda: len(queued(screen)) == 3, what="three queued")

        await type_text(pilot, "typing")
        await pilot.press("alt+up")
        await wait_for(pilot, lambda: any("not empty" in n.message for n in recorder.notifications()))
        assert screen.prompt.text == "typing" and len(queued(screen)) == 3
        screen.prompt.clear()

        await pilot.press("f9")
        await wait_for(pilot, lambda: [t for t, _ in queued(screen)] == ["two", "three"], what="four removed")
        assert any("Removed the queued prompt: four" in n.message for n in recorder.notifications())

        await pilot.press("alt+up")
        await wait_for(pilot, lambda: screen.prompt.text == "three", what="three back in the prompt")
        assert [a.name for a in screen.attachments.pending()] == ["notes.txt"]
        assert [t for t, _ in queued(screen)] == ["two"]
        assert [p.text for p in QueueStore(paths.data_dir()).load(screen.conversation.id)] == ["two"]
        await type_text(pilot, " again")
        await pilot.press("enter")  # queued again, edited, with its file
        await wait_for(pilot, lambda: [t for t, _ in queued(screen)] == ["two", "three again"])
        await pilot.press("up")  # in the empty prompt: the last queued prompt before the last sent message
        await wait_for(pilot, lambda: screen.prompt.text == "three again", what="taken back with Up")
        assert screen.prompt.editing is None and [t for t, _ in queued(screen)] == ["two"]
        await pilot.press("enter")
        await wait_for(pilot, lambda: [t for t, _ in queued(screen)] == ["two", "three again"])

        server.queue(Reply(text="third answer"))
        release.set()
        await wait_for(pilot, lambda: screen.conversation.active_path()[-1].content == "third answer")
        with_file = "three again\n\nnotes.txt\n```text\nremember the milk\n```"
        assert [last_user(r) for r in server.chat_requests()] == ["one", "two", with_file]


async def test_a_queued_prompt_taken_back_keeps_its_file_after_a_quit(server: FakeOpenAI, project: Path) -> None:
    server.queue(Reply(text="first answer", release=threading.Event()))
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
        await streaming_first(pilot, screen, server)
        assert screen.attachments.attach("notes.txt")
        await send(pilot, "QUEUEDTWO")
        await wait_for(pilot, lambda: queued(screen) == [("QUEUEDTWO", False)], what="queued with its file")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, SendQueuedDialog), what="the question")
        await pilot.press("n")
        await wait_for(pilot, lambda: queued(screen) == [("QUEUEDTWO", True)], what="held")
        await pilot.press("alt+up")
        await wait_for(pilot, lambda: screen.prompt.text == "QUEUEDTWO", what="taken back")
        assert [a.name for a in screen.attachments.pending()] == ["notes.txt"]
        conversation_id = screen.conversation.id
        await pilot.press("ctrl+q")
    assert QueueStore(paths.data_dir()).load(conversation_id) == []

    again = make_app(server, open_id=conversation_id)
    async with again.run_test(size=SIZE) as pilot:
        screen = chat(again)
        await wait_for(pilot, lambda: screen.conversation.id == conversation_id, what="the conversation opened")
        await wait_for(pilot, lambda: screen.prompt.text == "QUEUEDTWO", what="the prompt back")
        await wait_for(pilot, lambda: [a.name for a in screen.attachments.pending()] == ["notes.txt"], what="file")


async def test_the_queue_survives_a_quit_and_comes_back_held(server: FakeOpenAI) -> None:
    server.queue(Reply(text="first answer", release=threading.Event()))
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
        await streaming_first(pilot, screen, server)
        await send(pilot, "two")
        await send(pilot, "three")
        await wait_for(pilot, lambda: len(queued(screen)) == 2, what="queued")
        conversation_id = screen.conversation.id
        await pilot.press("ctrl+q")
    assert [p.text for p in QueueStore(paths.data_dir()).load(conversation_id)] == ["two", "three"]

    again = make_app(server, open_id=conversation_id)
    async with again.run_test(size=SIZE) as pilot:
        screen = chat(again)
        await wait_for(pilot, lambda: screen.conversation.id == conversation_id, what="the conversation opened")
        await wait_for(pilot, lambda: queued(screen) == [("two", True), ("three", True)], what="held")
        assert "2 held, not sent until you say so" in shown(screen)
        assert len(server.chat_requests()) == 1
        server.queue(Reply(text="second answer"), Reply(text="third answer"))
        await pilot.press("ctrl+l")  # the way to send them
        await wait_for(pilot, lambda: screen.conversation.active_path()[-1].content == "third answer")
        assert [last_user(r) for r in server.chat_requests()] == ["one", "two", "three"]


async def test_a_damaged_queue_file_is_said_once_left_alone_and_the_text_stays(server: FakeOpenAI) -> None:
    saved = seed("c1", "Old talk", ago(days=1), [("hello", "hi there")])
    path = QueueStore(paths.data_dir()).path_for(saved.id)
    path.parent.mkdir(parents=True)
    path.write_bytes(b'{"schema": "causerie.queued", "prompts": [{"text": "half')
    server.queue(Reply(text="one two three", release=threading.Event()))
    recorder = Recorder()
    app = make_app(server, open_id=saved.id)
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        screen = chat(app)
        await wait_for(pilot, lambda: screen.conversation.id == saved.id, what="the conversation opened")
        await wait_for(pilot, lambda: any("cannot be read" in n.message for n in recorder.notifications()))
        await send(pilot, "more")
        await wait_for(pilot, lambda: screen.streaming and len(server.chat_requests()) == 1, what="the reply")
        await send(pilot, " please")
        await wait_for(pilot, lambda: any("Not queued" in n.message for n in recorder.notifications()))
        assert screen.prompt.text == " please" and queued(screen) == []
        assert sum("cannot be read" in n.message for n in recorder.notifications()) == 1
    assert path.read_bytes() == b'{"schema": "causerie.queued", "prompts": [{"text": "half'


async def test_f1_lists_the_queue_keys(server: FakeOpenAI) -> None:
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        shown = {entry.id: entry for entry in app.screen.actions}
        assert shown["queue.send"].keys == ("^l",)
        assert shown["queue.edit"].keys == ("alt+↑",)
        assert shown["queue.remove"].keys == ("f9",)
        assert {shown[i].group for i in ("queue.send", "queue.edit", "queue.remove")} == {"Queued prompts"}
        assert shown["chat.stop"].keys == ("esc",)
