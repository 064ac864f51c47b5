"""Faults: a server that drops, stalls, hangs or talks nonsense; a data directory that fails or disappears.

Every case checks the same promises: the app keeps running, the user is told in a plain sentence, the user's
message and any partial reply stay on screen and on disk, and what was saved before is not damaged.
"""

from __future__ import annotations

import errno
import re
import shutil
import types
from pathlib import Path

import pytest

from causerie.core.chat.retry import RetryPolicy
from causerie.core.settings import paths
from causerie.core.storage import fileio
from causerie.core.storage.store import ConversationStore
from causerie.testing.fake_openai import FakeOpenAI, Reply
from causerie.ui.screens import saving as chat_saving
from causerie.ui.screens.chat import ChatScreen

from ..ui.helpers import SIZE, Recorder, make_app, type_text, wait_for

HTML_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n"
    b"<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n"
)
WORDS = "alpha bravo charlie delta echo foxtrot golf hotel"
# A Python exception name or a traceback in a message means the user was shown an internal error.
INTERNAL = re.compile(r"Traceback|\b[A-Z][A-Za-z]*(Error|Exception)\b|\bNone\b")

SERVER_FAULTS = {
    "drops mid-stream": (Reply(text=WORDS, drop_after=3), "alpha bravo charlie"),
    "stalls past the read timeout": (Reply(text=WORDS, stall_after=3), "alpha bravo charlie"),
    "error event mid-stream": (Reply(text=WORDS, error_after=3), "alpha bravo charlie"),
    "garbage instead of SSE": (
        Reply(raw_body=b"\x00\xff\xfe<<garbage>> not an event stream\n\n", content_type="text/event-stream"),
        "",
    ),
    "SSE with broken JSON": (Reply(raw_body=b'data: {"choices": [\n\n', content_type="text/event-stream"), ""),
    "proxy HTML 502": (Reply(status=502, raw_body=HTML_502), ""),
    "accepts and never answers": (Reply(hang=True), ""),
}


@pytest.fixture
def short_read_timeout(causerie_home: Path) -> None:
    config = causerie_home / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text("read_timeout = 1\n")


def screen_of(app) -> ChatScreen:
    assert isinstance(app.screen, ChatScreen)
    return app.screen


@pytest.mark.usefixtures("short_read_timeout")
@pytest.mark.parametrize("fault", SERVER_FAULTS)
async def test_server_fault_keeps_everything_and_says_so(server: FakeOpenAI, fault: str) -> None:
    reply, partial = SERVER_FAULTS[fault]
    server.default = reply  # every attempt fails the same way, automatic retries included
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        screen.engine.retry_policy = RetryPolicy(attempts=1, base_delay=0.01)  # automatic retries, but quick ones
        await type_text(pilot, "tell me")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(server.chat_requests()) >= 1, what="the request")
        await wait_for(pilot, lambda: not screen.streaming and screen.view.notices(), timeout=20, what="a notice")
        shown = [n for n in screen.view.notices() if {"-error", "-warning"} & set(n.classes)]
        assert shown, [n.text for n in screen.view.notices()]
        for notice in shown:
            assert not INTERNAL.search(notice.text), notice.text
        views = screen.view.message_views()
        assert views[0].text == "tell me"
        assert (views[1].text if len(views) > 1 else "") == partial
        conversation_id = screen.conversation.id

        # The app still works: the same question asked again gets its answer.
        server.default = Reply(text="Recovered answer.")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: any(v.text == "Recovered answer." for v in screen.view.message_views()))
        await wait_for(pilot, lambda: not screen.streaming, what="the end of the retry")
        assert app.is_running
    saved = ConversationStore(paths.data_dir()).load(conversation_id)
    contents = [m.content for m in saved.messages]
    assert contents[0] == "tell me" and "Recovered answer." in contents
    if partial:
        (kept,) = [m for m in saved.messages if m.content == partial]
        assert kept.finish_reason == "error" and kept.partial


async def test_slow_byte_by_byte_stream_arrives_whole(server: FakeOpenAI) -> None:
    server.queue(Reply(text="Slowly, but every byte: ünïcødé ✓ 你好", byte_by_byte=True))
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await type_text(pilot, "go")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(screen.view.message_views()) == 2, timeout=20)
        assert screen.view.message_views()[1].text == "Slowly, but every byte: ünïcødé ✓ 你好"
        assert screen.view.notices() == []


class _Faults:
    """Stands in for the `os` and `tempfile` modules inside core/fileio: disk full or read-only on demand."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.mode: str | None = None
        self.failures = 0
        real_os, real_tempfile = fileio.os, fileio.tempfile
        faults = self

        def mkstemp(*args: object, **kwargs: object) -> tuple[int, str]:
            if faults.mode == "read-only":
                faults.failures += 1
                raise OSError(errno.EROFS, "Read-only file system")
            return real_tempfile.mkstemp(*args, **kwargs)  # type: ignore[arg-type]

        def fdopen(fd: int, *args: object, **kwargs: object) -> object:
            handle = real_os.fdopen(fd, *args, **kwargs)  # type: ignore[call-overload]
            if faults.mode != "full":
                return handle
            real_write = handle.write

            def write(data: bytes) -> int:
                faults.failures += 1
                real_write(data[: len(data) // 2])  # half of it lands in the temp file, then the disk is full
                handle.flush()
                raise OSError(errno.ENOSPC, "No space left on device")

            handle.write = write
            return handle

        monkeypatch.setattr(fileio, "tempfile", types.SimpleNamespace(mkstemp=mkstemp))
        monkeypatch.setattr(fileio, "os", types.SimpleNamespace(**{**vars(real_os), "fdopen": fdopen}))


def _directory_bytes(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


@pytest.mark.parametrize("mode", ["full", "read-only"])
async def test_failing_disk_keeps_the_reply_tells_the_user_and_saves_later(
    server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    monkeypatch.setattr(chat_saving, "SAVE_RETRY_INTERVAL", 0.2)
    faults = _Faults(monkeypatch)
    server.queue(Reply(text="First answer, saved."), Reply(text="Second answer, written while the disk fails."))
    app = make_app(server)
    conversations = paths.data_dir() / "conversations"
    recorder = Recorder()
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        screen = screen_of(app)
        await type_text(pilot, "first")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(screen.view.message_views()) == 2)
        await pilot.pause()
        before = _directory_bytes(conversations)
        assert len(before) == 1

        faults.mode = mode
        await type_text(pilot, "second")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(screen.view.message_views()) == 4)
        await wait_for(pilot, lambda: any(n.title == "Not saved" for n in recorder.notifications()), what="the warning")
        assert screen.view.message_views()[3].text == "Second answer, written while the disk fails."
        assert faults.failures > 0
        # What was saved before is intact, and no half-written temp file is left behind.
        assert _directory_bytes(conversations) == before
        assert sorted(p.name for p in conversations.iterdir()) == sorted(before)

        faults.mode = None  # space freed / remounted read-write: the retry saves without any user action
        await wait_for(pilot, lambda: any(n.message == "Saved again." for n in recorder.notifications()), what="resave")
        conversation_id = screen.conversation.id
    saved = ConversationStore(paths.data_dir()).load(conversation_id)
    assert [m.content for m in saved.active_path()] == [
        "first",
        "First answer, saved.",
        "second",
        "Second answer, written while the disk fails.",
    ]


async def test_unsaved_reply_is_saved_on_quit(server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chat_saving, "SAVE_RETRY_INTERVAL", 3600)  # no retry before the user quits
    faults = _Faults(monkeypatch)
    faults.mode = "full"
    server.queue(Reply(text="Written while the disk was full."))
    app = make_app(server)
    recorder = Recorder()
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        screen = screen_of(app)
        await type_text(pilot, "hello")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(screen.view.message_views()) == 2)
        await wait_for(pilot, lambda: any(n.title == "Not saved" for n in recorder.notifications()))
        conversation_id = screen.conversation.id
        faults.mode = None
    saved = ConversationStore(paths.data_dir()).load(conversation_id)
    assert [m.content for m in saved.active_path()] == ["hello", "Written while the disk was full."]


async def test_data_directory_removed_while_running(server: FakeOpenAI) -> None:
    server.queue(Reply(text="Before the removal."), Reply(text="After the removal."))
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await type_text(pilot, "one")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(screen.view.message_views()) == 2)
        await pilot.pause()
        shutil.rmtree(paths.data_dir())
        await type_text(pilot, "two")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(screen.view.message_views()) == 4)
        await pilot.pause()
        assert app.is_running
        conversation_id = screen.conversation.id
    data = paths.data_dir()
    assert data.is_dir() and (data.stat().st_mode & 0o777) == 0o700
    store = ConversationStore(data)
    assert [s.id for s in store.list()] == [conversation_id]
    saved = store.load(conversation_id)
    assert [m.content for m in saved.active_path()] == ["one", "Before the removal.", "two", "After the removal."]
