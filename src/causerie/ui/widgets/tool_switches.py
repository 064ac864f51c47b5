"""ToolSwitches: the MCP servers of the config with their state and tools, each with a switch for one conversation.

One SelectionList (a single focus stop: up/down move, space or enter switches): a row per server (its state, or
why it failed) and under it a row per tool (its own name and the first line of its description). A server switched
off covers its tools, now and any it lists later; theirs are then greyed and kept as they were. Names, descriptions
and failures come from the servers: they are shown cleaned, as Content, never as markup.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Label, SelectionList
from textual.widgets.selection_list import Selection

from causerie.core.safe_text import sanitize_line
from causerie.core.tools.servers import ServerStatus
from causerie.core.tools.switches import server_key, tool_key
from causerie.ui.text import outside

DESCRIPTION_SHOWN = 60  # characters of a tool's description shown after its name


def first_line(text: str, limit: int = DESCRIPTION_SHOWN) -> str:
    """The first non-empty line of `text`, cleaned, cut to about `limit` characters."""
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    line = sanitize_line(line)
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def state_text(status: ServerStatus, launched: bool) -> str:
    """What a server's row says after its name (outside text: the caller shows it as Content)."""
    if status.state == "ready":
        count = len(status.tools)
        return f"ready, {count} tool{'s' if count != 1 else ''}"
    if status.state == "starting":
        return "starting…" if launched else "not started yet"
    if status.state == "failed":
        return f"failed: {status.error}"
    if status.state == "disabled":
        return "off in the config (enabled = false)"
    return status.state


class ToolSwitches(Vertical):
    """The servers and their tools, each with a switch; `switched_off()` gives the keys switched off."""

    DEFAULT_CSS = """
    ToolSwitches {
        height: auto;
    }
    ToolSwitches SelectionList {
        height: auto;
        max-height: 12;
    }
    ToolSwitches #tool-switches-help {
        color: $text-muted;
    }
    """

    def __init__(self, switched_off: Iterable[str], *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self._off = set(switched_off)  # keys of servers not configured now are kept as they are
        self._servers: list[tuple[str, list[str]]] = []  # (server key, its tools' keys) as shown

    def compose(self) -> ComposeResult:
        yield SelectionList[str](id="tool-switches")
        yield Label(
            "Space switches the highlighted server or tool; a server switched off covers its tools.",
            id="tool-switches-help",
        )

    @property
    def selection(self) -> SelectionList[str]:
        """The list of switches."""
        return self.query_one("#tool-switches", SelectionList)

    def show(self, statuses: list[ServerStatus], launched: bool = True) -> None:
        """List `statuses` (the servers' state now), keeping the switches and the highlighted row."""
        selection = self.selection
        highlighted = selection.highlighted
        rows: list[Selection[str]] = []
        self._servers = []
        for number, status in enumerate(statuses):
            key = server_key(status.name)
            prompt = Content.assemble(outside(status.name, "bold"), " — ", outside(state_text(status, launched)))
            on_now = key not in self._off
            rows.append(Selection(prompt, key, on_now, id=f"server-{number}", disabled=status.state == "disabled"))
            tools: list[str] = []
            for index, spec in enumerate(status.tools):
                own = tool_key(status.name, spec.tool)
                tools.append(own)
                description = first_line(spec.description)
                prompt = Content.assemble("   ", outside(spec.tool))
                if description:
                    prompt = Content.assemble(prompt, " — ", outside(description, "dim"))
                row_id = f"tool-{number}-{index}"
                rows.append(Selection(prompt, own, own not in self._off, id=row_id, disabled=not on_now))
            self._servers.append((key, tools))
        with selection.prevent(SelectionList.SelectionToggled, SelectionList.SelectedChanged):
            selection.clear_options()
            selection.add_options(rows)
        if highlighted is not None and selection.option_count:
            selection.highlighted = min(highlighted, selection.option_count - 1)

    @on(SelectionList.SelectionToggled, "#tool-switches")
    def _switched(self, event: SelectionList.SelectionToggled) -> None:
        key = event.selection.value
        on_now = key in self.selection.selected
        if on_now:
            self._off.discard(key)
        else:
            self._off.add(key)
        for number, (server, tools) in enumerate(self._servers):
            if server == key:  # the server's tools follow it: greyed while it is off, as they were when it is on
                for index in range(len(tools)):
                    row = f"tool-{number}-{index}"
                    if on_now:
                        self.selection.enable_option(row)
                    else:
                        self.selection.disable_option(row)
        event.stop()

    def switched_off(self) -> list[str]:
        """The keys switched off (sorted), including those of servers not configured now."""
        return sorted(self._off)
