"""Run the real `causerie` command in a pseudo-terminal and read its screen with pyte.

Every wait has a generous deadline so a broken build fails instead of hanging; nothing here measures speed.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import ptyprocess
import pyte

SRC = Path(__file__).resolve().parents[2] / "src"
COLUMNS, LINES = 100, 30
DEADLINE = 30.0  # seconds: a guard against hanging on a broken build, not a timing assertion

KEYS = {
    "enter": "\r",
    "escape": "\x1b",
    "tab": "\t",
    "up": "\x1b[A",
    "down": "\x1b[B",
    "right": "\x1b[C",
    "left": "\x1b[D",
    "ctrl+q": "\x11",
    "ctrl+n": "\x0e",
    "ctrl+b": "\x02",
    "ctrl+r": "\x12",
    "ctrl+j": "\n",
    "alt+enter": "\x1b\r",  # as tmux sends it
    "shift+enter": "\x1b[13;2u",  # the kitty keyboard protocol (tmux extended-keys in csi-u format)
    "shift+tab": "\x1b[Z",
    "f1": "\x1bOP",
    "f2": "\x1bOQ",
    "delete": "\x1b[3~",
    "ctrl+f": "\x06",
}


def causerie_command() -> list[str]:
    """The installed `causerie` console script next to this Python, or `python -m causerie`."""
    script = shutil.which("causerie", path=str(Path(sys.executable).parent)) or shutil.which("causerie")
    return [script] if script else [sys.executable, "-m", "causerie"]


def child_env(home: Path, **extra: str) -> dict[str, str]:
    """A clean environment for the child: this tree's source first, its own CAUSERIE_HOME, no real keys."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("OPENAI_", "CAUSERIE_", "XDG_")) and key not in ("PYTHONPATH", "TEXTUAL")
    }
    env.update(
        PYTHONPATH=os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH", "")])),
        CAUSERIE_HOME=str(home),
        TERM="xterm-256color",
        COLORTERM="truecolor",
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(extra)
    return env


def _as_from_a_login_terminal() -> None:
    """In the child before exec: signals as a terminal's shell starts them (the test runner's own can differ)."""
    for number in (signal.SIGINT, signal.SIGQUIT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])


def signal_state(pid: int) -> str:
    """The signal lines of /proc/PID/status (blocked, ignored, caught), for a failure message."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError as exc:
        return f"no status for {pid}: {exc}"
    lines = [line.replace("\t", "=") for line in status.splitlines()]
    return " ".join(line for line in lines if line.startswith(("SigBlk", "SigIgn", "SigCgt")))


class Terminal:
    """A child process in a pty: the raw bytes it wrote, and the screen a terminal would show."""

    def __init__(self, argv: list[str], env: dict[str, str], columns: int = COLUMNS, lines: int = LINES) -> None:
        self.screen = pyte.Screen(columns, lines)
        self._stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()
        self._lock = threading.Lock()
        self.process = ptyprocess.PtyProcess.spawn(
            argv, env=env, dimensions=(lines, columns), preexec_fn=_as_from_a_login_terminal
        )
        self._reader = threading.Thread(target=self._read, name="pty-reader", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = self.process.read(65536)
            except (EOFError, OSError):
                return
            if not data:
                return
            with self._lock:
                self.raw.extend(data)
                self._stream.feed(data)

    # -- reading -------------------------------------------------------------------------------------------
    def text(self) -> str:
        """The screen as text, one line per row."""
        with self._lock:
            return "\n".join(line.rstrip() for line in self.screen.display)

    def cells(self) -> list[list[str]]:
        """The screen cell by cell (the second cell of a wide character is "")."""
        with self._lock:
            buffer = self.screen.buffer
            return [[buffer[y][x].data for x in range(self.screen.columns)] for y in range(self.screen.lines)]

    def raw_bytes(self) -> bytes:
        """Everything the child wrote to the terminal so far."""
        with self._lock:
            return bytes(self.raw)

    def wait_until(self, condition: Callable[[], bool], what: str, timeout: float = DEADLINE) -> None:
        """Poll until `condition()` holds; fail with the screen after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; screen:\n{self.text()}")
            if not self.process.isalive() and not condition():
                time.sleep(0.2)  # let the reader drain the last bytes
                if condition():
                    return
                raise AssertionError(f"causerie exited while waiting for {what}; screen:\n{self.text()}")
            time.sleep(0.05)

    def wait_for(self, text: str, timeout: float = DEADLINE) -> None:
        """Wait until `text` is visible on the screen."""
        self.wait_until(lambda: text in self.text(), repr(text), timeout)

    def wait_gone(self, text: str, timeout: float = DEADLINE) -> None:
        """Wait until `text` is no longer visible."""
        self.wait_until(lambda: text not in self.text(), f"{text!r} to disappear", timeout)

    # -- writing -------------------------------------------------------------------------------------------
    def type(self, text: str) -> None:
        """Type text, a few characters per write, as a fast typist would."""
        data = text.encode("utf-8")
        for start in range(0, len(data), 16):
            self.process.write(data[start : start + 16])
            time.sleep(0.01)

    def press(self, *keys: str) -> None:
        """Press named keys (see KEYS)."""
        for key in keys:
            self.process.write(KEYS[key].encode())
            time.sleep(0.05)

    # -- ending --------------------------------------------------------------------------------------------
    def wait_exit(self, timeout: float = DEADLINE) -> int:
        """Wait for the child to exit on its own; its exit status."""
        self.wait_until(lambda: not self.process.isalive(), "causerie to exit", timeout)
        self._reader.join(5)
        self.process.wait()
        return self.process.exitstatus if self.process.exitstatus is not None else -(self.process.signalstatus or 0)

    def kill(self) -> None:
        """End the child for sure (used in finally)."""
        if self.process.isalive():
            try:
                self.process.kill(signal.SIGTERM)
                deadline = time.monotonic() + 3
                while self.process.isalive() and time.monotonic() < deadline:
                    time.sleep(0.05)
                if self.process.isalive():
                    self.process.kill(signal.SIGKILL)
            except OSError:
                pass
        try:
            self.process.close(force=True)
        except OSError:
            pass
        self._reader.join(5)


def click_text(term: Terminal, text: str) -> None:
    """Click (SGR mouse press and release) on the first cell showing `text`."""
    for row, line in enumerate(term.text().splitlines()):
        column = line.find(text)
        if column >= 0:
            x, y = column + 2, row + 1  # 1-based, a little inside the text
            term.process.write(f"\x1b[<0;{x};{y}M".encode())
            time.sleep(0.05)
            term.process.write(f"\x1b[<0;{x};{y}m".encode())
            return
    raise AssertionError(f"{text!r} is not on the screen:\n{term.text()}")
