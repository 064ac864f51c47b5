"""Tool calls as streamed deltas, the way OpenAI sends them and the way Ollama does."""

from __future__ import annotations

from typing import Any

from causerie.testing.fake_openai.replies import Reply, ToolCallSpec


def call_id(spec: ToolCallSpec, position: int) -> str:
    """The id a call is streamed with."""
    return spec.id or f"call_{position}"


def tool_call_deltas(reply: Reply) -> list[dict[str, Any]]:
    """The `delta` objects that carry the reply's tool calls, in order.

    OpenAI: a first delta with index, id, type and name (empty arguments), then the arguments in small pieces under
    the same index. Ollama: each call complete in one delta, all at index 0, told apart only by their ids.
    """
    deltas: list[dict[str, Any]] = []
    for position, spec in enumerate(reply.tool_calls):
        ident = call_id(spec, position)
        if reply.tool_style == "ollama":
            whole = {
                "index": 0,
                "id": ident,
                "type": "function",
                "function": {"name": spec.name, "arguments": spec.arguments},
            }
            deltas.append({"role": "assistant", "content": "", "tool_calls": [whole]})
            continue
        head = {"index": position, "id": ident, "type": "function", "function": {"name": spec.name, "arguments": ""}}
        deltas.append({"tool_calls": [head]})
        text = spec.arguments
        for start in range(0, len(text), 7):
            deltas.append({"tool_calls": [{"index": position, "function": {"arguments": text[start : start + 7]}}]})
    return deltas


def finish_reason(reply: Reply) -> str | None:
    """`tool_calls` when the reply calls tools and its script kept the default `stop`."""
    if reply.tool_calls and reply.finish_reason == "stop":
        return "tool_calls"
    return reply.finish_reason
