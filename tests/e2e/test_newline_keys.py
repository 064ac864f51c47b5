"""alt+enter, shift+enter and ctrl+j start a new line in a real terminal; only Enter sends."""

from __future__ import annotations

from pathlib import Path

from causerie.testing.fake_openai import FakeOpenAI, Reply

from .conftest import Launch


def test_alt_enter_as_tmux_sends_it_is_a_newline(launch: Launch, server: FakeOpenAI, causerie_home: Path) -> None:
    server.queue(Reply(text="Four lines received."))
    config = causerie_home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("auto_title = false\n", encoding="utf-8")
    term = launch(server)
    term.wait_for("Message")
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
