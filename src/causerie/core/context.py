"""What is sent to the model each turn: the system prompt, then the user/assistant turns of the active path."""

from __future__ import annotations

from causerie.core.models import Conversation, Message


def sendable(message: Message) -> bool:
    """Whether a message on the active path is part of the context sent to the model."""
    if message.role == "assistant" and not message.content:
        return False  # an error before the first token leaves nothing worth sending
    return message.role in ("system", "user", "assistant")


def request_messages(conversation: Conversation, upto: str | None = None) -> list[dict[str, str]]:
    """The messages of a request: the API keeps no history, so the whole active path is sent every turn.

    `upto` stops the path at that message id (inclusive), for regenerating an earlier reply.
    """
    result: list[dict[str, str]] = []
    if conversation.system_prompt:
        result.append({"role": "system", "content": conversation.system_prompt})
    for message in conversation.active_path():
        if sendable(message):
            result.append({"role": message.role, "content": message.content})
        if upto is not None and message.id == upto:
            break
    return result
