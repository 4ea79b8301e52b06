"""The report as JSON: raw numbers (seconds, shares 0-1), with the definitions beside them."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction
from typing import Any

from warroom.availability import ComponentAvailability, Period
from warroom.jsonout import dumps
from warroom.metrics import DEFINITIONS, PERCENTILE_METHOD, IncidentMetrics
from warroom.metrics_aggregate import Group, Summary
from warroom.report.model import Report

SCHEMA_VERSION = 1


def _seconds(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


def _ratio(value: Fraction) -> float:
    return round(float(value), 9)


def _summary(found: Summary[Any], convert: Any = _seconds) -> dict[str, Any]:
    return {"count": found.count, "p50": convert(found.p50), "p90": convert(found.p90),
            "max": convert(found.max)}


def _group(group: Group) -> dict[str, Any]:
    return {
        "key": group.key,
        "incidents": group.incidents,
        "durations_seconds": {k: _summary(v) for k, v in group.durations.items()},
        "impact_minutes": {**_summary(group.impact, lambda x: x), "total": group.impact_total},
        "sla": [{"target": c.target, "met": c.met, "breached": c.breached, "running": c.open,
                 "met_share": c.met_share, "breached_share": c.breached_share}
                for c in group.compliance],
        "postmortems": group.postmortems,
        "action_items": group.actions,
    }


def _incident(m: IncidentMetrics) -> dict[str, Any]:
    return {
        "id": m.id, "title": m.incident.title, "path": m.incident.path,
        "severity": m.incident.severity, "type": m.incident.type,
        "visibility": m.incident.visibility,
        "components": [c.id for c in m.incident.components], "causes": list(m.incident.causes),
        "month": m.month, "impact_start": m.start.isoformat(),
        "durations_seconds": {k: _seconds(v) for k, v in m.durations.items()},
        "impact_minutes": m.impact_minutes,
        "sla": {c.target: str(c.state) for c in m.clocks},
        "postmortem": m.postmortem,
        "action_items": {"open": m.actions_open, "overdue": m.actions_overdue,
                         "closed": m.actions_closed},
        "excluded": m.excluded,
        "backfilled": m.backfilled,
    }


def _period(period: Period) -> dict[str, Any]:
    return {"label": period.label, "start": period.start.isoformat(),
            "end": period.end.isoformat(), "downtime_seconds": _ratio(period.downtime),
            "availability": _ratio(period.availability)}


def _availability(item: ComponentAvailability) -> dict[str, Any]:
    budget = item.budget
    return {
        "component": item.component.id,
        "name": item.component.name,
        "maintenance_counted": item.maintenance_counted,
        "period": _period(item.span) if item.span else None,
        "window": _period(item.window),
        "months": [_period(p) for p in item.months],
        "slo": None if budget is None else {
            "target": _ratio(budget.target), "window": str(budget.window),
            "met": budget.met,
            "budget_seconds": {"total": _ratio(budget.total), "spent": _ratio(budget.spent),
                               "remaining": _ratio(budget.remaining)},
            "remaining_share": _ratio(budget.remaining_share),
            "burn_rates": dict(budget.burn_rates),
        },
    }


def as_data(report: Report) -> dict[str, Any]:
    metrics = report.metrics
    return {
        "schema_version": SCHEMA_VERSION,
        "title": report.config.site.title,
        "period": {"label": report.label, "since": report.since.isoformat(),
                   "until": report.until.isoformat(), "now": report.now.isoformat(),
                   "timezone": report.config.site.timezone},
        "history": report.history,
        "definitions": {k: {"label": v[0], "definition": v[1]} for k, v in DEFINITIONS.items()},
        "percentile_method": PERCENTILE_METHOD,
        "excluded": metrics.excluded_counts(),
        "overall": _group(metrics.overall),
        "groups": {name: [_group(g) for g in groups] for name, groups in metrics.groups.items()},
        "availability": [_availability(a) for a in report.availability],
        "repeats": [
            {"incident": r.incident.id, "earlier": r.earlier.id, "components": list(r.components),
             "causes": list(r.causes), "gap_seconds": r.gap.total_seconds(),
             "open_action_items": [{"title": a.title, "owner": a.owner, "status": a.status,
                                    "due": a.due.isoformat() if a.due else None}
                                   for a in r.open_actions]}
            for r in report.repeats
        ],
        "incidents": [_incident(m) for m in metrics.incidents],
        "not_counted": [_incident(m) for m in metrics.excluded],
    }


def render(report: Report) -> str:
    return dumps(as_data(report)) + "\n"  # json.dumps(indent=2, ensure_ascii=False)'s text
