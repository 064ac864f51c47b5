"""`python -m causerie.testing.fake_openai`, the README's way to try causerie offline, on a busy port."""

from __future__ import annotations

import socket
import subprocess
import sys

from tests.cli.helpers import SRC


def test_a_busy_port_is_one_line_not_a_traceback() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "causerie.testing.fake_openai", "--port", str(port)],
            capture_output=True,
            text=True,
            env={"PYTHONPATH": str(SRC)},
            timeout=60,
            check=False,
        )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == f"fake_openai: cannot listen on 127.0.0.1:{port}: Address already in use"
    assert done.stdout == ""
