"""When to retry a failed request automatically, and how long to wait first (bounded, injectable for tests)."""

from __future__ import annotations

from dataclasses import dataclass

from causerie.core.chat.errors import ChatError

AUTO_RETRY_KINDS = ("rate_limit", "server")


@dataclass(frozen=True)
class RetryPolicy:
    """Automatic retries: only rate limits and server errors, at most `attempts` times, with growing waits.

    The server's Retry-After / retry-after-ms wins over the backoff; every wait is capped at `max_delay`.
    Quota and authentication errors are never retried automatically: waiting does not fix them.
    """

    attempts: int = 3
    base_delay: float = 1.0
    factor: float = 2.0
    max_delay: float = 60.0

    def delay(self, error: ChatError, attempt: int) -> float | None:
        """Seconds to wait before automatic retry number `attempt + 1`, or None when not to retry."""
        if error.kind not in AUTO_RETRY_KINDS or attempt >= self.attempts:
            return None
        if error.retry_after is not None:
            return min(error.retry_after, self.max_delay)
        return min(self.base_delay * self.factor**attempt, self.max_delay)
