"""Older schema versions are migrated on load (never rewritten by a read) and validate afterwards."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from causerie.core.conversation.models import SCHEMA_VERSION, Conversation
from causerie.core.settings import paths
from causerie.core.storage.store import ConversationStore

FIXTURE = Path(__file__).parent / "fixtures" / "20230412-081500000-0a1b2c.json"


def test_version_0_fixture_is_migrated_and_validates() -> None:
    store = ConversationStore(paths.data_dir())
    store.conversations_dir.mkdir(parents=True)
    path = store.conversations_dir / FIXTURE.name
    shutil.copyfile(FIXTURE, path)
    original = path.read_bytes()
    assert json.loads(original)["version"] == 0

    [summary] = store.list()
    assert (summary.title, summary.message_count) == ("Une recette de crêpes", 5)
    conversation = store.load(FIXTURE.stem)
    path_messages = conversation.active_path()
    assert [m.role for m in path_messages] == ["system", "user", "assistant", "user", "assistant"]
    assert path_messages[0].parent is None
    assert all(m.parent == p.id for p, m in zip(path_messages, path_messages[1:], strict=False))
    assert len({m.id for m in path_messages}) == 5
    assert path_messages[2].usage is not None and path_messages[2].usage.total_tokens == 38
    assert path.read_bytes() == original  # reading never rewrites
    store.refresh_index()  # the file was put there behind the store: its text is indexed now
    assert store.search("sarrasin")[0].message_id == path_messages[4].id

    store.save(conversation)  # the next save writes the current version
    data = json.loads(path.read_bytes())
    assert data["version"] == SCHEMA_VERSION
    again = Conversation.from_dict(data)
    assert again == conversation
    assert ConversationStore(paths.data_dir()).load(FIXTURE.stem) == conversation
