"""Attachments in core: kinds by content, the content-addressed store, each bad input, what is sent, estimates."""

from __future__ import annotations

import base64
import os
import stat
import time
from pathlib import Path

import pytest

from causerie.core.attachments import kinds
from causerie.core.attachments.intake import AttachmentError, Limits, attach_file, shown_name
from causerie.core.attachments.record import Attachment
from causerie.core.attachments.sending import image_tokens, language_for, message_content
from causerie.core.attachments.store import GRACE_SECONDS, AttachmentStore
from causerie.core.conversation.context import estimate_messages, plan, request_messages
from causerie.core.conversation.models import Conversation, Message
from causerie.core.storage.store import ConversationStore
from tests.attachment_files import gif, jpeg, png, webp


@pytest.fixture
def store(tmp_path: Path) -> AttachmentStore:
    return AttachmentStore(tmp_path / "data")


@pytest.fixture
def work(tmp_path: Path) -> Path:
    directory = tmp_path / "project"
    directory.mkdir()
    return directory


@pytest.mark.parametrize(
    ("data", "mime", "size"),
    [
        (png(3, 2), "image/png", (3, 2)),
        (jpeg(640, 480), "image/jpeg", (640, 480)),
        (gif(17, 9), "image/gif", (17, 9)),
        (webp(300, 200), "image/webp", (300, 200)),
    ],
)
def test_images_are_recognised_by_content_with_their_pixel_size(data: bytes, mime: str, size: tuple) -> None:
    found = kinds.detect(data)
    assert (found.kind, found.mime, (found.width, found.height)) == (kinds.IMAGE, mime, size)


def test_text_pdf_and_binary_are_told_apart_by_content() -> None:
    assert kinds.detect(b"print('hi')\n").kind == kinds.TEXT
    assert kinds.detect("é à ü\n".encode("latin-1")).kind == kinds.TEXT  # not UTF-8, still text
    assert kinds.detect(b"%PDF-1.7\n...").kind == kinds.PDF
    assert kinds.detect(b"\x7fELF\x02\x01\x01\x00\x00\x00").kind == kinds.BINARY


def test_a_text_file_is_stored_once_by_content_private_and_never_linked(work: Path, store: AttachmentStore) -> None:
    (work / "src").mkdir()
    source = work / "src" / "app.py"
    source.write_text("print('hi')\n")
    first = attach_file("src/app.py", store, cwd=work).attachment
    (work / "copy.py").write_bytes(source.read_bytes())
    second = attach_file(work / "copy.py", store, cwd=work).attachment
    assert first.sha256 == second.sha256 and store.stored() == [first.sha256]  # dedup
    stored = store.path_for(first.sha256)
    info = stored.lstat()
    assert stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o600
    assert stored.read_bytes() == b"print('hi')\n"
    assert (first.name, first.mime, first.bytes) == ("src/app.py", "text/plain; charset=utf-8", 12)
    source.write_text("changed later\n")
    assert stored.read_bytes() == b"print('hi')\n"  # a copy: editing the original changes nothing sent


def test_the_name_is_never_absolute(work: Path, tmp_path: Path) -> None:
    assert shown_name(Path("a/b.txt"), work) == "a/b.txt"
    assert shown_name(work / "a" / "b.txt", work) == "a/b.txt"
    assert shown_name(tmp_path / "elsewhere" / "secret.txt", work) == "secret.txt"
    assert shown_name(Path("../elsewhere/x.md"), work) == "x.md"


def test_a_symlink_is_followed_to_a_regular_file_and_the_copy_is_real(work: Path, store: AttachmentStore) -> None:
    (work / "real.txt").write_text("content\n")
    (work / "link.txt").symlink_to(work / "real.txt")
    record = attach_file("link.txt", store, cwd=work).attachment
    assert record.name == "link.txt"
    assert not store.path_for(record.sha256).is_symlink()
    (work / "dirlink").symlink_to(work)
    with pytest.raises(AttachmentError, match="is a directory"):
        attach_file("dirlink", store, cwd=work)
    (work / "dangling").symlink_to(work / "gone")
    with pytest.raises(AttachmentError, match="no such file"):
        attach_file("dangling", store, cwd=work)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: None, "missing.txt: no such file"),
        (lambda d: (d / "missing.txt").mkdir(), "is a directory"),
        (lambda d: os.mkfifo(d / "missing.txt"), "not a regular file"),
        (lambda d: (d / "missing.txt").write_bytes(b"\x7fELF\x00\x00\x01\x02" * 10), "binary content"),
        (lambda d: (d / "missing.txt").write_bytes(b"%PDF-1.4\n"), "is a PDF"),
        (lambda d: (d / "missing.txt").write_text("x" * 1001), "too large"),
        (lambda d: (d / "missing.txt").write_bytes(png(40, 40)), "too large"),
    ],
)
def test_each_bad_input_is_refused_with_a_clear_message_and_nothing_stored(
    work: Path, store: AttachmentStore, setup, message: str
) -> None:  # noqa: ANN001
    setup(work)
    with pytest.raises(AttachmentError, match=message):
        attach_file("missing.txt", store, cwd=work, limits=Limits(max_text_bytes=1000, max_image_bytes=60))
    assert store.stored() == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_refused(work: Path, store: AttachmentStore) -> None:
    secret = work / "secret.txt"
    secret.write_text("no\n")
    secret.chmod(0)
    with pytest.raises(AttachmentError, match="cannot be read"):
        attach_file(secret, store, cwd=work)
    assert store.stored() == []


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux's /proc")
def test_a_file_whose_read_fails_is_refused(work: Path, store: AttachmentStore) -> None:
    # A regular file by its mode whose read fails at offset 0 (EIO): what a failing disk or a revoked mount does.
    with pytest.raises(AttachmentError, match="cannot be read"):
        attach_file("/proc/self/mem", store, cwd=work)
    assert store.stored() == []


def test_text_that_is_not_utf8_is_sent_with_replacements_and_the_user_told(work: Path, store: AttachmentStore) -> None:
    (work / "notes.csv").write_bytes("caf\xe9;1\n".encode("latin-1"))
    attached = attach_file("notes.csv", store, cwd=work)
    assert "not valid UTF-8" in attached.note and "1 byte" in attached.note
    assert store.read(attached.attachment.sha256) == "caf\xe9;1\n".encode("latin-1")  # the original kept
    content = message_content("", [attached.attachment], store)
    assert content == "notes.csv\n```csv\ncaf\ufffd;1\n```"


def test_a_pdf_is_a_file_part_where_the_profile_takes_them(work: Path, store: AttachmentStore) -> None:
    (work / "paper.pdf").write_bytes(b"%PDF-1.4\nhello\n%%EOF\n")
    record = attach_file("paper.pdf", store, cwd=work, limits=Limits(accepts_pdf=True)).attachment
    encoded = base64.b64encode(b"%PDF-1.4\nhello\n%%EOF\n").decode()
    assert message_content("Read it", [record], store) == [
        {"type": "text", "text": "Read it"},
        {"type": "file", "file": {"filename": "paper.pdf", "file_data": f"data:application/pdf;base64,{encoded}"}},
    ]


def test_what_is_sent_text_blocks_then_image_parts(work: Path, store: AttachmentStore) -> None:
    (work / "main.rs").write_text("fn main() {}\n")
    (work / "shot.png").write_bytes(png(2, 2))
    text = attach_file("main.rs", store, cwd=work).attachment
    image = attach_file("shot.png", store, cwd=work, limits=Limits(detail="low")).attachment
    assert (image.width, image.height, image.detail) == (2, 2, "low")
    url = "data:image/png;base64," + base64.b64encode(png(2, 2)).decode()
    assert message_content("Why?", [text, image], store) == [
        {"type": "text", "text": "Why?\n\nmain.rs\n```rust\nfn main() {}\n```"},
        {"type": "image_url", "image_url": {"url": url, "detail": "low"}},
    ]
    assert message_content("Why?", [text], store) == "Why?\n\nmain.rs\n```rust\nfn main() {}\n```"


def test_a_fence_inside_the_file_cannot_close_the_block(work: Path, store: AttachmentStore) -> None:
    (work / "README.md").write_text("a\n```\nb\n")
    record = attach_file("README.md", store, cwd=work).attachment
    assert message_content("", [record], store) == "README.md\n````markdown\na\n```\nb\n````"


def test_languages_from_extensions() -> None:
    assert [language_for(n) for n in ("a.py", "B.TS", "Dockerfile", "x.unknown", "noext")] == [
        "python",
        "typescript",
        "dockerfile",
        "",
        "",
    ]


def test_image_token_estimates_follow_the_published_rule() -> None:
    assert image_tokens(4000, 3000, "low") == 85
    assert image_tokens(1024, 1024, "high") == 85 + 170 * 4  # scaled to 768x768: 2x2 tiles
    assert image_tokens(2048, 4096, "auto") == 85 + 170 * 6  # to 1024x2048, then 768x1536: 2x3 tiles
    assert image_tokens(None, None, "auto") == 765


def test_every_turn_resends_the_attachments_and_the_meter_counts_them(work: Path, store: AttachmentStore) -> None:
    (work / "shot.png").write_bytes(png(1024, 1024))
    image = attach_file("shot.png", store, cwd=work).attachment
    conversation = Conversation()
    conversation.append(Message(role="user", content="What is it?", attachments=[image]))
    conversation.append(Message(role="assistant", content="A grey square."))
    conversation.append(Message(role="user", content="Sure?"))
    messages = request_messages(conversation, store=store)
    assert messages[0]["content"][1]["image_url"]["url"].startswith("data:image/png;base64,")
    assert messages[2]["content"] == "Sure?"
    without = Conversation()
    without.append(Message(role="user", content="What is it?"))
    without.append(Message(role="assistant", content="A grey square."))
    without.append(Message(role="user", content="Sure?"))
    assert plan(conversation, 100_000).tokens - plan(without, 100_000).tokens == 85 + 170 * 4
    assert estimate_messages(messages) - estimate_messages(request_messages(without)) == 85 + 170 * 4
    assert plan(conversation, 100_000, with_messages=False).messages == []


def test_a_missing_stored_file_is_said_in_the_request_not_a_crash(store: AttachmentStore) -> None:
    gone = Attachment("notes.txt", "0" * 64, "text/plain; charset=utf-8", 5)
    assert message_content("Hi", [gone], store) == (
        "Hi\n\n[notes.txt: the attached file is no longer in causerie's attachment store]"
    )


def test_attachments_survive_a_save_and_load(tmp_path: Path, work: Path) -> None:
    conversations = ConversationStore(tmp_path / "data")
    attachments = AttachmentStore(tmp_path / "data")
    (work / "a.gif").write_bytes(gif(5, 6))
    record = attach_file("a.gif", attachments, cwd=work).attachment
    conversation = Conversation()
    conversation.append(Message(role="user", content="Look", attachments=[record]))
    conversation.append(Message(role="assistant", content="Seen"))
    conversations.save(conversation)
    loaded = ConversationStore(tmp_path / "data").load(conversation.id)
    assert loaded.messages[0].attachments == [record]
    assert "attachments" not in loaded.messages[1].to_dict()  # written only when set
    entry = {"name": "a.gif", "sha256": record.sha256, "mime": "image/gif", "bytes": len(gif(5, 6))}
    entry |= {"width": 5, "height": 6, "detail": "auto"}
    assert loaded.messages[0].to_dict()["attachments"] == [entry]


def past_the_grace_period(attachments: AttachmentStore) -> None:
    """Every stored file older than the grace that keeps a file just attached in the prompt."""
    old = time.time() - 2 * GRACE_SECONDS
    for digest in attachments.stored():
        os.utime(attachments.path_for(digest), (old, old))


def test_purging_the_trash_removes_attachments_nobody_references(tmp_path: Path, work: Path) -> None:
    conversations = ConversationStore(tmp_path / "data")
    attachments = AttachmentStore(tmp_path / "data")
    (work / "kept.txt").write_text("kept\n")
    (work / "gone.txt").write_text("gone\n")
    (work / "shared.txt").write_text("shared\n")
    kept, gone, shared = (
        attach_file(n, attachments, cwd=work).attachment for n in ("kept.txt", "gone.txt", "shared.txt")
    )
    live, trashed = Conversation(), Conversation()
    live.append(Message(role="user", content="a", attachments=[kept, shared]))
    trashed.append(Message(role="user", content="b", attachments=[gone, shared]))
    conversations.save(live)
    conversations.save(trashed)
    conversations.delete(trashed.id)
    past_the_grace_period(attachments)
    (work / "fresh.txt").write_text("just attached in the prompt\n")
    fresh = attach_file("fresh.txt", attachments, cwd=work).attachment
    assert conversations.purge_trash() == 1
    assert sorted(attachments.stored()) == sorted([kept.sha256, shared.sha256, fresh.sha256])


def test_a_file_too_deep_to_read_keeps_every_attachment(tmp_path: Path, work: Path) -> None:
    conversations = ConversationStore(tmp_path / "data")
    attachments = AttachmentStore(tmp_path / "data")
    (work / "only.txt").write_text("named by no readable file\n")
    only = attach_file("only.txt", attachments, cwd=work).attachment
    trashed = Conversation()
    trashed.append(Message(role="user", content="b"))
    conversations.save(trashed)
    conversations.delete(trashed.id)
    deep = conversations.conversations_dir / "20200101-000000000-00000d.json"
    deep.write_text('{"attachments": ' + "[" * 100_000 + "]" * 100_000 + "}")
    past_the_grace_period(attachments)
    assert conversations.purge_trash() == 1
    assert attachments.stored() == [only.sha256]  # it may be named deep inside: nobody can tell, nothing goes
    assert deep.exists()


def test_a_bad_attachment_entry_makes_the_file_invalid() -> None:
    from causerie.core.conversation.models import SchemaError

    bad = {"id": "m1", "parent": None, "role": "user", "content": "x", "attachments": [{"name": "a", "sha256": "../x"}]}
    with pytest.raises(SchemaError, match="sha256"):
        Message.from_dict(bad)


def test_a_refused_image_gets_its_own_sentence_and_ways_out() -> None:
    from causerie.core.chat.errors import classify
    from causerie.core.chat.way_out import PICK_MODEL, RETRY, WITHOUT_ATTACHMENTS, way_out

    openai_says = {"error": {"message": "Invalid content type. image_url is only supported by certain models."}}
    error = classify(status=400, body=openai_says)
    found = way_out(error, attachments=True)
    assert found.actions == (WITHOUT_ATTACHMENTS, PICK_MODEL) and "did not accept the attached image" in found.text
    assert way_out(error, attachments=False).actions == (RETRY,)  # no attachment on the path: the usual sentence
    other = classify(status=400, body={"error": {"message": "temperature must be at most 2"}})
    assert way_out(other, attachments=True).actions == (RETRY,)


def test_export_to_markdown_lists_the_attachments(store: AttachmentStore, work: Path) -> None:
    from causerie.core.interchange.export import conversation_to_markdown

    (work / "shot.png").write_bytes(png(6, 4))
    record = attach_file("shot.png", store, cwd=work).attachment
    conversation = Conversation(title="Pictures")
    conversation.append(Message(role="user", content="Look", attachments=[record]))
    text = conversation_to_markdown(conversation)
    assert (
        f"Look\n\nAttachments:\n- shot.png · {len(png(6, 4))} B · 6×4 (image/png, sha256 {record.sha256[:12]}…)" in text
    )


def test_purging_the_trash_keeps_what_a_drafts_tray_names(tmp_path: Path, work: Path) -> None:
    from causerie.core.storage.drafts import NEW_CONVERSATION, DraftStore

    conversations = ConversationStore(tmp_path / "data")
    attachments = AttachmentStore(tmp_path / "data")
    drafts = DraftStore(tmp_path / "data")
    (work / "chip.txt").write_text("attached to the message being written\n")
    (work / "gone.txt").write_text("only in the trash\n")
    chip, gone = (attach_file(n, attachments, cwd=work).attachment for n in ("chip.txt", "gone.txt"))
    drafts.save_attachments(NEW_CONVERSATION, [chip])
    trashed = Conversation()
    trashed.append(Message(role="user", content="b", attachments=[gone, chip]))
    conversations.save(trashed)
    conversations.delete(trashed.id)
    past_the_grace_period(attachments)
    assert conversations.purge_trash() == 1
    assert attachments.stored() == [chip.sha256]
    drafts.save_attachments(NEW_CONVERSATION, [])
    assert conversations.purge_trash() == 0
    assert attachments.stored() == []


def test_purging_the_trash_keeps_what_a_queued_prompt_names(tmp_path: Path, work: Path) -> None:
    from causerie.core.storage.queued import QueuedPrompt, QueueStore

    conversations = ConversationStore(tmp_path / "data")
    attachments = AttachmentStore(tmp_path / "data")
    (work / "queued.txt").write_text("goes with a prompt queued while a reply streamed\n")
    record = attach_file("queued.txt", attachments, cwd=work).attachment
    live = Conversation()
    live.append(Message(role="user", content="a"))
    conversations.save(live)
    QueueStore(tmp_path / "data").save(live.id, [QueuedPrompt("two", (record,))])
    trashed = Conversation()
    trashed.append(Message(role="user", content="b"))
    conversations.save(trashed)
    conversations.delete(trashed.id)
    past_the_grace_period(attachments)
    assert conversations.purge_trash() == 1
    assert attachments.stored() == [record.sha256]
