"""Model output cannot reach the terminal as control sequences."""

from __future__ import annotations

from causerie.core.safe_text import sanitize, sanitize_in_place, sanitize_line


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


def test_bodies_neutralise_bidi_and_invisible_characters_but_keep_joiners() -> None:
    hostile = "abc\u202edcba\u2066x\u2069 hid\u200bden\u2060\ufeff"
    clean = sanitize(hostile)
    for char in "\u202e\u2066\u2069\u200b\u2060\ufeff":
        assert char not in clean
    assert "⟨U+202E⟩" in clean and "⟨U+200B⟩" in clean
    kept = "👩\u200d👩\u200d👧 می\u200cخواهم \u200eabc\u200f"  # ZWJ, ZWNJ, LRM and RLM are part of the text
    assert sanitize(kept) == kept


def test_one_line_fields_show_every_control_and_format_character() -> None:
    hostile = "t\u202eitle\u200d\u00ad\x9b31m\x1b]0;x\x07"
    clean = sanitize_line(hostile)
    assert clean == "t⟨U+202E⟩itle⟨U+200D⟩⟨U+00AD⟩\ufffd31m␛]0;x␇"
    assert sanitize_line("plain [b]title[/b] ✓") == "plain [b]title[/b] ✓"  # brackets are not ours to change


def test_text_being_edited_is_cleaned_one_character_for_one() -> None:
    text = "a\x1b[2J\tb\x1b]0;x\x07\x9b1m\r\u202eRTL\u2066\u200b\ufeff\ud800\nZWJ\u200d RLM\u200f ок"
    shown = sanitize_in_place(text)
    assert len(shown) == len(text)  # a position in the shown text is the same position in the real one
    assert shown == "a␛[2J\tb␛]0;x␇\ufffd1m␍\ufffdRTL\ufffd\ufffd\ufffd\ufffd\nZWJ\u200d RLM\u200f ок"
    assert sanitize_in_place("") == ""
