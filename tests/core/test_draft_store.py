"""The draft file: what the user typed and has not sent, kept exactly (lone surrogates included)."""

from __future__ import annotations

from pathlib import Path

from causerie.core.storage.drafts import DraftStore, EditDraft

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


def test_an_edit_round_trips_exactly_and_a_bad_file_is_no_edit(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    key = CONVERSATION
    assert store.load_edit(key) is None
    edit = EditDraft("m\ud800", "half \ud83d an emoji")
    store.save_edit(key, edit)
    assert store.load_edit(key) == edit
    assert store.load(key) == ""  # the draft below is its own file
    store.save_edit(key, None)
    assert store.load_edit(key) is None
    for bad in (b"[", b"[1]", b'{"message": 1, "text": "x"}', b"[" * 100_000):
        (tmp_path / "drafts" / f"{key}.edit.json").write_bytes(bad)
        assert store.load_edit(key) is None
