"""ui/compat.py holds every private name of Textual or Rich causerie uses: this fails loudly when one changes."""

from __future__ import annotations

import inspect
import re
from importlib.metadata import version

from rich.markdown import Markdown as RichMarkdown
from textual.app import App
from textual.widget import Widget
from textual.widgets import TextArea

from causerie.ui import compat

TEXTUAL = version("textual")
RICH = version("rich")


def test_compat_was_written_for_the_installed_textual_and_rich() -> None:
    assert TEXTUAL.startswith(compat.WRITTEN_FOR_TEXTUAL + "."), (
        f"ui/compat.py was written for Textual {compat.WRITTEN_FOR_TEXTUAL}.x, this is {TEXTUAL}: check each private "
        "name it uses (and the bench figures that justify them), then update WRITTEN_FOR_TEXTUAL"
    )
    assert RICH.split(".")[0] == compat.WRITTEN_FOR_RICH, f"ui/compat.py was written for Rich 15, this is {RICH}"


def test_the_private_textual_names_still_exist() -> None:
    parameters = list(inspect.signature(Widget._size_updated).parameters)
    assert parameters == ["self", "size", "virtual_size", "container_size", "layout"], (
        f"Widget._size_updated changed in Textual {TEXTUAL}: SettledLayout overrides it"
    )
    widget = Widget()
    assert hasattr(widget, "_styles_cache") and hasattr(widget._styles_cache, "set_dirty"), TEXTUAL
    assert hasattr(widget.styles, "_cache_key"), f"Styles._cache_key is gone in Textual {TEXTUAL}"
    area = TextArea()
    assert hasattr(area, "_theme"), f"TextArea._theme is gone in Textual {TEXTUAL}"
    assert "enter" in compat.bound_keys(area) or "backspace" in compat.bound_keys(area), TEXTUAL
    assert isinstance(App()._keymap, dict), f"App._keymap is gone in Textual {TEXTUAL}: bound_keys reads it"


def test_the_markdown_attributes_are_the_ones_rich_sets() -> None:
    source = inspect.getsource(RichMarkdown.__init__)
    rich_sets = set(re.findall(r"self\.(\w+)\s*[:=]", source))
    ours = set(re.findall(r"self\.(\w+)\s*[:=]", inspect.getsource(compat.SharedParserMarkdown.__init__)))
    assert rich_sets == ours, f"Rich {RICH}'s Markdown.__init__ sets {sorted(rich_sets)}; compat sets {sorted(ours)}"


def keys_parsed(data: str) -> list[str]:
    from textual._xterm_parser import XTermParser
    from textual.events import Key

    parser = XTermParser()
    return [event.key for event in parser.feed(data) if isinstance(event, Key)]


def test_the_key_table_addition_was_checked_against_the_installed_textual() -> None:
    # A new Textual: check that the key table still lacks ESC CR (then keep the addition) or drop it.
    assert TEXTUAL == compat.WRITTEN_AGAINST


def test_escape_cr_is_alt_enter() -> None:
    compat.teach_alt_enter()
    assert keys_parsed(compat.ALT_ENTER_SEQUENCE) == ["alt+enter"]
    assert keys_parsed("\r") == ["enter"]
    assert keys_parsed("\n") == ["ctrl+j"]
    assert keys_parsed("\x1b[13;2u") == ["shift+enter"]  # the kitty keyboard protocol's shift+enter
