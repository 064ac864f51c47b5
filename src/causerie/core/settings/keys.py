"""Where an API key comes from: an environment variable, a command such as `pass show openai`, or the config file.

The key itself never appears in a message produced here: errors name the source, not the value.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

from causerie.core.chat.errors import redact
from causerie.core.settings.config_check import ConfigError

COMMAND_TIMEOUT = 15.0


def check_private(path: Path) -> None:
    """Refuse a config file holding a key that others can read; the message says how to fix it."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise ConfigError(f"{path}: cannot check its permissions: {exc.strerror or exc}") from None
    if stat.S_IMODE(mode) & 0o077:
        raise ConfigError(
            f"{path} holds an API key but other users can read it (mode {stat.S_IMODE(mode):04o}). "
            f"Make it private with: chmod 600 {path}"
        )


def check_not_writable_by_others(path: Path, what: str) -> None:
    """Refuse a config file that names a command to run (`what`) when other users can change it.

    Anyone who can write the file could make causerie run their program as this user.
    """
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot check its permissions: {exc.strerror or exc}") from None
    if mode & 0o022:
        raise ConfigError(
            f"{path} names {what} to run, but other users can change it (mode {mode:04o}). "
            f"Make it writable by you alone with: chmod go-w {path}"
        )


def run_key_command(command: str, profile: str, timeout: float = COMMAND_TIMEOUT) -> str:
    """Run `api_key_command` once and return the first line of its output; raises ConfigError on any failure."""
    what = f"api_key_command of profile {profile!r} ({command!r})"
    try:
        done = subprocess.run(
            command,
            shell=True,  # the user's own config: pipes such as `op read ... | head -1` are expected
            stdin=subprocess.DEVNULL,  # never consume causerie's own stdin (`git diff | causerie ask`)
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ConfigError(f"The {what} did not finish within {timeout:g} s.") from None
    except OSError as exc:
        raise ConfigError(f"The {what} could not be run: {exc.strerror or exc}") from None
    output = done.stdout.decode("utf-8", errors="replace").strip()
    key = output.splitlines()[0].strip() if output else ""
    if done.returncode != 0:
        err = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        detail = redact(err[-1], key)[:200] if err else "no message"
        raise ConfigError(f"The {what} failed with exit status {done.returncode}: {detail}")
    if not key:
        raise ConfigError(f"The {what} printed nothing: expected the key on its first line.")
    return key


def resolve_key(
    *,
    profile: str,
    api_key_env: str | None,
    api_key_command: str | None,
    api_key: str | None,
    environ: dict[str, str],
    config_path: Path,
) -> tuple[str | None, str]:
    """(key or None, where it comes from, in words) for a profile; raises ConfigError when a source fails.

    Order: the environment variable if it is set, then the command, then the key in the file.
    """
    if api_key_env and environ.get(api_key_env):
        return environ[api_key_env], f"the {api_key_env} environment variable"
    if api_key_command:
        return run_key_command(api_key_command, profile), f"the api_key_command of profile {profile!r}"
    if api_key:
        check_private(config_path)
        return api_key, f"api_key in [profiles.{profile}] of {config_path}"
    if api_key_env:
        return None, f"the {api_key_env} environment variable"
    return None, "nowhere (this profile needs no key)"
