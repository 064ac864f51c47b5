"""QueuedPrompts: the prompts sent while a reply streams, shown between the conversation and the prompt.

Each line is one prompt, in the order they will be sent: "queued" (goes when the reply ends well) or "held" (waits
for the user: after a failed or stopped reply, or after a restart). What the user typed is outside text here too:
every line is Content, never markup.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content
from textual.widgets import Static

from causerie.core.safe_text import sanitize_line

PREVIEW = 200  # characters of a prompt shown (the line is cropped to the width anyway)
SHOWN = 5  # prompts listed; the rest are counted


@dataclass(frozen=True)
class QueuedLine:
    """What the widget shows of one queued prompt."""

    text: str
    files: int
    held: bool


class QueuedPrompts(Static):
    """The queued prompts of the conversation shown (hidden while there are none)."""

    DEFAULT_CSS = """
    QueuedPrompts {
        height: auto;
        max-height: 7;
        padding: 0 1;
        color: $text-muted;
        border-left: thick $warning 50%;
        display: none;
    }
    QueuedPrompts.-shown {
        display: block;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, markup=False)
        self.lines: list[QueuedLine] = []

    def show_queue(self, lines: list[QueuedLine], keys: str) -> None:
        """Show these prompts (none hides the widget); `keys` says which keys act on them."""
        self.lines = list(lines)
        self.set_class(bool(lines), "-shown")
        if not lines:
            self.update(Content(""))
            return
        held = sum(line.held for line in lines)
        if held == len(lines):
            head = f"{len(lines)} held, not sent until you say so"
        elif held:
            head = f"{len(lines) - held} queued, {held} held"
        else:
            head = f"{len(lines)} queued, sent in order when the reply ends"
        parts = [Content.styled(f"{head} · {keys}", "italic")]
        for number, line in enumerate(lines[:SHOWN], 1):
            state = "held  " if line.held else "queued"
            files = f" (+{line.files} file{'s' if line.files != 1 else ''})" if line.files else ""
            first = line.text.strip().splitlines()[0] if line.text.strip() else ""
            more = "…" if len(first) > PREVIEW or "\n" in line.text.strip() else ""
            parts.append(
                Content.assemble(
                    Content.styled(f"{number}. {state} ", "bold"),
                    Content(sanitize_line(first[:PREVIEW]) + more),
                    Content.styled(files, "italic"),
                )
            )
        if len(lines) > SHOWN:
            parts.append(Content(f"… and {len(lines) - SHOWN} more"))
        self.update(Content("\n").join(parts))
