"""causerie's own styles use theme variables only: no colour is written into a .tcss file, a DEFAULT_CSS, a Rich
style= argument or a markup tag in the UI code, so every theme styles every screen."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from textual._color_constants import COLOR_NAME_TO_RGB

UI = Path(__file__).resolve().parents[2] / "src" / "causerie" / "ui"
NAMED = {name for name in COLOR_NAME_TO_RGB if name != "transparent"}
_COLOUR_WORD = re.compile(r"#[0-9a-fA-F]{3,8}\b|\b(?:rgba?|hsla?)\s*\(|\bansi_\w+|\bcolor\(\d+\)")
_DECLARATION = re.compile(r"([a-z-]+)\s*:\s*([^;{}]+);")
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_MARKUP_TAG = re.compile(r"\[(/?[a-z_ #0-9,.()]+)\]")


def colours_in_css(css: str) -> list[str]:
    """Hard-coded colours in the values of CSS declarations (variables like $primary are fine)."""
    found = []
    for prop, value in _DECLARATION.findall(_COMMENT.sub("", css)):
        words = re.sub(r"\$[a-z0-9-]+", "", value)
        if _COLOUR_WORD.search(words) or NAMED & set(words.lower().split()):
            found.append(f"{prop}: {value.strip()}")
    return found


def colours_in_style(style: str) -> list[str]:
    words = style.lower().replace(" on ", " ").split()
    return [w for w in words if w in NAMED or _COLOUR_WORD.search(w)]


def test_the_scanner_finds_colours_and_ignores_variables() -> None:
    css = "Foo { background: #1e1e1e; color: $text; } Bar:focus { border: round red; } /* color: blue; */"
    assert colours_in_css(css) == ["background: #1e1e1e", "border: round red"]
    assert colours_in_css("A { color: rgb(1,2,3); tint: $primary 10%; outline: tall ansi_red; }") == [
        "color: rgb(1,2,3)",
        "outline: tall ansi_red",
    ]
    assert colours_in_css("#main { height: 1fr; } #fade { width: 3; }") == []
    assert colours_in_style("bold white on #000000") == ["white", "#000000"]
    assert colours_in_style("italic dim") == []


def ui_python_files() -> list[Path]:
    return sorted(UI.rglob("*.py"))


def test_there_is_something_to_scan() -> None:
    assert len(ui_python_files()) >= 5
    assert list(UI.rglob("*.tcss"))


@pytest.mark.parametrize("path", sorted(UI.rglob("*.tcss")), ids=lambda p: p.name)
def test_tcss_files_use_theme_variables_only(path: Path) -> None:
    assert colours_in_css(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", ui_python_files(), ids=lambda p: str(p.relative_to(UI)))
def test_python_styles_use_theme_variables_only(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id in ("DEFAULT_CSS", "CSS") for t in node.targets
        ):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                problems += [f"line {node.lineno}: {p}" for p in colours_in_css(node.value.value)]
        elif isinstance(node, ast.keyword) and node.arg == "style":
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                problems += [f"line {node.value.lineno}: style {p}" for p in colours_in_style(node.value.value)]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "{" not in node.value:
            for tag in _MARKUP_TAG.findall(node.value):
                problems += [f"line {node.lineno}: markup [{tag}]" for _ in colours_in_style(tag.lstrip("/"))[:1]]
    assert problems == []
