"""The shipped price table, costs of a Usage (cached tokens priced as cached), overrides, unknown and local."""

from __future__ import annotations

import re

import pytest

from causerie.core.conversation.models import Conversation, Message, Usage
from causerie.core.settings.config import DEFAULT_MODEL
from causerie.core.usage.pricing import (
    CostTotal,
    ModelPrice,
    conversation_cost,
    cost_of,
    format_cost,
    format_total,
    shipped_prices,
)


def test_the_shipped_table_is_dated_and_prices_the_default_model() -> None:
    table = shipped_prices()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", table.date)
    luna = table.lookup(DEFAULT_MODEL)
    assert luna is not None and luna.priced and luna.context_window
    for name, entry in table.models.items():
        assert entry.input is not None and entry.output is not None, name
        assert entry.cached_input is None or entry.cached_input <= entry.input, name
        assert entry.context_window and entry.context_window >= 8000, name


def test_lookup_dated_snapshots_and_routers() -> None:
    table = shipped_prices()
    assert table.lookup("gpt-4o-mini-2024-07-18") is table.lookup("gpt-4o-mini")
    assert table.lookup("gpt-4o-2024-08-06") is table.lookup("gpt-4o")
    assert table.lookup("openai/gpt-6-luna") is table.lookup("gpt-6-luna")
    assert table.lookup("llama3.2:3b") is None
    assert table.context_window("llama3.2:3b") == table.default_context_window


def test_cost_prices_cached_tokens_as_cached() -> None:
    price = ModelPrice(input=2.0, cached_input=0.5, output=8.0)
    usage = Usage(prompt_tokens=1_000_000, completion_tokens=500_000, total_tokens=1_500_000, cached_tokens=400_000)
    assert cost_of(usage, price) == pytest.approx(600_000 * 2 / 1e6 + 400_000 * 0.5 / 1e6 + 4.0)
    no_cached_price = ModelPrice(input=2.0, output=8.0)
    assert cost_of(usage, no_cached_price) == pytest.approx(2.0 + 4.0)
    assert cost_of(usage, None) is None
    assert cost_of(usage, ModelPrice(context_window=1000)) is None


def test_user_overrides_replace_and_extend() -> None:
    table = shipped_prices().with_overrides(
        {"my-local-model": {"input": 0, "output": 0, "context_window": 8192}, "gpt-6-luna": {"output": 9.0}}
    )
    assert table.context_window("my-local-model") == 8192
    luna = table.lookup("gpt-6-luna")
    assert luna is not None and luna.output == 9.0 and luna.input == shipped_prices().lookup("gpt-6-luna").input
    with pytest.raises(ValueError):
        shipped_prices().with_overrides({"x": {"input": "cheap"}})


def test_conversation_cost_unknown_and_free() -> None:
    table = shipped_prices()
    conversation = Conversation()
    conversation.append(Message("user", "q"))
    conversation.append(Message("assistant", "a", model="gpt-6-luna", usage=Usage(1000, 1000, 2000)))
    total = conversation_cost(conversation, table)
    assert total.known == pytest.approx(1000 * 0.10 / 1e6 + 1000 * 0.50 / 1e6) and total.unknown == 0
    conversation.append(Message("assistant", "b", model="mystery-model", usage=Usage(10, 10, 20)))
    total = conversation_cost(conversation, table)
    assert total.unknown == 1 and format_total(total).endswith("+ unknown")
    assert format_total(conversation_cost(conversation, table, local=True)) == "free"
    assert format_total(CostTotal(unknown=2)) == "cost unknown"


def test_format_cost() -> None:
    assert format_cost(None) == "cost unknown"
    assert format_cost(0.0, free=True) == "free"
    assert format_cost(0.00123) == "$0.0012"
    assert format_cost(1.5, estimated=True) == "≈$1.50"


def test_costs_are_stored_per_reply_and_totalled_in_the_file() -> None:
    conversation = Conversation()
    conversation.append(Message("user", "q"))
    conversation.append(Message("assistant", "a", usage=Usage(1, 2, 3), cost=0.25))
    conversation.append(Message("assistant", "b", usage=Usage(1, 2, 3), cost=0.5))
    data = conversation.to_dict()
    assert data["cost"] == 0.75
    again = Conversation.from_dict(data)
    assert [m.cost for m in again.messages] == [None, 0.25, 0.5]
    assert "cost" not in again.extra


def test_price_overrides_from_config(causerie_home) -> None:
    from causerie.core.settings import paths
    from causerie.core.settings.config import ConfigError, load_settings

    path = paths.config_file({"CAUSERIE_HOME": str(causerie_home)})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[prices."my-model"]\ninput = 1.0\noutput = 2.0\ncontext_window = 4096\n')
    settings = load_settings({}, {"CAUSERIE_HOME": str(causerie_home)})
    table = shipped_prices().with_overrides(settings.prices)
    assert table.context_window("my-model") == 4096
    path.write_text('model = "x"\n\n[prices."my-model"]\ninput = "cheap"\n')
    with pytest.raises(ConfigError, match=r"line 3: prices.my-model"):
        load_settings({}, {"CAUSERIE_HOME": str(causerie_home)})


def test_account_reply_estimates_missing_usage_and_prices_it() -> None:
    from causerie.core.usage.pricing import account_reply

    reply = Message("assistant", "x" * 400, model="gpt-6-luna")
    account_reply(reply, "gpt-6-luna", 1000)
    assert reply.usage == Usage(1000, 100, 1100, estimated=True)
    assert reply.cost == pytest.approx((1000 * 0.10 + 100 * 0.50) / 1e6)
    local = Message("assistant", "y", model="llama3")
    account_reply(local, "llama3", 10, local=True)
    assert local.usage is not None and local.cost is None
    reported = Message("assistant", "z", model="mystery", usage=Usage(5, 5, 10))
    account_reply(reported, "mystery", 999)
    assert reported.usage == Usage(5, 5, 10) and reported.cost is None
    empty = Message("assistant", "", model="gpt-6-luna")
    account_reply(empty, "gpt-6-luna", 10)
    assert empty.usage is None
