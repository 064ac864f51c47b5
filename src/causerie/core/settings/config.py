"""Settings: defaults < config.toml < environment < command line, with named endpoint profiles."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from causerie.core.chat.params import RequestParams
from causerie.core.settings import paths
from causerie.core.settings.config_check import ConfigError, holds_a_key, names_a_command, read_config_file
from causerie.core.settings.keys import check_not_writable_by_others, check_private, resolve_key
from causerie.core.tools.config import DEFAULT_MAX_TOOL_ROUNDS, ServerConfig, server_configs

__all__ = [
    "BUILTIN_PROFILES",
    "ConfigError",
    "Profile",
    "Settings",
    "load_profiles",
    "is_loopback_url",
    "load_settings",
    "read_config_file",
]

DEFAULT_MODEL = "gpt-6-luna"
DEFAULT_THEME = "causerie-dark"


@dataclass(frozen=True)
class Profile:
    """An endpoint: where to send requests, which key to use and what the server supports."""

    name: str
    base_url: str | None = None
    model: str | None = None
    api_key_env: str | None = None
    api_key_command: str | None = None
    api_key: str | None = field(default=None, repr=False)
    local: bool = False
    stream_options: bool = True
    max_tokens_param: str = "max_completion_tokens"
    accepts_pdf: bool = False  # the server takes PDF files as `file` content parts
    # Request controls sent with every request of this profile (unset: not sent).
    reasoning_effort: str | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    seed: int | None = None
    extra_body: dict[str, Any] = field(default_factory=dict)

    @property
    def params(self) -> RequestParams:
        """The profile's controls as one RequestParams."""
        return RequestParams(
            reasoning_effort=self.reasoning_effort,
            temperature=self.temperature,
            top_p=self.top_p,
            max_tokens=self.max_tokens,
            seed=self.seed,
            extra=dict(self.extra_body),
        )


BUILTIN_PROFILES: dict[str, Profile] = {
    "openai": Profile("openai", None, None, "OPENAI_API_KEY", accepts_pdf=True),
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
    local: bool = False  # the profile says `local = true`: replies cost nothing
    keyless: bool = False  # a server that needs no key (local, on loopback, or --base-url without a key)
    stream_options: bool = True
    read_timeout: float = 60.0
    max_retries: int = 2
    theme: str = DEFAULT_THEME
    system_prompt: str = ""
    keymap: dict[str, str] = field(default_factory=dict)
    config_path: Path | None = None
    max_tokens_param: str = "max_completion_tokens"
    config_notice: str = ""
    prices: dict[str, Any] = field(default_factory=dict)  # user overrides of the price table, per model
    render_math: bool = True  # formulas in replies shown as Unicode math (False: as the model wrote them)
    auto_title: bool | None = None  # ask the model for a title after the first reply; None: on unless local
    tool_servers: tuple[ServerConfig, ...] = ()  # [mcp_servers.NAME]; nothing is started before it is needed
    max_tool_rounds: int = DEFAULT_MAX_TOOL_ROUNDS
    config_warnings: tuple[str, ...] = ()  # shown once (e.g. Codex keys causerie does not use)
    attach_max_text_bytes: int = 1_000_000  # [attachments] max_text_bytes
    attach_max_image_bytes: int = 20_000_000  # [attachments] max_image_bytes (PDF files too)
    image_detail: str = "auto"  # [attachments] detail: how closely the model looks at images
    accepts_pdf: bool = False  # the profile's server takes PDF files
    params: RequestParams = field(default_factory=RequestParams)  # the profile's request controls

    @property
    def can_send(self) -> bool:
        """True when a request has a chance: a key, or a server that needs none."""
        return (
            bool(self.api_key) or self.local or self.keyless or (self.base_url is not None and self.profile != "openai")
        )

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with some fields changed."""
        return replace(self, **changes)


def is_loopback_url(url: str | None) -> bool:
    """Whether `url` points at this machine (127.0.0.0/8, ::1 or localhost): such a server needs no key.

    Args:
        url: A base URL such as ``http://127.0.0.1:8080/v1``, or None.

    Returns:
        True for a loopback host; False for any other host, a malformed URL or None.
    """
    if not url:
        return False
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    if host is None:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def load_profiles(data: dict[str, Any], environ: dict[str, str] | None = None) -> dict[str, Profile]:
    """The built-in profiles overlaid with the file's [profiles.NAME] tables (OPENAI_BASE_URL applies to openai)."""
    env = os.environ if environ is None else environ
    profiles = dict(BUILTIN_PROFILES)
    for name, table in data.get("profiles", {}).items():
        base = profiles.get(name, Profile(name))
        profiles[name] = replace(base, **table)
    if env.get("OPENAI_BASE_URL"):
        profiles["openai"] = replace(profiles["openai"], base_url=env["OPENAI_BASE_URL"])
    return profiles


def load_settings(
    cli: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
    *,
    use_file: bool = True,
) -> Settings:
    """Resolve Settings from defaults < the config file < the environment < command-line values.

    Raises ConfigError (file, line, problem) for a bad file, an unknown profile, a file holding a key that others
    can read, or a failing api_key_command. `use_file=False` ignores the file (the app's fallback to defaults).
    """
    env = dict(os.environ if environ is None else environ)
    cli = {k: v for k, v in (cli or {}).items() if v is not None}
    path = paths.config_file(env)
    data = read_config_file(path) if use_file else {}
    if names_a_command(data):
        check_not_writable_by_others(path, "names an api_key_command")
    if holds_a_key(data):
        check_not_writable_by_others(path, "holds an API key")
        check_private(path)
    tool_servers, config_warnings = server_configs(data)
    if any(server.command for server in tool_servers):
        check_not_writable_by_others(path, "names an MCP server command")

    profiles = load_profiles(data, env)
    profile_name = cli.get("profile") or env.get("CAUSERIE_PROFILE") or data.get("profile") or "openai"
    if profile_name not in profiles:
        raise ConfigError(f"unknown profile {profile_name!r} (known: {', '.join(sorted(profiles))})")
    profile = profiles[profile_name]

    base_url = cli.get("base_url") or profile.base_url
    model = cli.get("model") or env.get("CAUSERIE_MODEL") or profile.model or data.get("model") or DEFAULT_MODEL

    api_key, source = resolve_key(
        profile=profile_name,
        api_key_env=profile.api_key_env,
        api_key_command=profile.api_key_command,
        api_key=profile.api_key,
        environ=env,
        config_path=path,
    )

    attachments = data.get("attachments", {})
    # Needing no key does not make a server free: a proxy on localhost may forward to a paid API, so only the
    # profile's `local = true` stops the cost from being counted.
    keyless = profile.local or is_loopback_url(base_url) or (bool(cli.get("base_url")) and not api_key)
    return Settings(
        profile=profile_name,
        model=model,
        base_url=base_url,
        api_key=api_key or None,
        api_key_source=source,
        local=profile.local,
        keyless=keyless,
        stream_options=profile.stream_options,
        read_timeout=float(data.get("read_timeout", 60.0)),
        max_retries=int(data.get("max_retries", 2)),
        theme=cli.get("theme") or env.get("CAUSERIE_THEME") or data.get("theme") or DEFAULT_THEME,
        system_prompt=data.get("system_prompt", ""),
        keymap={str(k): str(v) for k, v in data.get("keymap", {}).items()},
        config_path=path,
        max_tokens_param=profile.max_tokens_param,
        prices=dict(data.get("prices", {})),
        auto_title=data.get("auto_title"),
        render_math=bool(data.get("render_math", True)),
        tool_servers=tuple(tool_servers),
        max_tool_rounds=int(data.get("max_tool_rounds", DEFAULT_MAX_TOOL_ROUNDS)),
        config_warnings=tuple(config_warnings),
        attach_max_text_bytes=int(attachments.get("max_text_bytes", 1_000_000)),
        attach_max_image_bytes=int(attachments.get("max_image_bytes", 20_000_000)),
        image_detail=str(attachments.get("detail", "auto")),
        accepts_pdf=profile.accepts_pdf,
        params=profile.params,
    )
