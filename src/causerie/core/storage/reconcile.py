"""Bringing the index database in line with the conversation files, by fingerprint (size, mtime, inode).

A scan stats every `*.json` file (cheap) and compares it with the database: new or changed files are parsed,
files gone are forgotten, files that do not load are recorded as problems until they change. The work is
committed in batches, so a process killed half-way leaves a database that lists what it had done and finishes
the rest next time. Listing only needs the summaries; the text for search is indexed when asked for (the app
does it after its first paint, `causerie list` never waits for it).
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from pathlib import Path

from causerie.core.conversation.models import Conversation
from causerie.core.safe_text import encodable
from causerie.core.storage.database import IndexDatabase
from causerie.core.storage.documents import (
    Fingerprint,
    StoreError,
    UnreadableError,
    conversation_of,
    decode_document,
    read_bytes,
    safe_stat,
    summary_of,
)
from causerie.core.storage.index_reader import Indexable, TextSources, indexable

Progress = Callable[[int, int], None]
"""progress(done, total) while files are being parsed and indexed."""

PROGRESS_INTERVAL = 0.1  # seconds between two progress reports
BATCH = 100  # files per committed transaction
BULK = 1000  # files to index from which the indexes' merges wait for the end (the first build)


def scan(directory: Path) -> dict[str, tuple[Fingerprint | None, str | None]]:
    """File name -> (fingerprint, None) for every `*.json` entry, or (None, reason) when it cannot be read."""
    found: dict[str, tuple[Fingerprint | None, str | None]] = {}
    try:
        entries = list(os.scandir(directory))
    except (FileNotFoundError, NotADirectoryError):
        return found
    except OSError as exc:  # unreadable: said in one line by whoever lists, never a traceback
        raise StoreError(f"cannot read {directory}: {exc.strerror or exc}") from None
    for entry in entries:
        name = entry.name
        if not name.endswith(".json") or name.startswith("."):
            continue
        if not name.isascii() and encodable(name) != name:
            found[name] = (None, "its name is not valid UTF-8")  # never a causerie id; SQLite could not hold it
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode):
                info = safe_stat(Path(entry.path), directory)  # links inside the directory are followed
        except StoreError as exc:
            found[name] = (None, str(exc))
            continue
        except OSError as exc:
            found[name] = (None, f"cannot read: {exc.strerror or exc}")
            continue
        found[name] = ((info.st_size, info.st_mtime_ns, info.st_ino), None)  # type: ignore[assignment]
    return found


def text_sources(conversation: Conversation) -> TextSources:
    """What is indexed for a conversation, as written: its title, then every message of every branch.

    (message id or None for the title, Markdown) per row; the database indexes their plain text.
    """
    sources: TextSources = [(None, conversation.title or conversation.default_title())]
    for message in conversation.messages:
        if isinstance(message.content, str) and message.content:
            sources.append((message.id, message.content))
    return sources


def index_conversation(index: IndexDatabase, conversation: Conversation, info: os.stat_result) -> None:
    """Record one conversation just written or read (summary and text), inside index.writing().

    Only the text rows that changed are written (a save usually adds a message or grows the last one).
    """
    name = f"{conversation.id}.json"
    index.put_summary(name, Fingerprint.of(info), summary_of(conversation, info), keep_text=True)
    index.put_text(name, text_sources(conversation))


def reconcile(
    index: IndexDatabase, directory: Path, with_text: bool, progress: Progress | None = None
) -> list[tuple[str, str]]:
    """Bring the database in line with the files; returns (name, reason) of the files that cannot be read now.

    With `with_text`, the text of every conversation is indexed too (the first time, that is most of the work).
    """
    files = scan(directory)
    known = index.files()
    unreadable = [(name, reason or "unreadable") for name, (fp, reason) in files.items() if fp is None]
    gone = [name for name in known if name not in files or files[name][0] is None]
    stale = []
    for name, (fp, _) in files.items():
        if fp is None:
            continue
        seen = known.get(name)
        if seen is None or seen[0] != fp or (with_text and not seen[2]):
            stale.append(name)
    stale.sort()  # ids sort by time: the oldest conversations get the lowest rowids (search ranks the newest rows)
    if gone:
        with index.writing():
            for name in gone:
                index.drop(name)
    if with_text and len(stale) >= BULK:
        index.defer_merges()
    last_report = time.monotonic()
    for start in range(0, len(stale), BATCH):
        batch = stale[start : start + BATCH]
        parsed = [_parse(directory, name) for name in batch]
        with index.writing():
            texts = []
            for name, result in zip(batch, parsed, strict=True):
                if isinstance(result, UnreadableError):
                    unreadable.append((name, str(result)))  # permissions may change: not recorded
                    index.drop(name)
                elif isinstance(result[0], str):
                    index.put_problem(name, result[1], result[0])
                else:
                    found, fp = result
                    index.put_summary(name, fp, found.summary, keep_text=with_text)
                    texts.append((name, found.sources))
            if with_text and texts:
                index.put_texts(texts)
        done = start + len(batch)
        if progress is not None and (time.monotonic() - last_report >= PROGRESS_INTERVAL or done == len(stale)):
            progress(done, len(stale))
            last_report = time.monotonic()
    if with_text:
        index.merge_deferred()
    return unreadable


def _parse(directory: Path, name: str) -> tuple[Indexable, Fingerprint] | tuple[str, Fingerprint] | UnreadableError:
    """What the index records of a file, and its fingerprint; (reason, fingerprint) if it does not load; or the error.

    A document of the usual shape is read without building its conversation (index_reader.py).
    """
    path = directory / name
    try:
        safe_stat(path, directory)
        raw, info = read_bytes(path)
        data = decode_document(raw)
        found = indexable(data, path.stem, info)
        if found is None:
            conversation = conversation_of(data, path.stem)
            found = Indexable(summary_of(conversation, info), text_sources(conversation))
    except UnreadableError as exc:
        return exc
    except StoreError as exc:
        try:
            return str(exc), Fingerprint.of(os.stat(path))
        except OSError:
            return UnreadableError(str(exc))
    return found, Fingerprint.of(info)
