"""A config file is code when it names a command: others must not be able to change it; its command is contained."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from causerie.core.settings import paths
from causerie.core.settings.config import ConfigError, load_settings
from causerie.core.settings.config_check import UnsafeConfig
from causerie.core.settings.keys import run_key_command
from tests.cli.helpers import run_cli


def _write_config(text: str, mode: int) -> Path:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


COMMAND = '[profiles.p]\nbase_url = "http://127.0.0.1:9/v1"\napi_key_command = "echo sk-from-command"\n'


@pytest.mark.parametrize("mode", [0o602, 0o646, 0o666])
def test_a_config_naming_a_command_that_others_can_write_is_refused(mode: int) -> None:
    path = _write_config('profile = "p"\n' + COMMAND, mode)
    with pytest.raises(UnsafeConfig, match=f"chmod 600 {path}"):
        load_settings()
    done = run_cli("ask", "hello")
    assert done.returncode == 2
    assert f"chmod 600 {path}" in done.stderr and "Traceback" not in done.stderr


def test_the_same_file_private_is_used() -> None:
    _write_config('profile = "p"\n' + COMMAND, 0o600)
    assert load_settings().api_key == "sk-from-command"


def test_a_file_writable_by_a_shared_group_is_refused_and_by_no_one_else_is_not() -> None:
    import grp
    import pwd

    user = pwd.getpwuid(os.getuid())
    group = grp.getgrgid(os.getgid())
    private = group.gr_name == user.pw_name and set(group.gr_mem) <= {user.pw_name}
    _write_config('profile = "p"\n' + COMMAND, 0o620)
    if private:
        assert load_settings().api_key == "sk-from-command"  # the user's own private group, as ssh allows
    else:
        with pytest.raises(UnsafeConfig):
            load_settings()


def test_a_key_command_is_killed_with_everything_it_started(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    with pytest.raises(ConfigError, match="did not finish within 1 s"):
        run_key_command(f"sleep 60 & echo $! > {pid_file}; wait", "p", timeout=1)
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 10
    while _alive(child):
        assert time.monotonic() < deadline, "the command's own child outlived the timeout"
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ")[-1][0] != "Z"  # a zombie is dead, only not yet reaped
    except FileNotFoundError:
        return False


def test_a_key_command_stderr_is_shown_cleaned() -> None:
    with pytest.raises(ConfigError) as caught:
        run_key_command("printf 'no \\033]0;x\\007 [/secret/openai]\\n' >&2; exit 3", "p")
    message = str(caught.value)
    assert "␛]0;x␇ [/secret/openai]" in message and "\x1b" not in message


def test_a_key_command_with_a_nul_cannot_be_run_and_says_so() -> None:
    _write_config('profile = "p"\n' + COMMAND.replace("echo sk-from-command", "pass show openai\\u0000"), 0o600)
    with pytest.raises(ConfigError, match="could not be run"):
        load_settings()
    for verb in (("ask", "hello"), ("list",)):
        done = run_cli(*verb)
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert "could not be run" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_config_nested_500_deep_is_one_message_and_exit_2() -> None:
    _write_config("x = " + "[" * 500 + "]" * 500 + "\n", 0o600)
    with pytest.raises(ConfigError, match="nested too deeply"):
        load_settings()
    done = run_cli("ask", "hello")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
