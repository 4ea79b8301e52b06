"""Counted time: what an SLA clock counts between two instants, and when it reaches a target.

A clock counts either every second (24x7, no calendar) or only the working hours of a
`Calendar` (its time zone, weekly hours and holidays). Stated pauses are cut out of either.

Working hours are wall-clock times in the calendar's zone, turned into UTC day by day, so a
DST change moves them the way people expect: `09:00-17:00` stays 09:00-17:00 local, and a
`00:00-24:00` day is 23 or 25 hours long on the change days. A span whose start falls in the
hour skipped in spring starts when the clocks jump; a repeated hour in autumn is counted once
per real second. Holidays are local dates with no working hours at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from warroom.config import Calendar
from warroom.errors import WarroomError

Interval = tuple[datetime, datetime]  # [start, end), aware

ZERO = timedelta(0)
_DAY = timedelta(days=1)
# The end of 24x7 counting; far enough to never be reached, near enough to add to safely.
FOREVER = datetime(9000, 1, 1, tzinfo=UTC)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping, non-empty intervals covering the same instants."""
    out: list[Interval] = []
    for start, end in sorted((a, b) for a, b in intervals if b > a):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def _local(day: date, clock: time, zone: ZoneInfo) -> datetime:
    # time.max is how config spells "24:00": the next midnight.
    if clock == time.max:
        return datetime.combine(day + _DAY, time(0), zone).astimezone(UTC)
    # Round-trip through UTC so that a wall time skipped by DST lands after the jump.
    return datetime.combine(day, clock, zone).astimezone(UTC)


# Calendar -> {local date: its hours}. A Calendar holds a dict, so it cannot be hashed; it is
# keyed by id() and kept alive in the value, so an id is never reused while cached.
_DAYS: dict[int, tuple[Calendar, dict[date, list[Interval]]]] = {}


def day_hours(calendar: Calendar, day: date) -> list[Interval]:
    """The working intervals of one local date, in UTC (memoised: 10,000 incidents ask for
    the same few hundred days)."""
    entry = _DAYS.get(id(calendar))
    if entry is None or entry[0] is not calendar:
        if len(_DAYS) > 64:
            _DAYS.clear()
        entry = _DAYS[id(calendar)] = (calendar, {})
    days = entry[1]
    found = days.get(day)
    if found is None:
        found = days[day] = _compute_day(calendar, day)
    return found


def _compute_day(calendar: Calendar, day: date) -> list[Interval]:
    if day in calendar.holidays:
        return []
    zone = ZoneInfo(calendar.timezone)
    spans = calendar.hours.get(day.weekday(), ())
    return merge((_local(day, a, zone), _local(day, b, zone)) for a, b in spans)


def working(calendar: Calendar | None, start: datetime) -> Iterator[Interval]:
    """Working intervals from `start` on, in order, endless (ends at FOREVER)."""
    begin = start.astimezone(UTC)
    if calendar is None:
        yield begin, FOREVER
        return
    if not any(calendar.hours.values()):
        raise WarroomError(f"calendar {calendar.id!r} has no working hours, so a clock on it "
                           "never moves", hint="give it hours, e.g. mon: ['09:00-17:00']")
    day = begin.astimezone(ZoneInfo(calendar.timezone)).date() - _DAY
    while day.year < FOREVER.year:
        for a, b in day_hours(calendar, day):
            if b > begin:
                yield max(a, begin), b
        day += _DAY


def without(intervals: Iterable[Interval], pauses: Sequence[Interval]) -> Iterator[Interval]:
    """`intervals` (sorted) with the merged, sorted `pauses` cut out."""
    for start, end in intervals:
        cursor = start
        for p_start, p_end in pauses:
            if p_end <= cursor or p_start >= end:
                continue
            if p_start > cursor:
                yield cursor, p_start
            cursor = max(cursor, p_end)
            if cursor >= end:
                break
        if cursor < end:
            yield cursor, end


def counting(calendar: Calendar | None, start: datetime,
             pauses: Sequence[Interval] = ()) -> Iterator[Interval]:
    """The instants a clock started at `start` counts, in order."""
    return without(working(calendar, start), merge(pauses))


def counted(start: datetime, end: datetime, calendar: Calendar | None = None,
            pauses: Sequence[Interval] = ()) -> timedelta:
    """Counted time in [start, end); never negative (zero when end is not after start)."""
    if end <= start:
        return ZERO
    if calendar is None and not pauses:
        return end - start
    total = ZERO
    for a, b in counting(calendar, start, pauses):
        if a >= end:
            break
        total += min(b, end) - a
    return total


def reach(start: datetime, amount: timedelta, calendar: Calendar | None = None,
          pauses: Sequence[Interval] = ()) -> datetime:
    """The first instant at which `amount` of counted time has elapsed since `start`.

    Ends exactly on the end of a working span rather than at the next opening: 8 working
    hours from Friday 09:00 are done at Friday 17:00, not Monday 09:00.
    """
    if amount <= ZERO:
        return start
    if calendar is None and not pauses:
        return start + amount
    left = amount
    for a, b in counting(calendar, start, pauses):
        if b - a >= left:
            return a + left
        left -= b - a
    return FOREVER  # pragma: no cover - working() never ends before FOREVER
