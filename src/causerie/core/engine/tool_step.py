"""The tool step of a turn: what tools a request offers, and one round of the calls a reply asked for.

The servers start in the background once (after the first paint); the first request that offers tools waits for
late ones at most their `startup_timeout_sec`, then goes without them and says so. A round asks the user before
each call the config does not allow (the front end's Approver), runs the calls and answers each with a `tool`
message; Esc leaves every unanswered call answered "cancelled by the user", so the conversation stays valid.
Tools the conversation switched off (F3, its `disabled_tools`) are not offered, and a call to one is answered with
an error result without running it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from causerie.core.conversation.models import Conversation, Message, ToolCall
from causerie.core.tools.approval import Approver, ToolPolicy
from causerie.core.tools.round import run_round
from causerie.core.tools.servers import ToolServers
from causerie.core.tools.switches import is_switched_off


@dataclass
class Tools:
    """The tools a front end offers: the servers, who approves calls, what runs without asking, the round limit."""

    servers: ToolServers
    approver: Approver
    policy: ToolPolicy
    max_rounds: int = 10
    wait_timeout: float = 10.0
    enabled: bool = True  # False after the user chose to send without tools (a server that rejects them)
    _waited: bool = field(default=False, repr=False)

    async def offered(self, conversation: Conversation) -> tuple[list[dict[str, Any]] | None, list[str]]:
        """The request's `tools` parameter (None when there is none): the tools of the ready servers but those
        `conversation` switched off; and the servers still starting (gone without)."""
        if not self.enabled:
            return None, []
        late: list[str] = []
        if not self._waited:
            self._waited = True
            late = await self.servers.wait(self.wait_timeout)
        disabled = frozenset(conversation.disabled_tools)
        specs = [s.to_openai() for s in self.servers.tools() if not is_switched_off(s.server, s.tool, disabled)]
        return (specs or None), late

    async def round(
        self, calls: list[ToolCall], answered: Any, notice: Any, conversation: Conversation
    ) -> list[Message]:
        """Run one reply's calls; `answered(message)` gets each `tool` message as soon as it exists. A call to a tool
        `conversation` switched off is answered with an error result and not run."""
        disabled = conversation.disabled_tools
        return await run_round(
            calls, self.servers, self.approver, self.policy, on_message=answered, on_notice=notice, disabled=disabled
        )
