"""One round of tool calls: approve each call the config does not allow, run it, answer it with a `tool` message.

The engine calls `run_round` with the calls of one reply, appends the messages it gives (in the calls' order) and
asks the model again. Every call gets exactly one answer, even when the round is cancelled, so the conversation
stays valid for the next request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

from causerie.core.conversation.models import Message, ToolCall
from causerie.core.tools.approval import Approver, Decision, PendingCall, ToolPolicy
from causerie.core.tools.results import ToolResult
from causerie.core.tools.servers import ToolServers
from causerie.core.tools.switches import SWITCHED_OFF, is_switched_off

DECLINED = "The user declined this tool call."
CANCELLED = "cancelled by the user"


def tool_message(call: ToolCall, result: ToolResult) -> Message:
    """The `tool` message answering `call` (its parent is set when the engine appends it)."""
    return Message(
        role="tool",
        content=result.text,
        tool_call_id=call.id,
        name=call.name,
        is_error=result.is_error,
        duration_s=round(result.duration_s, 3),
    )


def cancelled_messages(calls: list[ToolCall], answered: set[str]) -> list[Message]:
    """ "cancelled by the user" for every call not in `answered` (ids): after Esc, or after a crash mid-round."""
    return [tool_message(c, ToolResult(CANCELLED, True, 0.0)) for c in calls if c.id not in answered]


async def run_round(
    calls: list[ToolCall],
    servers: ToolServers,
    approver: Approver,
    policy: ToolPolicy,
    *,
    on_message: Callable[[Message], None] | None = None,
    on_notice: Callable[[str], None] | None = None,
    disabled: Iterable[str] = (),
) -> list[Message]:
    """Run one reply's calls in order and return one `tool` message per call, in the calls' order.

    Args:
        calls: the assembled calls of the reply (ToolCallsRequested.calls).
        servers: the running tool servers.
        approver: asked for each call the policy does not allow (a denied call is answered DECLINED).
        policy: what runs without asking; "always allow" is saved through it.
        on_message: called with each message as soon as it exists (to show and checkpoint it).
        on_notice: called with a sentence for the user (e.g. "always allow" could not be saved).
        disabled: the conversation's switched-off keys (core/tools/switches.py): a call to one of those tools is
            answered SWITCHED_OFF, neither asked about nor run (it was not offered; a model may call it anyway).

    Returns:
        The `tool` messages. If the round is cancelled, every call without an answer gets CANCELLED (passed to
        `on_message` too) and asyncio.CancelledError is raised again.
    """
    messages: list[Message] = []

    def answer(call: ToolCall, result: ToolResult) -> None:
        message = tool_message(call, result)
        messages.append(message)
        if on_message is not None:
            on_message(message)

    disabled = frozenset(disabled)

    def switched_off(call: ToolCall) -> bool:
        spec = servers.spec(call.name)
        return spec is not None and is_switched_off(spec.server, spec.tool, disabled)

    asking = [
        c for c in calls if (s := servers.spec(c.name)) is not None and not switched_off(c) and not policy.allows(s)
    ]
    try:
        for call in calls:
            spec = servers.spec(call.name)
            if spec is None:
                answer(call, ToolResult(f"There is no tool named {call.name!r}.", True, 0.0))
                continue
            if switched_off(call):
                answer(call, ToolResult(SWITCHED_OFF, True, 0.0))
                continue
            if not policy.allows(spec):
                pending = PendingCall(call, spec, asking.index(call) + 1, len(asking))
                decision = await approver.approve(pending)
                if decision is Decision.DENY:
                    answer(call, ToolResult(DECLINED, True, 0.0))
                    continue
                if decision is Decision.ALWAYS:
                    problem = policy.always_allow(spec)
                    if problem and on_notice is not None:
                        on_notice(f"{spec.tool} is allowed for this session, but it could not be saved: {problem}")
            answer(call, await servers.call(call.name, call.arguments))
    except asyncio.CancelledError:
        for message in cancelled_messages(calls, {m.tool_call_id for m in messages if m.tool_call_id}):
            messages.append(message)
            if on_message is not None:
                on_message(message)
        raise
    return messages
