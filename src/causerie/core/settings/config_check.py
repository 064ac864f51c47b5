"""Read and validate config.toml: every problem is one sentence naming the file, the line and what is wrong."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from causerie.core.usage.pricing import PriceTable


class ConfigError(Exception):
    """The config file is unreadable or wrong; the message names the file, the line and the problem."""


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
    "prices": ((dict,), "a table of [prices.MODEL] sections (input, cached_input, output, context_window)"),
    "auto_title": ((bool,), "true or false"),
    "attachments": ((dict,), "an [attachments] table (max_text_bytes, max_image_bytes, detail)"),
}
ATTACHMENT_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "max_text_bytes": ((int,), "a whole number of bytes"),
    "max_image_bytes": ((int,), "a whole number of bytes"),
    "detail": ((str,), '"auto", "low" or "high"'),
}
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
    timeout = data.get("read_timeout")
    if timeout is not None and timeout <= 0:
        raise ConfigError(f"{_where(path, locate(text, '', 'read_timeout'))}: read_timeout must be more than 0")
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


def holds_a_key(data: dict[str, Any]) -> bool:
    """Whether the parsed file contains an API key (in any profile)."""
    return any(isinstance(t, dict) and t.get("api_key") for t in data.get("profiles", {}).values())
