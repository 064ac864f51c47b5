"""The approval prompt of `causerie ask`: y/N/a on stderr, answered from the terminal itself (/dev/tty).

stdin is often a pipe (`git diff | causerie ask ...`), so the answer is read from the controlling terminal. Without
one, a call that is not allowed is denied, and stderr says how to allow it. Keys typed before the prompt appeared
are discarded, so typing ahead never approves anything.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import TextIO

from causerie.core.safe_text import sanitize, sanitize_line
from causerie.core.terminal_modes import change_local_modes, discard_typed_ahead
from causerie.core.tools.approval import Decision, PendingCall

ANSWERS = {"y": Decision.ALLOW_ONCE, "yes": Decision.ALLOW_ONCE, "a": Decision.ALWAYS, "always": Decision.ALWAYS}


class ShellApprover:
    """Asks on stderr and reads one line from the terminal: y (allow once), a (always allow), anything else: no."""

    def __init__(self, stderr: TextIO | None = None, tty: str = "/dev/tty", config_path: Path | None = None) -> None:
        self.stderr = stderr if stderr is not None else sys.stderr
        self.tty = tty
        self.config_path = config_path

    async def approve(self, pending: PendingCall) -> Decision:
        """Ask about one call; deny (and say how to allow it) when there is no terminal to ask."""
        try:
            fd = os.open(self.tty, os.O_RDONLY | os.O_NOCTTY)
        except OSError:
            where = f" of {self.config_path}" if self.config_path else " of the config file"
            self._say(
                f"causerie: the tool call {sanitize_line(pending.server)} › {sanitize_line(pending.tool)} was denied: "
                f"there is no terminal to ask. To let it run, add it to allow in "
                f'[mcp_servers.{sanitize_line(pending.server)}]{where}: allow = ["{sanitize_line(pending.tool)}"]\n'
            )
            return Decision.DENY
        try:
            discard_typed_ahead(fd)
            count = f" ({pending.position} of {pending.count})" if pending.count > 1 else ""
            self._say(
                f"\nThe model wants to run {sanitize_line(pending.tool)} of {sanitize_line(pending.server)}{count} "
                f"with:\n{sanitize(pending.arguments())}\nRun it? [y]es once / [N]o / [a]lways: "
            )
            line = await asyncio.to_thread(_read_line, fd)
        finally:
            os.close(fd)
        return ANSWERS.get(line.strip().lower(), Decision.DENY)

    def _say(self, text: str) -> None:
        self.stderr.write(text)
        self.stderr.flush()


def _read_line(fd: int) -> str:
    """One line typed on the terminal, echoed as it is typed (the reply's display turns the echo off)."""
    modes = change_local_modes(fd, on=("ECHO", "ICANON"))
    try:
        return _read_bytes(fd)
    finally:
        if modes is not None:
            modes.restore()


def _read_bytes(fd: int) -> str:
    data = b""
    while not data.endswith(b"\n"):
        chunk = os.read(fd, 1)
        if not chunk:
            break
        data += chunk
    return data.decode("utf-8", "replace")
