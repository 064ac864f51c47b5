"""Split `<think>...</think>` reasoning out of streamed content, even when a tag is cut across chunks."""

from __future__ import annotations

OPEN = "<think>"
CLOSE = "</think>"


class ThinkSplitter:
    """Feed content deltas; get back (answer_text, reasoning_text) pieces with the tags removed."""

    def __init__(self) -> None:
        self._inside = False
        self._held = ""  # a possible beginning of a tag, kept until the next chunk decides

    def feed(self, text: str) -> tuple[str, str]:
        """Split one delta; text that might start a tag is held back until more arrives."""
        answer: list[str] = []
        reasoning: list[str] = []
        buffer = self._held + text
        self._held = ""
        while buffer:
            tag = CLOSE if self._inside else OPEN
            index = buffer.find(tag)
            if index >= 0:
                (reasoning if self._inside else answer).append(buffer[:index])
                buffer = buffer[index + len(tag) :]
                self._inside = not self._inside
                continue
            keep = _partial_suffix(buffer, tag)
            (reasoning if self._inside else answer).append(buffer[: len(buffer) - keep])
            self._held = buffer[len(buffer) - keep :]
            break
        return "".join(answer), "".join(reasoning)

    def flush(self) -> tuple[str, str]:
        """The end of the stream: whatever was held back is plain text of the current side."""
        held, self._held = self._held, ""
        return ("", held) if self._inside else (held, "")


def _partial_suffix(text: str, tag: str) -> int:
    """Length of the longest suffix of `text` that is a proper prefix of `tag`."""
    for length in range(min(len(tag) - 1, len(text)), 0, -1):
        if tag.startswith(text[-length:]):
            return length
    return 0


def split_think(text: str) -> tuple[str, str]:
    """Split a whole text at once: (answer, reasoning)."""
    splitter = ThinkSplitter()
    answer, reasoning = splitter.feed(text)
    tail_answer, tail_reasoning = splitter.flush()
    return answer + tail_answer, reasoning + tail_reasoning
