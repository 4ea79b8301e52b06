"""Per-incident response metrics, each with the definition printed next to it.

Pure: incidents, what git recorded, SLA clocks and `now` in; values out. Aggregation
(percentiles by month, severity, type and component) lives in `metrics_aggregate`.

The chain of moments, customer first:
impact start -> detected -> declared -> acknowledged -> mitigated -> resolved.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from warroom.clock import Clock, ClockState
from warroom.config import Config
from warroom.model import Incident
from warroom.recorded import Recorded
from warroom.sla import backfilled
from warroom.uptime import impact_end, impact_start

IMPACT_START = ("the stated impact_started_at, else the commit that added the incident "
                "file, else the stated detected_at")

# name -> (label, definition). Every output prints the definition beside the value, and
# docs/metrics.md repeats them (a test keeps the two in step).
DEFINITIONS: dict[str, tuple[str, str]] = {
    "detect": ("Time to detect",
               "stated detected_at minus stated impact_started_at; absent when either is "
               "missing"),
    "declare": ("Time to declare",
                "the commit that added the incident file (recorded; the first update's "
                "stated at without history) minus the stated detected_at, or "
                "impact_started_at when detection is not stated; absent when neither is "
                "stated"),
    "acknowledge": ("Time to acknowledge",
                    "the first commit that set a commander minus the commit that added the "
                    "file (both recorded), as the SLA acknowledge clock measures it; absent "
                    "without history"),
    "mitigate": ("Time to mitigate",
                 "the first commit that moved the status to monitoring or later (recorded; "
                 "without history the stated mitigated_at, else the first monitoring or "
                 "resolved update's stated at) minus the impact start"),
    "resolve": ("Time to resolve",
                "the first commit that moved the status to resolved (recorded; without "
                "history the stated resolved_at, else the resolving update's stated at) "
                "minus the impact start"),
    "impact": ("Customer impact",
               "minutes from the impact start to the stated mitigated_at, else the stated "
               "resolved_at, else the resolving commit, else now while open (the window the "
               "public uptime bars use); not weighted"),
}
DURATIONS = ("detect", "declare", "acknowledge", "mitigate", "resolve")
PERCENTILE_METHOD = ("nearest rank: the p-th percentile of n sorted values is the value at "
                     "rank ceil(p/100 x n), so it is always an observed value")

T = TypeVar("T", timedelta, float, int)


def percentile(values: Sequence[T], p: int) -> T | None:
    """Nearest-rank percentile (p in 1..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p * len(ordered) / 100))
    return ordered[rank - 1]


@dataclass(frozen=True)
class IncidentMetrics:
    incident: Incident
    month: str  # YYYY-MM of the impact start, in the site's time zone
    start: datetime  # impact start
    durations: dict[str, timedelta | None]  # keys of DURATIONS
    impact_minutes: float
    clocks: tuple[Clock, ...]
    postmortem: str  # on_time | late | pending | none (no postmortem target applies)
    actions_open: int  # open or in progress, overdue ones included
    actions_overdue: int  # open past their due date
    actions_closed: int  # done or won't do
    excluded: str | None  # drill | canceled | maintenance: kept out of aggregates
    backfilled: bool = False  # committed after it was over: measured on stated times

    @property
    def id(self) -> str:
        return self.incident.id


def excluded_reason(incident: Incident) -> str | None:
    if incident.drill:
        return "drill"
    if incident.status == "canceled":
        return "canceled"
    if incident.maintenance:
        return "maintenance"
    return None


def _minus(end: datetime | None, start: datetime | None) -> timedelta | None:
    return None if end is None or start is None else end - start


def _postmortem(clocks: Sequence[Clock]) -> str:
    clock = next((c for c in clocks if c.target == "postmortem"), None)
    if clock is None:
        return "none"
    if clock.state is ClockState.MET:
        return "on_time"
    if clock.state is ClockState.BREACHED:
        return "late"
    return "pending"


def _first_stated(incident: Incident, statuses: frozenset[str]) -> datetime | None:
    return next((u.at for u in incident.updates if u.status in statuses and u.at), None)


MITIGATED = frozenset({"monitoring", "resolved", "completed"})
RESOLVED = frozenset({"resolved", "completed"})


def incident_metrics(incident: Incident, recorded: Recorded | None,
                     clocks: Sequence[Clock], config: Config, now: datetime
                     ) -> IncidentMetrics | None:
    """Metrics of one incident; None when no start can be known (no history, no stated time)."""
    late = backfilled(incident, recorded)
    source = None if late else recorded
    if late:
        clocks = ()  # clocks on an after-the-fact record measure the typing, not the response
    start = (incident.window.start if incident.maintenance and incident.window
             else impact_start(incident, source))
    if start is None:
        return None
    if source is not None:
        declared: datetime | None = source.declared.at
        acknowledged = source.acknowledged.at if source.acknowledged else None
        mitigated = source.monitoring.at if source.monitoring else None
        resolved = source.resolved.at if source.resolved else None
    else:
        declared = next((u.at for u in incident.updates if u.at), None)
        acknowledged = None
        mitigated = incident.mitigated_at or _first_stated(incident, MITIGATED)
        resolved = incident.resolved_at or _first_stated(incident, RESOLVED)
    if incident.status == "canceled":
        mitigated = resolved = None
    durations = {
        "detect": _minus(incident.detected_at, incident.impact_started_at),
        "declare": _minus(declared, incident.detected_at or incident.impact_started_at),
        "acknowledge": _minus(acknowledged, declared),
        "mitigate": _minus(mitigated, start),
        "resolve": _minus(resolved, start),
    }
    end = impact_end(incident, source, now) or start
    today = now.astimezone(ZoneInfo(config.site.timezone)).date()
    open_items = [a for a in incident.action_items if a.open]
    return IncidentMetrics(
        incident=incident,
        month=start.astimezone(ZoneInfo(config.site.timezone)).strftime("%Y-%m"),
        start=start,
        durations=durations,
        impact_minutes=max(0.0, (end - start).total_seconds() / 60),
        clocks=tuple(clocks),
        postmortem=_postmortem(clocks),
        actions_open=len(open_items),
        actions_overdue=sum(1 for a in open_items if a.due is not None and a.due < today),
        actions_closed=len(incident.action_items) - len(open_items),
        excluded=excluded_reason(incident),
        backfilled=late,
    )


def all_metrics(incidents: Sequence[Incident], recorded: Mapping[str, Recorded],
                clocks: Mapping[str, Sequence[Clock]], config: Config, now: datetime
                ) -> tuple[IncidentMetrics, ...]:
    """Metrics of every incident (excluded ones too, marked), ordered by impact start."""
    out = []
    for incident in incidents:
        found = incident_metrics(incident, recorded.get(incident.id),
                                 clocks.get(incident.id, ()), config, now)
        if found is not None:
            out.append(found)
    return tuple(sorted(out, key=lambda m: (m.start, m.id)))
