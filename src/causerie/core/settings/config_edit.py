"""Writing config.toml: the commented example of `causerie config init`, and small in-place edits of one key.

Edits are textual (comments and layout survive), checked by parsing the result, and written atomically with the
file's own permissions (0600 for a new file).
"""

from __future__ import annotations

import json
import os
import re
import stat
import tomllib
from pathlib import Path

from causerie.core.settings.config_check import ConfigError, parse_config_text
from causerie.core.storage.fileio import FILE_MODE, atomic_write_text

CONFIG_TEMPLATE = """\
# causerie configuration. Every setting is optional: the values shown commented out are the defaults.
# Precedence: defaults < this file < environment variables < command-line options.
# Where this file lives: `causerie config path` (CAUSERIE_CONFIG names another file).

# The profile used when --profile / CAUSERIE_PROFILE is not given (built in: openai, ollama, llamacpp, vllm, lmstudio).
# profile = "openai"

# Default model when the profile names none (--model / CAUSERIE_MODEL override it).
# model = "gpt-6-luna"

# Theme name (--theme / CAUSERIE_THEME override it). Your own theme files go in the themes/ folder beside this file.
# theme = "causerie-dark"

# System prompt of new conversations.
# system_prompt = ""

# Seconds without a byte from the server before a request gives up.
# read_timeout = 60.0

# How many times a failed request is retried automatically (rate limits, server errors, dropped connections).
# max_retries = 2

# Ask the model for a short title after the first reply (default: on, except for local servers).
# auto_title = true

# Key bindings: action id = "keys" (comma-separated). Press F1 in the app to see the action ids.
# [keymap]
# "chat.new" = "ctrl+n"

# Your own prices for a model (US dollars per million tokens), used for the cost in the status line.
# [prices."my-model"]
# input = 0.5
# cached_input = 0.05
# output = 1.5

# Attached files (@ or F8 in the prompt, `causerie ask -a FILE`): size limits, and how closely a model looks at images.
# [attachments]
# max_text_bytes = 1000000
# max_image_bytes = 20000000
# detail = "auto"

# Profiles: one table per endpoint. A table named like a built-in profile changes only the keys it sets.
# Keys of a profile:
#   base_url          the OpenAI-compatible API root, e.g. "http://localhost:11434/v1" (openai: OPENAI_BASE_URL if set)
#   model             the model this profile uses by default
#   api_key_env       name of the environment variable holding the key (openai: "OPENAI_API_KEY")
#   api_key_command   a command printing the key on its first line, run once per session, e.g. "pass show openai"
#   api_key           the key itself; causerie then refuses to start unless this file is private (chmod 600)
#   local             true for a server on your machine: no key needed, no cost counted
#   stream_options    false for servers that reject stream_options (token usage is then estimated)
#   max_tokens_param  "max_completion_tokens" (OpenAI) or "max_tokens" (older OpenAI-compatible servers)
#   accepts_pdf       true when the server takes PDF files as file content parts (openai: true)
# The key itself is never accepted as a command-line option: it would be visible to other users in `ps`.

# [profiles.openai]
# api_key_command = "pass show openai"

# [profiles.ollama]
# base_url = "http://localhost:11434/v1"
# model = "llama3.2"
# local = true

# [profiles.openrouter]
# base_url = "https://openrouter.ai/api/v1"
# model = "openai/gpt-6-luna"
# api_key_env = "OPENROUTER_API_KEY"
# max_tokens_param = "max_tokens"
"""

_HEADER_RE = re.compile(r"^\s*\[")


def init_config(path: Path) -> Path:
    """Write the commented example to `path`; refuses (ConfigError) to overwrite an existing file."""
    if os.path.lexists(path):
        raise ConfigError(f"{path} already exists: not overwritten (edit it, or move it away first)")
    atomic_write_text(path, CONFIG_TEMPLATE, FILE_MODE)
    return path


def toml_value(value: str | bool | int | float) -> str:
    """A Python value written as a TOML literal (strings as basic strings, escaped)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


def _key_line(key: str) -> re.Pattern[str]:
    return re.compile(rf"^(\s*)(?:{re.escape(key)}|\"{re.escape(key)}\")\s*=.*$")


def _edit(lines: list[str], start: int, end: int, key: str, value: str | bool | int | float) -> list[str]:
    """Replace `key = ...` within lines[start:end], or add it at the end of that block (after its content)."""
    pattern = _key_line(key)
    for index in range(start, end):
        match = pattern.match(lines[index])
        if match:
            lines[index] = f"{match.group(1)}{key} = {toml_value(value)}"
            return lines
    insert_at = end
    while insert_at > start and not lines[insert_at - 1].strip():
        insert_at -= 1
    lines.insert(insert_at, f"{key} = {toml_value(value)}")
    return lines


def _read(path: Path) -> tuple[str, int]:
    try:
        text = path.read_bytes().decode("utf-8")  # not read_text: keep "\r\n" line endings as they are
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return "", FILE_MODE
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    parse_config_text(text, path)  # never edit a file that is already broken
    return text, mode


def _write(path: Path, lines: list[str], mode: int) -> None:
    text = "\n".join(lines).rstrip("\n") + "\n"
    parse_config_text(text, path)
    try:
        atomic_write_text(path, text, mode)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write: {exc.strerror or exc}") from None


def _parses(lines: list[str]) -> bool:
    try:
        tomllib.loads("".join(lines))
    except tomllib.TOMLDecodeError:
        return False
    return True


def _first_table(lines: list[str]) -> int:
    # A line starting with "[" is a table header only if everything before it is complete TOML: this skips
    # lines inside multi-line strings and arrays.
    for index, line in enumerate(lines):
        if line.lstrip().startswith("[") and _parses(lines[:index]):
            return index
    return len(lines)


def _is_blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


_SIMPLE_VALUE_RE = re.compile(
    r"""^(\s*\S+\s*=\s*)("(?:[^"\\\r\n]|\\.)*"|'[^'\r\n]*'|[A-Za-z0-9_.+:-]+)([ \t]*#[^\r\n]*)?(\s*)$"""
)


def set_top_level_text(text: str, key: str, value: str | bool | int | float) -> str:
    """`text` (TOML) with the top-level `key` set to `value`; every other line, comment and line ending unchanged.

    The `key = ...` statement before the first table is replaced (a comment after it stays), or a line is added
    after the last top-level setting. Lines inside multi-line strings and arrays are never mistaken for settings or
    tables, and the result must parse to the original data with only `key` changed: otherwise ConfigError.
    """
    try:
        original = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML ({exc}); fix it first") from None
    if original.get(key) == value and type(original.get(key)) is type(value):
        return text
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
    literal = toml_value(value)
    header = _first_table(lines)
    key_re = re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*=""")
    start = next((i for i in range(header) if key_re.match(lines[i]) and _parses(lines[:i])), None)
    if start is not None:
        end = next(k for k in range(start + 1, header + 1) if _parses(lines[:k]))
        simple = _SIMPLE_VALUE_RE.match(lines[start])
        if end == start + 1 and simple:
            lines[start] = f"{simple.group(1)}{literal}{simple.group(3) or ''}{newline}"
        else:
            lines[start:end] = [f"{key} = {literal}{newline}"]
    else:
        statements = [i for i in range(header) if not _is_blank_or_comment(lines[i])]
        if statements:
            at = statements[-1] + 1  # right after the last top-level setting
        else:
            at = header
            while header < len(lines) and at > 0 and lines[at - 1].strip().startswith("#"):
                at -= 1  # keep a comment block attached to the table it introduces
        insert = [f"{key} = {literal}{newline}"]
        if not statements and at < len(lines):
            insert.append(newline)  # a blank line between the setting and the table below
        lines[at:at] = insert
    result = "".join(lines)
    try:
        edited = tomllib.loads(result)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"the edit would break it ({exc})") from None
    if edited != {**original, key: value}:
        raise ConfigError("it is laid out in a way causerie cannot edit safely; edit it by hand")
    return result


def set_top_level_key(path: Path, key: str, value: str | bool | int | float) -> None:
    """Set one top-level setting (e.g. `theme = "nord"`) in place, keeping comments; atomic; raises ConfigError.

    A symlinked config file (dotfiles) is written through to its target; the file keeps its permissions.
    """
    target = Path(os.path.realpath(path))
    text, mode = _read(target)
    try:
        new_text = set_top_level_text(text, key, value)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    if new_text == text:
        return
    parse_config_text(new_text, path)
    try:
        atomic_write_text(target, new_text, mode)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write: {exc.strerror or exc}") from None


def set_profile_key(
    path: Path, profile: str, key: str, value: str | bool | int | float, *, private: bool = False
) -> None:
    """Set `key` in `[profiles.PROFILE]` (added if missing); `private` makes the file 0600 (for an api_key)."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", profile):
        raise ConfigError(f"invalid profile name {profile!r} (letters, digits, - and _ only)")
    text, mode = _read(path)
    if private:
        mode = FILE_MODE
    lines = text.splitlines()
    header = f"[profiles.{profile}]"
    start = next((i for i, line in enumerate(lines) if line.strip().replace(" ", "") == header), None)
    if start is None:
        while lines and not lines[-1].strip():
            lines.pop()
        lines += ["", header]
        start = len(lines) - 1
    end = next((i for i in range(start + 1, len(lines)) if _HEADER_RE.match(lines[i])), len(lines))
    _write(path, _edit(lines, start + 1, end, key, value), mode)
