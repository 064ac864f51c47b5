"""The draft file: what the user typed and has not sent, kept exactly (lone surrogates included)."""

from __future__ import annotations

from pathlib import Path

from causerie.core.storage.drafts import DraftStore

CONVERSATION = "20260314-150000000-abcdef"


def test_a_draft_round_trips_exactly_even_with_lone_surrogates(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    for text in ("plain words\nand lines", "high \ud800 low \udfff escaped-byte \udc80 end"):
        store.save(CONVERSATION, text)
        assert store.load(CONVERSATION) == text
        assert store.path_for(CONVERSATION).stat().st_mode & 0o777 == 0o600


def test_a_file_that_is_not_utf8_still_loads_readably(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    path = store.path_for(CONVERSATION)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"caf\xe9 au lait")
    assert store.load(CONVERSATION) == "caf\ufffd au lait"
