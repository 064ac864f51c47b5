"""The shell bridge on a real terminal: `causerie -c`, `causerie open ID`, `ask` rendering, import progress."""

from __future__ import annotations

import json
from pathlib import Path

from causerie.core.conversation.models import Conversation, Message
from causerie.core.storage.store import ConversationStore
from causerie.testing.fake_openai import FakeOpenAI, Reply

from .conftest import Launch

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "chatgpt_export.json"


def _save(home: Path, question: str, answer: str) -> Conversation:
    conversation = Conversation(title=question)
    conversation.append(Message("user", question))
    conversation.append(Message("assistant", answer))
    ConversationStore(home / "data").save(conversation)
    return conversation


def test_continue_and_open_start_the_app_on_a_conversation(
    launch: Launch, server: FakeOpenAI, causerie_home: Path
) -> None:
    older = _save(causerie_home, "First question", "The older answer, about herons.")
    _save(causerie_home, "Second question", "The newest answer, about kingfishers.")
    term = launch(server, "-c")
    term.wait_for("about kingfishers")
    term.press("ctrl+q")
    assert term.wait_exit() == 0
    term = launch(server, "open", older.id)
    term.wait_for("about herons")
    term.press("ctrl+q")
    assert term.wait_exit() == 0


def test_ask_renders_markdown_on_a_terminal(launch: Launch, server: FakeOpenAI) -> None:
    server.queue(Reply(text="This is **very** important."))
    term = launch(server, "ask", "hi")
    assert term.wait_exit() == 0
    assert "This is very important." in term.text()  # rendered: no asterisks on a terminal
    assert "**" not in term.text()


def test_import_shows_progress_on_a_terminal(launch: Launch, tmp_path: Path) -> None:
    item = json.loads(FIXTURE.read_text())[1]
    many = []
    for number in range(400):
        copy = dict(item, id=f"conv-{number}", conversation_id=f"conv-{number}", create_time=1704536400.0 + number)
        many.append(copy)
    big = tmp_path / "conversations.json"
    big.write_text(json.dumps(many))
    term = launch(None, "import", str(big))
    assert term.wait_exit() == 0
    assert b"Importing" in term.raw_bytes()  # the progress bar (transient: gone from the final screen)
    assert "Imported 400 conversation(s)" in term.text()
