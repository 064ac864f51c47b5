"""The draft file: what the user typed and has not sent, kept exactly (lone surrogates included)."""

from __future__ import annotations

from pathlib import Path

from causerie.core.attachments.record import Attachment
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


def test_the_trays_attachments_round_trip_apart_from_the_text_and_a_bad_file_is_none(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    key = CONVERSATION
    assert store.load_attachments(key) == []
    chips = [
        Attachment("notes \ud800 half.txt", "a" * 64, "text/plain", 12),
        Attachment("shot.png", "b" * 64, "image/png", 300, 6, 4, "auto"),
    ]
    store.save_attachments(key, chips)
    assert store.load_attachments(key) == chips
    path = tmp_path / "drafts" / f"{key}.attachments.json"
    assert path.stat().st_mode & 0o777 == 0o600
    store.save(key, "words")
    store.save(key, "")  # the text emptied: the chips stay
    assert store.load_attachments(key) == chips
    store.save_attachments(key, [])
    assert not path.exists()
    for bad in (b"[", b"{}", b'[{"name": "x"}]', b"\xff", b"[" * 100_000):
        path.write_bytes(bad)
        assert store.load_attachments(key) == []
    store.save(key, "words")
    store.save_attachments(key, chips)
    store.discard(key)  # sent: text and chips go together
    assert store.load(key) == "" and store.load_attachments(key) == []


def test_discarding_a_draft_forgets_its_text_its_edit_and_its_files(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.save(CONVERSATION, "text")
    store.save_edit(CONVERSATION, EditDraft("m1", "an edit"))
    store.discard(CONVERSATION)
    assert store.load(CONVERSATION) == "" and store.load_edit(CONVERSATION) is None
    assert list((tmp_path / "drafts").iterdir()) == []
