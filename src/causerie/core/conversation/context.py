"""What is sent to the model each turn, and whether it fits: token estimates, the budget, the trim/summarize plan.

The API keeps no history, so the system prompt and the whole active path are sent every turn. A stored summary
(a system Message with kind="summary" on the path) stands in for the messages up to the one it `covers`.
Reasoning is never sent back. An assistant's `tool_calls` and the `tool` messages answering them are sent together
or not at all: trimming and summarizing cut only at a user message or a plain reply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from causerie.core.attachments.sending import attachment_tokens, message_content, part_tokens
from causerie.core.attachments.store import AttachmentStore, default_store
from causerie.core.conversation.models import Conversation, Message

POLICIES = ("summarize", "trim", "off")
CHARS_PER_TOKEN = 4.0
PER_MESSAGE_TOKENS = 4  # role and separators the chat format adds per message
DEFAULT_REPLY_RESERVE = 1024
KEEP_RECENT = 2  # the newest messages are never summarized or trimmed (the question being asked)

SUMMARY_INSTRUCTION = (
    "Summarize the conversation below so that it can replace it as context for continuing the conversation. "
    "Keep names, facts, numbers, decisions, code identifiers and open questions; be concise; "
    "write in the language of the conversation. Answer with the summary only."
)
SUMMARY_PREFIX = "Summary of the earlier part of this conversation:\n"


def sendable(message: Message) -> bool:
    """Whether a message on the active path is part of the context sent to the model."""
    if message.kind == "summary":
        return False  # sent in place of what it covers, not where it sits
    if message.kind == "imported_tool":
        return False  # an imported ChatGPT tool node: shown, but it answers no call of this conversation
    if message.role == "assistant" and not message.content and not message.tool_calls:
        return False  # an error before the first token leaves nothing worth sending
    return message.role in ("system", "user", "assistant", "tool")


def api_message(message: Message) -> dict:
    """One message in the request's form: content, plus the calls of an assistant or the call a result answers."""
    if message.role == "tool":
        return {"role": "tool", "tool_call_id": message.tool_call_id or "", "content": message.content}
    data: dict = {"role": message.role, "content": message.content}
    if message.role == "assistant" and message.tool_calls:
        data["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in message.tool_calls
        ]
        if not message.content:
            data["content"] = None  # the API's form of "only calls"
    return data


def _answered_calls(messages: list[Message]) -> list[Message]:
    """`messages` where every assistant's calls are followed by one result each, and no result is orphaned.

    A call left without a result (a crash mid-round) gets none sent: the call is dropped from the copy sent, since
    the API rejects a call without its answer. A result whose call is not on the path is left out.
    """
    answered = {m.tool_call_id for m in messages if m.role == "tool"}
    offered: set[str] = set()
    result: list[Message] = []
    for message in messages:
        if message.role == "assistant" and message.tool_calls:
            calls = [c for c in message.tool_calls if c.id in answered]
            offered.update(c.id for c in calls)
            if len(calls) != len(message.tool_calls):
                if not calls and not message.content:
                    continue
                message = Message(**{**message.__dict__, "tool_calls": calls})
        elif message.role == "tool" and message.tool_call_id not in offered:
            continue
        result.append(message)
    return result


def _latest_summary(path: list[Message]) -> tuple[Message | None, int]:
    """The newest summary on the path and the index just after the message it covers (0 if none)."""
    for message in reversed(path):
        if message.kind == "summary" and message.covers:
            for index, candidate in enumerate(path):
                if candidate.id == message.covers:
                    return message, index + 1
    return None, 0


def context_path(conversation: Conversation, upto: str | None = None) -> tuple[Message | None, list[Message]]:
    """(summary in effect or None, the path messages sent after it) for the active path, up to `upto`."""
    path = conversation.active_path()
    if upto is not None:
        ids = [m.id for m in path]
        if upto in ids:
            path = path[: ids.index(upto) + 1]
    summary, start = _latest_summary(path)
    return summary, _answered_calls([m for m in path[start:] if sendable(m)])


def to_api(
    conversation: Conversation,
    summary: Message | None,
    messages: list[Message],
    store: AttachmentStore | None = None,
) -> list[dict[str, Any]]:
    """The request's messages: system prompt, summary, then the turns (content and tool calls, never reasoning).

    A message's attachments are read from `store` (default: the data directory's) and sent with it every turn.
    """
    result: list[dict[str, Any]] = []
    if conversation.system_prompt:
        result.append({"role": "system", "content": conversation.system_prompt})
    if summary is not None:
        result.append({"role": "system", "content": SUMMARY_PREFIX + summary.content})
    for m in messages:
        data = api_message(m)
        if m.attachments:
            store = store or default_store()
            data["content"] = message_content(m.content, m.attachments, store)
        result.append(data)
    return result


def request_messages(
    conversation: Conversation, upto: str | None = None, store: AttachmentStore | None = None
) -> list[dict[str, Any]]:
    """The messages of a request: the API keeps no history, so the whole active path is sent every turn.

    `upto` stops the path at that message id (inclusive), for regenerating an earlier reply.
    """
    summary, messages = context_path(conversation, upto)
    return to_api(conversation, summary, messages, store)


# -- estimating --------------------------------------------------------------------------------------------
def estimate_text(text: str) -> int:
    """Tokens of a text by the chars/4 rule (no tokenizer: tiktoken cannot load offline)."""
    return int(len(text) / CHARS_PER_TOKEN + 0.999) if text else 0


def estimate_content(content: Any) -> int:
    """Tokens of a request message's content: a string, or content parts (text, images, files)."""
    if isinstance(content, str):
        return estimate_text(content)
    if isinstance(content, list):
        return sum(part_tokens(part, CHARS_PER_TOKEN) for part in content if isinstance(part, dict))
    return 0


def estimate_message(message: Message) -> int:
    """Tokens a stored message adds to every request carrying it: its text, its calls, its attachments."""
    calls = sum(estimate_text(c.name) + estimate_text(c.arguments) + PER_MESSAGE_TOKENS for c in message.tool_calls)
    tokens = estimate_text(message.content) + PER_MESSAGE_TOKENS + calls
    return tokens + sum(attachment_tokens(a, CHARS_PER_TOKEN) for a in message.attachments)


def estimate_messages(messages: list[dict[str, Any]]) -> int:
    """Raw (uncalibrated) token estimate of a request's messages (tool calls counted by name and arguments)."""
    total = 3
    for m in messages:
        total += estimate_content(m.get("content") or "") + PER_MESSAGE_TOKENS
        for call in m.get("tool_calls") or ():
            function = call.get("function") or {}
            total += estimate_text(function.get("name", "")) + estimate_text(function.get("arguments", ""))
            total += PER_MESSAGE_TOKENS
    return total


def calibration(conversation: Conversation) -> float:
    """Ratio real/estimated prompt tokens, from the newest reply whose usage the server reported (1.0 if none).

    The request of a past reply is rebuilt from the path up to that reply's parent and estimated the same way,
    so the ratio absorbs the tokenizer's difference from chars/4 for this conversation's language and content.
    """
    for message in reversed(conversation.active_path()):
        usage = message.usage
        if message.role != "assistant" or usage is None or usage.estimated or not usage.prompt_tokens:
            continue
        if message.parent is None:
            continue
        summary, turns = context_path(conversation, upto=message.parent)
        # From the stored messages, as plan() counts them: attachments are not read from the store for this.
        estimate = estimate_messages(to_api(conversation, summary, [])) + sum(estimate_message(m) for m in turns)
        if estimate > 0:
            return min(max(usage.prompt_tokens / estimate, 0.25), 4.0)
    return 1.0


def estimate_request(conversation: Conversation, messages: list[dict[str, Any]]) -> int:
    """Calibrated token estimate of sending `messages` in this conversation."""
    return int(estimate_messages(messages) * calibration(conversation) + 0.5)


# -- planning ----------------------------------------------------------------------------------------------
@dataclass
class Plan:
    """What to send for the next reply, and what had to be left out or summarized to fit."""

    messages: list[dict[str, Any]]
    tokens: int  # calibrated estimate of `messages`
    window: int
    reserve: int
    policy: str
    fits: bool
    summarize: list[Message] = field(default_factory=list)  # the oldest turns to summarize first
    dropped: list[Message] = field(default_factory=list)  # the oldest turns left out (trim)

    @property
    def budget(self) -> int:
        """Tokens the prompt may use: the window minus the reserve for the reply."""
        return max(self.window - self.reserve, 0)

    @property
    def percent(self) -> float:
        """Share of the window the prompt uses, in percent."""
        return 100.0 * self.tokens / self.window if self.window else 0.0


def plan(
    conversation: Conversation,
    window: int,
    *,
    reserve: int = DEFAULT_REPLY_RESERVE,
    policy: str | None = None,
    upto: str | None = None,
    with_messages: bool = True,
) -> Plan:
    """Estimate the next request against `window` minus `reserve` and decide what to do when it does not fit.

    - `off`: send everything (the server's error then says what to do).
    - `trim`: leave out the oldest turns (never the system prompt, never the newest KEEP_RECENT messages).
    - `summarize`: name the oldest turns to summarize with one request; the caller stores the summary and plans again.
    Oldest turns go first, and whole user/assistant pairs where possible.
    `with_messages=False` leaves `messages` empty (a meter needs the figures, not the attachments' bytes).
    """
    policy = policy or conversation.context_policy or "summarize"
    reserve = min(reserve, window // 4) if window else reserve
    ratio = calibration(conversation)
    summary, turns = context_path(conversation, upto)

    def build(sent: list[Message]) -> list[dict[str, Any]]:
        return to_api(conversation, summary, sent) if with_messages else []

    base = estimate_messages(to_api(conversation, summary, []))
    sizes = [estimate_message(m) for m in turns]

    def tokens_from(start: int) -> int:
        return int((base + sum(sizes[start:])) * ratio + 0.5)

    full = tokens_from(0)
    budget = max(window - reserve, 0)
    if full <= budget or policy == "off" or len(turns) <= KEEP_RECENT:
        return Plan(build(turns), full, window, reserve, policy, full <= budget)

    cut = 0
    remaining = base + sum(sizes)
    while cut < len(turns) - KEEP_RECENT and remaining * ratio + 0.5 > budget:
        remaining -= sizes[cut]
        cut += 1
        # keep a reply with the question it answers: cut before a user message when possible
        if cut < len(turns) - KEEP_RECENT and turns[cut].role == "assistant":
            remaining -= sizes[cut]
            cut += 1
    # never between an assistant's tool calls and their results, nor inside a tool round: back to where it began
    while cut > 0 and (turns[cut].role == "tool" or _continues_round(turns, cut)):
        cut -= 1
    left_out = turns[:cut]
    kept = turns[cut:]
    if policy == "summarize":
        return Plan(build(turns), full, window, reserve, policy, False, summarize=left_out)
    size = tokens_from(cut)
    return Plan(build(kept), size, window, reserve, policy, size <= budget, dropped=left_out)


def _continues_round(turns: list[Message], index: int) -> bool:
    """Whether turns[index] is the model's next reply inside a tool round (it follows a tool result)."""
    return index > 0 and turns[index].role == "assistant" and turns[index - 1].role == "tool"


def summary_request(conversation: Conversation, turns: list[Message], previous: Message | None) -> list[dict]:
    """The one request that asks the model to summarize `turns` (and an earlier summary they follow)."""
    lines = []
    if previous is not None:
        lines.append(f"[earlier summary]\n{previous.content}")
    for message in turns:
        calls = "".join(f"\n[call {c.name}] {c.arguments}" for c in message.tool_calls)
        label = f"tool result of {message.name}" if message.role == "tool" else message.role
        lines.append(f"[{label}]\n{message.content}{calls}")
    return [
        {"role": "system", "content": SUMMARY_INSTRUCTION},
        {"role": "user", "content": "\n\n".join(lines)},
    ]


def make_summary(text: str, covers: Message, model: str | None = None) -> Message:
    """The stored summary note: a system message standing in for the path up to `covers`."""
    note = Message(role="system", content=text.strip(), kind="summary", model=model)
    note.covers = covers.id
    return note
