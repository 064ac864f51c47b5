"""Theme specs from the core checked against Textual's colour parser, turned into Textual themes and registered."""

from __future__ import annotations

import difflib
import re
from functools import cache

from textual.app import App
from textual.color import Color, ColorParseError
from textual.css.constants import VALID_STYLE_FLAGS
from textual.theme import BUILTIN_THEMES, Theme

from causerie.core.settings.themes import COLOR_FIELDS, ThemeError, ThemeSpec

# causerie's own colour variables, each defaulting to a colour of the theme's colour system, so that themes
# without them (Textual's built-in ones) still style every screen.
VARIABLE_FALLBACKS = {
    "user-message-background": "surface",
    "assistant-message-background": "background",
    "message-role-user": "secondary",
    "message-role-assistant": "primary",
    "code-background": "surface",
}
# Code styles by kind of theme, for renderers that use Rich's Syntax themes.
ANSI_CODE_THEMES = {True: "ansi_dark", False: "ansi_light"}  # by Theme.dark
DEFAULT_CODE_THEMES = {True: "monokai", False: "default"}
# Variables Textual's ANSI colour system does not generate although its own widgets use them (its built-in ANSI
# themes set them by hand): without these, an ANSI theme that leaves them out breaks the stylesheet.
ANSI_VARIABLE_DEFAULTS = {
    "ansi-background": "ansi_default",
    "ansi-foreground": "ansi_default",
    "foreground-disabled": "ansi_default 50%",
    "surface-active": "transparent",
}
_PERCENT_RE = re.compile(r"^\d+(\.\d+)?%$")


def variable_defaults(theme: Theme) -> dict[str, str]:
    """Concrete values for causerie's variables, derived from `theme`."""
    generated = theme.to_color_system().generate()
    defaults = {name: generated[source] for name, source in VARIABLE_FALLBACKS.items()}
    if theme.ansi:
        defaults.update(ANSI_VARIABLE_DEFAULTS)
    return defaults


def code_theme(theme: Theme) -> str:
    """The Rich Syntax theme for code under `theme`: terminal colours for ANSI themes, else dark or light."""
    return (ANSI_CODE_THEMES if theme.ansi else DEFAULT_CODE_THEMES)[theme.dark]


@cache
def known_variables() -> frozenset[str]:
    """Every variable a theme may set: causerie's and those of Textual's colour system."""
    names = set(VARIABLE_FALLBACKS)
    for ansi in (False, True):
        names |= set(Theme(name="probe", primary="#336699", ansi=ansi).to_color_system().generate())
    return frozenset(names)


def _color_problem(value: str) -> str | None:
    try:
        Color.parse(value)
    except ColorParseError as exc:
        return str(exc)
    return None


def _variable_problem(name: str, value: str) -> str | None:
    words = value.split()
    if "style" in name.split("-"):  # text-style, link-style, link-style-hover, ...
        bad = [w for w in words if w not in VALID_STYLE_FLAGS]
        if not words:
            return "empty text style"
        return f"{bad[0]!r} is not a text style" if bad else None
    if len(words) == 2 and _PERCENT_RE.match(words[1]):
        words = words[:1]
    if len(words) != 1:
        return f"not a colour: {value!r}"
    if words[0] in ("auto", "initial"):
        return None
    return _color_problem(words[0])


def check_spec(spec: ThemeSpec) -> Theme:
    """The Textual Theme of a spec, after checking every colour with Textual's parser; raises ThemeError."""
    for key in sorted(COLOR_FIELDS & set(spec.fields)):
        problem = _color_problem(spec.fields[key])
        if problem:
            raise ThemeError(f"{spec.source}: {key!r}: {problem}")
    known = known_variables()
    for name, value in spec.variables.items():
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ThemeError(f"{spec.source}: unknown variable {name!r}{hint}")
        problem = _variable_problem(name, value)
        if problem:
            raise ThemeError(f"{spec.source}: variable {name!r}: {problem}")
    theme = to_textual(spec)
    try:
        theme.to_color_system().generate()
    except Exception as exc:  # Textual's colour maths on user input: report, never crash
        raise ThemeError(f"{spec.source}: unusable colours: {exc}") from exc
    return theme


def to_textual(spec: ThemeSpec) -> Theme:
    """A Textual Theme from a parsed spec."""
    return Theme(**spec.fields, variables=dict(spec.variables))


def register_all(app: App, specs: list[ThemeSpec]) -> tuple[list[str], list[str]]:
    """Register every valid spec: (names registered, one error message per rejected spec)."""
    names: list[str] = []
    errors: list[str] = []
    for spec in specs:
        try:
            theme = check_spec(spec)
        except ThemeError as exc:
            errors.append(str(exc))
            continue
        app.register_theme(theme)
        names.append(spec.name)
    return names, errors


def builtin_theme_names() -> list[str]:
    """Names of Textual's own themes (they stay available)."""
    return sorted(BUILTIN_THEMES)
