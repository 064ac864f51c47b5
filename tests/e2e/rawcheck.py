"""What may reach the terminal: the escape sequences Textual itself writes, and nothing a model injected."""

from __future__ import annotations

import re

# Every escape sequence in a byte stream: CSI (with private prefixes and intermediates), OSC (ended by BEL or ST),
# and any other ESC + one byte.
_SEQUENCE_RE = re.compile(rb"\x1b\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.")
# What Textual's Linux driver writes: cursor positioning (H), colours (m), the private modes it uses (?...h/l),
# the kitty keyboard protocol (u), mode queries ($p) and OSC 22 (mouse pointer shape).
_TEXTUAL_MODES = rb"(?:7|25|1000|1003|1004|1006|1015|1049|2004|2026|2048)"
_TEXTUAL_CSI_RE = re.compile(rb"\x1b\[(?:[0-9;]*[Hm]|\?" + _TEXTUAL_MODES + rb"[hl]|[<>=]?[0-9;]*u|\?[0-9]+\$p)")
_TEXTUAL_OSC_RE = re.compile(rb"\x1b\]22;[a-z-]*(?:\x07|\x1b\\)")
# C1 controls encoded as UTF-8 (U+0080..U+009F): a UTF-8 terminal may act on them like 8-bit CSI/OSC.
_C1_UTF8_RE = re.compile(rb"\xc2[\x80-\x9f]")


def foreign_sequences(raw: bytes) -> list[bytes]:
    """Escape sequences, C1 controls and stray BELs in `raw` that Textual itself does not write."""
    found: list[bytes] = []
    for match in _SEQUENCE_RE.finditer(raw):
        sequence = match.group()
        if _TEXTUAL_CSI_RE.fullmatch(sequence) or _TEXTUAL_OSC_RE.fullmatch(sequence):
            continue
        found.append(sequence)
    found.extend(_C1_UTF8_RE.findall(raw))
    without_sequences = _SEQUENCE_RE.sub(b"", raw)
    found.extend(re.findall(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]", without_sequences))
    return found
