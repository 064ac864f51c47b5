"""Auto-titles: the short request that asks the model for a conversation title, and cleaning its answer."""

from __future__ import annotations

import re

from causerie.core.conversation.models import Conversation
from causerie.core.safe_text import sanitize

TITLE_MAX = 60
_EXCERPT = 1500
INSTRUCTION = (
    "Write a short title (at most 6 words) for the conversation below, in the language of the conversation. "
    "Answer with the title only: no quotes, no punctuation at the end, no Markdown."
)
_PREFIX_RE = re.compile(r"^(title|titre)\s*:\s*", re.IGNORECASE)
_WRAPPERS = "\"'`*_#«»“”‘’ "


def auto_title_enabled(setting: bool | None, local: bool) -> bool:
    """Whether to ask for titles: the setting when given, else on for hosted profiles and off for local servers."""
    return setting if setting is not None else not local


def title_request(conversation: Conversation) -> list[dict[str, str]] | None:
    """The messages of a title request (the first exchange, shortened), or None when there is no reply yet."""
    path = [m for m in conversation.active_path() if m.role in ("user", "assistant") and m.content.strip()]
    user = next((m for m in path if m.role == "user"), None)
    reply = next((m for m in path if m.role == "assistant"), None)
    if user is None or reply is None:
        return None
    excerpt = f"User: {user.content[:_EXCERPT]}\n\nAssistant: {reply.content[:_EXCERPT]}"
    return [{"role": "system", "content": INSTRUCTION}, {"role": "user", "content": excerpt}]


def clean_title(text: str) -> str:
    """The model's answer made into a one-line title (first non-empty line, no quotes or prefix, short); may be ""."""
    line = next((line for line in text.splitlines() if line.strip()), "")
    line = _PREFIX_RE.sub("", line.strip().strip(_WRAPPERS))
    # The body rules, not the one-line ones: a generated title is stored, and an emoji's ZWJ belongs to it.
    line = sanitize(line.strip(_WRAPPERS).rstrip(".。!"))
    line = " ".join(line.split())
    if len(line) > TITLE_MAX:
        line = line[: TITLE_MAX - 1].rstrip() + "…"
    return line
