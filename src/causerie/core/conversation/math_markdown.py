"""Formulas found in Markdown source, and the source rewritten with them shown as Unicode (or as code).

Only what models write as math is taken: `$...$` and `\\(...\\)` inline, `$$...$$` and `\\[...\\]` for display.
A `$` opens a formula only when a non-space follows it and closes one only after a non-space and before a non-digit
(Pandoc's rule), so "it costs $5 and $10" stays text. Code spans and fenced or indented code are never touched.
A formula that has not closed yet (a reply still streaming) is not a formula: it stays as it is until it closes.
The stored text never changes: this rewrites a copy for display only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from causerie.core.conversation.math_layout import display_lines
from causerie.core.conversation.math_text import to_unicode

_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_INDENTED_RE = re.compile(r"^(?: {4}|\t)")
_START_RE = re.compile(r"`+|\$\$|\$|\\\[|\\\(|\\.")
_CLOSERS = {"$$": "$$", "\\[": "\\]", "\\(": "\\)"}
# Characters Markdown would read as syntax; Unicode output is escaped so that it shows as it is.
_ESCAPE_RE = re.compile(r"([\\`*_\[\]<>|~#!])")


@dataclass(frozen=True)
class Formula:
    """One formula in a text: where it is (delimiters included), its LaTeX, and whether it is display math."""

    start: int
    end: int
    source: str
    display: bool


def find_formulas(text: str) -> list[Formula]:
    """The closed formulas of a Markdown text, outside code, in order.

    Args:
        text: Markdown source (a whole message or one block of it).

    Returns:
        Each formula with its offsets in `text`.
    """
    found: list[Formula] = []
    offset = 0
    for chunk, is_code in _code_chunks(text):
        if not is_code:
            found.extend(_scan(chunk, offset))
        offset += len(chunk)
    return found


def _code_chunks(text: str) -> list[tuple[str, bool]]:
    """The text cut into fenced or indented code (True) and the rest (False), by whole lines."""
    chunks: list[tuple[str, bool]] = []
    lines = text.splitlines(keepends=True)
    current: list[str] = []
    fence: str | None = None
    previous_blank = True
    for line in lines:
        if fence is not None:
            current.append(line)
            stripped = line.strip()
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                chunks.append(("".join(current), True))
                current, fence = [], None
            continue
        match = _FENCE_RE.match(line)
        code_line = previous_blank and _INDENTED_RE.match(line) and line.strip() and not _in_list(current)
        if match or code_line:
            if current:
                chunks.append(("".join(current), False))
            current = [line]
            if match:
                fence = match.group(1)
            else:
                chunks.append(("".join(current), True))
                current = []
            continue
        current.append(line)
        previous_blank = not line.strip()
    if current:
        chunks.append(("".join(current), fence is not None))
    return chunks


def _in_list(lines: list[str]) -> bool:
    """An indented line after a list item continues the item: it is not code."""
    return any(re.match(r"\s*(?:[-*+]|\d+[.)])\s", line) for line in lines[-8:])


def _scan(text: str, offset: int) -> list[Formula]:
    """Formulas of a text without code blocks. Linear: each search for a closing delimiter that fails is not
    repeated (no closer after one place means none after a later one either), and `$` looks no further than its line.
    """
    found: list[Formula] = []
    unclosed: set[str] = set()  # delimiters (and code span runs) with no closer ahead
    position = 0
    while True:
        match = _START_RE.search(text, position)
        if match is None:
            return found
        token, start, position = match.group(), match.start(), match.end()
        if token.startswith("`"):
            # A code span: skip to the closing run of the same length (an unmatched run is text).
            if token not in unclosed:
                close = re.compile(rf"(?<!`){token}(?!`)").search(text, position)
                if close is None:
                    unclosed.add(token)
                else:
                    position = close.end()
            continue
        if token in _CLOSERS:
            if token in unclosed:
                continue
            end = text.find(_CLOSERS[token], position)
            if end == -1:
                unclosed.add(token)
                continue
            source = text[position:end]
            position = end + 2
            if source.strip() and "`" not in source:  # LaTeX has no backticks: that was a code span's
                found.append(Formula(offset + start, offset + position, source, token != "\\("))
            continue
        if token == "$":
            formula = _inline_dollar(text, start)
            if formula is not None:
                found.append(Formula(offset + formula[0], offset + formula[1], formula[2], False))
                position = formula[1]
        # Anything else is an escaped character (`\$` is a dollar sign, not a delimiter).


def _inline_dollar(text: str, start: int) -> tuple[int, int, str] | None:
    """The formula a lone `$` at `start` opens (Pandoc's rule), closed on the same line, if any."""
    after = start + 1
    if after >= len(text) or text[after].isspace():
        return None
    line_end = text.find("\n", after)
    line_end = len(text) if line_end == -1 else line_end
    position = after
    while True:
        close = text.find("$", position, line_end)
        if close == -1:
            return None
        if text[close - 1] == "\\":
            position = close + 1
            continue
        following = text[close + 1 : close + 2]
        if text[close - 1].isspace() or following.isdigit() or following == "$" or "`" in text[after:close]:
            return None  # not a closer (or a `$` inside a code span: "costs $10, and `$x$`")
        return start, close + 1, text[after:close]


def escape(text: str) -> str:
    """Text that Markdown shows as it is."""
    return _ESCAPE_RE.sub(r"\\\1", text)


def code_span(text: str) -> str:
    """`text` as a Markdown code span (a backtick run longer than any inside it)."""
    text = " ".join(text.split("\n"))
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or text.startswith(" ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def rewrite(text: str, render: bool = True) -> str:
    """`text` with each formula in Unicode (escaped for Markdown), or in code style when it has no faithful form
    or when `render` is False (the source view)."""
    formulas = find_formulas(text)
    if not formulas:
        return text
    parts: list[str] = []
    last = 0
    for formula in formulas:
        parts.append(text[last : formula.start])
        converted = to_unicode(formula.source) if render else None
        parts.append(escape(converted) if converted is not None else code_span(text[formula.start : formula.end]))
        last = formula.end
    parts.append(text[last:])
    return "".join(parts)


@dataclass(frozen=True)
class Piece:
    """Part of a block: Markdown (formulas rewritten), or a display formula on lines of its own."""

    markdown: str
    lines: list[str] | None = None  # a display formula laid out (None: it has no faithful form)
    source: str | None = None  # a display formula: its source with its delimiters


def pieces(block: str, render: bool = True) -> list[Piece]:
    """A block cut where display formulas stand on lines of their own; the rest rewritten inline."""
    result: list[Piece] = []
    last = 0
    for formula in find_formulas(block):
        if not formula.display or not _own_lines(block, formula):
            continue
        before = block[last : formula.start]
        if before.strip():
            result.append(Piece(rewrite(before, render)))
        whole = block[formula.start : formula.end]
        lines = display_lines(formula.source) if render else None
        result.append(Piece("", lines, whole))
        last = formula.end
    rest = block[last:]
    if not result:
        return [Piece(rewrite(block, render))]
    if rest.strip():
        result.append(Piece(rewrite(rest, render)))
    return result


def _own_lines(text: str, formula: Formula) -> bool:
    line_start = text.rfind("\n", 0, formula.start) + 1
    line_end = text.find("\n", formula.end)
    line_end = len(text) if line_end == -1 else line_end
    return not text[line_start : formula.start].strip() and not text[formula.end : line_end].strip()
