"""One reply, UI-free: append it to a conversation, stream it in, checkpoint it to the store, finish it.

The interactive screen drives its own worker; this is the same path for non-interactive callers (the CLI's
`causerie ask`, the crash test, benchmarks): a crash loses at most one checkpoint interval of the reply.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from causerie.core.chat.client import ChatClient, Finished, ReasoningDelta, TextDelta, UsageReport
from causerie.core.conversation.context import estimate_request, request_messages
from causerie.core.conversation.models import Conversation, Message
from causerie.core.storage.store import ConversationStore
from causerie.core.usage.pricing import account_reply

CHECKPOINT_INTERVAL = 1.0


async def stream_reply(
    conversation: Conversation,
    client: ChatClient,
    store: ConversationStore,
    *,
    model: str | None = None,
    on_delta: Callable[[str], None] | None = None,
    checkpoint_interval: float = CHECKPOINT_INTERVAL,
    local: bool = False,
) -> Message:
    """Stream a reply to the conversation's active path and return it, saved.

    The reply is appended at once, flagged `partial`, and saved about every `checkpoint_interval` seconds
    while text arrives; at the end it is saved once more with its `finish_reason` (`stop`, `length`, ...,
    `cancelled` if the task is cancelled, `error` if the request fails). On ChatError the partial reply is
    kept (or dropped when nothing arrived) and the error is raised again for the caller to show.
    `on_delta(text)` is called for every piece of text. Save failures raise StoreError.
    """
    model = model or conversation.model
    messages = request_messages(conversation)
    if not conversation.title:
        conversation.title = conversation.default_title()
    reply = conversation.append(Message(role="assistant", content="", model=model, partial=True))
    store.save(conversation)
    last_checkpoint = time.monotonic()
    try:
        async for event in client.stream(messages, model):
            if isinstance(event, TextDelta):
                reply.content += event.text
                if on_delta is not None:
                    on_delta(event.text)
            elif isinstance(event, ReasoningDelta):
                reply.reasoning += event.text
            elif isinstance(event, UsageReport):
                reply.usage = event.usage
            elif isinstance(event, Finished):
                reply.finish_reason = event.reason
            if time.monotonic() - last_checkpoint >= checkpoint_interval:
                store.save(conversation)
                last_checkpoint = time.monotonic()
    except (asyncio.CancelledError, BrokenPipeError):  # stopped, or the reader of the output left (`| head`)
        reply.finish_reason = "cancelled"
        account_reply(reply, model, estimate_request(conversation, messages), local=local)
        _finish(conversation, reply, store)
        raise
    except Exception:  # a ChatError, or anything unexpected: what arrived is kept and saved first
        reply.finish_reason = "error"
        account_reply(reply, model, estimate_request(conversation, messages), local=local)
        _finish(conversation, reply, store)
        raise
    account_reply(reply, model, estimate_request(conversation, messages), local=local)
    reply.partial = reply.finish_reason is None
    if reply.finish_reason is None:
        reply.finish_reason = "incomplete"
    store.save(conversation)
    return reply


def _finish(conversation: Conversation, reply: Message, store: ConversationStore) -> None:
    """Keep what arrived (still flagged partial); drop a reply that received nothing; save."""
    if not reply.content:
        conversation.messages.remove(reply)
        conversation.active_leaf = reply.parent
    store.save(conversation)
