"""Model output cannot reach the terminal as control sequences."""

from __future__ import annotations

from causerie.core.safe_text import sanitize, sanitize_line


def test_escape_sequences_become_visible() -> None:
    hostile = "a\x1b[2Jb\x1b]52;c;SGVsbG8=\x07c\x1b]0;pwned\x1b\\d\x9b31m\x9d8;;x\x9c"
    clean = sanitize(hostile)
    assert all(ch not in clean for ch in "\x1b\x07\x9b\x9d\x9c")
    assert clean.startswith("a␛[2Jb␛]52;c;SGVsbG8=␇c")


def test_text_newlines_tabs_and_unicode_survive() -> None:
    text = "line one\n\tindented 👋 résumé 中文 مرحبا e\u0301"
    assert sanitize(text) == text
    assert sanitize("a\r\nb\rc") == "a\nb\nc"
    assert sanitize("lone \ud800 surrogate") == "lone \ufffd surrogate"


def test_sanitize_line_is_one_line() -> None:
    assert sanitize_line("Title\nsecond\tline\x1b[31m") == "Title second line␛[31m"


def test_encodable_repairs_only_lone_surrogates() -> None:
    from causerie.core.safe_text import encodable

    assert encodable("a\ud800b\udc80c") == "a\ufffdb\ufffdc"
    assert encodable("plain ✓ 你好 👩‍👩‍👧") == "plain ✓ 你好 👩‍👩‍👧"
    encodable("x\udfff").encode("utf-8")
