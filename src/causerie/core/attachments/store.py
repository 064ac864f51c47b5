"""AttachmentStore: every attached file copied once into `<data>/attachments/<sha256>` (0600, never a link).

Named by content, so the same bytes attached by many messages are stored once, and a later edit of the original
file never changes what a conversation sent. Files nobody references are removed when the trash is purged.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from collections.abc import Iterable
from pathlib import Path

from causerie.core.attachments.record import is_sha256
from causerie.core.storage.fileio import atomic_write_bytes

# A file attached in the prompt is stored before its message is saved: a purge running meanwhile must not take it.
GRACE_SECONDS = 3600.0


class AttachmentMissing(LookupError):
    """The store has no file for that SHA-256 (removed by hand, or a conversation imported without its files)."""


class AttachmentStore:
    """The content-addressed files of one data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.directory = Path(data_dir) / "attachments"

    def path_for(self, sha256: str) -> Path:
        """Where the file of `sha256` lives (ValueError for anything that is not a digest)."""
        if not is_sha256(sha256):
            raise ValueError(f"not a SHA-256 digest: {sha256!r}")
        return self.directory / sha256

    def add(self, data: bytes) -> str:
        """Store `data` (once) and return its SHA-256."""
        digest = hashlib.sha256(data).hexdigest()
        path = self.path_for(digest)
        try:
            info = path.lstat()
        except FileNotFoundError:
            atomic_write_bytes(path, data)
            return digest
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
            atomic_write_bytes(path, data)  # something else sits under the name: replace it with the real bytes
        else:
            os.utime(path)  # freshly attached again: the purge grace starts over
        return digest

    def has(self, sha256: str) -> bool:
        """Whether the file of `sha256` is stored."""
        try:
            return stat.S_ISREG(self.path_for(sha256).lstat().st_mode)
        except (OSError, ValueError):
            return False

    def read(self, sha256: str) -> bytes:
        """The stored bytes of `sha256`; raises AttachmentMissing."""
        try:
            path = self.path_for(sha256)
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except (OSError, ValueError) as exc:
            raise AttachmentMissing(sha256) from exc
        with os.fdopen(fd, "rb") as handle:
            return handle.read()

    def stored(self) -> list[str]:
        """The digests of every stored file."""
        try:
            return [entry.name for entry in os.scandir(self.directory) if is_sha256(entry.name)]
        except FileNotFoundError:
            return []

    def collect(self, referenced: Iterable[str], *, grace: float = GRACE_SECONDS, now: float | None = None) -> int:
        """Remove stored files no conversation references (except those stored within `grace` seconds).

        Returns how many were removed.
        """
        keep = set(referenced)
        now = time.time() if now is None else now
        removed = 0
        for digest in self.stored():
            if digest in keep:
                continue
            path = self.directory / digest
            try:
                if now - path.lstat().st_mtime < grace:
                    continue
                path.unlink()
                removed += 1
            except OSError:
                continue
        return removed


def default_store() -> AttachmentStore:
    """The store of the data directory in effect (CAUSERIE_HOME or the platform's)."""
    from causerie.core.settings import paths

    return AttachmentStore(paths.data_dir())
