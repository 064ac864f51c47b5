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
_MATH_RE = re.compile(
    r"(?P<code>`+)"
    r"|(?<!\\)\$\$(?P<dd>.+?)(?<!\\)\$\$"
    r"|\\\[(?P<bd>.+?)\\\]"
    r"|\\\((?P<bi>.+?)\\\)"
    r"|(?<![\\$])\$(?P<di>[^\s$](?:[^$\n]|\\\$)*?(?<![\s\\]))\$(?![\d$])",
    re.DOTALL,
)
# Characters Markdown would read as syntax; Unicode output is escaped so that it shows as it is.
_ESCAPE_RE = re.compile(r"([\\`*_\[\]<>|~#!])")
_DISPLAY_ONLY_RE = re.compile(r"\s*(?:\$\$(?P<dd>.+?)\$\$|\\\[(?P<bd>.+?)\\\])\s*", re.DOTALL)


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
    found: list[Formula] = []
    position = 0
    while True:
        match = _MATH_RE.search(text, position)
        if match is None:
            return found
        if match.group("code") is not None:
            # A code span: skip to the closing run of the same length (an unmatched run is text).
            run = match.group("code")
            close = re.compile(rf"(?<!`){run}(?!`)").search(text, match.end())
            position = close.end() if close else match.end()
            continue
        kind = next(name for name in ("dd", "bd", "bi", "di") if match.group(name) is not None)
        source = match.group(kind)
        if source.strip():
            found.append(Formula(offset + match.start(), offset + match.end(), source, kind in ("dd", "bd")))
        position = match.end()


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


def display_block(text: str) -> tuple[str, list[str] | None] | None:
    """When a whole block is one display formula: its source and its lines (None: no faithful form)."""
    match = _DISPLAY_ONLY_RE.fullmatch(text)
    if match is None:
        return None
    source = match.group("dd") if match.group("dd") is not None else match.group("bd")
    if not source.strip() or "$$" in source:
        return None
    return source, display_lines(source)


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
