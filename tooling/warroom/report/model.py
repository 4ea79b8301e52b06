"""The report's content, gathered once; the renderers (markdown, json, html) only format it.

A report covers incidents whose impact started in [since, until). Trend plots look further
back (13 weeks, 12 months up to the end of the period) so a one-month report still shows
whether things are getting better.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from warroom.availability import ComponentAvailability, evaluate
from warroom.clock import Clock
from warroom.config import Config
from warroom.durations import add_months
from warroom.metrics import IncidentMetrics, all_metrics
from warroom.metrics_aggregate import Metrics, aggregate
from warroom.model import Incident
from warroom.recorded import Recorded
from warroom.recurrence import Repeat, find_repeats

TREND_WEEKS = 13
TREND_MONTHS = 12


@dataclass(frozen=True)
class Report:
    config: Config
    since: datetime
    until: datetime  # exclusive
    now: datetime
    label: str  # "November 2026", "2026-09-01 to 2026-11-30"
    metrics: Metrics  # incidents that started in the period
    trend: tuple[IncidentMetrics, ...]  # every incident up to the end of the period
    availability: tuple[ComponentAvailability, ...]  # measured over the period
    repeats: tuple[Repeat, ...]  # whose later incident started in the period
    history: bool  # False when no git history was available (stated times only)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.config.site.timezone)

    @property
    def end(self) -> datetime:
        """The end of what can be measured: the period's end, or now if sooner."""
        return min(self.until, self.now)

    def weeks(self) -> list[date]:
        """Mondays (site time zone) of the weeks shown in the per-week plot."""
        last = (self.end - timedelta(microseconds=1)).astimezone(self.tz).date()
        last_monday = last - timedelta(days=last.weekday())
        first = self.since.astimezone(self.tz).date()
        first_monday = min(first - timedelta(days=first.weekday()),
                           last_monday - timedelta(weeks=TREND_WEEKS - 1))
        count = (last_monday - first_monday).days // 7 + 1
        return [first_monday + timedelta(weeks=i) for i in range(count)]

    def months(self) -> list[str]:
        """Months (YYYY-MM, site time zone) of the time-to-resolve trend plot."""
        last = (self.end - timedelta(microseconds=1)).astimezone(self.tz).replace(day=1)
        first = self.since.astimezone(self.tz).replace(day=1)
        first = min(first, add_months(last, -(TREND_MONTHS - 1)))
        out = []
        while first <= last:
            out.append(first.strftime("%Y-%m"))
            first = add_months(first, 1)
        return out


def period_label(since: datetime, until: datetime, tz: ZoneInfo) -> str:
    start = since.astimezone(tz)
    end = until.astimezone(tz)
    if (start.day == 1 and start.time() == end.time() == datetime.min.time()
            and add_months(start, 1) == end):
        return start.strftime("%B %Y")
    last = end - timedelta(microseconds=1)
    return f"{start.date().isoformat()} to {last.date().isoformat()}"


def build_report(config: Config, incidents: Sequence[Incident],
                 recorded: Mapping[str, Recorded], clocks: Mapping[str, Sequence[Clock]],
                 now: datetime, since: datetime, until: datetime) -> Report:
    """Everything the renderers need, for incidents whose impact started in [since, until)."""
    every = all_metrics(incidents, recorded, clocks, config, now)
    in_period = tuple(m for m in every if since <= m.start < until)
    trend = tuple(m for m in every if m.start < until)
    period_ids = {m.id for m in in_period}
    repeats = tuple(r for r in find_repeats(incidents, recorded, config)
                    if r.incident.id in period_ids)
    return Report(
        config=config,
        since=since,
        until=until,
        now=now,
        label=period_label(since, until, ZoneInfo(config.site.timezone)),
        metrics=aggregate(in_period, config),
        trend=trend,
        availability=evaluate(config, incidents, recorded, now, span=(since, until)),
        repeats=repeats,
        history=bool(recorded),
    )
