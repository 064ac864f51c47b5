"""The sidebar's date headings, worked out for 10,000 rows without parsing each date, match date_group."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from causerie.core.storage.documents import Summary
from causerie.ui.dates import date_group
from causerie.ui.widgets.history_list import grouped

NOW = datetime(2026, 3, 14, 15, 0, tzinfo=UTC)


def summary(n: int, updated_at: str) -> Summary:
    return Summary(f"20260101-000000000-{n:06x}", "t", updated_at, updated_at, "m", 1, 10, 0)


def canonical(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


times = st.one_of(
    st.integers(min_value=-400 * 86400, max_value=2 * 86400).map(lambda s: canonical(NOW + timedelta(seconds=s))),
    st.sampled_from(["", "garbage", "2026-03-14T10:00:00+02:00", "2026-03-13", "2026-03-14T23:59:59Z"]),
)
zones = st.integers(min_value=-12 * 4, max_value=14 * 4).map(lambda q: timezone(timedelta(minutes=15 * q)))


@settings(max_examples=200, deadline=None)
@given(st.lists(times, max_size=40), zones, st.integers(min_value=0, max_value=86399))
def test_grouped_matches_date_group(stamps: list[str], zone: timezone, second: int) -> None:
    now = (NOW + timedelta(seconds=second)).astimezone(zone)
    summaries = sorted((summary(n, t) for n, t in enumerate(stamps)), key=lambda s: (s.updated_at, s.id), reverse=True)
    assert [(h, s) for h, s in grouped(summaries, now)] == [(date_group(s.updated_at, now), s) for s in summaries]
