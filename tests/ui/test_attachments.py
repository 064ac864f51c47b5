"""Attachments in the app: `@` and F8 open the picker, chips above the prompt, a pasted path, what is sent."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Button, OptionList, Static

from causerie.core.chat.way_out import PICK_MODEL, WITHOUT_ATTACHMENTS
from causerie.testing.fake_openai import FakeOpenAI, Reply, error_body
from causerie.ui.messages import AttachRequested
from causerie.ui.screens.chat import ChatScreen
from causerie.ui.screens.dialogs import ConfirmDialog
from causerie.ui.screens.file_picker import FilePicker
from causerie.ui.widgets.attachment_tray import AttachmentChip, AttachmentTray
from causerie.ui.widgets.error_notice import ErrorNotice
from causerie.ui.widgets.status import StatusLine
from tests.attachment_files import png

from .helpers import SIZE, Recorder, make_app, type_text, wait_for


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "src" / "util.py").write_text("def f():\n    return 1\n")
    (root / "shot.png").write_bytes(png(6, 4))
    (root / "prog.bin").write_bytes(b"\x7fELF\x02\x01\x01\x00" * 8)
    (root / ".secret").write_text("hidden\n")
    monkeypatch.chdir(root)
    return root


def _picker(app) -> FilePicker:  # noqa: ANN001
    assert isinstance(app.screen, FilePicker)
    return app.screen


def _listed(picker: FilePicker) -> list[str]:
    options = picker.query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_at_opens_the_picker_and_the_chip_is_sent(server: FakeOpenAI, project: Path) -> None:
    server.default = Reply(text="Fine.")
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await type_text(pilot, "check @")
        await wait_for(pilot, lambda: isinstance(app.screen, FilePicker), what="the picker")
        picker = _picker(app)
        await wait_for(pilot, lambda: not picker.walking, what="the walk")
        assert sorted(_listed(picker)) == ["prog.bin", "shot.png", "src/util.py"]  # hidden files skipped
        await type_text(pilot, "uti")
        await wait_for(pilot, lambda: _listed(picker) == ["src/util.py"], what="the match")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen, what="the picker closed")
        tray = screen.query_one(AttachmentTray)
        assert [a.name for a in tray.attachments] == ["src/util.py"]
        assert screen.prompt.text == "check "  # the "@" that opened the picker is gone
        assert str(tray.query_one(AttachmentChip).label) == "src/util.py · 22 B ✕"
        await type_text(pilot, "this")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(screen.conversation.messages) == 2, what="reply")
        sent = server.chat_requests()[0].body["messages"][-1]["content"]
        assert sent == "check this\n\nsrc/util.py\n```python\ndef f():\n    return 1\n```"
        assert tray.attachments == [] and not tray.has_class("-shown")
        view = screen.view.view_for(screen.conversation.messages[0].id)
        assert view._label().plain == "You  src/util.py · 22 B "  # the chips it was sent with


async def test_an_at_inside_a_word_does_not_open_the_picker(server: FakeOpenAI, project: Path) -> None:
    recorder = Recorder()
    app = make_app(server)
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await type_text(pilot, "me@example.org")
        await wait_for(pilot, lambda: screen.prompt.text == "me@example.org", what="the text")
        assert not any(isinstance(m, AttachRequested) for m in recorder.messages)
        assert app.screen is screen


async def test_f8_attaches_an_image_and_a_chip_can_be_removed(server: FakeOpenAI, project: Path) -> None:
    server.default = Reply(text="A picture.")
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        for name in ("shot", "util"):
            await pilot.press("f8")
            await wait_for(pilot, lambda: isinstance(app.screen, FilePicker), what="the picker")
            picker = _picker(app)
            await type_text(pilot, name)
            await wait_for(pilot, lambda: len(_listed(picker)) == 1, what="one match")  # noqa: B023
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.screen is screen, what="the picker closed")
        tray = screen.query_one(AttachmentTray)
        chips = list(tray.query(AttachmentChip))
        assert [str(c.label) for c in chips] == [f"shot.png · {len(png(6, 4))} B · 6×4 ✕", "src/util.py · 22 B ✕"]
        chips[1].focus()
        await pilot.press("enter")  # removes that chip
        await wait_for(pilot, lambda: len(tray.query(AttachmentChip)) == 1, what="the chip removed")
        assert [a.name for a in tray.attachments] == ["shot.png"]
        screen.prompt.focus()
        await type_text(pilot, "what")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(screen.conversation.messages) == 2, what="reply")
        url = "data:image/png;base64," + base64.b64encode(png(6, 4)).decode()
        assert server.chat_requests()[0].body["messages"][-1]["content"] == [
            {"type": "text", "text": "what"},
            {"type": "image_url", "image_url": {"url": url, "detail": "auto"}},
        ]


async def test_a_file_that_cannot_be_attached_is_said_and_no_chip_added(server: FakeOpenAI, project: Path) -> None:
    recorder = Recorder()
    app = make_app(server)
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, FilePicker), what="the picker")
        await type_text(pilot, "prog.bin")
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(n.title == "Cannot attach" for n in recorder.notifications()), what="note")
        [note] = [n for n in recorder.notifications() if n.title == "Cannot attach"]
        assert "prog.bin is binary content causerie cannot send" in note.message
        assert screen.query_one(AttachmentTray).attachments == []


async def test_escape_closes_the_picker_and_keeps_the_at(server: FakeOpenAI, project: Path) -> None:
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await type_text(pilot, "@")
        await wait_for(pilot, lambda: isinstance(app.screen, FilePicker), what="the picker")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="the picker closed")
        assert screen.prompt.text == "@" and screen.query_one(AttachmentTray).attachments == []


async def test_a_pasted_path_offers_to_attach_it(server: FakeOpenAI, project: Path) -> None:
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await type_text(pilot, "see ")
        app.post_message(events.Paste(str(project / "shot.png")))
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="the offer")
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is screen, what="the dialog closed")
        assert [a.name for a in screen.query_one(AttachmentTray).attachments] == ["shot.png"]
        assert screen.prompt.text == "see "  # the pasted path made way for the chip


async def test_the_picker_stops_at_its_limit_and_says_so(server: FakeOpenAI, project: Path) -> None:
    for i in range(30):
        (project / f"f{i:02d}.txt").write_text("x")
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        picker = FilePicker(project, limit=10)
        await app.push_screen(picker)
        await wait_for(pilot, lambda: not picker.walking, what="the walk")
        assert len(_listed(picker)) == 10 and picker.truncated
        note = str(picker.query_one("#picker-note", Static).render())
        assert note.startswith("Stopped after 10 files")


async def test_hostile_file_names_are_shown_as_text(server: FakeOpenAI, project: Path) -> None:
    (project / "[bold red]bold[@click=app.quit]\x1b[31m.txt").write_text("x")
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, FilePicker), what="the picker")
        picker = _picker(app)
        await type_text(pilot, "bold")
        await wait_for(pilot, lambda: len(_listed(picker)) == 1, what="the match")
        assert _listed(picker) == ["[bold red]bold[@click=app.quit]␛[31m.txt"]
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen, what="the picker closed")
        assert str(screen.query_one(AttachmentChip).label) == "[bold red]bold[@click=app.quit]␛[31m.txt · 1 B ✕"


async def test_a_model_that_refuses_images_gets_a_sentence_and_a_way_out(server: FakeOpenAI, project: Path) -> None:
    refused = "Invalid content type. image_url is only supported by certain models."
    server.queue(Reply(status=400, error=error_body(None, refused)), Reply(text="Text only, then."))
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        assert screen.attachments.attach("shot.png")
        await type_text(pilot, "what")
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(screen.query(ErrorNotice)), what="the notice")
        notice = screen.query_one(ErrorNotice)
        assert notice.text.startswith("The model or server did not accept the attached image or file")
        assert notice.actions == (WITHOUT_ATTACHMENTS, PICK_MODEL)
        [button] = [b for b in notice.query(Button) if b.name == WITHOUT_ATTACHMENTS]
        assert str(button.label) == "Send without the attachments"
        button.press()
        await wait_for(pilot, lambda: len(server.chat_requests()) == 2 and not screen.streaming, what="the resend")
        assert server.chat_requests()[1].body["messages"] == [{"role": "user", "content": "what"}]
        first, second = screen.conversation.children(None)
        assert [a.name for a in first.attachments] == ["shot.png"] and second.attachments == []  # history kept
        assert screen.conversation.active_path()[-1].content == "Text only, then."


async def test_the_context_meter_counts_chips_before_sending(
    server: FakeOpenAI, project: Path, causerie_home: Path
) -> None:
    (project / "big.png").write_bytes(png(1024, 1024))  # 85 + 4 tiles of 170 = 765 tokens at detail auto
    config = causerie_home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[prices.tiny]\ninput = 0.0\noutput = 0.0\ncontext_window = 10000\n")
    app = make_app(server, model="tiny")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        status = screen.query_one(StatusLine)
        await wait_for(pilot, lambda: "context ≈0% of 10k" in str(status.render()), what="the empty meter")
        assert screen.attachments.attach("big.png")
        await wait_for(pilot, lambda: "context ≈8% of 10k" in str(status.render()), what="the meter with the chip")
        screen.query_one(AttachmentChip).press()
        await wait_for(pilot, lambda: "context ≈0% of 10k" in str(status.render()), what="the chip removed")


async def test_a_new_version_of_a_sent_message_keeps_its_attachments(server: FakeOpenAI, project: Path) -> None:
    server.default = Reply(text="ok")
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        assert screen.attachments.attach("src/util.py")
        await type_text(pilot, "v1")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(screen.conversation.messages) == 2, what="reply")
        first = screen.conversation.messages[0]
        screen.messages.edit(first.id)
        await pilot.press("end", "backspace")
        await type_text(pilot, "2")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(server.chat_requests()) == 2 and not screen.streaming, what="the new version")
        sent = server.chat_requests()[1].body["messages"][-1]["content"]
        assert sent.startswith("v2\n\nsrc/util.py\n```python\n")
        second = screen.conversation.children(None)[1]
        assert second.content == "v2" and second.attachments == first.attachments


async def test_chips_alone_are_sent_and_an_empty_enter_sends_nothing(server: FakeOpenAI, project: Path) -> None:
    server.default = Reply(text="A picture.")
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await pilot.press("enter")  # nothing typed, nothing attached: nothing is sent (checked by the end state)
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, FilePicker), what="the picker")
        picker = _picker(app)
        await type_text(pilot, "shot")
        await wait_for(pilot, lambda: len(_listed(picker)) == 1, what="one match")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen, what="the picker closed")
        await pilot.press("enter")  # no text typed: the chip is the message
        await wait_for(pilot, lambda: not screen.streaming and len(screen.conversation.messages) == 2, what="reply")
        url = "data:image/png;base64," + base64.b64encode(png(6, 4)).decode()
        [request] = server.chat_requests()
        assert request.body["messages"] == [
            {"role": "user", "content": [{"type": "image_url", "image_url": {"url": url, "detail": "auto"}}]}
        ]
        assert [m.role for m in screen.conversation.messages] == ["user", "assistant"]
        assert screen.query_one(AttachmentTray).attachments == []
