"""A Markdown block rendered with its formulas as Unicode math (or as their source), to strips.

The block's text is rewritten for display only (the message keeps its LaTeX: copy and export use it). A display
formula on lines of its own is drawn centred, fractions stacked; one wider than the pane is shown on one line.
"""

from __future__ import annotations

import re

from rich.console import Console
from textual.strip import Strip

from causerie.core.conversation.math_layout import cell_width
from causerie.core.conversation.math_markdown import Piece, pieces, rewrite
from causerie.ui.widgets.block_render import RenderStyles, blank_strip, render_markdown, render_plain

RENDER = "render"  # formulas shown as Unicode math
SOURCE = "source"  # formulas shown as their LaTeX, in code style
OFF = "off"  # no formula handling: the text is plain Markdown (the `render_math = false` setting)
_MARKERS = ("$", "\\(", "\\[")


def has_math(block: str) -> bool:
    """Whether a block may hold a formula (the cheap test that keeps math off the path of every other block)."""
    return any(marker in block for marker in _MARKERS)


def render_block(source: str, width: int, console: Console, styles: RenderStyles, mode: str = RENDER) -> list[Strip]:
    """One Markdown block rendered `width` cells wide, its formulas shown as `mode` says."""
    if mode == OFF or width <= 0 or not has_math(source):
        return render_markdown(source, width, console, styles)
    render = mode == RENDER
    strips: list[Strip] = []
    for piece in pieces(source, render):
        lines = _piece(piece, width, console, styles, render)
        if strips and lines:
            strips.append(blank_strip(width))
        strips.extend(lines)
    return strips


def _piece(piece: Piece, width: int, console: Console, styles: RenderStyles, render: bool) -> list[Strip]:
    if piece.source is None:
        return render_markdown(piece.markdown, width, console, styles)
    if piece.lines is None:
        return render_markdown(_code_block(piece.source), width, console, styles)
    shown = max(cell_width(line) for line in piece.lines)
    if shown <= width - 2:
        left = " " * ((width - shown) // 2)
        return [strip for line in piece.lines for strip in render_plain(left + line, width, console)]
    # Too wide to stack: the one-line form (or the source), wrapped like text.
    return render_markdown(rewrite(piece.source, render), width, console, styles)


def _code_block(source: str) -> str:
    """A display formula's source as a fenced code block (a fence longer than any backtick run in it)."""
    longest = max((len(run) for run in re.findall(r"`+", source)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}latex\n{source.strip()}\n{fence}\n"


__all__ = ["OFF", "RENDER", "SOURCE", "has_math", "render_block"]
