"""What is sent for a message with attachments, and what it costs in tokens.

Text files become fenced blocks after the typed text, headed by their relative path, with a language from the
extension; a message with only text attachments stays a plain string (servers without content parts read it).
Images become `image_url` parts holding data URLs with their `detail`; PDF files become `file` parts.
The bytes come from the store on every request: the API keeps no history, so each later turn sends them again.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any

from causerie.core.attachments import kinds
from causerie.core.attachments.record import Attachment
from causerie.core.attachments.store import AttachmentMissing, AttachmentStore

LANGUAGES = {
    ".py": "python", ".pyi": "python", ".js": "javascript", ".mjs": "javascript", ".ts": "typescript",
    ".tsx": "tsx", ".jsx": "jsx", ".rs": "rust", ".go": "go", ".c": "c", ".h": "c", ".cc": "cpp", ".cpp": "cpp",
    ".hpp": "cpp", ".java": "java", ".kt": "kotlin", ".rb": "ruby", ".php": "php", ".cs": "csharp",
    ".swift": "swift", ".sh": "bash", ".bash": "bash", ".zsh": "zsh", ".fish": "fish", ".ps1": "powershell",
    ".sql": "sql", ".html": "html", ".css": "css", ".scss": "scss", ".json": "json", ".yaml": "yaml",
    ".yml": "yaml", ".toml": "toml", ".ini": "ini", ".xml": "xml", ".md": "markdown", ".rst": "rst",
    ".tex": "latex", ".lua": "lua", ".r": "r", ".jl": "julia", ".hs": "haskell", ".ml": "ocaml",
    ".ex": "elixir", ".exs": "elixir", ".erl": "erlang", ".clj": "clojure", ".scala": "scala", ".dart": "dart",
    ".vue": "vue", ".diff": "diff", ".patch": "diff", ".csv": "csv", ".txt": "text", ".log": "text",
}  # fmt: skip
SPECIAL_NAMES = {"dockerfile": "dockerfile", "makefile": "makefile", "cmakelists.txt": "cmake"}

IMAGE_TOKENS_LOW = 85  # OpenAI's published cost of an image sent with detail "low"
IMAGE_TOKENS_PER_TILE = 170  # ... and of each 512-pixel tile at "high", on top of the base
IMAGE_TOKENS_UNKNOWN = 765  # a 1024x1024 image at "high": used when the pixel size could not be read
PDF_BYTES_PER_TOKEN = 16  # rough: a PDF's text is a small share of its bytes
HEADER_CHARS = 87_384  # base64 of 64 kB: where every image format states its pixel size (JPEG after its EXIF)


def language_for(name: str) -> str:
    """The fence language for a file name ("" when the extension says nothing)."""
    path = PurePosixPath(name)
    return SPECIAL_NAMES.get(path.name.lower()) or LANGUAGES.get(path.suffix.lower(), "")


def fenced(text: str, language: str = "") -> str:
    """`text` in a code fence longer than any backtick run inside it."""
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    marks = "`" * max(3, longest + 1)
    return f"{marks}{language}\n{text.rstrip(chr(10))}\n{marks}"


def text_block(name: str, text: str) -> str:
    """A text attachment as sent: its relative path, then its content fenced."""
    return f"{name}\n{fenced(text, language_for(name))}"


def data_url(mime: str, data: bytes) -> str:
    """A `data:` URL holding `data`."""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _missing(attachment: Attachment) -> str:
    return f"[{attachment.name}: the attached file is no longer in causerie's attachment store]"


def message_content(text: str, attachments: Iterable[Attachment], store: AttachmentStore) -> str | list[dict[str, Any]]:
    """The `content` of a request message: `text` plus its attachments (a string when no part needs more)."""
    blocks = [text] if text else []
    parts: list[dict[str, Any]] = []
    for attachment in attachments:
        try:
            data = store.read(attachment.sha256)
        except AttachmentMissing:
            blocks.append(_missing(attachment))
            continue
        if attachment.is_image:
            url: dict[str, Any] = {"url": data_url(attachment.mime.split(";")[0], data)}
            url["detail"] = attachment.detail or "auto"
            parts.append({"type": "image_url", "image_url": url})
        elif attachment.mime == "application/pdf":
            file = {"filename": PurePosixPath(attachment.name).name, "file_data": data_url("application/pdf", data)}
            parts.append({"type": "file", "file": file})
        else:
            blocks.append(text_block(attachment.name, data.decode("utf-8", errors="replace")))
    joined = "\n\n".join(blocks)
    if not parts:
        return joined
    return ([{"type": "text", "text": joined}] if joined else []) + parts


def image_tokens(width: int | None, height: int | None, detail: str | None) -> int:
    """Estimated prompt tokens of an image, by OpenAI's published rule.

    "low" costs a flat 85. Otherwise the image is scaled to fit 2048x2048, then its short side to 768, and each
    512-pixel tile costs 170 on top of the 85 (servers with other vision models count differently: an estimate).
    """
    if detail == "low":
        return IMAGE_TOKENS_LOW
    if not width or not height:
        return IMAGE_TOKENS_UNKNOWN
    w, h = float(width), float(height)
    if max(w, h) > 2048:
        scale = 2048 / max(w, h)
        w, h = w * scale, h * scale
    if min(w, h) > 768:
        scale = 768 / min(w, h)
        w, h = w * scale, h * scale
    tiles = math.ceil(w / 512) * math.ceil(h / 512)
    return IMAGE_TOKENS_LOW + IMAGE_TOKENS_PER_TILE * tiles


def attachment_tokens(attachment: Attachment, chars_per_token: float = 4.0) -> int:
    """Estimated prompt tokens one attachment adds to every request that carries it."""
    if attachment.is_image:
        return image_tokens(attachment.width, attachment.height, attachment.detail)
    if attachment.mime == "application/pdf":
        return attachment.bytes // PDF_BYTES_PER_TOKEN + 1
    header = len(attachment.name) + 12  # the name line and the fence
    return int((attachment.bytes + header) / chars_per_token + 0.999)


def part_tokens(part: dict[str, Any], chars_per_token: float = 4.0) -> int:
    """Estimated tokens of one content part of a built request (an image's pixel size read from its data URL)."""
    kind = part.get("type")
    if kind == "text":
        return int(len(part.get("text", "")) / chars_per_token + 0.999)
    if kind == "image_url":
        image = part.get("image_url") or {}
        width, height = _pixels(str(image.get("url", "")))
        return image_tokens(width, height, image.get("detail"))
    if kind == "file":
        return len((part.get("file") or {}).get("file_data", "")) * 3 // 4 // PDF_BYTES_PER_TOKEN + 1
    return 0


def _pixels(url: str) -> tuple[int | None, int | None]:
    """The pixel size of the image in a data URL, from the headers in its first 64 kB."""
    if not url.startswith("data:") or "," not in url[:100]:
        return None, None
    encoded = url.split(",", 1)[1][:HEADER_CHARS]
    try:
        head = base64.b64decode(encoded[: len(encoded) // 4 * 4])
    except ValueError:
        return None, None
    found = kinds.detect(head)
    return found.width, found.height
