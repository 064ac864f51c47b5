"""Markdown blocks rendered to Textual `Strip`s with Rich, in colours taken from the current Textual theme.

Rich renders a block of Markdown to lines of segments about twenty times faster than Textual's `Markdown` widget
mounts it (no widgets, no CSS): a finished block is rendered once and its strips are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from markdown_it import MarkdownIt
from pygments.token import Token
from rich.console import Console, ConsoleOptions, RenderableType
from rich.markdown import MarkdownElement
from rich.segment import Segment
from rich.style import Style
from rich.syntax import SyntaxTheme
from rich.text import Text
from rich.theme import Theme as RichTheme
from textual.color import Color, ColorParseError
from textual.highlight import ANSIDarkHighlightTheme, ANSILightHighlightTheme, HighlightTheme
from textual.strip import Strip

from causerie.ui.compat import SharedParserMarkdown
from causerie.ui.widgets.markdown_elements import ELEMENTS, code_syntax

_PARSER = MarkdownIt().enable("strikethrough").enable("table")


class ReplyMarkdown(SharedParserMarkdown):
    """Rich's Markdown renderable with causerie's elements, parsed by the one shared parser."""

    elements: ClassVar[dict[str, type[MarkdownElement]]] = {**SharedParserMarkdown.elements, **ELEMENTS}


class CodeTheme(SyntaxTheme):
    """Pygments token styles resolved from the Textual theme's variables (the same roles as Textual's highlighter)."""

    def __init__(self, styles: dict, background: Style) -> None:
        self._styles = styles
        self._background = background
        self._cache: dict = {}

    def get_style_for_token(self, token_type: tuple[str, ...]) -> Style:
        style = self._cache.get(token_type)
        if style is None:
            lookup = token_type
            while lookup not in self._styles and lookup:
                lookup = lookup[:-1]
            style = self._background + self._styles.get(lookup, Style.null())
            self._cache[token_type] = style
        return style

    def get_background_style(self) -> Style:
        return self._background


class _Resolver:
    """Turns Textual style strings ("$text-accent 80%", "bold $text-success", "#ff0000") into Rich styles."""

    def __init__(self, variables: dict[str, str], background: Color, foreground: Color) -> None:
        self.variables = variables
        self.background = background
        self.foreground = foreground

    def color(self, value: str, depth: int = 0) -> Color | None:
        value = value.strip()
        alpha = 1.0
        if value.endswith("%") and " " in value:
            value, _, percent = value.rpartition(" ")
            try:
                alpha = float(percent[:-1]) / 100
            except ValueError:
                return None
        if value.startswith("$"):
            if depth > 5 or value[1:] not in self.variables:
                return None
            color = self.color(self.variables[value[1:]], depth + 1)
        elif value.startswith("auto"):
            color = self.foreground
        elif value in ("transparent", "initial", "ansi_default", "", "none"):
            return None
        else:
            try:
                color = Color.parse(value)
            except ColorParseError:
                return None
        if color is None:
            return None
        if color.ansi is not None:
            return color
        color = color.multiply_alpha(alpha)
        return self.background + color if color.a < 1 else color

    def style(self, spec: str) -> Style:
        words = spec.split()
        attributes: dict[str, bool] = {}
        fg = bg = None
        index = 0
        while index < len(words):
            word = words[index]
            following = words[index + 1] if index + 1 < len(words) else ""
            percent = following if following.endswith("%") else ""
            if word == "on" and following:
                bg_percent = words[index + 2] if index + 2 < len(words) and words[index + 2].endswith("%") else ""
                bg = self.color(f"{following} {bg_percent}".strip())
                index += 3 if bg_percent else 2
                continue
            if word in ("bold", "italic", "underline", "strike", "dim", "reverse"):
                attributes[word] = True
            elif word == "not" and following:
                attributes[following] = False
                index += 1
            elif word != "none":
                fg = self.color(f"{word} {percent}".strip())
                if percent:
                    index += 1
            index += 1
        return Style(
            color=fg.rich_color if fg else None,
            bgcolor=bg.rich_color if bg else None,
            **attributes,  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class RenderStyles:
    """What a render needs from the theme: Rich's markdown.* styles and a code theme."""

    key: tuple
    theme: RichTheme
    code: CodeTheme
    code_background: Style


def render_styles(variables: dict[str, str], dark: bool, name: str, ansi: bool = False) -> RenderStyles:
    """Styles for the theme `name` with these CSS variables (cached while the theme stays the same)."""
    return _render_styles(name, dark, ansi, tuple(sorted(variables.items())))


@lru_cache(maxsize=8)
def _render_styles(name: str, dark: bool, ansi: bool, items: tuple) -> RenderStyles:
    variables = dict(items)
    try:
        background = Color.parse(variables.get("background", "#000000" if dark else "#ffffff"))
    except ColorParseError:
        background = Color(0, 0, 0) if dark else Color(255, 255, 255)
    try:
        foreground = Color.parse(variables.get("foreground", "#e0e0e0" if dark else "#1f1f1f"))
    except ColorParseError:
        foreground = Color(224, 224, 224) if dark else Color(31, 31, 31)
    resolve = _Resolver(variables, background, foreground)
    code_bg = resolve.color("$code-background") or resolve.color("$surface")
    code_background = Style(bgcolor=code_bg.rich_color) if code_bg else Style.null()
    inline = "$text-warning 95%" if dark else "$text-error 95%"
    styles = {
        "markdown.code": resolve.style(f"bold {inline}") + code_background,
        "markdown.code_block": code_background,
        "markdown.block_quote": resolve.style("italic $text-secondary"),
        "markdown.item.bullet": resolve.style("bold $text-primary"),
        "markdown.item.number": resolve.style("$text-primary"),
        "markdown.hr": resolve.style("$text-muted"),
        "markdown.link": resolve.style("$text-accent"),
        "markdown.link_url": resolve.style("underline $text-muted"),
        "markdown.table.border": resolve.style("$text-primary 50%"),
        "markdown.table.header": resolve.style("bold $text-primary"),
        "markdown.kbd": resolve.style("bold $text-accent"),
    }
    for level in range(1, 7):
        colour = variables.get(f"markdown-h{level}-color", "$text-primary")
        text_style = variables.get(f"markdown-h{level}-text-style", "bold")
        background_spec = variables.get(f"markdown-h{level}-background", "transparent")
        spec = f"{text_style if text_style != 'none' else ''} {colour} on {background_spec}"
        styles[f"markdown.h{level}"] = resolve.style(spec)
    styles["markdown.h1.border"] = styles["markdown.h1"]
    highlight = (ANSIDarkHighlightTheme if dark else ANSILightHighlightTheme) if ansi else HighlightTheme
    token_styles = {token: resolve.style(spec) for token, spec in highlight.STYLES.items()}
    token_styles.setdefault(Token, Style.null())
    return RenderStyles(
        key=(name, dark, ansi, hash(items)),
        theme=RichTheme(styles, inherit=True),
        code=CodeTheme(token_styles, code_background),
        code_background=code_background,
    )


def _options(console: Console, width: int) -> ConsoleOptions:
    return console.options.update(width=width, height=None, highlight=False, markup=False)


def _strips(console: Console, renderable: RenderableType, width: int, style: Style | None = None) -> list[Strip]:
    lines = console.render_lines(renderable, _options(console, width), style=style, pad=True)
    return [Strip(line, width) for line in lines]


def render_markdown(source: str, width: int, console: Console, styles: RenderStyles) -> list[Strip]:
    """One Markdown block (or several) rendered to strips `width` cells wide."""
    if width <= 0:
        return []
    console.push_theme(styles.theme)
    try:
        lines = console.render_lines(ReplyMarkdown(source, styles.code, _PARSER), _options(console, width), pad=True)
    finally:
        console.pop_theme()
    # Rich starts some blocks (lists, quotes) with an empty line of its own: the caller spaces blocks.
    start, end = 0, len(lines)
    while start < end and _is_empty(lines[start]):
        start += 1
    while end > start and _is_empty(lines[end - 1]):
        end -= 1
    return [Strip(line, width) for line in lines[start:end]]


def _is_empty(line: list[Segment]) -> bool:
    """A line Rich emitted as a bare newline (padding lines of code blocks carry a style, even a null one)."""
    return all(segment.style is None and not segment.text.strip() for segment in line)


def render_plain(text: str, width: int, console: Console, style: Style | None = None) -> list[Strip]:
    """Text shown as typed (a user's message), wrapped to `width`."""
    if width <= 0:
        return []
    return _strips(console, Text(text, style=style or ""), width)


def render_code(
    code: str, language: str, width: int, console: Console, styles: RenderStyles, *, last: bool
) -> list[Strip]:
    """Part of a code block as a finished one is drawn (a highlighted box): consecutive parts join into one box;
    the `last` part drops the trailing line breaks, as the finished block does."""
    if width <= 0:
        return []
    syntax = code_syntax(code.rstrip("\n") if last else code.removesuffix("\n"), language, styles.code)
    return _strips(console, syntax, width)


def blank_strip(width: int) -> Strip:
    """An empty line."""
    return Strip([Segment(" " * width)], width)
