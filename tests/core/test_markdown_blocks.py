"""Fenced code blocks parsed from Markdown source."""

from __future__ import annotations

from causerie.core.conversation.markdown_blocks import CodeBlock, code_blocks


def test_no_blocks() -> None:
    assert code_blocks("plain text with `inline` code") == []
    assert code_blocks("") == []


def test_backtick_and_tilde_fences_with_languages() -> None:
    text = "Intro\n\n```python\ndef f():\n    return 1\n```\n\nthen\n\n~~~\nls -l\n~~~\n"
    assert code_blocks(text) == [
        CodeBlock("python", "def f():\n    return 1"),
        CodeBlock("", "ls -l"),
    ]


def test_longer_fence_contains_shorter_one() -> None:
    text = "````markdown\n```js\nx()\n```\n````\n"
    assert code_blocks(text) == [CodeBlock("markdown", "```js\nx()\n```")]


def test_indented_fence_is_dedented_and_info_string_first_word() -> None:
    text = "1. step\n\n   ```bash title=run\n   make\n     indented\n   ```\n"
    assert code_blocks(text) == [CodeBlock("bash", "make\n  indented")]


def test_unclosed_fence_at_the_end_is_a_block() -> None:
    blocks = code_blocks("text\n```go\nfunc main() {\n")
    assert blocks == [CodeBlock("go", "func main() {", closed=False)]


def test_inline_triple_backticks_are_not_a_fence() -> None:
    assert code_blocks("use ```x``` here\nmore") == []


def test_blank_lines_inside_code_are_kept_and_crlf_normalised() -> None:
    blocks = code_blocks("```\r\na\r\n\r\nb\r\n```\r\n")
    assert blocks == [CodeBlock("", "a\n\nb")]
    assert blocks[0].line_count == 3


def test_closing_fence_must_be_same_character() -> None:
    blocks = code_blocks("```\n~~~\ncode\n```\n")
    assert blocks == [CodeBlock("", "~~~\ncode")]
