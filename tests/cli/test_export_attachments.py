"""`export -f json --with-attachments` carries the attached files; `causerie import` restores only genuine ones."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

from causerie.core.settings import paths
from causerie.core.storage.store import ConversationStore
from causerie.testing.fake_openai import FakeOpenAI, Reply
from tests.attachment_files import png
from tests.cli.helpers import run_cli


def _env(server: FakeOpenAI, home: Path | None = None) -> dict[str, str]:
    env = {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "sk-carry-0123456789"}
    if home is not None:
        env["CAUSERIE_HOME"] = str(home)
    return env


def _asked_with_image(server: FakeOpenAI, tmp_path: Path) -> str:
    (tmp_path / "chart.png").write_bytes(png(5, 2))
    server.queue(Reply(text="A chart."))
    done = run_cli("ask", "what is this?", "-a", "chart.png", env=_env(server), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    [summary] = ConversationStore(paths.data_dir()).list()
    return summary.id


def _image_url() -> str:
    return "data:image/png;base64," + base64.b64encode(png(5, 2)).decode()


def test_an_export_with_its_files_is_complete_on_another_machine(server: FakeOpenAI, tmp_path: Path) -> None:
    conversation_id = _asked_with_image(server, tmp_path)
    exported = tmp_path / "carried.json"
    done = run_cli("export", conversation_id, "-f", "json", "--with-attachments", "-o", str(exported))
    assert done.returncode == 0, done.stderr
    digest = json.loads(exported.read_text())["messages"][0]["attachments"][0]["sha256"]
    assert json.loads(exported.read_text())["attachment_files"] == {digest: base64.b64encode(png(5, 2)).decode()}

    elsewhere = tmp_path / "elsewhere"
    done = run_cli("import", str(exported), env=_env(server, elsewhere))
    assert done.returncode == 0, done.stderr
    assert "Restored 1 attached file(s)." in done.stdout
    assert done.stderr == ""
    stored = elsewhere / "data" / "attachments" / digest
    assert stored.read_bytes() == png(5, 2) and stat.S_IMODE(stored.stat().st_mode) == 0o600
    saved = json.loads((elsewhere / "data" / "conversations" / f"{conversation_id}.json").read_text())
    assert "attachment_files" not in saved  # the bytes live in the store, never in the conversation file

    # Continuing the imported conversation there resends the image from the restored store.
    server.queue(Reply(text="Still a chart."))
    done = run_cli("ask", "-c", "and now?", env=_env(server, elsewhere), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    first = server.chat_requests()[-1].body["messages"][0]
    assert first["content"][1] == {"type": "image_url", "image_url": {"url": _image_url(), "detail": "auto"}}


def test_forged_bytes_are_refused_and_the_conversation_still_comes_in(server: FakeOpenAI, tmp_path: Path) -> None:
    conversation_id = _asked_with_image(server, tmp_path)
    done = run_cli("export", conversation_id, "-f", "json", "--with-attachments")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    [digest] = document["attachment_files"]
    document["attachment_files"][digest] = base64.b64encode(b"not the image").decode()
    document["attachment_files"]["../../escape"] = base64.b64encode(b"x").decode()
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(document))

    elsewhere = tmp_path / "elsewhere"
    done = run_cli("import", str(forged), env=_env(server, elsewhere))
    assert done.returncode == 0, done.stderr
    assert "Imported 1 conversation(s)" in done.stdout
    assert "Restored" not in done.stdout
    assert f"{digest[:12]}…: its bytes do not match its SHA-256" in done.stderr
    assert "../../escape: not a SHA-256 name with base64 bytes" in done.stderr
    assert "not in this file" not in done.stderr  # it is in the file: its refusal says what happened
    assert not (elsewhere / "data" / "attachments").exists() or not any((elsewhere / "data" / "attachments").iterdir())
    assert not (tmp_path / "escape").exists()


def test_a_file_that_cannot_be_written_is_named_and_the_import_goes_on(server: FakeOpenAI, tmp_path: Path) -> None:
    conversation_id = _asked_with_image(server, tmp_path)
    exported = tmp_path / "carried.json"
    assert run_cli("export", conversation_id, "-f", "json", "--with-attachments", "-o", str(exported)).returncode == 0
    [digest] = json.loads(exported.read_text())["attachment_files"]
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "data").mkdir(parents=True)
    (elsewhere / "data" / "attachments").write_text("a file where the folder goes\n")  # refuses writes, even root's

    done = run_cli("import", str(exported), env=_env(server, elsewhere))
    assert done.returncode == 0, done.stderr
    assert "Imported 1 conversation(s)" in done.stdout
    assert "Restored" not in done.stdout
    assert f"attached file not restored: {digest[:12]}…: could not be stored: " in done.stderr
    assert "not in this file" not in done.stderr and "--with-attachments" not in done.stderr  # it was in the file
    assert "Traceback" not in done.stderr
    assert (elsewhere / "data" / "conversations" / f"{conversation_id}.json").is_file()


def test_a_plain_json_export_says_on_import_that_files_are_missing(server: FakeOpenAI, tmp_path: Path) -> None:
    conversation_id = _asked_with_image(server, tmp_path)
    exported = tmp_path / "plain.json"
    assert run_cli("export", conversation_id, "-f", "json", "-o", str(exported)).returncode == 0
    assert "attachment_files" not in json.loads(exported.read_text())
    done = run_cli("import", str(exported), env=_env(server, tmp_path / "elsewhere"))
    assert done.returncode == 0, done.stderr
    assert "1 attached file(s) are not in this file" in done.stderr
    assert "--with-attachments" in done.stderr


def test_a_file_gone_from_the_store_is_named_and_the_export_goes_on(server: FakeOpenAI, tmp_path: Path) -> None:
    conversation_id = _asked_with_image(server, tmp_path)
    for stored in (paths.data_dir() / "attachments").iterdir():
        stored.unlink()
    done = run_cli("export", conversation_id, "-f", "json", "--with-attachments")
    assert done.returncode == 0, done.stderr
    assert "attached file not in the store, not embedded: chart.png" in done.stderr
    assert "attachment_files" not in json.loads(done.stdout)


def test_markdown_cannot_carry_files(server: FakeOpenAI, tmp_path: Path) -> None:
    conversation_id = _asked_with_image(server, tmp_path)
    done = run_cli("export", conversation_id, "--with-attachments")
    assert done.returncode == 2
    assert "--with-attachments needs --format json" in done.stderr
