"""Relative times and date groups for the history sidebar, computed against an injected clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from causerie.core.conversation.fields import parse_time

Clock = Callable[[], datetime]
"""Returns the current time as an aware datetime; its time zone decides what "today" means."""


def system_clock() -> datetime:
    """The current local time (aware), the app's default clock."""
    return datetime.now(UTC).astimezone()


def relative_time(iso: str, now: datetime) -> str:
    """'just now', '5 min', '3 h', '2 d', or the date; a time ahead of the clock (skew) is 'just now'."""
    when = parse_time(iso)
    if when is None:
        return ""
    seconds = (now - when).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h"
    if seconds < 7 * 86400:
        return f"{int(seconds // 86400)} d"
    return when.astimezone(now.tzinfo).strftime("%Y-%m-%d")


def date_group(iso: str, now: datetime) -> str:
    """The sidebar group of a time: Today, Yesterday, Previous 7 days, Previous 30 days, or 'Month YYYY'.

    Calendar days are those of the clock's time zone; a time ahead of the clock counts as today.
    """
    when = parse_time(iso)
    if when is None:
        return "Older"
    day = when.astimezone(now.tzinfo).date()
    today = now.date()
    if day >= today:
        return "Today"
    if day == today - timedelta(days=1):
        return "Yesterday"
    if day >= today - timedelta(days=7):
        return "Previous 7 days"
    if day >= today - timedelta(days=30):
        return "Previous 30 days"
    return when.astimezone(now.tzinfo).strftime("%B %Y")
