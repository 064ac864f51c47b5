"""Assembling streamed `tool_calls` deltas into whole calls, by index and by id.

OpenAI streams one call per index: a first delta with the id and the name, then pieces of the arguments under the
same index. Ollama sends parallel calls whole, each in its own delta and all at index 0: a delta whose id differs
from the call being assembled at that index starts a new call.
"""

from __future__ import annotations

import json
from typing import Any

from causerie.core.conversation.tool_calls import ToolCall


class ToolCallAssembler:
    """Collects the `tool_calls` deltas of one reply; `calls()` gives them whole, in the order they began."""

    def __init__(self) -> None:
        self._calls: list[dict[str, str]] = []
        self._at_index: dict[int, dict[str, str]] = {}

    def feed(self, deltas: Any) -> None:
        """Add the `tool_calls` list of one delta (anything that is not a list of objects is ignored)."""
        if not isinstance(deltas, list):
            return
        for delta in deltas:
            if not isinstance(delta, dict):
                continue
            index = delta.get("index")
            index = index if isinstance(index, int) and not isinstance(index, bool) else len(self._calls)
            ident = delta.get("id") if isinstance(delta.get("id"), str) else ""
            current = self._at_index.get(index)
            if current is None or (ident and current["id"] and ident != current["id"]):
                current = {"id": ident, "name": "", "arguments": ""}
                self._calls.append(current)
                self._at_index[index] = current
            elif ident and not current["id"]:
                current["id"] = ident
            function = delta.get("function")
            if isinstance(function, dict):
                name = function.get("name")
                if isinstance(name, str) and name and not current["name"]:
                    current["name"] = name
                arguments = function.get("arguments")
                if isinstance(arguments, str):
                    current["arguments"] += arguments
                elif isinstance(arguments, dict):  # a server that sends the arguments as an object
                    current["arguments"] += json.dumps(arguments, ensure_ascii=False)

    def calls(self) -> list[ToolCall]:
        """The assembled calls; a call without an id gets one (`call_<n>`), one without a name is left out."""
        result: list[ToolCall] = []
        used = {c["id"] for c in self._calls if c["id"]}
        for position, call in enumerate(self._calls):
            if not call["name"]:
                continue
            ident = call["id"]
            if not ident:
                ident = f"call_{position}"
                while ident in used:
                    ident += "_"
                used.add(ident)
            result.append(ToolCall(ident, call["name"], call["arguments"]))
        return result
