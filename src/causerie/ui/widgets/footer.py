"""KeptFooter: Textual's Footer, with Stop, Help, Quit and the command palette always in sight at the right end.

The Footer lists the keys of the focused widget first and the app's last: in 80 columns the list ran out before
Quit and Help, the two keys a newcomer needs most. Held together in one box docked right, they stay whatever the
width (docked one by one they would overlap each other). The keys that do not fit whole before that box are hidden,
never shown cut in the middle of their name ("^b Sideba"); F1 lists them all.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Footer

KEPT_ACTIONS = frozenset({"stop", "help", "quit"})  # Stop is there only while a reply is written


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

    def on_resize(self, event: events.Resize) -> None:
        # Laid out in the same pass as the keys left of it: their regions are known now (also after a recompose).
        if isinstance(self.parent, KeptFooter):
            self.parent.hide_cut_keys()


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

    def on_resize(self, event: events.Resize) -> None:
        for item in self._listed():
            item.display = True
        self.call_after_refresh(self.hide_cut_keys)

    def _listed(self) -> list[Widget]:
        """The footer's items left of the kept box (keys, or groups of keys), in order."""
        return [child for child in self.children if not isinstance(child, KeptKeys)]

    def hide_cut_keys(self) -> None:
        """Hide every listed item from the first one that does not end before the kept box (or the footer's edge)."""
        boxes = [child for child in self.children if isinstance(child, KeptKeys)]
        limit = boxes[0].region.x if boxes and boxes[0].region.width else self.region.right
        cut = False
        for item in self._listed():
            cut = cut or (item.display and item.region.right > limit)
            if cut:
                item.display = False
