"""A user's session in a real terminal: ask, quit, start again, reopen from the sidebar, continue."""

from __future__ import annotations

import json
from pathlib import Path

from causerie.core.conversation.models import Conversation, Message
from causerie.core.storage.store import ConversationStore, encode_conversation
from causerie.testing.fake_openai import FakeOpenAI, Reply

from .conftest import Launch
from .terminal import click_text


def test_ask_quit_restart_reopen_and_continue(launch: Launch, server: FakeOpenAI, causerie_home: Path) -> None:
    server.queue(
        Reply(text="Paris is the **capital** of France.", delay=0.02),
        Reply(text="About 2.1 million people live in Paris.", delay=0.02),
    )
    # This session is about reopening and continuing: no background title request takes a scripted reply.
    config = causerie_home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("auto_title = false\n", encoding="utf-8")
    term = launch(server)
    term.wait_for("Message")
    term.type("What is the capital of France?")
    term.press("enter")
    term.wait_for("Paris is the capital of France.")
    term.wait_gone("writing…")
    term.press("ctrl+q")
    assert term.wait_exit() == 0
    assert "Traceback" not in term.text()

    files = list((causerie_home / "data" / "conversations").glob("*.json"))
    assert len(files) == 1

    again = launch(server)
    again.wait_for("What is the capital")  # the sidebar lists the saved conversation
    assert "Paris is the capital" not in again.text()  # a new, empty conversation is open
    click_text(again, "What is the capital")
    again.wait_for("Paris is the capital of France.")
    again.type("And how many people live there?")
    again.press("enter")
    again.wait_for("About 2.1 million people live in Paris.")
    again.wait_gone("writing…")
    again.press("ctrl+q")
    assert again.wait_exit() == 0

    second = server.chat_requests()[1].body["messages"]
    assert [(m["role"], m["content"]) for m in second if m["role"] != "system"] == [
        ("user", "What is the capital of France?"),
        ("assistant", "Paris is the **capital** of France."),
        ("user", "And how many people live there?"),
    ]
    assert list((causerie_home / "data" / "conversations").glob("*.json")) == files
    saved = ConversationStore(causerie_home / "data").load(files[0].stem)
    assert [m.content for m in saved.active_path()][-1] == "About 2.1 million people live in Paris."


def test_no_key_shows_help_not_a_traceback(launch: Launch) -> None:
    term = launch(None, key=None)
    term.wait_for("Set up causerie")  # first run: the setup screen; Esc skips it and leaves the help
    term.press("escape")
    term.wait_for("No API key is configured")
    term.type("hello?")
    term.press("enter")
    term.wait_for("OPENAI_API_KEY")
    assert "Traceback" not in term.text()
    assert term.process.isalive()
    term.press("ctrl+q")
    assert term.wait_exit() == 0
    assert b"Traceback" not in term.raw_bytes()


def test_corrupt_history_file_is_reported_and_left_untouched(
    launch: Launch, server: FakeOpenAI, causerie_home: Path
) -> None:
    conversations = causerie_home / "data" / "conversations"
    conversations.mkdir(parents=True)
    good = Conversation(title="A good old chat")
    good.append(Message(role="user", content="still here"))
    (conversations / f"{good.id}.json").write_bytes(encode_conversation(good))
    corrupt = conversations / "20250101-000000000-abcdef.json"
    corrupt_bytes = b'{"schema": "causerie.conversation", "version": 1, "messages": [ \xff\xfe truncated'
    corrupt.write_bytes(corrupt_bytes)
    corrupt_mtime = corrupt.stat().st_mtime_ns
    markup_named = conversations / "[b]bold [x.json"  # a file name is not markup
    markup_named.write_bytes(b"[]")

    server.queue(Reply(text="Fine, thanks."))
    term = launch(server)
    term.wait_for("Unreadable conversations")
    term.wait_for("[b]bold")
    term.wait_for("A good old chat")
    term.type("How are you?")
    term.press("enter")
    term.wait_for("Fine, thanks.")
    term.wait_gone("writing…")
    term.press("ctrl+q")
    assert term.wait_exit() == 0
    assert b"Traceback" not in term.raw_bytes()

    assert corrupt.read_bytes() == corrupt_bytes
    assert corrupt.stat().st_mtime_ns == corrupt_mtime
    names = sorted(p.name for p in conversations.iterdir())
    assert corrupt.name in names and f"{good.id}.json" in names and len(names) == 4
    assert markup_named.read_bytes() == b"[]"
    assert json.loads((conversations / f"{good.id}.json").read_bytes())["title"] == "A good old chat"


def test_keys_typed_while_starting_land_in_the_prompt(launch: Launch, server: FakeOpenAI) -> None:
    # A user who starts typing at once (before the first frame) must not see the text go to the sidebar filter.
    server.queue(Reply(text="Early bird reply."))
    term = launch(server)
    term.type("typed before the first frame")
    # Enter waits for the first frame: before the app puts the tty in raw mode, the line discipline turns a
    # typed CR into LF, which the app rightly reads as ctrl+j (a newline in the prompt).
    term.wait_for("│ typed before the first frame")
    term.press("enter")
    term.wait_for("Early bird reply.")
    assert [m["content"] for m in server.chat_requests()[0].body["messages"] if m["role"] == "user"] == [
        "typed before the first frame"
    ]
