"""The shell verbs print outside text cleaned: JSON escapes its control and format characters, names are shown."""

from __future__ import annotations

import json

from causerie.core.conversation.models import Conversation, Message
from causerie.core.settings import paths
from causerie.core.storage.store import ConversationStore
from tests.cli.helpers import run_cli

HOSTILE = "t\x9b31m\x9d0;x\x9c \u202eevil\u200b [/b] \x1b]52;c;SGk=\x07"
RAW = ("\x9b", "\x9d", "\u202e", "\u200b", "\x1b", "\x07")


def _saved() -> Conversation:
    conversation = Conversation(title=HOSTILE, model=HOSTILE, profile="openai")
    conversation.append(Message("user", f"find zeppelin {HOSTILE}"))
    conversation.append(Message("assistant", f"zeppelin reply {HOSTILE}", model="m", finish_reason="stop"))
    ConversationStore(paths.data_dir()).save(conversation)
    return conversation


def _clean(output: str) -> bool:
    return not any(char in output for char in RAW)


def test_json_outputs_escape_c1_bidi_and_zero_width_and_keep_the_data() -> None:
    conversation = _saved()
    listed = run_cli("list", "--json")
    assert listed.returncode == 0 and _clean(listed.stdout)
    assert json.loads(listed.stdout)[0]["title"] == HOSTILE  # the same text, written as \u escapes
    found = run_cli("search", "zeppelin", "--json")
    assert found.returncode == 0 and _clean(found.stdout)
    assert json.loads(found.stdout)[0]["title"] == HOSTILE
    exported = run_cli("export", conversation.id, "-f", "json")
    assert exported.returncode == 0 and _clean(exported.stdout)
    assert json.loads(exported.stdout)["title"] == HOSTILE


def test_plain_list_and_a_crafted_file_name_on_stderr_are_cleaned() -> None:
    _saved()
    crafted = paths.data_dir() / "conversations" / "20250101-000000000-\x1b]0;pwned\x07.json"
    crafted.write_text("{not json")
    done = run_cli("list")
    assert done.returncode == 0
    assert _clean(done.stdout) and _clean(done.stderr)
    assert "[/b]" in done.stdout and "␛]0;pwned␇" in done.stderr


def test_export_to_a_file_is_byte_for_byte(tmp_path) -> None:  # noqa: ANN001
    conversation = _saved()
    target = tmp_path / "out.json"
    assert run_cli("export", conversation.id, "-f", "json", "-o", str(target)).returncode == 0
    assert json.loads(target.read_text(encoding="utf-8"))["messages"][1]["content"] == f"zeppelin reply {HOSTILE}"
