"""The API key after a hostile session: a 401 and a rate limit that echo it, a good reply, and exports."""

from __future__ import annotations

import base64
import os
import stat
import subprocess
from pathlib import Path

from causerie.testing.fake_openai import FakeOpenAI, Reply, error_body

from .conftest import FAKE_KEY, Launch
from .terminal import causerie_command, child_env


def key_forms(key: str) -> list[bytes]:
    """The key as bytes, and the encodings it could hide in (JSON escapes do not change it: it is ASCII)."""
    raw = key.encode()
    return [raw, base64.b64encode(raw), base64.b64encode(f"Bearer {key}".encode()), raw.hex().encode()]


def test_the_key_is_nowhere_after_401_rate_limit_and_export(
    launch: Launch, server: FakeOpenAI, causerie_home: Path, tmp_path: Path
) -> None:
    echo = f"Incorrect API key provided: {FAKE_KEY}. Authorization: Bearer {FAKE_KEY}"
    server.queue(
        Reply(status=401, error=error_body("invalid_api_key", echo)),
        Reply(
            status=429,
            error=error_body("rate_limit_exceeded", f"Rate limit reached for key {FAKE_KEY}.", "requests"),
            headers={"retry-after-ms": "10"},
        ),
        Reply(text="The third time works."),
    )
    term = launch(server)
    term.wait_for("Message")
    term.type("first try")
    term.press("enter")
    term.wait_until(lambda: len(server.chat_requests()) == 1, "the 401")
    term.wait_for("API key")
    screens = [term.text()]  # the 401, on screen
    term.press("ctrl+r")
    term.wait_until(lambda: len(server.chat_requests()) >= 2, "the rate limit")
    screens.append(term.text())
    term.wait_for("The third time works.", timeout=60)
    term.wait_gone("writing…")
    screens.append(term.text())
    term.press("ctrl+q")
    assert term.wait_exit() == 0
    raw_stream = term.raw_bytes()

    # The server did receive the key: the test would be vacuous otherwise.
    assert all(r.headers.get("authorization") == f"Bearer {FAKE_KEY}" for r in server.chat_requests())
    # Three attempts of the reply; a background title request (non-streaming) may follow the good one.
    assert len([r for r in server.chat_requests() if r.body.get("stream")]) == 3

    conversations = list((causerie_home / "data" / "conversations").glob("*.json"))
    assert len(conversations) == 1
    exports = tmp_path / "exports"
    exports.mkdir()
    env = child_env(causerie_home, OPENAI_API_KEY=FAKE_KEY)
    outputs = []
    for fmt in ("md", "json"):
        target = exports / f"export.{fmt}"
        done = subprocess.run(
            [*causerie_command(), "export", conversations[0].stem, "--format", fmt, "-o", str(target)],
            env=env,
            capture_output=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert b"The third time works." in target.read_bytes()
        outputs += [done.stdout, done.stderr]

    everything = [p for p in [*causerie_home.rglob("*"), *exports.rglob("*")] if p.is_file()]
    assert any(p.suffix == ".json" for p in everything) and len(everything) >= 4
    for form in key_forms(FAKE_KEY):
        for path in everything:
            assert form not in path.read_bytes(), f"the key is in {path}"
        assert form not in raw_stream, "the key reached the terminal"
        for output in outputs:
            assert form not in output
    for screen in screens:
        assert FAKE_KEY not in screen

    private = [d for d in (causerie_home / "data", causerie_home / "config") if d.exists()]
    for path in [*private, *(p for d in private for p in d.rglob("*"))]:
        mode = stat.S_IMODE(os.lstat(path).st_mode)
        expected = 0o700 if path.is_dir() else 0o600
        assert mode == expected, f"{path} has mode {oct(mode)}"
