"""Fenced code blocks found in Markdown source (for "copy code"), without a Markdown library."""

from __future__ import annotations

import re
from dataclasses import dataclass

# CommonMark: up to three spaces of indentation, then at least three backticks or tildes, then an info string
# (which, for backtick fences, may not contain a backtick).
_OPEN_RE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)$")


@dataclass(frozen=True)
class CodeBlock:
    """One fenced code block: its language (first word of the info string, may be empty) and its code."""

    language: str
    code: str
    closed: bool = True

    @property
    def line_count(self) -> int:
        """Number of lines of code."""
        return len(self.code.splitlines())


def _is_close(line: str, fence: str) -> bool:
    stripped = line.lstrip(" ")
    if len(line) - len(stripped) > 3:
        return False
    stripped = stripped.rstrip()
    return len(stripped) >= len(fence) and set(stripped) == {fence[0]}


def code_blocks(markdown: str) -> list[CodeBlock]:
    """The fenced code blocks of a Markdown text, in order.

    Follows CommonMark's fence rules: ``` or ~~~ (three or more), up to three spaces of indentation (removed from
    the code lines too), closed by a fence of the same character at least as long. A fence still open at the end
    (a reply cut off or still streaming) yields a block with `closed=False`. Indented code blocks are not included.
    """
    blocks: list[CodeBlock] = []
    lines = markdown.replace("\r\n", "\n").split("\n")
    index = 0
    while index < len(lines):
        match = _OPEN_RE.match(lines[index])
        index += 1
        if match is None:
            continue
        fence, info = match["fence"], match["info"].strip()
        if fence[0] == "`" and "`" in info:
            continue  # an inline code span such as ```x```, not a fence
        indent = len(match["indent"])
        body: list[str] = []
        closed = False
        while index < len(lines):
            line = lines[index]
            index += 1
            if _is_close(line, fence):
                closed = True
                break
            body.append(_dedent(line, indent))
        if not closed and body and body[-1] == "":
            body.pop()  # the text's final newline, not a line of code
        language = info.split()[0] if info else ""
        blocks.append(CodeBlock(language=language, code="\n".join(body), closed=closed))
    return blocks


def _dedent(line: str, indent: int) -> str:
    removable = len(line) - len(line.lstrip(" "))
    return line[min(indent, removable) :]
