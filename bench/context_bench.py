"""Time context.plan() on a long conversation (2,000 messages): fits, and trimmed to a 100k window.

Run: PYTHONPATH=src python bench/context_bench.py
"""

from __future__ import annotations

import time

from causerie.core.conversation.context import plan
from causerie.core.conversation.models import Conversation, Message, Usage


def long_conversation(pairs: int = 1000) -> Conversation:
    """A conversation of `pairs` question/answer pairs with server-reported usage on every reply."""
    conversation = Conversation(system_prompt="Be brief.")
    for n in range(pairs):
        conversation.append(Message("user", f"q{n} " + "lorem ipsum " * 40))
        usage = Usage(100 * n + 50, 200, 100 * n + 250)
        conversation.append(Message("assistant", f"a{n} " + "dolor sit amet " * 60, usage=usage))
    return conversation


def best_of(runs: int, call) -> float:
    """Best wall time of `runs` calls, in milliseconds."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main() -> None:
    conversation = long_conversation()
    fits = best_of(5, lambda: plan(conversation, 1_050_000))
    trimmed = best_of(5, lambda: plan(conversation, 100_000, policy="trim"))
    result = plan(conversation, 100_000, policy="trim")
    print(f"{len(conversation.messages)} messages: plan (fits) {fits:.1f} ms; trim to 100k {trimmed:.1f} ms")
    print(f"  trimmed plan: {result.tokens:,} tokens, {len(result.dropped)} messages left out")


if __name__ == "__main__":
    main()
