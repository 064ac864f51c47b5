"""Keys on the messages: moving focus, copying, code blocks, editing, versions, branching, continuing."""

from __future__ import annotations

from causerie.core.engine.engine import CONTINUE_INSTRUCTION
from causerie.core.settings import paths
from causerie.core.storage.store import ConversationStore
from causerie.testing.fake_openai import FakeOpenAI, Reply
from causerie.ui.screens.chat import ChatScreen
from causerie.ui.widgets.conversation import MessageView

from .helpers import SIZE, Recorder, make_app, send_and_wait, type_text, wait_for

CODE_REPLY = "Two snippets:\n\n```python\nprint('one')\n```\n\nand\n\n```bash\necho two\necho three\n```\n"


def screen_of(app) -> ChatScreen:
    assert isinstance(app.screen, ChatScreen)
    return app.screen


def focused_message(app) -> MessageView | None:
    return app.focused if isinstance(app.focused, MessageView) else None


def label_of(view: MessageView) -> str:
    return view._label().plain


async def test_arrow_keys_move_between_prompt_and_messages(server: FakeOpenAI) -> None:
    server.default = Reply(text="ok")
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await send_and_wait(pilot, screen, "first")
        await send_and_wait(pilot, screen, "second")
        views = screen.view.message_views()
        await pilot.press("shift+tab")
        assert app.focused is views[3]
        await pilot.press("up")
        assert app.focused is views[2]
        await pilot.press("k", "k")
        assert app.focused is views[0]
        await pilot.press("k")  # stays on the first
        assert app.focused is views[0]
        await pilot.press("j")
        assert app.focused is views[1]
        await pilot.press("escape")
        assert app.focused is screen.prompt
        await pilot.press("ctrl+up")
        assert app.focused is views[3]
        await pilot.press("down")  # past the last message: back to the prompt
        assert app.focused is screen.prompt
        # Up at the start of a non-empty prompt also goes up into the messages (the first Up goes to the start).
        await type_text(pilot, "draft")
        await pilot.press("up")
        assert app.focused is screen.prompt and screen.prompt.cursor_location == (0, 0)
        await pilot.press("up")
        assert app.focused is views[3]
        assert screen.prompt.text == "draft"


async def test_focused_message_is_visibly_marked(server: FakeOpenAI) -> None:
    server.default = Reply(text="ok")
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await send_and_wait(pilot, screen, "hello")
        views = screen.view.message_views()
        before = views[1].styles.background
        await pilot.press("shift+tab")
        assert app.focused is views[1]
        assert views[1].styles.background != before
        assert views[1].styles.border_left[1] != views[0].styles.border_left[1]


async def test_y_copies_the_focused_message(server: FakeOpenAI) -> None:
    server.default = Reply(text="The **answer** is 42.")
    app = make_app(server)
    recorder = Recorder()
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        screen = screen_of(app)
        await send_and_wait(pilot, screen, "question?")
        await pilot.press("shift+tab", "y")
        assert app.clipboard == "The **answer** is 42."
        await pilot.press("k", "y")
        assert app.clipboard == "question?"
        messages = [n.message for n in recorder.notifications()]
        assert any("Copied the reply" in m for m in messages)
        assert any("Copied your message" in m for m in messages)


async def test_c_copies_code_blocks_one_at_a_time(server: FakeOpenAI) -> None:
    server.default = Reply(text=CODE_REPLY)
    app = make_app(server)
    recorder = Recorder()
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        screen = screen_of(app)
        await send_and_wait(pilot, screen, "code please")
        await pilot.press("shift+tab", "c")
        assert app.clipboard == "print('one')"
        assert "Code block 1/2 (python) copied" in recorder.notifications()[-1].message
        await pilot.press("c")
        assert app.clipboard == "echo two\necho three"
        assert "Code block 2/2 (bash) copied: 2 lines" in recorder.notifications()[-1].message
        await pilot.press("c")  # cycles back to the first
        assert app.clipboard == "print('one')"
        await pilot.press("k", "c")  # the user's message has none
        assert app.clipboard == "print('one')"
        assert "no code block" in recorder.notifications()[-1].message


async def test_copy_conversation_as_markdown(server: FakeOpenAI) -> None:
    server.default = Reply(text="Fine, thanks.")
    app = make_app(server)
    recorder = Recorder()
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        screen = screen_of(app)
        await send_and_wait(pilot, screen, "How are you?")
        await pilot.press("ctrl+o")
        text = app.clipboard
        assert text.startswith("# How are you?\n")
        assert "## You\n\nHow are you?" in text
        assert "## Assistant (gpt-6-luna)\n\nFine, thanks." in text
        assert "Copied the conversation as Markdown (2 messages" in recorder.notifications()[-1].message


async def test_text_with_a_lone_surrogate_is_copied_with_u_fffd(server: FakeOpenAI) -> None:
    # Half an emoji cannot be encoded as UTF-8, and the clipboard reaches the terminal as UTF-8.
    reply = "half an emoji \ud83d here\n\n```python\nx = '\ud83d'\n```"
    server.default = Reply(text=reply)
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await send_and_wait(pilot, screen, "emoji?")
        await pilot.press("shift+tab", "y")
        assert app.clipboard == "half an emoji \ufffd here\n\n```python\nx = '\ufffd'\n```"
        await pilot.press("c")
        assert app.clipboard == "x = '\ufffd'"
        await pilot.press("ctrl+o")
        assert "## Assistant (gpt-6-luna)\n\nhalf an emoji \ufffd here" in app.clipboard
        assert app.is_running
        assert screen.conversation.active_path()[-1].content == reply  # the message keeps its exact text


async def test_regenerate_adds_a_version_and_brackets_switch(server: FakeOpenAI) -> None:
    server.queue(Reply(text="first answer"), Reply(text="second answer"))
    app = make_app(server)
    recorder = Recorder()
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        screen = screen_of(app)
        await send_and_wait(pilot, screen, "question")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: not screen.streaming and screen.view.message_views()[-1].text == "second answer")
        conversation = screen.conversation
        assert len(conversation.messages) == 3  # one question, two versions of the reply
        views = screen.view.message_views()
        assert len(views) == 2
        assert "‹2/2›" in label_of(views[1])
        assert "‹" not in label_of(views[0])
        await pilot.press("shift+tab", "[")
        await wait_for(pilot, lambda: screen.view.message_views()[-1].text == "first answer", what="older version")
        view = screen.view.message_views()[-1]
        assert "‹1/2›" in label_of(view)
        await wait_for(pilot, lambda: app.focused is view, what="focus kept on the switched message")
        assert [m.content for m in conversation.active_path()] == ["question", "first answer"]
        await pilot.press("[")  # no older one
        assert "No older version" in recorder.notifications()[-1].message
        await pilot.press("right")
        await wait_for(pilot, lambda: screen.view.message_views()[-1].text == "second answer", what="newer version")
    saved = ConversationStore(paths.data_dir()).load(conversation.id)
    assert [m.content for m in saved.active_path()] == ["question", "second answer"]
    assert len(saved.messages) == 3


async def test_ctrl_r_on_a_focused_reply_gives_the_focus_to_the_new_version(server: FakeOpenAI) -> None:
    server.queue(Reply(text="first answer"), Reply(text="second answer"))
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await send_and_wait(pilot, screen, "question")
        await pilot.press("shift+tab")  # on the reply
        await wait_for(pilot, lambda: app.focused is screen.view.message_views()[-1], what="the reply focused")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: not screen.streaming and screen.view.message_views()[-1].text == "second answer")
        newest = screen.view.message_views()[-1]
        await wait_for(pilot, lambda: app.focused is newest, what="the new version focused")
        await pilot.press("[")  # the message keys act on it: the older version
        await wait_for(pilot, lambda: screen.view.message_views()[-1].text == "first answer", what="older version")


async def test_edit_an_earlier_message_creates_a_sibling_and_a_new_reply(server: FakeOpenAI) -> None:
    server.queue(Reply(text="a1"), Reply(text="a2"), Reply(text="a1 for the edit"))
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await send_and_wait(pilot, screen, "q1")
        await send_and_wait(pilot, screen, "q2")
        await type_text(pilot, "my draft")
        await pilot.press("shift+tab", "k", "k", "k")
        assert focused_message(app) is not None and focused_message(app).text == "q1"
        await pilot.press("e")
        prompt = screen.prompt
        assert app.focused is prompt and prompt.text == "q1" and prompt.editing is not None
        assert prompt.has_class("-editing")
        await type_text(pilot, " edited")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(screen.conversation.messages) == 6, what="reply")
        conversation = screen.conversation
        assert [m.content for m in conversation.active_path()] == ["q1 edited", "a1 for the edit"]
        first, edited = conversation.children(None)
        assert (first.content, edited.content) == ("q1", "q1 edited")
        assert edited.parent is None
        # The request held only the edited message: the old branch is not sent.
        assert server.chat_requests()[-1].body["messages"] == [{"role": "user", "content": "q1 edited"}]
        views = screen.view.message_views()
        assert "‹2/2›" in label_of(views[0])
        # The draft typed before editing is back.
        assert prompt.text == "my draft" and prompt.editing is None
        # The old version (and everything under it) is one key away.
        await pilot.press("shift+tab", "k", "left")
        await wait_for(pilot, lambda: screen.view.message_views()[0].text == "q1", what="old version")
        assert [v.text for v in screen.view.message_views()] == ["q1", "a1", "q2", "a2"]


async def test_escape_cancels_editing_and_restores_the_draft(server: FakeOpenAI) -> None:
    server.default = Reply(text="ok")
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await send_and_wait(pilot, screen, "q1")
        await type_text(pilot, "unsent words")
        await pilot.press("shift+tab", "k", "e")
        assert screen.prompt.text == "q1"
        await pilot.press("escape")
        assert screen.prompt.text == "unsent words" and screen.prompt.editing is None
        assert len(screen.conversation.messages) == 2


async def test_e_on_a_reply_does_not_edit(server: FakeOpenAI) -> None:
    server.default = Reply(text="ok")
    app = make_app(server)
    recorder = Recorder()
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        screen = screen_of(app)
        await send_and_wait(pilot, screen, "q1")
        await pilot.press("shift+tab", "e")
        assert screen.prompt.editing is None
        assert "Only your own messages" in recorder.notifications()[-1].message


async def test_up_in_an_empty_prompt_recalls_the_last_sent_message(server: FakeOpenAI) -> None:
    server.queue(Reply(text="a1"), Reply(text="a2"), Reply(text="a2 again"))
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await send_and_wait(pilot, screen, "q1")
        await send_and_wait(pilot, screen, "q2 with a typo")
        await pilot.press("up")
        assert screen.prompt.text == "q2 with a typo"
        assert screen.prompt.editing == screen.conversation.active_path()[2].id
        await pilot.press("backspace", "backspace", "backspace", "backspace")
        await type_text(pilot, "fix")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(screen.conversation.messages) == 6, what="reply")
        assert [m.content for m in screen.conversation.active_path()] == ["q1", "a1", "q2 with a fix", "a2 again"]
        assert "‹2/2›" in label_of(screen.view.message_views()[2])


async def test_branch_into_a_new_conversation(server: FakeOpenAI) -> None:
    server.default = Reply(text="ok")
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await send_and_wait(pilot, screen, "q1")
        await send_and_wait(pilot, screen, "q2")
        original = screen.conversation
        await pilot.press("f5")
        copy = screen.conversation
        assert copy is not original
        assert [m.content for m in copy.active_path()] == ["q1", "ok", "q2", "ok"]
        assert not {m.id for m in copy.messages} & {m.id for m in original.messages}
        assert [v.text for v in screen.view.message_views()] == ["q1", "ok", "q2", "ok"]
        assert app.focused is screen.prompt
        # From a focused message: the path up to it.
        await pilot.press("shift+tab", "k", "k")
        await pilot.press("f5")
        second = screen.conversation
        assert [m.content for m in second.active_path()] == ["q1", "ok"]
    store = ConversationStore(paths.data_dir())
    assert {s.id for s in store.list()} == {original.id, copy.id, second.id}
    assert store.load(copy.id).title.endswith("(branch)")


async def test_continue_after_a_reply_cut_off_by_the_length_limit(server: FakeOpenAI) -> None:
    server.queue(Reply(text="The list: one, two,", finish_reason="length"), Reply(text=" three."))
    app = make_app(server)
    recorder = Recorder()
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        screen = screen_of(app)
        await send_and_wait(pilot, screen, "count")
        assert screen.conversation.active_path()[-1].finish_reason == "length"
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: len(server.chat_requests()) == 2 and not screen.streaming, what="continuation")
        # The continuation is appended to the same reply; the instruction is sent, not stored.
        path = screen.conversation.active_path()
        assert [m.content for m in path] == ["count", "The list: one, two, three."]
        assert path[-1].finish_reason == "stop"
        assert screen.view.message_views()[-1].text == "The list: one, two, three."
        assert server.chat_requests()[-1].body["messages"] == [
            {"role": "user", "content": "count"},
            {"role": "assistant", "content": "The list: one, two,"},
            {"role": "user", "content": CONTINUE_INSTRUCTION},
        ]
        # A complete reply has nothing to continue.
        await pilot.press("ctrl+g")
        assert "Nothing to continue" in recorder.notifications()[-1].message
        assert len(server.chat_requests()) == 2


async def test_prompt_stays_editable_while_streaming_and_an_edit_waits(server: FakeOpenAI) -> None:
    """A new prompt is queued while a reply streams (tests/ui/test_queue.py); a new version of a sent one waits."""
    server.queue(Reply(text=" ".join(f"w{i}" for i in range(300)), stall_after=5))  # streams until stopped
    app = make_app(server)
    recorder = Recorder()
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        screen = screen_of(app)
        await type_text(pilot, "long")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.streaming and "w3" in screen.conversation.active_path()[-1].content)
        await pilot.press("up")  # the last sent message, to edit
        await wait_for(pilot, lambda: screen.prompt.editing is not None, what="editing")
        await type_text(pilot, " er")
        await pilot.press("enter")
        assert screen.prompt.text == "long er"
        assert "still being written" in recorder.notifications()[-1].message
        assert len(server.chat_requests()) == 1
        await pilot.press("escape")
        await wait_for(pilot, lambda: not screen.streaming, what="stopped")
        assert screen.prompt.text == "long er" and screen.prompt.editing is not None


async def test_code_block_language_is_not_markup(server: FakeOpenAI) -> None:
    server.default = Reply(text="```[bold red\nx = 1\n```")
    app = make_app(server)
    recorder = Recorder()
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        screen = screen_of(app)
        await send_and_wait(pilot, screen, "odd fence")
        await pilot.press("shift+tab", "c")
        await pilot.pause()
        assert app.clipboard == "x = 1"
        assert "([bold) copied" in recorder.notifications()[-1].message
