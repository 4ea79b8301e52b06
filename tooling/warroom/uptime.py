"""Daily uptime per component for the public bars: UTC days, weighted impact windows.

The rules are published in docs/uptime.md; keep the two in step. Pure: SiteData in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from warroom.calendars import merge
from warroom.model import Incident
from warroom.recorded import Recorded
from warroom.site.data import SiteData

DAY = timedelta(days=1)
_INSTANT = timedelta(microseconds=1)


@dataclass(frozen=True)
class DayUptime:
    day: date  # a UTC calendar day
    uptime: float  # fraction 0.0-1.0 of the day's counted minutes that were up
    weighted_minutes: float  # minutes down, each weighted by the worst impact at that minute
    incidents: tuple[str, ...]  # ids of incidents whose impact window touched the day, sorted
    minutes: float = 1440.0  # minutes counted: a whole day, or those elapsed today


@dataclass(frozen=True)
class ImpactWindow:
    incident_id: str
    component_id: str
    start: datetime  # UTC
    end: datetime  # UTC, >= start
    weight: float


def impact_start(incident: Incident, recorded: Recorded | None) -> datetime | None:
    """Stated impact start, else the declaring commit, else detection, else the first update."""
    if incident.impact_started_at is not None:
        return incident.impact_started_at
    if recorded is not None:
        return recorded.declared.at
    if incident.detected_at is not None:
        return incident.detected_at
    return next((u.at for u in incident.updates if u.at is not None), None)


def impact_end(incident: Incident, recorded: Recorded | None, now: datetime) -> datetime | None:
    """Stated mitigation (impact stopped), else stated resolution, else the resolving commit,
    else now while open; a closed incident with none of these ends at its last stated update
    (None when it has none: it then counts nothing rather than a guess)."""
    for stated in (incident.mitigated_at, incident.resolved_at):
        if stated is not None:
            return stated
    if recorded is not None and recorded.resolved is not None:
        return recorded.resolved.at
    if incident.open:
        return now
    return max((u.at for u in incident.updates if u.at is not None), default=None)


def counts(incident: Incident) -> bool:
    """Maintenance, drills and canceled incidents never count against uptime."""
    return not incident.maintenance and not incident.drill and incident.status != "canceled"


def impact_windows(data: SiteData, since: datetime | None = None
                   ) -> dict[str, list[ImpactWindow]]:
    """Component id -> its impact windows (clipped to now), from every counted incident;
    with `since`, only the windows that reach it (end >= since) and start before now."""
    out: dict[str, list[ImpactWindow]] = defaultdict(list)
    now = data.now.astimezone(UTC)
    weights = data.config.weights
    for inc in data.incidents:
        if not counts(inc):
            continue
        recorded = data.recorded.get(inc.id)
        start = impact_start(inc, recorded)
        end = impact_end(inc, recorded, data.now)
        if start is None or end is None:
            continue
        start, end = start.astimezone(UTC), min(end.astimezone(UTC), now)
        if end < start:
            end = start
        if since is not None and (end < since or start >= now):
            continue  # years of history before the bars: no window objects for them
        for comp in inc.components:
            weight = weights.get(comp.impact, 0.0)
            out[comp.id].append(ImpactWindow(inc.id, comp.id, start, end, weight))
    return out


def _by_day(start: datetime, end: datetime) -> Iterable[tuple[date, float]]:
    """Seconds of [start, end) falling in each UTC day."""
    while start < end:
        midnight = datetime.combine(start.date() + DAY, time(), tzinfo=UTC)
        stop = min(end, midnight)
        yield start.date(), (stop - start).total_seconds()
        start = stop


def _down_seconds(windows: Sequence[ImpactWindow], lo: datetime, hi: datetime
                  ) -> dict[date, float]:
    """Per UTC day in [lo, hi), the integral of the worst weight at each moment.

    Overlaps are not double-counted: with weights w1 > w2 > ... and U_k the union of windows
    weighing at least w_k, a moment whose worst weight is w lies in every U_k with w_k <= w,
    so the sum over k of (w_k - w_(k+1)) * |U_k| counts it exactly w.
    """
    levels = sorted({w.weight for w in windows if w.weight > 0}, reverse=True)
    out: dict[date, float] = defaultdict(float)
    for k, level in enumerate(levels):
        step = level - (levels[k + 1] if k + 1 < len(levels) else 0.0)
        spans = ((max(w.start, lo), min(w.end, hi)) for w in windows if w.weight >= level)
        for start, end in merge(s for s in spans if s[1] > s[0]):
            for day, seconds in _by_day(start, end):
                out[day] += step * seconds
    return out


def _touched(windows: Sequence[ImpactWindow], lo: datetime, hi: datetime
             ) -> dict[date, tuple[str, ...]]:
    """Per UTC day in [lo, hi), the sorted ids of the incidents whose window touches it (an
    instant counts). Windows reaching every day of the range (long open incidents) are
    sorted once and merged into each day, not added to and sorted with every day's set."""
    spans: list[tuple[int, int, str]] = []  # (first, last) day ordinals touched, id
    for w in windows:
        start, end = max(w.start, lo), min(w.end, hi)
        if w.start == w.end:
            if lo <= w.start < hi:
                ordinal = w.start.date().toordinal()
                spans.append((ordinal, ordinal, w.incident_id))
            continue
        if end <= start:
            continue
        last = (end - _INSTANT).date().toordinal()  # [start, end): midnight belongs to the next
        spans.append((start.date().toordinal(), last, w.incident_id))
    first_day = lo.date().toordinal()
    last_day = (hi - _INSTANT).date().toordinal() if hi > lo else first_day - 1
    everywhere = {ident for first, last, ident in spans
                  if first == first_day and last == last_day}
    by_ordinal: dict[int, set[str]] = defaultdict(set)
    for first, last, ident in spans:
        if ident not in everywhere:
            for ordinal in range(first, last + 1):
                by_ordinal[ordinal].add(ident)
    common = sorted(everywhere)
    out: dict[date, tuple[str, ...]] = {}
    for ordinal in range(first_day, last_day + 1) if everywhere else ():
        extra = by_ordinal.pop(ordinal, None)
        # two sorted runs: the sort merges them in linear time
        out[date.fromordinal(ordinal)] = tuple(sorted(common + sorted(extra)) if extra
                                               else common)
    for ordinal, ids in by_ordinal.items():
        out[date.fromordinal(ordinal)] = tuple(sorted(ids))
    return out


def daily_uptime(data: SiteData, component_id: str, days: int) -> tuple[DayUptime, ...]:
    """`days` UTC days ending with the day of data.now, oldest first. Today counts only the
    minutes elapsed so far; a day with nothing counted is 100% up."""
    return uptime_by_component(data, days, (component_id,))[component_id]


def uptime_by_component(data: SiteData, days: int, component_ids: Sequence[str]
                        ) -> dict[str, tuple[DayUptime, ...]]:
    """daily_uptime for several components with one pass over the incidents."""
    return uptime_of_windows(impact_windows(data, since=bars_start(data.now, days)),
                             data.now, days, component_ids)


def bars_start(now: datetime, days: int) -> datetime:
    """Midnight UTC of the first of `days` days ending with the day of `now`."""
    first = now.astimezone(UTC).date() - timedelta(days=days - 1)
    return datetime.combine(first, time(), tzinfo=UTC)


def uptime_of_windows(windows: dict[str, list[ImpactWindow]], now: datetime, days: int,
                      component_ids: Sequence[str]) -> dict[str, tuple[DayUptime, ...]]:
    """uptime_by_component from the impact windows reaching the bars (`impact_windows`
    since `bars_start`), however they were found."""
    now = now.astimezone(UTC)
    range_start = bars_start(now, days)
    first = range_start.date()
    out = {}
    for cid in component_ids:
        mine = windows.get(cid, [])
        down = _down_seconds(mine, range_start, now)
        touched = _touched(mine, range_start, now)
        result = []
        for offset in range(days):
            day = first + timedelta(days=offset)
            lo = datetime.combine(day, time(), tzinfo=UTC)
            minutes = max((min(lo + DAY, now) - lo).total_seconds(), 0.0) / 60
            weighted = down.get(day, 0.0) / 60
            result.append(DayUptime(
                day=day,
                uptime=1.0 - weighted / minutes if minutes else 1.0,
                weighted_minutes=weighted,
                incidents=touched.get(day, ()),
                minutes=minutes,
            ))
        out[cid] = tuple(result)
    return out


def uptime_percent(days: Sequence[DayUptime]) -> float:
    """Uptime over the days in percent (0-100): each day weighs by its counted minutes."""
    total = sum(d.minutes for d in days)
    down = sum(d.weighted_minutes for d in days)
    return 100.0 * (1.0 - down / total) if total else 100.0
