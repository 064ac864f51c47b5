"""Usage across all conversations: tokens and cost per day, per model and per reasoning effort, from each reply's
stored usage."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from causerie.core.conversation.fields import shown_time
from causerie.core.conversation.models import Conversation, effort_of
from causerie.core.usage.pricing import PriceTable, cost_of


@dataclass
class Bucket:
    """Totals of one day or one model."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    reasoning_tokens: int = 0
    replies: int = 0
    cost: float = 0.0
    unpriced: int = 0  # replies whose cost is unknown
    estimated: bool = False  # some usage was estimated, not reported by the server

    @property
    def total_tokens(self) -> int:
        """Prompt plus completion tokens."""
        return self.prompt_tokens + self.completion_tokens


@dataclass
class UsageSummary:
    """Totals per day (ISO date, UTC), per model, per reasoning effort (replies asked with one), and overall."""

    days: dict[str, Bucket] = field(default_factory=dict)
    models: dict[str, Bucket] = field(default_factory=dict)
    efforts: dict[str, Bucket] = field(default_factory=dict)
    total: Bucket = field(default_factory=Bucket)
    conversations: int = 0

    def daily_series(self, last: int = 30, today: date | None = None) -> list[tuple[str, int]]:
        """(day, total tokens) for the `last` days up to `today`, zero for days without replies."""
        known = [date.fromisoformat(day) for day in self.days if day != UNKNOWN_DAY]
        end = today or (max(known) if known else date.today())
        return [
            (
                (end - timedelta(days=n)).isoformat(),
                self.days.get((end - timedelta(days=n)).isoformat(), Bucket()).total_tokens,
            )
            for n in range(last - 1, -1, -1)
        ]


UNKNOWN_DAY = "unknown day"
"""Where a reply goes whose stored time is not a time (a file written by hand or by another program)."""


def _day(stamp: str) -> str:
    return shown_time(stamp, minutes=False) or UNKNOWN_DAY


def _add(bucket: Bucket, usage, cost: float | None) -> None:
    bucket.prompt_tokens += usage.prompt_tokens
    bucket.completion_tokens += usage.completion_tokens
    bucket.cached_tokens += usage.cached_tokens
    bucket.reasoning_tokens += usage.reasoning_tokens
    bucket.replies += 1
    bucket.estimated = bucket.estimated or usage.estimated
    if cost is None:
        bucket.unpriced += 1
    else:
        bucket.cost += cost


def summarize_usage(
    conversations: Iterable[Conversation], prices: PriceTable, *, local_profiles: Iterable[str] = ()
) -> UsageSummary:
    """Add up every reply (and stored summary) with usage, by the day it was received and its model.

    A stored per-reply cost wins (the price of that day); otherwise the reply is priced with `prices` now.
    Replies from profiles in `local_profiles` cost nothing.
    """
    local = set(local_profiles)
    summary = UsageSummary()
    for conversation in conversations:
        summary.conversations += 1
        for message in conversation.messages:
            usage = message.usage
            if usage is None:
                continue
            model = message.model or conversation.model or "unknown model"
            if conversation.profile in local:
                cost: float | None = 0.0
            elif message.cost is not None:
                cost = message.cost
            else:
                cost = cost_of(usage, prices.lookup(model))
            day = _day(message.created_at or conversation.created_at)
            _add(summary.days.setdefault(day, Bucket()), usage, cost)
            _add(summary.models.setdefault(model, Bucket()), usage, cost)
            if (effort := effort_of(message)) is not None:
                _add(summary.efforts.setdefault(effort, Bucket()), usage, cost)
            _add(summary.total, usage, cost)
    return summary
