"""StatusLine: profile, model, and the tokens of the last reply and of the conversation."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from causerie.core.conversation.models import Usage
from causerie.ui.text import outside


class StatusLine(Static):
    """One line of facts about the current conversation."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
    }
    """

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
    ) -> None:
        """Update the facts shown."""
        parts = [f"profile {profile}", f"model {model}"]
        if last is not None:
            mark = "≈" if last.estimated else ""
            parts.append(
                f"last reply {mark}{last.total_tokens:,} tok "
                f"({mark}{last.prompt_tokens:,} in, {mark}{last.completion_tokens:,} out)"
            )
        if total is not None and total.total_tokens:
            parts.append(f"conversation {'≈' if total.estimated else ''}{total.total_tokens:,} tok")
        if cost:
            parts.append(cost)
        if context:
            parts.append(context)
        if state:
            parts.append(state)
        self.update(Content("  ·  ").join(outside(part) for part in parts))  # the model comes from a file or server
