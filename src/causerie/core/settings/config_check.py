"""Read and validate config.toml: every problem is one sentence naming the file, the line and what is wrong."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from causerie.core.chat.params import CONTROLS, ParamError, check, check_extra
from causerie.core.usage.pricing import PriceTable


class ConfigError(Exception):
    """The config file is unreadable or wrong; the message names the file, the line and the problem."""


class UnsafeConfig(ConfigError):
    """The config file names a command or holds a key, and others can change it: never used, not even by the app."""


READ_TIMEOUT_RANGE = (1.0, 86400.0)  # seconds: below one second every slow server would time out

# Each known key: (expected python types, what to say when it is something else).
TOP_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "profile": ((str,), "a profile name in quotes"),
    "model": ((str,), "a model name in quotes"),
    "theme": ((str,), "a theme name in quotes"),
    "system_prompt": ((str,), "a string"),
    "read_timeout": ((int, float), "a number of seconds"),
    "max_retries": ((int,), "a whole number"),
    "profiles": ((dict,), "a table of [profiles.NAME] sections"),
    "keymap": ((dict,), 'a table of action id = "keys"'),
    "prices": ((dict,), "a table of [prices.MODEL] sections (input, cached_input, output, context_window, efforts)"),
    "auto_title": ((bool,), "true or false"),
    "render_math": ((bool,), "true or false"),
    "max_tool_rounds": ((int,), "a whole number of rounds (1 or more)"),
    "mcp_servers": ((dict,), "a table of [mcp_servers.NAME] sections"),
    "attachments": ((dict,), "an [attachments] table (max_text_bytes, max_image_bytes, detail)"),
}
ATTACHMENT_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "max_text_bytes": ((int,), "a whole number of bytes"),
    "max_image_bytes": ((int,), "a whole number of bytes"),
    "detail": ((str,), '"auto", "low" or "high"'),
}
# [mcp_servers.NAME], in the form Codex CLI uses (so a block can be copied), plus causerie's own `allow`.
MCP_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "command": ((str,), "a command in quotes (the server's program)"),
    "args": ((list,), 'a list of strings, e.g. ["server.py"]'),
    "env": ((dict,), 'a table of NAME = "value"'),
    "cwd": ((str,), "a directory in quotes"),
    "url": ((str,), 'a URL in quotes, e.g. "http://127.0.0.1:9000/mcp"'),
    "enabled": ((bool,), "true or false"),
    "startup_timeout_sec": ((int, float), "a number of seconds"),
    "tool_timeout_sec": ((int, float), "a number of seconds"),
    "enabled_tools": ((list,), "a list of tool names"),
    "disabled_tools": ((list,), "a list of tool names"),
    "allow": ((list,), "a list of tool names that run without asking"),
}
# Keys of Codex's that causerie does not use: accepted (a copied block still works), named in one warning.
MCP_CODEX_ONLY_KEYS = (
    "env_vars",
    "bearer_token_env_var",
    "http_headers",
    "env_http_headers",
    "startup_timeout_ms",
    "scopes",
    "oauth",
    "experimental_use_rmcp_client",
)
_MCP_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
PROFILE_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "base_url": ((str,), "a URL in quotes"),
    "model": ((str,), "a model name in quotes"),
    "api_key_env": ((str,), "the name of an environment variable, in quotes"),
    "api_key_command": ((str,), "a shell command in quotes"),
    "api_key": ((str,), "a key in quotes"),
    "local": ((bool,), "true or false"),
    "stream_options": ((bool,), "true or false"),
    "max_tokens_param": ((str,), '"max_completion_tokens" or "max_tokens"'),
    "accepts_pdf": ((bool,), "true or false"),
    # The controls every request of the profile sends (a conversation's settings and `ask` options go over them).
    "reasoning_effort": ((str,), '"minimal", "low", "medium" or "high" ("none" or "xhigh" where the model takes it)'),
    "temperature": ((int, float), "a number from 0 to 2"),
    "top_p": ((int, float), "a number from 0 to 1"),
    "max_tokens": ((int,), "a whole number of output tokens (1 or more)"),
    "seed": ((int,), "a whole number"),
    "extra_body": ((dict,), "a table of request body fields, e.g. extra_body = { top_k = 40 }"),
}
MAX_TOKENS_PARAMS = ("max_completion_tokens", "max_tokens")

_HEADER_RE = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*(#.*)?$")
_TOML_LINE_RE = re.compile(r"\(at line (\d+), column (\d+)\)")


def _key_pattern(key: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')\s*=")


def locate(text: str, table: str, key: str) -> int | None:
    """The 1-based line where `key` is set inside `[table]` ("" for the top level), if it can be found."""
    current = ""
    pattern = _key_pattern(key)
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER_RE.match(line)
        if header and not line.lstrip().startswith("[["):
            current = header.group(1).replace(" ", "").replace('"', "").replace("'", "")
            if not table and current == key:
                return number  # a whole table such as [keymap]
            continue
        if current == table and pattern.match(line):
            return number
    return None


def locate_table(text: str, table: str) -> int | None:
    """The line of the `[table]` header, if any."""
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER_RE.match(line)
        if header and header.group(1).replace(" ", "").replace('"', "").replace("'", "") == table:
            return number
    return None


def _where(path: Path, line: int | None) -> str:
    return f"{path}, line {line}" if line else str(path)


def _type_ok(value: Any, kinds: tuple[type, ...]) -> bool:
    if isinstance(value, bool) and bool not in kinds:
        return False  # true/false is not a number here
    return isinstance(value, kinds)


def parse_config_text(text: str, path: Path) -> dict[str, Any]:
    """Parse and validate config text; raises ConfigError naming `path`, the line and the problem."""
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML: tables or arrays nested too deeply") from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_LINE_RE.search(message)
        problem = _TOML_LINE_RE.sub("", message).strip()
        if found:
            raise ConfigError(f"{path}, line {found.group(1)}: not valid TOML: {problem}") from None
        raise ConfigError(f"{path}: not valid TOML: {problem}") from None
    _check_table(data, TOP_KEYS, "", text, path)
    for name, value in data.get("keymap", {}).items():
        if not isinstance(value, str):
            line = locate(text, "keymap", name)
            raise ConfigError(f'{_where(path, line)}: keymap {name!r} must be keys in quotes, e.g. "ctrl+n"')
    for name, table in data.get("profiles", {}).items():
        if not isinstance(table, dict):
            line = locate(text, "profiles", name)
            raise ConfigError(f"{_where(path, line)}: profiles.{name} must be a [profiles.{name}] table")
        _check_table(table, PROFILE_KEYS, f"profiles.{name}", text, path)
        param = table.get("max_tokens_param")
        if param is not None and param not in MAX_TOKENS_PARAMS:
            line = locate(text, f"profiles.{name}", "max_tokens_param")
            raise ConfigError(f"{_where(path, line)}: max_tokens_param must be {PROFILE_KEYS['max_tokens_param'][1]}")
        _check_controls(table, f"profiles.{name}", text, path)
    attachments = data.get("attachments", {})
    _check_table(attachments, ATTACHMENT_KEYS, "attachments", text, path)
    if attachments.get("detail", "auto") not in ("auto", "low", "high"):
        line = locate(text, "attachments", "detail")
        raise ConfigError(f"{_where(path, line)}: detail in [attachments] must be {ATTACHMENT_KEYS['detail'][1]}")
    for key in ("max_text_bytes", "max_image_bytes"):
        if attachments.get(key, 1) <= 0:
            raise ConfigError(f"{_where(path, locate(text, 'attachments', key))}: {key} must be more than 0")
    for name, table in data.get("prices", {}).items():
        try:
            PriceTable().with_overrides({name: table})
        except ValueError as exc:
            raise ConfigError(f"{_where(path, locate_table(text, f'prices.{name}'))}: prices.{name}: {exc}") from None
    for name, table in data.get("mcp_servers", {}).items():
        _check_mcp_server(name, table, text, path)
    rounds = data.get("max_tool_rounds")
    if rounds is not None and rounds < 1:
        raise ConfigError(f"{_where(path, locate(text, '', 'max_tool_rounds'))}: max_tool_rounds must be 1 or more")
    timeout = data.get("read_timeout")
    low, high = READ_TIMEOUT_RANGE
    if timeout is not None and not low <= timeout <= high:  # False for nan too
        raise ConfigError(
            f"{_where(path, locate(text, '', 'read_timeout'))}: read_timeout must be from {low:g} to {high:g} seconds"
        )
    retries = data.get("max_retries")
    if retries is not None and retries < 0:
        raise ConfigError(f"{_where(path, locate(text, '', 'max_retries'))}: max_retries cannot be negative")
    return data


def _check_table(
    data: dict[str, Any], known: dict[str, tuple[tuple[type, ...], str]], table: str, text: str, path: Path
) -> None:
    where_table = f" in [{table}]" if table else ""
    for key, value in data.items():
        if key not in known:
            line = locate(text, table, key)
            raise ConfigError(
                f"{_where(path, line)}: unknown setting {key!r}{where_table} (known: {', '.join(sorted(known))})"
            )
        kinds, expected = known[key]
        if not _type_ok(value, kinds):
            line = locate(text, table, key)
            raise ConfigError(f"{_where(path, line)}: {key}{where_table} must be {expected}")


def _check_controls(table: dict[str, Any], section: str, text: str, path: Path) -> None:
    """A profile's request controls: values a server could take (ranges, efforts, extra body fields)."""
    for key in CONTROLS:
        if key in table:
            try:
                check(key, table[key])
            except ParamError as exc:
                raise ConfigError(f"{_where(path, locate(text, section, key))}: {exc} in [{section}]") from None
    if "extra_body" in table:
        try:
            check_extra(table["extra_body"])
        except ParamError as exc:
            line = locate(text, section, "extra_body") or locate_table(text, f"{section}.extra_body")
            raise ConfigError(f"{_where(path, line)}: extra_body in [{section}]: {exc}") from None


def _check_mcp_server(name: str, table: Any, text: str, path: Path) -> None:
    """One [mcp_servers.NAME] table: known keys of the right types, a command or a url (not both)."""
    section = f"mcp_servers.{name}"
    if not isinstance(table, dict):
        raise ConfigError(f"{_where(path, locate(text, 'mcp_servers', name))}: {section} must be a [{section}] table")
    if not _MCP_NAME_RE.match(name):
        line = locate_table(text, section)
        raise ConfigError(f"{_where(path, line)}: server name {name!r}: letters, digits, - and _ only (32 at most)")
    known = {k: v for k, v in table.items() if k not in MCP_CODEX_ONLY_KEYS}
    _check_table(known, MCP_KEYS, section, text, path)
    for key in ("args", "enabled_tools", "disabled_tools", "allow"):
        if key in table and not all(isinstance(item, str) for item in table[key]):
            raise ConfigError(f"{_where(path, locate(text, section, key))}: {key} in [{section}] must be strings")
    if "env" in table and not all(isinstance(v, str) for v in table["env"].values()):
        raise ConfigError(f"{_where(path, locate(text, section, 'env'))}: env in [{section}] must map names to strings")
    for key in ("startup_timeout_sec", "tool_timeout_sec"):
        if key in table and table[key] <= 0:
            raise ConfigError(f"{_where(path, locate(text, section, key))}: {key} in [{section}] must be more than 0")
    if ("command" in table) == ("url" in table):
        raise ConfigError(f"{_where(path, locate_table(text, section))}: [{section}] needs a command or a url (one)")


def read_config_file(path: Path) -> dict[str, Any]:
    """Parse config.toml; a missing file is empty; raises ConfigError with file, line and problem."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}, line {line}: not UTF-8 text") from None
    return parse_config_text(text, path)


def names_a_command(data: dict[str, Any]) -> bool:
    """Whether the parsed file names a command that causerie would run (an `api_key_command`)."""
    return any(isinstance(t, dict) and t.get("api_key_command") for t in data.get("profiles", {}).values())


def holds_a_key(data: dict[str, Any]) -> bool:
    """Whether the parsed file contains an API key (in any profile)."""
    return any(isinstance(t, dict) and t.get("api_key") for t in data.get("profiles", {}).values())
