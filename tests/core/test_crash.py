"""A process killed in the middle of a streamed reply leaves a valid file with the partial reply."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import causerie
from causerie.core.settings import paths
from causerie.core.storage.store import ConversationStore
from causerie.testing.fake_openai import FakeOpenAI, Reply

STORY = " ".join(f"word{i}" for i in range(600))

CHILD = """
import asyncio, sys
from pathlib import Path
from causerie.core.chat.client import ChatClient
from causerie.core.conversation.models import Conversation, Message
from causerie.core.storage.store import ConversationStore
from causerie.core.engine.engine import Engine
from causerie.core.engine.saving import SaveQueue

base_url, data_dir, cid = sys.argv[1:4]
store = ConversationStore(Path(data_dir))
conversation = Conversation(id=cid, model="gpt-6-luna")
conversation.append(Message(role="user", content="Tell me a long story"))
client = ChatClient(base_url=base_url, api_key="sk-test-crash")
engine = Engine(client, SaveQueue(store))


async def turn():
    async for _ in engine.run(conversation, "gpt-6-luna"):
        pass


asyncio.run(turn())
print("finished", flush=True)
"""


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    source = str(Path(causerie.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [source, env.get("PYTHONPATH")]))
    return env


def read_messages(path: Path) -> list[dict]:
    try:
        return json.loads(path.read_bytes())["messages"]
    except (OSError, ValueError, KeyError):
        return []


def reply_text(path: Path) -> str:
    """The assistant's text in the file as it is now ("" before the first checkpoint)."""
    return next((m["content"] for m in read_messages(path) if m["role"] == "assistant" and m.get("content")), "")


def test_sigkill_mid_reply_keeps_user_message_and_partial_reply(server: FakeOpenAI) -> None:
    server.default = Reply(text=STORY, delay=0.02)  # about 12 s of streaming
    data_dir = paths.data_dir()
    cid = "20260101-000000000-c0ffee"
    path = data_dir / "conversations" / f"{cid}.json"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, server.base_url, str(data_dir), cid],
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        # Wait for a checkpoint holding some text, then let the reply run on a little and kill at a random point.
        while not (first := reply_text(path)):
            assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
            assert time.monotonic() < deadline, "no checkpoint was written"
            time.sleep(0.05)
        # A second checkpoint: the file's reply grows while the stream goes on (about once a second).
        while len(reply_text(path)) <= len(first):
            assert child.poll() is None
            assert time.monotonic() < deadline, "no second checkpoint was written"
            time.sleep(0.05)
        second = reply_text(path)
        assert child.poll() is None
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
    assert child.returncode == -signal.SIGKILL
    store = ConversationStore(data_dir)
    conversation = store.load(cid)  # parses and validates
    user, reply = conversation.active_path()
    assert (user.role, user.content) == ("user", "Tell me a long story")
    assert reply.role == "assistant" and reply.partial
    assert reply.finish_reason is None
    assert len(reply.content) > len("word0 word1")
    assert STORY.startswith(reply.content) and reply.content != STORY
    assert len(reply.content) >= len(second) > len(first)  # the kill lost at most what came after a checkpoint
    assert [s.id for s in store.list()] == [cid] and store.problems() == []
    assert sorted(os.listdir(path.parent)) == [path.name]  # no temp file left behind
