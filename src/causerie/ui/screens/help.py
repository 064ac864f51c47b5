"""HelpScreen: the keys of the screen below, read from its bindings (never a hand-written list)."""

from __future__ import annotations

from itertools import groupby

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from causerie.ui.bindings import BoundAction, bound_actions
from causerie.ui.text import outside_cell

GROUP_ORDER = ["Conversation", "Prompt", "Messages", "History", "Search", "Application"]


def help_renderable(actions: list[BoundAction], config_hint: str) -> RenderableType:
    """A table per group: keys, what they do, and the id to remap them with."""

    def order(entry: BoundAction) -> tuple[int, str]:
        rank = GROUP_ORDER.index(entry.group) if entry.group in GROUP_ORDER else len(GROUP_ORDER)
        return rank, entry.group

    parts: list[RenderableType] = []
    id_width = max((cell_len(entry.id) for entry in actions), default=0)  # whole: an id is what `[keymap]` needs
    for group, entries in groupby(sorted(actions, key=order), key=lambda e: e.group):
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(width=12, style="bold")
        table.add_column(ratio=1)
        table.add_column(style="dim", no_wrap=True, width=id_width)
        for entry in entries:  # keys come from the user's keymap: cells are Text, never parsed as markup
            table.add_row(outside_cell(" ".join(entry.keys)), Text(entry.detail), Text(entry.id))
        parts.append(Text(group, style="bold underline"))
        parts.append(table)
        parts.append(Text(""))
    parts.append(Text(config_hint, style="dim"))
    return Group(*parts)


class HelpScreen(ModalScreen[None]):
    """Every key of the screen it was opened over, grouped, with the ids `[keymap]` uses."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > Vertical {
        width: 84;
        max-width: 100%;
        height: 90%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    HelpScreen #help-title {
        text-style: bold;
        padding: 0 0 1 0;
    }
    HelpScreen VerticalScroll {
        height: 1fr;
    }
    """

    BINDINGS = [
        Binding("escape,f1,q", "close", "Close", id="help.close"),
    ]

    def __init__(self, target: Screen) -> None:
        super().__init__()
        self.target = target
        self.actions = bound_actions(target)

    def compose(self) -> ComposeResult:
        hint = 'Change any key in the [keymap] table of config.toml, e.g.  "chat.new" = "f12"'
        with Vertical():
            yield Static("Keys  ·  Esc closes", id="help-title")
            with VerticalScroll(id="help-body"):
                yield Static(help_renderable(self.actions, hint), id="help-table")

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss()
