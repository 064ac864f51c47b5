"""The conversation settings modal, auto-titles and the Markdown export."""

from __future__ import annotations

from textual.widgets import Button, Input, OptionList, RadioSet, TextArea

from causerie.core.interchange.export_files import exports_dir
from causerie.core.settings import paths
from causerie.core.settings.config import load_settings
from causerie.core.storage.store import ConversationStore
from causerie.testing.fake_openai import INVALID_KEY, MODEL_NOT_FOUND, FakeOpenAI, Reply
from causerie.ui.app import CauserieApp
from causerie.ui.screens.chat import ChatScreen
from causerie.ui.screens.conversation_settings import ConversationSettingsScreen, filter_models
from causerie.ui.widgets.error_notice import ErrorNotice

from .helpers import SIZE, Recorder, make_app, type_text, wait_for


def chat_of(app) -> ChatScreen:
    screen = app.screen_stack[1] if len(app.screen_stack) > 1 else app.screen
    assert isinstance(screen, ChatScreen)
    return screen


def test_filter_models_matches_every_word() -> None:
    models = ["gpt-6", "gpt-6-luna", "llama3.2", "gpt-5-mini"]
    assert filter_models(models, "") == models
    assert filter_models(models, "LUNA") == ["gpt-6-luna"]
    assert filter_models(models, "gpt mini") == ["gpt-5-mini"]
    assert filter_models(models, "nothing") == []


async def test_settings_modal_edits_prompt_model_and_policy_and_saves_them(server: FakeOpenAI) -> None:
    server.models = [
        {"id": name, "object": "model", "created": 0, "owned_by": "x"} for name in ("gpt-6", "gpt-6-luna", "llama3.2")
    ]
    server.default = Reply(text="ok")
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        chat = chat_of(app)
        await type_text(pilot, "hello")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not chat.streaming and len(chat.conversation.messages) == 2, what="reply")
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationSettingsScreen), what="modal")
        modal = app.screen
        assert isinstance(modal, ConversationSettingsScreen)
        options = modal.query_one("#models", OptionList)
        await wait_for(pilot, lambda: options.option_count == 3, what="the server's models")
        assert any(r.method == "GET" and r.path.endswith("/models") for r in server.requests)
        # System prompt (focused first).
        await type_text(pilot, "Answer in French.")
        # Model: typing filters the list, Enter then moves to the list, Enter picks.
        modal.query_one("#model", Input).focus()
        await pilot.press("ctrl+u")  # Input: delete to the start
        await type_text(pilot, "llama")
        assert options.option_count == 1
        await pilot.press("enter")
        assert app.focused is options
        await pilot.press("enter")
        assert modal.query_one("#model", Input).value == "llama3.2"
        # Context policy: choose "trim" in the radio set.
        radio = modal.query_one("#policy", RadioSet)
        radio.focus()
        await pilot.press("down", "enter")
        assert modal.selected_policy() == "trim"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is chat, what="modal closed")
        conversation = chat.conversation
        assert (conversation.system_prompt, conversation.model, conversation.context_policy) == (
            "Answer in French.",
            "llama3.2",
            "trim",
        )
        # The next request uses them.
        await type_text(pilot, "again")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not chat.streaming and len(conversation.messages) == 4, what="second reply")
        body = server.chat_requests()[-1].body
        assert body["model"] == "llama3.2"
        assert body["messages"][0] == {"role": "system", "content": "Answer in French."}
    saved = ConversationStore(paths.data_dir()).load(conversation.id)
    assert (saved.system_prompt, saved.model, saved.context_policy) == ("Answer in French.", "llama3.2", "trim")


async def test_settings_modal_cancel_changes_nothing(server: FakeOpenAI) -> None:
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        chat = chat_of(app)
        before = (chat.conversation.system_prompt, chat.conversation.model, chat.conversation.context_policy)
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationSettingsScreen), what="modal")
        await type_text(pilot, "ignored")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is chat, what="modal closed")
        after = (chat.conversation.system_prompt, chat.conversation.model, chat.conversation.context_policy)
        assert after == before


async def test_settings_modal_when_the_model_list_fails_accepts_a_typed_name(server: FakeOpenAI) -> None:
    server.models_reply = Reply(status=401, error=INVALID_KEY)
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        chat = chat_of(app)
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationSettingsScreen), what="modal")
        modal = app.screen
        status = modal.query_one("#models-status")
        await wait_for(pilot, lambda: "Could not list" in str(status.render()), what="error shown")
        assert "API key" in str(status.render())
        model_input = modal.query_one("#model", Input)
        model_input.value = "my-local-model"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is chat, what="modal closed")
        assert chat.conversation.model == "my-local-model"
        # An empty conversation is not written yet; its settings go with its first message.
        assert ConversationStore(paths.data_dir()).list() == []


async def test_system_prompt_editor_keeps_multiline_text(server: FakeOpenAI) -> None:
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        chat = chat_of(app)
        chat.conversation.system_prompt = "line one"
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationSettingsScreen), what="modal")
        editor = app.screen.query_one("#system-prompt", TextArea)
        assert editor.text == "line one"
        editor.move_cursor(editor.document.end)
        await pilot.press("enter")
        await type_text(pilot, "line two")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is chat, what="modal closed")
        assert chat.conversation.system_prompt == "line one\nline two"


async def test_auto_title_after_the_first_reply(server: FakeOpenAI) -> None:
    server.queue(Reply(text="Bread needs flour, water, salt and yeast."), Reply(text='"Baking Bread."'))
    app = make_app(server)
    app.settings = app.settings.with_overrides(auto_title=True)
    recorder = Recorder()
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        chat = chat_of(app)
        await type_text(pilot, "how to bake bread")
        await pilot.press("enter")
        await wait_for(pilot, lambda: chat.conversation.title == "Baking Bread", what="title")
        title_request = server.chat_requests()[1].body
        assert "stream" not in title_request
        assert "how to bake bread" in title_request["messages"][1]["content"]
        assert chat.sidebar.ids == [chat.conversation.id]
        # Only after the first reply: a second one asks for no title.
        server.queue(Reply(text="More."))
        await type_text(pilot, "more")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not chat.streaming and len(chat.conversation.messages) == 4, what="reply")
        # The title is decided before the reply's worker ends: once every worker is done, none was asked for.
        await wait_for(pilot, lambda: not chat.workers, what="workers done")
        assert recorder.workers_started("title") == 1
        assert len(server.chat_requests()) == 3
    saved = ConversationStore(paths.data_dir()).load(chat.conversation.id)
    assert saved.title == "Baking Bread"


async def test_auto_title_failure_keeps_the_first_words(server: FakeOpenAI) -> None:
    server.queue(Reply(text="Sure."), Reply(status=401, error=INVALID_KEY))
    app = make_app(server)
    app.settings = app.settings.with_overrides(auto_title=True)
    recorder = Recorder()
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        chat = chat_of(app)
        await type_text(pilot, "tell me something nice")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(server.chat_requests()) == 2, what="title request")
        await wait_for(pilot, lambda: not chat.workers, what="workers done")
        assert chat.conversation.title == "tell me something nice"
        assert not [n for n in recorder.notifications() if n.severity == "error"]


async def test_auto_title_is_off_by_default_for_local_servers(server: FakeOpenAI) -> None:
    server.default = Reply(text="ok")
    app = make_app(server)  # --base-url without a key: a local server
    assert app.settings.keyless and app.settings.auto_title is None
    recorder = Recorder()
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        chat = chat_of(app)
        await type_text(pilot, "hi")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not chat.streaming and len(chat.conversation.messages) == 2, what="reply")
        await wait_for(pilot, lambda: not chat.workers, what="workers done")
        assert recorder.workers_started("reply") == 1 and recorder.workers_started("title") == 0
        assert len(server.chat_requests()) == 1


async def test_export_to_a_markdown_file(server: FakeOpenAI) -> None:
    server.default = Reply(text="Here:\n\n```sh\nls\n```")
    app = CauserieApp(load_settings({"base_url": server.base_url}))
    recorder = Recorder()
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        chat = chat_of(app)
        await type_text(pilot, "List files, please")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not chat.streaming and len(chat.conversation.messages) == 2, what="reply")
        await pilot.press("ctrl+s")
        files = list(exports_dir().glob("*.md"))
        assert len(files) == 1
        assert files[0].name == f"list-files-please-{chat.conversation.id}.md"
        text = files[0].read_text(encoding="utf-8")
        assert text.startswith("# List files, please\n")
        assert "## You\n\nList files, please" in text
        assert "```sh\nls\n```" in text
        notice = recorder.notifications()[-1].message
        assert str(files[0]) in notice
        assert files[0].stat().st_mode & 0o077 == 0


async def test_model_not_found_way_out_opens_the_model_field(server: FakeOpenAI) -> None:
    server.queue(Reply(status=404, error=MODEL_NOT_FOUND))
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        chat = chat_of(app)
        await type_text(pilot, "hi")
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(chat.view.query(ErrorNotice)) and not chat.streaming, what="error")
        notice = chat.view.query_one(ErrorNotice)
        button = next(b for b in notice.query(Button) if b.name == "pick_model")
        button.press()
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationSettingsScreen), what="modal")
        modal = app.screen
        await wait_for(pilot, lambda: app.focused is modal.query_one("#model", Input), what="model field focused")
        await wait_for(pilot, lambda: modal.query_one("#models", OptionList).option_count == 2, what="models")
        modal.query_one("#model", Input).value = "gpt-6"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is chat, what="modal closed")
        assert chat.conversation.model == "gpt-6"
