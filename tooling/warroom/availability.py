"""Availability against SLOs: per component per day, month and rolling window, error budgets.

Pure: incidents, what git recorded and `now` in; results out. Arithmetic is exact
(`Fraction` of seconds) so that an SLO met to the second compares as met, not as a float
rounding accident. Days and months are UTC, like the public uptime bars.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from functools import partial

from warroom.config import Component, Config
from warroom.durations import Duration, add_months
from warroom.model import Incident
from warroom.recorded import Recorded
from warroom.uptime import impact_end, impact_start

DAY = timedelta(days=1)
BURN_WINDOWS = (("1d", timedelta(days=1)), ("7d", timedelta(days=7)))
MAINTENANCE_WEIGHT = Fraction(1)  # counted maintenance is full unavailability


@dataclass(frozen=True)
class Impact:
    incident_id: str
    start: datetime
    end: datetime
    weight: Fraction  # 0..1, from config.weights
    maintenance: bool


def _window(incident: Incident, record: Recorded | None, now: datetime
            ) -> tuple[datetime, datetime] | None:
    if incident.maintenance and incident.window is not None:
        return incident.window.start, min(incident.window.end, now)
    start, end = impact_start(incident, record), impact_end(incident, record, now)
    return None if start is None or end is None else (start, min(end, now))


def counts(incident: Incident) -> bool:
    """Drills and canceled incidents never count against availability."""
    return not incident.drill and incident.status != "canceled"


# What all_impacts needs of an incident: its id, whether it counts, whether it is
# maintenance, its (component id, impact) pairs, and its window when asked (None: none).
Source = tuple[str, bool, bool, Sequence[tuple[str, str]],
               Callable[[], tuple[datetime, datetime] | None]]


def all_impacts(incidents: Iterable[Incident], recorded: Mapping[str, Recorded],
                config: Config, now: datetime, *, maintenance_counted: frozenset[str],
                since: datetime | None = None) -> dict[str, list[Impact]]:
    """Component id -> its impacts, in one pass over the incidents. Maintenance counts only
    for the components in `maintenance_counted`. With `since`, impacts that ended before it
    are left out."""
    return impacts_of(((i.id, counts(i), i.maintenance, [(c.id, c.impact) for c in i.components],
                        partial(_window, i, recorded.get(i.id), now)) for i in incidents),
                      config, maintenance_counted=maintenance_counted, since=since)


def impacts_of(sources: Iterable[Source], config: Config, *,
               maintenance_counted: frozenset[str], since: datetime | None = None
               ) -> dict[str, list[Impact]]:
    """all_impacts, from what it needs of each incident (an incident or a site row)."""
    out: dict[str, list[Impact]] = {}
    weights: dict[str, Fraction] = {}  # by impact name: one Fraction each, not one per impact
    for ident, counted, is_maintenance, affected, window_of in sources:
        if not counted:
            continue
        window: tuple[datetime, datetime] | None = None
        for component_id, impact in affected:
            maintenance = is_maintenance or impact == "under_maintenance"
            if maintenance and component_id not in maintenance_counted:
                continue
            window = window or window_of()
            if window is None or window[0] >= window[1]:
                break
            if since is not None and window[1] < since:
                break
            if maintenance:
                weight = MAINTENANCE_WEIGHT
            else:
                found = weights.get(impact)
                if found is None:
                    found = weights[impact] = Fraction(str(config.weights.get(impact, 0.0)))
                weight = found
            out.setdefault(component_id, []).append(
                Impact(ident, window[0], window[1], weight, maintenance))
    for impacts in out.values():
        impacts.sort(key=lambda i: (i.start, i.end, i.incident_id))
    return out


def component_impacts(component_id: str, incidents: Iterable[Incident],
                      recorded: Mapping[str, Recorded], config: Config, now: datetime, *,
                      maintenance_counted: bool) -> list[Impact]:
    counted = frozenset({component_id} if maintenance_counted else ())
    return all_impacts(incidents, recorded, config, now,
                       maintenance_counted=counted).get(component_id, [])


def seconds(span: timedelta) -> Fraction:
    return Fraction(span // _MICROSECOND, 1_000_000)


_MICROSECOND = timedelta(microseconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micros(moment: datetime) -> int:
    """Microseconds since the epoch: exact, and ordered like the instants."""
    return (moment - _EPOCH) // _MICROSECOND


class Timeline:
    """Downtime as disjoint (start, end, weight) segments, built once per component, so that
    each day, month or window asked about costs a bisection, not a pass over every incident.
    Overlapping impacts count once, at the worst weight.

    Still exact, without a Fraction per segment: times are integer microseconds, a weight is
    its rank among the few distinct weights, and a query adds up microseconds per weight
    before multiplying each sum by its weight once."""

    def __init__(self, impacts: Iterable[Impact]) -> None:
        kept = [i for i in impacts if i.start < i.end]
        # Rank the distinct positive weights (a handful of objects: looked up by identity,
        # since comparing or hashing a Fraction costs more than the rest of a segment).
        by_identity = {id(i.weight): i.weight for i in kept}
        self._weights: list[Fraction] = []
        rank_of: dict[int, int] = {}
        for key, weight in sorted(by_identity.items(), key=lambda item: item[1]):
            if weight > 0:
                if not self._weights or self._weights[-1] != weight:
                    self._weights.append(weight)
                rank_of[key] = len(self._weights) - 1
        events: list[tuple[int, int, int]] = []
        for i in kept:
            rank = rank_of.get(id(i.weight), -1)
            if rank >= 0:
                events += [(_micros(i.start), 1, rank), (_micros(i.end), -1, rank)]
        events.sort(key=lambda e: e[0])  # stable: equal instants keep their order
        active = [0] * len(self._weights)  # open impacts per weight rank
        worst = -1  # highest rank with an open impact, -1 for none
        lows: list[int] = []
        highs: list[int] = []
        ranks: list[int] = []
        previous: int | None = None
        for moment, kind, rank in events:
            if previous is not None and moment > previous and worst >= 0:
                if highs and highs[-1] == previous and ranks[-1] == worst:
                    highs[-1] = moment
                else:
                    lows.append(previous)
                    highs.append(moment)
                    ranks.append(worst)
            active[rank] += kind
            if kind > 0:
                worst = max(worst, rank)
            else:
                while worst >= 0 and not active[worst]:
                    worst -= 1
            previous = moment
        self._lows, self._ends, self._ranks = lows, highs, ranks

    def downtime(self, start: datetime, end: datetime) -> Fraction:
        """Weighted seconds of downtime in [start, end)."""
        lo, hi = _micros(start), _micros(end)
        lows, ends, ranks = self._lows, self._ends, self._ranks
        spent = [0] * len(self._weights)  # microseconds per weight rank
        for index in range(bisect_right(ends, lo), len(ends)):
            left = lows[index]
            if left >= hi:
                break
            spent[ranks[index]] += min(ends[index], hi) - max(left, lo)
        total = Fraction(0)
        for rank, micros in enumerate(spent):
            if micros:
                total += self._weights[rank] * Fraction(micros, 1_000_000)
        return total


def weighted_downtime(impacts: Iterable[Impact], start: datetime, end: datetime) -> Fraction:
    """Seconds of downtime in [start, end): overlapping impacts count once, at the worst weight."""
    return Timeline(impacts).downtime(start, end)


@dataclass(frozen=True)
class Period:
    label: str  # 2026-11-20, 2026-11, "30d" or a report period
    start: datetime
    end: datetime  # exclusive; never after `now` (the future is not measured)
    downtime: Fraction  # weighted seconds

    @property
    def length(self) -> Fraction:
        return seconds(self.end - self.start)

    @property
    def availability(self) -> Fraction:
        length = self.length
        return Fraction(1) if length == 0 else 1 - self.downtime / length

    @property
    def percent(self) -> float:
        return float(self.availability * 100)


@dataclass(frozen=True)
class Budget:
    target: Fraction  # e.g. 999/1000 for 99.9%
    window: Duration
    period: Period  # the rolling window ending at the evaluation time
    burn_rates: tuple[tuple[str, float], ...]  # (label, rate) over the last day, week, window
    burn_down: tuple[tuple[date, Fraction], ...]  # remaining seconds at the end of each day

    @property
    def total(self) -> Fraction:
        """Allowed downtime over the window, in seconds."""
        return (1 - self.target) * self.period.length

    @property
    def spent(self) -> Fraction:
        return self.period.downtime

    @property
    def remaining(self) -> Fraction:
        return self.total - self.spent  # negative once the budget is exhausted

    @property
    def remaining_share(self) -> Fraction:
        return self.remaining / self.total if self.total else Fraction(0)

    @property
    def met(self) -> bool:
        return self.period.availability >= self.target


@dataclass(frozen=True)
class ComponentAvailability:
    component: Component
    maintenance_counted: bool
    days: tuple[Period, ...]  # oldest first
    months: tuple[Period, ...]  # oldest first
    window: Period  # the rolling SLO window (or the last 30 days without an SLO)
    budget: Budget | None  # None without an SLO
    span: Period | None  # the requested span (a report period), when one was asked


def window_start(end: datetime, window: Duration) -> datetime:
    return add_months(end, -window.months) - window.span


def utc_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _period(label: str, start: datetime, end: datetime, timeline: Timeline,
            now: datetime) -> Period:
    end = min(end, now)
    start = min(start, end)
    return Period(label, start, end, timeline.downtime(start, end))


def daily(timeline: Timeline, first: date, last: date, now: datetime) -> tuple[Period, ...]:
    out = []
    day = first
    while day <= last:
        out.append(_period(day.isoformat(), utc_midnight(day), utc_midnight(day) + DAY,
                           timeline, now))
        day += DAY
    return tuple(out)


def monthly(timeline: Timeline, first: date, last: date, now: datetime
            ) -> tuple[Period, ...]:
    out = []
    month = utc_midnight(first.replace(day=1))
    while month.date() <= last:
        following = add_months(month, 1)
        out.append(_period(month.strftime("%Y-%m"), month, following, timeline, now))
        month = following
    return tuple(out)


def _budget(component: Component, timeline: Timeline, at: datetime) -> Budget | None:
    slo = component.slo
    if slo is None:
        return None
    target = Fraction(str(slo.target)) / 100
    start = window_start(at, slo.window)
    period = _period(str(slo.window), start, at, timeline, at)
    allowed = 1 - target
    rates = []
    for label, span in (*BURN_WINDOWS, (str(slo.window), at - start)):
        recent = _period(label, max(start, at - span), at, timeline, at)
        error = recent.downtime / recent.length if recent.length else Fraction(0)
        rates.append((label, float(error / allowed) if allowed else 0.0))
    total = allowed * period.length
    burn_down = []
    day = start.astimezone(UTC).date()
    while utc_midnight(day) < at:
        cut = min(utc_midnight(day) + DAY, at)
        burn_down.append((day, total - timeline.downtime(start, cut)))
        day += DAY
    return Budget(target, slo.window, period, tuple(rates), tuple(burn_down))


@dataclass(frozen=True)
class _Bounds:
    at: datetime  # measured up to here
    first_day: date
    last_day: date
    first_month: date
    window: datetime  # start of the rolling window (the SLO's, else 30 days)

    def earliest(self, span: tuple[datetime, datetime] | None) -> datetime:
        """No period asked about starts before this: older impacts cannot change a result."""
        starts = [utc_midnight(self.first_day), utc_midnight(self.first_month), self.window]
        return min([*starts, span[0]] if span else starts)


def _bounds(component: Component, now: datetime, days: int,
            span: tuple[datetime, datetime] | None, months: int) -> _Bounds:
    at = min(now, span[1]) if span else now
    last = (at - timedelta(microseconds=1)).astimezone(UTC).date()
    slo = component.slo
    return _Bounds(
        at=at, first_day=last - timedelta(days=days - 1), last_day=last,
        first_month=add_months(utc_midnight(last.replace(day=1)), -(months - 1)).date(),
        window=window_start(at, slo.window if slo else Duration.parse("30d")),
    )


def component_availability(
    config: Config, component: Component, impacts: list[Impact], now: datetime, *,
    days: int = 90, span: tuple[datetime, datetime] | None = None, months: int = 12,
) -> ComponentAvailability:
    """Availability of one component, measured up to `now` (or the end of `span`)."""
    b = _bounds(component, now, days, span, months)
    at, slo = b.at, component.slo
    timeline = Timeline(impacts)
    return ComponentAvailability(
        component=component,
        maintenance_counted=bool(slo and slo.maintenance == "counted"),
        days=daily(timeline, b.first_day, b.last_day, at),
        months=monthly(timeline, b.first_month, b.last_day, at),
        window=_period(str(slo.window) if slo else "30d", b.window, at, timeline, at),
        budget=_budget(component, timeline, at),
        span=_period("period", span[0], span[1], timeline, now) if span else None,
    )


def evaluate(
    config: Config, incidents: Iterable[Incident], recorded: Mapping[str, Recorded],
    now: datetime, *, days: int = 90, months: int = 12,
    span: tuple[datetime, datetime] | None = None, include_internal: bool = True,
) -> tuple[ComponentAvailability, ...]:
    """Every component's availability, in configuration order."""
    def impacts(counted: frozenset[str], since: datetime | None) -> dict[str, list[Impact]]:
        return all_impacts(incidents, recorded, config, now, maintenance_counted=counted,
                           since=since)

    return evaluate_with(config, impacts, now, days=days, months=months, span=span,
                         include_internal=include_internal)


def evaluate_with(
    config: Config,
    impacts: Callable[[frozenset[str], datetime | None], dict[str, list[Impact]]],
    now: datetime, *, days: int = 90, months: int = 12,
    span: tuple[datetime, datetime] | None = None, include_internal: bool = True,
) -> tuple[ComponentAvailability, ...]:
    """`evaluate`, the impacts found by `impacts(maintenance counted, since)`."""
    counted = frozenset(c.id for c in config.components.values()
                        if c.slo and c.slo.maintenance == "counted")
    shown = [c for c in config.components.values() if include_internal or not c.internal]
    # Impacts over before the earliest period asked about change no result: years of
    # history need no Impact objects (most of a 10,000-incident repository).
    since = min((_bounds(c, now, days, span, months).earliest(span) for c in shown),
                default=None)
    found = impacts(counted, since)
    return tuple(
        component_availability(config, component, found.get(component.id, []), now,
                               days=days, span=span, months=months)
        for component in shown
    )
