"""The tool step of a turn: what tools a request offers, and one round of the calls a reply asked for.

The servers start in the background once (after the first paint); the first request that offers tools waits for
late ones at most their `startup_timeout_sec`, then goes without them and says so. A round asks the user before
each call the config does not allow (the front end's Approver), runs the calls and answers each with a `tool`
message; Esc leaves every unanswered call answered "cancelled by the user", so the conversation stays valid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from causerie.core.conversation.models import Message, ToolCall
from causerie.core.tools.approval import Approver, ToolPolicy
from causerie.core.tools.round import run_round
from causerie.core.tools.servers import ToolServers


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

    async def offered(self) -> tuple[list[dict[str, Any]] | None, list[str]]:
        """The request's `tools` parameter (None when there is none), and the servers still starting (gone without)."""
        if not self.enabled:
            return None, []
        late: list[str] = []
        if not self._waited:
            self._waited = True
            late = await self.servers.wait(self.wait_timeout)
        specs = [spec.to_openai() for spec in self.servers.tools()]
        return (specs or None), late

    async def round(self, calls: list[ToolCall], answered: Any, notice: Any) -> list[Message]:
        """Run one reply's calls; `answered(message)` gets each `tool` message as soon as it exists."""
        return await run_round(calls, self.servers, self.approver, self.policy, on_message=answered, on_notice=notice)
