"""One round of tool calls against a real MCP server: approval answers, "always allow" saved, cancellation."""

from __future__ import annotations

import asyncio
import io
import os
import pty
import time
import tomllib
from pathlib import Path

import pytest

from causerie.core.conversation.models import ToolCall
from causerie.core.settings import paths
from causerie.core.tools.approval import Decision, PendingCall, ToolPolicy, pretty_arguments
from causerie.core.tools.round import CANCELLED, DECLINED, run_round
from causerie.core.tools.servers import ToolServers
from causerie.core.tools.shell_approval import ShellApprover
from tests.core.approvers import NeverAnswers, ScriptedApprover

OSLO = ToolCall("call_1", "weather__forecast", '{"city": "Oslo"}')
ENV = ToolCall("call_2", "weather__environment", '{"name": "HOME"}')
BIG = ToolCall("call_3", "weather__big", '{"size": 3}')


async def test_allowed_tools_run_without_asking_the_others_are_asked(servers: ToolServers) -> None:
    approver = ScriptedApprover(Decision.ALLOW_ONCE, Decision.DENY)
    seen = []
    messages = await run_round([OSLO, ENV, BIG], servers, approver, ToolPolicy(servers), on_message=seen.append)
    assert [(p.tool, p.position, p.count) for p in approver.asked] == [("environment", 1, 2), ("big", 2, 2)]
    assert [(m.role, m.tool_call_id, m.name) for m in messages] == [
        ("tool", "call_1", "weather__forecast"),
        ("tool", "call_2", "weather__environment"),
        ("tool", "call_3", "weather__big"),
    ]
    assert messages[0].content.startswith("Oslo: rain") and not messages[0].is_error
    assert messages[1].content == os.environ["HOME"]
    assert (messages[2].content, messages[2].is_error) == (DECLINED, True)
    assert seen == messages


async def test_always_allow_is_saved_and_not_asked_again(servers: ToolServers) -> None:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('# mine\n[mcp_servers.weather]\ncommand = "python"\nallow = ["forecast"]\n')
    policy = ToolPolicy(servers, config_path=path)
    approver = ScriptedApprover(Decision.ALWAYS)
    await run_round([ENV], servers, approver, policy)
    assert tomllib.loads(path.read_text())["mcp_servers"]["weather"]["allow"] == ["forecast", "environment"]
    assert path.read_text().startswith("# mine\n")
    again = await run_round([ENV], servers, approver, policy)  # the script is empty: asking would fail
    assert again[0].content == os.environ["HOME"]


async def test_always_allow_that_cannot_be_saved_still_allows_and_says_so(servers: ToolServers) -> None:
    notices: list[str] = []
    policy = ToolPolicy(servers, config_path=paths.config_file())  # no such file: no section to edit
    await run_round([ENV], servers, ScriptedApprover(Decision.ALWAYS), policy, on_notice=notices.append)
    assert len(notices) == 1 and "allowed for this session, but it could not be saved" in notices[0]
    assert (await run_round([ENV], servers, ScriptedApprover(), policy))[0].content == os.environ["HOME"]


async def test_an_unknown_tool_is_answered_with_an_error_without_asking(servers: ToolServers) -> None:
    approver = ScriptedApprover()
    [message] = await run_round([ToolCall("c9", "nope__x", "{}")], servers, approver, ToolPolicy(servers))
    assert message.is_error and "no tool named 'nope__x'" in message.content and approver.asked == []


async def test_cancelling_answers_every_call_so_the_conversation_stays_valid(servers: ToolServers) -> None:
    approver = NeverAnswers()
    seen = []
    task = asyncio.create_task(
        run_round([OSLO, ENV, BIG], servers, approver, ToolPolicy(servers), on_message=seen.append)
    )
    await asyncio.wait_for(approver.asked.wait(), 30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert [m.tool_call_id for m in seen] == ["call_1", "call_2", "call_3"]
    assert seen[0].content.startswith("Oslo: rain")
    assert [m.content for m in seen[1:]] == [CANCELLED, CANCELLED]


def test_pretty_arguments_fold_long_strings_and_keep_what_is_not_json() -> None:
    text = pretty_arguments('{"path": "' + "a" * 300 + '", "n": [1, 2]}', fold=10)
    assert text == '{\n  "path": "aaaaaaaaaa… (290 more characters)",\n  "n": [\n    1,\n    2\n  ]\n}'
    assert pretty_arguments("{not json") == "{not json"
    assert "a" * 300 in pretty_arguments('{"path": "' + "a" * 300 + '"}', fold=None)


async def _prompted(stderr: io.StringIO, text: str) -> None:
    deadline = time.monotonic() + 30
    while text not in stderr.getvalue():
        assert time.monotonic() < deadline, stderr.getvalue()
        await asyncio.sleep(0.01)


@pytest.mark.parametrize(
    ("typed", "decision"), [("y\n", Decision.ALLOW_ONCE), ("a\n", Decision.ALWAYS), ("\n", Decision.DENY)]
)
async def test_the_shell_prompt_reads_the_terminal_and_drops_typed_ahead_keys(
    servers: ToolServers, typed: str, decision: Decision
) -> None:
    master, slave = pty.openpty()
    try:
        os.write(master, b"a\n")  # typed before the prompt: must never count as an answer
        stderr = io.StringIO()
        approver = ShellApprover(stderr=stderr, tty=os.ttyname(slave))
        spec = servers.spec("weather__environment")
        assert spec is not None
        pending = PendingCall(ToolCall("c", spec.exposed_name, '{"name": "\\u001b[31mHOME"}'), spec)
        answer = asyncio.create_task(approver.approve(pending))
        await _prompted(stderr, "[a]lways: ")
        os.write(master, typed.encode())
        assert await asyncio.wait_for(answer, 30) is decision
        assert "The model wants to run environment of weather" in stderr.getvalue()
        assert "\x1b" not in stderr.getvalue()  # the arguments are outside text
    finally:
        os.close(master)
        os.close(slave)


async def test_an_answer_from_something_that_is_not_a_terminal_is_read_too(
    servers: ToolServers, tmp_path: Path
) -> None:
    fifo = tmp_path / "answers"
    os.mkfifo(fifo)
    writer = os.open(fifo, os.O_RDWR)  # held open, so the approver's own open does not wait for a writer
    try:
        stderr = io.StringIO()
        approver = ShellApprover(stderr=stderr, tty=str(fifo))
        spec = servers.spec("weather__environment")
        assert spec is not None
        answer = asyncio.create_task(approver.approve(PendingCall(ENV, spec)))
        await _prompted(stderr, "[a]lways: ")
        os.write(writer, b"y\n")
        assert await asyncio.wait_for(answer, 30) is Decision.ALLOW_ONCE
    finally:
        os.close(writer)


async def test_without_a_terminal_the_call_is_denied_and_stderr_says_how_to_allow_it(servers: ToolServers) -> None:
    stderr = io.StringIO()
    approver = ShellApprover(stderr=stderr, tty="/nonexistent/tty", config_path=Path("/cfg/config.toml"))
    spec = servers.spec("weather__environment")
    assert spec is not None
    assert await approver.approve(PendingCall(ENV, spec)) is Decision.DENY
    assert 'add it to allow in [mcp_servers.weather] of /cfg/config.toml: allow = ["environment"]' in stderr.getvalue()
