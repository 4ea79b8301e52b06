"""The report as tables of display strings, shared by the Markdown and HTML renderers."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction

from warroom.availability import ComponentAvailability
from warroom.durations import format_span
from warroom.metrics import (
    DEFINITIONS,
    DURATIONS,
    IMPACT_START,
    PERCENTILE_METHOD,
    IncidentMetrics,
)
from warroom.metrics_aggregate import Group, Summary
from warroom.model import Incident
from warroom.report.model import Report

TARGET_LABELS = {
    "acknowledge": "Acknowledge", "identify": "Identify", "mitigate": "Mitigate",
    "resolve": "Resolve", "first_update": "First update", "update_every": "Update interval",
    "postmortem": "Postmortem",
}
GROUP_LABELS = {"month": "Month", "severity": "Severity", "type": "Type",
                "component": "Component"}


@dataclass(frozen=True)
class Link:
    text: str
    href: str

    def __str__(self) -> str:
        return self.text


Cell = str | Link


@dataclass(frozen=True)
class Table:
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""  # printed under the table: definitions, methods


def span(value: timedelta | None) -> str:
    return "–" if value is None else format_span(value)


def seconds_span(value: Fraction) -> str:
    return format_span(timedelta(seconds=round(float(value))))


def share(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def percent(value: Fraction) -> str:
    """Availability in percent, cut (not rounded) to 3 decimals: 99.89996% never shows as
    99.9%, so a missed objective never reads as met."""
    cut = Fraction(math.floor(value * 100 * 1000), 1000)
    text = f"{float(cut):.3f}".rstrip("0").rstrip(".")
    return f"{text}%"


def minutes(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


Linker = Callable[[Incident], Link]


def file_links(base_url: str) -> Linker:
    """Public incidents to their page on the status site when its address is known, others
    to their file in the repository (an internal incident has no public page)."""
    def link(incident: Incident) -> Link:
        if base_url and incident.public:
            return Link(incident.id, f"{base_url}/incidents/{incident.id}/")
        return Link(incident.id, incident.path)
    return link


def summary(report: Report) -> list[str]:
    overall = report.metrics.overall
    excluded = report.metrics.excluded_counts()
    decided = sum(c.decided for c in overall.compliance)
    met = sum(c.met for c in overall.compliance)
    met_share = share(met / decided if decided else None)
    lines = [
        f"{overall.incidents} incident(s) started in the period; not counted: "
        f"{excluded['drill']} drill(s), {excluded['canceled']} canceled, "
        f"{excluded['maintenance']} maintenance.",
        f"Time to resolve: p50 {span(overall.durations['resolve'].p50)}, "
        f"p90 {span(overall.durations['resolve'].p90)}, "
        f"max {span(overall.durations['resolve'].max)}; "
        f"customer impact {minutes(overall.impact_total)} minute(s) in total.",
        f"SLA: {met} of {decided} decided clock(s) met ({met_share})"
        f"; {sum(c.open for c in overall.compliance)} still running.",
        f"Postmortems: {overall.postmortems['on_time']} on time, "
        f"{overall.postmortems['late']} late, {overall.postmortems['pending']} pending.",
        f"Action items: {overall.actions['open']} open (of which {overall.actions['overdue']} "
        f"overdue), {overall.actions['closed']} closed.",
        f"Repeats: {len(report.repeats)} incident pair(s) share a component and a cause.",
    ]
    late = sum(m.backfilled for m in report.metrics.incidents)
    if late:
        lines.append(f"{late} incident(s) recorded after the fact (committed after their "
                     f"stated resolution): measured on their stated times.")
    slo = [a for a in report.availability if a.budget is not None]
    missed = [a.component.name for a in slo if a.budget is not None and not a.budget.met]
    lines.append(f"SLOs: {len(slo) - len(missed)} of {len(slo)} met over their window"
                 + (f"; missed: {', '.join(missed)}." if missed else "."))
    return lines


def _summary_cells(summary_: Summary[timedelta]) -> tuple[str, ...]:
    return (span(summary_.p50), span(summary_.p90), span(summary_.max), str(summary_.count))


def response_table(group: Group) -> Table:
    rows: list[tuple[Cell, ...]] = [
        (DEFINITIONS[name][0], *_summary_cells(group.durations[name]), DEFINITIONS[name][1])
        for name in DURATIONS
    ]
    impact = group.impact
    rows.append((DEFINITIONS["impact"][0] + " (min)", minutes(impact.p50), minutes(impact.p90),
                 minutes(impact.max), str(impact.count), DEFINITIONS["impact"][1]))
    return Table("Response times", ("Metric", "p50", "p90", "max", "n", "Definition"),
                 tuple(rows), f"Impact start: {IMPACT_START}. Percentiles: {PERCENTILE_METHOD}.")


def group_table(name: str, groups: Sequence[Group]) -> Table:
    rows = []
    for group in groups:
        decided = sum(c.decided for c in group.compliance)
        met = sum(c.met for c in group.compliance)
        resolve = group.durations["resolve"]
        rows.append((group.key, str(group.incidents), span(group.durations["acknowledge"].p50),
                     span(resolve.p50), span(resolve.p90), span(resolve.max),
                     minutes(group.impact_total), share(met / decided if decided else None),
                     f"{group.actions['open']} / {group.actions['overdue']}"))
    return Table(f"By {name}", (GROUP_LABELS[name], "Incidents", "Acknowledge p50",
                                "Resolve p50", "Resolve p90", "Resolve max", "Impact (min)",
                                "SLA met", "Actions open / overdue"), tuple(rows))


def compliance_table(group: Group) -> Table:
    rows = tuple(
        (TARGET_LABELS.get(c.target, c.target), str(c.met), str(c.breached), str(c.open),
         share(c.met_share), share(c.breached_share))
        for c in group.compliance
    )
    return Table("SLA compliance per target",
                 ("Target", "Met", "Breached", "Running", "Met share", "Breached share"), rows,
                 "Shares are of decided clocks (met or breached); running clocks are not yet "
                 "decided. Drills, canceled incidents and maintenance are not counted.")


def availability_table(items: Sequence[ComponentAvailability], *, internal: bool) -> Table:
    rows: list[tuple[Cell, ...]] = []
    for item in items:
        budget = item.budget
        row: list[Cell] = [item.component.name,
                           percent(item.span.availability) if item.span else "–",
                           f"{percent(item.window.availability)} ({item.window.label})"]
        if internal:
            if budget is None:
                row += ["no SLO", "–", "–", "–", "–", "–"]
            else:
                rates = dict(budget.burn_rates)
                left = share(float(budget.remaining_share))
                row += [percent(budget.target) + (" incl. maintenance"
                                                  if item.maintenance_counted else ""),
                        seconds_span(budget.total), seconds_span(budget.spent),
                        f"{seconds_span(budget.remaining)} ({left})",
                        f"{rates['1d']:.2f} / {rates['7d']:.2f}",
                        "met" if budget.met else "missed"]
        rows.append(tuple(row))
    columns: tuple[str, ...] = ("Component", "Period", "Rolling window")
    if internal:
        columns += ("SLO", "Budget", "Spent", "Remaining", "Burn rate 1d / 7d", "SLO status")
    return Table("Availability against SLOs" if internal else "Availability", columns,
                 tuple(rows),
                 "Availability = 1 − weighted downtime ÷ time measured, from impact windows "
                 "(UTC), weights: major outage 1, partial 0.5, degraded 0 unless configured. "
                 "Burn rate = share of time down ÷ share allowed (1 spends the budget exactly "
                 "over the window).")


def incident_table(items: Sequence[IncidentMetrics], link: Linker) -> Table:
    rows: tuple[tuple[Cell, ...], ...] = tuple(
        (link(m.incident), m.incident.title, m.incident.severity,
         m.incident.type, ", ".join(c.id for c in m.incident.components),
         *(span(m.durations[n]) for n in DURATIONS), minutes(m.impact_minutes),
         ", ".join(TARGET_LABELS.get(c.target, c.target) for c in m.clocks
                   if str(c.state) == "breached") or "–")
        for m in items
    )
    return Table("Incidents", ("Incident", "Title", "Severity", "Type", "Components",
                               "Detect", "Declare", "Acknowledge", "Mitigate", "Resolve",
                               "Impact (min)", "SLA breached"), rows)


def excluded_table(items: Sequence[IncidentMetrics], link: Linker) -> Table:
    rows = tuple((link(m.incident), m.incident.title, m.excluded or "")
                 for m in items)
    return Table("Not counted", ("Incident", "Title", "Why"), rows,
                 "Drills, canceled incidents and maintenance are kept out of every figure.")


def repeat_table(report: Report, link: Linker) -> Table:
    rows = tuple(
        (link(r.incident), link(r.earlier),
         ", ".join(r.components), ", ".join(r.causes), format_span(r.gap),
         "; ".join(f"{a.title} ({a.owner or 'no owner'}"
                   + (f", due {a.due.isoformat()})" if a.due else ")")
                   for a in r.open_actions) or "none")
        for r in report.repeats
    )
    return Table("Repeats", ("Incident", "Repeats", "Components", "Causes", "After",
                             "Action items still open on the earlier incident"), rows,
                 f"Same component and a shared cause within "
                 f"{report.config.repeat_window}.")
