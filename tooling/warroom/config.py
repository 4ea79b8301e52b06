"""warroom.yaml as frozen dataclasses, built only from schema-valid data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any

from warroom.durations import Duration

TARGET_NAMES = (
    "acknowledge", "identify", "mitigate", "resolve", "first_update", "update_every", "postmortem",
)
DEFAULT_WEIGHTS = {"major_outage": 1.0, "partial_outage": 0.5, "degraded_performance": 0.0}
_DAY = Duration.parse("24h")
_90_DAYS = Duration.parse("90d")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Slo:
    target: float
    window: Duration
    maintenance: str


@dataclass(frozen=True)
class Component:
    id: str
    name: str
    group: str
    description: str
    internal: bool
    slo: Slo | None


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    description: str
    components: tuple[Component, ...]


@dataclass(frozen=True)
class Target:
    name: str
    within: Duration
    calendar: str | None
    stop_on: str


@dataclass(frozen=True)
class Severity:
    id: str
    name: str
    description: str
    impact: str
    rank: int  # 0 is the most severe
    targets: dict[str, Target]


@dataclass(frozen=True)
class Calendar:
    id: str
    timezone: str
    hours: dict[int, tuple[tuple[time, time], ...]]  # weekday (0 = Monday) -> spans
    holidays: frozenset[date]


@dataclass(frozen=True)
class Deadline:
    after: Duration
    start: str  # aware | classified | kind of an earlier report


@dataclass(frozen=True)
class ReportRule:
    kind: str
    name: str
    due: tuple[Deadline, ...]


@dataclass(frozen=True)
class Regime:
    id: str
    name: str
    reports: tuple[ReportRule, ...]


@dataclass(frozen=True)
class SlaSettings:
    at_risk: float = 0.75
    stop_on: str = "recorded"
    stated_drift: Duration = _DAY
    decision_pending_after: Duration = _DAY
    postmortem_for: tuple[str, ...] = ()


@dataclass(frozen=True)
class Site:
    title: str
    description: str = ""
    base_url: str = ""
    language: str = "en"
    timezone: str = "UTC"
    output: str = "_site"
    contact: str = ""
    history_per_page: int = 6
    uptime_days: int = 90


@dataclass(frozen=True)
class Config:
    root: Path
    site: Site
    groups: tuple[Group, ...]
    severities: tuple[Severity, ...]
    calendars: dict[str, Calendar] = field(default_factory=dict)
    sla: SlaSettings = SlaSettings()
    regimes: dict[str, Regime] = field(default_factory=dict)
    causes: dict[str, str] = field(default_factory=dict)
    repeat_window: Duration = _90_DAYS
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))

    @property
    def components(self) -> dict[str, Component]:
        return {c.id: c for g in self.groups for c in g.components}

    def severity(self, severity_id: str) -> Severity | None:
        return next((s for s in self.severities if s.id == severity_id), None)


def _span(text: str) -> tuple[time, time]:
    start, end = text.split("-")
    # "24:00" closes a day; time() cannot hold it, so it becomes the last representable instant.
    end_time = time.max if end == "24:00" else time.fromisoformat(end)
    return time.fromisoformat(start), end_time


def _target(name: str, raw: Any, default_stop: str) -> Target:
    if isinstance(raw, str):
        return Target(name, Duration.parse(raw), None, default_stop)
    return Target(name, Duration.parse(raw["within"]), raw.get("calendar"),
                  raw.get("stop_on", default_stop))


def _regime(regime_id: str, raw: dict[str, Any]) -> Regime:
    reports = tuple(
        ReportRule(r["kind"], r.get("name", r["kind"].replace("_", " ")),
                   tuple(Deadline(Duration.parse(d["after"]), d["from"]) for d in r["due"]))
        for r in raw["reports"]
    )
    return Regime(regime_id, raw["name"], reports)


def build_config(data: dict[str, Any], root: Path, default_regimes: dict[str, Any]) -> Config:
    """Build a Config from schema-valid data (semantic checks live in validate_config)."""
    site_raw = data["site"]
    site = Site(**{k: v for k, v in site_raw.items() if k in Site.__dataclass_fields__})
    groups = tuple(
        Group(
            g["id"], g["name"], g.get("description", ""),
            tuple(
                Component(
                    c["id"], c["name"], g["id"], c.get("description", ""),
                    bool(c.get("internal", False)),
                    Slo(float(c["slo"]["target"]), Duration.parse(c["slo"].get("window", "30d")),
                        c["slo"].get("maintenance", "excluded")) if "slo" in c else None,
                )
                for c in g["components"]
            ),
        )
        for g in data["groups"]
    )
    sla_raw = data.get("sla", {})
    stop = sla_raw.get("stop_on", "recorded")
    sla = SlaSettings(
        at_risk=float(sla_raw.get("at_risk", 0.75)),
        stop_on=stop,
        stated_drift=Duration.parse(sla_raw.get("stated_drift", "24h")),
        decision_pending_after=Duration.parse(sla_raw.get("decision_pending_after", "24h")),
        postmortem_for=tuple(sla_raw.get("postmortem_for", ())),
    )
    severities = tuple(
        Severity(
            s["id"], s["name"], s.get("description", ""), s.get("impact", "minor"), rank,
            {name: _target(name, raw, stop) for name, raw in s.get("targets", {}).items()},
        )
        for rank, s in enumerate(data["severities"])
    )
    calendars = {
        cid: Calendar(
            cid, c["timezone"],
            {WEEKDAYS.index(day): tuple(_span(s) for s in spans)
             for day, spans in c["hours"].items()},
            frozenset(date.fromisoformat(d) for d in c.get("holidays", ())),
        )
        for cid, c in data.get("calendars", {}).items()
    }
    regimes_raw = {**default_regimes, **data.get("regimes", {})}
    regimes = {rid: _regime(rid, raw) for rid, raw in regimes_raw.items()}
    weights = {**DEFAULT_WEIGHTS, **data.get("uptime", {})}
    return Config(
        root=root, site=site, groups=groups, severities=severities, calendars=calendars,
        sla=sla, regimes=regimes, causes=dict(data.get("causes", {})),
        repeat_window=Duration.parse(data.get("repeats", {}).get("window", "90d")),
        weights=weights,
    )
