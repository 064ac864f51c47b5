"""FilePicker: a fuzzy file picker over the working directory, listing files while it walks.

The walk runs in a thread and hands over batches; the list shows the best matches of what is typed. It stops at a
stated number of files (a home directory stays quick) and says so; a typed path to a file not listed is taken too.
File names are outside text: every row is a Content, never markup.
"""

from __future__ import annotations

import os
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from causerie.core.attachments.walk import DEFAULT_LIMIT, Walk, fuzzy_score
from causerie.core.safe_text import sanitize_line
from causerie.ui.screens.dialogs import DIALOG_CSS
from causerie.ui.widgets.in_order import InOrderInput

SHOWN = 200  # rows in the list: the best matches, not every file
BATCH = 500


class FilePicker(ModalScreen[str | None]):
    """Pick a file to attach; dismisses with its path (relative to the working directory), or None."""

    DEFAULT_CSS = (
        "FilePicker {"
        + DIALOG_CSS
        + """
    & > Vertical { width: 90; height: 24; }
    & OptionList { height: 1fr; border: none; }
    & .picker-note { color: $text-muted; height: auto; }
    }"""
    )

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("down", "to_list", "List", show=False, id="picker.to_list"),
    ]

    def __init__(self, root: Path | None = None, *, limit: int = DEFAULT_LIMIT) -> None:
        super().__init__()
        self.root = Path.cwd() if root is None else root
        self.limit = limit
        self.files: list[str] = []
        self.walking = True
        self.truncated = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content(f"Attach a file from {sanitize_line(self.root.name or str(self.root))}/"))
            yield InOrderInput(placeholder="Type part of a name, or a path", id="picker-query")
            yield OptionList(id="picker-files")
            yield Static(Content("Listing…"), classes="picker-note", id="picker-note")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._walk()

    @work(thread=True, exclusive=True, group="file-walk", exit_on_error=False)
    def _walk(self) -> None:
        worker = get_current_worker()
        walk = Walk(self.root, limit=self.limit)
        batch: list[str] = []
        for path in walk:
            if worker.is_cancelled:
                return
            batch.append(path)
            if len(batch) >= BATCH:
                self.app.call_from_thread(self._found, batch, False, False)
                batch = []
        self.app.call_from_thread(self._found, batch, True, walk.truncated)

    def _found(self, batch: list[str], done: bool, truncated: bool) -> None:
        if not self.is_attached:
            return  # picked or cancelled meanwhile
        self.files.extend(batch)
        self.walking = not done
        self.truncated = truncated
        self._refresh_list()

    def _refresh_list(self) -> None:
        query = self.query_one(Input).value.strip()
        if query:
            scored = ((fuzzy_score(query, p), p) for p in self.files)
            ranked = sorted(((s, p) for s, p in scored if s is not None), key=lambda item: -item[0])
            matches = [p for _, p in ranked[:SHOWN]]
        else:
            matches = self.files[:SHOWN]
        options = self.query_one(OptionList)
        highlighted = options.highlighted_option.id if options.highlighted_option is not None else None
        options.set_options(Option(Content(sanitize_line(p)), id=p) for p in matches)
        if matches:
            options.highlighted = matches.index(highlighted) if highlighted in matches else 0
        self.query_one("#picker-note", Static).update(Content(self._note(len(matches))))

    def _note(self, shown: int) -> str:
        count = f"{len(self.files):,} file{'s' if len(self.files) != 1 else ''}"
        if self.walking:
            return f"Listing… {count} so far"
        if self.truncated:
            return (
                f"Stopped after {count} (hidden files, .git and .gitignore'd paths skipped): "
                "type a path to attach a file not listed"
            )
        return f"{count} · {shown} shown · Enter attaches · Esc cancels"

    @on(Input.Changed, "#picker-query")
    def _query_changed(self) -> None:
        self._refresh_list()

    @on(Input.Submitted, "#picker-query")
    def _query_submitted(self) -> None:
        typed = self.query_one(Input).value.strip()
        if typed and os.path.isfile(self.root / os.path.expanduser(typed)):
            self.dismiss(typed)  # a path typed in full, listed or not
            return
        option = self.query_one(OptionList).highlighted_option
        if option is not None and option.id is not None:
            self.dismiss(option.id)

    @on(OptionList.OptionSelected, "#picker-files")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.dismiss(event.option.id)

    def action_to_list(self) -> None:
        """Move into the list of files."""
        self.query_one(OptionList).focus()

    def action_cancel(self) -> None:
        """Close without attaching anything."""
        self.dismiss(None)

    def on_unmount(self) -> None:
        self.workers.cancel_group(self, "file-walk")
