"""An unexpected exception in the app is never silent: a non-zero exit, one line saying so, the conversation saved."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from causerie.testing.fake_openai import FakeOpenAI, Reply

from .terminal import Terminal, child_env

# The real program, with one action made to fail as a bug would (the crash has to come from somewhere).
CHILD = """
import sys
from causerie.ui.screens.chat import ChatScreen

def broken(self):
    raise RuntimeError("a bug [/INST] in the app")

ChatScreen.action_new_conversation = broken
from causerie.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_crash_exits_non_zero_says_so_and_keeps_the_partial_reply(server: FakeOpenAI, causerie_home: Path) -> None:
    words = [f"word{i}" for i in range(400)]
    server.queue(Reply(chunks=[w + " " for w in words], delay=0.02))
    term = Terminal([sys.executable, "-c", CHILD, "--base-url", server.base_url], child_env(causerie_home))
    try:
        term.wait_for("Message")
        term.type("tell me a long story")
        term.press("enter")
        term.wait_for("word20")
        term.press("ctrl+n")
        status = term.wait_exit()
    finally:
        term.kill()
    assert status != 0
    output = term.raw_bytes().decode("utf-8", "replace")
    assert "RuntimeError" in output and "stopped by an unexpected error" in output
    files = list((causerie_home / "data" / "conversations").glob("*.json"))
    assert len(files) == 1
    saved = json.loads(files[0].read_text(encoding="utf-8"))
    assert saved["messages"][0]["content"] == "tell me a long story"
    assert "word20" in saved["messages"][1]["content"]
