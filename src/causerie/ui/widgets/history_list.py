"""HistoryList: the sidebar's rows (date headings and conversations), drawn line by line.

A Line-API list rather than an OptionList: with 10,000 conversations, OptionList can only be rebuilt as a whole
(it has no insert), so a new conversation at the top cost every row again. Here a row is an `Option` (id,
disabled for headings, prompt) kept in a plain list: inserting or removing one is a list operation, and only the
rows on screen are ever rendered.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.css.styles import RulesMap
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual, visualize
from textual.widgets.option_list import Option

from causerie.core.storage.store import Summary
from causerie.ui.dates import Clock, relative_time
from causerie.ui.messages import (
    ConversationChosen,
    DeleteRequested,
    RenameRequested,
    SearchRequested,
    UndoDeleteRequested,
)
from causerie.ui.widgets.history_groups import BRANCH_MARK, BRANCH_SUFFIX, HEADING_PREFIX, grouped, row_title  # noqa: F401

__all__ = ["HistoryList", "HistoryRow", "grouped", "row_title"]


class HistoryRow(Visual):
    """One conversation row: the title, cut with an ellipsis, and the relative time at the right edge.

    Always one line; its title and time are worked out only when the row is drawn (10,000 rows are listed, a
    screenful is drawn), the time against the clock of that moment.
    """

    def __init__(self, summary: Summary, clock: Clock) -> None:
        self.summary = summary
        self._clock = clock
        self._title: str | None = None

    @property
    def title(self) -> str:
        if self._title is None:
            title = row_title(self.summary)
            # A branch's title is its origin's plus " (branch)": cut to the sidebar's width the two looked the same.
            self._title = f"{BRANCH_MARK} {title}" if title.endswith(BRANCH_SUFFIX) else title
        return self._title

    @property
    def when(self) -> str:
        return relative_time(self.summary.updated_at, self._clock())

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


class HistoryList(ScrollView, can_focus=True):
    """The list of conversations; date headings are disabled rows the cursor skips."""

    ALLOW_SELECT = False
    BINDINGS = [
        # No letter keys: every printable key typed in the list goes to the title filter ("java" filters "java").
        Binding("down", "cursor_down", "Next", id="history.down", show=False),
        Binding("up", "cursor_up", "Previous", id="history.up", show=False),
        Binding("home", "first", "First", id="history.first", show=False),
        Binding("end", "last", "Last", id="history.last", show=False),
        Binding("pageup", "page_up", "Page up", id="history.page_up", show=False),
        Binding("pagedown", "page_down", "Page down", id="history.page_down", show=False),
        Binding("enter", "select", "Open", id="history.open", show=False),
        Binding("f2", "rename", "Rename", id="history.rename"),
        Binding("delete", "delete", "Delete", id="history.delete"),
        Binding("ctrl+z", "undo_delete", "Undo delete", id="history.undo_delete"),
        Binding("slash", "search", "Search all", id="history.search", show=False),
    ]

    # The look of Textual's OptionList, which this list replaces.
    DEFAULT_CSS = """
    HistoryList {
        height: auto;
        max-height: 100%;
        color: $foreground;
        overflow-x: hidden;
        border: tall $border-blurred;
        padding: 0 1;
        background: $surface;
        & > .history-list--option-highlighted {
            color: $foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            border: tall $border;
            background-tint: $foreground 5%;
            & > .history-list--option-highlighted {
                color: $block-cursor-foreground;
                background: $block-cursor-background;
                text-style: $block-cursor-text-style;
            }
        }
        & > .history-list--heading {
            color: $text-disabled;
        }
        & > .history-list--option-hover {
            background: $block-hover-background;
        }
    }
    """

    COMPONENT_CLASSES = {
        "history-list--option",
        "history-list--heading",
        "history-list--option-highlighted",
        "history-list--option-hover",
    }

    highlighted: reactive[int | None] = reactive(None)
    """The index of the highlighted row (never a heading), or None."""

    _hover: reactive[int | None] = reactive(None)

    def __init__(
        self,
        *,
        id: str | None = None,  # noqa: A002
        title_of: Callable[[str], str] | None = None,
        typed: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(id=id)
        self._rows: list[Option] = []
        self._index: dict[str, int] | None = None  # id -> row, rebuilt when needed after rows moved
        self._strips: dict[tuple[int, Style, int], Strip] = {}
        self._title_of = title_of or (lambda conversation_id: "")
        self._typed = typed

    # -- rows ----------------------------------------------------------------------------------------------
    @property
    def option_count(self) -> int:
        return len(self._rows)

    def get_option_at_index(self, index: int) -> Option:
        return self._rows[index]

    def index_of(self, row_id: str) -> int | None:
        """The row of an id (conversation or heading), or None."""
        if self._index is None:
            self._index = {option.id: at for at, option in enumerate(self._rows) if option.id is not None}
        return self._index.get(row_id)

    def get_option_index(self, row_id: str) -> int:
        at = self.index_of(row_id)
        if at is None:
            raise KeyError(row_id)
        return at

    def get_option(self, row_id: str) -> Option:
        return self._rows[self.get_option_index(row_id)]

    @property
    def highlighted_id(self) -> str | None:
        """The id of the highlighted conversation, if any."""
        at = self.highlighted
        if at is None or not 0 <= at < len(self._rows) or self._rows[at].disabled:
            return None
        return self._rows[at].id

    def set_rows(self, rows: list[Option], highlight: str | None = None) -> None:
        """Show these rows (scrolled to the top), highlighting `highlight` or the first conversation."""
        self._rows = rows
        self._changed()
        self.scroll_to(y=0, animate=False, immediate=True)
        at = self.index_of(highlight) if highlight is not None else None
        self.highlighted = at if at is not None else self._next_enabled(-1, 1, wrap=False)
        self.scroll_to_highlight()

    def insert_rows(self, at: int, rows: list[Option]) -> None:
        """Insert rows before row `at` (the highlight stays on its row)."""
        self._rows[at:at] = rows
        if self.highlighted is not None and self.highlighted >= at:
            self.set_reactive(HistoryList.highlighted, self.highlighted + len(rows))
        self._changed()

    def remove_row(self, at: int) -> None:
        """Remove row `at` (the highlight stays on its row, or is cleared when it was this one)."""
        del self._rows[at]
        if self.highlighted is not None:
            if self.highlighted == at:
                self.set_reactive(HistoryList.highlighted, None)
            elif self.highlighted > at:
                self.set_reactive(HistoryList.highlighted, self.highlighted - 1)
        self._changed()

    def replace_row(self, at: int, row: Option) -> None:
        """Put a new row in place of row `at` (same id)."""
        self._rows[at] = row
        self._index = None
        self.refresh()

    def clear_cache(self) -> None:
        """Draw every row again (relative times, a theme)."""
        self._strips.clear()
        self.refresh()

    def _changed(self) -> None:
        self._index = None
        self._strips.clear()
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._rows))
        self.refresh()

    # -- drawing -------------------------------------------------------------------------------------------
    def notify_style_update(self) -> None:
        self._strips.clear()
        super().notify_style_update()

    def on_resize(self) -> None:
        self._strips.clear()
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._rows))

    def on_show(self) -> None:
        self.scroll_to_highlight()

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if not 0 <= index < len(self._rows):
            return Strip.blank(width, self.get_visual_style("history-list--option").rich_style)
        row = self._rows[index]
        if row.disabled:
            style = self.get_visual_style("history-list--option", "history-list--heading")
        elif index == self.highlighted:
            style = self.get_visual_style("history-list--option", "history-list--option-highlighted")
        elif index == self._hover:
            style = self.get_visual_style("history-list--option", "history-list--option-hover")
        else:
            style = self.get_visual_style("history-list--option")
        key = (id(row), style, width)
        strip = self._strips.get(key)
        if strip is None:
            if len(self._strips) > 400:  # a few screens' worth
                self._strips.clear()
            visual = visualize(self, row.prompt, markup=False)
            strips = Visual.to_strips(self, visual, width, 1, style)
            strip = (strips[0] if strips else Strip.blank(width)).extend_cell_length(width, style.rich_style)
            self._strips[key] = strip
        return strip

    # -- highlight and keys --------------------------------------------------------------------------------
    def validate_highlighted(self, highlighted: int | None) -> int | None:
        if highlighted is None or not self._rows:
            return None
        return max(0, min(highlighted, len(self._rows) - 1))

    def watch_highlighted(self, highlighted: int | None) -> None:
        self.scroll_to_highlight()

    def scroll_to_highlight(self) -> None:
        """Bring the highlighted row into view."""
        at = self.highlighted
        if at is None or not self.is_mounted:
            return
        region = Region(0, at, max(1, self.scrollable_content_region.width), 1)
        self.scroll_to_region(region, force=True, animate=False, immediate=True)

    def _next_enabled(self, anchor: int, step: int, *, wrap: bool = True) -> int | None:
        """The next conversation row from `anchor` in direction `step` (wrapping around like OptionList)."""
        count = len(self._rows)
        for offset in range(1, count + 1):
            at = anchor + step * offset
            if not wrap and not 0 <= at < count:
                return None
            at %= count
            if not self._rows[at].disabled:
                return at
        return None

    def action_cursor_down(self) -> None:
        """Highlight the next conversation."""
        anchor = -1 if self.highlighted is None else self.highlighted
        self.highlighted = self._next_enabled(anchor, 1)

    def action_cursor_up(self) -> None:
        """Highlight the previous conversation."""
        anchor = len(self._rows) if self.highlighted is None else self.highlighted
        self.highlighted = self._next_enabled(anchor, -1)

    def action_first(self) -> None:
        """Highlight the first conversation."""
        self.highlighted = self._next_enabled(-1, 1, wrap=False)

    def action_last(self) -> None:
        """Highlight the last conversation."""
        self.highlighted = self._next_enabled(len(self._rows), -1, wrap=False)

    def _move_page(self, step: int) -> None:
        if not self._rows:
            return
        height = max(1, self.scrollable_content_region.height)
        target = max(0, min(len(self._rows) - 1, (self.highlighted or 0) + step * height))
        found = None if self._rows[target].disabled else target
        if found is None:
            found = self._next_enabled(target, step, wrap=False) or self._next_enabled(target, -step, wrap=False)
        if found is not None:
            self.highlighted = found

    def action_page_up(self) -> None:
        """Move the highlight up a page."""
        self._move_page(-1)

    def action_page_down(self) -> None:
        """Move the highlight down a page."""
        self._move_page(1)

    def action_select(self) -> None:
        """Open the highlighted conversation."""
        if (conversation_id := self.highlighted_id) is not None:
            self.post_message(ConversationChosen(conversation_id))

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
        if self._typed is None:
            return
        if event.is_printable and event.character and event.key not in self.screen.active_bindings:
            event.stop()
            event.prevent_default()
            self._typed(event.character)

    # -- mouse ---------------------------------------------------------------------------------------------
    def _row_at(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        at = self.scroll_offset.y + offset.y
        return at if 0 <= at < len(self._rows) else None

    def on_click(self, event: events.Click) -> None:
        at = self._row_at(event)
        if at is not None and not self._rows[at].disabled:
            self.highlighted = at
            self.action_select()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._hover = self._row_at(event)

    def on_leave(self, event: events.Leave) -> None:
        self._hover = None
