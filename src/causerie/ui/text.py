"""The only way outside text reaches a widget: cleaned by core.safe_text, wrapped in Content, never parsed as markup.

Static, Label, Option, Button, DataTable cells and notify parse a plain `str` as markup: a model id such as
``[@click=app.quit]`` would become an action and ``[/]`` a crash. Content built here is shown exactly as typed.
"""

from __future__ import annotations

from rich.text import Text
from textual.content import Content
from textual.fuzzy import Matcher
from textual.markup import escape

from causerie.core.safe_text import sanitize, sanitize_in_place, sanitize_line


def outside(text: str, style: str = "") -> Content:
    """One line of outside text (title, model id, file name, config key, error message) as Content."""
    return Content.styled(sanitize_line(text), style) if style else Content(sanitize_line(text))


def outside_body(text: str, style: str = "") -> Content:
    """Multi-line outside text (a reply, reasoning, a tool result) as Content; newlines and tabs stay."""
    return Content.styled(sanitize(text), style) if style else Content(sanitize(text))


def editable_line(text: str) -> Text:
    """One line of a text being edited, as a TextArea shows it (`get_line`): cleaned one character for one."""
    return Text(sanitize_in_place(text), end="", no_wrap=True)


def outside_cell(value: object) -> Text:
    """A table cell (DataTable parses a `str` cell as markup): any value, cleaned to one line, as a Rich Text."""
    return Text(sanitize_line(str(value)), end="")


def highlight(matcher: Matcher, candidate: str) -> Content:
    """A palette hit's text with the matched letters marked, like `Matcher.highlight` but never parsed as markup.

    `Matcher.highlight` parses its candidate as markup: a title holding ``[/b]`` raised and hid every later hit.
    The candidate must already be cleaned (`sanitize_line`), so that the offsets match what is shown.
    """
    content = Content(candidate)
    score, offsets = matcher.fuzzy_search.match(matcher.query, candidate)
    if not score:
        return content
    for offset in offsets:
        if not candidate[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class EscapedMarkup(str):
    """A markup string made from outside text by `escaped`: the markup guard of the tests recognises it by its type."""


def escaped(text: str) -> EscapedMarkup:
    """Outside text for the few APIs that take markup only (a palette hit's help): cleaned, then escaped."""
    return EscapedMarkup(escape(sanitize_line(text)))


def notice_text(text: str) -> str:
    """Outside text for `notify(..., markup=False)`, whose message must be a `str`: one cleaned line per line."""
    return "\n".join(sanitize_line(line) for line in text.split("\n"))
