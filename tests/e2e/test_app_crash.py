"""The app killed with SIGKILL in the middle of a streamed reply: its file holds the prompt and the partial reply."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

from causerie.core.storage.store import ConversationStore
from causerie.testing.fake_openai import FakeOpenAI, Reply

from .conftest import Launch
from .terminal import DEADLINE

STORY = " ".join(f"word{i}" for i in range(800))


def _reply_text(folder: Path) -> str:
    """The assistant's text in the (only) conversation file as it is now ("" before its first checkpoint)."""
    for path in folder.glob("*.json"):
        try:
            messages = json.loads(path.read_bytes())["messages"]
        except (OSError, ValueError, KeyError):
            continue
        for message in messages:
            if message.get("role") == "assistant" and message.get("content"):
                return message["content"]
    return ""


def test_sigkill_of_the_app_mid_reply_keeps_the_prompt_and_the_partial_reply(
    launch: Launch, server: FakeOpenAI, causerie_home: Path
) -> None:
    server.queue(Reply(text=STORY, delay=0.02))  # about 16 s of streaming
    folder = causerie_home / "data" / "conversations"
    term = launch(server)
    term.wait_for("Message")
    term.type("Tell me a long story")
    term.press("enter")
    deadline = time.monotonic() + DEADLINE
    while not (first := _reply_text(folder)):
        assert time.monotonic() < deadline, "no checkpoint was written"
        time.sleep(0.05)
    while len(_reply_text(folder)) <= len(first):  # a second checkpoint, about a second later
        assert time.monotonic() < deadline, "no second checkpoint was written"
        time.sleep(0.05)
    checkpointed = _reply_text(folder)
    term.process.kill(signal.SIGKILL)
    term.wait_exit()
    assert term.process.signalstatus == signal.SIGKILL

    store = ConversationStore(causerie_home / "data")
    [summary] = store.list()
    assert store.problems() == []
    user, reply = store.load(summary.id).active_path()
    assert (user.role, user.content) == ("user", "Tell me a long story")
    assert reply.role == "assistant" and reply.partial and reply.finish_reason is None
    assert STORY.startswith(reply.content) and len(reply.content) >= len(checkpointed) > len(first)
    assert reply.content != STORY
    assert sorted(p.name for p in folder.iterdir()) == [f"{summary.id}.json"]  # no temp file left behind
