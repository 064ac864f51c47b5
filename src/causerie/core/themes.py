"""Theme files (TOML) read into plain specs, with one error per bad file; no Textual here."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
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
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_HEX_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
_ANSI_RE = re.compile(r"^ansi_(bright_)?(black|red|green|yellow|blue|magenta|cyan|white)$|^ansi_default$")
_FUNC_RE = re.compile(r"^(rgb|rgba|hsl|hsla)\([^)]*\)$")


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
    """A colour Textual accepts: #hex, rgb()/hsl(), an ANSI name, or a plain colour name."""
    value = value.strip()
    return bool(_HEX_RE.match(value) or _ANSI_RE.match(value) or _FUNC_RE.match(value) or value.isalpha())


def parse_theme(text: str, source: str = "<theme>") -> ThemeSpec:
    """Parse one theme file's text; raises ThemeError naming `source`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ThemeError(f"{source}: TOML syntax error: {exc}") from exc
    variables = data.pop("variables", {})
    if not isinstance(variables, dict):
        raise ThemeError(f"{source}: [variables] must be a table")
    unknown = sorted(set(data) - set(THEME_FIELDS))
    if unknown:
        raise ThemeError(f"{source}: unknown key {unknown[0]!r}")
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
            raise ThemeError(f"{source}: {key!r} must be a {kind.__name__}")
        if key in COLOR_FIELDS and not is_color(value):
            raise ThemeError(f"{source}: {key!r} is not a colour: {value!r}")
    for key, value in variables.items():
        if not isinstance(value, str):
            raise ThemeError(f"{source}: variable {key!r} must be a string")
    return ThemeSpec(name=name, fields=data, variables=dict(variables), source=source)


def bundled_theme_files() -> list[tuple[str, str]]:
    """(file name, text) of the themes shipped with causerie (inside the wheel, or the source tree)."""
    root = resources.files("causerie") / "themes"
    if not root.is_dir():
        source_tree = Path(__file__).resolve().parents[3] / "themes"
        root = source_tree  # type: ignore[assignment]
    files = []
    if root.is_dir():
        for entry in sorted(root.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".toml"):
                files.append((entry.name, entry.read_text(encoding="utf-8")))
    return files


def load_themes(user_dir: Path | None = None) -> tuple[list[ThemeSpec], list[str]]:
    """All bundled themes, then the user's: (specs, one error message per bad file)."""
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
