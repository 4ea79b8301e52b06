from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from status_fixtures import maintenance, outage, recorded, site
from warroom.uptime import (
    DayUptime,
    ImpactWindow,
    _down_seconds,
    _touched,
    daily_uptime,
    uptime_percent,
)

NOW = "2026-11-22T12:00:00Z"


def days_of(result: tuple[DayUptime, ...]) -> dict[date, tuple[float, tuple[str, ...]]]:
    return {d.day: (d.weighted_minutes, d.incidents) for d in result if d.incidents}


def test_no_incidents_is_a_full_hundred(tmp_path: Path) -> None:
    result = daily_uptime(site(tmp_path, {}, NOW), "api", 90)
    assert len(result) == 90
    assert result[0].day == date(2026, 8, 25) and result[-1].day == date(2026, 11, 22)
    assert all(d.uptime == 1.0 and d.weighted_minutes == 0 for d in result)
    assert result[-1].minutes == 720  # today counts only the 12 hours elapsed
    assert uptime_percent(result) == 100.0


def test_a_window_crossing_midnight_utc_splits_between_days(tmp_path: Path) -> None:
    # 23:30 to 01:15 in Paris (UTC+1) is 22:30 to 00:15 UTC: 90 minutes, then 15.
    body = outage(extra="impact_started_at: '2026-11-20T23:30:00+01:00'\n"
                        "resolved_at: '2026-11-21T01:15:00+01:00'\n")
    result = daily_uptime(site(tmp_path, {"2026-11-20-a": body}, NOW), "checkout", 7)
    assert days_of(result) == {date(2026, 11, 20): (90.0, ("2026-11-20-a",)),
                               date(2026, 11, 21): (15.0, ("2026-11-20-a",))}
    by_day = {d.day: d for d in result}
    assert by_day[date(2026, 11, 20)].uptime == pytest.approx(1 - 90 / 1440)
    # 105 minutes down over 6.5 days of 1440 minutes and today's 720.
    assert uptime_percent(result) == pytest.approx(100 * (1 - 105 / (6 * 1440 + 720)))


def test_partial_outage_counts_half_and_degraded_nothing(tmp_path: Path) -> None:
    data = site(tmp_path, {
        "2026-11-20-a": outage(components="{id: checkout, impact: partial_outage}, "
                                          "{id: api, impact: degraded_performance}",
                               extra="impact_started_at: '2026-11-20T10:00:00Z'\n"
                                     "resolved_at: '2026-11-20T12:00:00Z'\n"),
    }, NOW)
    assert days_of(daily_uptime(data, "checkout", 3)) == {
        date(2026, 11, 20): (60.0, ("2026-11-20-a",))}
    # Degraded costs nothing, but the day still lists the incident for the text alternative.
    assert days_of(daily_uptime(data, "api", 3)) == {date(2026, 11, 20): (0.0, ("2026-11-20-a",))}


def test_overlapping_incidents_take_the_worst_weight_per_minute(tmp_path: Path) -> None:
    # a: partial 10:00-12:00; b: major 11:00-11:30; c: partial 11:45-13:00.
    # 10:00-11:00 0.5 (30) + 11:00-11:30 1.0 (30) + 11:30-13:00 0.5 (45) = 105 minutes.
    def body(impact: str, start: str, end: str) -> str:
        return outage(components=f"{{id: checkout, impact: {impact}}}",
                      extra=f"impact_started_at: '2026-11-20T{start}:00Z'\n"
                            f"resolved_at: '2026-11-20T{end}:00Z'\n")
    data = site(tmp_path, {
        "2026-11-20-a": body("partial_outage", "10:00", "12:00"),
        "2026-11-20-b": body("major_outage", "11:00", "11:30"),
        "2026-11-20-c": body("partial_outage", "11:45", "13:00"),
    }, NOW)
    assert days_of(daily_uptime(data, "checkout", 3)) == {
        date(2026, 11, 20): (105.0, ("2026-11-20-a", "2026-11-20-b", "2026-11-20-c"))}


def test_maintenance_is_excluded(tmp_path: Path) -> None:
    data = site(tmp_path, {"2026-11-20-db": maintenance(
        "2026-11-21T10:00:00Z", "2026-11-21T14:00:00Z", status="completed",
        components="{id: api, impact: major_outage}")}, NOW)
    assert days_of(daily_uptime(data, "api", 3)) == {}


def test_windows_fall_back_to_recorded_times_and_now(tmp_path: Path) -> None:
    data = site(tmp_path, {
        # Declared by a commit at 08:00, resolution recorded at 09:00: 60 minutes.
        "2026-11-21-a": outage(),
        # Still open, declared 11:00 today; runs until now (12:00): 60 minutes.
        "2026-11-22-b": outage(status="investigating"),
        # Stated mitigation ends the impact before the recorded resolution.
        "2026-11-20-c": outage(extra="mitigated_at: '2026-11-20T08:10:00Z'\n"),
    }, NOW, recorded_by_id={
        "2026-11-21-a": recorded("2026-11-21-a", "2026-11-21T08:00:00Z",
                                 resolved="2026-11-21T09:00:00Z"),
        "2026-11-22-b": recorded("2026-11-22-b", "2026-11-22T11:00:00Z"),
        "2026-11-20-c": recorded("2026-11-20-c", "2026-11-20T08:00:00Z",
                                 resolved="2026-11-20T20:00:00Z"),
    })
    assert days_of(daily_uptime(data, "checkout", 3)) == {
        date(2026, 11, 20): (10.0, ("2026-11-20-c",)),
        date(2026, 11, 21): (60.0, ("2026-11-21-a",)),
        date(2026, 11, 22): (60.0, ("2026-11-22-b",)),
    }


def test_drills_canceled_and_internal_incidents_count_nothing_in_public(tmp_path: Path) -> None:
    times = ("impact_started_at: '2026-11-21T10:00:00Z'\n"
             "resolved_at: '2026-11-21T11:00:00Z'\n")
    incidents = {
        "2026-11-21-drill": outage(extra="drill: true\n" + times),
        "2026-11-21-secret": outage(extra="visibility: internal\n" + times),
        "2026-11-21-oops": outage(status="canceled", extra=times),
    }
    assert days_of(daily_uptime(site(tmp_path, incidents, NOW), "checkout", 3)) == {}
    internal = site(tmp_path, incidents, NOW, audience="internal")
    assert days_of(daily_uptime(internal, "checkout", 3)) == {
        date(2026, 11, 21): (60.0, ("2026-11-21-secret",))}


def test_impact_is_clipped_to_the_days_shown(tmp_path: Path) -> None:
    body = outage(extra="impact_started_at: '2026-11-01T00:00:00Z'\n"
                        "resolved_at: '2026-11-21T06:00:00Z'\n")
    result = daily_uptime(site(tmp_path, {"2026-11-01-a": body}, NOW), "checkout", 3)
    assert [d.weighted_minutes for d in result] == [1440.0, 360.0, 0.0]
    assert result[0].uptime == 0.0


WEIGHTS = st.sampled_from((0.0, 0.5, 1.0))
SPANS = st.lists(st.tuples(st.integers(0, 3 * 1440), st.integers(0, 600), WEIGHTS), max_size=8)


@given(SPANS)
@settings(max_examples=150, deadline=None)
def test_worst_weight_integral_matches_a_minute_by_minute_count(
        spans: list[tuple[int, int, float]]) -> None:
    origin = datetime(2026, 11, 20, tzinfo=UTC)
    windows = [ImpactWindow(f"i{n}", "api", origin + timedelta(minutes=start),
                            origin + timedelta(minutes=start + length), weight)
               for n, (start, length, weight) in enumerate(spans)]
    lo, hi = origin + timedelta(hours=6), origin + timedelta(days=3)
    worst = [0.0] * (3 * 1440)  # the worst weight of each minute, filled the slow way
    for start, length, weight in spans:
        for minute in range(start, min(start + length, 3 * 1440)):
            worst[minute] = max(worst[minute], weight)
    expected: dict[date, float] = {}
    for minute in range(6 * 60, 3 * 1440):
        if worst[minute]:
            day = (origin + timedelta(minutes=minute)).date()
            expected[day] = expected.get(day, 0.0) + worst[minute] * 60
    found = {day: seconds for day, seconds in _down_seconds(windows, lo, hi).items() if seconds}
    assert found == pytest.approx(expected)


def test_a_window_ending_at_midnight_stays_on_its_day(tmp_path: Path) -> None:
    body = outage(extra="impact_started_at: '2026-11-20T22:00:00Z'\n"
                        "resolved_at: '2026-11-21T00:00:00Z'\n")
    result = daily_uptime(site(tmp_path, {"2026-11-20-a": body}, NOW), "checkout", 3)
    assert days_of(result) == {date(2026, 11, 20): (120.0, ("2026-11-20-a",))}


# (start hour, length in hours, incident number): hours from -48 to 120 around a 3-day range
# that ends at `hi` (a midnight, or mid-day), so windows cover all of it, part, or nothing.
TOUCHES = st.lists(st.tuples(st.integers(-48, 120), st.integers(0, 100), st.integers(0, 5)),
                   max_size=10)


@given(TOUCHES, st.sampled_from([0, 12]))
@settings(max_examples=200, deadline=None)
def test_touched_days_match_an_hour_by_hour_count(
        spans: list[tuple[int, int, int]], end_hour: int) -> None:
    """Windows over the whole range take a shortcut (sorted once, merged into each day):
    the ids per day must be what checking every hour of every window gives."""
    origin = datetime(2026, 11, 20, tzinfo=UTC)
    lo, hi = origin, origin + timedelta(days=2, hours=end_hour or 24)
    windows = [ImpactWindow(f"i{n}", "api", origin + timedelta(hours=start),
                            origin + timedelta(hours=start + length), 1.0)
               for start, length, n in spans]
    expected: dict[date, set[str]] = {}
    for w in windows:
        if w.start == w.end:  # an instant counts on its day
            if lo <= w.start < hi:
                expected.setdefault(w.start.date(), set()).add(w.incident_id)
            continue
        moment = max(w.start, lo)
        while moment < min(w.end, hi):
            expected.setdefault(moment.date(), set()).add(w.incident_id)
            moment += timedelta(hours=1)
    assert _touched(windows, lo, hi) == {day: tuple(sorted(ids))
                                         for day, ids in expected.items()}
