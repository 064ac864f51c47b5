"""SearchScreen: full-text search over every conversation; dismisses with the hit the user opens."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from causerie.core.conversation.fields import shown_time
from causerie.core.safe_text import sanitize_line
from causerie.core.storage.fulltext import snippet_pieces
from causerie.ui.text import outside
from causerie.ui.widgets.in_order import InOrderInput

if TYPE_CHECKING:
    from causerie.core.storage.fulltext import SearchHit

SearchFunction = Callable[[str], "list[SearchHit]"]
TYPING_PAUSE = 0.15  # seconds of no typing before a search starts


class SearchInput(InOrderInput):
    """The query box; Down moves into the results."""

    BINDINGS = [
        Binding("down", "to_results", "Results", id="search.to_results", show=False),
    ]

    def action_to_results(self) -> None:
        """Move into the results."""
        self.screen.query_one(SearchResults).focus()


class SearchResults(OptionList):
    """One option per hit: the conversation's title and the matching snippet."""


def hit_prompt(hit: SearchHit, query: str) -> Group:
    """Title and date on the first line, the snippet below with the matched words highlighted.

    The highlights are the spans the index found (accents and case folded, prefixes), applied as styles;
    each piece of outside text is cleaned on its own so the spans stay where they were.
    """
    title = Text(sanitize_line(hit.title) or "Untitled", style="bold")
    if date := shown_time(hit.updated_at, minutes=False):
        title.append(f"  {date}", style="dim")
    snippet = Text(style="dim")
    for piece, matched in snippet_pieces(hit):
        snippet.append(sanitize_line(piece), style="bold reverse" if matched else "")
    return Group(title, snippet)


class SearchScreen(ModalScreen["SearchHit | None"]):
    """Type to search the text of all conversations; Enter opens the highlighted hit."""

    DEFAULT_CSS = """
    SearchScreen {
        align: center top;
    }
    SearchScreen > Vertical {
        width: 90;
        max-width: 100%;
        height: 80%;
        margin: 2 0 0 0;
        border: round $primary;
        background: $surface;
    }
    SearchScreen SearchInput, SearchScreen SearchInput:focus {
        border: none;
        height: 1;
        padding: 0 1;
        background: $boost;
    }
    SearchScreen #search-status {
        color: $text-muted;
        padding: 0 1;
    }
    SearchScreen SearchResults, SearchScreen SearchResults:focus {
        height: 1fr;
        border: none;
        background: $surface;
    }
    """

    BINDINGS = [
        Binding("escape", "close", "Close", id="search.close"),
    ]

    def __init__(self, search: SearchFunction, query: str = "") -> None:
        super().__init__()
        self._search = search
        self._query = query
        self._timer: Timer | None = None
        self.hits: list[SearchHit] = []
        self.hits_for: str | None = None
        """The query `hits` were found for (typing on starts a newer search)."""
        self._open_when_ready = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield SearchInput(self._query, placeholder="Search all conversations…", id="search-input")
            yield Static("Type to search the text of every conversation.", id="search-status")
            yield SearchResults(id="search-results")

    def on_mount(self) -> None:
        self.query_one(SearchInput).focus()
        if self._query.strip():
            self._run_search(self._query)

    @on(Input.Changed, "SearchInput")
    def _query_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(TYPING_PAUSE, lambda: self._run_search(event.value))

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _run_search(self, query: str) -> None:
        hits = self._search(query) if query.strip() else []
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_hits, query, hits)

    def _show_hits(self, query: str, hits: list[SearchHit]) -> None:
        if query != self.query_one(SearchInput).value:
            return  # typed on since: a newer search follows
        self.hits = hits
        self.hits_for = query
        if self._open_when_ready and hits:
            self.dismiss(hits[0])
            return
        self._open_when_ready = False
        results = self.query_one(SearchResults)
        results.set_options(Option(hit_prompt(hit, query), id=str(i)) for i, hit in enumerate(hits))
        if hits:
            results.highlighted = 0
        status = self.query_one("#search-status", Static)
        if not query.strip():
            status.update("Type to search the text of every conversation.")
        elif not hits:
            status.update(outside(f"Nothing matches “{query}”."))  # the query is shown as typed, never markup
        else:
            count = "1 match" if len(hits) == 1 else f"{len(hits)} matches"
            status.update(f"{count}  ·  Enter opens, ↓ moves to the results")

    @on(Input.Submitted, "SearchInput")
    def _open_first(self, event: Input.Submitted) -> None:
        event.stop()
        if self.hits and self.hits_for == event.value:
            self.dismiss(self.hits[self.query_one(SearchResults).highlighted or 0])
        elif event.value.strip():
            # Enter before the pause ended: search now and open the best hit.
            if self._timer is not None:
                self._timer.stop()
            self._open_when_ready = True
            self._run_search(event.value)

    @on(OptionList.OptionSelected, "SearchResults")
    def _open_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.hits[int(event.option.id or 0)])

    def action_close(self) -> None:
        """Close without opening anything."""
        self.dismiss(None)
