"""`causerie ask` on a terminal: a block taller than the screen, and Ctrl-C while the reply is drawn in place."""

from __future__ import annotations

import os
import re
import shlex
import signal
import termios
from pathlib import Path

from causerie.testing.fake_openai import FakeOpenAI, Reply

from .terminal import Terminal, causerie_command, child_env, signal_state

PARAGRAPHS = "".join(f"para{n:03d} " + "more words " * 12 + "\n\n" for n in range(400))


def test_ctrl_c_shows_the_partial_reply_once_and_restores_the_echo(server: FakeOpenAI, causerie_home: Path) -> None:
    # Short paragraphs: each finished one is printed once, only the one being written is redrawn in place.
    server.default = Reply(text=f"# A Heading\n\n{PARAGRAPHS}", delay=0.01)
    ask = shlex.join([*causerie_command(), "ask", "hi", "--base-url", server.base_url])
    # The shell survives the Ctrl-C (a trap, reset for the child) to show the terminal's settings afterwards.
    script = f"trap : INT; {ask}; echo exit=$?; stty -a"
    term = Terminal(["sh", "-c", script], child_env(causerie_home, OPENAI_API_KEY="sk-interrupt-0123"))
    try:
        term.wait_until(lambda: "para005" in term.text(), "a few paragraphs of the reply")
        # While the reply is drawn in place the terminal does not echo keys (an echoed ^C moved the cursor under the
        # live region and the paragraph being written was printed twice).
        assert not termios.tcgetattr(term.process.fd)[3] & termios.ECHO
        # Ctrl-C as the terminal delivers it: SIGINT to the foreground process group (the shell and causerie).
        children = Path(f"/proc/{term.process.pid}/task/{term.process.pid}/children").read_text().split()
        states = {pid: signal_state(int(pid)) for pid in children}
        os.killpg(os.getpgid(term.process.pid), signal.SIGINT)
        term.wait_until(lambda: "exit=130" in term.text(), f"exit=130 (signals of causerie before: {states})")
        term.wait_exit()
        screen = term.text()
        shown = re.findall(r"para\d{3}", screen)
        assert shown and len(shown) == len(set(shown)), screen  # the paragraph being written is not shown twice
        assert "interrupted; the partial reply is saved" in screen
        settings = screen.split("exit=130", 1)[1].split()
        assert "echo" in settings and "echoctl" in settings, screen  # not "-echo" / "-echoctl"
    finally:
        term.kill()


def test_a_block_taller_than_the_terminal_is_shown_once_and_in_order(server: FakeOpenAI, causerie_home: Path) -> None:
    code = "".join(f"line_{n:03d} = {n}\n" for n in range(80))
    server.default = Reply(text=f"Here:\n\n```python\n{code}```\n\nDone.\n", delay=0.005)
    ask = shlex.join([*causerie_command(), "ask", "hi", "--base-url", server.base_url])
    term = Terminal(["sh", "-c", f"{ask}; echo exit=$?"], child_env(causerie_home, OPENAI_API_KEY="sk-tall-0123"))
    try:
        term.wait_for("exit=0")
        term.wait_exit()
        rows = [row.strip() for row in term.text().splitlines()]
        # The screen ends with the block's last lines, each once and in order, then the rest of the reply: the
        # open block was drawn in place without wiping what was printed before it.
        end = rows.index("Done.")
        shown = [row for row in rows[:end] if row.startswith("line_")]
        assert shown == [f"line_{n:03d} = {n}" for n in range(80 - len(shown), 80)], rows
        assert len(shown) >= 20, rows
        assert rows[end + 1] == "exit=0"
    finally:
        term.kill()
