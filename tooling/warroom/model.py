"""Incidents as frozen dataclasses, built only from schema-valid data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from warroom.durations import parse_date, parse_time

OPEN_STATUSES = frozenset({"investigating", "identified", "monitoring", "scheduled"})
MAINTENANCE_STATUSES = frozenset({"scheduled", "in_progress", "completed"})


@dataclass(frozen=True)
class ComponentImpact:
    id: str
    impact: str


@dataclass(frozen=True)
class Update:
    index: int
    status: str
    message: str
    at: datetime | None  # stated; the recording commit gives the time when absent
    visibility: str
    author: str | None

    @property
    def public(self) -> bool:
        return self.visibility == "public"


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Pause:
    start: datetime
    end: datetime | None
    reason: str
    note: str
    targets: tuple[str, ...]  # empty: every target


@dataclass(frozen=True)
class Postmortem:
    status: str
    owner: str | None
    visibility: str
    url: str | None
    body: str

    @property
    def published(self) -> bool:
        return self.status == "published"


@dataclass(frozen=True)
class ActionItem:
    title: str
    owner: str | None
    due: date | None
    status: str
    url: str | None

    @property
    def open(self) -> bool:
        return self.status in ("open", "in_progress")


@dataclass(frozen=True)
class Report:
    regime: str
    kind: str
    submitted_at: datetime | None
    reference: str | None


@dataclass(frozen=True)
class Regulatory:
    personal_data: str
    aware_at: datetime | None
    decided_by: str | None
    classified_at: datetime | None
    regimes: tuple[str, ...]
    reports: tuple[Report, ...]


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class Source:
    tool: str
    id: str
    url: str


@dataclass(frozen=True)
class Incident:
    id: str
    path: str  # repository-relative, POSIX separators
    title: str
    type: str
    severity: str
    status: str
    visibility: str
    drill: bool
    summary: str
    components: tuple[ComponentImpact, ...]
    roles: dict[str, str]
    impact_started_at: datetime | None
    detected_at: datetime | None
    mitigated_at: datetime | None
    resolved_at: datetime | None
    causes: tuple[str, ...]
    window: Window | None
    pauses: tuple[Pause, ...]
    updates: tuple[Update, ...]
    postmortem: Postmortem | None
    action_items: tuple[ActionItem, ...]
    regulatory: Regulatory | None
    links: tuple[Link, ...]
    related: tuple[str, ...]
    source: Source | None

    @property
    def public(self) -> bool:
        return self.visibility == "public"

    @property
    def maintenance(self) -> bool:
        return self.type == "maintenance"

    @property
    def open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def commander(self) -> str | None:
        return self.roles.get("commander")

    @property
    def public_updates(self) -> tuple[Update, ...]:
        return tuple(u for u in self.updates if u.public)


def _time(raw: Any) -> datetime | None:
    return parse_time(raw) if isinstance(raw, str) else None


def build_incident(data: dict[str, Any], path: str) -> Incident:
    """Build an Incident from data that passed the schema (times are known to parse)."""
    reg = data.get("regulatory")
    pm = data.get("postmortem")
    window = data.get("window")
    src = data.get("source")
    return Incident(
        id=data["id"],
        path=path,
        title=data["title"],
        type=data["type"],
        severity=data["severity"],
        status=data["status"],
        visibility=data.get("visibility", "public"),
        drill=bool(data.get("drill", False)),
        summary=data.get("summary", ""),
        components=tuple(ComponentImpact(c["id"], c["impact"]) for c in data["components"]),
        roles=dict(data.get("roles", {})),
        impact_started_at=_time(data.get("impact_started_at")),
        detected_at=_time(data.get("detected_at")),
        mitigated_at=_time(data.get("mitigated_at")),
        resolved_at=_time(data.get("resolved_at")),
        causes=tuple(data.get("causes", ())),
        window=Window(parse_time(window["start"]), parse_time(window["end"])) if window else None,
        pauses=tuple(
            Pause(parse_time(p["start"]), _time(p.get("end")), p["reason"], p.get("note", ""),
                  tuple(p.get("targets", ())))
            for p in data.get("pauses", ())
        ),
        updates=tuple(
            Update(i, u["status"], u["message"], _time(u.get("at")),
                   u.get("visibility", "public"), u.get("author"))
            for i, u in enumerate(data["updates"])
        ),
        postmortem=Postmortem(pm["status"], pm.get("owner"), pm.get("visibility", "public"),
                              pm.get("url"), pm.get("body", "")) if pm else None,
        action_items=tuple(
            ActionItem(a["title"], a.get("owner"),
                       parse_date(a["due"]) if "due" in a else None, a["status"], a.get("url"))
            for a in data.get("action_items", ())
        ),
        regulatory=Regulatory(
            reg["personal_data"], _time(reg.get("aware_at")), reg.get("decided_by"),
            _time(reg.get("classified_at")), tuple(reg.get("regimes", ())),
            tuple(Report(r["regime"], r["kind"], _time(r.get("submitted_at")),
                         r.get("reference")) for r in reg.get("reports", ())),
        ) if reg else None,
        links=tuple(Link(k.get("title", k["url"]), k["url"]) for k in data.get("links", ())),
        related=tuple(data.get("related", ())),
        source=Source(src.get("tool", ""), src.get("id", ""), src.get("url", "")) if src else None,
    )
