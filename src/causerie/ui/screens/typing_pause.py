"""How long a fast stream rests at each of its yields: a little while the user types, else not at all.

A key goes through several message queues before it is drawn, and a bare yield gives each only one turn per slice:
while the user typed in the last TYPING_WINDOW seconds, the engine rests YIELD_PAUSE at each yield.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.dom import DOMNode

TYPING_WINDOW = 1.0
YIELD_PAUSE = 0.001


def typing_pause(node: DOMNode) -> Callable[[], float]:
    """The engine's `pause` for the app of `node` (the app records `last_input`, the time of the last key)."""

    def pause() -> float:
        typing = time.monotonic() - getattr(node.app, "last_input", float("-inf")) < TYPING_WINDOW
        return YIELD_PAUSE if typing else 0.0

    return pause
