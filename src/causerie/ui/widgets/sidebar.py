"""HistorySidebar: saved conversations grouped by date, newest first, with a title filter."""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import datetime

from textual import events, on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, ProgressBar, Static
from textual.widgets.option_list import Option

from causerie.core.storage.store import Summary
from causerie.ui.dates import Clock, date_group, system_clock
from causerie.ui.messages import ConversationChosen
from causerie.ui.widgets.history_list import HistoryList, HistoryRow, grouped, row_title
from causerie.ui.widgets.in_order import InOrderInput

__all__ = ["NARROW_BELOW", "HistoryFilter", "HistoryList", "HistorySidebar", "matches_filter"]

NARROW_BELOW = 100
"""Below this many columns the sidebar starts hidden and, shown with ctrl+b, lies over the conversation."""


def matches_filter(title: str, query: str) -> bool:
    """True when every word of the query occurs in the title (case-insensitive)."""
    folded = title.casefold()
    return all(word in folded for word in query.casefold().split())


class HistoryFilter(InOrderInput):
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


class HistorySidebar(Vertical):
    """Saved conversations; posts ConversationChosen when one is opened."""

    # Reached from the list (the filter box handles these keys itself): the list edits the filter as if typed in it.
    BINDINGS = [
        Binding("backspace", "erase_filter", "Erase", id="history.erase_filter", show=False),
        Binding("escape", "clear_filter", "Clear filter", id="history.list_clear_filter", show=False),
    ]

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
    HistorySidebar.-over {
        layer: overlay;
    }
    HistorySidebar > #history-title {
        padding: 0 1;
        color: $text-muted;
        text-style: bold;
    }
    HistorySidebar > #history-progress {
        display: none;
        padding: 0 1;
        height: 1;
    }
    HistorySidebar > #history-progress.-building {
        display: block;
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
        & > .history-list--heading {
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
        self._listed_day: tuple[object, object] | None = None  # the clock's day and zone the headings were made for

    def on_mount(self) -> None:
        self.set_interval(60, self.refresh_times)
        self._narrow: bool | None = None

    def fit_to(self, width: int) -> None:
        """Follow the terminal's width: narrow, the sidebar is hidden and lies over the conversation when shown.

        It is hidden or shown only when the width crosses NARROW_BELOW, so ctrl+b's choice holds otherwise.
        """
        narrow = width < NARROW_BELOW
        if narrow == self._narrow:
            return
        self._narrow = narrow
        self.set_class(narrow, "-over")
        self.set_class(narrow, "-hidden")

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        # Lying over the conversation, the sidebar goes once the focus leaves it (a conversation opened, Esc, a
        # click on the pane): else it covers the prompt the focus went to, and what is typed there is hidden.
        if self.has_class("-over"):
            self.call_after_refresh(self._hide_if_left)

    def _hide_if_left(self) -> None:
        """Hide the lying-over sidebar if the focus is now on something else of its screen.

        A dialog over it keeps it, and so does the terminal losing the focus (Textual then focuses nothing, and gives
        the focus back to the list when the terminal has it again).
        """
        focused = self.screen.focused
        if self.has_class("-over") and self.app.screen is self.screen and self.app.app_focus and focused is not None:
            if not self.has_focus_within:
                self.add_class("-hidden")

    def compose(self) -> ComposeResult:
        yield Static("History", id="history-title")
        yield ProgressBar(id="history-progress", show_eta=False, show_percentage=False)
        yield HistoryFilter(placeholder="Filter titles…", id="history-filter", select_on_focus=False)
        yield HistoryList(id="history-list", title_of=self._title_of, typed=self._typed)

    @property
    def option_list(self) -> HistoryList:
        return self.query_one(HistoryList)

    def show_progress(self, done: int, total: int) -> None:
        """Say how far a build of the index has come (a bar under the title; gone when it is done)."""
        bar = self.query_one("#history-progress", ProgressBar)
        building = done < total
        bar.set_class(building, "-building")
        bar.update(total=total, progress=done)
        title = f"Indexing {done:,} / {total:,}…" if building else "History"
        self.query_one("#history-title", Static).update(title)

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
        return sorted(self._summaries.values(), key=_newest_first, reverse=True)

    def set_summaries(self, summaries: list[Summary], highlight: str | None = None) -> None:
        """Show these summaries, newest first, grouped by date."""
        self._summaries = {s.id: s for s in summaries}
        self._render_list(highlight)

    def _title_of(self, conversation_id: str) -> str:
        summary = self._summaries.get(conversation_id)
        return summary.title if summary is not None else ""

    def action_erase_filter(self) -> None:
        """Backspace in the list: take the last character off the filter."""
        box = self.filter_input
        if not box.value:
            raise SkipAction()
        box.value = box.value[:-1]
        box.cursor_position = len(box.value)

    def action_clear_filter(self) -> None:
        """Esc in the list clears the filter first; on an empty filter Esc does what it does elsewhere."""
        if not self.filter_input.value:
            raise SkipAction()
        self.filter_input.value = ""

    def _typed(self, character: str) -> None:
        box = self.filter_input
        box.value += character
        box.cursor_position = len(box.value)
        self.screen.set_focus(box)  # now, so the next typed key already lands in the box

    def _row(self, summary: Summary) -> Option:
        return Option(HistoryRow(summary, self._now), id=summary.id)

    def _now(self) -> datetime:
        """The clock's time now (rows ask when they are drawn; tests may swap the clock)."""
        return self.clock()

    @staticmethod
    def _heading(heading: str) -> Option:
        return Option(Content(heading), id=f"group:{heading}", disabled=True)

    @staticmethod
    def _day(now: datetime) -> tuple[object, object]:
        return now.date(), now.utcoffset()

    def _render_list(self, highlight: str | None = None) -> None:
        """Build every row again (a new list, a filter, a new day); the highlight stays where it can."""
        options = self.option_list
        keep = highlight or options.highlighted_id
        now = self.clock()
        self._listed_day = self._day(now)
        query = self.filter_text.strip()
        ordered = self.summaries()
        if query:
            ordered = [s for s in ordered if matches_filter(row_title(s), query)]
        rows: list[Option] = []
        group = None
        for heading, summary in grouped(ordered, now):
            if heading != group:
                group = heading
                rows.append(self._heading(heading))
            rows.append(self._row(summary))
        if not rows and self._summaries:
            rows.append(Option(Content("No title matches the filter"), id="group:none", disabled=True))
        options.set_rows(rows, keep if keep in self._summaries else None)

    def upsert(self, summary: Summary) -> None:
        """Add or refresh one conversation (it moves to its place by date).

        Saving the open conversation is the common case (every first message, every checkpoint of a reply): its
        row is replaced where it stands or moved to the top, without touching the other rows (rebuilding all of
        them cost seconds per save with 10,000 conversations). Anything else rebuilds the list.
        """
        self._summaries[summary.id] = summary
        options = self.option_list
        now = self.clock()
        query = self.filter_text.strip()
        at = options.index_of(summary.id)
        if self._listed_day != self._day(now) or (query and not matches_filter(row_title(summary), query)):
            self._render_list(highlight=summary.id)
            return
        heading = date_group(summary.updated_at, now)
        if at is not None and self._fits_at(at, summary, heading):
            options.replace_row(at, self._row(summary))
            return
        if query or not self._newest(summary):
            self._render_list(highlight=summary.id)
            return
        if at is not None:
            self._remove_row(at)
        first = options.get_option_at_index(0) if options.option_count else None
        if first is not None and first.id == f"group:{heading}":
            options.insert_rows(1, [self._row(summary)])
        else:
            options.insert_rows(0, [self._heading(heading), self._row(summary)])
        options.highlighted = options.index_of(summary.id)

    def _fits_at(self, at: int, summary: Summary, heading: str) -> bool:
        """Whether row `at` may show `summary`: still between its neighbours by date, under the right heading."""
        key = _newest_first(summary)
        newer, older = self._neighbour(at, -1), self._neighbour(at, 1)
        if (newer is not None and _newest_first(newer) <= key) or (older is not None and _newest_first(older) >= key):
            return False
        above = self.option_list.get_option_at_index(at - 1) if at else None
        if above is None:
            return False
        if above.disabled:
            return above.id == f"group:{heading}"
        return newer is not None and date_group(newer.updated_at, self.clock()) == heading

    def _neighbour(self, at: int, step: int) -> Summary | None:
        options = self.option_list
        at += step
        while 0 <= at < options.option_count:
            option = options.get_option_at_index(at)
            if not option.disabled and option.id is not None:
                return self._summaries.get(option.id)
            at += step
        return None

    def _newest(self, summary: Summary) -> bool:
        """Whether `summary` sorts before every other listed conversation."""
        options = self.option_list
        key = _newest_first(summary)
        for at in range(min(options.option_count, 3)):  # a heading, maybe this one, then the newest other
            option = options.get_option_at_index(at)
            if option.disabled or option.id == summary.id:
                continue
            other = self._summaries.get(option.id or "")
            return other is None or _newest_first(other) < key
        return True

    def _remove_row(self, at: int) -> None:
        """Remove a conversation's row, and its heading when no row is left under it."""
        options = self.option_list
        options.remove_row(at)
        above = options.get_option_at_index(at - 1) if at else None
        below = options.get_option_at_index(at) if at < options.option_count else None
        if above is not None and above.disabled and (below is None or below.disabled):
            options.remove_row(at - 1)

    def remove(self, conversation_id: str) -> None:
        """Drop one conversation from the list (the highlight moves to a neighbour)."""
        options = self.option_list
        self._summaries.pop(conversation_id, None)
        at = options.index_of(conversation_id)
        if at is None:
            return
        neighbour = self._neighbour(at, 1) or self._neighbour(at, -1)
        if self.filter_text.strip():
            self._render_list(highlight=neighbour.id if neighbour else None)
            return
        self._remove_row(at)
        if neighbour is not None:
            options.highlighted = options.index_of(neighbour.id)

    def refresh_times(self) -> None:
        """Recompute relative times against the clock (and the date groups when the day changed)."""
        if self._listed_day != self._day(self.clock()):
            self._render_list()
        else:
            self.option_list.clear_cache()  # rows work out their time when drawn

    @property
    def ids(self) -> list[str]:
        """Conversation ids in display order (headings excluded)."""
        options = self.option_list
        found = (options.get_option_at_index(i) for i in range(options.option_count))
        return [o.id for o in found if o.id and not o.disabled]

    def select(self, conversation_id: str) -> None:
        """Highlight a conversation, if it is listed."""
        at = self.option_list.index_of(conversation_id)
        if at is not None and not self.option_list.get_option_at_index(at).disabled:
            self.option_list.highlighted = at

    @on(Input.Changed, "HistoryFilter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._render_list()

    @on(Input.Submitted, "HistoryFilter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        """Enter in the filter opens the highlighted (or first) match."""
        event.stop()
        options = self.option_list
        target = options.highlighted_id or next(iter(self.ids), None)
        if target is not None:
            self.post_message(ConversationChosen(target))


_newest_first: Callable[[Summary], tuple[str, str]] = operator.itemgetter(3, 0)
"""The sort key of the list (reversed): newest first (updated_at), ties by id; as the store sorts."""
