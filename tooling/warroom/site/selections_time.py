"""Selections of the producers measured over time spans: which incidents, decided from site
rows alone, can change the availability page, the internal metrics page and the uptime bars.

A selection returns every incident the output can depend on (see siterows): the build keys
the output on their digests and renders it from them alone, so leaving one out would show a
stale or wrong figure. What matters here is an incident's impact span (uptime and
availability), its metric start (the report) and, for repeats, its causes.

Bounds are widened by SLACK: rows hold float seconds and the producers compare exact
datetimes, so an incident a hair's breadth from a bound is taken rather than argued about.
Taking an extra incident costs its materialisation; missing one costs a wrong page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from warroom.availability import (
    ComponentAvailability,
    Impact,
    Source,
    _bounds,
    evaluate_with,
    impacts_of,
    window_start,
)
from warroom.config import Config
from warroom.durations import add_months
from warroom.site import availability
from warroom.site.data import SiteData
from warroom.site.heldrows import held_answer
from warroom.site.siterows import EXACT, SiteRow, instant
from warroom.uptime import DayUptime, ImpactWindow, bars_start, uptime_of_windows

SLACK = 1.0  # seconds either side of a bound
MONTH_SLACK = 4 * 86400.0  # months counted in another offset: month lengths, offset
_REPORT_DAYS, _REPORT_MONTHS = 90, 12  # evaluate()'s defaults, which build_report uses


def _span(row: SiteRow, now: float) -> tuple[float, float] | None:
    """uptime.impact_start and impact_end (not clipped to now), or None: no window."""
    end = row.impact_to if row.impact_to is not None else (now if row.open else None)
    if row.impact_from is None or end is None:
        return None
    return row.impact_from, end


def uptime_ids(rows: Mapping[str, SiteRow], data: SiteData, days: int) -> list[str]:
    """Incidents that can change uptime.uptime_by_component(data, days, ids), any ids: the
    counted ones whose clipped window reaches the bars' first day and starts before now
    (uptime.impact_windows with `since`). Zero-weight impacts count: a day lists every
    incident touching it."""
    now = data.now.timestamp()
    today = data.now.astimezone(UTC).date()
    first = datetime.combine(today - timedelta(days=days - 1), time(), tzinfo=UTC).timestamp()
    out = []
    for ident, row in _reaching(rows, first - SLACK):
        # uptime.counts; an incident without components makes no window
        if row.maintenance or row.drill or row.status == "canceled" or not row.components:
            continue
        span = _span(row, now)
        if span is None:
            continue
        start, end = span[0], max(min(span[1], now), span[0])
        if end >= first - SLACK and start < now + SLACK:
            out.append(ident)
    return sorted(out)


def _reaching(rows: Mapping[str, SiteRow], cut: float) -> list[tuple[str, SiteRow]]:
    """The rows whose impact or window may end at `cut` or later: those whose impact
    ended before it, and that are no maintenance, cannot reach a period starting there
    (most of a long history; one cheap test each instead of the full one)."""
    return [(ident, row) for ident, row in rows.items()
            if row.impact_to is None or row.impact_to >= cut or row.maintenance
            or (row.impact_from is not None and row.impact_from >= cut)]


Request = tuple[int, int, tuple[datetime, datetime] | None]  # evaluate's days, months, span


def _downtime_ids(rows: Mapping[str, SiteRow], config: Config, now_at: datetime,
                  requests: list[Request], include_internal: bool) -> set[str]:
    """Incidents that can change availability.evaluate(..., days, months, span) for each
    request: counted, with an impact (clipped to now) of positive length that reaches the
    earliest period asked about, on a shown component where it weighs something. A zero
    weight (degraded performance by default, uncounted maintenance) adds no downtime."""
    shown = [c for c in config.components.values() if include_internal or not c.internal]
    if not shown:
        return set()
    earliest = min(_bounds(c, now_at, days, span, months).earliest(span)
                   for c in shown for days, months, span in requests).timestamp()
    shown_ids = {c.id for c in shown}
    counted = {c.id for c in shown if c.slo and c.slo.maintenance == "counted"}
    now = now_at.timestamp()
    out = set()
    for ident, row in rows.items():  # a year back: most rows reach it, no prefilter pays
        if row.drill or row.status == "canceled":  # availability.counts
            continue
        if row.maintenance and row.window is not None:
            window: tuple[float, float] | None = row.window
        else:
            window = _span(row, now)
        if window is None:
            continue
        start, end = window[0], min(window[1], now)
        if start >= end + SLACK or end < earliest - SLACK:
            continue
        for comp, impact in zip(row.components, row.impacts, strict=True):
            if comp not in shown_ids:
                continue
            if row.maintenance or impact == "under_maintenance":
                weighs = comp in counted
            else:
                weighs = config.weights.get(impact, 0.0) > 0
            if weighs:
                out.add(ident)
                break
    return out


def _trend_start(config: Config, now: datetime, since: datetime) -> float:
    """The earliest metric start the report's trend plots show (Report.weeks and .months:
    the first week's Monday, the first month's first day, site time zone), a day early."""
    from warroom.report.model import TREND_MONTHS, TREND_WEEKS  # internal builds only

    tz = ZoneInfo(config.site.timezone)
    last = (now - timedelta(microseconds=1)).astimezone(tz)
    first = since.astimezone(tz)
    last_monday = last.date() - timedelta(days=last.weekday())
    first_monday = min(first.date() - timedelta(days=first.weekday()),
                       last_monday - timedelta(weeks=TREND_WEEKS - 1))
    first_month = min(first.replace(day=1),
                      add_months(last.replace(day=1), -(TREND_MONTHS - 1))).date()
    earliest = datetime.combine(min(first_monday, first_month), time(), tzinfo=tz)
    return earliest.timestamp() - 86400


def _excluded(row: SiteRow) -> bool:
    """metrics.excluded_reason is not None: kept out of aggregates, trends and repeats."""
    return row.drill or row.status == "canceled" or row.maintenance


def _repeat_partners(rows: Mapping[str, SiteRow], later: set[str], config: Config
                     ) -> set[str]:
    """For each incident in `later`, those recurrence.find_repeats pairs it with: for each
    (component, cause), the latest earlier incident sharing both, if within the window.
    Any subset holding it and the later one picks it again (the latest of a subset of the
    earlier ones that contains it); without it a subset picks none or an older one, also
    outside the window. So incidents before every later one's window need no look."""
    starts = [row.impact_from for ident in later
              if (row := rows[ident]).impact_from is not None]
    if not starts:
        return set()
    # a later incident's start -> its window's start, MONTH_SLACK early: find_repeats counts
    # months on the calendar of the start's own offset, which rows no longer hold
    reach: dict[float, float] = {
        start: window_start(datetime.fromtimestamp(start, UTC), config.repeat_window
                            ).timestamp() - MONTH_SLACK for start in starts}
    lo, hi = min(reach.values()), max(starts) + SLACK
    dated = sorted((row.impact_from, ident) for ident, row in rows.items()
                   if row.impact_from is not None and lo <= row.impact_from <= hi
                   and row.causes and not _excluded(row))
    latest: dict[tuple[str, str], tuple[float, str]] = {}
    out: set[str] = set()
    for pair in dated:
        row = rows[pair[1]]
        keys = [(c, k) for c in row.components for k in row.causes]
        if pair[1] in later:
            for key in keys:
                found = latest.get(key)
                if found is not None and found[0] >= reach[pair[0]]:
                    out.add(found[1])
        for key in keys:
            latest[key] = pair
    return out


def _metrics_ids(rows: Mapping[str, SiteRow], data: SiteData) -> set[str]:
    """Incidents that can change the internal metrics page (availability.metrics_context:
    build_report over METRICS_DAYS days up to now). The report aggregates only incidents
    whose metric start is in the period (no backlog over all incidents), but its trend
    plots count every counted incident of the last TREND_MONTHS months, its availability
    table measures a year of impacts and each repeat names an earlier incident."""
    now_at = data.now
    since_at = now_at - timedelta(days=availability.METRICS_DAYS)
    now, since = now_at.timestamp(), since_at.timestamp()
    trend = _trend_start(data.config, now_at, since_at)
    period: set[str] = set()
    out: set[str] = set()
    for ident, row in rows.items():
        start = row.metric_start
        if start is None or start >= now + SLACK:
            continue
        if start >= since - SLACK:
            period.add(ident)  # excluded ones too: the page lists them apart
        elif start >= trend and not _excluded(row):
            out.add(ident)
    out |= period
    out |= _repeat_partners(rows, period, data.config)
    return out


def availability_ids(rows: Mapping[str, SiteRow], data: SiteData) -> list[str]:
    """Incidents that can change warroom.site.availability.produce(data)."""
    requests: list[Request] = [(availability.DAYS, availability.MONTHS, None)]
    found: set[str] = set()
    if data.internal:
        found = _metrics_ids(rows, data)
        # the report's availability table measures its period: evaluate() with its defaults
        since = data.now - timedelta(days=availability.METRICS_DAYS)
        requests.append((_REPORT_DAYS, _REPORT_MONTHS, (since, data.now)))
    # internal builds show internal components on both pages; public ones on neither
    found |= _downtime_ids(rows, data.config, data.now, requests, data.internal)
    return sorted(found)





def uptime_from_rows(rows: Mapping[str, SiteRow], data: SiteData, days: int,
                     component_ids: Sequence[str]) -> dict[str, tuple[DayUptime, ...]] | None:
    """uptime.uptime_by_component(data, days, component_ids), from the rows of `uptime_ids`
    alone: no incident needed. The windows are impact_windows' (rows hold each incident's
    impact span, components and impacts); floats below 2**33 s (the year 2242) give the
    datetimes back exactly, to the microsecond. None past that: ask the incidents. Held
    between the builds of a process at one build time (`warroom serve`, a rebuild after
    a change to an older incident)."""
    key = (data.now, days, tuple(component_ids), tuple(sorted(data.config.weights.items())))
    found = held_answer("uptime", key, rows, _uptime_facts,
                        lambda: _uptime_from_rows(rows, data, days, component_ids))
    return dict(found) if found is not None else None


def _uptime_facts(row: SiteRow) -> tuple[object, ...]:
    """All uptime_ids and _uptime_from_rows read of a row."""
    return (row.impact_from, row.impact_to, row.open, row.maintenance, row.drill,
            row.status, row.components, row.impacts)


def _uptime_from_rows(rows: Mapping[str, SiteRow], data: SiteData, days: int,
                      component_ids: Sequence[str]
                      ) -> dict[str, tuple[DayUptime, ...]] | None:
    now_at = data.now.astimezone(UTC)
    now = now_at.timestamp()
    since = bars_start(data.now, days)
    weights = data.config.weights
    windows: dict[str, list[ImpactWindow]] = defaultdict(list)
    for ident in uptime_ids(rows, data, days):
        row = rows[ident]
        span = _span(row, now)
        if span is None:
            continue
        if max(abs(span[0]), abs(span[1])) >= EXACT:
            return None
        start = datetime.fromtimestamp(span[0], UTC)
        end = min(datetime.fromtimestamp(span[1], UTC), now_at)
        if end < start:
            end = start
        if end < since or start >= now_at:
            continue
        for cid, impact in zip(row.components, row.impacts, strict=True):
            windows[cid].append(ImpactWindow(ident, cid, start, end,
                                             weights.get(impact, 0.0)))
    return uptime_of_windows(windows, data.now, days, component_ids)


def availability_from_rows(rows: Mapping[str, SiteRow], data: SiteData,
                           ids: Sequence[str] | None = None
                           ) -> tuple[ComponentAvailability, ...] | None:
    """What the availability page shows (`evaluate` over DAYS and MONTHS), from the rows
    of `availability_ids` alone (`ids`, when the caller has them already): rows hold each
    incident's window (maintenance), impact span, components and impacts. None when a time
    is past 2**33 s (floats no longer give the instants back exactly): then ask the
    incidents."""
    now_at = data.now
    now = now_at.timestamp()
    sources: list[Source] = []
    for ident in availability_ids(rows, data) if ids is None else ids:
        row = rows[ident]
        times = [*(row.window or ()), row.impact_from or 0.0, row.impact_to or 0.0]
        if max(map(abs, times)) >= EXACT:
            return None
        counted = not row.drill and row.status != "canceled"  # availability.counts
        sources.append((ident, counted, row.maintenance,
                        tuple(zip(row.components, row.impacts, strict=True)),
                        partial(_row_window, row, now, now_at)))

    def impacts(counted: frozenset[str], since: datetime | None
                ) -> dict[str, list[Impact]]:
        return impacts_of(sources, data.config, maintenance_counted=counted, since=since)

    return evaluate_with(data.config, impacts, now_at, days=availability.DAYS,
                         months=availability.MONTHS, include_internal=data.internal)


def _row_window(row: SiteRow, now: float, now_at: datetime
                ) -> tuple[datetime, datetime] | None:
    """availability._window, from the row."""
    if row.maintenance and row.window is not None:
        return instant(row.window[0]), min(instant(row.window[1]), now_at)
    if row.impact_from is None:
        return None
    if row.impact_to is not None:
        return instant(row.impact_from), min(instant(row.impact_to), now_at)
    return (instant(row.impact_from), now_at) if row.open else None

