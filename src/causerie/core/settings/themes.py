"""Theme files (TOML) read into plain specs, with one error per bad file; no Textual here.

A theme file holds the fields of Textual's `Theme` (name, primary, background, dark, ...) at the top level and
causerie's own CSS variables in a `[variables]` table. This module checks the shape (keys, types, colour syntax);
`causerie.ui.themes` then checks the colours against Textual's own parser before registering a theme.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

THEME_FIELDS = {
    "name": str,
    "primary": str,
    "secondary": str,
    "accent": str,
    "foreground": str,
    "background": str,
    "surface": str,
    "panel": str,
    "boost": str,
    "success": str,
    "warning": str,
    "error": str,
    "dark": bool,
    "luminosity_spread": float,
    "text_alpha": float,
    "ansi": bool,
}
COLOR_FIELDS = {k for k, v in THEME_FIELDS.items() if v is str and k != "name"}
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*\Z")  # \Z: "$" also matches before a final newline
_VARIABLE_RE = re.compile(r"^[a-z][a-z0-9-]*\Z")
_HEX_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})\Z")
_ANSI_RE = re.compile(r"^ansi_(bright_)?(black|red|green|yellow|blue|magenta|cyan|white)\Z|^ansi_default\Z")
_FUNC_RE = re.compile(r"^(rgb|rgba|hsl|hsla)\([^)]*\)\Z")


class ThemeError(ValueError):
    """A theme file is unusable; the message names the file and the problem."""


@dataclass(frozen=True)
class ThemeSpec:
    """A parsed theme: the keyword arguments of `textual.theme.Theme` plus causerie's CSS variables."""

    name: str
    fields: dict[str, Any]
    variables: dict[str, str] = field(default_factory=dict)
    source: str = ""


def is_color(value: str) -> bool:
    """Colour syntax Textual may accept: #hex, rgb()/hsl(), an ANSI name, or a plain colour name.

    Named colours are only checked for shape here; `causerie.ui.themes` checks them against Textual's list.
    """
    value = value.strip()
    return bool(_HEX_RE.match(value) or _ANSI_RE.match(value) or _FUNC_RE.match(value) or value.isalpha())


def is_ansi_color(value: str) -> bool:
    """True for the terminal's own colours (`ansi_red`, `ansi_bright_blue`, `ansi_default`, ...)."""
    return bool(_ANSI_RE.match(value.strip()))


def _suggest(word: str, known: set[str]) -> str:
    close = difflib.get_close_matches(word, sorted(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def parse_theme(text: str, source: str = "<theme>") -> ThemeSpec:
    """Parse one theme file's text; raises ThemeError naming `source` and the first problem found."""
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise ThemeError(f"{source}: TOML syntax error: tables or arrays nested too deeply") from None
    except tomllib.TOMLDecodeError as exc:
        raise ThemeError(f"{source}: TOML syntax error: {exc}") from exc
    variables = data.pop("variables", {})
    if not isinstance(variables, dict):
        raise ThemeError(f"{source}: [variables] must be a table")
    unknown = sorted(set(data) - set(THEME_FIELDS))
    if unknown:
        raise ThemeError(f"{source}: unknown key {unknown[0]!r}{_suggest(unknown[0], set(THEME_FIELDS))}")
    name = data.get("name")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ThemeError(f"{source}: 'name' must be lower-case letters, digits, '-' or '_'")
    if "primary" not in data:
        raise ThemeError(f"{source}: 'primary' is required")
    for key, value in data.items():
        kind = THEME_FIELDS[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
            data[key] = value
        if not isinstance(value, kind):
            raise ThemeError(f"{source}: {key!r} must be a {'boolean' if kind is bool else kind.__name__}")
        if key in COLOR_FIELDS and not is_color(value):
            raise ThemeError(f"{source}: {key!r} is not a colour: {value!r}")
    for key, value in variables.items():
        if not _VARIABLE_RE.match(key):
            raise ThemeError(f"{source}: variable {key!r} must be lower-case letters, digits and '-'")
        if not isinstance(value, str):
            raise ThemeError(f"{source}: variable {key!r} must be a string")
    return ThemeSpec(name=name, fields=data, variables=dict(variables), source=source)


def bundled_themes_dir() -> Traversable | None:
    """Where the bundled theme files are: `causerie/themes` inside the installed package, else the source tree."""
    root = resources.files("causerie") / "themes"
    if root.is_dir():
        return root
    source_tree = Path(__file__).resolve().parents[4] / "themes"  # an editable install of the repository
    return source_tree if source_tree.is_dir() else None


def bundled_theme_files() -> list[tuple[str, str]]:
    """(file name, text) of the themes shipped with causerie, sorted by file name."""
    root = bundled_themes_dir()
    if root is None:
        return []
    entries = sorted((e for e in root.iterdir() if e.name.endswith(".toml")), key=lambda e: e.name)
    return [(entry.name, entry.read_text(encoding="utf-8")) for entry in entries]


def load_themes(user_dir: Path | None = None) -> tuple[list[ThemeSpec], list[str]]:
    """All bundled themes, then the user's `*.toml` files: (specs, one error message per bad file).

    A user theme with the name of a bundled one comes later in the list, so it replaces it when registered.
    """
    specs: list[ThemeSpec] = []
    errors: list[str] = []
    for name, text in bundled_theme_files():
        try:
            specs.append(parse_theme(text, f"bundled theme {name}"))
        except ThemeError as exc:
            errors.append(str(exc))
    if user_dir is not None and user_dir.is_dir():
        for path in sorted(user_dir.glob("*.toml")):
            try:
                specs.append(parse_theme(path.read_text(encoding="utf-8"), str(path)))
            except (OSError, UnicodeDecodeError) as exc:
                errors.append(f"{path}: cannot read: {exc}")
            except ThemeError as exc:
                errors.append(str(exc))
    return specs, errors
