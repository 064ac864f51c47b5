"""Deterministic conversations and a fixed clock for history tests and snapshots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from causerie.core.conversation.models import Conversation, Message
from causerie.core.settings import paths
from causerie.core.settings.config import load_settings
from causerie.core.storage.store import ConversationStore
from causerie.testing.fake_openai import FakeOpenAI
from causerie.ui.app import CauserieApp

FIXED_NOW = datetime(2026, 3, 14, 15, 0, tzinfo=UTC)


def fixed_clock() -> datetime:
    """The clock of history tests and snapshots: 2026-03-14 15:00 UTC."""
    return FIXED_NOW


def iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def ago(**delta: float) -> str:
    """An ISO time this long before the fixed clock."""
    return iso(FIXED_NOW - timedelta(**delta))


def seed(
    conversation_id: str,
    title: str,
    updated_at: str,
    turns: list[tuple[str, str]],
    store: ConversationStore | None = None,
) -> Conversation:
    """Save a conversation with fixed ids and times (message ids: <n>u / <n>a)."""
    store = store or ConversationStore(paths.data_dir())
    conversation = Conversation(
        id=conversation_id, title=title, created_at=updated_at, model="gpt-6-luna", profile="openai"
    )
    for n, (question, answer) in enumerate(turns):
        conversation.append(Message(role="user", content=question, id=f"m{n}u", created_at=updated_at))
        if answer:
            reply = Message(role="assistant", content=answer, id=f"m{n}a", created_at=updated_at)
            reply.model, reply.finish_reason = "gpt-6-luna", "stop"
            conversation.append(reply)
    conversation.updated_at = updated_at
    store.save(conversation)
    return conversation


def fixed_app(server: FakeOpenAI | None = None, **cli: str) -> CauserieApp:
    """The app as the CLI builds it, with the fixed clock and no cursor blink."""
    if server is not None:
        cli.setdefault("base_url", server.base_url)
    return CauserieApp(load_settings(cli), clock=fixed_clock, cursor_blink=False)
