"""The private Textual names in ui/compat.py still behave as they did in the version they were written against."""

from __future__ import annotations

import textual
from textual._xterm_parser import XTermParser
from textual.events import Key

from causerie.ui.compat import ALT_ENTER_SEQUENCE, WRITTEN_AGAINST, teach_alt_enter


def keys_parsed(data: str) -> list[str]:
    parser = XTermParser()
    return [event.key for event in parser.feed(data) if isinstance(event, Key)]


def test_written_against_the_installed_textual() -> None:
    # A new Textual: check that the key table still lacks ESC CR (then keep the addition) or drop it.
    assert textual.__version__ == WRITTEN_AGAINST


def test_escape_cr_is_alt_enter() -> None:
    teach_alt_enter()
    assert keys_parsed(ALT_ENTER_SEQUENCE) == ["alt+enter"]
    assert keys_parsed("\r") == ["enter"]
    assert keys_parsed("\n") == ["ctrl+j"]
    assert keys_parsed("\x1b[13;2u") == ["shift+enter"]  # the kitty keyboard protocol's shift+enter
