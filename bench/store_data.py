"""Synthetic conversation histories for the store benchmarks: deterministic, realistic sizes.

Each conversation has 2-60 messages (user questions of 5-60 words, replies of 30-300 words, about one reply
in ten with a 30-200 line code block), English with some French (accents) so that normalization is exercised.
"""

from __future__ import annotations

import os
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from causerie.core.conversation.models import Conversation, Message, Usage
from causerie.core.storage.store import encode_conversation

WORDS = (
    "the a of to and in is it that for on with as you this be are can or by not from at your use will if an "
    "function value file data error list string return server model request python code test case example "
    "question answer time because should could would about which there their when what how why more some "
    "resume cafe creme naive"
).split()
ACCENTED = (
    "résumé café naïve façade déjà très être où ça à élève garçon crème brûlée hôtel forêt noël "
    "Zürich München straße coöperate Ångström señor año niño 東京 Привет"
).split()
ACCENTED_SHARE = 0.03  # about one word in thirty: English with some French, German, Spanish
CODE_LINES = (
    "def handle(request):",
    "    value = compute(request.data, limit=10)",
    "    if value is None:",
    "        raise ValueError('no value')",
    "    for item in items:",
    "        total += item.price * item.quantity",
    "    return {'status': 'ok', 'value': value}",
    "class Cache:",
    "    def __init__(self, size: int) -> None:",
    "        self._entries: dict[str, bytes] = {}",
    "import asyncio",
    "async def main() -> None:",
    "    await asyncio.sleep(0.1)",
)
MARKER = ".bench-complete"


def _sentence(rng: random.Random, count: int) -> str:
    words = rng.choices(WORDS, k=count)
    for _ in range(int(count * ACCENTED_SHARE + rng.random())):
        words[rng.randrange(count)] = rng.choice(ACCENTED)
    words[0] = words[0].capitalize()
    text = " ".join(words)
    return text + "."


def _reply(rng: random.Random) -> str:
    parts = [_sentence(rng, rng.randint(30, 300))]
    if rng.random() < 0.1:
        lines = rng.choices(CODE_LINES, k=rng.randint(30, 200))
        parts.append("```python\n" + "\n".join(lines) + "\n```")
        parts.append(_sentence(rng, rng.randint(5, 40)))
    return "\n\n".join(parts)


def make_conversation(rng: random.Random, when: datetime, messages: int) -> Conversation:
    """One synthetic conversation with `messages` messages, last updated at `when`."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    conversation_id = when.strftime("%Y%m%d-%H%M%S") + f"{when.microsecond // 1000:03d}-{rng.getrandbits(24):06x}"
    conversation = Conversation(id=conversation_id, title="", created_at=stamp, model="gpt-6-luna", profile="openai")
    for index in range(messages):
        if index % 2 == 0:
            message = Message(role="user", content=_sentence(rng, rng.randint(5, 60)) + "?", created_at=stamp)
        else:
            message = Message(
                role="assistant",
                content=_reply(rng),
                created_at=stamp,
                model="gpt-6-luna",
                usage=Usage(rng.randint(10, 4000), rng.randint(10, 800), 0),
                finish_reason="stop",
            )
        message.id = f"m{index:011x}"
        conversation.append(message)
    conversation.title = conversation.default_title()
    conversation.updated_at = stamp
    return conversation


def generate(data_dir: Path, count: int, seed: int = 1) -> Path:
    """Write `count` conversations under `data_dir/conversations` (reused if already complete); returns it."""
    folder = data_dir / "conversations"
    marker = data_dir / MARKER
    if marker.exists() and marker.read_text() == f"{count} {seed}":
        return folder
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for entry in os.scandir(folder):
        os.unlink(entry.path)
    rng = random.Random(seed)
    start = datetime(2022, 1, 1, tzinfo=UTC)
    for n in range(count):
        when = start + timedelta(minutes=97 * n, milliseconds=n % 1000)
        conversation = make_conversation(rng, when, rng.randint(2, 60))
        path = folder / f"{conversation.id}.json"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(encode_conversation(conversation))
    marker.write_text(f"{count} {seed}")
    return folder


def long_conversation(messages: int = 1000, seed: int = 2) -> Conversation:
    """A conversation of `messages` messages, for the save benchmark."""
    return make_conversation(random.Random(seed), datetime(2024, 5, 1, tzinfo=UTC), messages)
