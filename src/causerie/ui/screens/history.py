"""HistoryActions: the chat screen's history actions (rename, delete with undo, full-text search, palette lists)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from causerie.core.conversation.branches import newest_leaf
from causerie.core.safe_text import sanitize_line
from causerie.core.storage.store import StoreError
from causerie.ui.bindings import key_text
from causerie.ui.commands import PaletteCommand
from causerie.ui.messages import (
    ConversationChosen,
    DeleteRequested,
    RenameRequested,
    SearchRequested,
    UndoDeleteRequested,
)
from causerie.ui.screens.dialogs import ConfirmDialog, TextDialog
from causerie.ui.screens.search import SearchScreen
from causerie.ui.widgets.history_list import HistoryList

if TYPE_CHECKING:
    from textual.app import App
    from textual.widget import Widget

    from causerie.core.conversation.models import Conversation
    from causerie.core.storage.fulltext import SearchHit
    from causerie.core.storage.store import ConversationStore
    from causerie.ui.widgets.conversation import ConversationView
    from causerie.ui.widgets.prompt import PromptInput
    from causerie.ui.widgets.sidebar import HistorySidebar

FOUND_CLASS = "-found"

HistoryIntent = ConversationChosen | SearchRequested | RenameRequested | DeleteRequested | UndoDeleteRequested


class HistoryHost(Protocol):
    """What the history actions need from the chat screen."""

    store: ConversationStore
    conversation: Conversation
    app: App

    @property
    def sidebar(self) -> HistorySidebar: ...
    @property
    def view(self) -> ConversationView: ...
    @property
    def streaming(self) -> bool: ...
    @property
    def focused(self) -> Widget | None: ...
    @property
    def prompt(self) -> PromptInput: ...
    def notify(self, message: str, **kwargs: Any) -> None: ...
    def open_conversation(self, conversation_id: str) -> bool: ...
    def show_conversation(self, conversation: Conversation) -> None: ...
    def forget(self, conversation_id: str) -> None: ...
    def action_new_conversation(self) -> None: ...
    def call_after_refresh(self, callback: Callable[..., Any], *args: Any) -> bool: ...


class HistoryActions:
    """Rename, delete (to the trash, undo in the session), search all conversations, open by title."""

    def __init__(self, host: HistoryHost) -> None:
        self.host = host
        self.trashed: list[tuple[str, str]] = []
        """Conversations deleted in this session, last on top: (id, title)."""

    def requested(self, event: HistoryIntent) -> None:
        """An intent posted by the sidebar or the search screen."""
        if isinstance(event, ConversationChosen):
            if self.host.open_conversation(event.conversation_id):
                self.host.prompt.focus()
        elif isinstance(event, SearchRequested):
            self.search(event.query)
        elif isinstance(event, RenameRequested):
            self.ask_rename(event.conversation_id, event.title)
        elif isinstance(event, DeleteRequested):
            self.ask_delete(event.conversation_id, event.title)
        else:
            self.undo_delete()

    def toggle_sidebar(self) -> None:
        """Hide or show the sidebar (showing it moves the focus into the list; hiding it, back to the prompt)."""
        sidebar = self.host.sidebar
        sidebar.toggle_class("-hidden")
        if sidebar.has_class("-hidden"):
            focused = self.host.focused
            if focused is None or sidebar in focused.ancestors:
                self.host.prompt.focus()
        else:
            sidebar.option_list.focus()

    # -- palette -------------------------------------------------------------------------------------------
    def conversation_titles(self) -> list[tuple[str, str]]:
        """(id, title) of every listed conversation, newest first (for "Open conversation…")."""
        return [(s.id, s.title) for s in self.host.sidebar.summaries()]

    def palette_commands(self) -> list[PaletteCommand]:
        """Commands without a key, offered by the command palette."""
        return [("Empty the trash", "Delete the conversations in the trash for good", self.purge_trash)]

    # -- rename --------------------------------------------------------------------------------------------
    def ask_rename(self, conversation_id: str, title: str) -> None:
        """Ask for a new title in a dialog, then rename."""

        def renamed(title: str | None) -> None:
            if title is not None:
                self.rename(conversation_id, title)

        dialog = TextDialog("Rename conversation", sanitize_line(title), "A title")
        self.host.app.push_screen(dialog, renamed)

    def rename(self, conversation_id: str, title: str) -> None:
        """Give a saved conversation a new title (the store renames the open copy too)."""
        try:
            self.host.store.rename(conversation_id, title)
        except StoreError as exc:
            self.host.notify(f"{exc}; the old title is kept.", title="Not renamed", severity="warning", markup=False)
            return
        self._relist(conversation_id)

    def _relist(self, conversation_id: str) -> None:
        """Refresh one conversation's row from its file."""
        try:
            conversation = self.host.store.load(conversation_id)
        except StoreError as exc:
            self.host.notify(str(exc), severity="error", markup=False)
            return
        self.host.sidebar.upsert(self.host.store.summary_of(conversation))

    # -- delete and undo -----------------------------------------------------------------------------------
    def ask_delete(self, conversation_id: str, title: str) -> None:
        """Confirm, then move a conversation to the trash."""
        title = sanitize_line(title) or "Untitled"
        if self.host.streaming and self.host.conversation.id == conversation_id:
            self.host.notify("A reply is still being written here: stop it (Esc) first.", severity="warning")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.delete(conversation_id, title)

        question = f"“{title}” will be moved to the trash. Undo with {self._undo_key()} in the history until you quit."
        self.host.app.push_screen(ConfirmDialog("Delete conversation?", question, yes="Move to trash"), answered)

    def delete(self, conversation_id: str, title: str) -> None:
        """Move a conversation to the trash and remember it for undo."""
        try:
            self.host.store.delete(conversation_id)
        except StoreError as exc:
            self.host.notify(str(exc), title="Not deleted", severity="error", markup=False)
            return
        self.host.forget(conversation_id)
        self.trashed.append((conversation_id, title))
        self.host.sidebar.remove(conversation_id)
        if self.host.conversation.id == conversation_id:
            self.host.action_new_conversation()
            self.host.sidebar.option_list.focus()
        self.host.notify(
            f"“{title}” moved to the trash. Press {self._undo_key()} in the history to undo.",
            title="Deleted",
            markup=False,
        )

    def _undo_key(self) -> str:
        return key_text(self.host.app, HistoryList.BINDINGS, "history.undo_delete")

    def undo_delete(self) -> None:
        """Bring back the conversation deleted last in this session."""
        if not self.trashed:
            self.host.notify("Nothing to undo.")
            return
        conversation_id, title = self.trashed.pop()
        try:
            self.host.store.restore(conversation_id)
        except StoreError as exc:
            self.host.notify(str(exc), title="Not restored", severity="error", markup=False)
            return
        self._relist(conversation_id)
        self.host.notify(f"“{title}” is back.", title="Restored", markup=False)

    def purge_trash(self) -> None:
        """Delete the trash for good, after confirmation."""

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                count = self.host.store.purge_trash()
            except StoreError as exc:
                self.host.notify(str(exc), title="Trash not emptied", severity="error", markup=False)
                return
            self.trashed.clear()
            self.host.notify(f"{count} conversation(s) deleted for good.", title="Trash emptied")

        question = "The conversations in the trash will be deleted for good; this cannot be undone."
        self.host.app.push_screen(ConfirmDialog("Empty the trash?", question, yes="Delete for good"), answered)

    # -- search --------------------------------------------------------------------------------------------
    def search(self, query: str = "") -> None:
        """Search the text of all conversations (the search screen, starting from `query`)."""

        def chosen(hit: SearchHit | None) -> None:
            if hit is not None:
                self.show_hit(hit)

        self.host.app.push_screen(SearchScreen(lambda q: self.host.store.search(q), query), chosen)

    def show_hit(self, hit: SearchHit) -> None:
        """Open the conversation of a hit, then scroll to and mark the matching message."""
        if not self.host.open_conversation(hit.conversation_id):
            return
        self.host.sidebar.select(hit.conversation_id)
        conversation = self.host.conversation
        on_path = {m.id for m in conversation.active_path()}
        if hit.message_id is not None and hit.message_id not in on_path and hit.message_id in conversation.by_id():
            if not self.host.streaming:
                # Show the branch the hit is on; the choice is written only if the user goes on from there.
                conversation.active_leaf = newest_leaf(conversation, hit.message_id)
                self.host.show_conversation(conversation)
        if hit.message_id is not None:
            self.host.call_after_refresh(self._mark_found, hit.message_id)

    def _mark_found(self, message_id: str, frames: int = 0) -> None:
        found = self.host.view.reveal(message_id)  # a long conversation mounts its last messages first
        if found is None or not found.size.height:
            # The conversation is still being mounted and laid out: try again after the next frames.
            if frames < 30:
                self.host.call_after_refresh(self._mark_found, message_id, frames + 1)
                return
        if found is None:
            self.host.notify("That message is not on the shown branch of the conversation.", severity="warning")
            return
        for view in self.host.view.query(f".{FOUND_CLASS}"):
            view.remove_class(FOUND_CLASS)
        found.add_class(FOUND_CLASS)
        self.host.view.release_anchor()
        self.host.view.scroll_to_widget(found, animate=False, top=True)
        found.focus(scroll_visible=False)
