"""HistorySidebar: saved conversations, newest first."""

from __future__ import annotations

from datetime import UTC, datetime

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from causerie.core.sanitize import sanitize_line
from causerie.core.store import Summary
from causerie.ui.messages import ConversationChosen


def relative_time(iso: str, now: datetime | None = None) -> str:
    """'just now', '5 min', '3 h', '2 d', or the date, for an ISO 8601 UTC time."""
    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return ""
    now = now or datetime.now(UTC)
    seconds = (now - when).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h"
    if seconds < 7 * 86400:
        return f"{int(seconds // 86400)} d"
    return when.strftime("%Y-%m-%d")


class HistoryList(OptionList):
    """The list of conversations inside the sidebar."""


class HistorySidebar(Vertical):
    """Saved conversations; posts ConversationChosen when one is opened."""

    DEFAULT_CSS = """
    HistorySidebar {
        width: 32;
        dock: left;
        background: $panel;
        border-right: vkey $primary 30%;
    }
    HistorySidebar.-hidden {
        display: none;
    }
    HistorySidebar > #history-title {
        padding: 0 1;
        color: $text-muted;
        text-style: bold;
    }
    HistorySidebar > HistoryList {
        height: 1fr;
        border: none;
        background: $panel;
    }
    /* OptionList adds a border on focus: the rows would move between mouse down and up, and the first click
       on an unfocused sidebar would land on the border instead of opening the conversation. */
    HistorySidebar > HistoryList:focus {
        border: none;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self._summaries: dict[str, Summary] = {}

    def compose(self) -> ComposeResult:
        yield Static("History", id="history-title")
        yield HistoryList(id="history-list")

    @property
    def option_list(self) -> HistoryList:
        return self.query_one(HistoryList)

    def show_progress(self, done: int, total: int) -> None:
        """Say how far a rebuild of the index has come (the list fills in when it is done)."""
        self.query_one("#history-title", Static).update(f"Indexing {done:,} / {total:,}…")

    def set_summaries(self, summaries: list[Summary], highlight: str | None = None) -> None:
        """Show these summaries (newest first)."""
        self.query_one("#history-title", Static).update("History")
        self._summaries = {s.id: s for s in summaries}
        options = self.option_list
        options.set_options(Option(_prompt(sanitize_line(s.title) or "Untitled", s), id=s.id) for s in summaries)
        if highlight and highlight in self._summaries:
            options.highlighted = options.get_option_index(highlight)

    def upsert(self, summary: Summary) -> None:
        """Add or refresh one conversation and move it to the top."""
        summaries = [summary, *(s for s in self._summaries.values() if s.id != summary.id)]
        summaries.sort(key=lambda s: (s.updated_at, s.id), reverse=True)
        self.set_summaries(summaries, highlight=summary.id)

    def remove(self, conversation_id: str) -> None:
        """Drop one conversation from the list."""
        self._summaries.pop(conversation_id, None)
        self.set_summaries(list(self._summaries.values()))

    @property
    def ids(self) -> list[str]:
        """Conversation ids in display order."""
        return [self.option_list.get_option_at_index(i).id or "" for i in range(self.option_list.option_count)]

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(ConversationChosen(event.option.id))


def _prompt(title: str, summary: Summary) -> Content:
    # Content, not markup: a title is untrusted text, and markup escaping misses an unclosed "[" (a crash).
    return Content.assemble(title, "\n", (f"{relative_time(summary.updated_at)} · {summary.message_count} msg", "dim"))
