"""Where an API key comes from: an environment variable, a command such as `pass show openai`, or the config file.

The key itself never appears in a message produced here: errors name the source, not the value.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
from pathlib import Path

from causerie.core.chat.errors import redact
from causerie.core.safe_text import sanitize_line
from causerie.core.settings.config_check import ConfigError, UnsafeConfig

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


def _private_group(gid: int) -> bool:
    """Whether `gid` is the user's own private group (named after the user, no other member), as ssh judges it."""
    try:
        import grp
        import pwd

        user = pwd.getpwuid(os.getuid())
        group = grp.getgrgid(gid)
    except (ImportError, KeyError):
        return False
    return gid == user.pw_gid and group.gr_name == user.pw_name and set(group.gr_mem) <= {user.pw_name}


def check_not_writable_by_others(path: Path, what: str) -> None:
    """Refuse a config file that names a command or holds a key when someone else could change it.

    Anyone who can write the file could make causerie run a command as the user. Like ssh's StrictModes: the file
    must be the user's (or root's), not world-writable, and group-writable only for the user's private group.

    Args:
        path: The config file.
        what: What the file holds, in words ("names an api_key_command").

    Raises:
        UnsafeConfig: With the `chmod` that fixes it.
    """
    try:
        info = os.stat(path)
    except OSError as exc:
        raise UnsafeConfig(f"{path}: cannot check its permissions: {exc.strerror or exc}") from None
    mode = stat.S_IMODE(info.st_mode)
    others = mode & 0o002 or (mode & 0o020 and not _private_group(info.st_gid))
    foreign = info.st_uid not in (os.getuid(), 0)
    if others or foreign:
        who = "another user owns it" if foreign else f"other users can change it (mode {mode:04o})"
        raise UnsafeConfig(
            f"{path} {what} but {who}: anyone who can change it could run commands as you. "
            f"Make it yours alone with: chmod 600 {path}"
        )


def run_key_command(command: str, profile: str, timeout: float = COMMAND_TIMEOUT) -> str:
    """Run `api_key_command` once and return the first line of its output; raises ConfigError on any failure."""
    what = f"api_key_command of profile {profile!r} ({command!r})"
    try:
        process = subprocess.Popen(
            command,
            shell=True,  # the user's own config: pipes such as `op read ... | head -1` are expected
            stdin=subprocess.DEVNULL,  # never consume causerie's own stdin (`git diff | causerie ask`)
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group: at the timeout the whole pipeline is killed
        )
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the command, which no process can be given
        raise ConfigError(f"The {what} could not be run: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise ConfigError(f"The {what} did not finish within {timeout:g} s.") from None
    output = stdout.decode("utf-8", errors="replace").strip()
    key = output.splitlines()[0].strip() if output else ""
    if process.returncode != 0:
        err = stderr.decode("utf-8", errors="replace").strip().splitlines()
        # Its stderr is outside text: shown cleaned, the key (if it printed one) redacted.
        detail = sanitize_line(redact(err[-1], key)[:200]) if err else "no message"
        raise ConfigError(f"The {what} failed with exit status {process.returncode}: {detail}")
    if not key:
        raise ConfigError(f"The {what} printed nothing: expected the key on its first line.")
    return key


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill the command and everything it started (its own process group), then reap it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        process.kill()
    process.communicate()


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
