"""Collapsible notes in the conversation: a stored summary of older turns, and a reply's reasoning."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widget import Widget
from textual.widgets import Collapsible, Static

from causerie.core.conversation.models import Message
from causerie.ui.text import outside_body

REFRESH_INTERVAL = 0.25


class SummaryNote(Collapsible):
    """A summary that stands in for older turns when they are sent (collapsed; expand to read it)."""

    DEFAULT_CSS = """
    SummaryNote {
        margin: 0 0 1 0;
        padding: 0;
        border-top: none;
        border-left: outer $secondary;
        background: $boost;
    }
    """

    def __init__(self, message: Message, count: int | None = None) -> None:
        what = f"{count} earlier message{'s' if count != 1 else ''}" if count else "the earlier messages"
        body = Static(outside_body(message.content), classes="note-body")
        super().__init__(body, title=f"Summary of {what} (sent in their place)", collapsed=True)
        self.message = message


class ReasoningNote(Collapsible):
    """A reply's reasoning, shown apart from the answer, collapsed, and never sent back."""

    DEFAULT_CSS = """
    ReasoningNote {
        margin: 0;
        padding: 0;
        border-top: none;
        color: $text-muted;
        border-left: outer $panel;
    }
    """

    def __init__(self, message: Message) -> None:
        self._body = Static(outside_body(message.reasoning, "italic"), classes="note-body")
        super().__init__(self._body, title="Reasoning", collapsed=True)
        self.message = message
        self._pending = False

    def refresh_text(self) -> None:
        """Show the reasoning received so far (redraws at most four times a second)."""
        if not self._pending:
            self._pending = True
            self.set_timer(REFRESH_INTERVAL, self._flush)

    def _flush(self) -> None:
        self._pending = False
        self._body.update(outside_body(self.message.reasoning, "italic"))


def notes_and_views(
    path: list[Message], make_view: Callable[[Message], Widget], start: int = 0, end: int | None = None
) -> tuple[list[Widget], list[Any]]:
    """The widgets of `path[start:end]` in order: summary notes, reasoning notes before their reply, message views.

    The whole path is given so that a summary of older turns can count them when only recent turns are shown.
    """
    widgets: list[Widget] = []
    views: list[Any] = []
    for message in path[start:end]:
        if message.kind == "summary":
            ids = [m.id for m in path]
            upto = ids.index(message.covers) + 1 if message.covers in ids else 0
            covered = sum(1 for m in path[:upto] if m.role != "system")
            widgets.append(SummaryNote(message, covered or None))
            continue
        if message.role == "system":
            continue
        if message.reasoning:
            widgets.append(ReasoningNote(message))
        view = make_view(message)
        views.append(view)
        widgets.append(view)
    return widgets, views
