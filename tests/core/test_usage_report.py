"""Usage totals per day and per model across conversations."""

from __future__ import annotations

from datetime import date

import pytest

from causerie.core.conversation.models import Conversation, Message, Usage
from causerie.core.usage.pricing import shipped_prices
from causerie.core.usage.usage_report import UNKNOWN_DAY, summarize_usage


def reply(day: str, model: str, prompt: int, completion: int, **kw) -> Message:
    message = Message("assistant", "a", model=model, usage=Usage(prompt, completion, prompt + completion, **kw))
    message.created_at = f"{day}T10:00:00.000000Z"
    return message


def test_totals_per_day_and_model() -> None:
    first = Conversation(model="gpt-6-luna", profile="openai")
    first.append(Message("user", "q"))
    first.append(reply("2026-11-20", "gpt-6-luna", 1_000_000, 0))
    first.append(reply("2026-11-21", "gpt-6-luna", 0, 1_000_000))
    second = Conversation(model="mystery", profile="openai")
    second.append(reply("2026-11-21", "mystery", 10, 10, estimated=True))
    local = Conversation(model="llama3", profile="ollama")
    local.append(reply("2026-11-21", "llama3", 5, 5))
    summary = summarize_usage([first, second, local], shipped_prices(), local_profiles=["ollama"])
    assert summary.conversations == 3
    assert summary.days["2026-11-20"].cost == pytest.approx(0.10)
    day = summary.days["2026-11-21"]
    assert day.replies == 3 and day.cost == pytest.approx(0.50) and day.unpriced == 1 and day.estimated
    assert summary.models["llama3"].cost == 0 and summary.models["llama3"].unpriced == 0
    assert summary.models["mystery"].unpriced == 1
    assert summary.total.total_tokens == 2_000_030
    series = summary.daily_series(3, today=date(2026, 11, 22))
    assert series == [("2026-11-20", 1_000_000), ("2026-11-21", 1_000_030), ("2026-11-22", 0)]


def test_a_time_that_is_not_a_time_is_counted_under_an_unknown_day() -> None:
    conversation = Conversation(model="gpt-6-luna", profile="openai")
    conversation.append(reply("2026-11-20", "gpt-6-luna", 10, 10))
    conversation.append(reply("2026-11-21", "gpt-6-luna", 1, 1))
    conversation.messages[-1].created_at = "\x1b]0;x\x07 not a time"
    summary = summarize_usage([conversation], shipped_prices())
    assert sorted(summary.days) == ["2026-11-20", UNKNOWN_DAY]
    assert summary.days[UNKNOWN_DAY].total_tokens == 2 and summary.total.total_tokens == 22
    assert summary.daily_series(2) == [("2026-11-19", 0), ("2026-11-20", 20)]  # the chart ends at the last known day


def test_stored_cost_wins_over_todays_prices() -> None:
    conversation = Conversation(model="gpt-6-luna")
    message = reply("2026-11-20", "gpt-6-luna", 1_000_000, 0)
    message.cost = 7.0
    conversation.append(message)
    assert summarize_usage([conversation], shipped_prices()).total.cost == 7.0


def test_cost_split_by_reasoning_effort_where_it_was_set() -> None:
    conversation = Conversation(model="gpt-6-luna", profile="openai")
    conversation.append(Message("user", "q"))
    high = conversation.append(reply("2026-11-21", "gpt-6-luna", 0, 1_000_000, reasoning_tokens=900_000))
    high.params = {"reasoning_effort": "high", "seed": 1}
    low = conversation.append(reply("2026-11-21", "gpt-6-luna", 0, 100_000))
    low.params = {"reasoning_effort": "low"}
    conversation.append(reply("2026-11-21", "gpt-6-luna", 1_000_000, 0))  # no effort set: in no split
    summary = summarize_usage([conversation], shipped_prices())
    assert set(summary.efforts) == {"high", "low"}
    assert summary.efforts["high"].cost == pytest.approx(0.50)
    assert summary.efforts["high"].reasoning_tokens == 900_000
    assert summary.efforts["low"].cost == pytest.approx(0.05) and summary.efforts["low"].replies == 1
    assert summary.total.cost == pytest.approx(0.65)
