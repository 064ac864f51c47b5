"""`causerie ask -a FILE`: attachments from the shell, alongside piped stdin, and a bad file stopping everything."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

from causerie.core.settings import paths
from causerie.core.storage.store import ConversationStore
from causerie.testing.fake_openai import FakeOpenAI, Reply
from tests.attachment_files import png
from tests.cli.helpers import run_cli


def _env(server: FakeOpenAI) -> dict[str, str]:
    return {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "sk-attach-0123456789"}


def test_files_are_attached_alongside_piped_stdin(server: FakeOpenAI, tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "util.py").write_text("def f():\n    return 1\n")
    (tmp_path / "chart.png").write_bytes(png(4, 3))
    server.queue(Reply(text="Looks fine."))
    done = run_cli(
        "ask", "check", "-a", "lib/util.py", "--attach", str(tmp_path / "chart.png"),
        stdin="log line\n", env=_env(server), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Looks fine.\n"
    url = "data:image/png;base64," + base64.b64encode(png(4, 3)).decode()
    assert server.chat_requests()[-1].body["messages"] == [
        {
            "role": "user",
            "content": [
                {
                    "type": "text",
                    "text": "check\n\n```\nlog line\n```\n\nlib/util.py\n```python\ndef f():\n    return 1\n```",
                },
                {"type": "image_url", "image_url": {"url": url, "detail": "auto"}},
            ],
        }
    ]
    [summary] = ConversationStore(paths.data_dir()).list()
    message = ConversationStore(paths.data_dir()).load(summary.id).active_path()[0]
    assert [(a.name, a.mime, a.width, a.height) for a in message.attachments] == [
        ("lib/util.py", "text/plain; charset=utf-8", None, None),
        ("chart.png", "image/png", 4, 3),
    ]
    stored = paths.data_dir() / "attachments" / message.attachments[1].sha256
    assert stored.read_bytes() == png(4, 3) and stat.S_IMODE(stored.stat().st_mode) == 0o600


def test_an_attachment_alone_is_a_question(server: FakeOpenAI, tmp_path: Path) -> None:
    (tmp_path / "q.md").write_text("What is 2+2?\n")
    done = run_cli("ask", "-a", "q.md", env=_env(server), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert server.chat_requests()[-1].body["messages"][-1]["content"] == "q.md\n```markdown\nWhat is 2+2?\n```"


def test_names_that_are_not_utf8_are_sent_with_u_fffd_and_kept_exact(server: FakeOpenAI, tmp_path: Path) -> None:
    # Names written in Latin-1: Python reads the byte \xe9 as the lone surrogate \udce9, which UTF-8 cannot encode.
    text_name, pdf_name = os.fsdecode(b"caf\xe9.txt"), os.fsdecode(b"r\xe9sum\xe9.pdf")
    (tmp_path / text_name).write_text("menu\n")
    (tmp_path / pdf_name).write_bytes(b"%PDF-1.4\nhello\n%%EOF\n")
    (tmp_path / "pic.png").write_bytes(png(4, 3))
    server.queue(Reply(text="Read them."))
    done = run_cli("ask", "q", "-a", text_name, "-a", pdf_name, "-a", "pic.png", env=_env(server), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    text, pdf, image = server.chat_requests()[-1].body["messages"][-1]["content"]
    assert text == {"type": "text", "text": "q\n\ncaf\ufffd.txt\n```text\nmenu\n```"}
    assert pdf["file"]["filename"] == "r\ufffdsum\ufffd.pdf" and image["type"] == "image_url"
    [summary] = ConversationStore(paths.data_dir()).list()
    message = ConversationStore(paths.data_dir()).load(summary.id).active_path()[0]
    assert [a.name for a in message.attachments] == [text_name, pdf_name, "pic.png"]


def test_a_file_that_cannot_be_attached_sends_nothing(server: FakeOpenAI, tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("fine\n")
    (tmp_path / "prog").write_bytes(b"\x7fELF\x02\x01\x01\x00" * 8)
    for bad, reason in (("missing.txt", "no such file"), ("prog", "binary content"), (".", "is a directory")):
        done = run_cli("ask", "hi", "-a", "ok.txt", "-a", bad, env=_env(server), cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        assert reason in done.stderr and "nothing was sent" in done.stderr
    assert server.chat_requests() == []
    assert ConversationStore(paths.data_dir()).list() == []


def test_text_that_is_not_utf8_is_said_on_stderr(server: FakeOpenAI, tmp_path: Path) -> None:
    (tmp_path / "old.txt").write_bytes(b"na\xefve\n")
    done = run_cli("ask", "-a", "old.txt", env=_env(server), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "old.txt is not valid UTF-8: 1 byte sequence(s) sent as" in done.stderr
    assert server.chat_requests()[-1].body["messages"][-1]["content"] == "old.txt\n```text\nna\ufffdve\n```"


def test_a_model_that_refuses_images_says_the_way_out(server: FakeOpenAI, tmp_path: Path) -> None:
    from causerie.testing.fake_openai import error_body

    (tmp_path / "chart.png").write_bytes(png(4, 3))
    refused = "Invalid content type. image_url is only supported by certain models."
    server.queue(Reply(status=400, error=error_body(None, refused)))
    done = run_cli("ask", "what", "-a", "chart.png", env=_env(server), cwd=tmp_path)
    assert done.returncode != 0
    assert "the model did not accept the attachments: ask again without -a, or pick one with --model" in done.stderr
