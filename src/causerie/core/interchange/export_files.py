"""Writing exports to files: `<data>/exports/<title-slug>-<conversation id>.md`, atomically."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from causerie.core.conversation.models import Conversation
from causerie.core.interchange.export import conversation_to_markdown
from causerie.core.settings import paths
from causerie.core.storage.fileio import atomic_write_text, ensure_private_dir

_SLUG_DROP_RE = re.compile(r"[^a-z0-9]+")


def exports_dir(environ: dict[str, str] | None = None) -> Path:
    """The default directory of exported files (`<data>/exports`)."""
    return paths.data_dir(environ) / "exports"


def slug(text: str, limit: int = 40) -> str:
    """A file-name-safe, lower-case ASCII form of a title ("" when nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _SLUG_DROP_RE.sub("-", ascii_text.lower()).strip("-")[:limit].rstrip("-")


def export_file_name(conversation: Conversation, suffix: str = "md") -> str:
    """`<slug>-<id>.<suffix>`: stable for a conversation, so exporting again replaces the previous export."""
    name = slug(conversation.title or conversation.default_title())
    return f"{name}-{conversation.id}.{suffix}" if name else f"{conversation.id}.{suffix}"


def write_markdown_export(conversation: Conversation, directory: Path | None = None) -> Path:
    """Write the conversation as Markdown into `directory` (default: `exports_dir()`); returns the file's path.

    Raises OSError when the directory or the file cannot be written.
    """
    target_dir = ensure_private_dir(directory or exports_dir())
    path = target_dir / export_file_name(conversation)
    atomic_write_text(path, conversation_to_markdown(conversation))
    return path
