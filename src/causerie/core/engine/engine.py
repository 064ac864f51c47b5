"""Engine: one turn of a conversation, from prompt to saved reply, as typed events; the app and `ask` share it.

A turn plans the context (summarize / trim / off, always with a note), streams the reply into the conversation,
checkpoints it about once a second on the save thread, accounts usage and cost, retries what waiting can fix
(never once part of a reply arrived), keeps a partial reply when it is stopped or fails, and saves at the end.
It never imports textual or rich: front ends render its events.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

from causerie.core.chat import client as chat
from causerie.core.chat.client import ChatClient
from causerie.core.chat.errors import ChatError
from causerie.core.chat.params import RequestParams
from causerie.core.chat.refusals import Refusals
from causerie.core.chat.retry import RetryPolicy
from causerie.core.chat.way_out import CONTINUE, SUMMARIZE, TRIM
from causerie.core.conversation.context import DEFAULT_REPLY_RESERVE, request_messages
from causerie.core.conversation.models import Conversation, Message
from causerie.core.engine.context_step import Prepared, prepare
from causerie.core.engine.events import (
    ContextNote,
    EngineEvent,
    Failed,
    Finished,
    OptionDropped,
    ReasoningAdded,
    ReplyEnded,
    ReplyStarted,
    Retrying,
    RetryScheduled,
    Saved,
    SaveFailed,
    TextAdded,
    ToolAnswered,
    ToolRound,
)
from causerie.core.engine.params_step import TurnParams, turn_params
from causerie.core.engine.saving import SaveQueue
from causerie.core.engine.tool_step import Tools
from causerie.core.storage.store import Deleted, StoreError
from causerie.core.usage.pricing import PriceTable, account_reply, shipped_prices

SEND = "send"
CHECKPOINT_INTERVAL = 1.0
# A fast server fills the socket faster than the reply is read: reading never has to wait, so the stream would keep
# the event loop to itself (keys typed meanwhile echoed only at the end). It yields at least this often.
YIELD_INTERVAL = 0.004
WAITED = 0.0005  # a gap this long between two events means the stream waited (the loop was free meanwhile)
CONTINUE_INSTRUCTION = (
    "Your previous reply was cut off. Continue it exactly where it stopped, without repeating anything."
)


class Engine:
    """Runs turns against one client and one store; holds what the session learned (context windows)."""

    def __init__(
        self,
        client: ChatClient,
        saves: SaveQueue,
        *,
        prices: PriceTable | None = None,
        local: bool = False,
        retry_policy: RetryPolicy | None = None,
        reply_reserve: int = DEFAULT_REPLY_RESERVE,
        checkpoint_interval: float = CHECKPOINT_INTERVAL,
        pause: Callable[[], float] | None = None,
        tools: Tools | None = None,
        profile: str = "",
        defaults: RequestParams | None = None,
        refusals: Refusals | None = None,
    ) -> None:
        """`pause()` says how long to rest at each yield of a fast stream (longer while the user types).

        `tools` are offered to the model; the calls a reply asks for run in rounds (see tool_step.py).
        `defaults` are the profile's controls; `refusals` what the server of `profile` refused before (see
        params_step.py).
        """
        self.client = client
        self.saves = saves
        self.prices = prices or shipped_prices()
        self.local = local
        self.retry_policy = retry_policy or RetryPolicy()
        self.reply_reserve = reply_reserve
        self.checkpoint_interval = checkpoint_interval
        self.pause = pause or (lambda: 0.0)
        self.tools = tools
        self.profile = profile
        self.defaults = defaults or RequestParams()
        self.refusals = refusals or Refusals(None)
        self._open: tuple[Message, str, int] | None = None  # the reply being streamed, its model and estimate
        self.learned_windows: dict[str, int] = {}
        self._retry_event: asyncio.Event | None = None

    def context_window(self, model: str) -> int:
        """The window for `model`: what a server said in an error this session, else the price table's."""
        return self.learned_windows.get(model) or self.prices.context_window(model)

    def retry_now(self) -> bool:
        """During an automatic-retry wait, retry at once; False when no wait is running."""
        if self._retry_event is None:
            return False
        self._retry_event.set()
        return True

    def turn_params(self, conversation: Conversation, model: str, command: RequestParams | None = None) -> TurnParams:
        """The controls a turn of `conversation` with `model` would send (profile < conversation < `command`)."""
        return turn_params(
            conversation,
            model,
            profile_name=self.profile,
            defaults=self.defaults,
            command=command,
            prices=self.prices,
            refusals=self.refusals,
        )

    async def run(
        self, conversation: Conversation, model: str, mode: str = SEND, *, params: RequestParams | None = None
    ) -> AsyncIterator[EngineEvent]:
        """Run one turn on `conversation` (whose last message is the prompt, or the reply to continue).

        `mode` is SEND, CONTINUE (extend the last reply), SUMMARIZE or TRIM (shorten the context first).
        `params` are the command line's controls, over the conversation's and the profile's.
        Cancelling the consumer stops the turn: the partial reply is kept, marked cancelled, and saved.
        """
        try:
            controls = self.turn_params(conversation, model, params)
            for note in controls.notes:
                yield ContextNote(note, "warning")
            force = mode if mode in (SUMMARIZE, TRIM) else None
            attempt = rounds = 0
            while True:
                offered: list[dict] | None = None
                if self.tools is not None:
                    offered, late = await self.tools.offered(conversation)
                    if late:
                        yield ContextNote(
                            f"Sent without the tools of {', '.join(late)}: still starting after "
                            f"{self.tools.wait_timeout:g} s.",
                            "warning",
                        )
                reply: Message | None = None
                if mode == CONTINUE:
                    reply = conversation.active_path()[-1]
                    messages = request_messages(conversation) + [{"role": "user", "content": CONTINUE_INSTRUCTION}]
                    estimate = 0
                else:
                    prepared: Prepared | None = None
                    try:
                        async for item in prepare(
                            conversation,
                            self.client,
                            model=model,
                            window=self.context_window(model),
                            reserve=self.reply_reserve,
                            force=force,
                            prices=self.prices,
                            local=self.local,
                            save=self._save,
                        ):
                            if isinstance(item, Prepared):
                                prepared = item
                            else:
                                yield item
                    except ChatError as error:
                        yield Failed(error, partial=False)
                        return
                    assert prepared is not None
                    messages, estimate = prepared.messages, prepared.estimate
                outcome: list[tuple[ChatError | None, bool]] = []
                stream = self._stream(conversation, model, messages, estimate, reply, outcome, offered, controls.sent)
                async for event in stream:
                    yield event
                error, partial = outcome[0]
                if error is None:
                    last = conversation.active_path()[-1]
                    if self.tools is None or last.role != "assistant" or not last.tool_calls:
                        return
                    rounds += 1
                    if rounds > self.tools.max_rounds:
                        yield ContextNote(
                            f"Stopped after {self.tools.max_rounds} rounds of tool calls (max_tool_rounds): "
                            "the calls of the last reply were not run.",
                            "warning",
                        )
                        await self._answer_unrun(conversation, last)
                        return
                    async for event in self._tool_round(conversation, last, rounds):
                        yield event
                    mode, force, attempt = SEND, None, 0  # ask the model again, with the results
                    continue
                if error.param == self.client.max_tokens_param:
                    error.param = "max_tokens"  # the cap's name on the wire, as the profile says
                if error.param is not None and not partial and error.param in controls.sent.names():
                    self.refusals.learn(self.profile, model, error.param)
                    note = controls.drop_refused(error)
                    if note is not None:
                        yield ContextNote(note, "warning")
                        continue
                    controls.explain(error)
                if error.kind == "context_length":
                    if error.context_limit:
                        self.learned_windows[model] = error.context_limit
                    if force is None and conversation.context_policy != "off" and mode != CONTINUE:
                        force = conversation.context_policy
                        yield ContextNote(
                            f"The server says the conversation is too long for {model}: "
                            f"shortening it ({conversation.context_policy}) and sending again."
                        )
                        continue
                delay = None if partial else self.retry_policy.delay(error, attempt)
                if delay is None:
                    yield Failed(error, partial=partial)
                    return
                attempt += 1
                yield RetryScheduled(error, delay, attempt, self.retry_policy.attempts)
                await self._wait_for_retry(delay)
                yield Retrying(attempt, self.retry_policy.attempts)
        except GeneratorExit:
            # The consumer left (a reader that closed the pipe: `causerie ask ... | head`): keep what arrived.
            self._abandon(conversation)
            raise

    async def _stream(
        self,
        conversation: Conversation,
        model: str,
        messages: list[dict],
        estimate: int,
        reply: Message | None,
        outcome: list[tuple[ChatError | None, bool]],
        tools: list[dict] | None = None,
        params: RequestParams | None = None,
    ) -> AsyncIterator[EngineEvent]:
        """One request streamed into `reply` (a new message unless continuing), with `params` as its controls.

        Puts (its error, whether part of a reply arrived and was kept) in `outcome`.
        """
        continuing = reply is not None
        if reply is None:
            reply = conversation.append(Message(role="assistant", content="", model=model, partial=True))
        else:
            reply.finish_reason = None
            reply.partial = True
        reply.params = params.to_dict() if params is not None else {}
        if not conversation.title:
            conversation.title = conversation.default_title()
        yield ReplyStarted(reply, continuing)
        self._open = (reply, model, estimate)
        error: ChatError | None = None
        last_checkpoint = last_yield = done_at = time.monotonic()
        try:
            async for event in self.client.stream(messages, model, params=params, tools=tools):
                if time.monotonic() - done_at > WAITED:
                    last_yield = done_at  # the stream waited for the network: other tasks ran meanwhile
                if isinstance(event, chat.TextDelta):
                    reply.content += event.text
                    yield TextAdded(reply, event.text)
                elif isinstance(event, chat.ReasoningDelta):
                    reply.reasoning += event.text
                    yield ReasoningAdded(reply, event.text)
                elif isinstance(event, chat.UsageReport):
                    # Summed: a continued reply carries the usage of every request that wrote it.
                    reply.usage = event.usage if reply.usage is None else reply.usage + event.usage
                elif isinstance(event, chat.Finished):
                    reply.finish_reason = event.reason
                elif isinstance(event, chat.OptionDropped):
                    yield OptionDropped(event.option)
                elif isinstance(event, chat.ToolCallsRequested):
                    reply.tool_calls = list(event.calls)
                now = time.monotonic()
                if now - last_checkpoint >= self.checkpoint_interval:
                    self.saves.checkpoint(conversation)
                    last_checkpoint = now = time.monotonic()
                if now - last_yield >= YIELD_INTERVAL:
                    await asyncio.sleep(self.pause())
                    last_yield = time.monotonic()
                done_at = time.monotonic()
            reply.partial = reply.finish_reason is None
            if reply.finish_reason is None:
                reply.finish_reason = "incomplete"
        except asyncio.CancelledError:
            reply.finish_reason = "cancelled"
            self._end(conversation, reply, model, estimate)
            self._save_at_once(conversation)
            raise
        except ChatError as exc:
            reply.finish_reason = "error"
            error = exc
        except Exception:  # unexpected: what arrived is kept and saved before the error goes on
            reply.finish_reason = "error"
            self._end(conversation, reply, model, estimate)
            self._save_at_once(conversation)
            raise
        self._open = None
        kept = self._end(conversation, reply, model, estimate)
        yield ReplyEnded(reply, kept)
        for event in await self._save(conversation):
            yield event
        outcome.append((error, kept and bool(reply.content)))
        if error is None:
            yield Finished(reply)

    async def _tool_round(self, conversation: Conversation, reply: Message, number: int) -> AsyncIterator[EngineEvent]:
        """Run the calls of `reply` (approval first); each answer is appended, shown and checkpointed."""
        assert self.tools is not None
        yield ToolRound(reply, number, self.tools.max_rounds)
        answers: list[Message] = []
        notes: list[str] = []

        def answered(message: Message) -> None:
            conversation.append(message)
            answers.append(message)
            self.saves.checkpoint(conversation)

        try:
            await self.tools.round(reply.tool_calls, answered, notes.append, conversation)
        except asyncio.CancelledError:
            try:
                self.saves.save_now(conversation)  # every call answered ("cancelled by the user" where unrun)
            except Deleted:
                pass
            except StoreError as exc:
                self.saves.record_failure(conversation, exc)
            raise
        for note in notes:
            yield ContextNote(note, "warning")
        for message in answers:
            yield ToolAnswered(message)

    async def _answer_unrun(self, conversation: Conversation, reply: Message) -> None:
        """Calls past the round limit get an answer too, so the conversation stays valid for the next request."""
        from causerie.core.tools.round import cancelled_messages

        for message in cancelled_messages(reply.tool_calls, set()):
            message.content = "Not run: the limit of tool rounds was reached."
            conversation.append(message)
        await self._save(conversation)

    def _save_at_once(self, conversation: Conversation) -> None:
        """Save from this thread now (a turn ending abruptly cannot wait); a failure is left for the front end."""
        self._open = None
        try:
            self.saves.save_now(conversation)
        except Deleted:
            pass  # deleted while the reply streamed: it stays deleted
        except StoreError as exc:
            self.saves.record_failure(conversation, exc)  # the front end keeps it and retries

    def _abandon(self, conversation: Conversation) -> None:
        """The turn's consumer went away mid-reply: the reply is kept, marked cancelled, and saved."""
        if self._open is None:
            return
        reply, model, estimate = self._open
        if reply.finish_reason is None:
            reply.finish_reason = "cancelled"
        self._end(conversation, reply, model, estimate)
        self._save_at_once(conversation)

    def _end(self, conversation: Conversation, reply: Message, model: str, estimate: int) -> bool:
        """Account usage and cost; keep what arrived, or drop a reply that received nothing. Whether it is kept."""
        account_reply(reply, model, estimate, self.prices, local=self.local)
        if (
            not reply.content
            and not reply.reasoning
            and not reply.tool_calls
            and reply.finish_reason in ("error", "cancelled")
        ):
            # Nothing arrived: the user's message stays, and a retry asks again.
            if reply in conversation.messages:
                conversation.messages.remove(reply)
                conversation.active_leaf = reply.parent
            return False
        return True

    async def _save(self, conversation: Conversation) -> list[EngineEvent]:
        if conversation.read_only:
            return []
        try:
            await self.saves.save(conversation)
        except Deleted:
            return []  # deleted while the reply streamed: it stays deleted
        except StoreError as exc:
            return [SaveFailed(conversation, exc)]
        return [Saved(conversation)]

    async def _wait_for_retry(self, delay: float) -> None:
        self._retry_event = asyncio.Event()
        try:
            await asyncio.wait_for(self._retry_event.wait(), delay)
        except TimeoutError:
            pass
        finally:
            self._retry_event = None
