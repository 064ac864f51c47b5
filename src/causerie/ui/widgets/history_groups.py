"""The sidebar's rows before they are drawn: date groups of the summaries, and a row's title."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, time, timedelta

from causerie.core.safe_text import sanitize_line
from causerie.core.storage.store import Summary
from causerie.ui.dates import date_group

HEADING_PREFIX = "group:"
_CANONICAL = len("2026-03-14T14:00:00.000000Z")  # how causerie writes times: compared as strings when so written


BRANCH_SUFFIX = "(branch)"
BRANCH_MARK = "⑂"
"""Shown before the title of a conversation branched from another, where a cut title would hide the suffix."""


def row_title(summary: Summary) -> str:
    """The title a row shows (control characters made harmless; "Untitled" for none)."""
    return sanitize_line(summary.title) or "Untitled"


def _canonical(iso: str) -> bool:
    return len(iso) == _CANONICAL and iso[10] == "T" and iso[-1] == "Z"


def _group_start(heading: str, iso: str, now: datetime) -> str | None:
    """The earliest time (as a canonical UTC string) of the group `heading` that `iso` falls in, or None."""
    today = now.date()
    if heading == "Today":
        day = today
    elif heading == "Yesterday":
        day = today - timedelta(days=1)
    elif heading == "Previous 7 days":
        day = today - timedelta(days=7)
    elif heading == "Previous 30 days":
        day = today - timedelta(days=30)
    else:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(now.tzinfo)
        day = when.date().replace(day=1)
    start = datetime.combine(day, time(), tzinfo=now.tzinfo).astimezone(UTC)
    return start.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def grouped(summaries: Iterable[Summary], now: datetime) -> Iterator[tuple[str, Summary]]:
    """(date heading, summary) for summaries sorted newest first, as `date_group` would say.

    Times written the way causerie writes them are compared as strings against the start of the current group,
    so that 10,000 rows do not parse 10,000 dates; any other time goes through `date_group`.
    """
    heading = ""
    start: str | None = None
    for summary in summaries:
        iso = summary.updated_at
        if start is None or not (iso >= start and _canonical(iso)):
            heading = date_group(iso, now)
            start = _group_start(heading, iso, now) if _canonical(iso) else None
        yield heading, summary
