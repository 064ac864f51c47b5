"""Command palette entries of the chat engine: the conversation's context policy (the usage screen is F4's entry)."""

from __future__ import annotations

from textual.command import DiscoveryHit, Hit, Hits, Provider

POLICY_HELP = {
    "summarize": "summarize the oldest turns when the context window is full (default)",
    "trim": "leave out the oldest turns when the context window is full",
    "off": "send everything; the server's error says when it is too long",
}


class EngineCommands(Provider):
    """Context policy commands for the chat screen."""

    def _commands(self) -> list[tuple[str, str, object]]:
        screen = self.screen
        commands: list[tuple[str, str, object]] = []
        current = screen.conversation.context_policy
        for policy, help_text in POLICY_HELP.items():
            mark = " (current)" if policy == current else ""
            commands.append(
                (f"Context policy: {policy}{mark}", f"For this conversation: {help_text}", _setter(screen, policy))
            )
        return commands

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


def _setter(screen, policy: str):
    return lambda: screen.set_context_policy(policy)
