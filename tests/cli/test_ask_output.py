"""`causerie ask` on a terminal renders each finished block once: the work stays linear in the reply's length."""

from __future__ import annotations

import io
import re

from rich.markdown import Markdown

from causerie.commands.ask import _Output


class FakeTerminal(io.StringIO):
    """A stream that says it is a terminal (Rich then renders Markdown live)."""

    def isatty(self) -> bool:
        return True


def test_a_long_reply_is_parsed_about_once_not_once_per_token() -> None:
    paragraphs = [f"Paragraph {i} with **bold** and `code`." for i in range(400)]
    fence = "```python\n" + "".join(f"x_{i} = {i}\n" for i in range(50)) + "```"
    text = "\n\n".join(paragraphs[:200] + [fence] + paragraphs[200:]) + "\n"
    output = _Output(FakeTerminal())
    parsed: list[str] = []
    real = output._markdown
    output._markdown = lambda markup, *a, **k: parsed.append(markup) or real(markup, *a, **k)  # type: ignore[method-assign]
    blocks: list[str] = []  # what is printed for good, above the live tail
    console = output._live.console
    real_print = console.print

    def record(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if args and isinstance(args[0], Markdown):
            blocks.append(args[0].markup)
        return real_print(*args, **kwargs)

    console.print = record  # type: ignore[method-assign]
    for start in range(0, len(text), 7):  # streamed in small pieces
        output.write(text[start : start + 7])
    output.close()
    assert sum(len(markup) for markup in parsed) < 3 * len(text)  # per token it would be ~len(text)**2 / 14
    assert "".join(blocks) + parsed[-1] == text  # every block printed once, in order, then the last tail
    fenced = [block for block in blocks if "x_0 = 0" in block]
    assert len(fenced) == 1 and fenced[0].count("```") == 2  # a code block is never split


def test_numbered_items_keep_their_dot_as_in_the_app() -> None:
    stream = FakeTerminal()
    output = _Output(stream)
    output.write("Steps:\n\n1. Pick a model\n2. Ask\n\n")
    output.write("10. Read the reply\n")
    output.close()
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", stream.getvalue())
    assert " 1. Pick a model" in shown and " 2. Ask" in shown  # Rich alone draws " 1 Pick a model": a count
    assert "10. Read the reply" in shown


def shown_lines(stream: io.StringIO) -> list[str]:
    """What the terminal shows, line by line (escape sequences and the live region's redraws left out)."""
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", stream.getvalue()).replace("\r", "")
    return [line.rstrip() for line in text.split("\n")]


def test_blocks_printed_apart_keep_the_blank_line_between_them_and_formulas_are_math() -> None:
    stream = FakeTerminal()
    output = _Output(stream)
    for piece in ("First paragraph.\n\n", "The area is $\\int_0^1 x^2 dx$.\n\n", "Last one.\n"):
        output.write(piece)
    output.close()
    lines = shown_lines(stream)
    first = lines.index("First paragraph.")
    assert lines[first + 1] == ""  # printed apart, the blocks still read as paragraphs
    assert "The area is ∫₀¹ x² dx." in lines  # as the app shows it, not its LaTeX
    assert not any("\\int" in line for line in lines)


def test_formulas_stay_as_written_when_the_setting_says_so() -> None:
    stream = FakeTerminal()
    output = _Output(stream, math=False)
    output.write("The area is $\\int_0^1 x^2 dx$.\n")
    output.close()
    assert any("\\int_0^1" in line for line in shown_lines(stream))
