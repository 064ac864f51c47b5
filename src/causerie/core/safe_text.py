"""Untrusted text (model output, titles, file contents) made safe to show in a terminal."""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, and the C1 range: ESC starts CSI/OSC sequences, C1 has 8-bit CSI (0x9b)
# and OSC (0x9d), BEL ends OSC. Each becomes its visible Unicode "control picture" (or a replacement for C1).
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")
# Lone surrogates cannot be encoded for the terminal at all.
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␛ for ESC, ␇ for BEL...
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


def sanitize(text: str) -> str:
    """Replace every terminal control character with a visible stand-in; keep tab and newline.

    Carriage returns become newlines: a bare CR would rewrite the visible line.
    """
    if not text:
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL_RE.sub(_visible, text)
    return _SURROGATE_RE.sub("\ufffd", text)


def sanitize_line(text: str) -> str:
    """Like sanitize, for one-line places (titles): newlines and tabs become spaces first."""
    return sanitize(" ".join(text.replace("\t", " ").splitlines()))


def encodable(text: str) -> str:
    """Text that can be sent as UTF-8: lone surrogates (a pasted broken byte, say) become U+FFFD.

    The stored message keeps the exact text; only the copy on the wire is repaired.
    """
    return _SURROGATE_RE.sub("\ufffd", text) if _SURROGATE_RE.search(text) else text
