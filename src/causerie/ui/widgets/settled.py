"""SettledLayout: a widget resized by a layout pass neither asks for a second pass nor repaints lines that stayed."""

from __future__ import annotations

from textual.geometry import Region, Size

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
