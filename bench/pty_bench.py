"""Real-process scenarios: the installed `causerie` command in a pseudo-terminal, its screen read with pyte.

Startup is measured from spawning the process to the first moment the terminal shows a usable screen (the prompt
box, and the newest saved conversation in the sidebar when there are any). Memory is the child's peak RSS (VmHWM).
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

from causerie.core.storage.store import ConversationStore

SRC = Path(__file__).resolve().parents[1] / "src"
COLUMNS, LINES = 120, 40
WAIT = 300.0  # seconds: a guard against a hang, not a budget

EMPTY_APP = """
from textual.app import App
from textual.widgets import Static

class Empty(App):
    def compose(self):
        yield Static("empty app ready")

Empty().run()
"""


def causerie_command() -> list[str]:
    """The installed `causerie` console script next to this Python, or `python -m causerie`."""
    script = shutil.which("causerie", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "causerie"]


def child_env(home: Path) -> dict[str, str]:
    """This tree's source first, its own CAUSERIE_HOME, no keys from the shell."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "CAUSERIE_", "XDG_", "TEXTUAL"))}
    env.update(
        PYTHONPATH=os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH", "")])),
        CAUSERIE_HOME=str(home),
        TERM="xterm-256color",
        COLORTERM="truecolor",
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
    )
    return env


class Terminal:
    """A child in a pty; a reader thread feeds pyte."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.screen = pyte.Screen(COLUMNS, LINES)
        self._stream = pyte.ByteStream(self.screen)
        self._lock = threading.Lock()
        self.started = time.perf_counter()
        self.process = ptyprocess.PtyProcess.spawn(argv, env=env, dimensions=(LINES, COLUMNS))
        self._reader = threading.Thread(target=self._read, daemon=True)
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
                self._stream.feed(data)

    def text(self) -> str:
        with self._lock:
            return "\n".join(self.screen.display)

    def wait_until(self, condition: Callable[[str], bool], poll: float = 0.005) -> float:
        """Seconds from spawn until `condition(screen text)` held."""
        deadline = time.perf_counter() + WAIT
        while True:
            now = time.perf_counter()
            if condition(self.text()):
                return now - self.started
            if now > deadline or not self.process.isalive():
                raise RuntimeError(f"the screen never became ready:\n{self.text()}")
            time.sleep(poll)

    def write(self, data: str) -> None:
        self.process.write(data.encode())

    def peak_rss_mb(self) -> float:
        """The child's peak resident memory (VmHWM) in MB."""
        with open(f"/proc/{self.process.pid}/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def close(self) -> None:
        if self.process.isalive():
            self.write("\x11")  # ctrl+q
            deadline = time.monotonic() + 5
            while self.process.isalive() and time.monotonic() < deadline:
                time.sleep(0.05)
        if self.process.isalive():
            self.process.kill(signal.SIGKILL)
        try:
            self.process.close(force=True)
        except OSError:
            pass
        self._reader.join(5)


def newest_title(home: Path) -> str | None:
    """The start of the title the sidebar shows first, or None for an empty store."""
    summaries = ConversationStore(home / "data").list()
    if not summaries:
        return None
    return summaries[0].title[:12]


def start_causerie(home: Path, base_url: str) -> float:
    """Seconds from spawn to a usable screen (prompt shown, newest conversation listed)."""
    title = newest_title(home)
    terminal = Terminal([*causerie_command(), "--base-url", base_url], child_env(home))
    try:
        return terminal.wait_until(lambda text: "Message" in text and (title is None or title in text))
    finally:
        terminal.close()


def start_empty_app(home: Path) -> float:
    """Seconds from spawn to an empty Textual app's first screen (the floor of startup)."""
    terminal = Terminal([sys.executable, "-c", EMPTY_APP], child_env(home))
    try:
        return terminal.wait_until(lambda text: "empty app ready" in text)
    finally:
        terminal.close()


def empty_app_rss(home: Path) -> float:
    """Peak RSS of an empty Textual app, in MB."""
    terminal = Terminal([sys.executable, "-c", EMPTY_APP], child_env(home))
    try:
        terminal.wait_until(lambda text: "empty app ready" in text)
        time.sleep(0.5)
        return terminal.peak_rss_mb()
    finally:
        terminal.close()


def memory_run(home: Path, base_url: str, prompt_text: str, last_words: str) -> tuple[float, bool]:
    """Peak RSS (MB) of causerie with this store listed after it showed the reply to `prompt_text`, and whether
    the reply's end was on screen before the deadline (if not, the figure is the peak so far)."""
    title = newest_title(home)
    terminal = Terminal([*causerie_command(), "--base-url", base_url], child_env(home))
    try:
        terminal.wait_until(lambda text: "Message" in text and (title is None or title in text))
        terminal.write(prompt_text)
        time.sleep(0.2)
        terminal.write("\r")
        try:
            # The end of a very long reply may not be drawn (the view shows a notice in place of what is too long
            # to display): the status line's "last reply" with no "writing…" says it has ended too.
            terminal.wait_until(
                lambda text: "writing…" not in text and (last_words in text or "last reply" in text), poll=0.05
            )
            finished = True
        except RuntimeError:
            finished = False
        time.sleep(0.5)
        return terminal.peak_rss_mb(), finished
    finally:
        terminal.close()


def first_token_run(home: Path, base_url: str, prompt_text: str, first_words: str, enter_after: float) -> float:
    """Seconds from Enter to the reply's first words on screen, Enter coming `enter_after` s after the first paint.

    The prompt is typed as soon as the first screen shows (keys typed while starting land in the prompt).
    """
    terminal = Terminal([*causerie_command(), "--base-url", base_url], child_env(home))
    try:
        painted = terminal.wait_until(lambda text: "Message" in text)
        terminal.write(prompt_text)
        wait = painted + enter_after - (time.perf_counter() - terminal.started)
        if wait > 0:
            time.sleep(wait)
        enter = time.perf_counter()
        terminal.write("\r")
        shown = terminal.wait_until(lambda text: first_words in text, poll=0.002)
        return shown - (enter - terminal.started)
    finally:
        terminal.close()
