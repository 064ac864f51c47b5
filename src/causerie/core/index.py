"""index.json: a cache of conversation summaries, validated against the directory and refreshed incrementally.

Each entry is keyed by file name and remembers the file's fingerprint (size, mtime_ns, inode). A listing stats
every file (cheap) and re-parses only the files whose fingerprint changed, so a warm start of 10,000
conversations reads one small JSON file instead of 10,000. The index is only a cache: if it is missing, corrupt,
or of another version it is rebuilt from the files, and it is always written atomically.
"""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from causerie.core.documents import (
    Fingerprint,
    Problem,
    StoreError,
    Summary,
    UnreadableError,
    read_conversation,
    safe_stat,
    summary_of,
)
from causerie.core.fileio import atomic_write_bytes

INDEX_SCHEMA = "causerie.index"
INDEX_VERSION = 1
NEWER_VERSION_NOTE = "written by a newer version of causerie: opened read-only"

_SUMMARY_TYPES = {"message_count": int, "size": int, "mtime_ns": int, "read_only": bool}


def _checked(summary: Summary) -> Summary:
    """A summary read from the cache, with every field of the type the sidebar expects (else TypeError)."""
    for name, value in vars(summary).items():
        kind = _SUMMARY_TYPES.get(name, str)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise TypeError(f"index entry field {name!r} has the wrong type")
    return summary


Progress = Callable[[int, int], None]
"""progress(done, total) while files are being parsed for a rebuild."""

PROGRESS_INTERVAL = 0.1  # seconds between two progress reports


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
        found.append((name, Fingerprint.of(info), None))
    return found


class SummaryIndex:
    """Summaries of every conversation file, kept in memory and in `index.json`."""

    def __init__(self, path: Path, conversations_dir: Path) -> None:
        self.path = path
        self.conversations_dir = conversations_dir
        self._entries: dict[str, tuple[Fingerprint, Summary | str]] | None = None
        self.rebuilt = 0  # files parsed by the last refresh (for tests and benchmarks)

    # -- persistence ---------------------------------------------------------------------------------------
    def _read(self) -> dict[str, tuple[Fingerprint, Summary | str]]:
        try:
            with open(self.path, "rb") as handle:
                data = json.load(handle)
            if data.get("schema") != INDEX_SCHEMA or data.get("version") != INDEX_VERSION:
                return {}
            entries: dict[str, tuple[Fingerprint, Summary | str]] = {}
            for name, raw in data["files"].items():
                fp = Fingerprint(*raw.pop("fp"))
                problem = raw.get("problem")
                entries[name] = (fp, problem if isinstance(problem, str) else _checked(Summary(**raw)))
            return entries
        except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
            return {}  # missing or unusable: it is only a cache, rebuilt from the files

    def _write(self, entries: dict[str, tuple[Fingerprint, Summary | str]]) -> None:
        files: dict[str, dict[str, object]] = {}
        for name, (fp, value) in entries.items():
            record: dict[str, object] = {"problem": value} if isinstance(value, str) else asdict(value)
            record["fp"] = [fp.size, fp.mtime_ns, fp.ino]
            files[name] = record
        document = {"schema": INDEX_SCHEMA, "version": INDEX_VERSION, "files": files}
        try:
            atomic_write_bytes(self.path, json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode())
        except (OSError, UnicodeEncodeError):
            pass  # a cache that cannot be written costs a slower next start, nothing more

    # -- refreshing ----------------------------------------------------------------------------------------
    def refresh(self, progress: Progress | None = None) -> tuple[list[Summary], list[Problem]]:
        """Summaries of every loadable file (unsorted) and the problem files, re-parsing only what changed."""
        old = self._entries if self._entries is not None else self._read()
        new: dict[str, tuple[Fingerprint, Summary | str]] = {}
        problems: list[Problem] = []
        stale: list[tuple[str, Fingerprint]] = []
        for name, fp, problem in conversation_files(self.conversations_dir):
            if fp is None:
                problems.append(Problem(self.conversations_dir / name, problem or "unreadable"))
                continue
            cached = old.get(name)
            if cached is not None and cached[0] == fp:
                new[name] = cached
            else:
                stale.append((name, fp))
        self.rebuilt = len(stale)
        last_report = time.monotonic()
        for done, (name, fp) in enumerate(stale):
            if progress is not None and time.monotonic() - last_report >= PROGRESS_INTERVAL:
                progress(done, len(stale))
                last_report = time.monotonic()
            path = self.conversations_dir / name
            try:
                conversation, info, _ = read_conversation(path, self.conversations_dir)
            except UnreadableError as exc:
                problems.append(Problem(path, str(exc)))  # permissions may change: not cached
                continue
            except StoreError as exc:
                new[name] = (fp, str(exc))
                continue
            new[name] = (Fingerprint.of(info), summary_of(conversation, info))
        if progress is not None and stale:
            progress(len(stale), len(stale))
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
        self._entries = new
        return summaries, problems

    def fingerprints(self) -> dict[str, Fingerprint]:
        """Conversation id -> fingerprint of its file as last seen by refresh() or put()."""
        entries = self._entries or {}
        return {name[:-5]: fp for name, (fp, value) in list(entries.items()) if not isinstance(value, str)}

    def put(self, summary: Summary, fp: Fingerprint) -> None:
        """Record a file this process just wrote (persisted at the next refresh or flush)."""
        if self._entries is not None:
            self._entries[f"{summary.id}.json"] = (fp, summary)

    def drop(self, conversation_id: str) -> None:
        """Forget a conversation whose file left the directory."""
        if self._entries is not None:
            self._entries.pop(f"{conversation_id}.json", None)

    def flush(self) -> None:
        """Write the in-memory entries to index.json now."""
        if self._entries is not None:
            self._write(dict(self._entries))
