"""The one place a private Textual name may appear: each use names the version it was written against, and a test
(tests/ui/test_compat.py) fails when that version's behaviour changes."""

from __future__ import annotations

from dataclasses import dataclass

from textual._ansi_sequences import ANSI_SEQUENCES_KEYS

WRITTEN_AGAINST = "8.2.8"
"""The Textual version these additions were written against."""

ALT_ENTER_SEQUENCE = "\x1b\r"
"""What tmux (and xterm with metaSendsEscape) sends for alt+enter: ESC then CR."""


@dataclass(frozen=True)
class _NamedKey:
    """Stands for a member of textual.keys.Keys: the parser reads only `.value` (the key's name)."""

    value: str


def teach_alt_enter() -> None:
    """Make ESC CR arrive as the key "alt+enter" instead of a plain Enter.

    Textual 8.2.8's key table has no entry for "\\x1b\\r": after the escape delay the parser reissues the CR with
    its alt flag dropped (the alt only survives for printable characters), so alt+enter in tmux sent the message
    instead of starting a new line. An entry in the table makes the parser yield "alt+enter" at once.
    """
    table = ANSI_SEQUENCES_KEYS
    if ALT_ENTER_SEQUENCE not in table:
        table[ALT_ENTER_SEQUENCE] = (_NamedKey("alt+enter"),)  # type: ignore[index]
