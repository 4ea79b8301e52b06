"""Producer: `availability/index.html` (every build) and `internal/metrics/index.html`.

The public page shows the availability history the SLOs are measured on, and nothing of the
SLA: no targets, budgets or clocks. Internal builds add each component's objective and
error budget, and a metrics page with the report's plots, repeats and SLA compliance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction
from typing import Any

from warroom.availability import Budget, ComponentAvailability, Period, evaluate
from warroom.model import Incident
from warroom.site.data import SiteData
from warroom.site.i18n import Translator
from warroom.site.layout import render_page, translator
from warroom.site.views import incident_path
from warroom.status import ensure_view

DAYS = 90
MONTHS = 12
METRICS_DAYS = 90
PAGE = "availability/index.html"
METRICS_PAGE = "internal/metrics/index.html"

STRINGS = {
    "en": {
        "title": "Availability",
        "intro": "The share of time each component was available, measured from the impact "
                 "windows of incidents over UTC days: the history our availability objectives "
                 "are measured on. Planned maintenance is not counted unless noted.",
        "maintenance_counted": "maintenance counted",
        "summary": "Availability per component",
        "component": "Component",
        "rolling": "Rolling window",
        "window": "Last {days} days",
        "days_short": "{days} days",
        "months": "Last {months} months",
        "monthly": "By month",
        "monthly_note": "Calendar months in UTC; the current month so far.",
        "objective": "Objective",
        "budget": "Error budget left",
        "objective_status": "Objective over its window",
        "met": "met",
        "missed": "missed",
        "overspent": "overspent by {amount} ({share})",
        "none": "none",
        "metrics_link": "Incident metrics, SLA compliance and repeats",
    },
    "fr": {
        "title": "Disponibilité",
        "intro": "La part du temps où chaque composant était disponible, mesurée à partir des "
                 "périodes d'impact des incidents sur des jours UTC : l'historique sur lequel "
                 "nos objectifs de disponibilité sont mesurés. La maintenance planifiée n'est "
                 "pas comptée, sauf mention contraire.",
        "maintenance_counted": "maintenance comptée",
        "summary": "Disponibilité par composant",
        "component": "Composant",
        "rolling": "Fenêtre glissante",
        "window": "{days} derniers jours",
        "days_short": "{days} jours",
        "months": "{months} derniers mois",
        "monthly": "Par mois",
        "monthly_note": "Mois calendaires en UTC ; le mois en cours jusqu'à maintenant.",
        "objective": "Objectif",
        "budget": "Budget d'erreur restant",
        "objective_status": "Objectif sur sa fenêtre",
        "met": "tenu",
        "missed": "manqué",
        "overspent": "dépassé de {amount} ({share})",
        "none": "aucun",
        "metrics_link": "Métriques d'incidents, respect des SLA et récidives",
    },
}


@dataclass(frozen=True)
class ComponentRow:
    name: str
    maintenance_counted: bool
    window: str  # availability over the rolling window (the SLO's, else 30 days)
    window_days: int
    days: str  # over the last DAYS days
    months: str  # over the last MONTHS months
    monthly: tuple[str, ...]  # per month, oldest first (aligned with AvailabilityView.months)
    objective: str | None  # internal builds only, from here down
    budget_left: str | None
    status: str | None


@dataclass(frozen=True)
class GroupRows:
    name: str
    rows: tuple[ComponentRow, ...]


@dataclass(frozen=True)
class AvailabilityView:
    s: dict[str, str]  # this page's strings, in the site's language
    groups: tuple[GroupRows, ...]
    months: tuple[str, ...]  # month names, oldest first
    days: int
    month_count: int
    internal: bool
    metrics_path: str | None  # the internal metrics page, internal builds only


def combined(periods: tuple[Period, ...]) -> Fraction:
    length = sum((p.length for p in periods), Fraction(0))
    down = sum((p.downtime for p in periods), Fraction(0))
    return Fraction(1) if length == 0 else 1 - down / length


def _budget_left(budget: Budget, t: Translator, s: dict[str, str]) -> str:
    amount = t.duration(timedelta(seconds=abs(float(budget.remaining))))
    share = t.percent(float(budget.remaining_share * 100), 0)
    if budget.remaining < 0:
        return s["overspent"].format(amount=amount, share=share)
    return f"{amount} ({share})"


def _row(item: ComponentAvailability, t: Translator, s: dict[str, str],
         internal: bool) -> ComponentRow:
    def pct(value: Fraction) -> str:
        return t.percent(float(value * 100), 3)

    budget = item.budget if internal else None
    window = item.window.end - item.window.start
    return ComponentRow(
        name=item.component.name,
        maintenance_counted=item.maintenance_counted,
        window=pct(item.window.availability),
        window_days=round(window / timedelta(days=1)),
        days=pct(combined(item.days)),
        months=pct(combined(item.months)),
        monthly=tuple(pct(p.availability) for p in item.months),
        objective=(t.percent(float(budget.target * 100), 3) if budget
                   else s["none"] if internal else None),
        budget_left=_budget_left(budget, t, s) if budget else None,
        status=(s["met"] if budget.met else s["missed"]) if budget else None,
    )


def availability_view(data: SiteData,
                      found: tuple[ComponentAvailability, ...] | None = None) -> AvailabilityView:
    """The page's view; `found` gives what evaluate would (see public_page)."""
    t = translator(data)
    s = STRINGS[t.language]
    if found is None:
        found = evaluate(data.config, data.incidents, data.recorded, data.now, days=DAYS,
                         months=MONTHS, include_internal=data.internal)
    by_id = {a.component.id: a for a in found}
    groups = []
    for group in data.config.groups:
        rows = tuple(_row(by_id[c.id], t, s, data.internal)
                     for c in group.components if c.id in by_id)
        if rows:
            groups.append(GroupRows(group.name, rows))
    months = found[0].months if found else ()
    return AvailabilityView(
        s=s, groups=tuple(groups),
        months=tuple(t.month(p.start.year, p.start.month) for p in months),
        days=DAYS, month_count=MONTHS, internal=data.internal,
        metrics_path=METRICS_PAGE.removesuffix("index.html") if data.internal else None,
    )


def metrics_context(data: SiteData) -> dict[str, Any]:
    """The internal metrics page: the report of the last METRICS_DAYS days, as a page."""
    # Imported here: a public build never makes this page (the report, its metrics and plots
    # are ~15 ms of every `warroom build`'s start).
    from warroom.report import build_report
    from warroom.report import views as report_views
    from warroom.report.html import tables
    from warroom.report.plots import all_plots

    since = data.now - timedelta(days=METRICS_DAYS)
    report = build_report(data.config, data.incidents, data.recorded, data.clocks, data.now,
                          since, data.now)
    # links from internal/metrics/ to each incident's page of this (internal) build
    prefix = f"{data.base_url}/" if data.base_url else "../../"

    def link(incident: Incident) -> report_views.Link:
        return report_views.Link(incident.id, prefix + incident_path(incident.id))

    return {"report": report, "summary": report_views.summary(report),
            "plots": all_plots(report), "tables": tables(report, link)}


def public_page(data: SiteData, found: tuple[ComponentAvailability, ...]
                ) -> dict[str, bytes]:
    """A public build's files (the availability page alone), given what `evaluate` finds
    (a rebuild works it out from rows, with no incident)."""
    assert not data.internal  # the internal metrics page needs the incidents
    view = availability_view(data, found)
    return {PAGE: render_page(data, "report/availability.html", PAGE, view.s["title"],
                              availability=view)}


def produce(data: SiteData) -> dict[str, bytes]:
    ensure_view(data)
    view = availability_view(data)
    out = {PAGE: render_page(data, "report/availability.html", PAGE, view.s["title"],
                             availability=view)}
    if data.internal:
        out[METRICS_PAGE] = render_page(data, "report/metrics.html", METRICS_PAGE,
                                        "Incident metrics", **metrics_context(data))
    return out
