from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from sla_support import config
from warroom.calendars import counted, merge, reach
from warroom.config import Calendar
from warroom.errors import WarroomError

WEEKDAYS = {d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")}
CALENDARS = {
    "office": {"timezone": "Europe/Paris", "hours": WEEKDAYS, "holidays": ["2026-04-06"]},
    "always": {"timezone": "Europe/Paris",
               "hours": {d: ["00:00-24:00"] for d in
                         ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}},
    "split": {"timezone": "UTC", "hours": {"mon": ["09:00-12:00", "11:00-13:00", "14:00-15:00"]}},
}


def cal(name: str) -> Calendar:
    return config(calendars=CALENDARS).calendars[name]


def t(text: str) -> datetime:
    return datetime.fromisoformat(text)


H = timedelta(hours=1)


def test_business_hours_skip_the_weekend() -> None:
    friday = t("2026-03-06T16:00:00+01:00")
    assert counted(friday, t("2026-03-09T10:00:00+01:00"), cal("office")) == 2 * H
    assert reach(friday, 4 * H, cal("office")) == t("2026-03-09T12:00:00+01:00")


def test_a_target_ending_with_the_working_day_is_due_that_evening() -> None:
    friday = t("2026-03-06T09:00:00+01:00")
    assert reach(friday, 8 * H, cal("office")) == t("2026-03-06T17:00:00+01:00")


def test_a_clock_started_out_of_hours_waits_for_the_next_opening() -> None:
    saturday = t("2026-03-07T11:00:00+01:00")
    assert counted(saturday, t("2026-03-09T09:30:00+01:00"), cal("office")) == H / 2
    assert reach(saturday, H, cal("office")) == t("2026-03-09T10:00:00+01:00")


def test_a_holiday_counts_nothing() -> None:
    # Friday before Easter, then the weekend, then Easter Monday (a holiday).
    friday = t("2026-04-03T16:00:00+02:00")
    assert reach(friday, 4 * H, cal("office")) == t("2026-04-07T12:00:00+02:00")
    assert counted(friday, t("2026-04-07T10:00:00+02:00"), cal("office")) == 2 * H


def test_working_hours_follow_the_local_clock_across_dst() -> None:
    # Summer time starts on Sunday 2026-03-29: Monday's 09:00 is 07:00 UTC, not 08:00.
    friday = t("2026-03-27T16:00:00+01:00")
    due = reach(friday, 4 * H, cal("office"))
    assert due == t("2026-03-30T10:00:00+00:00")
    assert counted(friday, due, cal("office")) == 4 * H


def test_a_round_the_clock_calendar_has_a_23_and_a_25_hour_day() -> None:
    spring = counted(t("2026-03-28T00:00:00+01:00"), t("2026-03-30T00:00:00+02:00"),
                     cal("always"))
    autumn = counted(t("2026-10-24T00:00:00+02:00"), t("2026-10-26T00:00:00+01:00"),
                     cal("always"))
    assert (spring, autumn) == (47 * H, 49 * H)


def test_overlapping_spans_count_once() -> None:
    monday = t("2026-03-02T00:00:00+00:00")
    assert counted(monday, monday + 24 * H, cal("split")) == 5 * H


def test_pauses_are_cut_out_and_elapsed_never_negative() -> None:
    start = t("2026-03-02T09:00:00+00:00")
    pause = (start + H, start + 3 * H)
    assert counted(start, start + 4 * H, None, [pause]) == 2 * H
    assert reach(start, 2 * H, None, [pause]) == start + 4 * H
    assert counted(start, start - H) == timedelta(0)


def test_merge_joins_touching_and_drops_empty_intervals() -> None:
    a = t("2026-03-02T09:00:00+00:00")
    assert merge([(a + H, a + 2 * H), (a, a + H), (a, a)]) == [(a, a + 2 * H)]


def test_a_calendar_without_hours_is_refused() -> None:
    empty = Calendar("never", "UTC", {}, frozenset())
    with pytest.raises(WarroomError, match="no working hours"):
        counted(t("2026-03-02T09:00:00+00:00"), t("2026-03-03T09:00:00+00:00"), empty)
