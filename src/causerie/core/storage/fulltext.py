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
import unicodedata
from dataclasses import dataclass, field

from causerie.core.safe_text import encodable

SNIPPET_TOKENS = 14  # words in a snippet
RANKED_AT_MOST = 2000  # message rows ranked for one query: bm25 over every match of a common word is slow
SNIPPET_RADIUS = 60

_WIDE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\uff66-\uff9f]")
_FENCE = re.compile(r"\s*(```|~~~).*$", re.MULTILINE)  # at the start; after a newline: _NEXT_LINE_FENCE
_NEXT_LINE_FENCE = re.compile(r"\n\s*(```|~~~).*$", re.MULTILINE)
_MARK = r"[ \t]*(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+(?:\[[ xX]\][ \t]+)?|\d+[.)][ \t]+)"
_LINE_MARK = re.compile(_MARK)
_NEXT_LINE_MARKS = re.compile("\n" + _MARK)  # a literal first: found by a fast scan, not tried at every position
_LINK = re.compile(r"!?\[([^\]\n]*)\]\(([^)\s]*)[^)]*\)")
# The lookahead first lets the engine skip a character that cannot start a marker (6x faster on prose).
_EMPHASIS = re.compile(r"(?=[*_~`])(\*\*|__|~~|`+|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w))")
_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$|^\s*\|?(?:\s*:?-+:?\s*\|)+\s*:?-*:?\s*$", re.MULTILINE)
_RULE_HINT = re.compile(r"[-*_]\s*[-*_]\s*[-*_]")  # in every rule; a table's rule holds "|" and "-"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_WORD = re.compile(r"\w+")
_WORD_SPLIT = re.compile(r"(\w+)")
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")
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
    # Most of the first build's time is spent here: each pattern is skipped when the text cannot hold a match
    # (a literal that every match contains is missing), which leaves the result unchanged.
    text = _without_fences(markdown) if "```" in markdown or "~~~" in markdown else markdown
    if ("|" in text and "-" in text) or (("-" in text or "*" in text or "_" in text) and _RULE_HINT.search(text)):
        text = _RULE.sub(" ", text)
    first = _LINE_MARK.match(text)  # a line's marker: at the start, then after a newline (where ^ matches)
    if first:
        text = text[first.end() :]
    if "\n" in text:
        text = _NEXT_LINE_MARKS.sub("\n", text)
    if "](" in text:
        text = _LINK.sub(lambda m: f"{m.group(1)} {m.group(2)}" if m.group(2) else m.group(1), text)
    if "*" in text or "_" in text or "~" in text or "`" in text:
        text = _EMPHASIS.sub("", text)
    # The same whitespace as the pattern \s (str.isspace()); a control character left separates words too.
    # isprintable() is False for every control character: the pattern runs only when one may be there.
    text = " ".join(text.split())
    return text if text.isprintable() else " ".join(_CONTROL.sub(" ", text).split())


def _without_fences(text: str) -> str:
    """Fence lines replaced by a space, as `^\\s*(```|~~~).*$` would in multiline mode.

    A line's start is matched at the start of the text, then after each newline by a pattern that begins with
    it: found by a fast scan instead of tried at every position of a code block.
    """
    first = _FENCE.match(text)
    if first:
        return " " + _NEXT_LINE_FENCE.sub("\n ", text[first.end() :])
    return _NEXT_LINE_FENCE.sub("\n ", text)


def stored_text(markdown: str) -> tuple[str, bool]:
    """The plain text a row stores, and whether it holds Chinese, Japanese or Korean (then in the trigram table).

    Lone surrogates become U+FFFD (SQLite holds UTF-8). Text below U+0100, as most European text is, can hold
    neither: encoding it to Latin-1 (a copy) says so faster than the two pattern searches over it.
    """
    body = plain_text(markdown)
    if body.isascii():
        return body, False
    try:
        body.encode("latin-1")
    except UnicodeEncodeError:
        body = encodable(body)
        return body, is_wide(body)
    return body, False


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
    """The best hit of each matching conversation, best first (bm25, then the newest).

    A lone surrogate (a file name decoded with surrogateescape) cannot reach SQLite: it is searched as U+FFFD, as
    the texts were indexed.
    """
    query = encodable(query)
    parts = terms(query)
    if not parts:
        return []
    owned = not db.in_transaction
    if owned:
        db.execute("BEGIN")  # one snapshot for the query and the rows it names (another causerie may write)
    try:
        return _search(db, query, parts, limit)
    finally:
        if owned and db.in_transaction:
            db.execute("COMMIT")


def _search(db: sqlite3.Connection, query: str, parts: list[tuple[str, bool]], limit: int) -> list[SearchHit]:
    if any(is_wide(text) for text, _ in parts):
        return _search_wide(db, [text for text, _ in parts], limit)
    try:
        return _search_words(db, parts, limit)
    except sqlite3.OperationalError:
        # Something FTS5 still cannot read (a term with no word in it, say): plain words, then nothing.
        words = [(w, False) for w in re.findall(r"\w+", query)]
        if not words:
            return []
        try:
            return _search_words(db, words, limit)
        except sqlite3.OperationalError:
            return []


def _search_words(db: sqlite3.Connection, parts: list[tuple[str, bool]], limit: int) -> list[SearchHit]:
    match = fts_query(parts)
    # bm25 over every match of a common word costs seconds: the newest RANKED_AT_MOST matching rows are ranked
    # (rowids grow with time: conversations are indexed oldest first, and a save adds the texts it changed). A
    # query with fewer matches than that, which is any selective one, is ranked in full.
    # The conversation of each row is read from the table by rowid: FTS5 itself would read the whole row, text too.
    ranked = db.execute(
        "SELECT rowid, rank FROM texts WHERE texts MATCH ? ORDER BY rowid DESC LIMIT ?", (match, RANKED_AT_MOST)
    ).fetchall()
    ranked.sort(key=lambda row: row[1])
    wanted = limit if limit >= 0 else len(ranked)  # (a negative limit drops the last: every row is needed)
    best = _best_per_conversation(db, _with_conversations(db, ranked, wanted), limit)
    hits = []
    for rowid, conversation_id, score, title, updated in best:
        # The snippet is cut here: FTS5's snippet() needs `MATCH ? AND rowid = ?`, which walks every match again.
        found = db.execute("SELECT message_id, body FROM messages WHERE row = ?", (rowid,)).fetchone()
        if found is None:
            continue  # defensive: the query and this read share one snapshot
        message_id, body = found
        text, spans = word_snippet(body, parts)
        hits.append(SearchHit(conversation_id, message_id, title, text, -score, updated, spans))
    return hits


def _with_conversations(
    db: sqlite3.Connection, ranked: list[tuple[int, float]], limit: int
) -> list[tuple[int, str, float]]:
    """(rowid, conversation id, rank) of the best ranked rows, enough to hold the best `limit` conversations.

    Conversations are ordered by the rank of their best row rounded (then by date), so rows are taken a whole
    rounded rank at a time until `limit` conversations are seen: the rows after that cannot change the result,
    and their conversation ids (most of the time of a common query) are not read.
    """
    rows: list[tuple[int, str, float]] = []
    seen: set[str] = set()
    at = 0
    while at < len(ranked) and len(seen) < limit:
        end = min(len(ranked), at + max(limit * 2, 64))
        last = round(ranked[end - 1][1], 6)
        while end < len(ranked) and round(ranked[end][1], 6) == last:
            end += 1  # the rest of a rounded rank: its conversations are ordered by date, not by rowid
        chunk = ranked[at:end]
        owner: dict[int, str] = {}
        for start in range(0, len(chunk), 500):
            part = [rowid for rowid, _ in chunk[start : start + 500]]
            marks = ",".join("?" * len(part))
            owner.update(db.execute(f"SELECT row, conversation_id FROM messages WHERE row IN ({marks})", part))
        for rowid, score in chunk:
            conversation_id = owner.get(rowid)
            if conversation_id is not None:
                rows.append((rowid, conversation_id, score))
                seen.add(conversation_id)
        at = end
    return rows


def _fold(word: str) -> str:
    """A word as unicode61 with remove_diacritics compares it: no accents, casefolded."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def word_snippet(
    text: str, parts: list[tuple[str, bool]], around: int = SNIPPET_TOKENS
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """About `around` words of text around the first match of the query's terms, with every matched word marked."""
    # A hit may be a long reply (a code block of thousands of words): the folded words are joined by NUL and
    # each term is found by one pattern over that string, not by a loop over the words (most of a query's time).
    split = _WORD_SPLIT.split(text)  # text between words, word, text between words, ..., text after the last
    tokens = split[1::2]
    joined = "\0".join(tokens)
    if joined.isascii():
        joined = joined.lower()
    else:  # the ASCII words lowered a stretch at a time, the others folded one by one
        pieces = []
        at = 0
        found = _NOT_ASCII.search(joined)
        while found is not None:
            begin = joined.rfind("\0", at, found.start()) + 1 or at
            finish = joined.find("\0", found.start())
            finish = len(joined) if finish < 0 else finish
            pieces.append(joined[at:begin].lower())
            pieces.append(_fold(joined[begin:finish]))
            at = finish
            found = _NOT_ASCII.search(joined, finish)
        pieces.append(joined[at:].lower())
        joined = "".join(pieces)
    marked: set[int] = set()
    for term, prefix in parts:
        needle = [_fold(w) for w in _WORD.findall(term)]
        if not needle:
            continue
        size = len(needle)
        # The term's words in a row, starting at a word and ending with one (unless a prefix); overlaps included.
        key = "\0".join(needle)
        at = seen = 0
        begin = joined.find(key)
        while begin >= 0:
            after = begin + len(key)
            if (not begin or joined[begin - 1] == "\0") and (prefix or after == len(joined) or joined[after] == "\0"):
                at += joined.count("\0", seen, begin)
                seen = begin
                marked.update(range(at, at + size))
            begin = joined.find(key, begin + 1)
    first = min(marked, default=0)
    start = max(0, first - around // 3)
    end = min(len(tokens), start + around)
    if not tokens:
        return text[: SNIPPET_RADIUS * 2], ()
    words = []
    offset = sum(map(len, split[: 2 * start + 1]))
    for at in range(2 * start + 1, 2 * end + 1, 2):
        words.append((offset, offset + len(split[at])))
        offset += len(split[at]) + len(split[at + 1])
    begin = words[0][0] if start else 0
    finish = words[-1][1] if end < len(tokens) else len(text)
    prefix_mark = "…" if begin else ""
    piece = prefix_mark + text[begin:finish] + ("…" if finish < len(text) else "")
    shift = len(prefix_mark) - begin
    spans = tuple(
        (words[i - start][0] + shift, words[i - start][1] + shift) for i in sorted(marked) if start <= i < end
    )
    return piece, spans


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
        f" JOIN messages t ON t.row = g.rowid WHERE {' AND '.join(conditions)} {order} LIMIT ?",
        (*params, RANKED_AT_MOST),
    ).fetchall()
    hits = []
    for rowid, conversation_id, score, title, updated in _best_per_conversation(db, rows, limit):
        found = db.execute("SELECT message_id, body FROM messages WHERE row = ?", (rowid,)).fetchone()
        if found is None:
            continue  # defensive: the query and this read share one snapshot
        message_id, body = found
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
