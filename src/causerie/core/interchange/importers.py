"""Import conversations: a ChatGPT data export (its message tree kept as branches) and causerie's own JSON.

Imports are idempotent: a ChatGPT conversation's causerie id is derived from its source id (a hash), and an id
that already exists (or sits in the trash) is skipped, so importing the same file twice creates no duplicates.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from causerie.core.attachments.store import AttachmentStore
from causerie.core.conversation.models import Conversation, Message, SchemaError
from causerie.core.interchange.carried_files import KEY as CARRIED_KEY
from causerie.core.interchange.carried_files import Restored, referenced, restore
from causerie.core.storage.store import ConversationStore, StoreError

Progress = Callable[[int, int], None]


class ImportFailed(Exception):
    """The file cannot be imported at all (unreadable, not JSON, unknown shape, too large)."""


_KIND_RE = re.compile(r"[a-z][a-z0-9_]{0,39}")  # a ChatGPT content_type: `text`, `code`, `execution_output`...
MAX_IMPORT_BYTES = 512 * 1024 * 1024  # bytes of JSON: more than real exports hold; a zip bomb stops here


@dataclass
class ImportReport:
    """What an import did: conversations written, already present, skipped (with why), parts left out."""

    source: str = ""
    imported: list[str] = field(default_factory=list)
    already_present: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    not_saved: list[tuple[str, str]] = field(default_factory=list)  # readable, but the store could not write it
    parts_left_out: dict[str, int] = field(default_factory=dict)
    files: Restored = field(default_factory=Restored)  # attached files the import file carried
    files_missing: int = 0  # attached files the imported conversations name, neither stored nor in the file

    def leave_out(self, what: str, count: int = 1) -> None:
        """Count a message or part that is not imported (tool calls, images, hidden system messages...)."""
        self.parts_left_out[what] = self.parts_left_out.get(what, 0) + count


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()


def _iso(timestamp: Any) -> str | None:
    if not isinstance(timestamp, int | float) or isinstance(timestamp, bool):
        return None
    try:
        return datetime.fromtimestamp(float(timestamp), UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    except (OverflowError, OSError, ValueError):
        return None


def chatgpt_conversation_id(source_id: str, create_time: Any) -> str:
    """The causerie id of a ChatGPT conversation: its creation time (sortable) plus a hash of its source id."""
    stamp = "19700101-000000000"
    if isinstance(create_time, int | float) and not isinstance(create_time, bool):
        try:
            moment = datetime.fromtimestamp(float(create_time), UTC)
            stamp = moment.strftime("%Y%m%d-%H%M%S") + f"{moment.microsecond // 1000:03d}"
        except (OverflowError, OSError, ValueError):
            pass
    return f"{stamp}-g{_digest('chatgpt', source_id)[:10]}"


def _text_of(message: dict[str, Any], report: ImportReport, tool: bool = False) -> str | None:
    """The text of a ChatGPT message, or None when it holds nothing causerie can show."""
    content = message.get("content")
    if not isinstance(content, dict):
        return None
    kind = content.get("content_type")
    if tool and isinstance(content.get("text"), str) and content["text"].strip():
        return content["text"]  # code sent to a tool, execution output, browsing display...
    if kind in ("text", "multimodal_text"):
        texts: list[str] = []
        for part in content.get("parts") or []:
            if isinstance(part, str):
                texts.append(part)
            else:
                report.leave_out("images and attachments")
                texts.append("[attachment not imported]")
        text = "\n\n".join(t for t in texts if t)
        return text if text.strip() else None
    # The kind is named in the report when it is a name like ChatGPT's own (`code`, `tether_quote`): the file could
    # hold any text there, and a thousand made-up kinds would make a thousand entries.
    named = isinstance(kind, str) and _KIND_RE.fullmatch(kind)
    report.leave_out(f"{kind if named else 'unknown'} content")
    return None


def _keep(node_message: Any, report: ImportReport) -> tuple[str, str, dict[str, Any], str | None] | None:
    """(role, text, message, tool name) for a node worth importing, else None (counted in the report).

    Tool nodes (a call to ChatGPT's own tools, and their output) are kept to be shown, marked `imported_tool`
    so that they are never sent: they answer no call of a causerie conversation.
    """
    if not isinstance(node_message, dict):
        return None
    author = node_message.get("author") or {}
    role = author.get("role") if isinstance(author, dict) else None
    metadata = node_message.get("metadata") or {}
    if role not in ("user", "assistant", "system", "tool"):
        report.leave_out("messages of unknown authors")
        return None
    if isinstance(metadata, dict) and metadata.get("is_visually_hidden_from_conversation"):
        if role != "system":
            report.leave_out("hidden messages")
        return None
    recipient = node_message.get("recipient")
    tool_name: str | None = None
    if role == "tool":
        tool_name = str(author.get("name") or "tool")
    elif recipient not in (None, "all"):
        tool_name = str(recipient)
    text = _text_of(node_message, report, tool=tool_name is not None)
    if text is None:
        return None
    return role, text, node_message, tool_name


def chatgpt_to_conversation(raw: dict[str, Any], report: ImportReport) -> Conversation:
    """One conversation of a ChatGPT export as a causerie Conversation; raises SchemaError if unusable."""
    mapping = raw.get("mapping")
    if not isinstance(mapping, dict) or not mapping:
        raise SchemaError("no messages (no 'mapping')")
    source_id = str(raw.get("conversation_id") or raw.get("id") or "")
    if not source_id:
        raise SchemaError("no conversation id")
    created = _iso(raw.get("create_time"))
    conversation = Conversation(
        id=chatgpt_conversation_id(source_id, raw.get("create_time")),
        title=str(raw.get("title") or "").strip(),
        created_at=created or _iso(0) or "",
        updated_at=_iso(raw.get("update_time")) or created or "",
        model=str(raw.get("default_model_slug") or ""),
        profile="openai",
        extra={"source": {"kind": "chatgpt", "id": source_id}},
    )
    kept: dict[str, Message] = {}
    parent_of: dict[str, str | None] = {}
    for node_id, node in mapping.items():
        if isinstance(node, dict):
            parent = node.get("parent")
            parent_of[str(node_id)] = str(parent) if isinstance(parent, str) else None
            found = _keep(node.get("message"), report)
            if found is not None:
                role, text, message, tool_name = found
                metadata = message.get("metadata") if isinstance(message.get("metadata"), dict) else {}
                kept[str(node_id)] = Message(
                    kind="imported_tool" if tool_name else None,
                    name=tool_name,
                    role=role,
                    content=text,
                    id="g" + _digest(source_id, str(node_id))[:12],
                    created_at=_iso(message.get("create_time")) or conversation.created_at,
                    model=str(metadata.get("model_slug"))
                    if role == "assistant" and metadata.get("model_slug")
                    else None,
                    finish_reason="stop" if role == "assistant" else None,
                )

    def kept_ancestor(node_id: str | None) -> str | None:
        seen: set[str] = set()
        while node_id is not None and node_id not in kept and node_id not in seen:
            seen.add(node_id)
            node_id = parent_of.get(node_id)
        return node_id if node_id in kept else None

    # Parents before children: the tree order of the export (a walk from the roots).
    order: list[str] = []
    children: dict[str | None, list[str]] = {}
    for node_id in parent_of:
        children.setdefault(parent_of[node_id] if parent_of[node_id] in parent_of else None, []).append(node_id)
    stack = list(reversed(children.get(None, [])))
    visited: set[str] = set()
    while stack:
        node_id = stack.pop()
        if node_id in visited:
            continue
        visited.add(node_id)
        order.append(node_id)
        stack.extend(reversed(children.get(node_id, [])))
    for node_id in order:
        if node_id in kept:
            message = kept[node_id]
            message.parent = kept[a].id if (a := kept_ancestor(parent_of.get(node_id))) else None
            conversation.messages.append(message)
    if all(m.kind == "imported_tool" for m in conversation.messages):
        raise SchemaError("no text messages")
    leaf = kept_ancestor(str(raw.get("current_node"))) if raw.get("current_node") else None
    conversation.active_leaf = kept[leaf].id if leaf else conversation.messages[-1].id
    if not conversation.model:
        conversation.model = next((m.model for m in reversed(conversation.active_path()) if m.model), "") or ""
    if not conversation.title:
        conversation.title = conversation.default_title()
    return conversation


def read_source(path: Path) -> Any:
    """The JSON of an import file (a ChatGPT export .zip is read from its conversations.json)."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                names = [n for n in archive.namelist() if n.rsplit("/", 1)[-1] == "conversations.json"]
                if not names:
                    raise ImportFailed(f"{path}: the archive holds no conversations.json")
                if archive.getinfo(names[0]).file_size > MAX_IMPORT_BYTES:  # declared: refused before inflating
                    raise ImportFailed(_too_large(path))
                raw = _read_capped(archive.open(names[0]), path)
        else:
            with path.open("rb") as handle:
                raw = _read_capped(handle, path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise ImportFailed(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ImportFailed(f"{path}: not valid JSON ({exc})") from None


def _read_capped(handle: BinaryIO, path: Path) -> bytes:
    """All of `handle`, refused past MAX_IMPORT_BYTES (a zip member's declared size can lie: the bytes are counted)."""
    chunks: list[bytes] = []
    size = 0
    with handle:
        while chunk := handle.read(1024 * 1024):
            size += len(chunk)
            if size > MAX_IMPORT_BYTES:
                raise ImportFailed(_too_large(path))
            chunks.append(chunk)
    return b"".join(chunks)


def _too_large(path: Path) -> str:
    return f"{path}: holds more than {MAX_IMPORT_BYTES // 2**20} MiB of JSON: not imported"


def _exists(store: ConversationStore, conversation_id: str) -> bool:
    return store.path_for(conversation_id).exists() or (store.trash_dir / f"{conversation_id}.json").exists()


def import_file(
    store: ConversationStore,
    path: Path,
    progress: Progress | None = None,
    attachments: AttachmentStore | None = None,
) -> ImportReport:
    """Import every conversation in `path` into `store`; raises ImportFailed if the file is unusable as a whole.

    Attached files carried by a causerie export go into `attachments` (never into a conversation file).
    """
    data = read_source(path)
    items = data if isinstance(data, list) else [data]
    report = ImportReport(source=str(path))
    if not items or not all(isinstance(item, dict) for item in items):
        raise ImportFailed(f"{path}: expected a ChatGPT conversations.json or causerie conversation JSON")
    if not any("mapping" in item or item.get("schema") == "causerie.conversation" for item in items):
        raise ImportFailed(f"{path}: neither a ChatGPT export (no 'mapping') nor causerie JSON (no 'schema')")
    total = len(items)
    for done, item in enumerate(items, start=1):
        label = str(item.get("title") or item.get("id") or f"item {done}")[:60]
        try:
            if item.get("schema") == "causerie.conversation":
                carried = item.pop(CARRIED_KEY, None)  # never part of the conversation file
                conversation = Conversation.from_dict(item)
                report.files.add(restore(carried, attachments))
                if attachments is not None:
                    # A file the export carried but that was refused is named by its refusal, not counted here.
                    sent = set(carried) if isinstance(carried, dict) else set()
                    absent = [d for d in referenced(conversation) if d not in sent and not attachments.has(d)]
                    report.files_missing += len(absent)
            else:
                conversation = chatgpt_to_conversation(item, report)
        except (SchemaError, TypeError, ValueError, RecursionError) as exc:
            report.skipped.append((label, str(exc)))
        else:
            if _exists(store, conversation.id):
                report.already_present += 1
            else:
                try:
                    store.save(conversation)
                    report.imported.append(conversation.id)
                except StoreError as exc:
                    report.not_saved.append((label, str(exc)))
        if progress is not None:
            progress(done, total)
    return report
