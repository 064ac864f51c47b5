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
