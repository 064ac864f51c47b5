"""Saved histories for the startup, open and memory scenarios.

Many conversations come from the store benchmark's generator (bench/store_data.py) when it is there; a long
conversation to open is built here from Markdown replies, which is what the renderer has to draw.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from causerie.core.conversation.models import Conversation, Message
from causerie.core.storage.store import encode_conversation

from .corpus import markdown_reply


def markdown_conversation(messages: int, seed: int = 7) -> Conversation:
    """A conversation of `messages` messages: short questions, Markdown replies of 50-400 pieces."""
    rng = random.Random(seed)
    stamp = "2025-06-01T12:00:00.000000Z"
    conversation = Conversation(
        id=f"20250601-120000000-{rng.getrandbits(24):06x}", created_at=stamp, model="gpt-6-luna", profile="openai"
    )
    for index in range(messages):
        if index % 2 == 0:
            message = Message(role="user", content=f"Question {index // 2 + 1}: how does part {index} work?")
        else:
            message = Message(
                role="assistant",
                content=markdown_reply(rng.randint(50, 400), seed=index),
                model="gpt-6-luna",
                finish_reason="stop",
            )
        message.created_at = stamp
        message.id = f"m{index:011x}"
        conversation.append(message)
    conversation.title = conversation.default_title()
    conversation.updated_at = stamp
    return conversation


def write_conversations(data_dir: Path, count: int, seed: int = 1) -> Path:
    """`count` saved conversations under `data_dir/conversations` (reused when already there)."""
    try:
        from . import store_data
    except ImportError:
        return _write_simple(data_dir, count, seed)
    return store_data.generate(data_dir, count, seed)


def fresh_history(data_dir: Path, count: int, seed: int = 1) -> Path:
    """A data directory holding only `count` conversation files (no index database), like a first start.

    The files are generated once into `$TMPDIR/causerie-bench-histories-<count>-<seed>` (10,000 take ~20 s) and
    hard-linked from there (copied where links fail): causerie replaces files, it never writes into them.
    """
    cache = Path(tempfile.gettempdir()) / f"causerie-bench-histories-{count}-{seed}"
    source = write_conversations(cache, count, seed)
    folder = data_dir / "conversations"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for entry in os.scandir(source):
        target = folder / entry.name
        try:
            os.link(entry.path, target)
        except OSError:
            shutil.copy2(entry.path, target)
    return folder


def _write_simple(data_dir: Path, count: int, seed: int) -> Path:
    folder = data_dir / "conversations"
    marker = data_dir / ".bench-complete"
    if marker.exists() and marker.read_text() == f"{count} {seed}":
        return folder
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for entry in os.scandir(folder):
        os.unlink(entry.path)
    rng = random.Random(seed)
    start = datetime(2022, 1, 1, tzinfo=UTC)
    for n in range(count):
        when = start + timedelta(minutes=97 * n)
        stamp = when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        conversation = Conversation(
            id=when.strftime("%Y%m%d-%H%M%S") + f"000-{rng.getrandbits(24):06x}",
            created_at=stamp,
            model="gpt-6-luna",
            profile="openai",
        )
        for index in range(rng.randint(2, 60)):
            role = "user" if index % 2 == 0 else "assistant"
            text = f"Message {index} of conversation {n}. " * rng.randint(2, 40)
            message = Message(role=role, content=text, created_at=stamp)
            message.id = f"m{index:011x}"
            conversation.append(message)
        conversation.title = f"Conversation {n}"
        conversation.updated_at = stamp
        path = folder / f"{conversation.id}.json"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(encode_conversation(conversation))
    marker.write_text(f"{count} {seed}")
    return folder
