"""The one way outside text (model output, titles, file contents, config) is cleaned for display in a terminal.

Cleaning is for display only: callers keep the original string for storing, sending and recalling. The UI wraps the
result in a `Content`/`Text` (never a markup string); the shell verbs print it. Returning `str` keeps core UI-free.
"""

from __future__ import annotations

import re
import unicodedata

# C0 controls except tab and newline, DEL, and the C1 range: ESC starts CSI/OSC sequences, C1 has 8-bit CSI (0x9b)
# and OSC (0x9d), BEL ends OSC. Each becomes its visible Unicode "control picture" (or a replacement for C1).
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")
# Lone surrogates cannot be encoded for the terminal at all.
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
# In message bodies: bidi embeddings, overrides and isolates (a line displayed reversed), and the invisible zero-width
# space, word joiner and byte-order mark (hidden words). ZWJ, ZWNJ, LRM and RLM stay: emoji, Persian and mixed
# scripts need them, and they cannot reorder or hide text.
_BODY_FORMAT_RE = re.compile("[\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff]")


def _picture(char: str) -> str:
    """The visible stand-in of one control or format character."""
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # ␛ for ESC, ␇ for BEL...
    if code == 0x7F:
        return "\u2421"  # ␡
    if 0x80 <= code <= 0x9F or 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return f"⟨U+{code:04X}⟩"


def _visible(match: re.Match[str]) -> str:
    return _picture(match.group())


def sanitize(text: str) -> str:
    """Clean a message body for display: controls, escape sequences and hiding or reordering characters made visible.

    Tab and newline stay; carriage returns become newlines (a bare CR would rewrite the visible line). C0/C1
    controls become control pictures, bidi overrides and isolates and U+200B, U+2060, U+FEFF become ``⟨U+XXXX⟩``.

    Args:
        text: Outside text (a reply, reasoning, an error message, a file's content).

    Returns:
        The text to show; the original is what is stored and sent.
    """
    if not text:
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL_RE.sub(_visible, text)
    text = _BODY_FORMAT_RE.sub(_visible, text)
    return _SURROGATE_RE.sub("\ufffd", text)


# What `sanitize` makes visible, and the bare CR it turns into a newline: replaced one character for one in text
# being edited.
_IN_PLACE_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff\ud800-\udfff]")


def _one_picture(match: re.Match[str]) -> str:
    picture = _picture(match.group())
    return picture if len(picture) == 1 else "\ufffd"


def sanitize_in_place(text: str) -> str:
    """Clean text being edited for display, one character for one: what `sanitize` makes visible, here in one symbol.

    The prompt holds the real text (sent as typed or recalled) and shows this: every position in the shown text is
    the same position in the real one, so the cursor, the selection and the line wrapping stay where the text is.
    C0 controls (CR included) become control pictures; C1, bidi overrides and isolates, U+200B, U+2060, U+FEFF and
    lone surrogates become U+FFFD. Tab and newline stay.

    Args:
        text: Text the user is editing (recalled from a conversation file, pasted, typed).

    Returns:
        A string of the same length to show.
    """
    return _IN_PLACE_RE.sub(_one_picture, text) if text else text


def sanitize_line(text: str) -> str:
    """Clean a one-line field (title, model id, file name, config key): every control and format character visible.

    Newlines and tabs become spaces first; then every Unicode Cc and Cf character (ESC, C1, bidi marks, zero-width
    characters, soft hyphen...) becomes a visible stand-in, so a field can neither move the cursor nor hide or reorder
    its own text.

    Args:
        text: Outside text meant for one line.

    Returns:
        The text to show on one line.
    """
    if not text:
        return text
    text = " ".join(text.replace("\t", " ").splitlines())
    if text.isprintable():
        return text  # the common case: nothing to replace (isprintable is False for every Cc and Cf)
    return "".join(_picture(ch) if unicodedata.category(ch) in ("Cc", "Cf", "Cs") else ch for ch in text)


def encodable(text: str) -> str:
    """Text that can be sent as UTF-8: lone surrogates (a pasted broken byte, say) become U+FFFD.

    The stored message keeps the exact text; only the copy on the wire is repaired.
    """
    if text.isascii():
        return text  # the common case, and an image's base64 data: a flag read, no scan
    return _SURROGATE_RE.sub("\ufffd", text) if _SURROGATE_RE.search(text) else text


def json_for_terminal(text: str) -> str:
    """JSON text whose control and format characters (C1, DEL, bidi, zero-width) are written as ``\\uXXXX`` escapes.

    `json.dumps(..., ensure_ascii=False)` escapes only C0; U+009B (8-bit CSI) or U+202E would reach the terminal raw.
    An escape inside a JSON string decodes to the same character, so the data is unchanged for any reader.

    Args:
        text: The output of `json.dumps`.

    Returns:
        The same JSON document, safe to print.
    """
    if text.isprintable():
        return text
    return "".join(
        ch if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs") else f"\\u{ord(ch):04x}" for ch in text
    )
