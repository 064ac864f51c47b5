"""No typed word is lost: the prompt's draft is kept on disk per conversation, never in the conversation file."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events

from causerie.core.attachments.record import Attachment
from causerie.core.settings import paths
from causerie.core.storage.drafts import NEW_CONVERSATION, DraftStore, EditDraft
from causerie.testing.fake_openai import FakeOpenAI, Reply
from causerie.ui.messages import EditRequested
from causerie.ui.screens.chat import ChatScreen
from causerie.ui.screens.file_picker import FilePicker
from causerie.ui.widgets.attachment_tray import AttachmentChip
from causerie.ui.widgets.prompt import PromptInput

from .helpers import SIZE, Recorder, make_app, type_text, wait_for
from .seed import ago, seed

LONG_DRAFT = "\n".join(f"line {n} of a long pasted draft" for n in range(40))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "notes.txt").write_text("remember the milk\n")
    (root / "plan.txt").write_text("buy bread\n")
    monkeypatch.chdir(root)
    return root


def drafts() -> DraftStore:
    return DraftStore(paths.data_dir())


def chat(app) -> ChatScreen:
    assert isinstance(app.screen, ChatScreen)
    return app.screen


async def test_a_new_conversations_draft_is_back_at_the_next_start(server: FakeOpenAI) -> None:
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h", "i")
        app.post_message(events.Paste(LONG_DRAFT))  # as the terminal delivers a paste
        await wait_for(pilot, lambda: LONG_DRAFT in app.screen.query_one(PromptInput).text, what="the paste")
        await pilot.press("ctrl+q")  # at once, before the pause in typing that writes the draft
    assert drafts().load(NEW_CONVERSATION) == "hi" + LONG_DRAFT
    again = make_app(server)
    async with again.run_test(size=SIZE) as pilot:
        prompt = again.screen.query_one(PromptInput)
        await wait_for(pilot, lambda: prompt.text == "hi" + LONG_DRAFT, what="the draft back in the prompt")


async def test_a_conversations_draft_is_back_when_it_is_opened_again(server: FakeOpenAI) -> None:
    saved = seed("c1", "Old talk", ago(days=3), [("hello", "hi there")])
    conversation_file = paths.data_dir() / "conversations" / f"{saved.id}.json"
    before = conversation_file.read_bytes()
    app = make_app(server, open_id=saved.id)
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
        await wait_for(pilot, lambda: screen.conversation.id == saved.id, what="the conversation opened")
        await type_text(pilot, "half a thought")
        # Written once typing pauses (a crash loses at most that pause).
        await wait_for(pilot, lambda: drafts().load(saved.id) == "half a thought", what="the draft on disk")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: screen.prompt.text == "", what="a new conversation's empty prompt")
        await type_text(pilot, "elsewhere")
        assert screen.open_conversation(saved.id)
        await wait_for(pilot, lambda: screen.prompt.text == "half a thought", what="the draft back")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: screen.prompt.text == "elsewhere", what="the new conversation's draft back")
    assert conversation_file.read_bytes() == before  # the draft is not in the conversation file
    assert "half a thought" not in before.decode()


async def test_sending_discards_the_draft(server: FakeOpenAI) -> None:
    server.default = Reply(text="ok")
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
        await type_text(pilot, "soon sent")
        await wait_for(pilot, lambda: drafts().load(NEW_CONVERSATION) == "soon sent", what="the draft on disk")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(screen.view.message_views()) == 2)
        await type_text(pilot, "next")
        await wait_for(pilot, lambda: drafts().load(screen.conversation.id) == "next", what="its own draft")
        assert drafts().load(NEW_CONVERSATION) == ""
    again = make_app(server)
    async with again.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(again.screen, ChatScreen), what="the chat screen")
        # The draft is put in the prompt while the screen mounts: an empty prompt now stays empty.
        assert again.screen.query_one(PromptInput).text == ""


def test_draft_files_are_private_and_named_by_id(causerie_home: Path) -> None:
    store = drafts()
    store.save("20260314-150000000-abcdef", "text")
    path = store.path_for("20260314-150000000-abcdef")
    assert path.parent == paths.data_dir() / "drafts"
    assert path.stat().st_mode & 0o777 == 0o600
    store.save("20260314-150000000-abcdef", "   ")
    assert not path.exists()
    for bad in ("../x", "a/b", ".hidden"):
        try:
            store.path_for(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} was accepted as a draft name")


async def test_an_edit_under_way_is_back_in_editing_mode_after_a_quit(server: FakeOpenAI) -> None:
    saved = seed("c1", "Old talk", ago(days=3), [("hello", "hi there")])
    app = make_app(server, open_id=saved.id)
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
        await wait_for(pilot, lambda: screen.conversation.id == saved.id, what="the conversation opened")
        await type_text(pilot, "a draft below")
        first = screen.conversation.active_path()[0]
        screen.post_message(EditRequested(first.id))  # what "e" on a message of yours asks for
        await wait_for(pilot, lambda: screen.prompt.editing == first.id, what="editing the first message")
        await type_text(pilot, " EDITED")
        await pilot.press("ctrl+q")  # at once, before the pause in typing that writes drafts
    assert drafts().load(saved.id) == "a draft below"
    assert drafts().load_edit(saved.id) == EditDraft(first.id, "hello EDITED")
    again = make_app(server, open_id=saved.id)
    async with again.run_test(size=SIZE) as pilot:
        screen = chat(again)
        await wait_for(pilot, lambda: screen.prompt.editing == first.id, what="editing again")
        assert screen.prompt.text == "hello EDITED"
        await pilot.press("escape")  # the edit cancelled: the draft below is back, the edit forgotten on disk too
        await wait_for(pilot, lambda: screen.prompt.text == "a draft below", what="the draft below")
        await wait_for(pilot, lambda: drafts().load_edit(saved.id) is None, what="the edit forgotten")


async def test_an_edit_under_way_survives_a_switch_of_conversation(server: FakeOpenAI) -> None:
    saved = seed("c1", "Old talk", ago(days=3), [("hello", "hi there")])
    app = make_app(server, open_id=saved.id)
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
        await wait_for(pilot, lambda: screen.conversation.id == saved.id, what="the conversation opened")
        await pilot.press("up")  # the box is empty: the last message sent comes back for editing
        await wait_for(pilot, lambda: screen.prompt.editing is not None, what="editing")
        await type_text(pilot, " EDITED")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: screen.prompt.editing is None and screen.prompt.text == "", what="a new one")
        assert screen.open_conversation(saved.id)
        await wait_for(pilot, lambda: screen.prompt.text == "hello EDITED", what="the edit back")
        assert screen.prompt.editing == saved.active_path()[0].id


async def test_an_edit_of_a_message_that_is_gone_stays_as_the_drafts_end(server: FakeOpenAI) -> None:
    saved = seed("c1", "Old talk", ago(days=3), [("hello", "hi there")])
    drafts().save(saved.id, "my draft")
    drafts().save_edit(saved.id, EditDraft("no-such-message", "words of an edit"))
    app = make_app(server, open_id=saved.id)
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
        await wait_for(pilot, lambda: screen.prompt.text == "my draft\n\nwords of an edit", what="both kept")
        assert screen.prompt.editing is None


def chips(screen: ChatScreen) -> list[str]:
    return [a.name for a in screen.attachments.pending()]


async def test_the_trays_attachments_are_back_at_the_next_start(server: FakeOpenAI, project: Path) -> None:
    server.default = Reply(text="read it")
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
        await type_text(pilot, "see file")
        await pilot.press("f8")  # attached through the picker, as the user does
        await wait_for(pilot, lambda: isinstance(app.screen, FilePicker), what="the picker")
        await type_text(pilot, "notes")
        await pilot.press("enter")
        await wait_for(pilot, lambda: chips(screen) == ["notes.txt"], what="the chip")
        await pilot.press("ctrl+q")  # at once, before the pause in typing that writes the draft
    assert [a.name for a in drafts().load_attachments(NEW_CONVERSATION)] == ["notes.txt"]
    again = make_app(server)
    async with again.run_test(size=SIZE) as pilot:
        screen = chat(again)
        await wait_for(pilot, lambda: screen.prompt.text == "see file", what="the draft back")
        await wait_for(pilot, lambda: chips(screen) == ["notes.txt"], what="the chip back")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(screen.conversation.messages) == 2, what="reply")
        sent = server.chat_requests()[0].body["messages"][-1]["content"]
        assert sent == "see file\n\nnotes.txt\n```text\nremember the milk\n```"
        assert drafts().load_attachments(NEW_CONVERSATION) == []
        assert drafts().load_attachments(screen.conversation.id) == []


async def test_the_chips_belong_to_their_conversation_and_a_removed_one_stays_removed(
    server: FakeOpenAI, project: Path
) -> None:
    saved = seed("c1", "Old talk", ago(days=3), [("hello", "hi there")])
    app = make_app(server, open_id=saved.id)
    async with app.run_test(size=SIZE) as pilot:
        screen = chat(app)
        await wait_for(pilot, lambda: screen.conversation.id == saved.id, what="the conversation opened")
        assert screen.attachments.attach("notes.txt") and screen.attachments.attach("plan.txt")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: screen.prompt.text == "" and chips(screen) == [], what="a new one, no chips")
        assert screen.attachments.attach("plan.txt")
        assert screen.open_conversation(saved.id)
        await wait_for(pilot, lambda: chips(screen) == ["notes.txt", "plan.txt"], what="its chips back")
        await wait_for(pilot, lambda: len(screen.query(AttachmentChip)) == 2, what="the other conversation's chip gone")
        screen.query(AttachmentChip).first().focus()
        await pilot.press("enter")  # removes that chip
        await wait_for(pilot, lambda: chips(screen) == ["plan.txt"], what="the chip removed")
        await wait_for(
            pilot, lambda: [a.name for a in drafts().load_attachments(saved.id)] == ["plan.txt"], what="on disk"
        )
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: chips(screen) == ["plan.txt"], what="the new conversation's chip back")
    again = make_app(server, open_id=saved.id)
    async with again.run_test(size=SIZE) as pilot:
        screen = chat(again)
        await wait_for(pilot, lambda: screen.conversation.id == saved.id, what="the conversation opened")
        await wait_for(pilot, lambda: chips(screen) == ["plan.txt"], what="only the chip left")


async def test_a_chip_whose_file_left_the_store_is_dropped_with_a_notice(server: FakeOpenAI, project: Path) -> None:
    missing = Attachment("old \ud800 notes.txt", "c" * 64, "text/plain", 9)
    drafts().save(NEW_CONVERSATION, "about the file")
    drafts().save_attachments(NEW_CONVERSATION, [missing])
    recorder = Recorder()
    app = make_app(server)
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        screen = chat(app)
        await wait_for(pilot, lambda: screen.prompt.text == "about the file", what="the draft back")
        said = "No longer in causerie's attachment store, so taken off the message: old \ufffd notes.txt"
        await wait_for(pilot, lambda: said in [n.message for n in recorder.notifications()], what="the notice")
        assert chips(screen) == []
        await wait_for(pilot, lambda: drafts().load_attachments(NEW_CONVERSATION) == [], what="forgotten on disk")
