"""AttachmentActions: what the chat screen does about attachments (open the picker, attach, offer a pasted path).

Attaching reads and stores the file at once, so a bad file is said right away (one sentence, nothing kept) and a
chip always stands for bytes already in the store.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from causerie.core.attachments.intake import AttachmentError, attach_file, limits_from
from causerie.core.attachments.record import Attachment
from causerie.core.attachments.sending import attachment_tokens
from causerie.core.attachments.store import AttachmentStore
from causerie.core.safe_text import sanitize_line
from causerie.ui.widgets.attachment_tray import AttachmentTray

if TYPE_CHECKING:
    from textual.app import App

    from causerie.core.settings.config import Settings
    from causerie.core.storage.store import ConversationStore
    from causerie.ui.widgets.prompt import PromptInput


class AttachHost(Protocol):
    """What the attachment actions need from the chat screen."""

    settings: Settings
    store: ConversationStore

    @property
    def app(self) -> App: ...
    @property
    def prompt(self) -> PromptInput: ...
    def query(self, selector: Any) -> Any: ...
    def query_one(self, selector: Any) -> Any: ...
    def notify(self, message: str, **options: Any) -> None: ...
    def update_status(self) -> None: ...


class AttachmentActions:
    """Attachments of the message being written, for one chat screen."""

    def __init__(self, host: AttachHost, cwd: Path | None = None) -> None:
        self.host = host
        self.cwd = cwd
        self.store = AttachmentStore(host.store.data_dir)

    @property
    def tray(self) -> AttachmentTray:
        return self.host.query_one(AttachmentTray)

    def pending(self) -> list[Attachment]:
        """The attachments shown as chips (not sent yet)."""
        return list(self.tray.attachments)

    def pending_tokens(self) -> int:
        """Estimated tokens the chips add to the next request (the context meter counts them before sending)."""
        trays = self.host.query(AttachmentTray)
        return sum(attachment_tokens(a) for tray in trays for a in tray.attachments)

    def take(self) -> list[Attachment]:
        """The chips' attachments, for the message being sent (the tray is emptied)."""
        return self.tray.take()

    def requested(self, typed_at: bool, pasted: str | None) -> None:
        """The prompt asked: offer a pasted path, or open the picker."""
        if pasted is not None:
            self.offer_pasted_path(pasted)
        else:
            self.open_picker(typed_at)

    def open_picker(self, typed_at: bool = False) -> None:
        """Open the file picker (`typed_at`: opened by an `@` in the prompt, which goes once a file is picked)."""
        from causerie.ui.screens.file_picker import FilePicker

        def picked(path: str | None) -> None:
            if path is None:
                return
            if typed_at:
                self._drop_typed_at()
            self.attach(path)
            self.host.prompt.focus()

        self.host.app.push_screen(FilePicker(self.cwd), picked)

    def _drop_typed_at(self) -> None:
        prompt = self.host.prompt
        row, column = prompt.cursor_location
        if column > 0 and prompt.document.get_line(row)[column - 1] == "@":
            prompt.delete((row, column - 1), (row, column))

    def attach(self, path: str | Path) -> bool:
        """Attach the file at `path` as a chip; a file that cannot be attached is said in one sentence."""
        try:
            attached = attach_file(path, self.store, cwd=self.cwd or Path.cwd(), limits=limits_from(self.host.settings))
        except AttachmentError as exc:
            self.host.notify(sanitize_line(str(exc)), title="Cannot attach", severity="error", markup=False)
            return False
        if attached.note:
            self.host.notify(sanitize_line(attached.note), title="Attached", severity="warning", markup=False)
        if not self.tray.add(attached.attachment):
            self.host.notify("That file is attached already.", title="Attached", markup=False)
        self.host.update_status()
        return True

    def offer_pasted_path(self, text: str) -> None:
        """A paste that is exactly one path to an existing file: ask whether to attach it instead of the text."""
        from causerie.ui.screens.dialogs import ConfirmDialog

        path = text.strip()

        def answered(yes: bool | None) -> None:
            if yes and self.attach(path):
                prompt = self.host.prompt
                start = prompt.text.rfind(text)
                if start >= 0:
                    before = prompt.text[:start]
                    row = before.count("\n")
                    column = len(before) - (before.rfind("\n") + 1)
                    end_text = before + text
                    end = (end_text.count("\n"), len(end_text) - (end_text.rfind("\n") + 1))
                    prompt.delete((row, column), end)
            self.host.prompt.focus()

        question = f"The paste is the path of a file: attach {sanitize_line(path)} to the message?"
        self.host.app.push_screen(ConfirmDialog("Attach the pasted file?", question, yes="Attach"), answered)
