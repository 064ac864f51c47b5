"""`causerie import`: a hand-written ChatGPT export with branches, causerie's own JSON, idempotence, bad files."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from causerie.core.conversation.context import request_messages
from causerie.core.conversation.models import Conversation, Message
from causerie.core.interchange.importers import chatgpt_conversation_id
from causerie.core.settings import paths
from causerie.core.storage.store import ConversationStore
from tests.cli.helpers import run_cli

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "chatgpt_export.json"
SOURCE_A = "6f1c2a10-0000-4000-8000-00000000000a"


def _store() -> ConversationStore:
    return ConversationStore(paths.data_dir())


def test_chatgpt_export_keeps_the_tree_as_branches() -> None:
    done = run_cli("import", str(FIXTURE))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "Imported 2 conversation(s); 0 already present; 1 skipped."
    assert "skipped 'Only a picture': no text messages" in done.stdout
    assert "Left out (causerie keeps text only): 1 images and attachments.\n" in done.stdout  # tool nodes are kept
    conversation = _store().load(chatgpt_conversation_id(SOURCE_A, 1704450000.25))
    assert conversation.title == "Reversing lists"
    assert conversation.model == "gpt-4o"
    assert conversation.created_at == "2024-01-05T10:20:00.250000Z"
    assert conversation.extra["source"] == {"kind": "chatgpt", "id": SOURCE_A}
    # current_node is the reply after a tool call: the tool nodes are on the path, shown but never sent.
    assert [(m.role, m.content, m.name) for m in conversation.active_path()] == [
        ("user", "How do I reverse a list in Python?", None),
        ("assistant", "Call `xs.reverse()` to reverse in place.", None),
        ("user", "What does it return?", None),
        ("assistant", "print(xs.reverse())", "python"),
        ("tool", "None", "tool"),
        ("assistant", "It returns `None`.", None),
    ]
    assert [m.kind for m in conversation.active_path()][3:5] == ["imported_tool", "imported_tool"]
    assert [m["role"] for m in request_messages(conversation)] == ["user", "assistant", "user", "assistant"]
    first = conversation.active_path()[0]
    replies = conversation.children(first.id)  # a regenerated answer: two versions of the reply
    assert [m.content for m in replies] == ["Use `xs[::-1]`.", "Call `xs.reverse()` to reverse in place."]
    edits = conversation.children(replies[1].id)  # an edited question: two versions of the next turn
    assert [m.content for m in edits] == [
        "What does it return?",
        "[attachment not imported]\n\nWhat about this screenshot?",
    ]
    assert len(conversation.messages) == 11
    assert all(m.role != "system" for m in conversation.messages)  # the hidden system node is left out


def test_import_twice_creates_no_duplicates() -> None:
    run_cli("import", str(FIXTURE))
    files = sorted(p.name for p in (paths.data_dir() / "conversations").glob("*.json"))
    again = run_cli("import", str(FIXTURE))
    assert again.returncode == 0
    assert again.stdout.splitlines()[0] == "Imported 0 conversation(s); 2 already present; 1 skipped."
    assert sorted(p.name for p in (paths.data_dir() / "conversations").glob("*.json")) == files
    listed = run_cli("list").stdout.splitlines()
    assert [line.split("\t")[2] for line in listed] == ["Haïku", "Reversing lists"]


def test_a_deleted_import_is_not_brought_back() -> None:
    run_cli("import", str(FIXTURE))
    store = _store()
    store.delete(chatgpt_conversation_id(SOURCE_A, 1704450000.25))
    again = run_cli("import", str(FIXTURE))
    assert again.stdout.splitlines()[0] == "Imported 0 conversation(s); 2 already present; 1 skipped."
    assert len(_store().list()) == 1


def test_the_zip_of_a_chatgpt_export(tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(FIXTURE, "conversations.json")
        out.writestr("chat.html", "<html></html>")
    done = run_cli("import", str(archive))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Imported 2 conversation(s)")


def test_causerie_json_round_trip_into_another_home(tmp_path: Path) -> None:
    conversation = Conversation(title="Mine", model="gpt-6-luna")
    conversation.append(Message("user", "hello"))
    conversation.append(Message("assistant", "hi"))
    _store().save(conversation)
    exported = tmp_path / "mine.json"
    assert run_cli("export", conversation.id, "--format", "json", "-o", str(exported)).returncode == 0
    other = {"CAUSERIE_HOME": str(tmp_path / "other-home")}
    first = run_cli("import", str(exported), env=other)
    assert first.stdout.startswith("Imported 1 conversation(s); 0 already present")
    second = run_cli("import", str(exported), env=other)
    assert second.stdout.startswith("Imported 0 conversation(s); 1 already present")
    imported = ConversationStore(tmp_path / "other-home" / "data").load(conversation.id)
    assert imported == conversation


def test_bad_files_fail_clearly(tmp_path: Path) -> None:
    missing = run_cli("import", str(tmp_path / "nope.json"))
    assert missing.returncode == 1 and "cannot read" in missing.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("[{")
    done = run_cli("import", str(broken))
    assert done.returncode == 1 and "not valid JSON" in done.stderr and "Traceback" not in done.stderr
    other = tmp_path / "other.json"
    other.write_text(json.dumps([{"foo": 1}]))
    shape = run_cli("import", str(other))
    assert shape.returncode == 1 and "neither a ChatGPT export" in shape.stderr


def test_a_large_export_is_imported_in_one_go(tmp_path: Path) -> None:
    items = json.loads(FIXTURE.read_text())
    many = []
    for number in range(300):
        item = json.loads(json.dumps(items[1]))
        item["id"] = item["conversation_id"] = f"conv-{number}"
        item["create_time"] = 1704536400.0 + number
        many.append(item)
    big = tmp_path / "conversations.json"
    big.write_text(json.dumps(many))
    done = run_cli("import", str(big))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Imported 300 conversation(s)")
    assert len(_store().list()) == 300


def test_a_content_type_from_the_file_is_named_only_when_it_is_a_plain_name(tmp_path: Path) -> None:
    items = json.loads(FIXTURE.read_text())
    haiku = items[1]
    haiku["mapping"]["b-a"]["message"]["content"]["content_type"] = "x\x1b]0;PWND\x07\x9b8m\u202e[/b]"
    crafted = json.loads(json.dumps(haiku))
    crafted["id"] = crafted["conversation_id"] = "conv-crafted"
    crafted["mapping"]["b-a"]["message"]["content"]["content_type"] = "tether_quote"
    exported = tmp_path / "conversations.json"
    exported.write_text(json.dumps([haiku, crafted]))
    done = run_cli("import", str(exported))
    assert done.returncode == 0, done.stderr
    left_out = "Left out (causerie keeps text only): 1 tether_quote content, 1 unknown content."
    assert done.stdout.splitlines()[-1] == left_out


def test_import_exits_non_zero_when_conversations_cannot_be_saved() -> None:
    data = paths.data_dir()
    data.mkdir(parents=True)
    (data / "conversations").write_text("a file where the folder should be")
    done = run_cli("import", str(FIXTURE))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "2 conversation(s) could not be saved" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_import_larger_than_the_limit_is_refused_before_it_fills_memory(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    import pytest

    from causerie.core.interchange import importers

    monkeypatch.setattr(importers, "MAX_IMPORT_BYTES", 1024 * 1024)
    padded = b"[" + b" " * (2 * 1024 * 1024) + b"]"  # valid JSON, inflating far past the (lowered) limit
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as out:
        out.writestr("conversations.json", padded)
    assert archive.stat().st_size < 64 * 1024
    plain = tmp_path / "big.json"
    plain.write_bytes(padded)
    for source in (archive, plain):
        with pytest.raises(importers.ImportFailed, match="more than 1 MiB of JSON"):
            importers.import_file(_store(), source)
