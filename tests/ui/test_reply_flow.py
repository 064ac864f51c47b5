"""Every failure has a way out, usage/cost/context in the status line, summarize/trim, reasoning: Pilot + loopback."""

from __future__ import annotations

import re

from causerie.core.chat.client import ChatClient
from causerie.core.chat.retry import RetryPolicy
from causerie.core.conversation.context import SUMMARY_INSTRUCTION, SUMMARY_PREFIX
from causerie.core.conversation.models import Conversation, Message
from causerie.core.settings.config import load_settings
from causerie.testing.fake_openai import (
    HTML_502,
    INSUFFICIENT_QUOTA,
    MODEL_NOT_FOUND,
    RATE_LIMITED,
    FakeOpenAI,
    Received,
    Reply,
)
from causerie.ui.app import CauserieApp
from causerie.ui.screens.chat import ChatScreen
from causerie.ui.widgets.conversation import Notice
from causerie.ui.widgets.error_notice import ErrorNotice
from causerie.ui.widgets.notes import ReasoningNote, SummaryNote
from causerie.ui.widgets.status import StatusLine

from .helpers import SIZE, make_app, palette, type_text, wait_for


def screen_of(app) -> ChatScreen:
    assert isinstance(app.screen, ChatScreen)
    return app.screen


def errors(screen: ChatScreen) -> list[ErrorNotice]:
    return list(screen.view.query(ErrorNotice))


def notices(screen: ChatScreen) -> list[str]:
    return [n.text for n in screen.view.query(Notice)]


def idle(screen: ChatScreen):
    return lambda: not screen.streaming


async def send(pilot, screen: ChatScreen, text: str) -> None:
    screen.prompt.focus()
    await type_text(pilot, text)
    await pilot.press("enter")


async def test_rate_limit_counts_down_then_retries_by_itself(server: FakeOpenAI) -> None:
    server.queue(Reply(status=429, error=RATE_LIMITED, headers={"retry-after-ms": "50"}), Reply(text="made it"))
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await send(pilot, screen, "hello")
        await wait_for(pilot, lambda: screen.conversation.active_path()[-1].content == "made it", what="retry")
        await wait_for(pilot, idle(screen))
        assert len(server.chat_requests()) == 2
        [notice] = errors(screen)
        assert "rate-limiting" in notice.text
        assert "Retried automatically (attempt 1 of 2)" in notice.countdown_text  # max_retries = 2 by default


async def test_rate_limit_retries_are_bounded_then_ctrl_r(server: FakeOpenAI) -> None:
    limited = Reply(status=429, error=RATE_LIMITED, headers={"retry-after-ms": "10"})
    server.queue(limited, limited, limited)
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        screen.engine.retry_policy = RetryPolicy(attempts=2)
        await send(pilot, screen, "hello")
        await wait_for(pilot, lambda: len(errors(screen)) == 3 and not screen.streaming, what="gave up")
        assert len(server.chat_requests()) == 3  # the first try and two automatic retries
        assert [v.text for v in screen.view.message_views()] == ["hello"]
        server.queue(Reply(text="finally"))
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: [v.text for v in screen.view.message_views()] == ["hello", "finally"])
        assert server.chat_requests()[-1].body["messages"][-1]["content"] == "hello"


async def test_countdown_ctrl_r_retries_now_and_esc_gives_up(server: FakeOpenAI) -> None:
    server.queue(Reply(status=429, error=RATE_LIMITED, headers={"retry-after": "600"}), Reply(text="now"))
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await send(pilot, screen, "hello")
        await wait_for(pilot, lambda: errors(screen) and "in " in errors(screen)[0].countdown_text, what="countdown")
        assert "Automatic retry 1 of 2 in" in errors(screen)[0].countdown_text
        # The server asked for 600 s: capped by the policy's max_delay (60 s), less the time a loaded machine took.
        seconds = int(re.search(r"in (\d+) s", errors(screen)[0].countdown_text).group(1))
        assert 30 < seconds <= 60
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.conversation.active_path()[-1].content == "now", what="retry now")

        server.queue(Reply(status=429, error=RATE_LIMITED, headers={"retry-after": "600"}))
        await wait_for(pilot, idle(screen))
        await send(pilot, screen, "again")
        await wait_for(pilot, lambda: len(errors(screen)) == 2 and "in " in errors(screen)[1].countdown_text)
        await pilot.press("escape")
        await wait_for(pilot, idle(screen), what="gave up")
        assert "Gave up" in errors(screen)[1].countdown_text
        assert len(server.chat_requests()) == 3
        assert screen.conversation.active_path()[-1].content == "again"


async def test_quota_is_never_retried_automatically(server: FakeOpenAI) -> None:
    server.queue(Reply(status=429, error=INSUFFICIENT_QUOTA))
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        screen.engine.retry_policy = RetryPolicy(attempts=5, base_delay=0.01)
        await send(pilot, screen, "hello")
        await wait_for(pilot, lambda: errors(screen) and not screen.streaming)
        assert len(server.chat_requests()) == 1
        assert "billing" in errors(screen)[0].text


async def test_html_502_short_message_and_bounded_backoff(server: FakeOpenAI) -> None:
    server.default = Reply(status=502, raw_body=HTML_502)
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        screen.engine.retry_policy = RetryPolicy(attempts=2, base_delay=0.01)
        await send(pilot, screen, "hello")
        await wait_for(pilot, lambda: len(errors(screen)) == 3 and not screen.streaming)
        assert len(server.chat_requests()) == 3
        text = errors(screen)[-1].text
        assert "HTTP 502" in text and "<" not in text and "ctrl+r" in text


async def test_connection_refused_names_the_base_url() -> None:
    with FakeOpenAI() as fake:
        url = fake.base_url
    app = CauserieApp(load_settings({"base_url": url}))
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await send(pilot, screen, "anyone there?")
        await wait_for(pilot, lambda: errors(screen) and not screen.streaming)
        assert url in errors(screen)[0].text
        assert [v.text for v in screen.view.message_views()] == ["anyone there?"]


async def test_timeout_keeps_the_partial_reply_and_offers_continue(server: FakeOpenAI) -> None:
    server.queue(Reply(text="one two three four", stall_after=2, stall_seconds=10))
    settings = load_settings({"base_url": server.base_url})
    # Long enough that a loaded machine never holds the server's first two pieces apart that long.
    client = ChatClient(base_url=server.base_url, api_key=None, read_timeout=1.5)
    app = CauserieApp(settings, client=client)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await send(pilot, screen, "count")
        await wait_for(pilot, lambda: errors(screen) and not screen.streaming, what="timeout")
        reply = screen.conversation.active_path()[-1]
        assert reply.content == "one two" and reply.finish_reason == "error"
        notice = errors(screen)[0]
        assert "timed out" in notice.text and "1.5 s" in notice.text
        assert notice.actions == ("retry", "continue")
        assert reply.usage is not None and reply.usage.estimated  # no usage chunk arrived: estimated

        server.queue(Reply(text=" three four"))
        notice.post_message(ErrorNotice.Chosen("continue"))
        await wait_for(pilot, lambda: reply.content == "one two three four" and not screen.streaming, what="continue")
        sent = server.chat_requests()[-1].body["messages"]
        assert sent[-2] == {"role": "assistant", "content": "one two"}
        assert sent[-1]["role"] == "user" and "cut off" in sent[-1]["content"]
        assert reply.finish_reason == "stop" and not reply.partial


async def test_drop_mid_stream_keeps_and_marks_the_partial(server: FakeOpenAI) -> None:
    server.queue(Reply(text="alpha beta gamma delta", drop_after=2))
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await send(pilot, screen, "letters")
        await wait_for(pilot, lambda: errors(screen) and not screen.streaming)
        reply = screen.conversation.active_path()[-1]
        assert reply.content == "alpha beta" and reply.finish_reason == "error"
        assert "interrupted" in str(screen.view.view_for(reply.id)._label())
        assert len(server.chat_requests()) == 1  # a partial reply is never retried behind the user's back


async def test_model_not_found_offers_the_model_picker(server: FakeOpenAI) -> None:
    server.queue(Reply(status=404, error=MODEL_NOT_FOUND))
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await send(pilot, screen, "hi")
        await wait_for(pilot, lambda: errors(screen) and not screen.streaming)
        assert "pick_model" in errors(screen)[0].actions
        assert "not available" in errors(screen)[0].text


async def test_server_rejecting_stream_options_then_usage_is_estimated(server: FakeOpenAI) -> None:
    server.reject_stream_options = True
    server.queue(Reply(text="no usage from me"))
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await send(pilot, screen, "hi")
        await wait_for(pilot, lambda: len(screen.view.message_views()) == 2 and not screen.streaming)
        assert any("does not accept stream_options" in t and "this session" in t for t in notices(screen))
        reply = screen.conversation.active_path()[-1]
        assert reply.usage is not None and reply.usage.estimated
        assert "≈" in str(screen.query_one(StatusLine).render())
        assert app.client.stream_options is False


async def test_local_server_is_free(server: FakeOpenAI, causerie_home) -> None:
    config = causerie_home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'profile = "box"\n[profiles.box]\nbase_url = "{server.base_url}"\nlocal = true\n')
    app = make_app()  # the profile says local = true
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await send(pilot, screen, "hi")
        await wait_for(pilot, lambda: len(screen.view.message_views()) == 2 and not screen.streaming)
        assert "free" in str(screen.query_one(StatusLine).render())
        assert screen.conversation.active_path()[-1].cost is None


async def test_a_keyless_loopback_server_is_not_free(server: FakeOpenAI) -> None:
    # Needing no key does not make a server free: a proxy on localhost may forward to a paid API.
    server.queue(Reply(text="ok", usage={"prompt_tokens": 1000, "completion_tokens": 1000, "total_tokens": 2000}))
    app = make_app(server)  # --base-url on 127.0.0.1 and no key
    assert app.settings.keyless and not app.settings.local
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await send(pilot, screen, "hi")
        await wait_for(pilot, lambda: len(screen.view.message_views()) == 2 and not screen.streaming)
        assert "free" not in str(screen.query_one(StatusLine).render())
        assert screen.conversation.active_path()[-1].cost is not None


async def test_status_line_shows_cost_and_context_meter(server: FakeOpenAI, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-abcdefghijklmnop1234")
    server.queue(Reply(text="ok", usage={"prompt_tokens": 1000, "completion_tokens": 1000, "total_tokens": 2000}))
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await send(pilot, screen, "hi")
        await wait_for(pilot, lambda: len(screen.view.message_views()) == 2 and not screen.streaming)
        status = str(screen.query_one(StatusLine).render())
        assert "$0.0006" in status  # 1000 in at $0.10/M + 1000 out at $0.50/M for gpt-6-luna
        assert "context ≈0% of 1.05M" in status
        assert screen.conversation.active_path()[-1].cost == 0.0006
        server.queue(Reply(text="?", usage={"prompt_tokens": 10, "completion_tokens": 1, "total_tokens": 11}))
        screen.conversation.model = "mystery-model"
        await send(pilot, screen, "again")
        await wait_for(pilot, lambda: len(screen.view.message_views()) == 4 and not screen.streaming)
        assert "$0.0006 + unknown" in str(screen.query_one(StatusLine).render())


def long_conversation(turns: int) -> Conversation:
    conversation = Conversation(model="gpt-6-luna", system_prompt="Be brief.")
    for n in range(turns):
        conversation.append(Message("user", f"question {n}: " + "lorem ipsum " * 20))
        conversation.append(Message("assistant", f"answer {n}: " + "dolor sit amet " * 20))
    return conversation


def summarizing_server(server: FakeOpenAI) -> None:
    def respond(received: Received) -> Reply:
        messages = received.body["messages"]
        if messages[0]["content"] == SUMMARY_INSTRUCTION:
            return Reply(text="THE SUMMARY of questions 0-3.")
        return Reply(text="answer to the newest")

    server.responder = respond


async def test_summarize_policy_summarizes_the_oldest_turns_and_says_so(server: FakeOpenAI) -> None:
    summarizing_server(server)
    app = CauserieApp(
        load_settings({"base_url": server.base_url}).with_overrides(prices={"gpt-6-luna": {"context_window": 800}})
    )
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        screen.show_conversation(long_conversation(8))
        screen.engine.reply_reserve = 200
        await send(pilot, screen, "the newest question")
        await wait_for(pilot, lambda: screen.conversation.active_path()[-1].content == "answer to the newest")
        await wait_for(pilot, idle(screen))
        summary_call, answer_call = server.chat_requests()
        assert "question 0" in summary_call.body["messages"][1]["content"]
        sent = answer_call.body["messages"]
        assert sent[0] == {"role": "system", "content": "Be brief."}
        assert sent[1] == {"role": "system", "content": SUMMARY_PREFIX + "THE SUMMARY of questions 0-3."}
        assert sent[-1] == {"role": "user", "content": "the newest question"}
        assert not any(m["content"].startswith("question 0") for m in sent)
        [note] = screen.view.query(SummaryNote)
        assert note.collapsed
        assert any(t.startswith("Summarized the") and "sent in their place" in t for t in notices(screen))
        stored = [m for m in screen.conversation.messages if m.kind == "summary"]
        assert len(stored) == 1 and stored[0].role == "system" and stored[0].usage is not None

        # The next turn sends the stored summary again without asking for a new one.
        await send(pilot, screen, "one more")
        await wait_for(pilot, lambda: len(server.chat_requests()) == 3 and not screen.streaming)
        assert server.chat_requests()[-1].body["messages"][1]["content"].startswith(SUMMARY_PREFIX)


async def test_server_context_error_with_trim_policy_learns_the_window_and_trims(server: FakeOpenAI) -> None:
    server.context_window = 600  # the server's own count; causerie's table says 1.05M for this model
    server.default = Reply(text="fits now")
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        conversation = long_conversation(8)
        conversation.context_policy = "trim"
        screen.show_conversation(conversation)
        await send(pilot, screen, "the newest question")
        await wait_for(pilot, lambda: screen.conversation.active_path()[-1].content == "fits now", what="trimmed")
        first, second = server.chat_requests()
        assert len(second.body["messages"]) < len(first.body["messages"])
        assert second.body["messages"][0]["content"] == "Be brief."
        assert second.body["messages"][-1]["content"] == "the newest question"
        assert any("too long" in t for t in notices(screen))
        assert any(t.startswith("Left out the") for t in notices(screen))
        assert screen.engine.context_window("gpt-6-luna") == 600


async def test_policy_off_shows_the_error_then_ctrl_r_summarizes(server: FakeOpenAI) -> None:
    server.context_window = 600
    summarizing_server(server)
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        conversation = long_conversation(8)
        conversation.context_policy = "off"
        screen.show_conversation(conversation)
        await send(pilot, screen, "the newest question")
        await wait_for(pilot, lambda: errors(screen) and not screen.streaming)
        assert errors(screen)[0].actions == ("summarize", "trim")
        assert len(server.chat_requests()) == 1
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.conversation.active_path()[-1].content == "answer to the newest")
        assert server.chat_requests()[1].body["messages"][0]["content"] == SUMMARY_INSTRUCTION
        assert screen.view.query(SummaryNote)


async def test_reasoning_is_shown_collapsed_stored_and_never_sent_back(server: FakeOpenAI) -> None:
    server.queue(Reply(chunks=["<think>secret ", "plan</th", "ink>The answer."]), Reply(text="second"))
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await send(pilot, screen, "think")
        await wait_for(pilot, lambda: len(screen.view.message_views()) == 2 and not screen.streaming)
        reply = screen.conversation.active_path()[-1]
        assert reply.content == "The answer." and reply.reasoning == "secret plan"
        [note] = screen.view.query(ReasoningNote)
        assert note.collapsed
        await send(pilot, screen, "next")
        await wait_for(pilot, lambda: len(server.chat_requests()) == 2 and not screen.streaming)
        assert "secret" not in str(server.chat_requests()[-1].body["messages"])
        # Reopened: the note is still there, before its reply.
        screen.show_conversation(screen.conversation)
        await pilot.pause()
        assert len(screen.view.query(ReasoningNote)) == 1


async def test_usage_screen_from_the_key_and_the_palette(server: FakeOpenAI, monkeypatch) -> None:
    from textual.widgets import DataTable, Sparkline

    from causerie.ui.screens.usage import UsageScreen

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-abcdefghijklmnop1234")
    server.default = Reply(text="ok", usage={"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150})
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await send(pilot, screen, "one")
        await wait_for(pilot, lambda: len(screen.view.message_views()) == 2 and not screen.streaming)
        await pilot.press("ctrl+n")
        await send(pilot, screen, "two")
        await wait_for(pilot, lambda: len(screen.view.message_views()) == 2 and not screen.streaming)
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, UsageScreen) and app.screen.summary is not None)
        usage = app.screen
        assert usage.summary.conversations == 2 and usage.summary.total.prompt_tokens == 200
        assert usage.query_one("#usage-models", DataTable).row_count == 1
        assert usage.query_one(Sparkline).data[-1] == 300.0
        assert "2 conversations" in str(usage.query_one("#usage-title").render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)

        # The palette has the same command, and the context policy of the conversation.
        await palette(pilot, "context policy trim", "Context policy: trim")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.conversation.context_policy == "trim", what="policy set")


async def test_a_named_profile_remembers_stream_options_in_the_config(server: FakeOpenAI, causerie_home) -> None:
    from causerie.core.settings import paths

    path = paths.config_file({"CAUSERIE_HOME": str(causerie_home)})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'# my servers\n[profiles.box]\nbase_url = "{server.base_url}"\nlocal = true\n')
    server.reject_stream_options = True
    app = CauserieApp(load_settings({"profile": "box"}))
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await send(pilot, screen, "hi")
        await wait_for(pilot, lambda: len(screen.view.message_views()) == 2 and not screen.streaming)
        assert any("[profiles.box] stream_options = false" in t for t in notices(screen))
    text = path.read_text()
    assert "# my servers" in text and "stream_options = false" in text
    assert load_settings({"profile": "box"}).stream_options is False
