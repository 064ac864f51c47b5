"""Display formulas laid out in two dimensions: fractions stacked over a rule, limits above and below a sum.

A box is a list of equally wide lines and the index of the line the formula's baseline runs on; boxes are put
side by side on their baselines. Whatever has no two-dimensional form uses the one-line form of `math_text`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from causerie.core.conversation import math_symbols as sym
from causerie.core.conversation.math_text import (
    Atom,
    Fenced,
    Frac,
    Row,
    Script,
    Sqrt,
    Unconvertible,
    linear,
    parse,
)


def cell_width(text: str) -> int:
    """Terminal cells `text` takes (combining marks take none, wide characters two)."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _pad(text: str, width: int, center: bool = False) -> str:
    missing = width - cell_width(text)
    if center:
        left = missing // 2
        return " " * left + text + " " * (missing - left)
    return text + " " * missing


@dataclass
class Box:
    """Lines of the same width and the line the baseline runs on."""

    lines: list[str]
    baseline: int

    @property
    def width(self) -> int:
        return cell_width(self.lines[0]) if self.lines else 0

    @staticmethod
    def text(text: str) -> Box:
        return Box([text], 0)


def _beside(boxes: list[Box]) -> Box:
    if not boxes:
        return Box.text("")
    above = max(box.baseline for box in boxes)
    below = max(len(box.lines) - box.baseline - 1 for box in boxes)
    lines = [""] * (above + below + 1)
    for box in boxes:
        blank = " " * box.width
        top = above - box.baseline
        for y in range(len(lines)):
            inside = 0 <= y - top < len(box.lines)
            lines[y] += box.lines[y - top] if inside else blank
    return Box(lines, above)


def _stack(top: Box | None, middle: Box, bottom: Box | None, rule: bool = False) -> Box:
    parts = [box for box in (top, middle, bottom) if box is not None]
    width = max(box.width for box in parts) + (2 if rule else 0)
    lines: list[str] = []
    baseline = 0
    for box in (top, middle, bottom):
        if box is None:
            continue
        if box is middle:
            baseline = len(lines) + box.baseline
        lines.extend(_pad(line, width, center=True) for line in box.lines)
    return Box(lines, baseline)


def _tall(delimiter: str, box: Box, right: bool) -> Box:
    height = len(box.lines)
    if height == 1 or not delimiter:
        return Box.text(delimiter)
    if delimiter not in sym.TALL:
        raise Unconvertible(f"no tall form of {delimiter}")
    top, middle, bottom = sym.TALL[delimiter]
    lines = [top] + [middle] * (height - 2) + [bottom]
    if delimiter in "{}":
        lines = [top] + ["⎪"] * (height - 2) + [bottom]
        if height > 2:
            lines[box.baseline if 0 < box.baseline < height - 1 else height // 2] = middle
    return Box(lines, box.baseline)


def _box(node: object) -> Box:
    if isinstance(node, Atom):
        return Box.text(linear(node))
    if isinstance(node, Row):
        boxes: list[Box] = []
        pending: list[object] = []  # one-line items are joined by the linear layout (its spacing rules)
        for item in node.items:
            if _flat(item):
                pending.append(item)
                continue
            if pending:
                boxes.append(Box.text(linear(Row(pending))))
                pending = []
            boxes.append(_box(item))
        if pending:
            boxes.append(Box.text(linear(Row(pending))))
        return _beside(boxes)
    if isinstance(node, Frac):
        num, den = _box(node.num), _box(node.den)
        width = max(num.width, den.width) + 2
        rule = Box.text("─" * width)
        stacked = _stack(num, rule, den)
        return Box([" " + line + " " for line in stacked.lines], stacked.baseline)
    if isinstance(node, Script):
        if _is_big_operator(node.base):
            base = _box(node.base)
            top = _limit(node.sup) if node.sup is not None else None
            bottom = _limit(node.sub) if node.sub is not None else None
            stacked = _stack(top, base, bottom)
            return Box([line + " " for line in stacked.lines], stacked.baseline)
        return Box.text(linear(node))
    if isinstance(node, Sqrt):
        body = _box(node.body)
        if len(body.lines) == 1:
            return Box.text(linear(node))
        index = linear(node.index) if node.index is not None else ""
        sign = {"": "√", "3": "∛", "4": "∜"}.get(index)
        if sign is None:
            raise Unconvertible("a root index over a tall body")
        return _beside([Box.text(sign), _tall("(", body, False), body, _tall(")", body, True)])
    if isinstance(node, Fenced):
        body = _box(node.body)
        return _beside([_tall(node.left, body, False), body, _tall(node.right, body, True)])
    raise Unconvertible("unknown node")


def _limit(node: object) -> Box:
    """A limit stacked over or under its operator, tight as a script is (`i=1`, `n→∞`)."""
    box = _box(node)
    return Box.text(linear(node).replace(" ", "")) if len(box.lines) == 1 else box


def _flat(node: object) -> bool:
    """Whether a node is one line in a display formula too."""
    if isinstance(node, Atom):
        return True
    if isinstance(node, Script):
        return not _is_big_operator(node.base) and _flat(node.base)
    if isinstance(node, Row):
        return all(_flat(item) for item in node.items)
    if isinstance(node, Sqrt):
        return _flat(node.body)
    if isinstance(node, Fenced):
        return _flat(node.body)
    return False


def _is_big_operator(node: object) -> bool:
    return isinstance(node, Atom) and node.text.strip() in sym.BIG_OPERATORS


def display_lines(source: str) -> list[str] | None:
    """A display formula as lines of equal width (fractions stacked), or None when any part has no faithful form.

    Args:
        source: the LaTeX between `$$...$$` or `\\[...\\]`.

    Returns:
        The lines, trailing spaces removed; None: show the source.
    """
    try:
        box = _box(parse(source))
    except (Unconvertible, RecursionError, IndexError):
        return None
    lines = [_squash_line(line) for line in box.lines]
    if not any(lines):
        return None
    indent = min(len(line) - len(line.lstrip(" ")) for line in lines if line)
    return [line[indent:] for line in lines]


def _squash_line(line: str) -> str:
    return line.rstrip() if line.strip() else ""


__all__ = ["Box", "cell_width", "display_lines"]
