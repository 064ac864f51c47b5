"""Small, careful edits of config.toml: change one top-level setting, keep every other line and comment as is.

Rather than a TOML round-trip library, the edit is textual: find the top-level `key = ...` statement (or the place
before the first table), replace or insert one line, then parse the result and check that it differs from the
original in that one value only. Anything unexpected raises ConfigWriteError and the file is left untouched.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tomllib
from pathlib import Path

from causerie.core.fileio import FILE_MODE, atomic_write_text


class ConfigWriteError(Exception):
    """The config file could not be changed; the message names the file and the reason."""


def _parses(lines: list[str]) -> bool:
    try:
        tomllib.loads("".join(lines))
    except tomllib.TOMLDecodeError:
        return False
    return True


def _is_blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _first_table(lines: list[str]) -> int:
    # A line starting with "[" is a table header only if everything before it is complete TOML: this skips
    # lines inside multi-line strings and arrays.
    for index, line in enumerate(lines):
        if line.lstrip().startswith("[") and _parses(lines[:index]):
            return index
    return len(lines)


def _toml_string(value: str) -> str:
    # JSON string escapes are valid TOML basic-string escapes for everything json.dumps emits with ensure_ascii.
    return json.dumps(value, ensure_ascii=True)


def set_top_level_string(text: str, key: str, value: str) -> str:
    """`text` (a TOML document) with the top-level `key` set to the string `value`; all else unchanged.

    Raises ConfigWriteError if `text` is not valid TOML or the edit cannot be made safely.
    """
    try:
        original = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigWriteError(f"it is not valid TOML ({exc}); fix it first") from exc
    if original.get(key) == value:
        return text
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
    new_line = f"{key} = {_toml_string(value)}{newline}"
    header = _first_table(lines)
    key_re = re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*=""")

    start = next((i for i in range(header) if key_re.match(lines[i]) and _parses(lines[:i])), None)
    if start is not None:
        end = next(k for k in range(start + 1, header + 1) if _parses(lines[:k]))
        simple = re.match(r"""^(\s*\S+\s*=\s*)("(?:[^"\\\r\n]|\\.)*"|'[^'\r\n]*')(\s*(?:#.*)?)$""", lines[start], re.S)
        if end == start + 1 and simple:
            lines[start] = simple.group(1) + _toml_string(value) + simple.group(3)
        else:
            lines[start:end] = [new_line]
    else:
        statements = [i for i in range(header) if not _is_blank_or_comment(lines[i])]
        if statements:
            at = statements[-1] + 1  # right after the last top-level setting
        else:
            at = header
            while header < len(lines) and at > 0 and lines[at - 1].strip().startswith("#"):
                at -= 1  # keep a comment block attached to the table it introduces
        insert = [new_line]
        if not statements and at < len(lines):
            insert.append(newline)  # a blank line between the setting and the table below
        lines[at:at] = insert
    result = "".join(lines)

    expected = dict(original)
    expected[key] = value
    try:
        edited = tomllib.loads(result)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigWriteError(f"the edit would break it ({exc})") from exc
    if edited != expected:
        raise ConfigWriteError("it is laid out in a way causerie cannot edit safely")
    return result


def set_config_value(path: Path, key: str, value: str) -> None:
    """Set the top-level string `key` in the config file at `path` (created if missing), atomically.

    A symlinked config file is written through to its target; an existing file keeps its permissions.
    """
    target = Path(os.path.realpath(path))
    try:
        raw = target.read_bytes()
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        raw, mode = b"", FILE_MODE
    except OSError as exc:
        raise ConfigWriteError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigWriteError(f"{path}: not UTF-8 text") from exc
    try:
        new_text = set_top_level_string(text, key, value)
    except ConfigWriteError as exc:
        raise ConfigWriteError(f"{path}: {exc}") from exc
    if new_text == text:
        return
    try:
        atomic_write_text(target, new_text, mode)
    except OSError as exc:
        raise ConfigWriteError(f"{path}: cannot write: {exc.strerror or exc}") from exc


def save_theme(path: Path, name: str) -> None:
    """Remember `name` as the theme in the config file at `path`."""
    set_config_value(path, "theme", name)
