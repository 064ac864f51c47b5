"""The plain text of a message is the same as the straightforward chain of substitutions it is a faster form of.

`reference` is that chain: every pattern run over the whole text in turn (fences, rules, line markers, links,
emphasis, control characters, whitespace). The index stores what plain_text returns, so the two must agree on
any Markdown, including the corners where one substitution feeds the next.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from causerie.core.safe_text import encodable
from causerie.core.storage import fulltext
from causerie.core.storage.fulltext import is_wide, plain_text, stored_text

_FENCE = re.compile(r"^\s*(```|~~~).*$", re.MULTILINE)
_LINE_MARK = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+(?:\[[ xX]\][ \t]+)?|\d+[.)][ \t]+)", re.MULTILINE)


def reference(markdown: str) -> str:
    """Each pattern over the whole text, one after the other."""
    text = _FENCE.sub(" ", markdown)
    text = fulltext._RULE.sub(" ", text)
    text = _LINE_MARK.sub("", text)
    text = fulltext._LINK.sub(lambda m: f"{m.group(1)} {m.group(2)}" if m.group(2) else m.group(1), text)
    text = fulltext._EMPHASIS.sub("", text)
    text = fulltext._CONTROL.sub(" ", text)
    return " ".join(text.split())


PIECES = [
    *("```", "~~~", "```py", "~~~~", "\n", "\n\n", "\r\n", " ", "  ", "\t", "\n  ", "\n```\n"),
    *("#", "## ", "###### x", "> ", ">", "- ", "* ", "+ ", "1. ", "2) ", "- [x] ", "* [ ] "),
    *("---", "***", "___", "- - -", "|", "| a |", "|---|", ":-:", "|:--|--:|"),
    *("[t](u)", "![i](x y)", "[a]()", "[", "](", ")", "**", "__", "~~", "`", "``", "_", "*"),
    *("word", "a_b", "x*y", "é", "東京", "Привет", "3", ".", "-1"),
    *("\x00", "\x08", "\x1b", "\x7f", "\r", "\x0b", "\x0c", "\x1c", "\x1f"),
    *("\x85", "\xa0", "\u2028", "\u200b", "\ud800"),
]
markdown = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


@settings(max_examples=3000, deadline=None)
@given(markdown)
def test_plain_text_is_the_chain_of_substitutions(text: str) -> None:
    assert plain_text(text) == reference(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_plain_text_of_any_text_is_the_chain_of_substitutions(text: str) -> None:
    assert plain_text(text) == reference(text)


def test_plain_text_of_a_reply_with_code_fences_and_markers() -> None:
    reply = (
        "## Answer\n\nUse **this**:\n\n```python\ndef f(x):\n    return x * 2  # _twice_\n```\n"
        "\n- one\n- two\n\n  ~~~\nraw\n~~~\n> done, see [docs](https://x.y/a_b) ---\n\n***\n"
    )
    assert plain_text(reply) == reference(reply)
    assert plain_text(reply) == (
        "Answer Use this: def f(x): return x * 2 # twice one two raw done, see docs https://x.y/a_b ---"
    )


@settings(max_examples=1000, deadline=None)
@given(markdown | st.text(max_size=60))
def test_stored_text_is_the_plain_text_made_encodable_with_its_script(text: str) -> None:
    body = encodable(plain_text(text))
    assert stored_text(text) == (body, is_wide(body))


def test_stored_text_of_each_kind_of_text() -> None:
    assert stored_text("**plain** ascii") == ("plain ascii", False)
    assert stored_text("crème *brûlée*, Ångström") == ("crème brûlée, Ångström", False)
    assert stored_text("Привет, “quoted”") == ("Привет, “quoted”", False)
    assert stored_text("# 東京 tower") == ("東京 tower", True)
    assert stored_text("broken \ud800 paste 東京") == ("broken \ufffd paste 東京", True)
    assert stored_text("broken \udfff paste") == ("broken \ufffd paste", False)
