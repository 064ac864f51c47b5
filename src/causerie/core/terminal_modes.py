"""The terminal's local modes (echo, line editing) changed for a while and then put back exactly as they were.

`causerie ask` turns the echo off while it redraws a reply in place, and its tool approval turns echo and line
editing back on to read an answer: both go through here, so a mode is never left changed by one and not the other.
On anything that is not a terminal (a pipe, a file, a system without termios) nothing is changed.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TextIO

__all__ = ["ChangedModes", "change_local_modes", "discard_typed_ahead"]


@dataclass(frozen=True, slots=True)
class ChangedModes:
    """What to put back: the terminal's attributes before the change."""

    fd: int | TextIO
    saved: list

    def restore(self) -> None:
        import termios

        with contextlib.suppress(termios.error, OSError):  # the terminal went away: nothing left to restore
            termios.tcsetattr(self.fd, termios.TCSANOW, self.saved)


def change_local_modes(fd: int | TextIO, *, on: tuple[str, ...] = (), off: tuple[str, ...] = ()) -> ChangedModes | None:
    """Set the local-mode flags named in `on` (termios names: "ECHO", "ICANON", ...) and clear those in `off`.

    `fd` is a descriptor or a stream. Returns what `restore` needs, or None when `fd` is not a terminal and nothing
    was changed.
    """
    try:
        import termios
    except ImportError:  # no termios on this system
        return None
    try:
        saved = termios.tcgetattr(fd)
        changed = termios.tcgetattr(fd)
        for name in on:
            changed[3] |= getattr(termios, name)
        for name in off:
            changed[3] &= ~getattr(termios, name)
        termios.tcsetattr(fd, termios.TCSANOW, changed)
    except (termios.error, OSError, ValueError, AttributeError):  # not a terminal (termios.error is no OSError)
        return None
    return ChangedModes(fd, saved)


def discard_typed_ahead(fd: int) -> None:
    """Drop keys typed before a question was asked, so they cannot answer it."""
    try:
        import termios
    except ImportError:  # no termios on this system
        return
    with contextlib.suppress(termios.error, OSError):  # not a terminal: nothing typed ahead to drop
        termios.tcflush(fd, termios.TCIFLUSH)
