"""HistoryActions: the chat screen's history wiring (rename, delete with undo, full-text search, palette lists).

ChatScreen inherits it and provides `store`, `sidebar`, `view`, `prompt`, `conversation`, `streaming`,
`open_conversation()` and `action_new_conversation()`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.binding import Binding
from textual.screen import Screen

from causerie.core.conversation.branches import newest_leaf
from causerie.core.safe_text import sanitize_line
from causerie.core.storage.store import StoreError
from causerie.ui.commands import PaletteCommand
from causerie.ui.messages import DeleteRequested, RenameRequested, SearchRequested, UndoDeleteRequested
from causerie.ui.screens.dialogs import ConfirmDialog, TextDialog
from causerie.ui.screens.search import SearchScreen

if TYPE_CHECKING:
    from causerie.core.conversation.models import Conversation
    from causerie.core.storage.fulltext import SearchHit
    from causerie.core.storage.store import ConversationStore
    from causerie.ui.widgets.conversation import ConversationView
    from causerie.ui.widgets.prompt import PromptInput
    from causerie.ui.widgets.sidebar import HistorySidebar

FOUND_CLASS = "-found"


class HistoryActions(Screen):
    """Rename, delete (to the trash, undo in the session), search all conversations, open by title."""

    BINDINGS = [
        Binding("ctrl+f", "search", "Search", id="chat.search"),
    ]

    if TYPE_CHECKING:
        store: ConversationStore
        conversation: Conversation
        _open: dict[str, Conversation]

        @property
        def sidebar(self) -> HistorySidebar: ...
        @property
        def view(self) -> ConversationView: ...
        @property
        def prompt(self) -> PromptInput: ...
        @property
        def streaming(self) -> bool: ...
        def open_conversation(self, conversation_id: str) -> bool: ...
        def _show_conversation(self, conversation: Conversation) -> None: ...
        def action_new_conversation(self) -> None: ...

    def __init__(self) -> None:
        super().__init__()
        self.trashed: list[tuple[str, str]] = []
        """Conversations deleted in this session, last on top: (id, title)."""

    # -- palette -------------------------------------------------------------------------------------------
    def conversation_titles(self) -> list[tuple[str, str]]:
        """(id, title) of every listed conversation, newest first (for "Open conversation…")."""
        return [(s.id, s.title) for s in self.sidebar.summaries()]

    def palette_commands(self) -> list[PaletteCommand]:
        """Commands without a key, offered by the command palette."""
        return [("Empty the trash", "Delete the conversations in the trash for good", self.purge_trash)]

    # -- rename --------------------------------------------------------------------------------------------
    @on(RenameRequested)
    def _rename_requested(self, event: RenameRequested) -> None:
        event.stop()
        conversation_id = event.conversation_id

        def renamed(title: str | None) -> None:
            if title is not None:
                self.rename(conversation_id, title)

        dialog = TextDialog("Rename conversation", sanitize_line(event.title), "A title")
        self.app.push_screen(dialog, renamed)

    def rename(self, conversation_id: str, title: str) -> None:
        """Give a saved conversation a new title (the store renames the open copy too)."""
        try:
            self.store.rename(conversation_id, title)
        except StoreError as exc:
            self.notify(f"{exc}; the old title is kept.", title="Not renamed", severity="warning", markup=False)
            return
        self._relist(conversation_id)

    def _relist(self, conversation_id: str) -> None:
        """Refresh one conversation's row from its file."""
        try:
            conversation = self.store.load(conversation_id)
        except StoreError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.sidebar.upsert(self.store.summary_of(conversation))

    # -- delete and undo -----------------------------------------------------------------------------------
    @on(DeleteRequested)
    def _delete_requested(self, event: DeleteRequested) -> None:
        event.stop()
        conversation_id, title = event.conversation_id, sanitize_line(event.title) or "Untitled"
        if self.streaming and self.conversation.id == conversation_id:
            self.notify("A reply is still being written here: stop it (Esc) first.", severity="warning")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.delete(conversation_id, title)

        question = f"“{title}” will be moved to the trash. Undo with u in the history until you quit."
        self.app.push_screen(ConfirmDialog("Delete conversation?", question, yes="Move to trash"), answered)

    def delete(self, conversation_id: str, title: str) -> None:
        """Move a conversation to the trash and remember it for undo."""
        try:
            self.store.delete(conversation_id)
        except StoreError as exc:
            self.notify(str(exc), title="Not deleted", severity="error", markup=False)
            return
        self._open.pop(conversation_id, None)
        self.trashed.append((conversation_id, title))
        self.sidebar.remove(conversation_id)
        if self.conversation.id == conversation_id:
            self.action_new_conversation()
            self.sidebar.option_list.focus()
        self.notify(f"“{title}” moved to the trash. Press u in the history to undo.", title="Deleted", markup=False)

    @on(UndoDeleteRequested)
    def _undo_requested(self, event: UndoDeleteRequested) -> None:
        event.stop()
        self.undo_delete()

    def undo_delete(self) -> None:
        """Bring back the conversation deleted last in this session."""
        if not self.trashed:
            self.notify("Nothing to undo.")
            return
        conversation_id, title = self.trashed.pop()
        try:
            self.store.restore(conversation_id)
        except StoreError as exc:
            self.notify(str(exc), title="Not restored", severity="error", markup=False)
            return
        self._relist(conversation_id)
        self.notify(f"“{title}” is back.", title="Restored", markup=False)

    def purge_trash(self) -> None:
        """Delete the trash for good, after confirmation."""

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                count = self.store.purge_trash()
            except StoreError as exc:
                self.notify(str(exc), title="Trash not emptied", severity="error", markup=False)
                return
            self.trashed.clear()
            self.notify(f"{count} conversation(s) deleted for good.", title="Trash emptied")

        question = "The conversations in the trash will be deleted for good; this cannot be undone."
        self.app.push_screen(ConfirmDialog("Empty the trash?", question, yes="Delete for good"), answered)

    # -- search --------------------------------------------------------------------------------------------
    def action_search(self) -> None:
        """Search the text of all conversations."""
        self._open_search("")

    @on(SearchRequested)
    def _search_requested(self, event: SearchRequested) -> None:
        event.stop()
        self._open_search(event.query)

    def _open_search(self, query: str) -> None:
        def chosen(hit: SearchHit | None) -> None:
            if hit is not None:
                self.show_hit(hit)

        self.app.push_screen(SearchScreen(lambda q: self.store.search(q), query), chosen)

    def show_hit(self, hit: SearchHit) -> None:
        """Open the conversation of a hit, then scroll to and mark the matching message."""
        if not self.open_conversation(hit.conversation_id):
            return
        self.sidebar.select(hit.conversation_id)
        conversation = self.conversation
        on_path = {m.id for m in conversation.active_path()}
        if hit.message_id is not None and hit.message_id not in on_path and hit.message_id in conversation.by_id():
            if not self.streaming:
                # Show the branch the hit is on; the choice is written only if the user goes on from there.
                conversation.active_leaf = newest_leaf(conversation, hit.message_id)
                self._show_conversation(conversation)
        if hit.message_id is not None:
            self.call_after_refresh(self._mark_found, hit.message_id)

    def _mark_found(self, message_id: str, frames: int = 0) -> None:
        found = self.view.reveal(message_id)  # a long conversation mounts its last messages first
        if found is None or not found.size.height:
            # The conversation is still being mounted and laid out: try again after the next frames.
            if frames < 30:
                self.call_after_refresh(self._mark_found, message_id, frames + 1)
                return
        if found is None:
            self.notify("That message is not on the shown branch of the conversation.", severity="warning")
            return
        for view in self.view.query(f".{FOUND_CLASS}"):
            view.remove_class(FOUND_CLASS)
        found.add_class(FOUND_CLASS)
        self.view.release_anchor()
        self.view.scroll_to_widget(found, animate=False, top=True)
        found.focus(scroll_visible=False)
