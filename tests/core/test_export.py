"""Markdown and JSON export of a conversation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from causerie.core.conversation.models import Conversation, Message
from causerie.core.interchange.export import conversation_to_json, conversation_to_markdown, export_conversation
from causerie.core.interchange.export_files import write_markdown_export


def _conversation() -> Conversation:
    conv = Conversation(title="Sorting", model="gpt-6-luna", profile="openai", system_prompt="Be brief.")
    first = conv.append(Message("user", "How do I sort a list?"))
    conv.append(Message("assistant", "Old answer", model="gpt-6-luna"))
    conv.append(
        Message("assistant", "Use ```sorted(xs)```.", model="gpt-6-luna", finish_reason="stop"), parent=first.id
    )
    return conv


def test_markdown_shows_the_active_branch_and_counts_the_others() -> None:
    text = conversation_to_markdown(_conversation())
    assert text.startswith("# Sorting\n")
    assert "## You" in text and "How do I sort a list?" in text
    assert "## Assistant (gpt-6-luna)" in text and "Use ```sorted(xs)```." in text
    assert "Old answer" not in text
    assert "1 message on other branches not shown" in text
    assert "## System prompt" in text and "Be brief." in text


def test_markdown_marks_incomplete_replies_and_fences_reasoning_safely() -> None:
    conv = Conversation()
    conv.append(Message("user", "hi"))
    conv.append(Message("assistant", "par", partial=True, finish_reason="cancelled", reasoning="a ``` b"))
    text = conversation_to_markdown(conv)
    assert "## Assistant (stopped)" in text
    assert "````text\na ``` b\n````" in text


def test_json_round_trips_every_branch() -> None:
    conv = _conversation()
    data = json.loads(conversation_to_json(conv))
    assert data["schema"] == "causerie.conversation"
    again = Conversation.from_dict(data)
    assert again == conv
    assert len(again.messages) == 3


def test_json_with_lone_surrogates_is_still_writable() -> None:
    conv = Conversation()
    conv.append(Message("user", "bad \udce9 byte"))
    text = conversation_to_json(conv)
    text.encode("utf-8")
    assert json.loads(text)["messages"][0]["content"] == "bad \udce9 byte"


def test_markdown_with_lone_surrogates_has_u_fffd_as_the_written_file(tmp_path: Path) -> None:
    conv = Conversation()
    conv.append(Message("user", "bad \udce9 byte, half an emoji \ud83d"))
    text = conversation_to_markdown(conv)
    assert "bad \ufffd byte, half an emoji \ufffd" in text
    assert write_markdown_export(conv, tmp_path).read_text(encoding="utf-8") == text


def test_export_never_contains_the_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "sk-export-secret-1234567890"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    conv = _conversation()
    for fmt in ("md", "json"):
        assert secret not in export_conversation(conv, fmt)


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown export format"):
        export_conversation(Conversation(), "pdf")
