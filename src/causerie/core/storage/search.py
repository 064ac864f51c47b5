"""Search over the titles and messages of every conversation: case- and accent-insensitive, ranked.

Text is compared in normalized form (NFKD, combining marks removed, casefolded, whitespace runs collapsed),
encoded as UTF-8 so that a search is a few `bytes.find` calls per conversation over a buffer that
searchcache.py keeps on disk and maps into memory. One hit per conversation: its best match.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from array import array
from bisect import bisect_right
from dataclasses import dataclass
from typing import Protocol

from causerie.core.conversation.models import Conversation
from causerie.core.storage.documents import Fingerprint

SCORE_TITLE_PHRASE = 1000.0
SCORE_TITLE_WORDS = 800.0
SCORE_MESSAGE_PHRASE = 500.0
SCORE_MESSAGE_WORDS = 300.0
SCORE_SPREAD_WORDS = 100.0

SNIPPET_RADIUS = 60
SEPARATOR = b"\n"  # never produced by normalize(): a phrase cannot match across two messages


@dataclass(frozen=True)
class SearchHit:
    """The best match in one conversation; `message_id` is None when the title matched."""

    conversation_id: str
    message_id: str | None
    title: str
    snippet: str
    score: float


# -- normalization -------------------------------------------------------------------------------------------
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_strip_marks: dict[int, None] | None = None


def _marks_table() -> dict[int, None]:
    """str.translate table deleting every combining mark (built once, ~0.1 s)."""
    global _strip_marks
    if _strip_marks is None:
        _strip_marks = {c: None for c in range(sys.maxunicode + 1) if unicodedata.combining(chr(c))}
    return _strip_marks


@functools.lru_cache(maxsize=65536)
def _fold_run(run: str) -> str:
    marks = _marks_table()
    folded = unicodedata.normalize("NFKD", run).translate(marks).casefold()
    return unicodedata.normalize("NFKD", folded).translate(marks)


def normalize(text: str) -> str:
    """Text as search compares it: no accents, casefolded, whitespace runs collapsed to one space.

    >>> normalize("Résumé  de\\nl'ÉTÉ")
    "resume de l'ete"
    """
    if not text.isascii():
        # Only the non-ASCII runs need Unicode work (a combining mark after an ASCII letter is its own run).
        text = _NON_ASCII.sub(lambda match: _fold_run(match.group()), text)
    return " ".join(text.lower().split())


# -- documents -----------------------------------------------------------------------------------------------
class Buffer(Protocol):
    """bytes or mmap: what a document's text lives in."""

    def find(self, sub: bytes, start: int = ..., end: int = ..., /) -> int: ...


@dataclass
class Doc:
    """The normalized text of one conversation's active path: `buf[start:end]`, messages split by SEPARATOR."""

    fp: Fingerprint
    updated_at: str
    title: str
    title_norm: str
    buf: Buffer
    start: int
    end: int
    starts: array  # absolute offset of each message in buf
    ids: str  # message ids joined by "\n", in the same order

    def message_at(self, offset: int) -> str:
        """The id of the message holding `offset`."""
        return self.ids.split("\n")[bisect_right(self.starts, offset) - 1]


def doc_parts(conversation: Conversation) -> tuple[bytes, list[int], list[str]]:
    """(normalized text, relative start of each message, message ids) of a conversation's active path."""
    parts: list[bytes] = []
    starts: list[int] = []
    ids: list[str] = []
    offset = 0
    for message in conversation.active_path():
        if not message.content:
            continue
        encoded = normalize(message.content).encode("utf-8", "surrogatepass")
        starts.append(offset)
        ids.append(message.id)
        parts.append(encoded)
        offset += len(encoded) + len(SEPARATOR)
    return SEPARATOR.join(parts), starts, ids


# -- ranking -------------------------------------------------------------------------------------------------
class Corpus:
    """All documents, searched by one pass over the mapped cache file plus the documents held in memory."""

    def __init__(self, docs: dict[str, Doc], mapped: Buffer | None) -> None:
        self.docs = docs
        self.mapped = mapped
        backed = sorted((doc.start, cid) for cid, doc in docs.items() if mapped is not None and doc.buf is mapped)
        self._starts = array("q", (start for start, _ in backed))
        self._ids = [cid for _, cid in backed]
        self._loose = [(cid, doc) for cid, doc in docs.items() if mapped is None or doc.buf is not mapped]
        self.newest_first = sorted(docs, key=lambda cid: (docs[cid].updated_at, cid), reverse=True)

    def first_hits(self, needle: bytes) -> dict[str, int]:
        """Conversation id -> offset of the first occurrence of `needle` in its text."""
        found: dict[str, int] = {}
        mapped, starts, ids, docs = self.mapped, self._starts, self._ids, self.docs
        if mapped is not None and ids:
            position = starts[0]
            while True:
                at = mapped.find(needle, position)
                if at < 0:
                    break
                index = bisect_right(starts, at) - 1
                if index < 0:
                    position = starts[0]
                    continue
                doc = docs[ids[index]]
                if at + len(needle) <= doc.end:
                    found[ids[index]] = at
                    position = doc.end  # one hit per conversation is enough: skip to the next one
                elif index + 1 < len(starts):  # crosses into the next document, or text of a deleted one
                    position = starts[index + 1]
                else:
                    break
        for cid, doc in self._loose:
            at = doc.buf.find(needle, doc.start, doc.end)
            if at >= 0:
                found[cid] = at
        return found


def _words_in_one_message(doc: Doc, words: list[bytes]) -> str | None:
    """The first message holding every word, if any."""
    buf, end = doc.buf, doc.end
    starts = doc.starts
    position = doc.start
    first, others = words[0], words[1:]
    while position < end:
        at = buf.find(first, position, end)
        if at < 0:
            return None
        index = bisect_right(starts, at) - 1
        low = starts[index]
        high = starts[index + 1] - len(SEPARATOR) if index + 1 < len(starts) else end
        if all(buf.find(word, low, high) >= 0 for word in others):
            return doc.ids.split("\n")[index]
        position = high + len(SEPARATOR)
    return None


def rank(corpus: Corpus, query: str, limit: int) -> list[tuple[float, str, str | None, Doc]]:
    """The best `limit` (score, conversation id, message id, doc), best first, newer first on equal scores."""
    phrase = normalize(query)
    if not phrase or limit <= 0:
        return []
    words = phrase.split(" ")
    docs = corpus.docs
    best: dict[str, tuple[float, str | None]] = {}
    for cid, doc in docs.items():
        if phrase in doc.title_norm:
            best[cid] = (SCORE_TITLE_PHRASE, None)
        elif len(words) > 1 and all(word in doc.title_norm for word in words):
            best[cid] = (SCORE_TITLE_WORDS, None)
    for cid, at in corpus.first_hits(phrase.encode("utf-8", "surrogatepass")).items():
        if cid not in best:
            best[cid] = (SCORE_MESSAGE_PHRASE, docs[cid].message_at(at))
    found = sorted(((score, docs[cid].updated_at, cid, mid) for cid, (score, mid) in best.items()), reverse=True)[
        :limit
    ]
    if len(found) < limit and len(words) > 1:
        # Conversations holding every word: those with all of them in one message first, newest first.
        # Checked newest first, stopping once enough one-message matches are found (they outrank the rest).
        encoded = [word.encode("utf-8", "surrogatepass") for word in words]
        hits = [corpus.first_hits(word) for word in encoded]
        rarest = sorted(range(len(words)), key=lambda i: len(hits[i]))
        ordered = [encoded[i] for i in rarest]
        candidates = set(hits[rarest[0]]).intersection(*(hits[i] for i in rarest[1:])) - best.keys()
        one_message: list[tuple[float, str, str, str | None]] = []
        spread: list[tuple[float, str, str, str | None]] = []
        for cid in corpus.newest_first:
            if len(found) + len(one_message) >= limit:
                break
            if cid not in candidates:
                continue
            doc = docs[cid]
            mid = _words_in_one_message(doc, ordered)
            if mid is not None:
                one_message.append((SCORE_MESSAGE_WORDS, doc.updated_at, cid, mid))
            elif len(found) + len(spread) < limit:
                first = min(hits[i][cid] for i in range(len(words)))
                spread.append((SCORE_SPREAD_WORDS, doc.updated_at, cid, doc.message_at(first)))
        found = (found + one_message + spread)[:limit]
    return [(score, cid, mid, docs[cid]) for score, _, cid, mid in found]


# -- snippets ------------------------------------------------------------------------------------------------
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


_WORD = re.compile(r"\S+")


def _find_original(text: str, needle: str) -> tuple[int, int]:
    """Where a normalized needle occurs in the original text, as (start, end) in the original."""
    if text.isascii():
        pattern = r"\s+".join(re.escape(word) for word in needle.split(" "))
        match = re.search(pattern, text, re.IGNORECASE)
        return (match.start(), match.end()) if match else (-1, -1)
    # Normalize word by word, remembering where each normalized word starts in both texts.
    spans = [
        (m.start(), m.end(), word.lower() if (word := m.group()).isascii() else normalize(word))
        for m in _WORD.finditer(text)
    ]
    spans = [span for span in spans if span[2]]
    joined = " ".join(span[2] for span in spans)
    at = joined.find(needle)
    if at < 0:
        return -1, -1
    offsets = []
    position = 0
    for span in spans:
        offsets.append(position)
        position += len(span[2]) + 1
    first = bisect_right(offsets, at) - 1
    last = bisect_right(offsets, at + len(needle) - 1) - 1
    start, end, norm = spans[first]
    inside = at - offsets[first]
    begin = start + inside if len(norm) == end - start else start
    return begin, spans[last][1]
