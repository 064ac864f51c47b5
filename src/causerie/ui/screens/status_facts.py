"""StatusFacts: the cost and the context meter of the status line, computed only when the conversation changed.

The context plan walks the whole active path: it ran on every worker state change before (several times per reply).
"""

from __future__ import annotations

from collections.abc import Callable

from causerie.core.chat.params import ParamError, RequestParams
from causerie.core.conversation.context import DEFAULT_REPLY_RESERVE, plan
from causerie.core.conversation.endings import ending_of, is_continuable
from causerie.core.conversation.models import Conversation
from causerie.core.engine.engine import Engine
from causerie.core.engine.factory import price_table
from causerie.core.settings.config import Settings
from causerie.core.usage.pricing import PriceTable, conversation_cost, format_total
from causerie.ui.widgets.status import StatusLine


class StatusFacts:
    """Remembers the last (conversation state -> facts) so an unchanged conversation costs nothing."""

    def __init__(self) -> None:
        self._last: tuple[tuple, tuple[str, str]] | None = None

    def show(
        self,
        line: StatusLine,
        conversation: Conversation,
        settings: Settings,
        engine: Engine | None,
        *,
        streaming: bool,
        pending: int = 0,
        key: Callable[[str], str],
    ) -> None:
        """Show the profile, model, tokens, cost and context meter of `conversation` on the status line.

        `pending`: tokens of what the next message will add before it is sent (its attachments); `key(binding_id)`:
        the key a hint names.
        """
        model = conversation.model or settings.model
        prices = engine.prices if engine is not None else price_table(settings)
        cost, context = self.of(
            conversation,
            prices=prices,
            window=engine.context_window(model) if engine is not None else prices.context_window(model),
            reserve=engine.reply_reserve if engine is not None else DEFAULT_REPLY_RESERVE,
            local=settings.local,
            pending=pending,
        )
        last = next((m.usage for m in reversed(conversation.active_path()) if m.usage is not None), None)
        line.show(
            profile=settings.profile,
            model=model,
            last=last,
            total=conversation.total_usage(),
            state=turn_state(conversation, streaming, key),
            cost=cost,
            context=context,
            effort=next_effort(conversation, model, settings, engine) or "",
        )

    def of(
        self,
        conversation: Conversation,
        *,
        prices: PriceTable,
        window: int,
        reserve: int,
        local: bool,
        pending: int = 0,
    ) -> tuple[str, str]:
        """(cost of the conversation, context meter) for the status line."""
        last = conversation.messages[-1] if conversation.messages else None
        key = (
            id(conversation),
            len(conversation.messages),
            (len(last.content), last.usage) if last is not None else None,
            conversation.active_leaf,
            conversation.model,
            conversation.system_prompt,
            conversation.updated_at,
            window,
            reserve,
            local,
            pending,
        )
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        total = conversation_cost(conversation, prices, local=local)
        replied = any(m.usage is not None for m in conversation.messages)
        cost = format_total(total) if replied else ""
        estimate = plan(conversation, window, reserve=reserve, policy="off", with_messages=False)
        percent = 100.0 * (estimate.tokens + pending) / window if window else 0.0
        facts = (cost, f"context ≈{percent:.0f}% of {short_count(window)}")
        self._last = (key, facts)
        return facts


def turn_state(conversation: Conversation, streaming: bool, key: Callable[[str], str]) -> str:
    """How the last turn stands, which the status line never leaves out: writing, stopped, failed, cut off; with the
    key that goes on from there (`key(binding_id)`: the key as the user's keymap has it)."""
    if streaming:
        return "writing…"
    path = conversation.active_path()
    if not path:
        return ""
    last = path[-1]
    if last.role == "user":
        return f"no reply ({key('chat.regenerate')})"
    if last.role == "tool":
        return "stopped"  # the tool loop ended before the model answered the results
    if last.role == "assistant":
        ending = ending_of(last)
        if ending is None:
            return ""
        return f"{ending.short} ({key('chat.continue')})" if is_continuable(last) else ending.short
    return ""


def next_effort(conversation: Conversation, model: str, settings: Settings, engine: Engine | None) -> str | None:
    """The reasoning effort the next request of `conversation` sends, if one is set (profile or conversation)."""
    if engine is not None:
        return engine.turn_params(conversation, model).sent.reasoning_effort
    try:
        return settings.params.merged(RequestParams.from_dict(conversation.params or None)).reasoning_effort
    except ParamError:
        return settings.params.reasoning_effort


def short_count(tokens: int) -> str:
    """1,050,000 -> 1.05M, 128,000 -> 128k."""
    if tokens >= 1_000_000:
        return f"{tokens / 1_000_000:g}M"
    return f"{tokens // 1000}k" if tokens >= 1000 else str(tokens)
