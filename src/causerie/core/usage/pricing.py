"""Prices and context windows of models (a dated data file shipped in the package) and the cost of a Usage."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from causerie.core.chat.params import EFFORTS
from causerie.core.conversation.models import Conversation, Message, Usage

DEFAULT_CONTEXT_WINDOW = 128_000
PER = 1_000_000


@dataclass(frozen=True)
class ModelPrice:
    """Dollars per 1M tokens (None when unknown) and the context window in tokens (None when unknown)."""

    input: float | None = None
    cached_input: float | None = None
    output: float | None = None
    context_window: int | None = None
    # Reasoning efforts the model takes: None when unknown, () for a model without reasoning (then it takes
    # temperature and top_p; a reasoning model does not).
    efforts: tuple[str, ...] | None = None

    @property
    def priced(self) -> bool:
        """Whether a cost can be computed."""
        return self.input is not None and self.output is not None


@dataclass(frozen=True)
class PriceTable:
    """The shipped table plus the user's overrides."""

    date: str = ""
    models: dict[str, ModelPrice] = field(default_factory=dict)
    default_context_window: int = DEFAULT_CONTEXT_WINDOW

    def lookup(self, model: str) -> ModelPrice | None:
        """The entry for `model`: exact name first, then the longest known prefix (dated snapshots)."""
        if not model:
            return None
        name = model.split("/")[-1].lower()  # "openai/gpt-6-luna" from a router
        if name in self.models:
            return self.models[name]
        best = None
        for known in self.models:
            if name.startswith(known + "-") and (best is None or len(known) > len(best)):
                best = known
        return self.models[best] if best is not None else None

    def context_window(self, model: str) -> int:
        """The model's context window, or the default when unknown."""
        entry = self.lookup(model)
        if entry is not None and entry.context_window:
            return entry.context_window
        return self.default_context_window

    def with_overrides(self, overrides: dict[str, Any] | None) -> PriceTable:
        """A table where user entries (same keys as the data file) replace or extend shipped ones."""
        if not overrides:
            return self
        models = dict(self.models)
        for name, raw in overrides.items():
            base = models.get(name.lower(), ModelPrice())
            models[name.lower()] = _merge(base, raw)
        return PriceTable(self.date, models, self.default_context_window)


def _number(raw: dict[str, Any], key: str) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{key!r} must be a non-negative number")
    return float(value)


def _merge(base: ModelPrice, raw: Any) -> ModelPrice:
    if not isinstance(raw, dict):
        raise ValueError("a price entry must be a table")
    window = raw.get("context_window", base.context_window)
    if window is not None and (isinstance(window, bool) or not isinstance(window, int) or window <= 0):
        raise ValueError("'context_window' must be a positive integer")
    values = {k: _number(raw, k) for k in ("input", "cached_input", "output") if k in raw}
    efforts = raw.get("efforts", base.efforts)
    if efforts is not None:
        if not isinstance(efforts, list | tuple) or any(e not in EFFORTS for e in efforts):
            raise ValueError(f"'efforts' must be a list of {', '.join(EFFORTS)} ([] for a model without reasoning)")
        efforts = tuple(efforts)
    return ModelPrice(
        input=values.get("input", base.input),
        cached_input=values.get("cached_input", base.cached_input),
        output=values.get("output", base.output),
        context_window=window,
        efforts=efforts,
    )


def parse_price_table(data: dict[str, Any]) -> PriceTable:
    """Build a PriceTable from the data file's parsed TOML; raises ValueError on a malformed entry."""
    models = {name.lower(): _merge(ModelPrice(), raw) for name, raw in (data.get("models") or {}).items()}
    return PriceTable(
        date=str(data.get("date", "")),
        models=models,
        default_context_window=int(data.get("default_context_window", DEFAULT_CONTEXT_WINDOW)),
    )


@lru_cache(maxsize=1)
def shipped_prices() -> PriceTable:
    """The price table shipped with causerie (`core/prices.toml`)."""
    text = resources.files("causerie.core.usage").joinpath("prices.toml").read_text(encoding="utf-8")
    return parse_price_table(tomllib.loads(text))


def cost_of(usage: Usage, price: ModelPrice | None) -> float | None:
    """Dollars for one reply's usage (cached prompt tokens at the cached price), or None when unknown."""
    if price is None or not price.priced:
        return None
    assert price.input is not None and price.output is not None
    cached = min(usage.cached_tokens, usage.prompt_tokens)
    cached_price = price.cached_input if price.cached_input is not None else price.input
    fresh = usage.prompt_tokens - cached
    return (fresh * price.input + cached * cached_price + usage.completion_tokens * price.output) / PER


@dataclass(frozen=True)
class CostTotal:
    """A sum of costs: `known` dollars, and whether some replies could not be priced or were estimated."""

    known: float = 0.0
    unknown: int = 0
    estimated: bool = False
    free: bool = False


def conversation_cost(conversation: Conversation, table: PriceTable, *, local: bool = False) -> CostTotal:
    """The cost of every reply in a conversation (stored per-reply costs first, else priced now)."""
    if local:
        return CostTotal(free=True)
    known = 0.0
    unknown = 0
    estimated = False
    for message in conversation.messages:
        if message.usage is None:
            continue
        cost = message.cost if message.cost is not None else cost_of(message.usage, table.lookup(message.model or ""))
        if cost is None:
            unknown += 1
        else:
            known += cost
            estimated = estimated or message.usage.estimated
    return CostTotal(known, unknown, estimated)


def format_cost(value: float | None, *, estimated: bool = False, free: bool = False) -> str:
    """`$0.0123`, `≈$0.01`, `free`, or `cost unknown`."""
    if free:
        return "free"
    if value is None:
        return "cost unknown"
    mark = "≈" if estimated else ""
    if value == 0:
        return f"{mark}$0"
    if value < 0.01:
        return f"{mark}${value:.4f}"
    return f"{mark}${value:.2f}"


def format_total(total: CostTotal) -> str:
    """A conversation's cost for the status line (says when part of it could not be priced)."""
    if total.free:
        return "free"
    if total.unknown and not total.known:
        return "cost unknown"
    text = format_cost(total.known, estimated=total.estimated)
    return f"{text} + unknown" if total.unknown else text


def account_reply(
    reply: Message, model: str, prompt_estimate: int, table: PriceTable | None = None, *, local: bool = False
) -> None:
    """After a reply ends: usage from the server, else an estimate marked as such; and its cost at today's prices.

    `prompt_estimate` is the (calibrated) token estimate of what was sent. Local servers cost nothing (cost None,
    shown as "free" by the caller).
    """
    from causerie.core.conversation.context import estimate_text

    if reply.usage is None and (reply.content or reply.reasoning):
        completion = estimate_text(reply.content + reply.reasoning)
        reply.usage = Usage(prompt_estimate, completion, prompt_estimate + completion, estimated=True)
    if reply.usage is not None:
        reply.cost = None if local else cost_of(reply.usage, (table or shipped_prices()).lookup(model))
