"""Settings: defaults < config.toml < environment < command line, with named endpoint profiles."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from causerie.core import paths

DEFAULT_MODEL = "gpt-6-luna"
DEFAULT_THEME = "causerie-dark"


class ConfigError(Exception):
    """The config file is unreadable or wrong; the message names the file, the line and the problem."""


@dataclass(frozen=True)
class Profile:
    """An endpoint: where to send requests, which key to use and what the server supports."""

    name: str
    base_url: str | None = None
    model: str | None = None
    api_key_env: str | None = None
    local: bool = False
    stream_options: bool = True


BUILTIN_PROFILES: dict[str, Profile] = {
    "openai": Profile("openai", None, None, "OPENAI_API_KEY"),
    "ollama": Profile("ollama", "http://localhost:11434/v1", None, None, local=True),
    "llamacpp": Profile("llamacpp", "http://localhost:8080/v1", None, None, local=True),
    "vllm": Profile("vllm", "http://localhost:8000/v1", None, None, local=True),
    "lmstudio": Profile("lmstudio", "http://localhost:1234/v1", None, None, local=True),
}


@dataclass(frozen=True)
class Settings:
    """Everything the app and the CLI need to run, resolved from all sources."""

    profile: str = "openai"
    model: str = DEFAULT_MODEL
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    api_key_source: str = "the OPENAI_API_KEY environment variable"
    local: bool = False
    stream_options: bool = True
    read_timeout: float = 60.0
    max_retries: int = 2
    theme: str = DEFAULT_THEME
    system_prompt: str = ""
    keymap: dict[str, str] = field(default_factory=dict)
    config_path: Path | None = None

    @property
    def can_send(self) -> bool:
        """True when a request has a chance: a key, or a server that needs none."""
        return bool(self.api_key) or self.local or (self.base_url is not None and self.profile != "openai")

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with some fields changed."""
        return replace(self, **changes)


_TOP_KEYS = {
    "profile",
    "model",
    "theme",
    "system_prompt",
    "read_timeout",
    "max_retries",
    "profiles",
    "keymap",
}
_PROFILE_KEYS = {"base_url", "model", "api_key_env", "local", "stream_options"}


def read_config_file(path: Path) -> dict[str, Any]:
    """Parse config.toml; a missing file is empty; raises ConfigError with file and line."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise ConfigError(f"{path}: unknown setting {unknown[0]!r} (known: {', '.join(sorted(_TOP_KEYS))})")
    for key, kind in (("profile", str), ("model", str), ("theme", str), ("system_prompt", str)):
        if key in data and not isinstance(data[key], kind):
            raise ConfigError(f"{path}: {key!r} must be a string")
    if "read_timeout" in data and not isinstance(data["read_timeout"], int | float):
        raise ConfigError(f"{path}: 'read_timeout' must be a number of seconds")
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict):
        raise ConfigError(f"{path}: [profiles] must be a table")
    for name, table in profiles.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [profiles.{name}] must be a table")
        bad = sorted(set(table) - _PROFILE_KEYS)
        if bad:
            raise ConfigError(f"{path}: unknown setting {bad[0]!r} in [profiles.{name}]")
    return data


def load_settings(
    cli: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
) -> Settings:
    """Resolve Settings from defaults, the config file, the environment and command-line values."""
    env = dict(os.environ if environ is None else environ)
    cli = {k: v for k, v in (cli or {}).items() if v is not None}
    path = paths.config_file(env)
    data = read_config_file(path)

    profiles = dict(BUILTIN_PROFILES)
    for name, table in data.get("profiles", {}).items():
        base = profiles.get(name, Profile(name))
        profiles[name] = replace(base, **table)

    profile_name = cli.get("profile") or env.get("CAUSERIE_PROFILE") or data.get("profile") or "openai"
    if profile_name not in profiles:
        raise ConfigError(f"unknown profile {profile_name!r} (known: {', '.join(sorted(profiles))})")
    profile = profiles[profile_name]

    base_url = profile.base_url
    if profile_name == "openai" and env.get("OPENAI_BASE_URL"):
        base_url = env["OPENAI_BASE_URL"]
    base_url = cli.get("base_url") or base_url

    model = cli.get("model") or env.get("CAUSERIE_MODEL") or profile.model or data.get("model") or DEFAULT_MODEL

    key_env = profile.api_key_env
    api_key = env.get(key_env) if key_env else None
    source = f"the {key_env} environment variable" if key_env else "nowhere (this profile needs no key)"

    local = profile.local or (bool(cli.get("base_url")) and not api_key)
    return Settings(
        profile=profile_name,
        model=model,
        base_url=base_url,
        api_key=api_key or None,
        api_key_source=source,
        local=local,
        stream_options=profile.stream_options,
        read_timeout=float(data.get("read_timeout", 60.0)),
        max_retries=int(data.get("max_retries", 2)),
        theme=cli.get("theme") or env.get("CAUSERIE_THEME") or data.get("theme") or DEFAULT_THEME,
        system_prompt=data.get("system_prompt", ""),
        keymap={str(k): str(v) for k, v in data.get("keymap", {}).items()},
        config_path=path,
    )
