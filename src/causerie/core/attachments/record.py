"""The attachment record a message keeps: what was attached, by name and by content (never the bytes)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
DETAILS = ("auto", "low", "high")


class AttachmentRecordError(ValueError):
    """An attachment entry of a conversation file does not have the shape causerie writes."""


@dataclass(frozen=True)
class Attachment:
    """One attached file: its shown name (relative, never absolute), its SHA-256, MIME type and size.

    Images also keep their pixel size (for the chip and the token estimate) and the `detail` they are sent with.
    """

    name: str
    sha256: str
    mime: str
    bytes: int
    width: int | None = None
    height: int | None = None
    detail: str | None = None

    @property
    def is_image(self) -> bool:
        """Whether it is sent as an image part."""
        return self.mime.startswith("image/")

    @property
    def is_text(self) -> bool:
        """Whether it is sent as a fenced block of text."""
        return self.mime.startswith("text/")

    def to_dict(self) -> dict[str, Any]:
        """JSON form (the optional fields only when set)."""
        data: dict[str, Any] = {"name": self.name, "sha256": self.sha256, "mime": self.mime, "bytes": self.bytes}
        if self.width is not None and self.height is not None:
            data["width"], data["height"] = self.width, self.height
        if self.detail is not None:
            data["detail"] = self.detail
        return data

    @classmethod
    def from_dict(cls, data: Any) -> Attachment:
        """Parse the JSON form; raises AttachmentRecordError."""
        if not isinstance(data, dict):
            raise AttachmentRecordError("an attachment must be an object")
        name, sha, mime, size = data.get("name"), data.get("sha256"), data.get("mime"), data.get("bytes")
        if not isinstance(name, str) or not name:
            raise AttachmentRecordError("attachment name must be a non-empty string")
        if not isinstance(sha, str) or not _SHA256_RE.match(sha):
            raise AttachmentRecordError("attachment sha256 must be 64 lowercase hex digits")
        if not isinstance(mime, str) or "/" not in mime:
            raise AttachmentRecordError("attachment mime must be a MIME type")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise AttachmentRecordError("attachment bytes must be a non-negative integer")
        width, height = data.get("width"), data.get("height")
        if not all(v is None or (isinstance(v, int) and not isinstance(v, bool) and v > 0) for v in (width, height)):
            raise AttachmentRecordError("attachment width and height must be positive integers")
        detail = data.get("detail")
        if detail is not None and detail not in DETAILS:
            raise AttachmentRecordError(f"attachment detail must be one of {', '.join(DETAILS)}")
        return cls(name, sha, mime, size, width, height, detail)


def human_size(count: int) -> str:
    """A byte count as people read it: 812 B, 14 kB, 3.2 MB."""
    if count >= 1_000_000:
        return f"{count / 1_000_000:.1f} MB"
    if count >= 1000:
        return f"{count / 1000:.0f} kB"
    return f"{count} B"


def describe(attachment: Attachment) -> str:
    """The chip text (raw: the name is outside text, cleaned by whoever shows it): name, size, pixel size."""
    text = f"{attachment.name} · {human_size(attachment.bytes)}"
    if attachment.width and attachment.height:
        text += f" · {attachment.width}×{attachment.height}"
    return text


def is_sha256(value: str) -> bool:
    """True for a SHA-256 hex digest as the store names its files."""
    return bool(_SHA256_RE.match(value))
