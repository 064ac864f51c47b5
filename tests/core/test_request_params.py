"""Request controls: one type, merged profile < conversation < command line, and exactly what reaches the server."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from causerie.core.chat.client import ChatClient
from causerie.core.chat.errors import classify
from causerie.core.chat.params import ParamError, RequestParams, controls_offered, parse_assignment, parse_extra_json
from causerie.core.chat.refusals import Refusals
from causerie.core.conversation.models import Conversation, Message
from causerie.core.engine.engine import Engine
from causerie.core.engine.events import ContextNote, Failed, Finished
from causerie.core.engine.saving import SaveQueue
from causerie.core.settings import paths
from causerie.core.settings.config import ConfigError, load_settings
from causerie.core.storage.store import ConversationStore
from causerie.testing.fake_openai import FakeOpenAI
from causerie.testing.fake_openai.bodies import unsupported_param

CONTROL_KEYS = {
    "reasoning_effort",
    "temperature",
    "top_p",
    "max_tokens",
    "max_completion_tokens",
    "seed",
    "top_k",
}


def test_merge_order_and_nothing_unset_in_the_request() -> None:
    profile = RequestParams(temperature=0.2, max_tokens=500, extra={"top_k": 40, "min_p": 0.1})
    chosen = RequestParams(temperature=0.7, seed=3, extra={"top_k": 20})
    command = RequestParams(max_tokens=100)
    merged = profile.merged(chosen).merged(command)
    assert merged == RequestParams(temperature=0.7, max_tokens=100, seed=3, extra={"top_k": 20, "min_p": 0.1})
    assert merged.request_kwargs("max_tokens") == {
        "temperature": 0.7,
        "seed": 3,
        "max_tokens": 100,
        "extra_body": {"top_k": 20, "min_p": 0.1},
    }
    assert RequestParams().request_kwargs() == {}
    assert merged.without("temperature", "top_k").to_dict() == {"max_tokens": 100, "seed": 3, "extra": {"min_p": 0.1}}
    assert RequestParams.from_dict(merged.to_dict()) == merged


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"temperature": 2.5}, "temperature must be from 0 to 2"),
        ({"top_p": -0.1}, "top_p must be from 0 to 1"),
        ({"max_tokens": 0}, "max_tokens must be 1 or more"),
        ({"seed": 1.5}, "seed must be a whole number"),
        ({"reasoning_effort": "extreme"}, "reasoning_effort must be one of"),
        ({"temperature": float("nan")}, "temperature must be a number"),
        ({"extra": {"temperature": 1}}, "use the temperature setting"),
        ({"extra": {"messages": []}}, "causerie sets it"),
        ({"extra": [1]}, "must be a JSON object"),
    ],
)
def test_values_no_server_takes_are_refused_with_a_reason(values: dict, expected: str) -> None:
    with pytest.raises(ParamError, match=expected):
        RequestParams.from_dict(values)


def test_param_assignments_and_extra_json() -> None:
    assert parse_assignment("top_k=40") == ("top_k", 40)
    assert parse_assignment("mirostat=true") == ("mirostat", True)
    assert parse_assignment('stop=["###"]') == ("stop", ["###"])
    assert parse_assignment("grammar=root ::= x") == ("grammar", "root ::= x")
    with pytest.raises(ParamError, match="KEY=VALUE"):
        parse_assignment("top_k")
    assert parse_extra_json("  ") == {}
    assert parse_extra_json('{"top_k": 40}') == {"top_k": 40}
    with pytest.raises(ParamError, match="not valid JSON"):
        parse_extra_json("{top_k: 40}")


def test_offered_controls_follow_the_model_table_and_refusals() -> None:
    assert controls_offered(None) == {"reasoning_effort", "temperature", "top_p", "max_tokens", "seed"}
    assert controls_offered(("low", "high")) == {"reasoning_effort", "max_tokens", "seed"}
    assert controls_offered(()) == {"temperature", "top_p", "max_tokens", "seed"}
    assert controls_offered((), frozenset({"seed"})) == {"temperature", "top_p", "max_tokens"}


def test_a_400_naming_a_parameter_is_classified_with_it() -> None:
    for value in (None, "minimal"):
        body = unsupported_param("reasoning_effort", value)["error"]
        error = classify(status=400, body=body, code=body["code"], message=body["message"])
        assert (error.kind, error.param) == ("bad_request", "reasoning_effort")
    compatible = {"error": {"message": "Unrecognized request argument supplied: top_k"}}
    assert classify(status=400, body=compatible).param == "top_k"
    assert classify(status=400, body={"error": {"message": "Invalid messages"}}).param is None


async def test_client_sends_exactly_the_controls_set(server: FakeOpenAI) -> None:
    client = ChatClient(base_url=server.base_url, api_key="sk-x", max_tokens_param="max_tokens")
    params = RequestParams(
        reasoning_effort="low", temperature=0.5, top_p=0.9, max_tokens=64, seed=7, extra={"top_k": 40}
    )
    for sent in (params, None, RequestParams()):
        async for _ in client.stream([{"role": "user", "content": "hi"}], "m", params=sent):
            pass
    await client.close()
    with_all, with_none, with_empty = (r.body for r in server.chat_requests())
    assert {k: with_all[k] for k in CONTROL_KEYS if k in with_all} == {
        "reasoning_effort": "low",
        "temperature": 0.5,
        "top_p": 0.9,
        "max_tokens": 64,
        "seed": 7,
        "top_k": 40,
    }
    assert "max_completion_tokens" not in with_all
    assert not CONTROL_KEYS & set(with_none)
    assert not CONTROL_KEYS & set(with_empty)


# -- the engine: layers, what each reply stores, refusals ----------------------------------------------------------
def _conversation(model: str, params: dict | None = None) -> Conversation:
    conversation = Conversation(model=model, profile="openai", params=params or {})
    conversation.append(Message(role="user", content="hello"))
    return conversation


async def _turn(engine: Engine, conversation: Conversation, model: str, command: RequestParams | None = None) -> list:
    return [event async for event in engine.run(conversation, model, params=command)]


@pytest.fixture
async def engine(server: FakeOpenAI, tmp_path: Path):  # noqa: ANN201
    client = ChatClient(base_url=server.base_url, api_key="sk-engine-test")
    saves = SaveQueue(ConversationStore(tmp_path / "data"))
    made = Engine(
        client,
        saves,
        profile="openai",
        defaults=RequestParams(max_tokens=900, seed=1),
        refusals=Refusals.in_data_dir(tmp_path / "data"),
    )
    yield made
    saves.close()
    await client.close()


async def test_profile_conversation_and_command_line_are_layered_and_stored(engine: Engine, server: FakeOpenAI) -> None:
    conversation = _conversation("local-model", {"temperature": 0.3, "seed": 5, "extra": {"top_k": 40}})
    events = await _turn(engine, conversation, "local-model", RequestParams(temperature=1.1))
    assert isinstance(events[-1], Finished)
    body = server.chat_requests()[-1].body
    assert {k: body[k] for k in CONTROL_KEYS if k in body} == {
        "temperature": 1.1,
        "seed": 5,
        "max_completion_tokens": 900,
        "top_k": 40,
    }
    reply = conversation.active_path()[-1]
    assert reply.params == {"temperature": 1.1, "max_tokens": 900, "seed": 5, "extra": {"top_k": 40}}
    assert Message.from_dict(reply.to_dict()).params == reply.params
    assert Conversation.from_dict(conversation.to_dict()).params == conversation.params


async def test_a_conversation_setting_the_model_refuses_is_learned_and_sent_again_without(
    engine: Engine, server: FakeOpenAI, tmp_path: Path
) -> None:
    server.rejected_params = {"temperature": "parameter"}
    conversation = _conversation("local-model", {"temperature": 0.3})
    events = await _turn(engine, conversation, "local-model")
    assert isinstance(events[-1], Finished)
    first, second = (r.body for r in server.chat_requests())
    assert first["temperature"] == 0.3
    assert "temperature" not in second
    notes = [e.text for e in events if isinstance(e, ContextNote)]
    assert notes == ["The server does not accept temperature for this model: sent again without it, and remembered."]
    assert [m.role for m in conversation.active_path()] == ["user", "assistant"]
    assert "temperature" not in conversation.active_path()[-1].params
    remembered = json.loads((tmp_path / "data" / "refused_params.json").read_text())
    assert remembered["profiles"] == {"openai": {"local-model": ["temperature"]}}
    assert os.stat(tmp_path / "data" / "refused_params.json").st_mode & 0o777 == 0o600

    # The next turn (even after a restart) leaves it out at once, and says so.
    engine.refusals = Refusals.in_data_dir(tmp_path / "data")
    conversation.append(Message(role="user", content="again"))
    events = await _turn(engine, conversation, "local-model")
    assert len(server.chat_requests()) == 3
    assert "temperature" not in server.chat_requests()[-1].body
    assert isinstance(events[0], ContextNote)
    assert events[0].text == "Not sent: temperature (the server refused it for local-model)."


@pytest.mark.parametrize("where", ["profile", "command"])
async def test_a_refused_value_from_config_or_command_line_is_sent_as_set_and_fails(
    engine: Engine, server: FakeOpenAI, where: str
) -> None:
    server.rejected_params = {"seed": "value"}
    conversation = _conversation("local-model", {"seed": 4})
    command = RequestParams(seed=9) if where == "command" else None
    if where == "profile":
        conversation.params = {}
    events = await _turn(engine, conversation, "local-model", command)
    assert [r.body["seed"] for r in server.chat_requests()] == [9 if where == "command" else 1]
    failed = events[-1]
    assert isinstance(failed, Failed)
    place = "on the command line" if where == "command" else "in the profile's settings in config.toml"
    assert (
        failed.error.message == f"The server does not accept seed for this model; it is set {place}: remove it there."
    )
    assert [m.role for m in conversation.active_path()] == ["user"]


async def test_the_model_table_leaves_out_what_a_model_does_not_take(engine: Engine, server: FakeOpenAI) -> None:
    conversation = _conversation("o3", {"temperature": 0.3, "reasoning_effort": "high"})
    events = await _turn(engine, conversation, "o3")
    body = server.chat_requests()[-1].body
    assert body["reasoning_effort"] == "high"
    assert "temperature" not in body
    assert isinstance(events[0], ContextNote)
    assert events[0].text == "Not sent: temperature (the model table says it does not suit o3)."


def _write_config(text: str) -> None:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.chmod(path, 0o600)


def test_profile_controls_from_config() -> None:
    _write_config(
        '[profiles.local]\nbase_url = "http://127.0.0.1:9/v1"\nreasoning_effort = "low"\ntemperature = 1\n'
        'top_p = 0.5\nmax_tokens = 2000\nseed = 42\nextra_body = { top_k = 40, stop = ["###"] }\n'
    )
    settings = load_settings({"profile": "local"})
    assert settings.params == RequestParams(
        reasoning_effort="low",
        temperature=1.0,
        top_p=0.5,
        max_tokens=2000,
        seed=42,
        extra={"top_k": 40, "stop": ["###"]},
    )
    assert load_settings({"profile": "openai"}).params == RequestParams()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("temperature = 3", r"line 3: temperature must be from 0 to 2 \(not 3\) in \[profiles.local\]"),
        ('temperature = "hot"', r"line 3: temperature in \[profiles.local\] must be a number from 0 to 2"),
        ('reasoning_effort = "max"', r"line 3: reasoning_effort must be one of"),
        ("max_tokens = 0", r"line 3: max_tokens must be 1 or more"),
        ('extra_body = { model = "x" }', r"line 3: extra_body in \[profiles.local\]: 'model' cannot be"),
    ],
)
def test_bad_profile_controls_name_the_line(line: str, expected: str) -> None:
    _write_config(f'[profiles.local]\nbase_url = "http://127.0.0.1:9/v1"\n{line}\n')
    with pytest.raises(ConfigError, match=expected):
        load_settings({"profile": "local"})


async def test_a_refused_output_cap_is_known_by_its_name_on_the_wire(engine: Engine, server: FakeOpenAI) -> None:
    server.rejected_params = {"max_completion_tokens": "parameter"}
    engine.defaults = RequestParams()
    conversation = _conversation("local-model", {"max_tokens": 50})
    events = await _turn(engine, conversation, "local-model")
    assert isinstance(events[-1], Finished)
    first, second = (r.body for r in server.chat_requests())
    assert first["max_completion_tokens"] == 50 and "max_completion_tokens" not in second
    assert engine.refusals.refused("openai", "local-model") == {"max_tokens"}


@pytest.mark.parametrize(
    "text",
    ["not json", "[]", '{"profiles": []}', '{"profiles": {"openai": {"m": "temperature"}}}', '{"profiles": {"a": 1}}'],
)
def test_a_malformed_refusals_file_is_ignored(tmp_path: Path, text: str) -> None:
    (tmp_path / "refused_params.json").write_text(text)
    refusals = Refusals.in_data_dir(tmp_path)
    assert refusals.refused("openai", "m") == frozenset()
    assert refusals.learn("openai", "m", "seed")
    assert not refusals.learn("openai", "m", "seed")
    assert Refusals.in_data_dir(tmp_path).refused("openai", "m") == {"seed"}
