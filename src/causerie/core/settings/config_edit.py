"""Writing config.toml: the commented example of `causerie config init`, and edits of one value through tomlkit.

tomlkit keeps everything it is not asked to change (comments, order, blank lines, quoting, dotted keys), so an
edit changes the one value and nothing else; line endings are kept too (a CRLF file stays CRLF). Every edit is
checked by parsing the result (it must hold exactly the old data with the one value changed, and be a config
causerie accepts), a file that does not parse is never rewritten, and the write is atomic, at the target of a
symlinked file, with the file's own permissions (0600 for a new file).
"""

from __future__ import annotations

import copy
import os
import re
import stat
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import AoT, Comment, String, StringType, Table, Whitespace

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

# How many times in a row the model may call tools (MCP servers, below) before it is stopped.
# max_tool_rounds = 10

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

# Tools from MCP servers (needs `pip install 'causerie[mcp]'`), in the form Codex CLI uses: a copied block works.
# Each call to a tool not listed in `allow` waits for your answer; the model sees a tool as "server__tool".
# [mcp_servers.weather]
# command = "python"                  # or: url = "http://127.0.0.1:9000/mcp" (streamable HTTP)
# args = ["weather_server.py"]
# env = { UNITS = "metric" }          # the server gets a minimal environment plus this, never your API keys
# startup_timeout_sec = 10
# tool_timeout_sec = 60
# enabled_tools = ["forecast"]        # offer only these (disabled_tools leaves some out)
# allow = ["forecast"]                # tools that run without asking

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
# Model controls of a profile (sent only when set; a conversation's settings, F3, and `ask` options go over them):
#   reasoning_effort  "minimal", "low", "medium" or "high" ("none", "xhigh" where the model takes them)
#   temperature       0 to 2;  top_p  0 to 1
#   max_tokens        the most output tokens of a reply (sent under max_tokens_param's name)
#   seed              a whole number, for repeatable sampling where supported
#   extra_body        other request body fields, e.g. extra_body = { top_k = 40 }
# The key itself is never accepted as a command-line option: it would be visible to other users in `ps`.

# [profiles.openai]
# api_key_command = "pass show openai"

# [profiles.ollama]
# base_url = "http://localhost:11434/v1"
# model = "llama3.2"
# local = true
# temperature = 0.7
# extra_body = { top_k = 40 }

# [profiles.openrouter]
# base_url = "https://openrouter.ai/api/v1"
# model = "openai/gpt-6-luna"
# api_key_env = "OPENROUTER_API_KEY"
# max_tokens_param = "max_tokens"
"""

Value = str | bool | int | float | list[Any] | dict[str, Any]
"""What can be written: TOML scalars, arrays and tables."""


def init_config(path: Path) -> Path:
    """Write the commented example to `path`; refuses (ConfigError) to overwrite an existing file."""
    if os.path.lexists(path):
        raise ConfigError(f"{path} already exists: not overwritten (edit it, or move it away first)")
    atomic_write_text(path, CONFIG_TEMPLATE, FILE_MODE)
    return path


def set_value_text(text: str, keys: Sequence[str], value: Value) -> str:
    """`text` (TOML) with the value at `keys` (a table path, then the key) set; every other byte unchanged.

    Missing tables on the way are added (`[profiles.NAME]` at the end of the file); a key written with dots
    or in an inline table is edited where it is. Raises ConfigError if the text does not parse, or if the
    result would not hold exactly the old data with this one value changed.
    """
    if not keys:
        raise ConfigError("no key to set")
    try:
        original = tomllib.loads(text)
        document = tomlkit.parse(text)
    except (tomllib.TOMLDecodeError, TOMLKitError) as exc:
        raise ConfigError(f"not valid TOML ({exc}); fix it first") from None
    expected = copy.deepcopy(original)
    place: dict[str, Any] = expected
    for key in keys[:-1]:
        inner = place.setdefault(key, {})
        if not isinstance(inner, dict):
            raise ConfigError(f"{'.'.join(keys[: keys.index(key) + 1])} is not a table")
        place = inner
    if keys[-1] in place and place[keys[-1]] == value and type(place[keys[-1]]) is type(value):
        return text
    place[keys[-1]] = value
    if len(keys) == 1 and keys[0] not in document:
        _add_top_level(document, keys[0], value)
        return _checked(text, document, expected)
    container: Any = document
    for depth, key in enumerate(keys[:-1]):
        if key not in container:
            # A table that only holds tables is written as [profiles.NAME], without an empty [profiles].
            container[key] = tomlkit.table(is_super_table=depth < len(keys) - 2)
        container = container[key]
    old = container.get(keys[-1]) if keys[-1] in container else None
    container[keys[-1]] = _quoted_like(old, value)
    return _checked(text, document, expected)


def _quoted_like(old: object, value: Value) -> object:
    """A new string in the quotes of the one it replaces where TOML allows it, else in double quotes.

    Chosen here rather than left to tomlkit, whose choice changed between releases: 'single quotes' stay
    single unless the new value holds a quote or a control character (a literal string cannot).
    """
    if not isinstance(value, str):
        return value
    literal = (
        isinstance(old, String)
        and old.type is StringType.SLL
        and "'" not in value
        and not any(ord(char) < 32 and char != "\t" or ord(char) == 127 for char in value)
    )
    return tomlkit.string(value, literal=literal)


def _add_top_level(document: tomlkit.TOMLDocument, key: str, value: Value) -> None:
    """Add a top-level key after the last top-level setting, as a person would.

    tomlkit puts it right above the first table, below the comment that introduces that table, and adds a blank
    line to the table; here the comment stays with its table and the table keeps its own spacing.
    """
    tables = [item for _, item in document.body if isinstance(item, Table | AoT)]
    indents = [item.trivia.indent for item in tables if isinstance(item, Table)]
    document[key] = value
    for item, indent in zip([t for t in tables if isinstance(t, Table)], indents, strict=True):
        item.trivia.indent = indent
    body = document.body  # the document's own list of (key, item): reordering it moves the lines
    at = next(i for i, (k, _) in enumerate(body) if k is not None and k.key == key)
    if at + 1 >= len(body) or not isinstance(body[at + 1][1], Table | AoT):
        return
    last_setting = max((i for i, (k, _) in enumerate(body[:at]) if k is not None), default=None)
    entry = body.pop(at)
    if last_setting is not None:
        body.insert(last_setting + 1, entry)
        return
    start = at
    while start > 0 and body[start - 1][0] is None and isinstance(body[start - 1][1], Comment):
        start -= 1
    body.insert(start, entry)
    if start < at:
        body.insert(start + 1, (None, Whitespace("\n")))  # a blank line between it and the table's comment


def _checked(text: str, document: tomlkit.TOMLDocument, expected: dict[str, Any]) -> str:
    """The edited document as text, if it holds exactly the data expected (ConfigError otherwise)."""
    result = _same_line_endings(text, tomlkit.dumps(document))
    try:
        edited = tomllib.loads(result)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"the edit would break it ({exc})") from None
    if edited != expected:
        raise ConfigError("it is laid out in a way causerie cannot edit safely; edit it by hand")
    return result


def _same_line_endings(before: str, after: str) -> str:
    """Lines tomlkit added end like the file's own (it writes "\n"): a CRLF file stays CRLF throughout."""
    if "\r\n" in before and "\n" not in before.replace("\r\n", ""):
        return re.sub(r"(?<!\r)\n", "\r\n", after)
    return after


def set_top_level_text(text: str, key: str, value: Value) -> str:
    """`text` with the top-level `key` set to `value` (see set_value_text)."""
    return set_value_text(text, (key,), value)


def set_value(path: Path, keys: Sequence[str], value: Value, *, private: bool = False) -> None:
    """Set the value at `keys` in the config file (created if missing); atomic; raises ConfigError.

    A symlinked config file (dotfiles) is edited at its target and stays a link; the file keeps its permissions
    (`private` makes it 0600, for an api_key). A file that does not parse, or that causerie would not accept
    after the edit, is left untouched and the error says why.
    """
    target = Path(os.path.realpath(path))
    try:
        text = target.read_bytes().decode("utf-8")  # not read_text: "\r\n" line endings stay as they are
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        text, mode = "", FILE_MODE
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    if text:
        parse_config_text(text, path)  # never edit a file that is already broken: the error names its line
    try:
        new_text = set_value_text(text, keys, value)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    if private:
        mode = FILE_MODE
    if new_text == text and (not private or not text):
        return
    parse_config_text(new_text, path)
    try:
        atomic_write_text(target, new_text, mode)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write: {exc.strerror or exc}") from None


def set_top_level_key(path: Path, key: str, value: Value) -> None:
    """Set one top-level setting (e.g. `theme = "nord"`) in place (see set_value)."""
    set_value(path, (key,), value)


def set_profile_key(path: Path, profile: str, key: str, value: Value, *, private: bool = False) -> None:
    """Set `key` in `[profiles.PROFILE]` (added if missing); `private` makes the file 0600 (for an api_key)."""
    if not profile:
        raise ConfigError("a profile needs a name")
    set_value(path, ("profiles", profile, key), value, private=private)


def set_mcp_server_list(path: Path, server: str, key: str, values: list[str]) -> None:
    """Set `key` inside `[mcp_servers.SERVER]` to an array of strings (e.g. `allow`, for "always allow this tool")."""
    set_value(path, ("mcp_servers", server, key), list(values))
