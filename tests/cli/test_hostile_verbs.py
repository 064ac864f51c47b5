"""The shell verbs print outside text cleaned: JSON escapes its control and format characters, names are shown."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from causerie.core.conversation.models import Conversation, Message
from causerie.core.settings import paths
from causerie.core.storage.database import INDEX_FILE
from causerie.core.storage.store import ConversationStore
from causerie.testing.fake_openai import FakeOpenAI
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


ESCAPED_NAME = "20250101-000000000-\x1b]0;pwned\x07\x1b[2J\x9b31m\u202eevil\nx.json"


def _tree(top: Path) -> dict[str, tuple[int, bytes | None]]:
    """Every entry under `top` (itself included): its mode, and the bytes of a file. The index is derived and left
    out: each verb brings it in line with the files."""
    entries = [top, *top.rglob("*")] if top.is_dir() else [top]
    return {
        str(path.relative_to(top.parent)): (path.lstat().st_mode, path.read_bytes() if path.is_file() else None)
        for path in entries
        if not path.name.startswith(INDEX_FILE)
    }


def _read_only(data: Path) -> None:
    _saved()
    ConversationStore(data).close()
    for path in data.rglob(f"{INDEX_FILE}*"):
        path.unlink()
    for path in sorted([data, *data.rglob("*")], reverse=True):
        path.chmod(0o500 if path.is_dir() else 0o400)


def _a_file(data: Path) -> None:
    data.parent.mkdir(parents=True)
    data.write_text("not a directory\n")


def _escaped_name(data: Path) -> None:
    _saved()
    (data / "conversations" / ESCAPED_NAME).write_text("{not json")


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (_read_only, "data cannot be written: nothing can be saved there (chmod 700 "),
        (_a_file, "data is not a directory: move it away"),
        (_escaped_name, "Unreadable, left untouched: "),
    ],
    ids=["read-only", "a-file", "escape-sequences-in-a-file-name"],
)
def test_doctor_on_a_broken_data_directory_says_so_in_one_clean_line_and_writes_nothing(
    server: FakeOpenAI, make: Callable[[Path], None], problem: str
) -> None:
    data = paths.data_dir()
    make(data)
    home = data.parent
    before = _tree(home)
    try:
        done = run_cli(
            "doctor", env={"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "sk-x"}, file_modes_bind=True
        )
        after = _tree(home)
    finally:
        for path in [data, *data.rglob("*")] if data.is_dir() else []:
            path.chmod(0o700)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr == "" and _clean(done.stdout)
    failures = [line for line in done.stdout.splitlines() if line.startswith("[FAIL]")]
    assert len(failures) == 1 and problem in failures[0], done.stdout
    assert done.stdout.splitlines()[-1] == "1 problem(s) found."
    assert after == before


@pytest.mark.parametrize("verb", [("list",), ("list", "--json"), ("search", "hi")])
def test_an_unreadable_conversations_folder_is_one_line_not_a_traceback(verb: tuple[str, ...]) -> None:
    store = ConversationStore(paths.data_dir())
    conversation = Conversation(title="kept")
    conversation.append(Message(role="user", content="hi"))
    store.save(conversation)
    store.close()
    folder = paths.data_dir() / "conversations"
    folder.chmod(0)
    try:
        done = run_cli(*verb, file_modes_bind=True)
    finally:
        folder.chmod(0o700)
    assert done.returncode == 1
    assert done.stderr == f"causerie: cannot read {folder}: Permission denied\n"
    assert done.stdout == ""
    assert ConversationStore(paths.data_dir()).load(conversation.id).title == "kept"


CRAFTED_TIME = "\x1b]0;PWND\x1b\\\x1b[8m\x9b8m"


@pytest.mark.parametrize("verb", [("list",), ("search", "zeppelin")])
def test_a_time_that_is_not_a_time_is_shown_as_no_date(verb: tuple[str, ...]) -> None:
    conversation = _saved()
    path = ConversationStore(paths.data_dir()).path_for(conversation.id)
    document = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(dict(document, created_at=CRAFTED_TIME, updated_at=CRAFTED_TIME)), encoding="utf-8")
    done = run_cli(*verb)
    assert done.returncode == 0, done.stderr
    assert _clean(done.stdout) and done.stderr == ""
    assert done.stdout.splitlines()[0].split("\t")[:2] == [conversation.id, ""]
    assert json.loads(path.read_text(encoding="utf-8"))["updated_at"] == CRAFTED_TIME  # the file is left as it was
