"""DraftKeeper: keeps the prompt's unsent text and its chips on disk, per conversation, so that nothing is lost.

The chat screen tells it which conversation is shown, when the prompt or the chips changed, when a message was sent
and when the screen goes away; it writes the draft a moment after typing pauses (a crash loses at most that moment)
and at once when a chip comes or goes, on a switch or at exit. An edit of a sent message is kept beside the draft
underneath it, and comes back in editing mode when its conversation is shown again. The chips come back with the
draft; one whose bytes left the attachment store is dropped with a notice (a chip always stands for stored bytes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from causerie.core.attachments.record import Attachment
from causerie.core.safe_text import sanitize_line
from causerie.core.storage.drafts import NEW_CONVERSATION, DraftStore, EditDraft
from causerie.ui.widgets.attachment_tray import AttachmentTray
from causerie.ui.widgets.prompt import PromptInput

if TYPE_CHECKING:
    from textual.timer import Timer

    from causerie.core.conversation.models import Conversation

W = TypeVar("W")

Draft = tuple[str, EditDraft | None, tuple[Attachment, ...]]  # the text, the edit on top, the chips

SAVE_DELAY = 0.4  # seconds of no typing before the draft is written


class DraftKeeper:
    """Saves and restores the prompt's draft for the conversation shown."""

    def __init__(
        self,
        store: DraftStore,
        find: Callable[[type[W]], W],
        set_timer: Callable[..., Timer],
        stored: Callable[[str], bool],
        notify: Callable[..., None],
    ) -> None:
        self.store = store
        self._find = find  # the screen's query_one: the prompt and the tray are found when first needed
        self._prompt_widget: PromptInput | None = None
        self._tray_widget: AttachmentTray | None = None
        self._stored = stored  # whether the attachment store still holds a SHA-256
        self._notify = notify
        self._set_timer = set_timer
        self.key: str | None = None
        self._written: Draft = ("", None, ())  # what was last written for `key`
        self._timer: Timer | None = None

    @staticmethod
    def key_of(conversation: Conversation) -> str:
        """A conversation with messages has its own draft; an empty new one uses the shared new-conversation slot."""
        return conversation.id if conversation.messages else NEW_CONVERSATION

    def _prompt(self) -> PromptInput:
        # Kept once found: at exit the screen's children may already be detached from the DOM.
        if self._prompt_widget is None:
            self._prompt_widget = self._find(PromptInput)
        return self._prompt_widget

    def _tray(self) -> AttachmentTray:
        if self._tray_widget is None:
            self._tray_widget = self._find(AttachmentTray)
        return self._tray_widget

    def _state(self) -> Draft:
        """The draft, the edit of a sent message on top of it if one is under way, and the chips."""
        prompt = self._prompt()
        edit = EditDraft(prompt.editing, prompt.full_text) if prompt.editing is not None else None
        return prompt.draft_underneath, edit, tuple(self._tray().attachments)

    def show(self, conversation: Conversation) -> None:
        """Another conversation is shown: keep the current draft (and edit), put that conversation's in the prompt."""
        key = self.key_of(conversation)
        if key == self.key:
            return
        prompt = self._prompt()
        self.flush()
        prompt.stop_editing()
        self.key = key
        text, edit, chips = self.store.load(key), self.store.load_edit(key), self.store.load_attachments(key)
        self._written = (text, edit, tuple(chips))
        prompt.clear()
        if text:
            prompt.insert(text)
        self._restore_chips(chips)
        if edit is None:
            return
        edited = conversation.by_id().get(edit.message_id)
        if edited is not None and edited.role == "user":
            prompt.start_editing(edit.message_id, edit.text)
        elif edit.text.strip():  # the message is gone (changed elsewhere): its words stay, as the draft's end
            prompt.move_cursor(prompt.document.end)
            prompt.insert(f"\n\n{edit.text}" if text else edit.text)

    def _restore_chips(self, chips: list[Attachment]) -> None:
        tray = self._tray()
        tray.take()
        missing = [chip for chip in chips if not self._stored(chip.sha256)]
        for chip in chips:
            if chip not in missing:
                tray.add(chip)
        if missing:  # the next write forgets them on disk too
            names = ", ".join(sanitize_line(chip.name) for chip in missing)
            self._notify(
                f"No longer in causerie's attachment store, so taken off the message: {names}",
                title="Attachment missing",
                severity="warning",
                markup=False,
            )

    def chips_changed(self) -> None:
        """A chip came or went: write the draft now (attaching is rare, and the file must outlive a crash)."""
        self.flush()

    def changed(self) -> None:
        """The prompt's text changed: write it once typing pauses."""
        if self.key is None:
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self._set_timer(SAVE_DELAY, self.flush)

    def sent(self, conversation: Conversation) -> None:
        """A message was sent from the prompt: its draft is gone; the conversation now keeps its own."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.key is not None:
            self.store.discard(self.key)
        self.key = self.key_of(conversation)
        self.store.discard(self.key)
        self._written = ("", None, ())

    def flush(self) -> None:
        """Write the draft now if it changed (a full disk only loses the copy on disk, never what is in the prompt)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.key is None:
            return
        text, edit, chips = state = self._state()
        try:
            if text != self._written[0]:
                self.store.save(self.key, text)
            if edit != self._written[1]:
                self.store.save_edit(self.key, edit)
            if chips != self._written[2]:
                self.store.save_attachments(self.key, list(chips))
        except OSError:
            return
        self._written = state
