"""Cut a growing Markdown text into finished top-level blocks and the still-open tail, incrementally.

A top-level block (paragraph, heading, list, table, quote, fenced code...) is finished once the next top-level block
has started: nothing typed later can change it. Only the tail (from the start of the last block) is parsed again when
text arrives, so the cost of a long reply stays linear. An open fenced code block is not parsed again at all: new lines
are scanned for its closing fence only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt

# The same syntax as Rich's Markdown renderer, with inline parsing switched off: only block boundaries matter here.
_BLOCK_PARSER = MarkdownIt().enable("strikethrough").enable("table").disable(["inline", "text_join"])
_FENCE_OPEN_RE = re.compile(r"^( {0,3})(`{3,}|~{3,})([^\n]*)$")


@dataclass
class OpenFence:
    """A fenced code block that has not been closed yet (it is the whole tail)."""

    char: str
    length: int
    info: str
    body_start: int  # offset of the first code line, relative to the tail
    scanned: int  # offset (relative to the tail) up to which lines were checked for the closing fence

    @property
    def language(self) -> str:
        """The language named after the opening fence ("text" when none)."""
        return self.info.strip().partition(" ")[0] or "text"

    def closes(self, line: str) -> bool:
        """Whether `line` (without its newline) closes this fence."""
        stripped = line.strip(" ")
        if len(line) - len(line.lstrip(" ")) > 3 or not stripped:
            return False
        run = len(stripped) - len(stripped.lstrip(self.char))
        return run >= self.length and not stripped[run:].strip()


def block_starts(text: str) -> list[tuple[int, str]]:
    """The first line and token type of each top-level block of `text`."""
    starts = []
    for token in _BLOCK_PARSER.parse(text):
        if token.level == 0 and token.nesting >= 0 and token.map is not None:
            starts.append((token.map[0], token.type))
    return starts


def line_offsets(text: str) -> list[int]:
    """The offset at which each line of `text` starts (one more entry for a text ending in a newline)."""
    offsets = [0]
    find = text.find
    position = find("\n")
    while position != -1:
        offsets.append(position + 1)
        position = find("\n", position + 1)
    return offsets


def split_blocks(text: str) -> list[str]:
    """All top-level blocks of a complete text, each with the blank lines that follow it."""
    starts = block_starts(text)
    if not starts:
        return [text] if text.strip() else []
    offsets = line_offsets(text)
    cuts = [offsets[line] for line, _ in starts] + [len(text)]
    cuts[0] = 0
    return [text[cuts[i] : cuts[i + 1]] for i in range(len(starts))]


class BlockSplitter:
    """Feed it text as it streams in; it hands back each top-level block once that block is finished."""

    def __init__(self) -> None:
        self.text = ""
        self.stable = 0  # where the open tail starts
        self.fence: OpenFence | None = None

    @property
    def tail(self) -> str:
        """The text of the block that may still grow."""
        return self.text[self.stable :]

    def feed(self, text: str) -> list[str]:
        """Add streamed text; returns the blocks that this text finished, in order."""
        self.text += text
        finished: list[str] = []
        if self.fence is not None:
            closed_at = self._scan_fence()
            if closed_at is None:
                return finished
            finished.append(self.text[self.stable : closed_at])
            self.stable = closed_at
            self.fence = None
        finished.extend(self._split_tail())
        return finished

    def close(self) -> list[str]:
        """The stream ended: every remaining block is finished."""
        blocks = split_blocks(self.tail)
        self.stable = len(self.text)
        self.fence = None
        return blocks

    def _scan_fence(self) -> int | None:
        """Check the new complete lines of the open fence; the offset just past its closing line, if found."""
        fence = self.fence
        assert fence is not None
        text, base = self.text, self.stable
        position = base + fence.scanned
        while True:
            end = text.find("\n", position)
            if end == -1:
                fence.scanned = position - base
                return None
            if fence.closes(text[position:end]):
                return end + 1
            position = end + 1

    def _split_tail(self) -> list[str]:
        tail = self.tail
        if not tail:
            return []
        starts = block_starts(tail)
        finished: list[str] = []
        if len(starts) >= 2:
            offsets = line_offsets(tail)
            cuts = [offsets[line] for line, _ in starts]
            cuts[0] = 0
            for i in range(len(starts) - 1):
                finished.append(tail[cuts[i] : cuts[i + 1]])
            self.stable += cuts[-1]
            tail = tail[cuts[-1] :]
        if starts and starts[-1][1] == "fence":
            self.fence = self._open_fence(tail)
        return finished

    @staticmethod
    def _open_fence(tail: str) -> OpenFence | None:
        """The fence the tail opens and does not close yet, if any."""
        first_end = tail.find("\n")
        if first_end == -1:
            return None  # the opening line itself is still arriving
        match = _FENCE_OPEN_RE.match(tail[:first_end])
        if match is None:
            return None
        fence_text = match.group(2)
        fence = OpenFence(fence_text[0], len(fence_text), match.group(3), first_end + 1, first_end + 1)
        # Lines already in the tail: is the fence closed within them? (Then the parser saw it closed: not open.)
        position = fence.body_start
        while True:
            end = tail.find("\n", position)
            if end == -1:
                fence.scanned = position
                return fence
            if fence.closes(tail[position:end]):
                return None
            position = end + 1
