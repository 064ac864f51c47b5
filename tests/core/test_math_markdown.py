"""Formulas found in Markdown: what is math, what is not (money, code), and the text shown for each."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from causerie.core.conversation.math_markdown import code_span, find_formulas, pieces, rewrite


@pytest.mark.parametrize(
    "text",
    [
        "it costs $5 and $10",
        "$3.50/month",
        "a lone $ sign",
        "between $5-$10 a month",
        "prices: $5, $6 or $7.",
        "US$ 20 and $ 30",
        "Price: $100 (was $120)",
        "`$x^2$` in a code span",
        "``a `$x$` b``",
        "```\n$x^2$ and \\(y\\)\n```\n",
        "~~~python\nprice = '$a$'\n~~~\n",
        "    $x^2$ indented code\n",
        "escaped \\$x\\$ dollars",
        "it costs $10, and `$x^2$` is code",
    ],
)
def test_not_math(text: str) -> None:
    assert find_formulas(text) == []
    assert rewrite(text) == text


def test_the_four_delimiters() -> None:
    text = r"inline $a^2$ and \(b_1\), display $$c^2$$ and \[d\]"
    found = [(f.source, f.display) for f in find_formulas(text)]
    assert found == [("a^2", False), ("b_1", False), ("c^2", True), ("d", True)]
    assert rewrite(text) == "inline a² and b₁, display c² and d"


def test_norm_with_a_subscript() -> None:
    assert rewrite(r"$\lVert x \rVert_2$") == "‖x‖₂"


def test_math_beside_a_code_span_is_found() -> None:
    assert rewrite(r"`$x$` but $\alpha$") == "`$x$` but α"


def test_math_inside_a_list_item_and_a_table() -> None:
    assert rewrite("- the mean $\\mu$\n") == "- the mean μ\n"
    assert rewrite("| a | $\\lvert x \\rvert$ |\n") == "| a | \\|x\\| |\n"  # the bar escaped: not a cell border


def test_unconvertible_formula_is_a_code_span_of_its_source() -> None:
    assert rewrite("then $x_b$ holds") == "then `$x_b$` holds"


def test_source_view_shows_every_formula_as_code() -> None:
    assert rewrite(r"a $\alpha$ b", render=False) == r"a `$\alpha$` b"


def test_converted_text_is_escaped_for_markdown() -> None:
    # a∗b∗c must not become italics; `\{` must not be read as an escape.
    assert rewrite(r"$a * b * c$") == r"a \* b \* c"
    assert rewrite(r"$\{x\}$") == "{x}"


def test_code_span_with_backticks_inside() -> None:
    assert code_span("a`b") == "``a`b``"
    assert code_span("`x") == "`` `x ``"


def test_unclosed_formula_stays_text() -> None:
    # A reply still streaming: the closing delimiter has not arrived.
    for partial in ("so $\\alpha^2", "so \\(\\alpha", "$$\n\\frac{a}{b}\n", "\\[ x"):
        assert find_formulas(partial) == []
        assert rewrite(partial) == partial
    assert rewrite("so $\\alpha^2$") == "so α²"


def test_display_on_its_own_lines_is_a_piece_of_its_own() -> None:
    block = "The mean is\n$$\n\\frac{a}{b}\n$$\nas said."
    parts = pieces(block)
    assert [p.markdown for p in parts] == ["The mean is\n", "", "\nas said."]
    assert parts[1].lines == [" a", "───", " b"]
    assert parts[1].source == "$$\n\\frac{a}{b}\n$$"


def test_display_without_faithful_form_keeps_its_source() -> None:
    parts = pieces("\\[\n\\begin{pmatrix} 1 \\end{pmatrix}\n\\]\n")
    assert len(parts) == 1
    assert parts[0].lines is None
    assert parts[0].source == "\\[\n\\begin{pmatrix} 1 \\end{pmatrix}\n\\]"


def test_display_inside_a_sentence_is_one_line() -> None:
    assert pieces("so $$\\frac{a}{b}$$ here")[0].markdown == "so a⁄b here"


PIECES = ["$", "$$", "\\[", "\\]", "\\(", "\\)", "`", "``", "\\", "a", "5", " ", "\n", "^2", "\\alpha"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_formulas_never_overlap_and_the_rest_is_kept(text: str) -> None:
    formulas = find_formulas(text)
    ends = 0
    for formula in formulas:
        assert formula.start >= ends and formula.end > formula.start
        assert formula.source in text[formula.start : formula.end]
        ends = formula.end
    shown = rewrite(text)
    if not formulas:
        assert shown == text


def test_many_unclosed_delimiters_stay_fast() -> None:
    # Each failed search for a closer is done once: a 100,000-character block of openers is linear, not quadratic
    # (the test fails on the assertion below, or by the suite's timeout if it went quadratic: ~65 s).
    for text in ("\\[" * 50_000, "\\(" * 50_000, "$a " * 30_000, "`a ``b " * 10_000):
        assert rewrite(text) == text
