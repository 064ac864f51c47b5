"""Versions on the conversation tree: siblings of a message, switching between them, branching a path off."""

from __future__ import annotations

from dataclasses import replace

from causerie.core.conversation.models import Conversation, Message, new_message_id


def versions(conversation: Conversation, message: Message) -> list[Message]:
    """The versions of a turn: messages with the same parent and role as `message`, oldest first."""
    return [m for m in conversation.children(message.parent) if m.role == message.role]


def version_position(conversation: Conversation, message: Message) -> tuple[int, int]:
    """(1-based position of `message` among its versions, number of versions)."""
    siblings = versions(conversation, message)
    ids = [m.id for m in siblings]
    return (ids.index(message.id) + 1 if message.id in ids else 1, max(len(siblings), 1))


def newest_leaf(conversation: Conversation, message_id: str) -> str:
    """The most recently added message in the subtree under `message_id` that has no children (or itself)."""
    order = {m.id: i for i, m in enumerate(conversation.messages)}
    children: dict[str | None, list[Message]] = {}
    for message in conversation.messages:
        children.setdefault(message.parent, []).append(message)
    best, best_order = message_id, order.get(message_id, -1)
    stack = [message_id]
    seen: set[str] = set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        kids = children.get(current, [])
        if not kids and order.get(current, -1) >= best_order:
            best, best_order = current, order.get(current, -1)
        stack.extend(k.id for k in kids)
    return best


def switch_version(conversation: Conversation, message: Message, step: int) -> Message | None:
    """Show the version `step` places after (or before) `message`: sets the active leaf to the newest leaf under it.

    Returns the version now shown, or None when there is no version in that direction.
    """
    siblings = versions(conversation, message)
    ids = [m.id for m in siblings]
    if message.id not in ids:
        return None
    target = ids.index(message.id) + step
    if not 0 <= target < len(siblings):
        return None
    chosen = siblings[target]
    # Looking is not changing: the shown branch is saved, but updated_at (the place in the history, what `-c`
    # opens) stays: only a new message, an edit or a rename moves a conversation.
    conversation.active_leaf = newest_leaf(conversation, chosen.id)
    return chosen


def branch(conversation: Conversation, upto: str | None = None) -> Conversation:
    """A new conversation holding a copy of the active path (up to message `upto`, inclusive), with new ids.

    The copy keeps the settings (model, profile, system prompt, context policy, tools switched off) but no other
    versions.
    """
    path = conversation.active_path()
    if upto is not None:
        ids = [m.id for m in path]
        if upto in ids:
            path = path[: ids.index(upto) + 1]
    title = conversation.title or conversation.default_title()
    copy = Conversation(
        title=f"{title} (branch)" if title else "",
        model=conversation.model,
        profile=conversation.profile,
        system_prompt=conversation.system_prompt,
        context_policy=conversation.context_policy,
        disabled_tools=list(conversation.disabled_tools),
    )
    parent: str | None = None
    for message in path:
        usage = replace(message.usage) if message.usage is not None else None
        clone = replace(message, id=new_message_id(), parent=parent, usage=usage)
        copy.messages.append(clone)
        parent = clone.id
    copy.active_leaf = parent
    return copy
