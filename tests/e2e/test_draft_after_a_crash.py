"""A conversation's draft survives a crash: kill -9 after typing, start again with -c, the text is in the prompt."""

from __future__ import annotations

import signal
from pathlib import Path

from causerie.core.conversation.models import Conversation, Message
from causerie.core.storage.drafts import DraftStore
from causerie.core.storage.store import ConversationStore
from causerie.testing.fake_openai import FakeOpenAI

from .conftest import Launch


def test_a_draft_survives_kill_9(launch: Launch, server: FakeOpenAI, causerie_home: Path) -> None:
    store = ConversationStore(causerie_home / "data")
    conversation = Conversation(title="Crash course")
    conversation.append(Message(role="user", content="first question"))
    store.save(conversation)
    term = launch(server, "-c")
    term.wait_for("first question")
    term.type("an unsent thought")
    term.wait_for("an unsent thought")
    drafts = DraftStore(causerie_home / "data")
    term.wait_until(lambda: drafts.load(conversation.id) == "an unsent thought", "the draft written")
    term.process.kill(signal.SIGKILL)
    term.wait_until(lambda: not term.process.isalive(), "the process gone")
    again = launch(server, "-c")
    again.wait_for("first question")
    again.wait_for("an unsent thought")
    assert "an unsent thought" not in (causerie_home / "data" / "conversations" / f"{conversation.id}.json").read_text()
    again.press("ctrl+q")
    assert again.wait_exit() == 0
