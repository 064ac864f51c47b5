"""F3's model controls: exactly what each one sends, what a model is offered, invalid values, and refusals learned."""

from __future__ import annotations

from textual.widgets import Input, Label, Select

from causerie.core.chat.refusals import Refusals
from causerie.core.settings import paths
from causerie.core.storage.store import ConversationStore
from causerie.testing.fake_openai import FakeOpenAI, Reply
from causerie.ui.screens.conversation_settings import ConversationSettingsScreen
from causerie.ui.widgets.message_view import MessageView
from causerie.ui.widgets.model_controls import ModelControls
from causerie.ui.widgets.status import StatusLine

from .helpers import SIZE, make_app, type_text, wait_for
from .test_conversation_settings import chat_of

CONTROL_KEYS = ("reasoning_effort", "temperature", "top_p", "max_completion_tokens", "max_tokens", "seed", "top_k")


def _sent(server: FakeOpenAI) -> dict:
    body = server.chat_requests()[-1].body
    return {k: body[k] for k in CONTROL_KEYS if k in body}


async def _open_settings(pilot, app) -> ConversationSettingsScreen:  # noqa: ANN001
    await pilot.press("f3")
    await wait_for(pilot, lambda: isinstance(app.screen, ConversationSettingsScreen), what="settings")
    return app.screen


async def _fill(pilot, modal: ConversationSettingsScreen, field: str, text: str) -> None:  # noqa: ANN001
    modal.set_focus(modal.query_one(f"#{field}", Input))
    await pilot.press("ctrl+u")
    await type_text(pilot, text)


async def _send(pilot, chat, text: str) -> None:  # noqa: ANN001
    count = len(chat.conversation.messages)
    await type_text(pilot, text)
    await pilot.press("enter")
    await wait_for(pilot, lambda: not chat.streaming and len(chat.conversation.messages) == count + 2, what="reply")


async def test_each_control_set_in_f3_is_sent_exactly_and_stored(server: FakeOpenAI) -> None:
    server.default = Reply(
        text="ok",
        usage={
            "prompt_tokens": 5,
            "completion_tokens": 40,
            "total_tokens": 45,
            "completion_tokens_details": {"reasoning_tokens": 32},
        },
    )
    app = make_app(server, model="local-model")
    async with app.run_test(size=SIZE) as pilot:
        chat = chat_of(app)
        await _send(pilot, chat, "before")
        assert _sent(server) == {}  # nothing set anywhere: nothing sent
        modal = await _open_settings(pilot, app)
        # An unknown model is offered every control.
        assert all(node.display for node in modal.query(".control"))
        select = modal.query_one("#effort", Select)
        modal.set_focus(select)
        await pilot.press("enter")
        await pilot.press("down", "down", "enter")  # unset, minimal, low
        assert select.value == "low"
        await _fill(pilot, modal, "temperature", "0.3")
        await _fill(pilot, modal, "top-p", "0.9")
        await _fill(pilot, modal, "max-tokens", "1200")
        await _fill(pilot, modal, "seed", "7")
        await _fill(pilot, modal, "extra-body", '{"top_k": 40}')
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is chat, what="settings closed")
        expected = {"reasoning_effort": "low", "temperature": 0.3, "top_p": 0.9, "max_tokens": 1200, "seed": 7}
        assert chat.conversation.params == {**expected, "extra": {"top_k": 40}}
        status = chat.query_one(StatusLine)
        await wait_for(pilot, lambda: "effort low" in status.full_text, what="effort in the status line")
        await _send(pilot, chat, "after")
        assert _sent(server) == {
            "reasoning_effort": "low",
            "temperature": 0.3,
            "top_p": 0.9,
            "max_completion_tokens": 1200,
            "seed": 7,
            "top_k": 40,
        }
        reply = chat.conversation.active_path()[-1]
        assert reply.params == {**expected, "extra": {"top_k": 40}}
        shown = next(v for v in chat.query(MessageView) if v.message is reply)
        label = str(shown.label.render())
        assert "effort low" in label and "32 reasoning tokens" in label
        first = chat.conversation.active_path()[1]
        first_label = str(next(v for v in chat.query(MessageView) if v.message is first).label.render())
        assert first_label == "Assistant · local-model · 32 reasoning tokens"  # no effort was set for it
        # Unset again: nothing is sent.
        modal = await _open_settings(pilot, app)
        modal.set_focus(modal.query_one("#effort", Select))
        await pilot.press("enter", "home", "enter")
        for field in ("temperature", "top-p", "max-tokens", "seed", "extra-body"):
            await _fill(pilot, modal, field, "")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is chat, what="settings closed")
        assert chat.conversation.params == {}
        await _send(pilot, chat, "plain")
        assert _sent(server) == {}
    saved = ConversationStore(paths.data_dir()).load(chat.conversation.id)
    assert [m.params for m in saved.active_path() if m.role == "assistant"] == [
        {},
        {**expected, "extra": {"top_k": 40}},
        {},
    ]


async def test_invalid_values_are_shown_inline_and_never_saved(server: FakeOpenAI) -> None:
    app = make_app(server, model="local-model")
    async with app.run_test(size=SIZE) as pilot:
        chat = chat_of(app)
        modal = await _open_settings(pilot, app)
        error = modal.query_one("#controls-error", Label)
        await _fill(pilot, modal, "extra-body", "{top_k: 40}")
        assert error.display
        assert str(error.render()).startswith("Extra body fields: not valid JSON")
        await pilot.press("ctrl+s")
        assert app.screen is modal
        assert app.focused is modal.query_one("#extra-body", Input)
        await _fill(pilot, modal, "extra-body", '{"top_k": 40}')
        await _fill(pilot, modal, "temperature", "3")
        assert str(error.render()) == "Temperature: temperature must be from 0 to 2 (not 3)"
        await pilot.press("ctrl+s")
        assert app.screen is modal
        await _fill(pilot, modal, "temperature", "warm")
        assert str(error.render()) == "Temperature: 'warm' is not a number"
        await _fill(pilot, modal, "temperature", "")
        assert not error.display
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is chat, what="settings closed")
        assert chat.conversation.params == {"extra": {"top_k": 40}}


async def test_only_what_the_model_takes_is_offered(server: FakeOpenAI) -> None:
    app = make_app(server, model="o3")
    async with app.run_test(size=SIZE) as pilot:
        modal = await _open_settings(pilot, app)
        controls = modal.query_one(ModelControls)

        def shown() -> set[str]:
            return {node.id.removeprefix("control-") for node in controls.query(".control") if node.display}

        assert shown() == {"reasoning-effort", "max-tokens", "seed"}
        select = modal.query_one("#effort", Select)
        modal.set_focus(select)
        await pilot.press("enter")
        await pilot.press("down", "enter")
        assert select.value == "low"  # o3: low, medium, high (no minimal)
        await _fill(pilot, modal, "model", "gpt-4.1")
        assert shown() == {"temperature", "top-p", "max-tokens", "seed"}
        assert "reasoning_effort: not taken by gpt-4.1" in str(modal.query_one("#controls-hint", Label).render())
        await _fill(pilot, modal, "temperature", "0.5")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is not modal, what="settings closed")
        assert chat_of(app).conversation.params == {"temperature": 0.5}  # the hidden effort is not kept


async def test_a_refused_setting_is_sent_again_without_it_remembered_and_no_longer_offered(server: FakeOpenAI) -> None:
    server.rejected_params = {"temperature": "parameter"}
    app = make_app(server, model="local-model")
    async with app.run_test(size=SIZE) as pilot:
        chat = chat_of(app)
        modal = await _open_settings(pilot, app)
        await _fill(pilot, modal, "temperature", "0.4")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is chat, what="settings closed")
        await _send(pilot, chat, "hello")
        first, second = (r.body for r in server.chat_requests())
        assert first["temperature"] == 0.4 and "temperature" not in second
        assert [n.text for n in chat.view.notices()] == [
            "The server does not accept temperature for this model: sent again without it, and remembered."
        ]
        assert chat.conversation.active_path()[-1].content
        assert Refusals.in_data_dir(paths.data_dir()).refused(app.settings.profile, "local-model") == {"temperature"}
        modal = await _open_settings(pilot, app)
        assert not modal.query_one("#control-temperature").display
        assert "temperature: refused by the server for local-model" in str(
            modal.query_one("#controls-hint", Label).render()
        )


async def test_the_usage_screen_splits_cost_by_effort(server: FakeOpenAI) -> None:
    from textual.widgets import DataTable

    from causerie.core.conversation.models import Conversation, Message, Usage
    from causerie.ui.screens.usage import UsageScreen

    conversation = Conversation(model="gpt-6-luna", profile="openai", title="efforts")
    conversation.append(Message("user", "q"))
    for effort, cost in (("high", 0.25), ("low", 0.01), (None, 0.5)):
        usage = Usage(10, 1000, 1010, reasoning_tokens=800 if effort else 0)
        reply = conversation.append(Message("assistant", "a", model="gpt-6-luna", usage=usage, cost=cost))
        reply.params = {"reasoning_effort": effort} if effort else {}
    store = ConversationStore(paths.data_dir())
    store.save(conversation)
    store.close()
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, UsageScreen) and app.screen.summary is not None)
        table = app.screen.query_one("#usage-efforts", DataTable)
        assert table.display
        rows = [[str(cell) for cell in table.get_row_at(n)] for n in range(table.row_count)]
        assert rows == [["low", "1", "1,000", "800", "$0.01"], ["high", "1", "1,000", "800", "$0.25"]]
