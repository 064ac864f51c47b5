"""LaTeX math as Unicode text: `\\alpha^2 + \\beta_1` becomes `α² + β₁`, a display fraction a stack over a rule.

Symbols and macros come from pylatexenc's table (a well-kept one); scripts, fractions, roots and the two-dimensional
layout of display formulas are ours, because pylatexenc leaves `^` and `_` alone and writes `\\frac` as `a/b`.
Each formula is converted whole or not at all: anything without a faithful Unicode form (a subscript letter Unicode
lacks, a matrix, an unknown macro) makes the whole formula fail, and the caller shows its source instead.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text, get_default_latex_context_db

from causerie.core.conversation import math_symbols as sym
from causerie.core.conversation.math_nodes import Atom, Fenced, Frac, Row, Script, Sqrt, Unconvertible  # noqa: F401

# A control word eats the spaces after it when a letter, digit or command follows (TeX: `\Delta x` is Δx); before
# an operator they stay (`\theta + 1` is θ + 1).
_TOKEN_RE = re.compile(r"\\([A-Za-z]+)(?:\s+(?=[A-Za-z0-9\\]))?|\\(.)|(\s+)|(.)", re.DOTALL)
_LATEX_DB = get_default_latex_context_db()
MAX_SOURCE = 2_000  # longer formulas are shown as source (the layout is not worth its cost there)


class _Parser:
    """Turns the tokens of one formula into nodes."""

    def __init__(self, source: str) -> None:
        self.tokens = [(m.group(1) or m.group(2), m.group(3), m.group(4)) for m in _TOKEN_RE.finditer(source)]
        self.index = 0

    def next(self) -> tuple:
        if self.index >= len(self.tokens):
            raise Unconvertible("a command is missing its argument")
        token = self.tokens[self.index]
        self.index += 1
        return token

    def row(self, until: str | None = None) -> Row:
        """Nodes up to `until` ("}" or "right"), or to the end."""
        row = Row()
        while self.index < len(self.tokens):
            macro, space, char = self.tokens[self.index]
            if char == "}" and until == "}":
                self.index += 1
                return row
            if macro == "right" and until == "right":
                return row
            if char in ("^", "_"):
                self.index += 1
                self._attach(row, char)
                continue
            node = self.node()
            if node is not None:
                row.items.append(node)
        if until is not None:
            raise Unconvertible(f"unbalanced: {until} missing")
        return row

    def _attach(self, row: Row, char: str) -> None:
        base = row.items.pop() if row.items and not _is_space(row.items[-1]) else Atom("")
        script = base if isinstance(base, Script) else Script(base)
        argument = self.argument()
        if char == "^":
            if script.sup is not None:
                raise Unconvertible("double superscript")
            script.sup = argument
        else:
            if script.sub is not None:
                raise Unconvertible("double subscript")
            script.sub = argument
        row.items.append(script)

    def argument(self) -> object:
        """One argument: a braced group, a macro or one character (spaces before it are skipped)."""
        while True:
            macro, space, char = self.next()
            if space is None:
                break
        self.index -= 1
        if char == "}" or char in ("^", "_", "&"):
            raise Unconvertible("an argument is missing")
        node = self.node()
        return node if node is not None else Row()

    def optional(self) -> Row | None:
        """`[...]` right after a command (the index of a root)."""
        if self.index < len(self.tokens) and self.tokens[self.index][2] == "[":
            self.index += 1
            row = Row()
            while True:
                macro, space, char = self.tokens[self.index] if self.index < len(self.tokens) else (None, None, None)
                if char == "]":
                    self.index += 1
                    return row
                if macro is None and space is None and char is None:
                    raise Unconvertible("unclosed [")
                node = self.node()
                if node is not None:
                    row.items.append(node)
        return None

    def node(self) -> object | None:
        macro, space, char = self.next()
        if space is not None:
            return Atom(" ")
        if char is not None:
            return self._char(char)
        return self._macro(macro)

    def _char(self, char: str) -> object:
        if char == "{":
            return self.row("}")
        if char in "}&":
            raise Unconvertible(f"unexpected {char}")
        if char == "~":
            return Atom(" ")
        if char == "'":
            return Atom("′")
        if char == "-":
            return Atom("−")
        if char in "<>=":
            return Atom(char, spaced=True)
        return Atom(char)

    def _macro(self, name: str) -> object | None:
        if name in sym.IGNORED:
            return None
        if name in sym.SPACES:
            return Atom(sym.SPACES[name]) if sym.SPACES[name] else None
        if name == "pmod":
            return Atom(f" (mod {_plain_text(self.argument())})")
        if name in ("frac", "dfrac", "tfrac", "cfrac"):
            return Frac(self.argument(), self.argument())
        if name == "sqrt":
            index = self.optional()
            return Sqrt(self.argument(), index)
        if name == "left":
            left = self._delimiter()
            body = self.row("right")
            self.next()  # \right
            return Fenced(left, body, self._delimiter())
        if name in sym.ACCENTS:
            return Atom(_accent(linear(self.argument()), sym.ACCENTS[name], many=name == "overline"))
        if name in sym.PLAIN_ARGUMENT:
            text = _plain_text(self.argument())
            return Atom(text, word=name == "operatorname")
        if name in sym.FONTS:
            return Atom(_font(name, _plain_text(self.argument())))
        text = _symbol(name)
        if text is None:
            raise Unconvertible(f"no Unicode form for \\{name}")
        if name in _CLOSERS:
            return Atom(text, closing=True)
        if text.isalpha() and len(text) > 1:
            return Atom(text, word=True)  # \sin, \log, \max
        return Atom(text, spaced=text in sym.RELATIONS or text in sym.BINARY)

    def _delimiter(self) -> str:
        macro, space, char = self.next()
        while space is not None:
            macro, space, char = self.next()
        if char is not None:
            return "" if char == "." else char
        text = _symbol(macro)
        if text is None or len(text) != 1:
            raise Unconvertible(f"no delimiter \\{macro}")
        return text


def _is_space(node: object) -> bool:
    return isinstance(node, Atom) and not node.text.strip()


@lru_cache(maxsize=1024)
def _symbol(name: str) -> str | None:
    """The Unicode of an argument-less macro, from our table first, then pylatexenc's."""
    if name in sym.EXTRA_SYMBOLS:
        return sym.EXTRA_SYMBOLS[name]
    spec = _LATEX_DB.get_macro_spec(name)
    repl = getattr(spec, "simplify_repl", None)
    if not isinstance(repl, str) or "%" in repl or not repl.strip():
        return None
    if getattr(getattr(spec, "macro_parser", None), "argspec", "") not in ("", None):
        return None
    return repl


@lru_cache(maxsize=1024)
def _font(name: str, text: str) -> str:
    try:
        converted = LatexNodes2Text().latex_to_text(f"\\{name}{{{text}}}")
    except Exception as error:  # pylatexenc on text it does not expect: show the source
        raise Unconvertible(f"\\{name}{{{text}}}") from error
    if name in ("mathbb", "mathcal", "mathfrak", "mathscr") and converted == text and text.strip():
        raise Unconvertible(f"no \\{name} form for {text}")
    return converted


def _plain_text(node: object) -> str:
    """The argument of \\text{...}: its characters as written."""
    if isinstance(node, Atom):
        return node.text
    if isinstance(node, Row) and all(isinstance(item, Atom) for item in node.items):
        return "".join(item.text for item in node.items)
    raise Unconvertible("structure inside text")


def _accent(text: str, mark: str, many: bool) -> str:
    letters = [c for c in text if not unicodedata.combining(c)]
    if len(letters) != 1 and not (many and letters):
        raise Unconvertible("an accent over more than one character")
    return "".join(c + mark if not unicodedata.combining(c) else c for c in text)


def _script(text: str, table: dict[str, str]) -> str:
    try:
        return "".join(table[c] for c in text if c != " ")
    except KeyError as missing:
        raise Unconvertible(f"no script form of {missing}") from None


def _needs_parens(text: str) -> bool:
    """Whether a fraction part must be bracketed to read right on one line (`(a+b)⁄2`, not `a+b⁄2`)."""
    position = 0
    while position < len(text) and (text[position].isalnum() or text[position] in _WORD):
        position += 1
    rest = text[position:]
    if rest[:1] in ("(", "[", "{", "⟨"):
        close = _closing(rest)
        rest = rest[close + 1 :].lstrip("".join(_WORD)) if close is not None else rest
    return bool(rest)  # more than one term: `a+b`, `P(B)P(A)`; one is `2a`, `f(x)`, `(1+r)ⁿ`


_CLOSING = set(")]}⌉⌋⟩")
_CLOSERS = {"rvert", "rVert", "rangle", "rceil", "rfloor", "rbrace", "rbrack", "}"}
_WORD = {
    ".",
    "′",
    "∂",
    "∇",
    "∞",
    "√",
    "∛",
    "∜",
    *sym.SUPERSCRIPTS.values(),
    *sym.SUBSCRIPTS.values(),
    *sym.ACCENTS.values(),
}


def _closing(text: str) -> int | None:
    """Where the bracket that opens `text` closes."""
    depth = 0
    for position, char in enumerate(text):
        depth += char in "([{⟨"
        depth -= char in ")]}⟩"
        if depth == 0:
            return position
    return None


def linear(node: object) -> str:
    """A parsed formula (or part of one) as one line of text; raises Unconvertible for what has no form.

    Args:
        node: what `parse` returned, or a node of it.

    Returns:
        The text, spaces not yet squashed (see `squash`).
    """
    if node is None:
        return ""
    if isinstance(node, Atom):
        return f" {node.text} " if node.spaced else node.text
    if isinstance(node, Row):
        out = ""
        before: object = None
        for item in node.items:
            text = linear(item)
            if isinstance(item, Atom) and item.word and out[-1:].isalnum():
                text = " " + text
            elif isinstance(before, Atom) and before.word and text[:1].isalnum():
                text = " " + text  # an operator name and its argument: `log n`, not `logn`
            elif isinstance(before, Frac) and text[:1] not in " ,.;:)]}!′":
                text = " " + text  # `1⁄n ∑xᵢ`, not `1⁄n∑xᵢ`
            base = item.base if isinstance(item, Script) else item
            closing = text[:1] in _CLOSING or (isinstance(base, Atom) and base.closing)
            if closing and out.endswith(" "):
                out = out.rstrip(" ")  # `⌈log n⌉`, not `⌈log n ⌉`
            out += text
            before = item
        return re.sub(r" {2,}", " ", out)
    if isinstance(node, Script):
        base = linear(node.base)
        if isinstance(node.base, (Frac, Sqrt)) or (isinstance(node.base, Row) and len(base) > 1):
            base = f"({base})" if not base.startswith("(") else base
        sub = _script(squash(linear(node.sub)), sym.SUBSCRIPTS) if node.sub is not None else ""
        sup = _script(squash(linear(node.sup)), sym.SUPERSCRIPTS) if node.sup is not None else ""
        return base + sub + sup
    if isinstance(node, Frac):
        return f"{_fraction_part(node.num)}⁄{_fraction_part(node.den)}"
    if isinstance(node, Sqrt):
        body = _fraction_part(node.body)
        if node.index is None:
            return f"√{body}"
        index = squash(linear(node.index))
        special = {"3": "∛", "4": "∜"}.get(index)
        return f"{special}{body}" if special else f"{_script(index, sym.SUPERSCRIPTS)}√{body}"
    if isinstance(node, Fenced):
        return f"{node.left}{linear(node.body).strip()}{node.right}"
    raise Unconvertible("unknown node")


def _fraction_part(node: object) -> str:
    text = squash(linear(node))
    tight = text.replace(" ", "")
    return tight if not _needs_parens(tight) else f"({text})"


def squash(text: str) -> str:
    """`text` with runs of spaces made one and its ends trimmed."""
    return re.sub(r" {2,}", " ", text).strip()


def to_unicode(source: str) -> str | None:
    """A formula (without its delimiters) as one line of Unicode, or None when any part has no faithful form.

    Args:
        source: the LaTeX between `$...$`, `\\(...\\)`, `$$...$$` or `\\[...\\]`.

    Returns:
        The text (`\\frac{a}{b}` as `a⁄b`), or None: show the source.
    """
    try:
        return squash(linear(parse(source)))
    except (Unconvertible, RecursionError, IndexError):
        return None


def parse(source: str) -> Row:
    """The nodes of a formula; raises Unconvertible for what has no Unicode form (environments, unknown macros)."""
    if len(source) > MAX_SOURCE or not source.strip():
        raise Unconvertible("empty or too long")
    if "\\begin" in source or "\\\\" in source:
        raise Unconvertible("an environment or a line break (matrix, cases, aligned)")
    return _Parser(source).row()
