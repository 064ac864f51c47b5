"""Messages widgets post to say what the user wants; the screen acts on them."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class ConversationChosen(Message):
    """The user picked a saved conversation to open."""

    conversation_id: str


@dataclass
class RenameRequested(Message):
    """The user wants to rename a saved conversation."""

    conversation_id: str
    title: str


@dataclass
class DeleteRequested(Message):
    """The user wants to move a saved conversation to the trash."""

    conversation_id: str
    title: str


@dataclass
class UndoDeleteRequested(Message):
    """The user wants the last deleted conversation back."""


@dataclass
class SearchRequested(Message):
    """The user wants to search all conversations (optionally starting with some text)."""

    query: str = ""


@dataclass
class EditRequested(Message):
    """The user wants to edit a sent message (its text goes into the prompt; sending adds a sibling)."""

    message_id: str


@dataclass
class VersionSwitchRequested(Message):
    """The user wants to see another version of a message (`step` -1 older, +1 newer)."""

    message_id: str
    step: int


@dataclass
class PromptFocusRequested(Message):
    """The user left the messages: focus goes back to the prompt."""


@dataclass
class MessagesFocusRequested(Message):
    """The user wants to move from the prompt up into the messages."""


@dataclass
class RecallRequested(Message):
    """Up in an empty prompt: the user wants their last sent message back, to edit it."""


@dataclass
class AttachRequested(Message):
    """The user wants to attach a file: the picker (`typed_at`: by an `@` typed at the start of a word), or
    `pasted`: a paste that is exactly one path to an existing file (the screen offers to attach it)."""

    typed_at: bool = False
    pasted: str | None = None
