"""The other verbs in a subprocess: help and version, config, list, show, export, search, doctor."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from causerie.core.conversation.models import Conversation, Message
from causerie.core.settings import paths
from causerie.core.storage.store import ConversationStore, encode_conversation
from causerie.testing.fake_openai import FakeOpenAI
from tests.cli.helpers import SRC, run_cli

VERBS = ["ask", "open", "list", "show", "export", "search", "import", "doctor", "config"]


def _saved(title: str = "Sorting lists", answer: str = "Use sorted(xs).") -> Conversation:
    conversation = Conversation(title=title, model="gpt-6-luna", profile="openai")
    conversation.append(Message("user", "How do I sort a list in Python?"))
    conversation.append(Message("assistant", answer, model="gpt-6-luna", finish_reason="stop"))
    ConversationStore(paths.data_dir()).save(conversation)
    return conversation


def test_help_and_version_on_every_verb_never_show_the_key() -> None:
    secret = "sk-help-secret-0123456789"
    for verb in [None, *VERBS]:
        args = [verb] if verb else []
        helped = run_cli(*args, "--help", env={"OPENAI_API_KEY": secret})
        assert helped.returncode == 0, (verb, helped.stderr)
        assert "usage: causerie" in helped.stdout
        assert secret not in helped.stdout
        assert "--api-key" not in helped.stdout
    versions = [run_cli(*([v] if v else []), "--version") for v in (None, "ask", "list", "doctor")]
    assert all(v.returncode == 0 and v.stdout.strip() == "causerie 0.1.0" for v in versions)


def test_unknown_verb_or_option_is_a_usage_error() -> None:
    assert run_cli("frobnicate").returncode == 2
    assert run_cli("list", "--api-key", "sk-x").returncode == 2


def test_config_path_and_init() -> None:
    done = run_cli("config", "path")
    assert done.returncode == 0 and done.stdout.strip() == str(paths.config_file())
    moved = run_cli("config", "path", env={"CAUSERIE_CONFIG": "/tmp/elsewhere.toml"})
    assert moved.stdout.strip() == "/tmp/elsewhere.toml"
    first = run_cli("config", "init")
    assert first.returncode == 0, first.stderr
    assert "# profile = " in paths.config_file().read_text()
    again = run_cli("config", "init")
    assert again.returncode == 1 and "already exists" in again.stderr


def test_list_plain_and_json() -> None:
    older = _saved("First one")
    newer = _saved("Second one")
    done = run_cli("list")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == [newer.id, older.id]
    assert lines[0].split("\t")[2] == "Second one"
    rows = json.loads(run_cli("list", "--json").stdout)
    assert [r["id"] for r in rows] == [newer.id, older.id]
    assert rows[0]["messages"] == 2


def test_list_reports_a_corrupt_file_and_goes_on() -> None:
    good = _saved()
    bad = paths.data_dir() / "conversations" / "20250101-000000000-bad.json"
    bad.write_text("{not json")
    done = run_cli("list")
    assert done.returncode == 0
    assert done.stdout.startswith(good.id)
    assert "20250101-000000000-bad.json" in done.stderr
    assert bad.read_text() == "{not json"


def test_list_does_not_import_textual_or_the_sdk() -> None:
    code = (
        "import sys; from causerie.cli import main; code = main(['list']); "
        "assert 'textual' not in sys.modules and 'openai' not in sys.modules and 'rich' not in sys.modules, "
        "sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'openai', 'rich')); sys.exit(code)"
    )
    env = dict(os.environ, PYTHONPATH=str(SRC))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr


def test_show_and_export() -> None:
    conversation = _saved()
    shown = run_cli("show", conversation.id)
    assert shown.returncode == 0
    assert shown.stdout.startswith("# Sorting lists\n") and "Use sorted(xs)." in shown.stdout
    markdown = run_cli("export", conversation.id)
    assert markdown.stdout == shown.stdout
    as_json = run_cli("export", conversation.id, "--format", "json")
    assert Conversation.from_dict(json.loads(as_json.stdout)) == conversation
    target = paths.data_dir().parent / "out.md"
    written = run_cli("export", conversation.id, "-o", str(target))
    assert written.returncode == 0 and target.read_text() == shown.stdout
    again = run_cli("export", conversation.id, "-o", str(target))
    assert again.returncode == 1 and "already exists" in again.stderr


def test_markdown_export_writes_u_fffd_for_a_lone_surrogate_and_json_keeps_it() -> None:
    conversation = _saved("Menu", "half an emoji \ud83d here")
    markdown = run_cli("export", conversation.id)
    assert markdown.returncode == 0, markdown.stderr
    assert "half an emoji \ufffd here" in markdown.stdout
    target = paths.data_dir().parent / "out.md"
    written = run_cli("export", conversation.id, "-o", str(target))
    assert written.returncode == 0, written.stderr
    assert target.read_text(encoding="utf-8") == markdown.stdout
    as_json = run_cli("export", conversation.id, "--format", "json")
    assert json.loads(as_json.stdout)["messages"][1]["content"] == "half an emoji \ud83d here"


@pytest.mark.parametrize("verb", ["show", "export", "open"])
def test_unknown_conversation_exits_5(verb: str) -> None:
    done = run_cli(verb, "20990101-000000000-nope")
    assert done.returncode == 5
    assert "no conversation '20990101-000000000-nope'" in done.stderr
    assert run_cli(verb, "../../etc/passwd").returncode == 5


def test_search() -> None:
    target = _saved("Regex help", "Use re.compile for a pattern used often.")
    _saved("Cooking", "Boil the pasta for nine minutes.")
    done = run_cli("search", "re.compile")
    assert done.returncode == 0
    assert done.stdout.splitlines()[0].startswith(target.id)
    first = done.stdout.splitlines()
    assert first[0].split("\t") == [target.id, target.updated_at[:16].replace("T", " "), "Regex help"]
    assert first[1].strip() == "Use re.compile for a pattern used often."
    hits = json.loads(run_cli("search", "PÂST*", "--json").stdout)
    assert len(hits) == 1 and hits[0]["title"] == "Cooking"
    snippet = hits[0]["snippet"]
    assert [snippet[a:b] for a, b in hits[0]["highlights"]] == ["pasta"]
    assert hits[0]["updated_at"] and hits[0]["message_id"]
    behind = Conversation(title="Put there by hand", model="m")  # not through the store: indexed by the verb
    behind.append(Message("user", "a note on quinoa"))
    ConversationStore(paths.data_dir()).path_for(behind.id).write_bytes(encode_conversation(behind))
    assert json.loads(run_cli("search", "quinoa", "--json").stdout)[0]["id"] == behind.id
    none = run_cli("search", "zeppelin")
    assert none.returncode == 0 and none.stdout == "" and "No conversation matches" in none.stderr


def _config_with_box(server: FakeOpenAI) -> None:
    config = paths.config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'profile = "box"\n[profiles.box]\nbase_url = "{server.base_url}"\nlocal = true\n')


def test_doctor_all_well(server: FakeOpenAI) -> None:
    _saved()
    _config_with_box(server)
    done = run_cli("doctor")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 conversation(s)" in done.stdout
    assert "Profile 'box': Connected to" in done.stdout and "2 model(s)" in done.stdout
    assert done.stdout.strip().endswith("No problem found.")
    assert [r.path for r in server.requests] == ["/v1/models"]


def test_doctor_reports_corrupt_files_bad_keys_and_unreachable_servers(server: FakeOpenAI) -> None:
    _saved()
    _config_with_box(server)
    bad = paths.data_dir() / "conversations" / "20250101-000000000-bad.json"
    bad.write_text('{"schema": "causerie.conversation"}')
    os.chmod(paths.data_dir() / "conversations", 0o755)
    server.required_key = "sk-needed-000000"
    done = run_cli("doctor")
    assert done.returncode == 1
    assert f"[FAIL] Unreadable, left untouched: {bad}" in done.stdout
    assert "[warn]" in done.stdout and "chmod 700" in done.stdout
    assert "Profile 'box': The server refused the API key" in done.stdout
    server.stop()
    down = run_cli("doctor")
    assert down.returncode == 1 and "Profile 'box': Could not reach" in down.stdout


def test_doctor_reports_a_bad_config_file(server: FakeOpenAI) -> None:
    config = paths.config_file()
    config.parent.mkdir(parents=True)
    config.write_text("profile = \n")
    done = run_cli("doctor", env={"OPENAI_BASE_URL": server.base_url})
    assert done.returncode == 1
    assert f"[FAIL] {config}, line 1: not valid TOML" in done.stdout


@pytest.mark.parametrize(
    "args", [("list",), ("search", "words"), ("show", "x"), ("export", "x"), ("import", "missing.json"), ("ask", "hi")]
)
def test_every_verb_refuses_a_broken_config_with_its_file_and_line(args: tuple[str, ...]) -> None:
    config = paths.config_file()
    config.parent.mkdir(parents=True)
    config.write_text('model = "gpt\ntheme = 1\n')
    done = run_cli(*args)
    assert done.returncode == 2, done.stderr
    assert f"{config}, line 1: not valid TOML" in done.stderr
    assert done.stdout == ""
