"""Command palette providers: every bound action of the current screen, and "Open conversation…" by title."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from causerie.core.safe_text import sanitize_line
from causerie.ui.bindings import BoundAction, bound_actions
from causerie.ui.messages import ConversationChosen
from causerie.ui.text import escaped, highlight, outside

PaletteCommand = tuple[str, str, Callable[[], object]]
"""(name, help text, callback): a command a screen offers that has no key."""

HIDDEN_FROM_PALETTE = {"app.command_palette"}


def command_name(entry: BoundAction) -> str:
    """A palette name from the action's docstring, without its parenthesis and full stop."""
    name = entry.detail.split(" (", 1)[0].rstrip(".")
    return name if name != entry.description else f"{entry.group}: {entry.description}"


class ActionsProvider(Provider):
    """Every action bound on the screen the palette was opened from, with its keys, plus its keyless commands."""

    async def startup(self) -> None:
        self._commands: list[tuple[str, str, Callable[[], object]]] = []
        for entry in bound_actions(self.screen):
            if entry.runnable and entry.id not in HIDDEN_FROM_PALETTE:
                keys = " / ".join(entry.keys)
                help_text = escaped(f"{keys}  ·  {entry.id}")  # the keys come from the user's keymap
                self._commands.append((command_name(entry), help_text, partial(self._run, entry)))
        extra: Callable[[], Iterable[PaletteCommand]] | None = getattr(self.screen, "palette_commands", None)
        if extra is not None:
            self._commands.extend(extra())

    async def _run(self, entry: BoundAction) -> None:
        await self.app.run_action(entry.action, entry.node)

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands:
            yield DiscoveryHit(outside(name), callback, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands:
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, highlight(matcher, name), callback, text=name, help=help_text)


class OpenConversationProvider(Provider):
    """'Open conversation…': fuzzy-matches the titles listed in the history sidebar."""

    async def startup(self) -> None:
        lister = getattr(self.screen, "conversation_titles", None)
        self._titles: list[tuple[str, str]] = list(lister()) if lister is not None else []

    def _open(self, conversation_id: str) -> None:
        self.screen.post_message(ConversationChosen(conversation_id))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for conversation_id, title in self._titles:
            shown = sanitize_line(title) or "Untitled"
            score = matcher.match(shown)
            if score > 0:
                yield Hit(
                    score,
                    highlight(matcher, shown),
                    partial(self._open, conversation_id),
                    text=f"Open conversation: {shown}",
                    help="Open conversation…",
                )
