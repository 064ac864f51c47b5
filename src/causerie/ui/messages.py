"""Messages widgets post to say what the user wants; the screen acts on them."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class ConversationChosen(Message):
    """The user picked a saved conversation to open."""

    conversation_id: str


@dataclass
class PromptSubmitted(Message):
    """The user sent the text of the prompt."""

    text: str


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
