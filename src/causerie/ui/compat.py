"""The one place causerie uses private names of Textual or Rich, each for a measured gain (bench/README.md).

Written against Textual 8.2.8 and Rich 15: `tests/ui/test_compat.py` fails, naming the version, when one of these
names changes. Everything else in causerie uses public APIs only.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass

from markdown_it import MarkdownIt
from rich.markdown import Markdown as RichMarkdown
from rich.syntax import SyntaxTheme
from textual._ansi_sequences import ANSI_SEQUENCES_KEYS
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import TextArea

WRITTEN_FOR_TEXTUAL = "8.2"
WRITTEN_AGAINST = "8.2.8"  # the exact Textual version the key-table addition below was checked against
WRITTEN_FOR_RICH = "15"
_SCROLLING = ("auto", "scroll")


class SettledLayout:
    """Mixin for widgets of the conversation pane (put it before the Textual base class).

    Textual's `Widget._size_updated` stores the new virtual size through a reactive declared with `layout=True`, so
    every widget a layout pass resized asks for another layout pass and a full repaint on the next frame, which finds
    nothing to change. A streaming reply resizes its body, its message and the pane at every growth: that second pass
    doubled the cost of each growth (measured: 113 layout passes instead of 65 for a 2,000-token reply at 200
    tokens/s). The sizes, the virtual size and the scrollbars are still updated by the first pass.

    A widget that only grew taller (same width) also keeps the lines it had rendered: only the new lines, and the
    old last line (a bottom border or padding may have moved), are rendered again. Without this, every growth of a
    streaming reply re-rendered every visible line of the message.
    """

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        old: Size = self._size  # type: ignore[attr-defined]
        # Not for a widget that scrolls its content (the pane): its lines move with its scroll offset. A container
        # that does not (a message: border, padding and background behind its children) keeps them.
        styles = self.styles  # type: ignore[attr-defined]
        scrolls = styles.overflow_x in _SCROLLING or styles.overflow_y in _SCROLLING
        grew = old.width == size.width and 0 < old.height < size.height and not scrolls
        if grew:
            self._size = size  # type: ignore[attr-defined]  # so Textual does not mark every line dirty
        updated = super()._size_updated(size, virtual_size, container_size, layout=False)  # type: ignore[misc]
        if grew:
            self._styles_cache.set_dirty(Region(0, old.height - 1, size.width, size.height - old.height + 1))  # type: ignore[attr-defined]
        return updated


def render_text_area(area: TextArea, crop: Region, state: list[object]) -> list[Strip]:
    """TextArea.render_lines without re-applying its theme's CSS at every render.

    TextArea applies its theme's CSS before every render (~7 ms of style lookups per echoed key); here only when the
    styles of the area or its container, or the app's theme, changed since the last time. `state` holds the last key.
    """
    theme = area._theme
    parent = area.parent
    key = (area.styles._cache_key, parent.styles._cache_key if parent else None, area.app.theme, id(theme))
    if theme and (not state or key != state[0]):
        state[:] = [key]
        theme.apply_css(area)
    return super(TextArea, area).render_lines(crop)


class SharedParserMarkdown(RichMarkdown):
    """Rich's Markdown renderable with one shared parser (building a parser costs more than parsing a block).

    Rich's own `__init__` builds a new MarkdownIt parser each time; this sets the attributes its rendering reads.
    """

    def __init__(self, markup: str, code_theme: SyntaxTheme, parser: MarkdownIt) -> None:
        self.markup = markup
        self.parsed = parser.parse(markup)
        self.code_theme = code_theme  # type: ignore[assignment]
        self.justify = None
        self.style = "none"
        self.hyperlinks = False  # links are shown, never followed
        self.inline_code_lexer = None
        self.inline_code_theme = code_theme  # type: ignore[assignment]


ALT_ENTER_SEQUENCE = "\x1b\r"
"""What tmux (and xterm with metaSendsEscape) sends for alt+enter: ESC then CR."""


@dataclass(frozen=True)
class _NamedKey:
    """Stands for a member of textual.keys.Keys: the parser reads only `.value` (the key's name)."""

    value: str


def teach_alt_enter() -> None:
    """Make ESC CR arrive as the key "alt+enter" instead of a plain Enter.

    Textual 8.2.8's key table has no entry for "\\x1b\\r": after the escape delay the parser reissues the CR with
    its alt flag dropped (the alt only survives for printable characters), so alt+enter in tmux sent the message
    instead of starting a new line. An entry in the table makes the parser yield "alt+enter" at once.
    """
    table = ANSI_SEQUENCES_KEYS
    if ALT_ENTER_SEQUENCE not in table:
        table[ALT_ENTER_SEQUENCE] = (_NamedKey("alt+enter"),)  # type: ignore[index]


_KEYMAPPED: weakref.WeakKeyDictionary[Widget, tuple[object, Mapping[str, list[Binding]]]] = weakref.WeakKeyDictionary()


def bound_keys(widget: Widget) -> Mapping[str, list[Binding]]:
    """The keys bound on `widget` itself, with the user's keymap applied as Textual applies it, and their bindings.

    `Screen.active_bindings` would be public, but it walks the whole focus chain at every key press. Textual keeps a
    widget's bindings as its class declares them (`_bindings`) and applies the app's keymap (`_keymap`) to a copy on
    each key: here the copy is made once per widget and keymap.
    """
    try:
        keymap = widget.app._keymap
    except RuntimeError:  # no app yet (NoActiveAppError): no keymap
        keymap = {}
    cached = _KEYMAPPED.get(widget)
    if cached is not None and cached[0] is keymap:
        return cached[1]
    bindings = widget._bindings.copy()
    if keymap:
        bindings.apply_keymap(keymap)
    _KEYMAPPED[widget] = (keymap, bindings.key_to_bindings)
    return bindings.key_to_bindings
