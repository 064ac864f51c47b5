"""index.json: a cache of conversation summaries, validated against the directory and refreshed incrementally.

Each entry is keyed by file name and remembers the file's fingerprint (size, mtime_ns, inode). A listing stats
every file (cheap) and re-parses only the files whose fingerprint changed, so a warm start of 10,000
conversations reads one small JSON file instead of 10,000. The index is only a cache: if it is missing, corrupt,
or of another version it is rebuilt from the files (in several processes when there are many), and it is
always written atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from causerie.core.storage.documents import (
    Fingerprint,
    Problem,
    StoreError,
    Summary,
    UnreadableError,
    read_conversation,
    safe_stat,
    summary_of,
)
from causerie.core.storage.fileio import atomic_write_bytes
from causerie.core.storage.parallel import map_batches

INDEX_SCHEMA = "causerie.index"
INDEX_VERSION = 2  # 2: a digest of the entries (a hand-edited or damaged entry of the right type is caught too)
NEWER_VERSION_NOTE = "written by a newer version of causerie: opened read-only"

Progress = Callable[[int, int], None]
"""progress(done, total) while files are being parsed for a rebuild."""

PROGRESS_INTERVAL = 0.1  # seconds between two progress reports


class TooMuchToParse(Exception):
    """More files changed than the caller wanted parsed (the listing was not done)."""


Entry = tuple[Fingerprint, Summary | str]  # a summary, or the reason the file cannot be loaded


def conversation_files(directory: Path) -> list[tuple[str, Fingerprint | None, str | None]]:
    """(file name, fingerprint, problem) of every `*.json` entry; a fingerprint is None when the entry is bad."""
    found: list[tuple[str, Fingerprint | None, str | None]] = []
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        return found
    for entry in entries:
        name = entry.name
        if not name.endswith(".json") or name.startswith("."):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode):
                info = safe_stat(Path(entry.path), directory)  # links inside the directory are followed
        except StoreError as exc:
            found.append((name, None, str(exc)))
            continue
        except OSError as exc:
            found.append((name, None, f"cannot read: {exc.strerror or exc}"))
            continue
        # A plain tuple compares equal to a Fingerprint and is cheaper to make 10,000 times.
        found.append((name, (info.st_size, info.st_mtime_ns, info.st_ino), None))  # type: ignore[arg-type]
    return found


def parse_files(directory: Path, names: list[str]) -> list[tuple[str, Fingerprint | None, Summary | str]]:
    """Parse conversation files: (name, fingerprint, summary or reason); no fingerprint = unreadable for now.

    A top-level function so that worker processes can run it.
    """
    results: list[tuple[str, Fingerprint | None, Summary | str]] = []
    for name in names:
        path = directory / name
        try:
            conversation, info, _ = read_conversation(path, directory)
        except UnreadableError as exc:
            results.append((name, None, str(exc)))  # permissions may change: not cached
            continue
        except StoreError as exc:
            try:
                results.append((name, Fingerprint.of(os.stat(path)), str(exc)))
            except OSError:
                results.append((name, None, str(exc)))
            continue
        results.append((name, Fingerprint.of(info), summary_of(conversation, info)))
    return results


class SummaryIndex:
    """Summaries of every conversation file, kept in memory and in `index.json`."""

    def __init__(self, path: Path, conversations_dir: Path) -> None:
        self.path = path
        self.conversations_dir = conversations_dir
        self._entries: dict[str, Entry] | None = None
        self.rebuilt = 0  # files parsed by the last refresh (for tests and benchmarks)
        self.version = 0  # changes whenever the entries change

    # -- persistence ---------------------------------------------------------------------------------------
    def _read(self) -> dict[str, Entry]:
        try:
            with open(self.path, "rb") as handle:
                raw = handle.read()
            data = json.loads(raw)
            if data.get("schema") != INDEX_SCHEMA or data.get("version") != INDEX_VERSION:
                return {}
            digest = data.get("digest")
            if digest != _raw_digest(raw) and digest != _digest(data["files"], data["problems"]):
                return {}  # changed since causerie wrote it: a wrong title or count would pass every type check
            entries: dict[str, Entry] = {}
            make = Summary._make
            for row in data["files"]:
                # [name, size, mtime_ns, ino, title, created_at, updated_at, model, message_count, size,
                # mtime_ns, read_only]: a hand-edited index with the wrong types must not reach the UI.
                name, size, mtime_ns, ino, title, created, updated, model, count, _, _, read_only = row
                if not (
                    type(title) is str is type(created) is type(updated) is type(model)
                    and type(count) is int
                    and type(read_only) is bool
                ):
                    return {}
                row[3] = name[:-5]
                entries[name] = ((size, mtime_ns, ino), make(row[3:]))
            for name, size, mtime_ns, ino, reason in data["problems"]:
                entries[name] = ((size, mtime_ns, ino), str(reason))
            return entries
        except (OSError, ValueError, TypeError, LookupError, AttributeError, RecursionError):
            return {}  # missing or unusable: it is only a cache, rebuilt from the files

    def _write(self, entries: dict[str, Entry]) -> None:
        files: list[list[object]] = []
        problems: list[list[object]] = []
        for name, (fp, value) in entries.items():
            if isinstance(value, str):
                problems.append([name, *fp, value])
            else:
                files.append([name, *fp, *value[1:]])
        document = {
            "schema": INDEX_SCHEMA,
            "version": INDEX_VERSION,
            "digest": _digest(files, problems),
            "files": files,
            "problems": problems,
        }
        try:
            data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
            atomic_write_bytes(self.path, data)
        except (OSError, UnicodeEncodeError):
            pass  # a cache that cannot be written costs a slower next start, nothing more

    # -- refreshing ----------------------------------------------------------------------------------------
    def refresh(
        self, progress: Progress | None = None, parse_at_most: int | None = None
    ) -> tuple[list[Summary], list[Problem]]:
        """Summaries of every loadable file (unsorted) and the problem files, re-parsing only what changed.

        Raises TooMuchToParse, before parsing any, when more than `parse_at_most` files changed.
        """
        old = self._entries if self._entries is not None else self._read()
        new: dict[str, Entry] = {}
        problems: list[Problem] = []
        stale: list[str] = []
        for name, fp, problem in conversation_files(self.conversations_dir):
            if fp is None:
                problems.append(Problem(self.conversations_dir / name, problem or "unreadable"))
                continue
            cached = old.get(name)
            if cached is not None and cached[0] == fp:
                new[name] = cached
            else:
                stale.append(name)
        if parse_at_most is not None and len(stale) > parse_at_most:
            raise TooMuchToParse(f"{len(stale)} files changed since index.json was written")
        self.rebuilt = len(stale)
        for name, fp, value in self._parse(stale, progress):
            if fp is None:
                problems.append(Problem(self.conversations_dir / name, str(value)))
            else:
                new[name] = (fp, value)
        summaries: list[Summary] = []
        for name, (_, value) in new.items():
            if isinstance(value, str):
                problems.append(Problem(self.conversations_dir / name, value))
            else:
                summaries.append(value)
                if value.read_only:
                    problems.append(Problem(self.conversations_dir / name, NEWER_VERSION_NOTE))
        if new != old or not self.path.exists():
            self._write(new)
            self.version += 1
        self._entries = new
        return summaries, problems

    def _parse(
        self, names: list[str], progress: Progress | None
    ) -> Iterator[tuple[str, Fingerprint | None, Summary | str]]:
        """Parse the stale files, in worker processes when there are many, reporting progress."""
        done = 0
        last_report = time.monotonic()
        for results in map_batches(parse_files, self.conversations_dir, names):
            yield from results
            done += len(results)
            if progress is not None and (time.monotonic() - last_report >= PROGRESS_INTERVAL or done == len(names)):
                progress(done, len(names))
                last_report = time.monotonic()

    def fingerprints(self) -> dict[str, Fingerprint]:
        """Conversation id -> fingerprint of its file as last seen by refresh() or put()."""
        entries = self._entries or {}
        return {name[:-5]: fp for name, (fp, value) in list(entries.items()) if not isinstance(value, str)}

    def put(self, summary: Summary, fp: Fingerprint) -> None:
        """Record a file this process just wrote (persisted at the next refresh or flush)."""
        if self._entries is not None:
            self._entries[f"{summary.id}.json"] = (fp, summary)
            self.version += 1

    def drop(self, conversation_id: str) -> None:
        """Forget a conversation whose file left the directory."""
        if self._entries is not None:
            self._entries.pop(f"{conversation_id}.json", None)
            self.version += 1

    def flush(self) -> None:
        """Write the in-memory entries to index.json now."""
        if self._entries is not None:
            self._write(dict(self._entries))


def _raw_digest(raw: bytes) -> str | None:
    """_digest from the bytes of an index as _write writes it, without encoding the entries again (~45 ms less
    for 10,000 conversations); None when the bytes are not laid out that way (the caller then encodes them).

    JSON escapes every quote inside a string, so the keys below can only be the document's own.
    """
    files_at = raw.find(b'"files":')
    problems_at = raw.rfind(b',"problems":')
    if files_at < 0 or problems_at < files_at or not raw.endswith(b"}"):
        return None
    view = memoryview(raw)
    digest = hashlib.blake2b(b"[", digest_size=16)
    digest.update(view[files_at + len(b'"files":') : problems_at])
    digest.update(b",")
    digest.update(view[problems_at + len(b',"problems":') : -1])
    digest.update(b"]")
    return digest.hexdigest()


def _digest(files: object, problems: object) -> str:
    """A checksum of the entries as written (compact JSON), to tell a changed index from causerie's own."""
    text = json.dumps([files, problems], ensure_ascii=False, separators=(",", ":"))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
