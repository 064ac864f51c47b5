"""The index database: one SQLite file beside the conversations, derived from them and rebuilt at will.

It holds what the sidebar and `causerie list` show (one row of summary per conversation file, with the file's
fingerprint) and the text that search looks in: one row per message (and per title) keyed by conversation and
message id with a digest of its text, indexed by an FTS5 table reading them in place (external content), and by
a trigram table for the rows holding Chinese or Japanese text, which the word tokenizer cannot split. A save
touches only the rows whose text changed, appeared or went. The conversation files stay the truth: a database that is
missing, corrupt or of another schema is deleted and built again from them, and nothing is ever written to a
conversation file from here. WAL and a busy timeout let two apps and a CLI verb read and write it at once; a data
directory that cannot be written gets a database in memory instead.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from causerie.core.safe_text import encodable
from causerie.core.storage.documents import Fingerprint, Summary
from causerie.core.storage.fulltext import is_wide, stored_text

INDEX_FILE = "index.sqlite3"
# PRAGMA user_version; any other value means "rebuild" (2: the cost split by effort; 3: one keyed row per message)
SCHEMA_VERSION = 3
BUSY_TIMEOUT_MS = 10_000
OLD_CACHES = ("index.json", "search")  # version 0.1's summary index and search cache, removed once
FTS_TABLES = ("texts", "grams")
AUTOMERGE, CRISIS_MERGE = 4, 16  # FTS5's defaults: segments merged a few at a time as rows come in
DEFERRED_CRISIS_MERGE = 64  # segments of one level merged at once while merges are deferred

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files(
    name TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, ino INTEGER NOT NULL,
    problem TEXT, has_text INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS summaries(
    id TEXT PRIMARY KEY, title TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    model TEXT NOT NULL, message_count INTEGER NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    read_only INTEGER NOT NULL, costs TEXT NOT NULL DEFAULT '{}'
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS messages(
    row INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL, message_id TEXT, digest BLOB NOT NULL, body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_of ON messages(conversation_id);
CREATE VIRTUAL TABLE IF NOT EXISTS texts USING fts5(
    body, conversation_id UNINDEXED, message_id UNINDEXED, content="messages", content_rowid="row",
    tokenize="unicode61 remove_diacritics 2"
);
CREATE VIRTUAL TABLE IF NOT EXISTS grams USING fts5(body, tokenize="trigram");
"""


class IndexDatabase:
    """A connection to the index database (or to one in memory), with the few statements the store needs."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / INDEX_FILE
        self.data_dir = data_dir
        self.in_memory = False
        self.waiting = False  # in memory only until the data directory exists (the first save makes it)
        self.db = self._open()

    # -- opening -------------------------------------------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        self.in_memory = self.waiting = False
        try:
            if not self.data_dir.is_dir():
                self.waiting = True
                raise OSError("no data directory yet")
            _remove_old_caches(self.data_dir)
            return self._open_file()
        except (OSError, sqlite3.Error):
            # A read-only data directory (or one SQLite cannot lock): list and search from memory all the same.
            self.in_memory = True
            return _connect(":memory:")

    def _open_file(self) -> sqlite3.Connection:
        for attempt in range(2):
            if not self.path.exists():
                # Created 0600 before SQLite opens it: the text of every conversation is in there.
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
            try:
                return _connect(str(self.path))
            except sqlite3.OperationalError:
                raise  # busy, read-only, unopenable: not a reason to delete it
            except sqlite3.DatabaseError:
                if attempt:
                    raise
                self._delete_file()  # corrupt, or another schema: it is derived, so it is built again
        raise AssertionError("unreachable")

    def _delete_file(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{self.path}{suffix}")

    def reset(self) -> None:
        """Start again from an empty database (after an error saying the file is damaged)."""
        with contextlib.suppress(sqlite3.Error):
            self.db.close()
        if not self.in_memory:
            self._delete_file()
        self.db = self._open()

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    @contextlib.contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (taken at once, so two writers queue instead of failing half-way)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.rollback()
            raise
        self.db.commit()

    # -- merging the word and trigram indexes ----------------------------------------------------------------
    def defer_merges(self) -> None:
        """Let the FTS5 segments pile up while many files are indexed (the first build): merged once at the end.

        FTS5 merges its segments a few at a time as rows come in (automerge 4), rewriting the index at each
        level; letting 64 pile up before a merge and merging everything once at the end rewrites it less. The
        setting is kept in the database, so a build killed half-way is merged by the next (merge_deferred).
        """
        with self.writing():
            for table in FTS_TABLES:
                self.db.execute(f"INSERT INTO {table}({table}, rank) VALUES ('automerge', 0)")
                self.db.execute(f"INSERT INTO {table}({table}, rank) VALUES ('crisismerge', {DEFERRED_CRISIS_MERGE})")

    def merge_deferred(self) -> None:
        """If merges were deferred (by this build or one killed), merge each index into one and merge as usual again."""
        if self.db.execute("SELECT 1 FROM texts_config WHERE k = 'automerge' AND v = 0").fetchone() is None:
            return
        with self.writing():
            for table in FTS_TABLES:
                self.db.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
                self.db.execute(f"INSERT INTO {table}({table}, rank) VALUES ('automerge', {AUTOMERGE})")
                self.db.execute(f"INSERT INTO {table}({table}, rank) VALUES ('crisismerge', {CRISIS_MERGE})")

    # -- reading -------------------------------------------------------------------------------------------
    def summaries(self) -> list[Summary]:
        """Every summary, newest first."""
        rows = self.db.execute(
            "SELECT id, title, created_at, updated_at, model, message_count, size, mtime_ns, read_only, costs"
            " FROM summaries ORDER BY updated_at DESC, id DESC"
        ).fetchall()
        return [Summary(*row[:8], bool(row[8]), row[9]) for row in rows]

    def files(self) -> dict[str, tuple[Fingerprint, str | None, bool]]:
        """File name -> (fingerprint, problem or None, whether its text is indexed)."""
        rows = self.db.execute("SELECT name, size, mtime_ns, ino, problem, has_text FROM files")
        return {name: ((size, mtime, ino), problem, bool(text)) for name, size, mtime, ino, problem, text in rows}

    def problems(self) -> list[tuple[str, str]]:
        """(file name, reason) of every file that could not be loaded."""
        return self.db.execute("SELECT name, problem FROM files WHERE problem IS NOT NULL").fetchall()

    # -- writing (inside writing()) ------------------------------------------------------------------------
    def put_summary(self, name: str, fp: Fingerprint, summary: Summary, *, keep_text: bool = False) -> None:
        """Record a loadable file and its summary; its text is indexed separately (put_text).

        With `keep_text`, the text rows stay for put_text to update; without, they go (the file changed and its
        text is indexed later: until then it is not found, rather than found as it was).
        """
        if not keep_text:
            self._drop_text(name[:-5])
        self.db.execute("DELETE FROM files WHERE name = ?", (name,))
        self.db.execute("DELETE FROM summaries WHERE id = ?", (name[:-5],))
        self.db.execute("INSERT INTO files VALUES (?, ?, ?, ?, NULL, 0)", (name, *fp))
        # SQLite holds UTF-8: a lone surrogate (a broken paste kept byte-exact in the file) is shown as U+FFFD.
        row = [encodable(value) if isinstance(value, str) else value for value in summary]
        self.db.execute("INSERT INTO summaries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)

    def put_problem(self, name: str, fp: Fingerprint, reason: str) -> None:
        """Record a file that cannot be loaded (until its fingerprint changes)."""
        self.drop(name)
        # The reason may quote the file (a message id with a lone surrogate): SQLite holds UTF-8 only.
        self.db.execute("INSERT INTO files VALUES (?, ?, ?, ?, ?, 1)", (name, *fp, encodable(reason)))

    def put_text(self, name: str, sources: list[tuple[str | None, str]]) -> None:
        """Index the text of a file already recorded: (message id, or None for the title; Markdown) per row.

        Only what changed is written: a row whose digest is the same is kept, new and changed texts are added
        (with new rowids: search ranks the newest rows first), rows of texts gone or changed are removed.
        """
        self.put_texts([(name, sources)])

    def put_texts(self, files: list[tuple[str, list[tuple[str | None, str]]]]) -> None:
        """put_text for several files, in this order, with one statement per table for all of them (a build's batch)."""
        have = self._rows_of([name[:-5] for name, _ in files])
        removed: list[tuple[int, str]] = []
        added: list[tuple[str, str | None, bytes, str, bool]] = []
        for name, sources in files:
            conversation_id = name[:-5]
            gone, new = _changes(conversation_id, have.get(conversation_id, {}), sources)
            removed += gone
            added += new
        self._remove_rows(removed)
        if added:
            start = self.db.execute("SELECT coalesce(max(row), 0) FROM messages").fetchone()[0] + 1
            rows = [(start + at, *values[:4]) for at, values in enumerate(added)]
            self.db.executemany("INSERT INTO messages VALUES (?, ?, ?, ?, ?)", rows)
            self.db.executemany("INSERT INTO texts(rowid, body) VALUES (?, ?)", [(r[0], r[4]) for r in rows])
            wide = [(r[0], r[4]) for r, values in zip(rows, added, strict=True) if values[4]]
            if wide:
                self.db.executemany("INSERT INTO grams(rowid, body) VALUES (?, ?)", wide)
        self.db.executemany("UPDATE files SET has_text = 1 WHERE name = ?", [(name,) for name, _ in files])

    def _rows_of(self, conversation_ids: list[str]) -> dict[str, dict[str | None, tuple[int, bytes, str]]]:
        """conversation id -> message id -> (row, digest, body) of the text rows indexed now."""
        have: dict[str, dict[str | None, tuple[int, bytes, str]]] = {}
        for start in range(0, len(conversation_ids), 500):
            chunk = conversation_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for conversation_id, row, message_id, digest, body in self.db.execute(
                "SELECT conversation_id, row, message_id, digest, body FROM messages"
                f" WHERE conversation_id IN ({marks})",
                chunk,
            ):
                have.setdefault(conversation_id, {})[message_id] = (row, digest, body)
        return have

    def drop(self, name: str) -> None:
        """Forget a file: its row, summary and text."""
        self._drop_text(name[:-5])
        self.db.execute("DELETE FROM files WHERE name = ?", (name,))
        self.db.execute("DELETE FROM summaries WHERE id = ?", (name[:-5],))

    def _drop_text(self, conversation_id: str) -> None:
        rows = self.db.execute(
            "SELECT row, body FROM messages WHERE conversation_id = ?", (conversation_id,)
        ).fetchall()
        self._remove_rows(rows)

    def _remove_rows(self, rows: list[tuple[int, str]]) -> None:
        """Remove text rows from the content table and both indexes (an external-content index is told the old text)."""
        if not rows:
            return
        self.db.executemany("INSERT INTO texts(texts, rowid, body) VALUES ('delete', ?, ?)", rows)
        wide = [(row,) for row, body in rows if is_wide(body)]
        if wide:
            self.db.executemany("DELETE FROM grams WHERE rowid = ?", wide)
        self.db.executemany("DELETE FROM messages WHERE row = ?", [(row,) for row, _ in rows])


def _changes(
    conversation_id: str, have: dict[str | None, tuple[int, bytes, str]], sources: list[tuple[str | None, str]]
) -> tuple[list[tuple[int, str]], list[tuple[str, str | None, bytes, str, bool]]]:
    """The (row, body) to remove and the (conversation, message, digest, body, wide) to add for one conversation."""
    wanted = [(message_id, _digest(text), text) for message_id, text in sources]
    if len({message_id for message_id, _, _ in wanted}) < len(wanted):
        have_rows = list(have.values())  # two messages with one id (a hand-edited file): all anew
        kept: set[str | None] = set()
    else:
        kept = {key for key, digest, _ in wanted if key in have and have[key][1] == digest}
        have_rows = [value for key, value in have.items() if key not in kept]
    added = []
    for message_id, digest, text in wanted:
        if message_id in kept:
            continue
        body, wide = stored_text(text)
        if body or message_id is None:
            added.append((conversation_id, message_id, digest, body, wide))
    return [(row, body) for row, _, body in have_rows], added


def _digest(text: str) -> bytes:
    """What tells a changed text from the same one (surrogates kept: the file's exact text)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _connect(where: str) -> sqlite3.Connection:
    """Open, check the schema version (raising DatabaseError for another one) and create the tables if new."""
    db = sqlite3.connect(where, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
    try:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if db.execute("PRAGMA user_version").fetchone()[0] == 0:
            if where != ":memory:":
                db.execute("PRAGMA journal_mode = WAL")
            db.execute("BEGIN IMMEDIATE")  # another process may be creating it at the same moment: one at a time
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                if db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                    raise sqlite3.DatabaseError("not a causerie index")
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"index schema {version}")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("SELECT count(*) FROM files").fetchone()
    except BaseException:
        if db.in_transaction:
            db.rollback()
        db.close()
        raise
    return db


def _remove_old_caches(data_dir: Path) -> None:
    """Delete the summary index and search cache of version 0.1 (silently: they are only caches)."""
    for name in OLD_CACHES:
        path = data_dir / name
        if not os.path.lexists(path):
            continue
        with contextlib.suppress(OSError):
            if path.is_dir() and not path.is_symlink():
                for child in path.iterdir():
                    child.unlink()
                path.rmdir()
            else:
                path.unlink()
