"""The search cache: normalized text of every conversation, kept in `<data>/search/` and mapped into memory.

`text.bin` holds the normalized UTF-8 text of all conversations back to back; `docs.json` says, per
conversation, which file version it was made from (fingerprint) and where its text and messages are. Both
carry the same random token, so a pair written by two different processes is never mixed. Conversations
changed since the cache was written are read again and held in memory; the files are rewritten (atomically)
when that overlay, or the space of deleted conversations, grows. Like index.json it is only a cache: anything
missing or inconsistent is rebuilt from the conversation files.
"""

from __future__ import annotations

import json
import mmap
import secrets
import time
from array import array
from collections.abc import Iterator
from pathlib import Path

from causerie.core.storage.documents import Fingerprint, StoreError, read_conversation
from causerie.core.storage.fileio import atomic_write_bytes, atomic_write_chunks, ensure_private_dir
from causerie.core.storage.index import PROGRESS_INTERVAL, Progress
from causerie.core.storage.parallel import map_batches
from causerie.core.storage.search import Doc, doc_parts, normalize

CACHE_SCHEMA = "causerie.search"
CACHE_VERSION = 1
MAGIC = b"causerie-search 1 "
STREAM_THRESHOLD = 200  # documents to make before they are written to the file as they come

Made = tuple[str, tuple[int, int, int], str, str, str, bytes, list[int], str]
"""A document as worker processes return it: id, fingerprint, updated_at, title, title_norm, text, starts, ids."""

Written = tuple[str, Fingerprint, str, str, str, bytes, list[int], str]
"""A document on its way into text.bin: as Made, with relative message starts."""


def make_docs(directory: Path, names: list[str]) -> list[Made | None]:
    """Read and normalize conversation files, None for each unreadable one (worker processes run this)."""
    made: list[Made | None] = []
    for name in names:
        try:
            conversation, info, _ = read_conversation(directory / name, directory)
        except StoreError:
            made.append(None)  # reported by the listing; not searchable
            continue
        text, starts, ids = doc_parts(conversation)
        title = conversation.title or conversation.default_title()
        fp = (info.st_size, info.st_mtime_ns, info.st_ino)
        joined = "\n".join(ids)
        made.append((conversation.id, fp, conversation.updated_at, title, normalize(title), text, starts, joined))
    return made


class SearchCache:
    """Search documents for every conversation, persisted under `folder`."""

    def __init__(self, folder: Path, conversations_dir: Path) -> None:
        self.folder = folder
        self.conversations_dir = conversations_dir
        self.text_path = folder / "text.bin"
        self.docs_path = folder / "docs.json"
        self._docs: dict[str, Doc] | None = None
        self._map: mmap.mmap | None = None
        self.rebuilt = 0  # documents made from conversation files by the last refresh

    # -- loading -------------------------------------------------------------------------------------------
    def _load(self) -> dict[str, Doc]:
        try:
            with open(self.docs_path, "rb") as handle:
                data = json.load(handle)
            if data.get("schema") != CACHE_SCHEMA or data.get("version") != CACHE_VERSION:
                return {}
            token = data["token"].encode()
            with open(self.text_path, "rb") as handle:
                mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            if mapped[: len(MAGIC) + len(token) + 1] != MAGIC + token + b"\n":
                return {}
            docs: dict[str, Doc] = {}
            for cid, (size, mtime_ns, ino, updated, title, title_norm, start, end, starts, ids) in data["docs"].items():
                if not 0 <= start <= end <= len(mapped) or not _all_str(updated, title, title_norm, ids):
                    return {}
                offsets = array("q", (start + offset for offset in starts))
                fp = Fingerprint(size, mtime_ns, ino)
                docs[cid] = Doc(fp, updated, title, title_norm, mapped, start, end, offsets, ids)
            self._map = mapped
            return docs
        except (OSError, ValueError, TypeError, LookupError, AttributeError, RecursionError):
            return {}  # missing or unusable: rebuilt from the conversation files

    # -- refreshing ----------------------------------------------------------------------------------------
    def refresh(self, wanted: dict[str, Fingerprint], progress: Progress | None = None) -> dict[str, Doc]:
        """Documents for exactly the conversations in `wanted`, re-reading those whose fingerprint changed."""
        old = self._docs if self._docs is not None else self._load()
        docs: dict[str, Doc] = {}
        stale: list[str] = []
        for cid, fp in wanted.items():
            doc = old.get(cid)
            if doc is not None and doc.fp == fp:
                docs[cid] = doc
            else:
                stale.append(f"{cid}.json")
        self.rebuilt = len(stale)
        if len(stale) > max(STREAM_THRESHOLD, len(wanted) // 50):
            # Many documents to make (a first start, a lost cache): written to the file as they come, never all in
            # memory (10,000 conversations are ~200 MB of text: the app's peak memory doubled while it held them).
            streamed = self._rebuild_on_disk(docs, stale, progress)
            if streamed is not None:
                self._docs = streamed
                return streamed
        for cid, fp, updated, title, title_norm, text, starts, ids in self._make(stale, progress):
            offsets = array("q", starts)
            docs[cid] = Doc(Fingerprint(*fp), updated, title, title_norm, text, 0, len(text), offsets, ids)
        self._docs = docs
        if self._worth_writing(docs):
            self._write(docs)
        return self._docs

    def _make(self, names: list[str], progress: Progress | None) -> Iterator[Made]:
        """Documents made from these conversation files (unreadable ones left out), reporting progress."""
        done = 0
        last_report = time.monotonic()
        for made in map_batches(make_docs, self.conversations_dir, names):
            yield from (item for item in made if item is not None)
            done += len(made)
            if progress is not None and (time.monotonic() - last_report >= PROGRESS_INTERVAL or done >= len(names)):
                progress(min(done, len(names)), len(names))
                last_report = time.monotonic()

    def _rebuild_on_disk(
        self, kept: dict[str, Doc], stale: list[str], progress: Progress | None
    ) -> dict[str, Doc] | None:
        """Write a new cache of the kept documents and of those made from `stale`, then map it; None on failure."""

        def made() -> Iterator[Written]:
            yield from _written(kept)
            for cid, fp, updated, title, title_norm, text, starts, ids in self._make(stale, progress):
                yield cid, Fingerprint(*fp), updated, title, title_norm, text, starts, ids

        try:
            self._write_documents(made())
        except (OSError, UnicodeEncodeError):
            return None  # made again in memory by the caller
        return self._load() or None

    @property
    def mapped(self) -> mmap.mmap | None:
        """The mapped cache file the current documents point into (None before one is written)."""
        return self._map

    def _worth_writing(self, docs: dict[str, Doc]) -> bool:
        """Rewrite when many documents live only in memory or much of the file belongs to deleted ones."""
        in_memory = sum(1 for doc in docs.values() if doc.buf is not self._map)
        if not in_memory and self._map is None:
            return False
        if self._map is None:
            return True
        used = sum(doc.end - doc.start for doc in docs.values() if doc.buf is self._map)
        return in_memory > max(20, len(docs) // 50) or used < len(self._map) * 0.7

    def _write(self, docs: dict[str, Doc]) -> None:
        try:
            self._write_documents(_written(docs))
        except (OSError, UnicodeEncodeError):
            return  # the cache stays in memory; the files are tried again at a later refresh
        # Map the new file; documents still held by a running search keep the old map alive until done.
        self._docs = self._load() or docs

    def _write_documents(self, made: Iterator[Written]) -> None:
        """Write text.bin from documents as they come (each text written, then dropped), then docs.json."""
        token = secrets.token_hex(8)
        header = MAGIC + token.encode() + b"\n"
        entries: dict[str, list[object]] = {}

        def chunks() -> Iterator[bytes]:
            position = len(header)
            yield header
            for cid, fp, updated, title, title_norm, text, starts, ids in made:
                entries[cid] = [*_fp(fp), updated, title, title_norm, position, position + len(text), starts, ids]
                position += len(text)
                yield text

        ensure_private_dir(self.folder)
        atomic_write_chunks(self.text_path, chunks())
        document = {"schema": CACHE_SCHEMA, "version": CACHE_VERSION, "token": token, "docs": entries}
        atomic_write_bytes(self.docs_path, json.dumps(document, separators=(",", ":")).encode())


def _written(docs: dict[str, Doc]) -> Iterator[Written]:
    """Documents in memory or in the current file, as they are written to a new one."""
    for cid, doc in docs.items():
        starts = [offset - doc.start for offset in doc.starts]
        text = bytes(doc.buf[doc.start : doc.end])  # type: ignore[index]
        yield cid, doc.fp, doc.updated_at, doc.title, doc.title_norm, text, starts, doc.ids


def _all_str(*values: object) -> bool:
    return all(type(value) is str for value in values)


def _fp(fp: Fingerprint) -> tuple[int, int, int]:
    return fp.size, fp.mtime_ns, fp.ino
