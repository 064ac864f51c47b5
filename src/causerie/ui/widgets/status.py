"""StatusLine: profile, model, and the tokens of the last reply and of the conversation, fitted to the width.

A narrow terminal cannot hold every fact: the least important ones are left out first, the state ("writing…",
"stopped", an error) never is, and a line that lost something ends with "…" so the user knows there is more
(F4 shows the usage in full).
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.content import Content
from textual.widget import Widget

from causerie.core.conversation.models import Usage
from causerie.core.safe_text import sanitize_line

SEPARATOR = "  ·  "
CUT_MARK = "…"

# Facts in the order they are shown, with how long each is kept as the width shrinks (higher stays longer).
_KEEP = {"profile": 2, "model": 5, "effort": 3, "last": 0, "conversation": 1, "cost": 4, "context": 3}


def fit_parts(parts: list[tuple[str, int]], state: str, width: int) -> str:
    """The status text for `width` cells: every part if they fit, else the most important ones and a final "…".

    Args:
        parts: (text, how long it is kept) in display order.
        state: What is happening now ("writing…"); never left out.
        width: The cells available.

    Returns:
        One line, at most `width` cells long (the state itself is cut with "…" only when nothing else fits).
    """
    kept = list(parts)

    def line(items: list[tuple[str, int]], cut: bool) -> str:
        texts = [text for text, _ in items] + ([state] if state else [])
        joined = SEPARATOR.join(texts)
        return f"{joined}{SEPARATOR}{CUT_MARK}" if cut and joined else (CUT_MARK if cut else joined)

    text = line(kept, cut=False)
    while cell_len(text) > width and kept:
        kept.remove(min(kept, key=lambda item: item[1]))
        text = line(kept, cut=True)
    if cell_len(text) > width:
        text = Content(text).truncate(max(0, width), ellipsis=True).plain
    return text


class StatusLine(Widget):
    """One line of facts about the current conversation."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self._parts: list[tuple[str, int]] = []
        self._state = ""

    def show(
        self,
        *,
        profile: str,
        model: str,
        last: Usage | None,
        total: Usage | None,
        state: str = "",
        cost: str = "",
        context: str = "",
        effort: str = "",
    ) -> None:
        """Update the facts shown (`effort`: the reasoning effort the next request sends, when one is set)."""
        # The profile and model come from a file or a server: shown cleaned (never an escape sequence).
        parts = [
            (f"profile {sanitize_line(profile)}", _KEEP["profile"]),
            (f"model {sanitize_line(model)}", _KEEP["model"]),
        ]
        if effort:
            parts.append((f"effort {sanitize_line(effort)}", _KEEP["effort"]))
        if last is not None:
            mark = "≈" if last.estimated else ""
            parts.append(
                (
                    f"last reply {mark}{last.total_tokens:,} tok "
                    f"({mark}{last.prompt_tokens:,} in, {mark}{last.completion_tokens:,} out)",
                    _KEEP["last"],
                )
            )
        if total is not None and total.total_tokens:
            parts.append(
                (f"conversation {'≈' if total.estimated else ''}{total.total_tokens:,} tok", _KEEP["conversation"])
            )
        if cost:
            parts.append((cost, _KEEP["cost"]))
        if context:
            parts.append((context, _KEEP["context"]))
        self._parts, self._state = parts, state
        self.refresh()

    @property
    def full_text(self) -> str:
        """Every fact, whatever the width (what a wide enough terminal shows)."""
        return fit_parts(self._parts, self._state, 10**6)

    def render(self) -> Content:
        width = self.content_region.width or self.size.width
        return Content(fit_parts(self._parts, self._state, width))
