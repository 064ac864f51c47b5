"""ToolApprovalScreen: before a tool runs, the server, the tool and its arguments, answered with one key.

y allows this call, a always allows this tool (saved to `allow` in config.toml), n denies it (the model is told
the user declined), Esc stops the whole reply (every unanswered call is answered "cancelled by the user"). Keys
typed in the first half second after the dialog appears are ignored, so typing ahead never approves anything.
Long argument values are folded; u unfolds them before answering. Everything shown comes from the model or a
server: it is cleaned and never parsed as markup.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Static

from causerie.core.safe_text import sanitize, sanitize_line
from causerie.core.tools.approval import Decision, PendingCall

GUARD_SECONDS = 0.5


class ToolApprovalScreen(ModalScreen[Decision | None]):
    """Ask whether one tool call may run."""

    DEFAULT_CSS = """
    ToolApprovalScreen { align: center middle; }
    ToolApprovalScreen #approval { width: 90; max-width: 100%; height: auto; max-height: 90%;
        border: round $warning; background: $surface; padding: 1 2; }
    ToolApprovalScreen #approval-title { text-style: bold; margin-bottom: 1; }
    ToolApprovalScreen #approval-arguments { height: auto; max-height: 20; background: $boost; padding: 0 1; }
    ToolApprovalScreen #approval-keys { margin-top: 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("y", "answer('once')", "Allow once", id="approval.once"),
        Binding("a", "answer('always')", "Always allow", id="approval.always"),
        Binding("n", "answer('deny')", "Deny", id="approval.deny"),
        Binding("escape", "answer('stop')", "Stop", id="approval.stop"),
        Binding("u", "unfold", "Unfold", id="approval.unfold"),
    ]

    def __init__(self, pending: PendingCall) -> None:
        super().__init__()
        self.pending = pending
        self.shown_at = float("inf")
        self.guard_seconds = GUARD_SECONDS

    def compose(self) -> ComposeResult:
        pending = self.pending
        where = f" ({pending.position} of {pending.count})" if pending.count > 1 else ""
        title = f"Run {sanitize_line(pending.tool)} from {sanitize_line(pending.server)}?{where}"
        with Vertical(id="approval"):
            yield Static(Content(title), id="approval-title")
            with VerticalScroll(id="approval-arguments"):
                yield Static(Content(sanitize(pending.arguments())), id="approval-text")
            yield Static(
                "y allow once  ·  a always allow this tool  ·  n deny  ·  Esc stop the reply  ·  u unfold long values",
                id="approval-keys",
            )

    def on_mount(self) -> None:
        self.shown_at = time.monotonic()

    def action_answer(self, answer: str) -> None:
        """Answer the prompt (ignored in its first half second: typing ahead never approves anything)."""
        if time.monotonic() - self.shown_at < self.guard_seconds:
            return
        self.dismiss(None if answer == "stop" else Decision(answer))

    def action_unfold(self) -> None:
        """Show the arguments whole."""
        self.query_one("#approval-text", Static).update(Content(sanitize(self.pending.arguments(fold=None))))


class DialogApprover:
    """The app's Approver: each call waits for the dialog's answer (from inside the reply worker).

    Esc in the dialog stops the reply: `stop()` cancels the reply worker and the round ends as a cancelled one.
    """

    def __init__(self, node: DOMNode, stop: Callable[[], None]) -> None:
        self.node = node
        self.stop = stop

    async def approve(self, pending: PendingCall) -> Decision:
        decision = await self.node.app.push_screen_wait(ToolApprovalScreen(pending))
        if decision is None:
            self.stop()
            raise asyncio.CancelledError
        return decision
