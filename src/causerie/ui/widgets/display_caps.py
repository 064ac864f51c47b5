"""How much of a long message is displayed: per block and per message, then a note saying what was left out."""

from __future__ import annotations

import re

# One block is rendered in one call: a pathological block (a 50,000-line code block, a 1 MB line) would freeze the
# event loop meanwhile (a 5,000-line code block takes ~2 s), so only its beginning is rendered, with a note. A long
# reply of ordinary blocks is rendered whole, block by block in time-boxed flushes; past SHOWN_CHARS / SHOWN_LINES
# (far beyond any model's longest reply) the rest of a message is not rendered either (its cached lines would take
# hundreds of MB). The whole text always stays in the message (saved, sent, copied, exported).
BLOCK_CHARS = 100_000
BLOCK_LINES = 2_000
SHOWN_CHARS = 1_000_000
SHOWN_LINES = 50_000


def shown_end(body: str, chars: int = SHOWN_CHARS, lines: int = SHOWN_LINES) -> int:
    """How much of `body` is rendered: at most `chars` characters and `lines` lines."""
    cut = min(len(body), chars)
    if body.count("\n", 0, cut) > lines:
        cut = -1
        for _ in range(lines):
            cut = body.index("\n", cut + 1)
    return cut


def shown_part(body: str, chars: int = SHOWN_CHARS, lines: int = SHOWN_LINES) -> tuple[str, int]:
    """The beginning of `body` that is rendered and how many characters are left out."""
    cut = shown_end(body, chars, lines)
    return body[:cut], len(body) - cut


_HR_RE = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*\n*")


def is_rule(block: str) -> bool:
    """Rich draws no blank line after a horizontal rule; neither do we."""
    return _HR_RE.fullmatch(block) is not None
