"""Relative times and date groups against a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from causerie.ui.dates import date_group, relative_time

NOW = datetime(2026, 3, 14, 15, 0, tzinfo=UTC)


def at(**delta: float) -> str:
    return (NOW - timedelta(**delta)).isoformat()


def test_groups() -> None:
    assert date_group(at(minutes=5), NOW) == "Today"
    assert date_group(at(hours=14, minutes=59), NOW) == "Today"  # 00:01 the same day
    assert date_group(at(hours=15, minutes=1), NOW) == "Yesterday"  # 23:59 the day before
    assert date_group(at(days=2), NOW) == "Previous 7 days"
    assert date_group(at(days=7), NOW) == "Previous 7 days"
    assert date_group(at(days=8), NOW) == "Previous 30 days"
    assert date_group(at(days=30), NOW) == "Previous 30 days"
    assert date_group(at(days=31), NOW) == "February 2026"
    assert date_group(at(days=100), NOW) == "December 2025"


def test_groups_follow_the_clock_time_zone() -> None:
    tokyo = NOW.astimezone(timezone(timedelta(hours=9)))  # 2026-03-15 00:00 there
    assert date_group(at(minutes=30), tokyo) == "Yesterday"
    assert date_group(at(minutes=30), NOW) == "Today"


def test_future_times_count_as_now() -> None:
    ahead = (NOW + timedelta(hours=3)).isoformat()
    assert date_group(ahead, NOW) == "Today"
    assert relative_time(ahead, NOW) == "just now"


def test_relative_time() -> None:
    assert relative_time(at(seconds=20), NOW) == "just now"
    assert relative_time(at(minutes=5), NOW) == "5 min"
    assert relative_time(at(hours=3), NOW) == "3 h"
    assert relative_time(at(days=2), NOW) == "2 d"
    assert relative_time(at(days=40), NOW) == "2026-02-02"
    assert relative_time("not a date", NOW) == ""
    assert relative_time("2026-03-14T14:00:00Z", NOW) == "1 h"
    assert relative_time("2026-03-14T14:00:00", NOW) == "1 h"  # naive: UTC
