"""Full-text search over the index database: what text is indexed, how a query is read, and what a hit shows.

Messages are indexed as plain text (Markdown markers removed), so that a snippet reads as prose. The user's query
is never handed to FTS5 as it is: words become quoted terms (a trailing `*`, and the word being typed, search
as prefixes) and "quoted phrases" stay phrases, so no query is a syntax error; if SQLite still refuses one, it is
searched again as plain words. Text in Chinese or Japanese (which unicode61 keeps as one long token) is searched
by substring in the trigram table. Results are ranked by bm25, then recency, one hit per conversation.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field

OPEN, CLOSE = "\x02", "\x03"  # marks snippet() puts around matched words (never in indexed text)
SNIPPET_TOKENS = 14
RANKED_AT_MOST = 2000  # message rows ranked for one query: bm25 over every match of a common word is slow
SNIPPET_RADIUS = 60

_WIDE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\uff66-\uff9f]")
_FENCE = re.compile(r"^\s*(```|~~~).*$", re.MULTILINE)
_LINE_MARKS = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+(?:\[[ xX]\][ \t]+)?|\d+[.)][ \t]+)", re.MULTILINE)
_LINK = re.compile(r"!?\[([^\]\n]*)\]\(([^)\s]*)[^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|~~|`+|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w))")
_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$|^\s*\|?(?:\s*:?-+:?\s*\|)+\s*:?-*:?\s*$", re.MULTILINE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACES = re.compile(r"\s+")
_TERM = re.compile(r'"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class SearchHit:
    """The best match in one conversation; `message_id` is None when the title matched.

    `snippet` is plain text around the match and `highlights` the (start, end) offsets of the matched words in it.
    """

    conversation_id: str
    message_id: str | None
    title: str
    snippet: str
    score: float
    updated_at: str = ""
    highlights: tuple[tuple[int, int], ...] = field(default=())


def snippet_pieces(hit: SearchHit) -> list[tuple[str, bool]]:
    """The snippet of a hit cut at its highlights: (text, matched) pieces, for a front end to style."""
    pieces: list[tuple[str, bool]] = []
    at = 0
    for start, end in hit.highlights:
        if start < at or end > len(hit.snippet):
            continue
        if start > at:
            pieces.append((hit.snippet[at:start], False))
        pieces.append((hit.snippet[start:end], True))
        at = end
    if at < len(hit.snippet):
        pieces.append((hit.snippet[at:], False))
    return pieces


def plain_text(markdown: str) -> str:
    """Message text as it is indexed and shown in snippets: Markdown markers removed, whitespace collapsed.

    >>> plain_text("## Section 1: overview\\nThis is **paragraph 1** with [a link](https://x.y).")
    'Section 1: overview This is paragraph 1 with a link https://x.y.'
    """
    text = _FENCE.sub(" ", markdown)
    text = _RULE.sub(" ", text)
    text = _LINE_MARKS.sub("", text)
    text = _LINK.sub(lambda m: f"{m.group(1)} {m.group(2)}" if m.group(2) else m.group(1), text)
    text = _EMPHASIS.sub("", text)
    text = _CONTROL.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def is_wide(text: str) -> bool:
    """Whether text holds Chinese, Japanese or Korean characters (searched by substring)."""
    return _WIDE.search(text) is not None


def terms(query: str) -> list[tuple[str, bool]]:
    """The query's terms: (text, is a prefix); a "quoted phrase" is one term and never a prefix.

    The last word is a prefix unless the query ends with a space (the user is still typing it).
    """
    found: list[tuple[str, bool]] = []
    for match in _TERM.finditer(query):
        if match.group(1) is not None:
            phrase = " ".join(match.group(1).split())
            if phrase:
                found.append((phrase, False))
            continue
        word = match.group(2)
        prefix = word.endswith("*")
        word = word.rstrip("*")
        if word:
            found.append((word, prefix))
    if found and not found[-1][1] and query[-1:].strip() and not query.rstrip().endswith('"'):
        found[-1] = (found[-1][0], True)
    return found


def fts_query(parts: list[tuple[str, bool]]) -> str:
    """An FTS5 query holding every term (quoted: no term is read as an operator)."""
    quoted = []
    for text, prefix in parts:
        term = '"' + text.replace('"', '""') + '"'
        quoted.append(term + "*" if prefix else term)
    return " AND ".join(quoted)


def search(db: sqlite3.Connection, query: str, limit: int) -> list[SearchHit]:
    """The best hit of each matching conversation, best first (bm25, then the newest)."""
    parts = terms(query)
    if not parts:
        return []
    if any(is_wide(text) for text, _ in parts):
        return _search_wide(db, [text for text, _ in parts], limit)
    try:
        return _search_words(db, fts_query(parts), limit)
    except sqlite3.OperationalError:
        # Something FTS5 still cannot read (a term with no word in it, say): plain words, then nothing.
        words = [(w, False) for w in re.findall(r"\w+", query)]
        if not words:
            return []
        try:
            return _search_words(db, fts_query(words), limit)
        except sqlite3.OperationalError:
            return []


def _search_words(db: sqlite3.Connection, match: str, limit: int) -> list[SearchHit]:
    rows = db.execute(
        "SELECT t.rowid, t.conversation_id, t.rank FROM texts t WHERE texts MATCH ? ORDER BY rank LIMIT ?",
        (match, RANKED_AT_MOST),
    ).fetchall()
    best = _best_per_conversation(db, rows, limit)
    if not best:
        return []
    marks = ",".join("?" * len(best))
    snippets = {
        rowid: (message_id, text)
        for rowid, message_id, text in db.execute(
            f"SELECT rowid, message_id, snippet(texts, 0, ?, ?, '…', {SNIPPET_TOKENS}) FROM texts"
            f" WHERE texts MATCH ? AND rowid IN ({marks})",
            (OPEN, CLOSE, match, *[b[0] for b in best]),
        )
    }
    hits = []
    for rowid, conversation_id, score, title, updated in best:
        message_id, marked = snippets.get(rowid, (None, title))
        text, spans = _unmark(marked)
        hits.append(SearchHit(conversation_id, message_id, title, text, -score, updated, spans))
    return hits


def _best_per_conversation(
    db: sqlite3.Connection, rows: list[tuple[int, str, float]], limit: int
) -> list[tuple[int, str, float, str, str]]:
    """(rowid, conversation id, rank, title, updated_at) of the best row of the best conversations."""
    best: dict[str, tuple[int, float]] = {}
    for rowid, conversation_id, score in rows:
        if conversation_id not in best:
            best[conversation_id] = (rowid, score)
    if not best:
        return []
    found = []
    ids = list(best)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for conversation_id, title, updated in db.execute(
            f"SELECT id, title, updated_at FROM summaries WHERE id IN ({marks})", chunk
        ):
            rowid, score = best[conversation_id]
            found.append((rowid, conversation_id, score, title, updated))
    # bm25 is negative, smaller is better; equal scores: the newest conversation first (the sort is stable).
    found.sort(key=lambda row: row[4], reverse=True)
    found.sort(key=lambda row: round(row[2], 6))
    return found[:limit]


def _search_wide(db: sqlite3.Connection, words: list[str], limit: int) -> list[SearchHit]:
    """Substring search in the trigram table (terms shorter than three characters by LIKE)."""
    long_terms = [w for w in words if len(w) >= 3]
    conditions, params = [], []
    if long_terms:
        conditions.append("grams MATCH ?")
        params.append(" AND ".join('"' + w.replace('"', '""') + '"' for w in long_terms))
    for word in words:
        if len(word) < 3:
            conditions.append("g.body LIKE ? ESCAPE '\\'")
            params.append("%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    order = "ORDER BY g.rank" if long_terms else ""
    rows = db.execute(
        f"SELECT g.rowid, t.conversation_id, {'g.rank' if long_terms else '0.0'} FROM grams g"
        f" JOIN texts t ON t.rowid = g.rowid WHERE {' AND '.join(conditions)} {order} LIMIT ?",
        (*params, RANKED_AT_MOST),
    ).fetchall()
    hits = []
    for rowid, conversation_id, score, title, updated in _best_per_conversation(db, rows, limit):
        message_id, body = db.execute("SELECT message_id, body FROM texts WHERE rowid = ?", (rowid,)).fetchone()
        text, spans = cut_snippet(body, words)
        hits.append(SearchHit(conversation_id, message_id, title, text, -score, updated, spans))
    return hits


def cut_snippet(text: str, words: list[str], radius: int = SNIPPET_RADIUS) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A snippet around the first of `words` found in text (case-insensitive), with every word marked."""
    folded = text.casefold() if len(text.casefold()) == len(text) else text
    positions = [(folded.find(w.casefold()), w) for w in words]
    found = [(at, w) for at, w in positions if at >= 0]
    first = min((at for at, _ in found), default=0)
    start = max(0, first - radius)
    end = min(len(text), first + radius * 2)
    prefix = "…" if start else ""
    piece = prefix + text[start:end] + ("…" if end < len(text) else "")
    spans = []
    lowered = folded[start:end]
    for word in words:
        needle = word.casefold()
        at = lowered.find(needle)
        while at >= 0 and needle:
            spans.append((at + len(prefix), at + len(prefix) + len(needle)))
            at = lowered.find(needle, at + len(needle))
    return piece, tuple(sorted(spans))


def _unmark(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Split snippet()'s output into plain text and the spans between the marks."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    opened = -1
    for piece in re.split(f"([{OPEN}{CLOSE}])", marked):
        if piece == OPEN:
            opened = length
        elif piece == CLOSE:
            if opened >= 0 and length > opened:
                spans.append((opened, length))
            opened = -1
        else:
            out.append(piece)
            length += len(piece)
    return "".join(out), tuple(spans)
