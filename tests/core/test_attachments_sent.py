"""Attachments on the wire: the loopback server records the exact content parts of every request."""

from __future__ import annotations

import base64
from pathlib import Path

from causerie.core.attachments.intake import Limits, attach_file
from causerie.core.attachments.store import default_store
from causerie.core.chat.client import ChatClient
from causerie.core.conversation.models import Conversation, Message
from causerie.core.engine.engine import Engine
from causerie.core.engine.events import Finished
from causerie.core.engine.saving import SaveQueue
from causerie.core.settings import paths
from causerie.core.settings.config import load_settings
from causerie.core.storage.store import ConversationStore
from causerie.testing.fake_openai import FakeOpenAI, Reply
from tests.attachment_files import jpeg


async def test_text_and_image_parts_are_sent_and_resent_on_the_next_turn(server: FakeOpenAI, tmp_path: Path) -> None:
    work = tmp_path / "project"
    work.mkdir()
    (work / "notes.txt").write_text("first line\n")
    (work / "photo.jpg").write_bytes(jpeg(800, 600))
    store = default_store()  # the data directory's, where the engine reads them from
    limits = Limits(detail="high")
    attachments = [attach_file(n, store, cwd=work, limits=limits).attachment for n in ("notes.txt", "photo.jpg")]
    conversations = ConversationStore(paths.data_dir())
    conversation = Conversation(model="gpt-6-luna")
    conversation.append(Message(role="user", content="Describe", attachments=attachments))
    client = ChatClient(base_url=server.base_url, api_key="sk-attach-test")
    saves = SaveQueue(conversations)
    engine = Engine(client, saves)
    try:
        server.queue(Reply(text="A photo."), Reply(text="Yes."))
        events = [e async for e in engine.run(conversation, "gpt-6-luna")]
        assert isinstance(events[-1], Finished)
        conversation.append(Message(role="user", content="Sure?"))
        events = [e async for e in engine.run(conversation, "gpt-6-luna")]
        assert isinstance(events[-1], Finished)
    finally:
        saves.close()
        await client.close()
    url = "data:image/jpeg;base64," + base64.b64encode(jpeg(800, 600)).decode()
    expected = [
        {"type": "text", "text": "Describe\n\nnotes.txt\n```text\nfirst line\n```"},
        {"type": "image_url", "image_url": {"url": url, "detail": "high"}},
    ]
    first, second = (r.body["messages"] for r in server.chat_requests())
    assert first == [{"role": "user", "content": expected}]
    assert second[0] == {"role": "user", "content": expected}  # every later turn sends them again
    assert second[1:] == [{"role": "assistant", "content": "A photo."}, {"role": "user", "content": "Sure?"}]
    saved = ConversationStore(paths.data_dir()).load(conversation.id)
    assert [a.sha256 for a in saved.messages[0].attachments] == [a.sha256 for a in attachments]


def test_attachment_settings_come_from_the_config_file(causerie_home: Path) -> None:
    config = causerie_home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[attachments]\nmax_text_bytes = 2000\ndetail = "low"\n')
    settings = load_settings({"profile": "ollama"})
    assert (settings.attach_max_text_bytes, settings.attach_max_image_bytes, settings.image_detail) == (
        2000,
        20_000_000,
        "low",
    )
    assert not settings.accepts_pdf and load_settings({"profile": "openai"}).accepts_pdf


def test_a_bad_attachment_setting_names_the_line(causerie_home: Path) -> None:
    import pytest

    from causerie.core.settings.config import ConfigError

    config = causerie_home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('model = "x"\n[attachments]\ndetail = "ultra"\n')
    with pytest.raises(ConfigError, match=r"line 3: detail in \[attachments\] must be"):
        load_settings({})
