"""Run `python -m causerie ...` in a subprocess with the test's CAUSERIE_HOME and this tree's source."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def run_cli(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    """Run causerie with `args` (in `cwd`); stdin is empty unless given; returns the finished process (text mode)."""
    environ = dict(os.environ)  # the autouse fixture set CAUSERIE_HOME and cleared keys
    environ["PYTHONPATH"] = str(SRC) + os.pathsep + environ.get("PYTHONPATH", "")
    environ.setdefault("COLUMNS", "100")
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "causerie", *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        env=environ,
        cwd=cwd,
        timeout=60,
        check=False,
    )
