"""Theme specs from the core turned into Textual themes and registered on the app."""

from __future__ import annotations

from textual.app import App
from textual.theme import Theme

from causerie.core.themes import ThemeSpec

# causerie's own CSS variables, each defaulting to a colour of the theme's colour system, so that themes
# without them (Textual's built-in ones) still style every screen.
VARIABLE_FALLBACKS = {
    "user-message-background": "surface",
    "assistant-message-background": "background",
    "message-role-user": "secondary",
    "message-role-assistant": "primary",
    "code-background": "surface",
}


def variable_defaults(theme: Theme) -> dict[str, str]:
    """Concrete values for causerie's variables, derived from `theme`."""
    generated = theme.to_color_system().generate()
    return {name: generated[source] for name, source in VARIABLE_FALLBACKS.items()}


def to_textual(spec: ThemeSpec) -> Theme:
    """A Textual Theme from a parsed spec."""
    return Theme(**spec.fields, variables=dict(spec.variables))


def register_all(app: App, specs: list[ThemeSpec]) -> list[str]:
    """Register every spec; returns the names registered."""
    names = []
    for spec in specs:
        app.register_theme(to_textual(spec))
        names.append(spec.name)
    return names
