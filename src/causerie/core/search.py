"""Search over the titles and messages of every conversation: case- and accent-insensitive, ranked.

The text of each conversation is normalized once (NFKD, combining marks removed, casefolded, whitespace
collapsed) and kept in memory, keyed by the file's fingerprint, so a search only re-reads files that changed
since the last one. One hit per conversation: its best match.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from causerie.core.documents import Fingerprint
from causerie.core.models import Conversation

SCORE_TITLE_PHRASE = 1000.0
SCORE_TITLE_WORDS = 800.0
SCORE_MESSAGE_PHRASE = 500.0
SCORE_MESSAGE_WORDS = 300.0
SCORE_SPREAD_WORDS = 100.0

SNIPPET_RADIUS = 60
MESSAGE_SEPARATOR = "\n"  # never produced by normalize(): a phrase cannot match across two messages


@dataclass(frozen=True)
class SearchHit:
    """The best match in one conversation; `message_id` is None when the title matched."""

    conversation_id: str
    message_id: str | None
    title: str
    snippet: str
    score: float


_strip_marks: dict[int, None] | None = None


def _marks_table() -> dict[int, None]:
    """str.translate table deleting every combining mark (built once, ~0.1 s)."""
    global _strip_marks
    if _strip_marks is None:
        _strip_marks = {c: None for c in range(sys.maxunicode + 1) if unicodedata.combining(chr(c))}
    return _strip_marks


def normalize(text: str) -> str:
    """Text as search compares it: no accents, casefolded, whitespace runs collapsed to one space.

    >>> normalize("Résumé  de\\nl'ÉTÉ")
    "resume de l'ete"
    """
    if text.isascii():
        return " ".join(text.lower().split())
    marks = _marks_table()
    folded = unicodedata.normalize("NFKD", text).translate(marks).casefold()
    return " ".join(unicodedata.normalize("NFKD", folded).translate(marks).split())


@dataclass
class _Doc:
    """The normalized text of one conversation (its active path)."""

    fp: Fingerprint
    updated_at: str
    title: str
    title_norm: str
    text: str  # normalized messages joined by MESSAGE_SEPARATOR
    starts: list[int]  # offset of each message in `text`
    message_ids: list[str]

    def message_at(self, offset: int) -> str:
        return self.message_ids[bisect_right(self.starts, offset) - 1]


def make_doc(conversation: Conversation, fp: Fingerprint) -> _Doc:
    """Normalize a conversation for searching."""
    parts: list[str] = []
    starts: list[int] = []
    ids: list[str] = []
    offset = 0
    for message in conversation.active_path():
        if not message.content:
            continue
        norm = normalize(message.content)
        starts.append(offset)
        ids.append(message.id)
        parts.append(norm)
        offset += len(norm) + len(MESSAGE_SEPARATOR)
    title = conversation.title or conversation.default_title()
    return _Doc(fp, conversation.updated_at, title, normalize(title), MESSAGE_SEPARATOR.join(parts), starts, ids)


def score_doc(doc: _Doc, phrase: str, words: list[str]) -> tuple[float, str | None, int]:
    """(score, message id or None for the title, offset in the normalized text); score 0 = no match."""
    if phrase in doc.title_norm:
        return SCORE_TITLE_PHRASE, None, -1
    text = doc.text
    at = text.find(phrase)
    if at >= 0:
        return SCORE_MESSAGE_PHRASE, doc.message_at(at), at
    if len(words) < 2:
        return 0.0, None, -1
    if all(word in doc.title_norm for word in words):
        return SCORE_TITLE_WORDS, None, -1
    positions = [text.find(word) for word in words]
    if min(positions) < 0:
        return 0.0, None, -1
    for index, message_id in enumerate(doc.message_ids):
        start = doc.starts[index]
        end = doc.starts[index + 1] if index + 1 < len(doc.starts) else len(text)
        if all(text.find(word, start, end) >= 0 for word in words):
            return SCORE_MESSAGE_WORDS, message_id, text.find(words[0], start, end)
    first = min(positions)
    return SCORE_SPREAD_WORDS, doc.message_at(first), first


def rank(docs: Iterable[tuple[str, _Doc]], query: str, limit: int) -> list[tuple[float, str, str | None, _Doc]]:
    """The best `limit` (score, conversation id, message id, doc), best first, newer first on equal scores."""
    phrase = normalize(query)
    if not phrase:
        return []
    words = phrase.split(" ")
    found = []
    for conversation_id, doc in docs:
        score, message_id, _ = score_doc(doc, phrase, words)
        if score:
            found.append((score, doc.updated_at, conversation_id, message_id, doc))
    found.sort(key=lambda item: (item[0], item[1], item[2]), reverse=True)
    return [(score, cid, mid, doc) for score, _, cid, mid, doc in found[:limit]]


def snippet(text: str, query: str, radius: int = SNIPPET_RADIUS) -> str:
    """A one-line excerpt of `text` around the first match of `query` (or of its first word)."""
    phrase = normalize(query)
    words = phrase.split(" ") if phrase else []
    start = end = -1
    for needle in [phrase, *words] if words else []:
        start, end = _find_original(text, needle)
        if start >= 0:
            break
    if start < 0:
        start = end = 0
    left = max(0, start - radius)
    right = min(len(text), end + radius)
    excerpt = " ".join(text[left:right].split())
    return ("…" if left > 0 else "") + excerpt + ("…" if right < len(text) else "")


def _find_original(text: str, needle: str) -> tuple[int, int]:
    """Where a normalized needle occurs in the original text, as (start, end) in the original."""
    if text.isascii():
        pattern = r"\s+".join(re.escape(word) for word in needle.split(" "))
        match = re.search(pattern, text, re.IGNORECASE)
        return (match.start(), match.end()) if match else (-1, -1)
    # Map every normalized character back to the original one it came from.
    produced: list[str] = []
    origin: list[int] = []
    previous_space = True
    for index, ch in enumerate(text):
        norm = " " if ch.isspace() else normalize(ch)
        for out in norm:
            if out == " ":
                if previous_space:
                    continue
                previous_space = True
            else:
                previous_space = False
            produced.append(out)
            origin.append(index)
    at = "".join(produced).find(needle)
    if at < 0:
        return -1, -1
    return origin[at], origin[at + len(needle) - 1] + 1
