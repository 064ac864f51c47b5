"""The engine, against the loopback server: what the app and `causerie ask` share about a turn."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest

from causerie.core.chat.client import ChatClient
from causerie.core.chat.retry import RetryPolicy
from causerie.core.chat.way_out import CONTINUE
from causerie.core.conversation.models import Conversation, Message
from causerie.core.engine.engine import Engine
from causerie.core.engine.events import (
    Failed,
    Finished,
    ReplyEnded,
    ReplyStarted,
    Retrying,
    RetryScheduled,
    Saved,
    TextAdded,
)
from causerie.core.engine.saving import SaveQueue
from causerie.core.storage.store import ConversationStore
from causerie.testing.fake_openai import INVALID_KEY, RATE_LIMITED, FakeOpenAI, Reply

FAST_RETRIES = RetryPolicy(attempts=2, base_delay=0.01)


class RecordingStore(ConversationStore):
    """A real store that also notes when each write happened and whether it was a checkpoint."""

    def __init__(self, data_dir: Path, checkpoint_delay: float = 0.0) -> None:
        super().__init__(data_dir)
        self.writes: list[tuple[float, bool, str]] = []  # (time, checkpoint?, reply text written)
        self.checkpoint_delay = checkpoint_delay
        self.threads: set[str] = set()

    def save(self, conversation, *, data=None, fork_on_conflict=True):  # noqa: ANN001, ANN201
        checkpoint = not fork_on_conflict
        if checkpoint and self.checkpoint_delay:
            time.sleep(self.checkpoint_delay)  # a slow disk
        path = super().save(conversation, data=data, fork_on_conflict=fork_on_conflict)
        text = ConversationStore(self.data_dir).load(conversation.id).active_path()[-1].content
        self.writes.append((time.monotonic(), checkpoint, text))
        self.threads.add(threading.current_thread().name)
        return path


def conversation_with(prompt: str) -> Conversation:
    conversation = Conversation(model="gpt-6-luna")
    conversation.append(Message(role="user", content=prompt))
    return conversation


async def run(engine: Engine, conversation: Conversation, mode: str = "send", on_event=None) -> list:  # noqa: ANN001
    events = []
    async for event in engine.run(conversation, "gpt-6-luna", mode):
        events.append(event)
        if on_event is not None:
            on_event(event)
    return events


@pytest.fixture
def store(tmp_path: Path) -> RecordingStore:
    return RecordingStore(tmp_path / "data")


@pytest.fixture
async def client(server: FakeOpenAI):  # noqa: ANN201
    chat = ChatClient(base_url=server.base_url, api_key="sk-engine-test")
    yield chat
    await chat.close()


async def test_a_turn_streams_saves_and_finishes(server: FakeOpenAI, client: ChatClient, store) -> None:  # noqa: ANN001
    server.queue(Reply(text="All done here.", usage={"prompt_tokens": 7, "completion_tokens": 4, "total_tokens": 11}))
    engine = Engine(client, SaveQueue(store))
    conversation = conversation_with("Hi")
    events = await run(engine, conversation)
    kinds = [type(e) for e in events]
    assert kinds[0] is ReplyStarted and kinds[-3:] == [ReplyEnded, Saved, Finished]
    assert "".join(e.text for e in events if isinstance(e, TextAdded)) == "All done here."
    saved = ConversationStore(store.data_dir).load(conversation.id).active_path()[-1]
    assert (saved.content, saved.partial, saved.finish_reason) == ("All done here.", False, "stop")
    assert (saved.usage.prompt_tokens, saved.usage.completion_tokens) == (7, 4) and not saved.usage.estimated
    assert store.threads == {t for t in store.threads if t.startswith("causerie-save")}  # never the event loop


async def test_usage_is_summed_across_continue(server: FakeOpenAI, client: ChatClient, store) -> None:  # noqa: ANN001
    first = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
    second = {"prompt_tokens": 20, "completion_tokens": 3, "total_tokens": 23}
    server.queue(Reply(text="Once upon", finish_reason="length", usage=first), Reply(text=" a time.", usage=second))
    engine = Engine(client, SaveQueue(store))
    conversation = conversation_with("A story")
    await run(engine, conversation)
    events = await run(engine, conversation, CONTINUE)
    reply = conversation.active_path()[-1]
    assert ReplyStarted(reply, True) in events
    assert reply.content == "Once upon a time." and reply.finish_reason == "stop"
    assert (reply.usage.prompt_tokens, reply.usage.completion_tokens, reply.usage.total_tokens) == (30, 8, 38)
    assert server.chat_requests()[1].body["messages"][-1]["role"] == "user"  # the instruction to go on


async def test_an_empty_failed_reply_is_dropped_and_the_prompt_kept(
    server: FakeOpenAI, client: ChatClient, store
) -> None:  # noqa: ANN001
    server.queue(Reply(status=401, error=INVALID_KEY))
    engine = Engine(client, SaveQueue(store), retry_policy=FAST_RETRIES)
    conversation = conversation_with("Hi")
    events = await run(engine, conversation)
    assert ReplyEnded in [type(e) for e in events] and not next(e for e in events if isinstance(e, ReplyEnded)).kept
    failed = events[-1]
    assert isinstance(failed, Failed) and failed.error.kind == "auth" and not failed.partial
    assert len(server.chat_requests()) == 1  # an auth error is never retried
    saved = ConversationStore(store.data_dir).load(conversation.id)
    assert [(m.role, m.content) for m in saved.active_path()] == [("user", "Hi")]


async def test_no_automatic_retry_once_part_of_a_reply_arrived(server: FakeOpenAI, client: ChatClient, store) -> None:  # noqa: ANN001
    server.queue(Reply(text="one two three four", error_after=2))
    engine = Engine(client, SaveQueue(store), retry_policy=FAST_RETRIES)
    conversation = conversation_with("Count")
    events = await run(engine, conversation)
    assert isinstance(events[-1], Failed) and events[-1].partial
    assert len(server.chat_requests()) == 1 and not any(isinstance(e, RetryScheduled) for e in events)
    reply = ConversationStore(store.data_dir).load(conversation.id).active_path()[-1]
    assert (reply.content, reply.partial, reply.finish_reason) == ("one two", True, "error")


async def test_a_rate_limit_is_retried_after_a_countdown(server: FakeOpenAI, client: ChatClient, store) -> None:  # noqa: ANN001
    server.queue(Reply(status=429, error=RATE_LIMITED), Reply(text="Fine now."))
    engine = Engine(client, SaveQueue(store), retry_policy=FAST_RETRIES)
    conversation = conversation_with("Hi")
    events = await run(engine, conversation)
    scheduled = next(e for e in events if isinstance(e, RetryScheduled))
    assert (scheduled.error.kind, scheduled.attempt, scheduled.attempts) == ("rate_limit", 1, 2)
    assert Retrying(1, 2) in events and isinstance(events[-1], Finished)
    assert conversation.active_path()[-1].content == "Fine now." and len(server.chat_requests()) == 2


async def test_retry_now_cuts_the_wait_short(server: FakeOpenAI, client: ChatClient, store) -> None:  # noqa: ANN001
    server.queue(Reply(status=429, error=RATE_LIMITED, headers={"retry-after": "600"}), Reply(text="Fine now."))
    engine = Engine(client, SaveQueue(store), retry_policy=RetryPolicy(attempts=1, max_delay=600))

    def on_event(event) -> None:  # noqa: ANN001
        if isinstance(event, RetryScheduled):
            assert event.delay == 600
            asyncio.get_running_loop().call_soon(engine.retry_now)

    events = await asyncio.wait_for(run(engine, conversation_with("Hi"), on_event=on_event), 30)
    assert isinstance(events[-1], Finished)


async def test_a_cancelled_turn_keeps_and_saves_the_partial_reply(
    server: FakeOpenAI, client: ChatClient, store
) -> None:  # noqa: ANN001
    server.queue(Reply(text=" ".join(f"word{i}" for i in range(400)), delay=0.02))
    engine = Engine(client, SaveQueue(store))
    conversation = conversation_with("Talk")
    arrived = asyncio.Event()

    async def consume() -> None:
        async for event in engine.run(conversation, "gpt-6-luna"):
            if isinstance(event, TextAdded) and len(event.reply.content) > 20:
                arrived.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(arrived.wait(), 30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    reply = ConversationStore(store.data_dir).load(conversation.id).active_path()[-1]
    assert reply.partial and reply.finish_reason == "cancelled" and len(reply.content) > 20
    assert reply.content == conversation.active_path()[-1].content


async def test_checkpoints_come_at_most_once_per_interval_and_the_final_save_wins(
    server: FakeOpenAI, client: ChatClient, tmp_path: Path
) -> None:
    slow = RecordingStore(tmp_path / "slow", checkpoint_delay=0.15)  # a disk slower than the checkpoints
    server.queue(Reply(text=" ".join(f"word{i}" for i in range(60)), delay=0.02))  # about 1.2 s of streaming
    engine = Engine(client, SaveQueue(slow), checkpoint_interval=0.2)
    conversation = conversation_with("Talk")
    events = await run(engine, conversation)
    assert isinstance(events[-1], Finished)
    checkpoints = [(t, text) for t, checkpoint, text in slow.writes if checkpoint]
    assert len(checkpoints) >= 2
    gaps = [b[0] - a[0] for a, b in zip(checkpoints, checkpoints[1:], strict=False)]
    assert min(gaps) >= 0.15  # never two checkpoints closer than the slow disk allows: one writer, in order
    lengths = [len(text) for _, text in checkpoints]
    assert lengths == sorted(lengths)  # in order: each checkpoint holds at least what the one before held
    final_time, final_is_checkpoint, final_text = slow.writes[-1]
    assert not final_is_checkpoint and final_text == conversation.active_path()[-1].content
    assert ConversationStore(slow.data_dir).load(conversation.id).active_path()[-1].finish_reason == "stop"


async def test_a_reply_streaming_into_a_deleted_conversation_does_not_bring_its_file_back(
    server: FakeOpenAI, client: ChatClient, store
) -> None:  # noqa: ANN001
    server.queue(Reply(text=" ".join(f"word{i}" for i in range(100)), delay=0.01))
    engine = Engine(client, SaveQueue(store), checkpoint_interval=0.05)
    conversation = conversation_with("Talk")
    store.save(conversation)
    deleted = False
    checkpoints_after_delete = []

    def on_event(event) -> None:  # noqa: ANN001
        nonlocal deleted
        if isinstance(event, TextAdded) and len(event.reply.content) > 50 and not deleted:
            store.delete(conversation.id)
            deleted = True
        elif deleted:
            checkpoints_after_delete.append(event)

    events = await run(engine, conversation, on_event=on_event)
    assert deleted and isinstance(events[-1], Finished)
    assert not any(isinstance(e, Saved) for e in events)  # the final save was dropped, not reported as a failure
    assert not store.path_for(conversation.id).exists()
    assert (store.trash_dir / f"{conversation.id}.json").exists()
    store.restore(conversation.id)  # undo makes it saveable again
    store.save(conversation)
    assert ConversationStore(store.data_dir).load(conversation.id).active_path()[-1].content.startswith("word0")
