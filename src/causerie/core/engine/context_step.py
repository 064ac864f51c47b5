"""The context step of a turn: fit the request into the model's window by the conversation's policy, and say so.

Over budget, the oldest turns are summarized with one request to the model (the summary is stored and sent in
their place) or left out; either way the user is told what was left out. Never silently.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from causerie.core.chat.client import ChatClient, TextDelta, UsageReport
from causerie.core.chat.errors import ChatError
from causerie.core.chat.way_out import TRIM
from causerie.core.conversation.context import (
    calibration,
    context_path,
    estimate_messages,
    estimate_text,
    make_summary,
    plan,
    summary_request,
)
from causerie.core.conversation.models import Conversation, Message, Usage
from causerie.core.engine.events import ContextNote, EngineEvent, SummaryAdded
from causerie.core.usage.pricing import PriceTable, cost_of


@dataclass(frozen=True)
class Prepared:
    """The messages to send and their estimated prompt tokens (the last item of `prepare`)."""

    messages: list[dict]
    estimate: int


async def prepare(
    conversation: Conversation,
    client: ChatClient,
    *,
    model: str,
    window: int,
    reserve: int,
    force: str | None,
    prices: PriceTable,
    local: bool,
    save: Callable[[Conversation], Awaitable[list[EngineEvent]]],
) -> AsyncIterator[EngineEvent | Prepared]:
    """Plan what is sent, summarizing or trimming by the policy (or by `force`); yields notes, then Prepared.

    `save` stores the conversation once a summary note was added and returns the events saying how it went.
    """
    result = plan(conversation, window, reserve=reserve, policy=force)
    if force and result.fits:
        # The server disagrees with our estimate: aim well below it.
        window = max(int(result.tokens * 0.75), 1)
        result = plan(conversation, window, reserve=0, policy=force)
    if result.summarize:
        try:
            async for event in _summarize(conversation, client, model, result.summarize, window, prices, local, save):
                yield event
        except ChatError as error:
            yield ContextNote(f"Summarizing failed ({error.message}); leaving out older messages instead.")
        result = plan(conversation, window, reserve=0 if force else reserve, policy=TRIM)
    if result.dropped:
        count = len(result.dropped)
        tokens = sum(estimate_text(m.content) for m in result.dropped)
        yield ContextNote(
            f"Left out the {count} oldest message{'s' if count != 1 else ''} (about {tokens:,} tokens) so the "
            f"request fits {model}'s context window ({window:,} tokens). They stay in the conversation."
        )
    elif not result.fits and result.policy == "off":
        yield ContextNote(
            f"This request (about {result.tokens:,} tokens) may not fit {model}'s context window "
            f"({window:,} tokens); the context policy is off, so everything is sent.",
            "warning",
        )
    yield Prepared(result.messages, result.tokens)


async def _summarize(
    conversation: Conversation,
    client: ChatClient,
    model: str,
    turns: list[Message],
    window: int,
    prices: PriceTable,
    local: bool,
    save: Callable[[Conversation], Awaitable[list[EngineEvent]]],
) -> AsyncIterator[EngineEvent]:
    """One request asks the model to summarize `turns`; the summary is stored and sent in their place."""
    previous, _ = context_path(conversation)
    ratio = calibration(conversation)
    limit = 0.7 * window / ratio
    while len(turns) > 1 and estimate_messages(summary_request(conversation, turns, previous)) > limit:
        turns = turns[:-1]  # the summary request must fit too: summarize fewer, trim the rest if needed
    yield ContextNote(f"Summarizing the {len(turns)} oldest messages to fit the context window…")
    text = ""
    usage: Usage | None = None
    async for event in client.stream(summary_request(conversation, turns, previous), model):
        if isinstance(event, TextDelta):
            text += event.text
        elif isinstance(event, UsageReport):
            usage = event.usage
    if not text.strip():
        raise ChatError("bad_request", "the model returned an empty summary")
    note = make_summary(text, turns[-1], model)
    sent = estimate_text(str(turns))
    note.usage = usage or Usage(sent, estimate_text(text), sent + estimate_text(text), 0, 0, True)
    note.cost = None if local else cost_of(note.usage, prices.lookup(model))
    conversation.append(note)
    for event in await save(conversation):
        yield event
    yield SummaryAdded(note, len(turns))
    yield ContextNote(
        f"Summarized the {len(turns)} oldest messages into the note above: it is sent in their place "
        f"to fit {model}'s context window ({window:,} tokens). The messages themselves stay in the file."
    )
