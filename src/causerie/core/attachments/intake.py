"""Attaching a file: read it safely, say plainly why it cannot be attached, store a copy by content.

Choices: a symlink is followed only to a regular file the user can read (the store keeps a copy, never a link);
text that is not valid UTF-8 is decoded with replacement characters and the user is told how many bytes were
replaced (refusing would block the common Latin-1 log or CSV, and the stored copy keeps the original bytes);
a PDF is attached only where the profile says the server takes PDF files; other binary content is refused.
The name kept and sent is the path relative to the working directory, or the bare file name for a file outside it:
never an absolute path, which would tell the server where the user's home is.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from causerie.core.attachments import kinds
from causerie.core.attachments.record import DETAILS, Attachment
from causerie.core.attachments.store import AttachmentStore
from causerie.core.settings.config import Settings

MB = 1_000_000


class AttachmentError(Exception):
    """A file cannot be attached; the message says which and why, in one sentence."""


@dataclass(frozen=True)
class Limits:
    """What may be attached (from the `[attachments]` settings)."""

    max_text_bytes: int = 1 * MB
    max_image_bytes: int = 20 * MB
    detail: str = "auto"
    accepts_pdf: bool = False


def limits_from(settings: Settings) -> Limits:
    """The limits the settings give (the `[attachments]` table and the profile's `accepts_pdf`)."""
    return Limits(
        settings.attach_max_text_bytes, settings.attach_max_image_bytes, settings.image_detail, settings.accepts_pdf
    )


@dataclass(frozen=True)
class Attached:
    """An attached and stored file, and a note to show when something was changed on the way (else "")."""

    attachment: Attachment
    note: str = ""


def shown_name(path: Path, cwd: Path) -> str:
    """The path as sent and shown: relative to `cwd` when inside it, else the file name alone."""
    absolute = Path(os.path.normpath(cwd / path))
    try:
        return absolute.relative_to(Path(os.path.normpath(cwd))).as_posix()
    except ValueError:
        return absolute.name


def _size(count: int) -> str:
    return f"{count / MB:.1f} MB" if count >= MB else f"{count / 1000:.0f} kB" if count >= 1000 else f"{count} bytes"


def read_file(path: Path, limits: Limits) -> tuple[bytes, kinds.Kind]:
    """The bytes and kind of the file at `path`; raises AttachmentError with the reason it cannot be attached."""
    label = str(path)
    try:
        info = os.stat(path)  # follows a symlink: what counts is what it leads to
    except FileNotFoundError:
        raise AttachmentError(f"{label}: no such file") from None
    except PermissionError:
        raise AttachmentError(f"{label}: permission denied") from None
    except OSError as exc:
        raise AttachmentError(f"{label}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise AttachmentError(f"{label} is a directory: attach the files inside it one by one")
    if not stat.S_ISREG(info.st_mode):
        raise AttachmentError(f"{label} is not a regular file (a device, pipe or socket cannot be attached)")
    largest = max(limits.max_text_bytes, limits.max_image_bytes)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except PermissionError:
        raise AttachmentError(f"{label} cannot be read (permission denied)") from None
    except OSError as exc:
        raise AttachmentError(f"{label} cannot be read: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # swapped since the stat above
            raise AttachmentError(f"{label} is not a regular file")
        try:
            data = handle.read(largest + 1)
        except OSError as exc:
            raise AttachmentError(f"{label} cannot be read: {exc.strerror or exc}") from None
    kind = kinds.detect(data)
    if kind.kind == kinds.BINARY:
        raise AttachmentError(
            f"{label} is binary content causerie cannot send (only text, PNG, JPEG, GIF, WebP and PDF files)"
        )
    if kind.kind == kinds.PDF and not limits.accepts_pdf:
        raise AttachmentError(
            f"{label} is a PDF, and this profile's server is not known to take PDF files "
            "(set accepts_pdf = true in its [profiles.NAME] section if it does)"
        )
    limit = limits.max_text_bytes if kind.kind == kinds.TEXT else limits.max_image_bytes
    size = max(len(data), info.st_size)
    if size > limit:
        what = "text files" if kind.kind == kinds.TEXT else "images and PDF files"
        raise AttachmentError(f"{label} is too large ({_size(size)}; the limit for {what} is {_size(limit)})")
    return data, kind


def attach_file(
    path: Path | str, store: AttachmentStore, *, cwd: Path | None = None, limits: Limits = Limits()
) -> Attached:
    """Check, read and store the file at `path` (relative to `cwd`); raises AttachmentError.

    Returns the record the message keeps and a note when text had to be decoded with replacement characters.
    """
    cwd = Path.cwd() if cwd is None else Path(cwd)
    path = Path(os.path.expanduser(str(path)))
    full = path if path.is_absolute() else cwd / path
    data, kind = read_file(full, limits)
    note = ""
    mime = kind.mime
    if kind.kind == kinds.TEXT:
        text = data.decode("utf-8", errors="replace")
        replaced = text.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")
        if replaced:
            note = f"{shown_name(path, cwd)} is not valid UTF-8: {replaced} byte sequence(s) sent as �"
        mime = "text/plain; charset=utf-8"
    try:
        digest = store.add(data)
    except OSError as exc:
        raise AttachmentError(f"{full} could not be stored: {exc.strerror or exc}") from None
    detail = limits.detail if kind.kind == kinds.IMAGE and limits.detail in DETAILS else None
    record = Attachment(shown_name(path, cwd), digest, mime, len(data), kind.width, kind.height, detail)
    return Attached(record, note)
