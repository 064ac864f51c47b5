"""The tree a formula is parsed into (atoms, rows, scripts, fractions, roots, fences), and the all-or-nothing error."""

from __future__ import annotations

from dataclasses import dataclass, field


class Unconvertible(Exception):
    """The formula has a part with no faithful Unicode form."""


@dataclass
class Atom:
    """Text already in Unicode; `spaced` asks for a space on each side (a relation), `word` for an operator name."""

    text: str
    spaced: bool = False
    word: bool = False
    closing: bool = False  # a right delimiter (`\\rvert`, `)`): no space before it


@dataclass
class Row:
    """A sequence of nodes (a group in braces, or the whole formula)."""

    items: list = field(default_factory=list)


@dataclass
class Script:
    """A base with a superscript and/or a subscript."""

    base: object
    sup: object = None
    sub: object = None


@dataclass
class Frac:
    """A fraction (also `\\dfrac`, `\\tfrac`)."""

    num: object
    den: object


@dataclass
class Sqrt:
    """A root, with an optional index (`\\sqrt[3]{x}`)."""

    body: object
    index: object = None


@dataclass
class Fenced:
    """`\\left( ... \\right)`: delimiters that grow with what they enclose."""

    left: str
    body: Row
    right: str
