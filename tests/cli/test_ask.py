"""`causerie ask` in a subprocess against the loopback server: streaming, saving, stdin, -c, and error exits."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from causerie.core.settings import paths
from causerie.core.storage.store import ConversationStore
from causerie.testing.fake_openai import FakeOpenAI, Reply
from tests.cli.helpers import run_cli

SECRET = "sk-test-secret-0123456789abcdef"


def _env(server: FakeOpenAI, **extra: str) -> dict[str, str]:
    return {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": SECRET, **extra}


def _store() -> ConversationStore:
    return ConversationStore(paths.data_dir())


def test_ask_streams_the_reply_saves_it_and_exits_0(server: FakeOpenAI) -> None:
    server.queue(Reply(text="Paris is the capital of France."))
    done = run_cli("ask", "What", "is", "the", "capital?", env=_env(server))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Paris is the capital of France.\n"
    assert done.stderr == ""
    body = server.chat_requests()[-1].body
    assert body["messages"] == [{"role": "user", "content": "What is the capital?"}]
    assert server.chat_requests()[-1].headers["authorization"] == f"Bearer {SECRET}"
    [summary] = _store().list()
    conversation = _store().load(summary.id)
    assert [m.role for m in conversation.active_path()] == ["user", "assistant"]
    assert conversation.active_path()[-1].content == "Paris is the capital of France."
    assert conversation.title == "What is the capital?"
    for path in paths.data_dir().rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_text(errors="replace")


def test_piped_stdin_is_attached_to_the_prompt(server: FakeOpenAI) -> None:
    diff = "diff --git a/x b/x\n-old\n+new ```\n"
    done = run_cli("ask", "review this", stdin=diff, env=_env(server))
    assert done.returncode == 0, done.stderr
    content = server.chat_requests()[-1].body["messages"][-1]["content"]
    assert content == "review this\n\n````\ndiff --git a/x b/x\n-old\n+new ```\n````"


def test_piped_stdin_alone_is_the_prompt(server: FakeOpenAI) -> None:
    done = run_cli("ask", stdin="just this\n", env=_env(server))
    assert done.returncode == 0, done.stderr
    assert server.chat_requests()[-1].body["messages"][-1]["content"] == "just this\n"


def test_continue_system_and_model(server: FakeOpenAI) -> None:
    server.queue(Reply(text="First answer."), Reply(text="Second answer."))
    first = run_cli("ask", "--system", "Be terse.", "--model", "gpt-6", "one", env=_env(server))
    assert first.returncode == 0, first.stderr
    assert server.chat_requests()[-1].body["model"] == "gpt-6"
    second = run_cli("ask", "-c", "two", env=_env(server))
    assert second.returncode == 0, second.stderr
    assert second.stdout == "Second answer.\n"
    body = server.chat_requests()[-1].body
    assert body["model"] == "gpt-6"  # the conversation's model, not the default
    assert body["messages"] == [
        {"role": "system", "content": "Be terse."},
        {"role": "user", "content": "one"},
        {"role": "assistant", "content": "First answer."},
        {"role": "user", "content": "two"},
    ]
    assert len(_store().list()) == 1


def test_profile_from_the_config_file(server: FakeOpenAI) -> None:
    config = paths.config_file()
    config.parent.mkdir(parents=True)
    config.write_text(f'[profiles.box]\nbase_url = "{server.base_url}"\nmodel = "qwen"\nlocal = true\n')
    done = run_cli("ask", "--profile", "box", "hi")
    assert done.returncode == 0, done.stderr
    assert server.chat_requests()[-1].body["model"] == "qwen"
    assert server.chat_requests()[-1].headers["authorization"] == "Bearer no-key-needed"  # local: no key needed


def test_key_from_api_key_command(server: FakeOpenAI, tmp_path: Path) -> None:
    script = tmp_path / "key.py"
    script.write_text(f"print({SECRET!r})\n")
    config = paths.config_file()
    config.parent.mkdir(parents=True)
    config.write_text(f'[profiles.openai]\napi_key_command = "{sys.executable} {script}"\n')
    server.required_key = SECRET
    done = run_cli("ask", "hi", env={"OPENAI_BASE_URL": server.base_url})
    assert done.returncode == 0, done.stderr
    assert server.chat_requests()[-1].headers["authorization"] == f"Bearer {SECRET}"


def test_no_key_exits_3() -> None:
    # A server that is not on this machine needs a key (one on loopback does not: the test below); nothing is sent.
    done = run_cli("ask", "hi", env={"OPENAI_BASE_URL": "https://api.example.invalid/v1"})
    assert done.returncode == 3
    assert "no API key or server" in done.stderr and "OPENAI_API_KEY" in done.stderr


def test_refused_key_exits_4_without_showing_the_key(server: FakeOpenAI) -> None:
    server.required_key = "sk-the-right-one-000000"
    done = run_cli("ask", "hi", env=_env(server))
    assert done.returncode == 4
    assert "refused the API key" in done.stderr
    assert SECRET not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr
    [summary] = _store().list()  # the question is kept for a retry
    assert [m.role for m in _store().load(summary.id).active_path()] == ["user"]


def test_unreachable_server_exits_4(server: FakeOpenAI) -> None:
    port = server.port
    server.stop()
    done = run_cli("ask", "hi", env={"OPENAI_BASE_URL": f"http://127.0.0.1:{port}/v1", "OPENAI_API_KEY": SECRET})
    assert done.returncode == 4
    assert "Could not reach" in done.stderr


def test_partial_reply_is_kept_when_the_stream_breaks(server: FakeOpenAI) -> None:
    server.queue(Reply(text="one two three four five", error_after=2))
    done = run_cli("ask", "count", env=_env(server))
    assert done.returncode == 4
    assert done.stdout.startswith("one two")
    conversation = _store().load(_store().list()[0].id)
    reply = conversation.active_path()[-1]
    assert reply.role == "assistant" and reply.finish_reason == "error" and reply.content.startswith("one two")


def test_nothing_to_ask_is_a_usage_error(server: FakeOpenAI) -> None:
    done = run_cli("ask", env=_env(server))
    assert done.returncode == 2
    assert "nothing to ask" in done.stderr


def test_continue_without_history_exits_5(server: FakeOpenAI) -> None:
    done = run_cli("ask", "-c", "more", env=_env(server))
    assert done.returncode == 5
    assert "no saved conversation" in done.stderr


def test_bad_config_exits_2_with_file_and_line(server: FakeOpenAI) -> None:
    config = paths.config_file()
    config.parent.mkdir(parents=True)
    config.write_text('model = "x"\n\n[profiles.openai]\nbase_url = 42\n')
    done = run_cli("ask", "hi", env=_env(server))
    assert done.returncode == 2
    assert done.stderr == f"causerie: {config}, line 4: base_url in [profiles.openai] must be a URL in quotes\n"


def test_world_readable_file_with_a_key_is_refused(server: FakeOpenAI) -> None:
    config = paths.config_file()
    config.parent.mkdir(parents=True)
    config.write_text(f'[profiles.openai]\napi_key = "{SECRET}"\n')
    os.chmod(config, 0o644)
    done = run_cli("ask", "hi", env={"OPENAI_BASE_URL": server.base_url})
    assert done.returncode == 2
    assert f"chmod 600 {config}" in done.stderr
    assert SECRET not in done.stderr
    assert server.chat_requests() == []
    os.chmod(config, 0o600)
    done = run_cli("ask", "hi", env={"OPENAI_BASE_URL": server.base_url})
    assert done.returncode == 0, done.stderr
    assert server.chat_requests()[-1].headers["authorization"] == f"Bearer {SECRET}"


def test_json_reply_with_control_characters_is_sanitized(server: FakeOpenAI) -> None:
    server.queue(Reply(text="safe \x1b]0;pwned\x07 text"))
    done = run_cli("ask", "hi", env=_env(server))
    assert done.returncode == 0
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
    stored = json.loads(next(paths.data_dir().glob("conversations/*.json")).read_text())
    assert "\x1b" in stored["messages"][-1]["content"]  # the file keeps what the model said


def test_ask_stores_usage_and_cost_or_an_estimate(server: FakeOpenAI) -> None:
    server.queue(Reply(text="ok", usage={"prompt_tokens": 1000, "completion_tokens": 1000, "total_tokens": 2000}))
    assert run_cli("ask", "priced?", env=_env(server)).returncode == 0
    server.reject_stream_options = True
    server.queue(Reply(text="no usage here"))
    assert run_cli("ask", "-c", "estimated?", env=_env(server)).returncode == 0
    [summary] = _store().list()
    data = json.loads(_store().path_for(summary.id).read_text())
    priced, estimated = [m for m in data["messages"] if m["role"] == "assistant"]
    assert priced["usage"]["prompt_tokens"] == 1000 and priced["cost"] == 0.0006
    assert estimated["usage"]["estimated"] is True and estimated["usage"]["completion_tokens"] > 0
    assert data["usage"]["estimated"] is True and data["cost"] > 0.0006


def test_openai_base_url_on_loopback_needs_no_key_like_base_url(server: FakeOpenAI) -> None:
    # OPENAI_BASE_URL and --base-url name the same server: on loopback neither needs a key.
    server.queue(Reply(text="from the environment"), Reply(text="from the flag"))
    by_env = run_cli("ask", "hi", env={"OPENAI_BASE_URL": server.base_url})
    assert by_env.returncode == 0, by_env.stderr
    assert by_env.stdout == "from the environment\n"
    by_flag = run_cli("--base-url", server.base_url, "ask", "hi")
    assert by_flag.returncode == 0, by_flag.stderr
    assert by_flag.stdout == "from the flag\n"
    assert all(
        "authorization" not in r.headers or "sk-" not in r.headers["authorization"] for r in server.chat_requests()
    )


def test_a_reader_that_leaves_early_keeps_what_arrived_and_no_empty_partial(server: FakeOpenAI) -> None:
    """`causerie ask ... | head -c 100`: the pipe breaks mid-reply; the reply keeps its text, marked cancelled."""
    import shlex
    import subprocess

    from tests.cli.helpers import SRC

    server.queue(Reply(chunks=[f"w{i} " for i in range(3000)], delay=0.001))
    environ = dict(os.environ, OPENAI_API_KEY="sk-test-abcdefghijklmnop1234")
    environ["PYTHONPATH"] = str(SRC) + os.pathsep + environ.get("PYTHONPATH", "")
    command = f"{shlex.quote(sys.executable)} -m causerie ask hello --base-url {server.base_url} | head -c 100"
    done = subprocess.run(command, shell=True, env=environ, capture_output=True, timeout=60, check=False)
    assert len(done.stdout) == 100
    assert b"Traceback" not in done.stderr
    (conversation,) = [
        ConversationStore(paths.data_dir()).load(s.id) for s in ConversationStore(paths.data_dir()).list()
    ]
    reply = conversation.messages[-1]
    assert reply.role == "assistant" and reply.finish_reason == "cancelled"
    assert reply.content.startswith(done.stdout.decode()) and len(reply.content) >= 100
