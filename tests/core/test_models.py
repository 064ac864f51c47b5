"""Conversation / Message / Usage to JSON and back, and the conversation tree."""

from __future__ import annotations

import json
import time

import pytest

from causerie.core.conversation.context import request_messages
from causerie.core.conversation.models import (
    SCHEMA,
    SCHEMA_VERSION,
    Conversation,
    Message,
    NewerVersionError,
    SchemaError,
    Usage,
    is_valid_id,
    new_conversation_id,
)


def make_conversation() -> Conversation:
    conversation = Conversation(model="gpt-6-luna", profile="openai", system_prompt="Be brief.", title="Greetings")
    conversation.append(Message(role="user", content="Bonjour, ça va ? 👋"))
    conversation.append(
        Message(
            role="assistant",
            content="Très bien.",
            model="gpt-6-luna",
            usage=Usage(10, 3, 13, cached_tokens=2),
            finish_reason="stop",
        )
    )
    conversation.append(Message(role="user", content="Et toi ?\nSecond line"))
    conversation.append(Message(role="assistant", content="Par", partial=True, finish_reason="cancelled"))
    return conversation


def test_round_trip_through_json_text() -> None:
    conversation = make_conversation()
    text = json.dumps(conversation.to_dict(), ensure_ascii=False)
    again = Conversation.from_dict(json.loads(text))
    assert again == conversation
    assert again.to_dict() == conversation.to_dict()


def test_document_has_the_designed_shape() -> None:
    data = make_conversation().to_dict()
    assert data["schema"] == SCHEMA and data["version"] == SCHEMA_VERSION
    for key in (
        "id",
        "title",
        "created_at",
        "updated_at",
        "model",
        "profile",
        "system_prompt",
        "messages",
        "active_leaf",
        "usage",
    ):
        assert key in data
    first, second = data["messages"][:2]
    assert first["parent"] is None and first["role"] == "user"
    assert second["parent"] == first["id"]
    assert second["usage"] == {"prompt_tokens": 10, "completion_tokens": 3, "total_tokens": 13, "cached_tokens": 2}
    assert second["finish_reason"] == "stop"
    assert data["messages"][3]["partial"] is True
    assert data["usage"]["total_tokens"] == 13
    assert data["created_at"].endswith("Z")


def test_ids_are_time_sortable_and_safe() -> None:
    ids = []
    for _ in range(3):
        ids.append(new_conversation_id())
        time.sleep(0.002)  # ids are sortable to the millisecond; within one, the random suffix decides
    assert all(is_valid_id(i) for i in ids)
    assert sorted(ids) == ids
    assert len({i[:18] for i in ids}) == 3  # "YYYYMMDD-HHMMSSmmm": the time part differs
    for bad in ("../x", "a/b", ".hidden", "", "x" * 65, None, 3):
        assert not is_valid_id(bad)


def test_siblings_and_active_path() -> None:
    conversation = make_conversation()
    user = conversation.active_path()[2]
    retry = conversation.append(Message(role="assistant", content="Bien !"), parent=user.id)
    path = conversation.active_path()
    assert [m.content for m in path] == ["Bonjour, ça va ? 👋", "Très bien.", "Et toi ?\nSecond line", "Bien !"]
    assert [m.content for m in conversation.children(user.id)] == ["Par", "Bien !"]
    assert conversation.active_leaf == retry.id


def test_request_messages_sends_system_prompt_then_the_whole_active_path() -> None:
    conversation = make_conversation()
    sent = request_messages(conversation)
    assert sent == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Bonjour, ça va ? 👋"},
        {"role": "assistant", "content": "Très bien."},
        {"role": "user", "content": "Et toi ?\nSecond line"},
        {"role": "assistant", "content": "Par"},
    ]


@pytest.mark.parametrize(
    "mutate, error",
    [
        (lambda d: d.update(schema="other"), SchemaError),
        (lambda d: d.update(version=99), NewerVersionError),
        (lambda d: d.update(id="../evil"), SchemaError),
        (lambda d: d.update(messages="nope"), SchemaError),
        (lambda d: d["messages"][0].update(role="wizard"), SchemaError),
        (lambda d: d["messages"][1].update(parent="missing"), SchemaError),
        (lambda d: d.update(active_leaf="missing"), SchemaError),
        (lambda d: d["messages"][1].update(usage={"prompt_tokens": -1}), SchemaError),
    ],
)
def test_invalid_documents_are_rejected(mutate, error) -> None:
    data = make_conversation().to_dict()
    mutate(data)
    with pytest.raises(error):
        Conversation.from_dict(data)


def test_version_zero_is_migrated() -> None:
    old = {
        "schema": SCHEMA,
        "version": 0,
        "id": "20240101-000000000-abcdef",
        "title": "Old",
        "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}],
    }
    conversation = Conversation.from_dict(old)
    path = conversation.active_path()
    assert [m.content for m in path] == ["hi", "hello"]
    assert path[1].parent == path[0].id
    assert Conversation.from_dict(conversation.to_dict()) == conversation


def test_unknown_keys_of_a_message_and_a_conversation_survive_a_round_trip(tmp_path) -> None:  # noqa: ANN001
    """A conversation written by a newer causerie keeps the fields this one does not know when it is saved again."""
    from causerie.core.storage.store import ConversationStore

    conversation = Conversation(title="Weather", model="gpt-6-luna")
    conversation.append(Message(role="user", content="Rain tomorrow?"))
    conversation.append(Message(role="assistant", content="Probably."))
    data = conversation.to_dict()
    data["future_top_level"] = {"kept": True}
    data["messages"][0]["attachments"] = [{"name": "map.png", "sha256": "ab" * 32, "mime": "image/png", "bytes": 3}]
    data["messages"][1]["citations"] = [{"url": "https://example.org", "title": "f"}]
    loaded = Conversation.from_dict(data)
    loaded.title = "Weather, renamed"
    store = ConversationStore(tmp_path)
    store.save(loaded)
    again = store.load(loaded.id).to_dict()
    assert again["future_top_level"] == {"kept": True}
    assert again["messages"][0]["attachments"] == data["messages"][0]["attachments"]
    assert again["messages"][1]["citations"] == data["messages"][1]["citations"]
    assert again["title"] == "Weather, renamed"


def test_an_id_with_a_trailing_newline_is_not_valid() -> None:
    from causerie.core.conversation.models import is_valid_id

    assert is_valid_id("20260101-000000000-abcdef")
    assert not is_valid_id("20260101-000000000-abcdef\n")  # "$" matched before a final newline: "id\n.json"


def test_tools_switched_off_are_an_optional_field_of_the_same_version() -> None:
    conversation = make_conversation()
    assert "disabled_tools" not in conversation.to_dict()  # nothing switched off: nothing written
    conversation.disabled_tools = ["weather__environment", "files__*"]
    data = conversation.to_dict()
    assert data["version"] == SCHEMA_VERSION and data["disabled_tools"] == ["weather__environment", "files__*"]
    assert Conversation.from_dict(json.loads(json.dumps(data))) == conversation
    data["disabled_tools"] = ["weather__forecast", 3, None, ""]  # hand-edited: what is not a name is left out
    assert Conversation.from_dict(data).disabled_tools == ["weather__forecast"]
    data["disabled_tools"] = "weather__forecast"
    assert Conversation.from_dict(data).disabled_tools == []
