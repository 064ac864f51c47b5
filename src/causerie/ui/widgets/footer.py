"""KeptFooter: Textual's Footer, with Help, Quit and the command palette always in sight at the right end.

The Footer lists the keys of the focused widget first and the app's last: in 80 columns the list ran out before
Quit and Help, the two keys a newcomer needs most. Held together in one box docked right, they stay whatever the
width (docked one by one they would overlap each other).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Footer

KEPT_ACTIONS = frozenset({"help", "quit"})


class KeptKeys(Horizontal):
    """The keys that stay in sight, at the footer's right end."""

    DEFAULT_CSS = """
    KeptKeys {
        dock: right;
        width: auto;
        height: 1;
        background: $footer-background;
    }
    KeptFooter KeptKeys > .-kept, KeptFooter KeptKeys > .-command-palette {
        dock: none;
    }
    """


class KeptFooter(Footer):
    """The footer of the keys, keeping Help and Quit visible at any width."""

    def compose(self) -> ComposeResult:
        kept = []
        for widget in super().compose():
            action = getattr(widget, "action", None)
            if action in KEPT_ACTIONS or widget.has_class("-command-palette"):
                widget.add_class("-kept")
                kept.append(widget)
            else:
                yield widget
        if kept:
            yield KeptKeys(*kept)
