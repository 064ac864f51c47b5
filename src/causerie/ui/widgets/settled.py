"""SettledLayout: a widget resized by a layout pass does not ask for a second, identical pass."""

from __future__ import annotations

from textual.geometry import Size


class SettledLayout:
    """Mixin for widgets of the conversation pane (put it before the Textual base class).

    Textual's `Widget._size_updated` stores the new virtual size through a reactive declared with `layout=True`, so
    every widget a layout pass resized asks for another layout pass and a full repaint on the next frame, which finds
    nothing to change. A streaming reply resizes its body, its message and the pane at every growth: that second pass
    doubled the cost of each growth (measured: 113 layout passes instead of 65 for a 2,000-token reply at 200
    tokens/s). The sizes, the virtual size and the scrollbars are still updated by the first pass.
    """

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        return super()._size_updated(size, virtual_size, container_size, layout=False)  # type: ignore[misc]
