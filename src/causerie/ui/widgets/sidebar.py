"""HistorySidebar: saved conversations grouped by date, newest first, with a title filter."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import events, on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from causerie.core.sanitize import sanitize_line
from causerie.core.store import Summary
from causerie.ui.dates import Clock, date_group, relative_time, system_clock
from causerie.ui.messages import (
    ConversationChosen,
    DeleteRequested,
    RenameRequested,
    SearchRequested,
    UndoDeleteRequested,
)

__all__ = ["HistoryFilter", "HistoryList", "HistorySidebar", "matches_filter"]


def matches_filter(title: str, query: str) -> bool:
    """True when every word of the query occurs in the title (case-insensitive)."""
    folded = title.casefold()
    return all(word in folded for word in query.casefold().split())


class HistoryFilter(Input):
    """The filter box above the list: typing narrows the list to matching titles."""

    BINDINGS = [
        Binding("down", "to_list", "To list", id="history.filter_to_list", show=False),
        Binding("escape", "clear", "Clear filter", id="history.clear_filter", show=False),
    ]

    def action_to_list(self) -> None:
        """Move into the list below.

        The focus moves now, not after a round trip through the app's queue (Widget.focus): a key typed right
        after Down (F2, Delete) must be dispatched against the list's bindings, not dropped by the filter box.
        """
        self.screen.set_focus(self.screen.query_one(HistoryList))

    def action_clear(self) -> None:
        """Empty the filter (Esc on an empty filter does what Esc does elsewhere)."""
        if not self.value:
            raise SkipAction()
        self.value = ""


class HistoryList(OptionList):
    """The list of conversations; date headings are disabled options the cursor skips."""

    BINDINGS = [
        Binding("down,j", "cursor_down", "Next", id="history.down", show=False),
        Binding("up,k", "cursor_up", "Previous", id="history.up", show=False),
        Binding("enter", "select", "Open", id="history.open", show=False),
        Binding("f2", "rename", "Rename", id="history.rename"),
        Binding("delete", "delete", "Delete", id="history.delete"),
        Binding("u", "undo_delete", "Undo delete", id="history.undo_delete"),
        Binding("slash", "search", "Search all", id="history.search", show=False),
    ]

    @property
    def highlighted_id(self) -> str | None:
        """The id of the highlighted conversation, if any."""
        if self.highlighted is None:
            return None
        option = self.get_option_at_index(self.highlighted)
        return None if option.disabled else option.id

    def _title_of(self, conversation_id: str) -> str:
        sidebar = self.query_ancestor(HistorySidebar)
        summary = sidebar.summary(conversation_id)
        return summary.title if summary is not None else ""

    def action_rename(self) -> None:
        """Rename the highlighted conversation."""
        if (conversation_id := self.highlighted_id) is not None:
            self.post_message(RenameRequested(conversation_id, self._title_of(conversation_id)))

    def action_delete(self) -> None:
        """Move the highlighted conversation to the trash (after confirmation)."""
        if (conversation_id := self.highlighted_id) is not None:
            self.post_message(DeleteRequested(conversation_id, self._title_of(conversation_id)))

    def action_undo_delete(self) -> None:
        """Bring back the conversation deleted last."""
        self.post_message(UndoDeleteRequested())

    def action_search(self) -> None:
        """Search the text of all conversations."""
        self.post_message(SearchRequested())

    def on_key(self, event: events.Key) -> None:
        # Type-to-filter: a printable key with no binding here starts (or continues) the title filter.
        if event.is_printable and event.character and event.key not in self.screen.active_bindings:
            event.stop()
            event.prevent_default()
            box = self.query_ancestor(HistorySidebar).filter_input
            box.value += event.character
            box.cursor_position = len(box.value)
            self.screen.set_focus(box)  # now, so the next typed key already lands in the box


class HistorySidebar(Vertical):
    """Saved conversations; posts ConversationChosen when one is opened."""

    DEFAULT_CSS = """
    HistorySidebar {
        width: 34;
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
    HistorySidebar > HistoryFilter {
        height: 1;
        border: none;
        padding: 0 1;
        background: $surface;
    }
    HistorySidebar > HistoryFilter:focus {
        border: none;
        background: $boost;
    }
    HistorySidebar > HistoryList {
        height: 1fr;
        border: none;
        background: $panel;
        & > .option-list--option-disabled {
            color: $text-muted;
            text-style: bold;
        }
    }
    HistorySidebar > HistoryList:focus {
        border: none;
    }
    """

    def __init__(self, *, id: str | None = None, clock: Clock | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.clock: Clock = clock or system_clock
        self._summaries: dict[str, Summary] = {}

    def on_mount(self) -> None:
        self.set_interval(60, self.refresh_times)

    def compose(self) -> ComposeResult:
        yield Static("History", id="history-title")
        yield HistoryFilter(placeholder="Filter titles…", id="history-filter", select_on_focus=False)
        yield HistoryList(id="history-list")

    @property
    def option_list(self) -> HistoryList:
        return self.query_one(HistoryList)

    def show_progress(self, done: int, total: int) -> None:
        """Say how far a rebuild of the index has come (the list fills in when it is done)."""
        self.query_one("#history-title", Static).update(f"Indexing {done:,} / {total:,}…")

    @property
    def filter_input(self) -> HistoryFilter:
        return self.query_one(HistoryFilter)

    @property
    def filter_text(self) -> str:
        """What the title filter holds."""
        return self.filter_input.value

    def summary(self, conversation_id: str) -> Summary | None:
        """The listed summary of a conversation, if listed."""
        return self._summaries.get(conversation_id)

    def summaries(self) -> list[Summary]:
        """Every listed conversation (filtered or not), newest first."""
        return sorted(self._summaries.values(), key=lambda s: (s.updated_at, s.id), reverse=True)

    def set_summaries(self, summaries: list[Summary], highlight: str | None = None) -> None:
        """Show these summaries, newest first, grouped by date."""
        self.query_one("#history-title", Static).update("History")
        self._summaries = {s.id: s for s in summaries}
        self._render_list(highlight)

    def _render_list(self, highlight: str | None = None) -> None:
        options = self.option_list
        keep = highlight or options.highlighted_id
        now = self.clock()
        query = self.filter_text.strip()
        ordered = self.summaries()
        rows: list[Option] = []
        group = None
        for summary in ordered:
            title = sanitize_line(summary.title) or "Untitled"
            if query and not matches_filter(title, query):
                continue
            heading = date_group(summary.updated_at, now)
            if heading != group:
                group = heading
                rows.append(Option(Content(heading), id=f"group:{heading}", disabled=True))
            rows.append(Option(_row(title, relative_time(summary.updated_at, now)), id=summary.id))
        if not rows and self._summaries:
            rows.append(Option(Content("No title matches the filter"), id="group:none", disabled=True))
        options.set_options(rows)
        if keep and keep in self._summaries and any(o.id == keep for o in rows):
            options.highlighted = options.get_option_index(keep)
        elif self.ids:
            options.highlighted = options.get_option_index(self.ids[0])  # the first (newest) match

    def upsert(self, summary: Summary) -> None:
        """Add or refresh one conversation (it moves to its place by date)."""
        old = self._summaries.get(summary.id)
        self._summaries[summary.id] = summary
        now = self.clock()
        if (
            old is not None
            and self._first_listed() == summary.id
            and old.updated_at <= summary.updated_at
            and date_group(old.updated_at, now) == date_group(summary.updated_at, now)
            and old.title == summary.title
        ):
            # The newest conversation saved again (a streaming reply checkpoints about once a second): only its
            # row changes. Rebuilding every row instead cost seconds per save with 10,000 conversations.
            title = sanitize_line(summary.title) or "Untitled"
            self.option_list.replace_option_prompt(summary.id, _row(title, relative_time(summary.updated_at, now)))
            return
        self._render_list(highlight=summary.id)

    def _first_listed(self) -> str | None:
        """The id of the topmost conversation row (headings skipped)."""
        options = self.option_list
        for index in range(options.option_count):
            option = options.get_option_at_index(index)
            if not option.disabled:
                return option.id
        return None

    def remove(self, conversation_id: str) -> None:
        """Drop one conversation from the list (the highlight moves to a neighbour)."""
        ids = self.ids
        neighbour = None
        if conversation_id in ids:
            at = ids.index(conversation_id)
            rest = ids[at + 1 :] + ids[:at][::-1]
            neighbour = rest[0] if rest else None
        self._summaries.pop(conversation_id, None)
        self._render_list(highlight=neighbour)

    def refresh_times(self) -> None:
        """Recompute relative times and groups against the clock."""
        self._render_list()

    @property
    def ids(self) -> list[str]:
        """Conversation ids in display order (headings excluded)."""
        options = self.option_list
        found = (options.get_option_at_index(i) for i in range(options.option_count))
        return [o.id for o in found if o.id and not o.disabled]

    def select(self, conversation_id: str) -> None:
        """Highlight a conversation, if it is listed."""
        if conversation_id in self.ids:
            self.option_list.highlighted = self.option_list.get_option_index(conversation_id)

    @on(Input.Changed, "HistoryFilter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._render_list()

    @on(Input.Submitted, "HistoryFilter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        """Enter in the filter opens the highlighted (or first) match."""
        event.stop()
        target = self.option_list.highlighted_id or next(iter(self.ids), None)
        if target is not None:
            self.post_message(ConversationChosen(target))

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and not event.option.disabled:
            self.post_message(ConversationChosen(event.option.id))


class HistoryRow(Visual):
    """One row of the list: the title, cut with an ellipsis, and the relative time at the right edge.

    Always one line, so the list measures 10,000 rows without rendering any (a Rich table per row cost ~2 ms each:
    25 s for 10,000); a row is rendered only when it is on screen, at the list's real width.
    """

    def __init__(self, title: str, when: str) -> None:
        self.title = title
        self.when = when

    def __rich__(self) -> Text:
        return Text(f"{self.title} {self.when}")

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return cell_len(self.title) + 1 + cell_len(self.when)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return 1

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        when = Content.styled(self.when, "dim")
        room = width - when.cell_length - 1
        if room < 4:  # too narrow for both: the title alone
            line = Content(self.title).truncate(width, ellipsis=True, pad=True)
        else:
            line = Content(self.title).truncate(room, ellipsis=True, pad=True) + " " + when
        return line.render_strips(width, 1, style, options)


def _row(title: str, when: str) -> HistoryRow:
    return HistoryRow(title, when)
