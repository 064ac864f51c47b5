"""The markup guard: every string Textual or Rich parses as markup must be a literal of the program's own source.

Outside text (a model id, a title, an error body) must reach widgets as Content/Text, never as a markup string (or,
where an API takes markup only, as the `EscapedMarkup` that `causerie.ui.text.escaped` makes). Under
test, Textual's and Rich's markup parsers are wrapped: a parsed string that is neither a string literal of causerie,
Textual or Rich (collected from their code by AST) nor an f-string / format template of theirs whose fields hold no
bracket or control character is recorded, and the test fails at teardown.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
import rich
import rich.markup
import textual
from textual.content import Content

import causerie

# What a field of our own template may hold: anything but markup brackets and control characters.
_FIELD = r"[^\[\]\x00-\x08\x0b-\x1f\x7f-\x9f]*?"
_FORMAT_FIELD_RE = re.compile(r"\{[^{}]*\}")


def _package_dirs() -> list[Path]:
    return [Path(module.__file__).parent for module in (causerie, textual, rich)]  # type: ignore[arg-type]


def _template(parts: list[str | None]) -> str:
    """A regex for a string with holes (None is a hole)."""
    return "".join(_FIELD if part is None else re.escape(part) for part in parts)


def _format_template(text: str) -> str | None:
    """A regex for a str.format template ("{task.description}"), or None when the string has no field."""
    if not _FORMAT_FIELD_RE.search(text):
        return None
    parts: list[str | None] = []
    for index, piece in enumerate(_FORMAT_FIELD_RE.split(text)):
        if index:
            parts.append(None)
        parts.append(piece.replace("{{", "{").replace("}}", "}"))
    return _template(parts)


def _joined(node: ast.JoinedStr) -> str:
    parts: list[str | None] = []
    for value in node.values:
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            parts.append(value.value)
        else:
            parts.append(None)
    return _template(parts)


@cache
def own_source() -> tuple[frozenset[str], tuple[re.Pattern[str], ...]]:
    """The string literals of causerie, Textual and Rich, and their f-string and format templates."""
    literals: set[str] = set()
    templates: set[str] = set()
    for root in _package_dirs():
        for path in root.rglob("*.py"):
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"))
            except (SyntaxError, UnicodeDecodeError):
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.JoinedStr):
                    templates.add(_joined(node))
                elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                    literals.add(node.value)
                    pattern = _format_template(node.value)
                    if pattern is not None:
                        templates.add(pattern)
    return frozenset(literals), tuple(re.compile(pattern, re.DOTALL) for pattern in sorted(templates))


@cache
def is_own(text: str) -> bool:
    """Whether a parsed markup string is the program's own text (and not outside text)."""
    literals, templates = own_source()
    return text in literals or any(pattern.fullmatch(text) for pattern in templates)


def guard(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Wrap the markup parsers for one test; returns the list of foreign strings parsed (empty when all is well)."""
    found: list[str] = []
    # Content.from_markup is where Textual parses (Static, Label, Option, Button, notify, the palette); it strips
    # control codes first, which would hide the type of an EscapedMarkup from a wrapper of textual.markup.to_content.
    parse_content = _wrap(Content.from_markup, found)
    monkeypatch.setattr(
        Content, "from_markup", classmethod(lambda _cls, markup, **variables: parse_content(markup, **variables))
    )
    monkeypatch.setattr(rich.markup, "render", _wrap(rich.markup.render, found))
    return found


def _wrap(parse: Callable[..., object], found: list[str]) -> Callable[..., object]:
    def guarded(markup: str, *args: object, **kwargs: object) -> object:
        if type(markup) is str and not is_own(markup):  # Content, Text and EscapedMarkup are safe by construction
            found.append(markup)
        return parse(markup, *args, **kwargs)

    return guarded
