"""What a real terminal shows of a streaming reply equals a full repaint of the same state.

The reply's lines are repainted piecemeal while it streams (only changed lines, growth a few times a second, the
lines a widget already had kept): a line left stale on the terminal would show here as a difference between the
screen mid-stream and the same screen drawn again from scratch.
"""

from __future__ import annotations

import threading
import time

from causerie.testing.fake_openai import FakeOpenAI, Reply

from .conftest import Launch
from .terminal import Terminal

# Tables matter most: a growing table's columns widen as rows arrive, so lines already drawn change.
TABLE = "\n\n| name | value |\n|---|---|\n" + "".join(f"| row {r} | {'v' * (3 * r)} |\n" for r in range(1, 7))
PARAGRAPHS = "\n\n".join(
    f"Paragraph {i}: "
    + " ".join(f"word{i}x{j}" for j in range(14))
    + ("\n\n- item\n- item two" if i % 5 == 0 else "")
    + (TABLE if i % 4 == 0 else "")
    for i in range(45)
)


def settled(term: Terminal, quiet: float = 1.0, timeout: float = 30.0) -> str:
    """The screen's text once it stopped changing for `quiet` seconds."""
    deadline = time.monotonic() + timeout
    last, since = term.text(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = term.text()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return now
    raise AssertionError("the screen never settled")


def test_a_stalled_stream_shows_what_a_full_repaint_shows(launch: Launch, server: FakeOpenAI) -> None:
    pieces = [PARAGRAPHS[i : i + 7] for i in range(0, len(PARAGRAPHS), 7)]
    stalled = threading.Event()
    server.queue(
        Reply(chunks=pieces, delay=0.008, stall_after=len(pieces) * 2 // 3, stall_seconds=120, stalled=stalled)
    )
    term = launch(server)
    term.wait_for("Message")
    term.type("stream please")
    term.press("enter")
    term.wait_for("Paragraph 24")  # taller than the pane: it grew and scrolled many times
    assert stalled.wait(60), "the server never reached the stall"
    streamed = settled(term)  # every piece was sent: what stops changing now is all the reply there will be
    assert "Paragraph 44" not in streamed  # stalled before its end
    term.press("ctrl+b")  # hide the sidebar: everything is laid out and drawn again at another width...
    term.wait_gone("History")
    term.press("ctrl+b")  # ...and again at the first width
    term.wait_for("History")
    # Showing the sidebar moves the focus into it, so only the footer's keys may differ.
    assert settled(term).splitlines()[:-1] == streamed.splitlines()[:-1]
    term.press("escape")
