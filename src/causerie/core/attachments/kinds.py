"""What a file is, from its bytes (never only its extension): text, one of the images models read, PDF, or other.

Image pixel sizes come from the headers alone (no image library): enough for a chip and a token estimate.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

TEXT = "text"
IMAGE = "image"
PDF = "pdf"
BINARY = "binary"

SNIFF_BYTES = 8192


@dataclass(frozen=True)
class Kind:
    """What the bytes are: the kind, its MIME type and, for an image, its pixel size (None when unreadable)."""

    kind: str
    mime: str
    width: int | None = None
    height: int | None = None


def detect(data: bytes) -> Kind:
    """The kind of `data`: images and PDF by their signature, text when the start has no NUL and few controls."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return Kind(IMAGE, "image/png", *_png_size(data))
    if data.startswith(b"\xff\xd8\xff"):
        return Kind(IMAGE, "image/jpeg", *_jpeg_size(data))
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return Kind(IMAGE, "image/gif", *_gif_size(data))
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return Kind(IMAGE, "image/webp", *_webp_size(data))
    if data.startswith(b"%PDF-"):
        return Kind(PDF, "application/pdf")
    if _looks_like_text(data[:SNIFF_BYTES]):
        return Kind(TEXT, "text/plain")
    return Kind(BINARY, "application/octet-stream")


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    if not head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls / len(head) < 0.05


def _png_size(data: bytes) -> tuple[int | None, int | None]:
    if len(data) >= 24 and data[12:16] == b"IHDR":
        return struct.unpack(">II", data[16:24])
    return None, None


def _gif_size(data: bytes) -> tuple[int | None, int | None]:
    if len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    return None, None


def _jpeg_size(data: bytes) -> tuple[int | None, int | None]:
    index = 2
    while index + 9 < len(data):
        if data[index] != 0xFF:
            index += 1
            continue
        marker = data[index + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
            index += 1 if marker == 0xFF else 2
            continue
        (length,) = struct.unpack(">H", data[index + 2 : index + 4])
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return width, height
        index += 2 + length
    return None, None


def _webp_size(data: bytes) -> tuple[int | None, int | None]:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None, None
