"""Approvers for tests of the tool loop: one answers from a script, one never answers (the user walked away)."""

from __future__ import annotations

import asyncio

from causerie.core.tools.approval import Decision, PendingCall


class ScriptedApprover:
    """Answers from a script and records what it was asked."""

    def __init__(self, *answers: Decision) -> None:
        self.answers = list(answers)
        self.asked: list[PendingCall] = []

    async def approve(self, pending: PendingCall) -> Decision:
        self.asked.append(pending)
        return self.answers.pop(0)


class NeverAnswers:
    """An approver whose user walks away: the round waits until it is cancelled."""

    def __init__(self) -> None:
        self.asked = asyncio.Event()

    async def approve(self, pending: PendingCall) -> Decision:
        self.asked.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")
