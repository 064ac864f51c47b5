"""alt+enter, shift+enter and ctrl+j start a new line in a real terminal; only Enter sends; keys typed in one burst act
in the order they were typed."""

from __future__ import annotations

from pathlib import Path

from causerie.core.conversation.models import Conversation, Message
from causerie.core.storage.store import ConversationStore, encode_conversation
from causerie.testing.fake_openai import FakeOpenAI, Reply

from .conftest import Launch
from .terminal import Terminal


def started(launch: Launch, server: FakeOpenAI, causerie_home: Path) -> Terminal:
    """causerie at its prompt, with no title request (each reply the server queues answers a prompt)."""
    config = causerie_home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("auto_title = false\n", encoding="utf-8")
    term = launch(server)
    term.wait_for("Message")
    return term


def test_alt_enter_as_tmux_sends_it_is_a_newline(launch: Launch, server: FakeOpenAI, causerie_home: Path) -> None:
    server.queue(Reply(text="Four lines received."))
    term = started(launch, server, causerie_home)
    term.type("first")
    term.press("alt+enter")  # ESC CR: Textual 8.2.8 alone reads it as Enter after the escape delay
    term.type("second")
    term.press("shift+enter")
    term.type("third")
    term.press("ctrl+j")
    term.type("fourth")
    term.wait_for("fourth")
    term.press("enter")
    term.wait_for("Four lines received.")
    requests = server.chat_requests()
    assert len(requests) == 1
    assert requests[0].body["messages"][-1]["content"] == "first\nsecond\nthird\nfourth"
    term.press("ctrl+q")
    assert term.wait_exit() == 0


def test_two_prompts_typed_in_one_burst_are_sent_as_two(
    launch: Launch, server: FakeOpenAI, causerie_home: Path
) -> None:
    server.queue(Reply(text="First answer."), Reply(text="Second answer."))
    term = started(launch, server, causerie_home)
    term.type("one\rtwo\r")  # one write, as over ssh or from a paste of keys: Enter is not handled before "two" arrives
    term.wait_for("Second answer.")
    sent = [request.body["messages"][-1]["content"] for request in server.chat_requests()]
    assert sent == ["one", "two"]
    term.press("ctrl+q")
    assert term.wait_exit() == 0


def test_editing_keys_in_a_burst_act_where_they_were_typed(
    launch: Launch, server: FakeOpenAI, causerie_home: Path
) -> None:
    server.queue(Reply(text="Got it."))
    term = started(launch, server, causerie_home)
    # One write each: ctrl+u clears what came before it only, Backspace removes the character before it only.
    term.type("abc\x15xyz")
    term.type("Q\x7fR")
    term.wait_for("xyzR")
    term.press("enter")
    term.wait_for("Got it.")
    assert server.chat_requests()[0].body["messages"][-1]["content"] == "xyzR"
    term.press("ctrl+q")
    assert term.wait_exit() == 0


def test_a_rename_typed_in_one_burst_renames(launch: Launch, server: FakeOpenAI, causerie_home: Path) -> None:
    conversations = causerie_home / "data" / "conversations"
    conversations.mkdir(parents=True)
    old = Conversation(title="Old name")
    old.append(Message(role="user", content="hi"))
    (conversations / f"{old.id}.json").write_bytes(encode_conversation(old))
    term = launch(server)
    term.wait_for("Old name")
    term.press("ctrl+b", "ctrl+b")  # hide and show the sidebar: the focus is in the list
    term.wait_for("f2 Rename")
    term.press("f2")
    term.wait_for("Rename conversation")
    term.type("\x15New name\r")  # ctrl+u, the new title and Enter in one write
    term.wait_gone("Rename conversation")
    term.wait_for("New name")
    assert ConversationStore(causerie_home / "data").load(old.id).title == "New name"
    term.press("ctrl+q")
    assert term.wait_exit() == 0
