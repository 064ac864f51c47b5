"""`causerie ask` with model controls: exactly what is sent from the command line and the profile, and bad values."""

from __future__ import annotations

import json
import os

import pytest

from causerie.core.settings import paths
from causerie.core.storage.store import ConversationStore
from causerie.testing.fake_openai import FakeOpenAI, Reply
from tests.cli.helpers import run_cli

CONTROLS = {"reasoning_effort", "temperature", "top_p", "max_tokens", "max_completion_tokens", "seed"}


def _env(server: FakeOpenAI) -> dict[str, str]:
    return {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "sk-test-params"}


def _sent(server: FakeOpenAI, *extra: str) -> dict:
    body = server.chat_requests()[-1].body
    return {k: body[k] for k in (*CONTROLS, *extra) if k in body}


def test_nothing_is_sent_that_was_not_set(server: FakeOpenAI) -> None:
    done = run_cli("ask", "hi", env=_env(server))
    assert done.returncode == 0, done.stderr
    body = server.chat_requests()[-1].body
    assert set(body) == {"model", "messages", "stream", "stream_options"}


def test_every_option_is_sent_as_given_and_stored_with_the_reply(server: FakeOpenAI) -> None:
    done = run_cli(
        "ask",
        "hi",
        "--reasoning-effort",
        "minimal",
        "--temperature",
        "0.4",
        "--top-p",
        "0.8",
        "--max-tokens",
        "300",
        "--seed",
        "11",
        "--param",
        "top_k=40",
        "--param",
        'stop=["###"]',
        "--param",
        "grammar=root ::= x",
        env=_env(server),
    )
    assert done.returncode == 0, done.stderr
    assert _sent(server, "top_k", "stop", "grammar") == {
        "reasoning_effort": "minimal",
        "temperature": 0.4,
        "top_p": 0.8,
        "max_completion_tokens": 300,
        "seed": 11,
        "top_k": 40,
        "stop": ["###"],
        "grammar": "root ::= x",
    }
    store = ConversationStore(paths.data_dir())
    [summary] = store.list()
    reply = store.load(summary.id).active_path()[-1]
    assert reply.params == {
        "reasoning_effort": "minimal",
        "temperature": 0.4,
        "top_p": 0.8,
        "max_tokens": 300,
        "seed": 11,
        "extra": {"top_k": 40, "stop": ["###"], "grammar": "root ::= x"},
    }


def test_profile_defaults_are_sent_and_the_command_line_wins(server: FakeOpenAI) -> None:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'profile = "fake"\n[profiles.fake]\nbase_url = "{server.base_url}"\nmax_tokens_param = "max_tokens"\n'
        'reasoning_effort = "high"\ntemperature = 0.2\nmax_tokens = 1000\nextra_body = { top_k = 20 }\n',
        encoding="utf-8",
    )
    os.chmod(path, 0o600)
    done = run_cli("ask", "hi", env={})
    assert done.returncode == 0, done.stderr
    assert _sent(server, "top_k") == {"reasoning_effort": "high", "temperature": 0.2, "max_tokens": 1000, "top_k": 20}
    done = run_cli("ask", "hi", "--temperature", "1.5", "--param", "top_k=5", env={})
    assert done.returncode == 0, done.stderr
    assert _sent(server, "top_k") == {"reasoning_effort": "high", "temperature": 1.5, "max_tokens": 1000, "top_k": 5}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--temperature", "2.5"), "causerie: --temperature: temperature must be from 0 to 2 (not 2.5)"),
        (("--top-p", "1.5"), "causerie: --top-p: top_p must be from 0 to 1 (not 1.5)"),
        (("--max-tokens", "0"), "causerie: --max-tokens: max_tokens must be 1 or more"),
        (("--param", "top_k"), "causerie: --param: --param takes KEY=VALUE (not 'top_k')"),
        (("--param", "temperature=1"), "'temperature' cannot be an extra body field (use the temperature setting)"),
        (("--reasoning-effort", "extreme"), "argument --reasoning-effort: invalid choice: 'extreme'"),
        (("--seed", "x"), "argument --seed: invalid int value: 'x'"),
    ],
)
def test_bad_values_are_refused_before_anything_is_sent(server: FakeOpenAI, args: tuple, expected: str) -> None:
    done = run_cli("ask", "hi", *args, env=_env(server))
    assert done.returncode == 2
    assert expected in done.stderr
    assert server.chat_requests() == []


def test_a_refused_command_line_value_is_an_error_not_dropped(server: FakeOpenAI) -> None:
    server.rejected_params = {"temperature": "parameter"}
    done = run_cli("ask", "hi", "--temperature", "0.3", env=_env(server))
    assert done.returncode == 4
    assert len(server.chat_requests()) == 1
    assert (
        "The server does not accept temperature for this model; it is set on the command line: remove it there."
        in done.stderr
    )


def test_list_json_splits_the_cost_by_effort(server: FakeOpenAI) -> None:
    server.default = Reply(text="ok", usage={"prompt_tokens": 0, "completion_tokens": 1_000_000, "total_tokens": 1})
    for args in (("--reasoning-effort", "high"), ("--reasoning-effort", "low"), ()):
        continued = ("-c",) if server.chat_requests() else ()
        done = run_cli("ask", *continued, "hi", "--model", "gpt-6-luna", *args, env=_env(server))
        assert done.returncode == 0, done.stderr
    done = run_cli("list", "--json")
    assert done.returncode == 0, done.stderr
    [row] = json.loads(done.stdout)
    assert row["cost"] == pytest.approx(1.5)
    assert row["cost_by_effort"] == {"high": 0.5, "low": 0.5}
