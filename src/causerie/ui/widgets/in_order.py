"""Text boxes whose bound keys act in the order they were typed.

Textual runs a widget's key bindings (Backspace, ctrl+u, Enter…) only once the key has bubbled up to the app, and
the printable keys typed behind it are inserted meanwhile: keys that arrive in one burst (over ssh, on a loaded
machine, from a key macro) came out reordered. "abc" ctrl+u "xyz" left an empty box; F2, ctrl+u, "New name", Enter
renamed nothing. Each box here runs its own bindings in its key handler instead, as the keys come.
"""

from __future__ import annotations

from textual import events
from textual.widget import Widget
from textual.widgets import Input, TextArea

from causerie.ui.compat import bound_keys

__all__ = ["InOrderInput", "InOrderTextArea", "run_binding_now"]


async def run_binding_now(widget: Widget, event: events.Key) -> bool:
    """Run the action `widget` binds to this key, now; whether the key is bound on `widget` at all.

    A binding whose action declines (check_action, SkipAction) leaves the key to bubble as usual, to the bindings of
    the screen and the app.
    """
    bindings = bound_keys(widget).get(event.key)
    if not bindings:
        return False
    event.prevent_default()  # not the box's own handler (an insertion) for a bound key
    for binding in bindings:
        if await widget.app.run_action(binding.action, widget):
            event.stop()
            break
    return True


class InOrderInput(Input):
    """Textual's Input, its bound keys run in the order typed."""

    async def on_key(self, event: events.Key) -> None:
        await run_binding_now(self, event)


class InOrderTextArea(TextArea):
    """Textual's TextArea, its bound keys run in the order typed."""

    async def on_key(self, event: events.Key) -> None:
        await run_binding_now(self, event)
