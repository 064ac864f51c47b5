"""ReplyFlow, a ChatScreen mixin: the reply worker, context plan, usage and cost, and every failure's way out.

Kept apart from the screen's layout and history code. Automatic retries (rate limits, server errors) wait with a
visible countdown; ctrl+r retries now, Esc gives up. Context overflow is handled by the conversation's policy
(summarize / trim / off), always with a notice saying what was summarized or left out.
"""

from __future__ import annotations

import asyncio
import time

from textual import work

from causerie.core.chat.client import Finished, OptionDropped, ReasoningDelta, TextDelta, UsageReport
from causerie.core.chat.errors import ChatError
from causerie.core.chat.retry import RetryPolicy
from causerie.core.chat.way_out import CONTINUE, PICK_MODEL, RETRY, SUMMARIZE, TRIM, way_out
from causerie.core.conversation.context import (
    DEFAULT_REPLY_RESERVE,
    calibration,
    context_path,
    estimate_messages,
    estimate_text,
    make_summary,
    plan,
    request_messages,
    summary_request,
)
from causerie.core.conversation.models import Conversation, Message, Usage
from causerie.core.settings.config_check import ConfigError
from causerie.core.settings.config_edit import set_profile_key
from causerie.core.usage.pricing import (
    PriceTable,
    account_reply,
    conversation_cost,
    cost_of,
    format_total,
    shipped_prices,
)
from causerie.ui.widgets.error_notice import ErrorNotice
from causerie.ui.widgets.notes import ReasoningNote, SummaryNote

CHECKPOINT_INTERVAL = 1.0
# A fast server fills the socket faster than the reply is read: reading never has to wait, so the loop below would
# keep the event loop to itself (keys typed meanwhile echoed only at the end). It yields at least this often.
YIELD_INTERVAL = 0.004
# While the user types (a key in the last TYPING_WINDOW seconds), each yield also pauses a little: a key goes through
# several message queues before it is drawn, and a bare yield gives each of them only one turn per slice.
YIELD_PAUSE = 0.001
TYPING_WINDOW = 1.0
WAITED = 0.0005  # a gap this long between two events means the stream waited (the loop was free meanwhile)
CONTINUE_INSTRUCTION = (
    "Your previous reply was cut off. Continue it exactly where it stopped, without repeating anything."
)


class ReplyFlow:
    """Mixin for ChatScreen: needs `settings`, `client`, `conversation`, `view`, `_save`, `_update_status`."""

    retry_policy: RetryPolicy = RetryPolicy()
    reply_reserve: int = DEFAULT_REPLY_RESERVE

    def _init_reply_flow(self) -> None:
        self._retry_event: asyncio.Event | None = None
        self._learned_windows: dict[str, int] = {}
        self._failed_kind: dict[str, str] = {}  # conversation id -> kind of its last failure
        self.retry_policy = RetryPolicy(attempts=max(0, self.settings.max_retries))
        try:
            self.prices: PriceTable = shipped_prices().with_overrides(self.settings.prices)
        except ValueError:
            self.prices = shipped_prices()

    # -- facts for the status line ---------------------------------------------------------------------------
    def context_window(self, model: str) -> int:
        """The window for `model`: what a server said in an error this session, else the price table's."""
        return self._learned_windows.get(model) or self.prices.context_window(model)

    def usage_facts(self, conversation: Conversation) -> tuple[str, str]:
        """(cost of the conversation, context meter) for the status line."""
        model = conversation.model or self.settings.model
        total = conversation_cost(conversation, self.prices, local=self.settings.local)
        replied = any(m.usage is not None for m in conversation.messages)
        cost = format_total(total) if replied else ""
        window = self.context_window(model)
        estimate = plan(conversation, window, reserve=self.reply_reserve, policy="off")
        meter = f"context ≈{estimate.percent:.0f}% of {_k(window)}"
        return cost, meter

    def action_show_usage(self) -> None:
        """Open the usage screen: tokens and cost per day and per model across all conversations."""
        from causerie.ui.screens.usage import UsageScreen

        local = (self.settings.profile,) if self.settings.local else ()
        self.app.push_screen(UsageScreen(self.store, self.prices, local + _builtin_local()))

    def set_context_policy(self, policy: str) -> None:
        """Set how this conversation handles a full context window (summarize, trim or off), and save it."""
        conversation = self.conversation
        conversation.context_policy = policy
        if conversation.messages:
            self._save(conversation)
        self.notify(f"Context policy for this conversation: {policy}.", title="Context")
        self._update_status()

    # -- starting and steering -------------------------------------------------------------------------------
    def retry_mode(self, conversation: Conversation) -> str:
        """How ctrl+r resends after the last failure: a context overflow shortens the context first."""
        if self._failed_kind.get(conversation.id) == "context_length":
            policy = conversation.context_policy
            return policy if policy in ("summarize", "trim") else SUMMARIZE
        return "send"

    def retry_now(self) -> bool:
        """During an automatic-retry countdown, retry at once; False when no countdown is running."""
        if self._retry_event is None:
            return False
        self._retry_event.set()
        return True

    def on_error_notice_chosen(self, event: ErrorNotice.Chosen) -> None:
        """A way out was picked on an error notice (named handler: @on does not register on a mixin)."""
        event.stop()
        if self.streaming or self.client is None:
            return
        conversation = self.conversation
        if event.action == RETRY:
            self.action_regenerate()
        elif event.action in (SUMMARIZE, TRIM):
            self._start_reply(conversation, mode=event.action)
        elif event.action == CONTINUE:
            path = conversation.active_path()
            if path and path[-1].role == "assistant" and path[-1].content:
                self._start_reply(conversation, mode=CONTINUE)
        elif event.action == PICK_MODEL:
            self._open_model_picker()

    def _open_model_picker(self) -> None:
        for target in (self, self.app):
            action = getattr(target, "action_pick_model", None)
            if action is not None:
                action()
                return
        self.notify("Start causerie with --model NAME to use another model.", title="Model")

    # -- the worker ------------------------------------------------------------------------------------------
    @work(exclusive=True, group="reply", exit_on_error=False)
    async def _reply(self, conversation: Conversation, mode: str = "send") -> None:
        assert self.client is not None
        model = conversation.model or self.settings.model
        earlier = self._retire_notices()
        self._failed_kind.pop(conversation.id, None)
        force = mode if mode in (SUMMARIZE, TRIM) else None
        attempt = 0
        while True:
            if mode == CONTINUE:
                reply = conversation.active_path()[-1]
                messages = request_messages(conversation) + [{"role": "user", "content": CONTINUE_INSTRUCTION}]
                estimate = 0
            else:
                try:
                    messages, estimate = await self._prepare(conversation, model, force)
                except ChatError as error:
                    self._failed(conversation, error, partial=False)
                    return
                reply = None
            error, reply = await self._stream_reply(conversation, model, messages, estimate, reply)
            if error is None:
                if reply.finish_reason not in ("cancelled", "error"):
                    # It worked: an earlier "could not reach … press ctrl+r" is no longer true. A notice of this
                    # run stays, saying it was retried automatically.
                    for notice in earlier:
                        notice.remove()
                return
            partial = bool(reply.content)
            if error.kind == "context_length":
                if error.context_limit:
                    self._learned_windows[model] = error.context_limit
                if force is None and conversation.context_policy != "off" and mode != CONTINUE:
                    force = conversation.context_policy
                    self._say(
                        conversation,
                        f"The server says the conversation is too long for {model}: "
                        f"shortening it ({conversation.context_policy}) and sending again.",
                    )
                    continue
            delay = None if partial else self.retry_policy.delay(error, attempt)
            notice = self._failed(conversation, error, partial=partial)
            if delay is None:
                return
            attempt += 1
            if notice is not None:
                notice.start_countdown(delay, f"Automatic retry {attempt} of {self.retry_policy.attempts}")
            try:
                await self._wait_for_retry(delay)
            except asyncio.CancelledError:
                if notice is not None:
                    notice.end_countdown("Gave up. Your message is kept: press ctrl+r to try again.")
                raise
            if notice is not None:
                notice.end_countdown(f"Retried automatically (attempt {attempt} of {self.retry_policy.attempts}).")
                notice.retire()

    async def _wait_for_retry(self, delay: float) -> None:
        self._retry_event = asyncio.Event()
        try:
            await asyncio.wait_for(self._retry_event.wait(), delay)
        except TimeoutError:
            pass
        finally:
            self._retry_event = None

    async def _prepare(self, conversation: Conversation, model: str, force: str | None) -> tuple[list[dict], int]:
        """The messages to send and their estimate, after summarizing or trimming by the policy."""
        window = self.context_window(model)
        result = plan(conversation, window, reserve=self.reply_reserve, policy=force)
        if force and result.fits:
            # The server disagrees with our estimate: aim well below it.
            window = max(int(result.tokens * 0.75), 1)
            result = plan(conversation, window, reserve=0, policy=force)
        if result.summarize:
            try:
                await self._summarize(conversation, model, result.summarize, window)
            except ChatError as error:
                self._say(conversation, f"Summarizing failed ({error.message}); leaving out older messages instead.")
            result = plan(conversation, window, reserve=0 if force else self.reply_reserve, policy=TRIM)
        if result.dropped:
            count = len(result.dropped)
            tokens = sum(estimate_text(m.content) for m in result.dropped)
            self._say(
                conversation,
                f"Left out the {count} oldest message{'s' if count != 1 else ''} (about {tokens:,} tokens) so the "
                f"request fits {model}'s context window ({window:,} tokens). They stay in the conversation.",
            )
        elif not result.fits and result.policy == "off":
            self._say(
                conversation,
                f"This request (about {result.tokens:,} tokens) may not fit {model}'s context window "
                f"({window:,} tokens); the context policy is off, so everything is sent.",
                "warning",
            )
        return result.messages, result.tokens

    async def _summarize(self, conversation: Conversation, model: str, turns: list[Message], window: int) -> None:
        """One request asks the model to summarize `turns`; the summary is stored, shown and sent in their place."""
        assert self.client is not None
        previous, _ = context_path(conversation)
        ratio = calibration(conversation)
        limit = 0.7 * window / ratio
        while len(turns) > 1 and estimate_messages(summary_request(conversation, turns, previous)) > limit:
            turns = turns[:-1]  # the summary request must fit too: summarize fewer, trim the rest if needed
        self._say(conversation, f"Summarizing the {len(turns)} oldest messages to fit the context window…")
        text = ""
        usage: Usage | None = None
        async for event in self.client.stream(summary_request(conversation, turns, previous), model):
            if isinstance(event, TextDelta):
                text += event.text
            elif isinstance(event, UsageReport):
                usage = event.usage
        if not text.strip():
            raise ChatError("bad_request", "the model returned an empty summary")
        note = make_summary(text, turns[-1], model)
        note.usage = usage or Usage(
            estimate_text(str(turns)), estimate_text(text), estimate_text(str(turns)) + estimate_text(text), 0, 0, True
        )
        note.cost = None if self.settings.local else cost_of(note.usage, self.prices.lookup(model))
        conversation.append(note)
        self._save(conversation)
        if self.conversation is conversation:
            self.view.mount(SummaryNote(note, len(turns)))
        self._say(
            conversation,
            f"Summarized the {len(turns)} oldest messages into the note above: it is sent in their place "
            f"to fit {model}'s context window ({window:,} tokens). The messages themselves stay in the file.",
        )

    async def _stream_reply(
        self,
        conversation: Conversation,
        model: str,
        messages: list[dict],
        estimate: int,
        reply: Message | None,
    ) -> tuple[ChatError | None, Message]:
        """Stream one attempt into `reply` (a new message unless continuing); returns the error, if any."""
        assert self.client is not None
        visible = self.conversation is conversation
        if reply is None:
            reply = conversation.append(Message(role="assistant", content="", model=model, partial=True))
            if visible:
                self.view.add_message(reply, streaming=True)
        else:
            reply.finish_reason = None
            view = self.view.view_for(reply.id) if visible else None
            if view is not None:
                view.streaming = True
        reasoning_note: ReasoningNote | None = None
        last_checkpoint = last_yield = done_at = time.monotonic()
        try:
            async for event in self.client.stream(messages, model):
                if time.monotonic() - done_at > WAITED:
                    last_yield = done_at  # the stream waited for the network: other tasks ran meanwhile
                if isinstance(event, TextDelta):
                    reply.content += event.text
                    self._reply_view_append(conversation, reply, event.text)
                elif isinstance(event, ReasoningDelta):
                    reply.reasoning += event.text
                    reasoning_note = self._show_reasoning(conversation, reply, reasoning_note)
                elif isinstance(event, UsageReport):
                    reply.usage = event.usage if reply.usage is None else reply.usage + event.usage
                elif isinstance(event, Finished):
                    reply.finish_reason = event.reason
                elif isinstance(event, OptionDropped):
                    self._option_dropped(conversation, event.option)
                now = time.monotonic()
                if now - last_checkpoint >= CHECKPOINT_INTERVAL:
                    self._save(conversation)
                    last_checkpoint = now = time.monotonic()
                if now - last_yield >= YIELD_INTERVAL:
                    typing = now - getattr(self.app, "last_input", float("-inf")) < TYPING_WINDOW
                    await asyncio.sleep(YIELD_PAUSE if typing else 0)
                    last_yield = time.monotonic()
                done_at = time.monotonic()
            reply.partial = reply.finish_reason is None
            if reply.finish_reason is None:
                reply.finish_reason = "incomplete"
        except asyncio.CancelledError:
            reply.finish_reason = "cancelled"
            self._account(reply, model, estimate)
            self._end_reply(conversation, reply)
            raise
        except ChatError as error:
            reply.finish_reason = "error"
            self._account(reply, model, estimate)
            self._end_reply(conversation, reply)
            return error, reply
        self._account(reply, model, estimate)
        self._end_reply(conversation, reply)
        return None, reply

    def _account(self, reply: Message, model: str, estimate: int) -> None:
        """Usage from the server, else an estimate marked as such; and the cost at today's prices."""
        account_reply(reply, model, estimate, self.prices, local=self.settings.local)

    def _show_reasoning(
        self, conversation: Conversation, reply: Message, note: ReasoningNote | None
    ) -> ReasoningNote | None:
        if self.conversation is not conversation:
            return note
        if note is None:
            view = self.view.view_for(reply.id)
            note = ReasoningNote(reply)
            if view is not None:
                self.view.mount(note, before=view)
            else:
                self.view.mount(note)
        note.refresh_text()
        return note

    def _option_dropped(self, conversation: Conversation, option: str) -> None:
        settings = self.settings
        remembered = "for this session"
        if settings.profile != "openai" and settings.config_path is not None:
            try:
                set_profile_key(settings.config_path, settings.profile, option, False)
                remembered = f"in {settings.config_path} ([profiles.{settings.profile}] {option} = false)"
            except ConfigError:
                pass
        self._say(
            conversation,
            f"This server does not accept {option}: sent again without it, and remembered {remembered}. "
            "Token usage is now estimated (shown with ≈).",
            "warning",
        )

    def _reply_view_append(self, conversation: Conversation, reply: Message, text: str) -> None:
        if self.conversation is conversation:
            view = self.view.view_for(reply.id)
            if view is not None:
                view.append(text)

    def _end_reply(self, conversation: Conversation, reply: Message, error: ChatError | None = None) -> None:
        """Keep what arrived, mark how it ended, save, and say what went wrong."""
        visible = self.conversation is conversation
        view = self.view.view_for(reply.id) if visible else None
        if not reply.content and not reply.reasoning and reply.finish_reason in ("error", "cancelled"):
            # Nothing arrived: drop the empty reply; the user's message stays, ctrl+r retries it.
            if reply in conversation.messages:
                conversation.messages.remove(reply)
                conversation.active_leaf = reply.parent
            if view is not None:
                view.remove()
        elif view is not None:
            view.finish()
        self._save(conversation)
        if error is not None:
            self._failed(conversation, error, partial=bool(reply.content))
        self._update_status()

    # -- notices ---------------------------------------------------------------------------------------------
    def _failed(self, conversation: Conversation, error: ChatError, *, partial: bool) -> ErrorNotice | None:
        """Remember the failure (for ctrl+r) and show its sentence and ways out."""
        self._failed_kind[conversation.id] = error.kind
        if self.conversation is not conversation:
            return None
        found = way_out(
            error,
            api_key=self.settings.api_key,
            key_source=self.settings.api_key_source,
            partial=partial,
            policy=conversation.context_policy,
        )
        notice = ErrorNotice(found.text, found.actions)
        self.view.mount(notice)
        return notice

    def _say(self, conversation: Conversation, text: str, severity: str = "information") -> None:
        if self.conversation is conversation:
            self.view.add_notice(text, severity)

    def _retire_notices(self) -> list[ErrorNotice]:
        notices = list(self.view.query(ErrorNotice))
        for notice in notices:
            notice.retire()
        return notices


def _builtin_local() -> tuple[str, ...]:
    from causerie.core.settings.config import BUILTIN_PROFILES

    return tuple(name for name, profile in BUILTIN_PROFILES.items() if profile.local)


def _k(tokens: int) -> str:
    if tokens >= 1_000_000:
        return f"{tokens / 1_000_000:g}M"
    return f"{tokens // 1000}k" if tokens >= 1000 else str(tokens)
