"""One table says how a reply ended: the message label, the status line, the export, Continue and the queue agree."""

from __future__ import annotations

import pytest

from causerie.core.conversation.endings import ENDINGS, ending_of, is_complete_reply, is_continuable
from causerie.core.conversation.models import Conversation, Message
from causerie.core.interchange.export import conversation_to_markdown
from causerie.ui.screens.status_facts import turn_state


def reply(finish_reason: str | None, *, content: str = "Half an ans", partial: bool = False) -> Message:
    return Message(role="assistant", content=content, finish_reason=finish_reason, partial=partial)


def key(binding_id: str) -> str:
    return {"chat.continue": "F7", "chat.regenerate": "F6"}[binding_id]  # a keymap's keys: the hint names those


def conversation_ending_with(message: Message) -> Conversation:
    conversation = Conversation(model="m")
    conversation.append(Message(role="user", content="Question"))
    conversation.append(message)
    return conversation


@pytest.mark.parametrize("reason", ["stop", None])
def test_a_finished_reply_is_complete_and_says_nothing(reason: str | None) -> None:
    message = reply(reason, content="A whole answer.")
    assert is_complete_reply(message)
    assert ending_of(message) is None and not is_continuable(message)
    assert turn_state(conversation_ending_with(message), streaming=False, key=key) == ""
    assert "## Assistant\n" in conversation_to_markdown(conversation_ending_with(message))


@pytest.mark.parametrize("reason", sorted(ENDINGS))
def test_every_ending_is_worded_in_the_status_line_the_label_and_the_export(reason: str) -> None:
    message = reply(reason)
    ending = ending_of(message)
    assert ending is not None and not is_complete_reply(message)
    conversation = conversation_ending_with(message)
    hint = " (F7)" if ending.continuable else ""  # the key that goes on from there
    assert turn_state(conversation, streaming=False, key=key) == ending.short + hint
    unanswered = conversation_ending_with(Message(role="user", content="Again?"))
    assert turn_state(unanswered, streaming=False, key=key) == "no reply (F6)"
    assert len(ending.short) <= len(ending.label)
    exported = conversation_to_markdown(conversation)
    assert f"## Assistant ({ending.label})" in exported


@pytest.mark.parametrize(
    ("reason", "continuable"),
    [("length", True), ("cancelled", True), ("error", True), ("incomplete", True), ("content_filter", False)],
)
def test_continue_picks_up_what_stopped_but_not_what_the_filter_stopped(reason: str, continuable: bool) -> None:
    assert is_continuable(reply(reason)) is continuable
    assert not is_continuable(reply(reason, content=""))  # nothing to go on from


def test_a_reply_that_asked_for_tools_is_not_an_answer_yet() -> None:
    message = reply("tool_calls", content="")
    assert not is_complete_reply(message)
    assert ending_of(message) is None


def test_a_partial_reply_without_a_reason_is_not_complete() -> None:
    message = reply(None, partial=True)
    assert not is_complete_reply(message)
    assert "## Assistant (incomplete)" in conversation_to_markdown(conversation_ending_with(message))


def test_only_replies_are_complete() -> None:
    assert not is_complete_reply(Message(role="user", content="Question"))
    assert not is_continuable(Message(role="user", content="Question", finish_reason="length"))
