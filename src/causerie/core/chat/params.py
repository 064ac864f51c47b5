"""RequestParams: the reasoning and sampling controls of a request, one type from every source to the wire.

Layers are merged in one order: profile defaults (config.toml) < conversation settings (F3) < command line
(`causerie ask --temperature ...`). Nothing unset is ever sent: servers differ in what they accept.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from typing import Any

EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh")
"""Reasoning efforts accepted from config and the command line (servers and models take a subset)."""
DEFAULT_EFFORTS = ("minimal", "low", "medium", "high")
"""What F3 offers for a model the table does not describe."""
CONTROLS = ("reasoning_effort", "temperature", "top_p", "max_tokens", "seed")
SAMPLING = ("temperature", "top_p")
# Body keys causerie sets itself: an `extra` field of the same name would silently replace them.
RESERVED = frozenset(("model", "messages", "stream", "stream_options", "tools", "max_completion_tokens", *CONTROLS))
SEED_RANGE = (-(2**63), 2**63 - 1)


class ParamError(ValueError):
    """A control has a value no server would take (the message says which and what is allowed)."""


def _number(name: str, value: Any, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ParamError(f"{name} must be a number from {low:g} to {high:g}")
    if not low <= value <= high:
        raise ParamError(f"{name} must be from {low:g} to {high:g} (not {value:g})")
    return float(value)


def _whole(name: str, value: Any, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParamError(f"{name} must be a whole number")
    if value < low or (high is not None and value > high):
        raise ParamError(f"{name} must be {low} or more" if high is None else f"{name} is out of range")
    return value


def check(name: str, value: Any) -> Any:
    """`value` checked for the control `name` (a number as a float for temperature/top_p); raises ParamError."""
    if name == "reasoning_effort":
        if value not in EFFORTS:
            raise ParamError(f"reasoning_effort must be one of {', '.join(EFFORTS)} (not {value!r})")
        return value
    if name == "temperature":
        return _number(name, value, 0.0, 2.0)
    if name == "top_p":
        return _number(name, value, 0.0, 1.0)
    if name == "max_tokens":
        return _whole(name, value, 1)
    if name == "seed":
        return _whole(name, value, *SEED_RANGE)
    raise ParamError(f"unknown control {name!r}")


def check_extra(extra: Any) -> dict[str, Any]:
    """Free-form body fields: a JSON object whose keys do not replace what causerie sets; raises ParamError."""
    if not isinstance(extra, dict):
        raise ParamError('extra body fields must be a JSON object, e.g. {"top_k": 40}')
    for key in extra:
        if not isinstance(key, str) or not key:
            raise ParamError("extra body field names must be non-empty strings")
        if key in RESERVED:
            hint = f"use the {key} setting" if key in CONTROLS else "causerie sets it"
            raise ParamError(f"{key!r} cannot be an extra body field ({hint})")
    try:
        json.dumps(extra, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        raise ParamError("extra body fields must be plain JSON values (no NaN or infinity)") from None
    return dict(extra)


def parse_extra_json(text: str) -> dict[str, Any]:
    """The extra body fields typed as JSON text ("" is none); raises ParamError with the parser's reason."""
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ParamError(f"not valid JSON: {exc}") from None
    return check_extra(value)


def parse_assignment(text: str) -> tuple[str, Any]:
    """`KEY=VALUE` of `--param`: VALUE parsed as JSON, else taken as a string; raises ParamError."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ParamError(f"--param takes KEY=VALUE (not {text!r})")
    try:
        value: Any = json.loads(raw)
    except ValueError:
        value = raw
    check_extra({key: value})
    return key, value


@dataclass(frozen=True)
class RequestParams:
    """The controls of one request; None (or absent from `extra`) means unset: not sent."""

    reasoning_effort: str | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    seed: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in CONTROLS:
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, check(name, value))
        object.__setattr__(self, "extra", check_extra(self.extra))

    @property
    def empty(self) -> bool:
        """Whether nothing is set."""
        return not self.names()

    def names(self) -> list[str]:
        """The controls set, then the extra field names (as the server would name them)."""
        return [name for name in CONTROLS if getattr(self, name) is not None] + list(self.extra)

    def merged(self, over: RequestParams) -> RequestParams:
        """These values with those set in `over` on top (extra fields merged key by key)."""
        values = {name: getattr(over, name) for name in CONTROLS if getattr(over, name) is not None}
        return replace(self, **values, extra={**self.extra, **over.extra})

    def without(self, *names: str) -> RequestParams:
        """A copy with these controls or extra fields unset."""
        values = {name: None for name in names if name in CONTROLS}
        return replace(self, **values, extra={k: v for k, v in self.extra.items() if k not in names})

    def request_kwargs(self, max_tokens_param: str = "max_completion_tokens") -> dict[str, Any]:
        """The SDK's keyword arguments: only what is set; the output cap under the server's name for it."""
        kwargs: dict[str, Any] = {}
        for name in ("reasoning_effort", "temperature", "top_p", "seed"):
            if getattr(self, name) is not None:
                kwargs[name] = getattr(self, name)
        if self.max_tokens is not None:
            kwargs[max_tokens_param] = self.max_tokens
        if self.extra:
            kwargs["extra_body"] = dict(self.extra)
        return kwargs

    def to_dict(self) -> dict[str, Any]:
        """JSON form: the controls set, and `extra` when there are extra fields."""
        data: dict[str, Any] = {name: getattr(self, name) for name in CONTROLS if getattr(self, name) is not None}
        if self.extra:
            data["extra"] = dict(self.extra)
        return data

    @classmethod
    def from_dict(cls, data: Any) -> RequestParams:
        """Parse the JSON form (a conversation's settings, a profile's table); raises ParamError."""
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise ParamError("the settings must be an object")
        unknown = [key for key in data if key not in (*CONTROLS, "extra")]
        if unknown:
            raise ParamError(f"unknown setting {unknown[0]!r}")
        values = {name: data.get(name) for name in CONTROLS}
        if isinstance(values["temperature"], int) and not isinstance(values["temperature"], bool):
            values["temperature"] = float(values["temperature"])
        return cls(**values, extra=data.get("extra") or {})


def controls_offered(efforts: tuple[str, ...] | None, refused: set[str] | frozenset[str] = frozenset()) -> set[str]:
    """The controls to offer for a model: `efforts` from the model table (None: unknown model, () : no reasoning).

    A reasoning model takes an effort but not temperature / top_p; a model without reasoning takes no effort.
    Anything the server refused for this model (learned from its 400s) is left out too.
    """
    offered = set(CONTROLS)
    if efforts is not None:
        if efforts:
            offered -= set(SAMPLING)
        else:
            offered.discard("reasoning_effort")
    return offered - set(refused)


def efforts_offered(efforts: tuple[str, ...] | None) -> tuple[str, ...]:
    """The efforts F3 offers: the model table's list, or the common ones for an unknown model."""
    return efforts if efforts else DEFAULT_EFFORTS
