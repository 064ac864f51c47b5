"""Ctrl-C during `causerie ask` on a terminal: the reply so far is shown once, and the terminal is left as it was."""

from __future__ import annotations

import shlex
from pathlib import Path

from causerie.testing.fake_openai import FakeOpenAI, Reply

from .terminal import Terminal, causerie_command, child_env

OPENING = "first paragraph words"


def test_ctrl_c_shows_the_partial_reply_once_and_restores_the_echo(server: FakeOpenAI, causerie_home: Path) -> None:
    server.default = Reply(text=f"# A Heading\n\n{OPENING} " + "more words " * 400, delay=0.05)
    ask = shlex.join([*causerie_command(), "ask", "hi", "--base-url", server.base_url])
    # The shell survives the Ctrl-C (a trap, reset for the child) to show the terminal's settings afterwards.
    script = f"trap : INT; {ask}; echo exit=$?; stty -a"
    term = Terminal(["sh", "-c", script], child_env(causerie_home, OPENAI_API_KEY="sk-interrupt-0123"))
    try:
        term.wait_until(lambda: term.text().count("more words") > 30, "two lines of the reply")
        term.process.write(b"\x03")
        term.wait_for("exit=130")
        term.wait_exit()
        screen = term.text()
        assert screen.count(OPENING) == 1, screen
        assert screen.count("A Heading") == 1, screen
        assert "interrupted; the partial reply is saved" in screen
        settings = screen.split("exit=130", 1)[1].split()
        assert "echo" in settings and "echoctl" in settings, screen  # not "-echo" / "-echoctl"
    finally:
        term.kill()
