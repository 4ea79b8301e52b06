"""Aggregates of per-incident metrics: p50 / p90 / max, never a bare mean.

Drills, canceled incidents and maintenance are kept out of every aggregate and counted
apart; an incident touching two components counts once in each component's group.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Generic, TypeVar

from warroom.clock import ClockState
from warroom.config import TARGET_NAMES, Config
from warroom.metrics import DURATIONS, IncidentMetrics, percentile

T = TypeVar("T", timedelta, float)
TYPES = ("outage", "degradation", "network", "bug", "security", "data-loss")
GROUPINGS = ("month", "severity", "type", "component")


@dataclass(frozen=True)
class Summary(Generic[T]):
    count: int  # incidents with a value (the others lack a time it needs)
    p50: T | None
    p90: T | None
    max: T | None


def summarize(values: Sequence[T]) -> Summary[T]:
    return Summary(len(values), percentile(values, 50), percentile(values, 90),
                   max(values) if values else None)


@dataclass(frozen=True)
class Compliance:
    target: str
    met: int
    breached: int
    open: int  # running, at risk or paused: not decided yet, so not in the share

    @property
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def met_share(self) -> float | None:
        return self.met / self.decided if self.decided else None

    @property
    def breached_share(self) -> float | None:
        return self.breached / self.decided if self.decided else None


@dataclass(frozen=True)
class Group:
    key: str  # "all", a month (2026-11), a severity, a type or a component id
    incidents: int
    durations: dict[str, Summary[timedelta]]
    impact: Summary[float]  # customer impact minutes
    impact_total: float
    compliance: tuple[Compliance, ...]
    postmortems: dict[str, int]  # on_time, late, pending
    actions: dict[str, int]  # open, overdue, closed


@dataclass(frozen=True)
class Metrics:
    incidents: tuple[IncidentMetrics, ...]  # counted in the aggregates
    excluded: tuple[IncidentMetrics, ...]  # drills, canceled, maintenance
    overall: Group
    groups: dict[str, tuple[Group, ...]]  # by GROUPINGS

    def excluded_counts(self) -> dict[str, int]:
        found = Counter(m.excluded for m in self.excluded)
        return {reason: found.get(reason, 0) for reason in ("drill", "canceled", "maintenance")}


def _target_order(name: str) -> tuple[int, str]:
    return (TARGET_NAMES.index(name), name) if name in TARGET_NAMES else (len(TARGET_NAMES), name)


def compliance(members: Iterable[IncidentMetrics]) -> tuple[Compliance, ...]:
    counts: dict[str, Counter[str]] = {}
    for member in members:
        for clock in member.clocks:
            tally = counts.setdefault(clock.target, Counter())
            if clock.state is ClockState.MET:
                tally["met"] += 1
            elif clock.state is ClockState.BREACHED:
                tally["breached"] += 1
            else:
                tally["open"] += 1
    return tuple(Compliance(t, counts[t]["met"], counts[t]["breached"], counts[t]["open"])
                 for t in sorted(counts, key=_target_order))


def group(key: str, members: Sequence[IncidentMetrics]) -> Group:
    durations = {
        name: summarize([d for m in members if (d := m.durations[name]) is not None])
        for name in DURATIONS
    }
    impact = [m.impact_minutes for m in members]
    postmortems = Counter(m.postmortem for m in members)
    return Group(
        key=key,
        incidents=len(members),
        durations=durations,
        impact=summarize(impact),
        impact_total=sum(impact),
        compliance=compliance(members),
        postmortems={k: postmortems.get(k, 0) for k in ("on_time", "late", "pending")},
        actions={
            "open": sum(m.actions_open for m in members),
            "overdue": sum(m.actions_overdue for m in members),
            "closed": sum(m.actions_closed for m in members),
        },
    )


def _grouped(members: Sequence[IncidentMetrics], keys: Callable[[IncidentMetrics], list[str]],
             order: Callable[[str], tuple[int, str]]) -> tuple[Group, ...]:
    buckets: dict[str, list[IncidentMetrics]] = {}
    for member in members:
        for key in keys(member):
            buckets.setdefault(key, []).append(member)
    return tuple(group(k, buckets[k]) for k in sorted(buckets, key=order))


def aggregate(all_metrics: Sequence[IncidentMetrics], config: Config) -> Metrics:
    counted = tuple(m for m in all_metrics if m.excluded is None)
    excluded = tuple(m for m in all_metrics if m.excluded is not None)
    severities = [s.id for s in config.severities]
    components = list(config.components)

    def rank(order: list[str]) -> Callable[[str], tuple[int, str]]:
        return lambda k: (order.index(k) if k in order else len(order), k)

    return Metrics(
        incidents=counted,
        excluded=excluded,
        overall=group("all", counted),
        groups={
            "month": _grouped(counted, lambda m: [m.month], lambda k: (0, k)),
            "severity": _grouped(counted, lambda m: [m.incident.severity], rank(severities)),
            "type": _grouped(counted, lambda m: [m.incident.type], rank(list(TYPES))),
            "component": _grouped(
                counted, lambda m: list(dict.fromkeys(c.id for c in m.incident.components)),
                rank(components)),
        },
    )
