"""ToolCall: one function call a model asked for, stored and sent in the Chat Completions shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class ToolCallError(ValueError):
    """A stored tool call does not have the shape causerie writes."""


@dataclass
class ToolCall:
    """A call the model asked for: its id (answered by a `tool` message), the exposed tool name, the arguments.

    `arguments` is the JSON text exactly as the model streamed it (it may be invalid: the tool round answers that
    with an error result, and the text is sent back unchanged so the model sees what it wrote).
    """

    id: str
    name: str
    arguments: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)  # keys a newer causerie wrote

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, which is also the request's form: {id, type, function: {name, arguments}}."""
        data: dict[str, Any] = {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": self.arguments},
        }
        data.update({k: v for k, v in self.extra.items() if k not in data})
        return data

    @classmethod
    def from_dict(cls, data: Any) -> ToolCall:
        """Parse the JSON form; raises ToolCallError."""
        if not isinstance(data, dict):
            raise ToolCallError("a tool call must be an object")
        function = data.get("function")
        if not isinstance(function, dict):
            raise ToolCallError("a tool call needs a 'function' object")
        call_id, name, arguments = data.get("id"), function.get("name"), function.get("arguments", "")
        if not isinstance(call_id, str) or not call_id:
            raise ToolCallError("a tool call id must be a non-empty string")
        if not isinstance(name, str) or not name:
            raise ToolCallError("a tool call's function name must be a non-empty string")
        if not isinstance(arguments, str):
            raise ToolCallError("a tool call's arguments must be a string")
        extra = {k: v for k, v in data.items() if k not in ("id", "type", "function")}
        return cls(call_id, name, arguments, extra)
