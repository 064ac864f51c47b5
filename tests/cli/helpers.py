"""Run `python -m causerie ...` in a subprocess with the test's CAUSERIE_HOME and this tree's source."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _CAP_FOWNER = 1, 2, 3


def _without_root_overrides() -> None:
    """In the child before it runs causerie: root loses the capabilities that ignore file modes (Linux).

    Dropped from the bounding set, they are gone from the program it then runs: a directory made read-only with
    chmod is read-only for it, as it is for any user.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _CAP_FOWNER):
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def run_cli(
    *args: str,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    file_modes_bind: bool = False,
) -> subprocess.CompletedProcess:
    """Run causerie with `args` (in `cwd`); stdin is empty unless given; returns the finished process (text mode).

    With `file_modes_bind`, the child obeys file modes even when the tests run as root.
    """
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
        preexec_fn=_without_root_overrides if file_modes_bind and os.geteuid() == 0 else None,
    )
