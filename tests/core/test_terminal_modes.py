"""Local modes changed on a real pseudo-terminal come back exactly as they were; a pipe is left alone."""

from __future__ import annotations

import os
import termios
from collections.abc import Iterator

import pytest

from causerie.core.terminal_modes import change_local_modes, discard_typed_ahead


@pytest.fixture
def terminal() -> Iterator[tuple[int, int]]:
    main, side = os.openpty()
    yield main, side
    os.close(main)
    os.close(side)


def local_flags(fd: int) -> int:
    return termios.tcgetattr(fd)[3]


def test_echo_off_then_restored(terminal: tuple[int, int]) -> None:
    _, side = terminal
    before = termios.tcgetattr(side)
    assert local_flags(side) & termios.ECHO
    modes = change_local_modes(side, off=("ECHO", "ECHOCTL"))
    assert modes is not None
    assert not local_flags(side) & (termios.ECHO | termios.ECHOCTL)
    assert local_flags(side) & termios.ICANON  # only what was named changed
    modes.restore()
    assert termios.tcgetattr(side) == before


def test_echo_and_line_editing_on_then_restored(terminal: tuple[int, int]) -> None:
    _, side = terminal
    quiet = termios.tcgetattr(side)
    quiet[3] &= ~(termios.ECHO | termios.ICANON)
    termios.tcsetattr(side, termios.TCSANOW, quiet)
    modes = change_local_modes(side, on=("ECHO", "ICANON"))
    assert modes is not None
    assert local_flags(side) & termios.ECHO and local_flags(side) & termios.ICANON
    modes.restore()
    assert local_flags(side) == quiet[3]


def test_a_stream_is_taken_as_well_as_a_descriptor(terminal: tuple[int, int]) -> None:
    _, side = terminal
    with open(os.dup(side), "w") as stream:
        modes = change_local_modes(stream, off=("ECHO",))
        assert modes is not None and not local_flags(side) & termios.ECHO
        modes.restore()
    assert local_flags(side) & termios.ECHO


def test_keys_typed_ahead_are_dropped(terminal: tuple[int, int]) -> None:
    main, side = terminal
    os.write(main, b"y\n")
    discard_typed_ahead(side)
    os.write(main, b"n\n")
    assert os.read(side, 10) == b"n\n"


def test_a_pipe_is_not_a_terminal_and_nothing_changes() -> None:
    read, write = os.pipe()
    try:
        assert change_local_modes(read, off=("ECHO",)) is None
        discard_typed_ahead(read)  # nothing to drop, no error
        os.write(write, b"kept\n")
        assert os.read(read, 10) == b"kept\n"
    finally:
        os.close(read)
        os.close(write)
