"""Health checks behind `causerie doctor`: the data directory, the config file and the profiles' servers."""

from __future__ import annotations

import asyncio
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from causerie.core.settings import paths
from causerie.core.settings.config import Profile, Settings, load_profiles
from causerie.core.settings.config_check import ConfigError, read_config_file
from causerie.core.storage.store import ConversationStore

OK, WARNING, PROBLEM = "ok", "warning", "problem"
PROBE_TIMEOUT = 3.0


@dataclass(frozen=True)
class Finding:
    """One line of the doctor's report."""

    level: str
    text: str


def _size(total: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if total < 1024 or unit == "GiB":
            return f"{total:.0f} {unit}" if unit == "bytes" else f"{total:.1f} {unit}"
        total /= 1024
    return f"{total} bytes"


def _loose(path: Path) -> bool:
    try:
        return bool(stat.S_IMODE(os.stat(path).st_mode) & 0o077)
    except OSError:
        return False


def _unusable(directory: Path) -> tuple[str, bool] | None:
    """Why causerie could not keep its files in an existing `directory`, and whether it can still be read; or None.

    Asked of the system (`os.access` knows read-only mounts and the caller's rights) rather than tried: the doctor
    writes nothing.
    """
    try:
        info = os.stat(directory)
    except OSError as exc:
        return f"{directory} cannot be examined: {exc.strerror or exc}", False
    if not stat.S_ISDIR(info.st_mode):
        return f"{directory} is not a directory: move it away, or set CAUSERIE_HOME to another place", False
    if not os.access(directory, os.R_OK | os.X_OK):
        return f"{directory} cannot be read: chmod 700 {directory}", False
    if not os.access(directory, os.W_OK | os.X_OK):
        return f"{directory} cannot be written: nothing can be saved there (chmod 700 {directory})", True
    return None


def _nearest_existing(path: Path) -> Path:
    """`path` itself or its nearest parent that exists."""
    while not os.path.lexists(path) and path != path.parent:
        path = path.parent
    return path


def check_data(store: ConversationStore) -> list[Finding]:
    """Conversations readable, corrupt files listed (never touched), index state, permissions, trash size.

    A data directory that is a file, cannot be read or cannot be written is one problem line; nothing is created or
    changed to find out.
    """
    findings: list[Finding] = []
    data = store.data_dir
    if not os.path.lexists(data):
        problem = _unusable(_nearest_existing(data.parent))
        if problem is not None:
            return [Finding(PROBLEM, f"The data directory {data} cannot be created: {problem[0]}")]
        return [Finding(OK, f"Data directory {data} does not exist yet (created on the first save).")]
    read_only = False
    for directory in (data, store.conversations_dir):
        if directory is store.conversations_dir and not os.path.lexists(directory):
            continue
        problem = _unusable(directory)
        if problem is None:
            continue
        reason, readable = problem
        if readable and read_only:
            continue  # the conversations of a read-only data directory: said once
        findings.append(Finding(PROBLEM, reason))
        if not readable:
            return findings  # nothing can be listed: the other checks would only repeat it
        read_only = True
    summaries = store.list()
    findings.insert(0, Finding(OK, f"{len(summaries)} conversation(s) in {store.conversations_dir}."))
    for problem in store.problems():
        findings.append(Finding(PROBLEM, f"Unreadable, left untouched: {problem.path}: {problem.reason}"))
    where = store.index_location()
    if where is None:
        if not read_only:
            findings.append(Finding(WARNING, "The index is kept in memory: the data directory cannot be written."))
    else:
        findings.append(Finding(OK, f"Index {where} (derived from the files, rebuilt when they disagree)."))
    for directory in (data, store.conversations_dir):
        if directory.exists() and _loose(directory):
            findings.append(Finding(WARNING, f"{directory} is open to other users: chmod 700 {directory}"))
    if store.conversations_dir.is_dir():
        loose = [p for p in store.conversations_dir.glob("*.json") if _loose(p)]
        if loose:
            findings.append(
                Finding(
                    WARNING,
                    f"{len(loose)} conversation file(s) readable by other users: "
                    f"chmod 600 {store.conversations_dir}/*.json",
                )
            )
    trash = store.trash_dir
    if trash.is_dir():
        try:
            files = [p for p in trash.iterdir() if p.is_file()]
            total = sum(p.stat().st_size for p in files)
        except OSError as exc:
            findings.append(Finding(WARNING, f"The trash {trash} cannot be read: {exc.strerror or exc}"))
        else:
            findings.append(Finding(OK, f"Trash: {len(files)} conversation(s), {_size(total)}."))
    return findings


def check_config(environ: dict[str, str] | None = None) -> tuple[list[Finding], dict]:
    """The config file: absent, fine, or the exact problem; returns the parsed data too (empty if bad)."""
    path = paths.config_file(environ)
    if not path.exists():
        return [Finding(OK, f"No config file at {path} (defaults; `causerie config init` writes an example).")], {}
    try:
        data = read_config_file(path)
    except ConfigError as exc:
        return [Finding(PROBLEM, str(exc))], {}
    findings = [Finding(OK, f"Config file {path} is valid.")]
    if any(isinstance(t, dict) and t.get("api_key") for t in data.get("profiles", {}).values()) and _loose(path):
        findings.append(Finding(PROBLEM, f"{path} holds an API key and others can read it: chmod 600 {path}"))
    return findings, data


def profiles_to_probe(settings: Settings, data: dict, environ: dict[str, str] | None = None) -> list[Profile]:
    """The active profile and every profile defined in the config file (built-ins you did not configure are not
    probed: nothing of yours is expected there)."""
    profiles = load_profiles(data, environ)
    names = [settings.profile] + [n for n in data.get("profiles", {}) if n != settings.profile]
    return [profiles[n] for n in names if n in profiles]


async def probe_profiles(
    settings: Settings, profiles: list[Profile], environ: dict[str, str] | None = None, timeout: float = PROBE_TIMEOUT
) -> list[Finding]:
    """Ask each profile's server for its models (`GET /models`) at once, with a short timeout."""
    from causerie.core.chat.probe import check_connection

    env = os.environ if environ is None else environ

    async def one(profile: Profile) -> Finding:
        if profile.name == settings.profile:
            base_url, key, source = settings.base_url, settings.api_key, settings.api_key_source
        else:
            base_url = profile.base_url
            key = env.get(profile.api_key_env) if profile.api_key_env else None
            key = key or profile.api_key
            source = f"the {profile.api_key_env} environment variable" if profile.api_key_env else ""
        result = await check_connection(base_url, key, key_source=source, timeout=timeout)
        label = f"Profile {profile.name!r}"
        if result.ok:
            return Finding(OK, f"{label}: {result.message}")
        if result.kind == "auth" and not key and profile.name != settings.profile:
            return Finding(WARNING, f"{label}: {result.base_url} answers but needs a key ({result.message})")
        return Finding(PROBLEM, f"{label}: {result.message}")

    return list(await asyncio.gather(*(one(p) for p in profiles)))
