"""The four report plots, from a Report: weekly incidents, time to resolve, budgets, SLA."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from warroom.metrics import percentile
from warroom.report.model import Report
from warroom.report.views import TARGET_LABELS
from warroom.svgplot import Plot, Series, lines, stacked_bars

MET, BREACHED = "#12b76a", "#b42318"


def incidents_per_week(report: Report, prefix: str = "plot") -> Plot:
    weeks = report.weeks()
    counted = [m for m in report.trend if m.excluded is None]
    tally: Counter[tuple[date, str]] = Counter()
    for m in counted:
        day = m.start.astimezone(report.tz).date()
        tally[(day - timedelta(days=day.weekday()), m.incident.severity)] += 1
    severities = [s.id for s in report.config.severities]
    series = [Series(sev, tuple(float(tally[(w, sev)]) for w in weeks)) for sev in severities]
    total = sum(tally[(w, s)] for w in weeks for s in severities)
    return stacked_bars(
        f"{prefix}-weekly", "Incidents per week by severity",
        f"{total} incident(s) in {len(weeks)} weeks from {weeks[0].isoformat()} (weeks start "
        f"on Monday, {report.config.site.timezone}); drills, canceled incidents and "
        f"maintenance are not counted.",
        [w.isoformat() for w in weeks], series, unit="incidents", first_column="Week of")


def resolve_by_month(report: Report, prefix: str = "plot") -> Plot:
    months = report.months()
    by_month: dict[str, list[timedelta]] = {m: [] for m in months}
    for m in report.trend:
        value = m.durations["resolve"]
        if m.excluded is None and value is not None and m.month in by_month:
            by_month[m.month].append(value)
    longest = max((v for vs in by_month.values() for v in vs), default=timedelta(0))
    hours = longest >= timedelta(hours=2)
    unit = 3600.0 if hours else 60.0

    def stat(values: list[timedelta], p: int) -> float | None:
        found = percentile(values, p)
        return None if found is None else found.total_seconds() / unit

    series = [Series(name, tuple(stat(by_month[m], p) for m in months))
              for name, p in (("p50", 50), ("p90", 90), ("max", 100))]
    counts = ", ".join(f"{m}: {len(by_month[m])}" for m in months if by_month[m]) or "none"
    return lines(
        f"{prefix}-resolve", "Time to resolve by month (p50, p90, max)",
        f"Time from impact start to resolution, nearest-rank percentiles per month of the "
        f"impact start, in {'hours' if hours else 'minutes'}. Resolved incidents per month: "
        f"{counts}. A gap is a month without a resolved incident.",
        months, series, unit="hours" if hours else "minutes", first_column="Month")


def budget_burn_down(report: Report, prefix: str = "plot") -> Plot:
    budgets = [(a.component.name, a.budget) for a in report.availability if a.budget]
    days = sorted({d for _, b in budgets if b for d, _ in b.burn_down})
    series = []
    for name, budget in budgets:
        assert budget is not None
        left = {d: float(r / budget.total * 100) if budget.total else 0.0
                for d, r in budget.burn_down}
        series.append(Series(name, tuple(left.get(d) for d in days)))
    described = "; ".join(
        f"{name} {float(b.remaining_share * 100):.0f}% left of {b.window}" for name, b in budgets
        if b is not None) or "no component declares an SLO"
    return lines(
        f"{prefix}-budget", "Error budget remaining per component",
        f"Share of each component's error budget left at the end of each UTC day of its "
        f"rolling SLO window ending {report.end.date().isoformat()}; below 0 the SLO is "
        f"missed. {described}.",
        [d.isoformat() for d in days], series, unit="% of budget left", first_column="Day",
        value_format="{}%")


def sla_compliance(report: Report, prefix: str = "plot") -> Plot:
    rows = report.metrics.overall.compliance
    labels = [TARGET_LABELS.get(c.target, c.target) for c in rows]
    series = [Series("met", tuple(float(c.met) for c in rows), MET),
              Series("breached", tuple(float(c.breached) for c in rows), BREACHED)]
    met = sum(c.met for c in rows)
    decided = sum(c.decided for c in rows)
    return stacked_bars(
        f"{prefix}-sla", "SLA compliance per target",
        f"Met and breached clocks per target for incidents of {report.label}: {met} of "
        f"{decided} decided clocks met. Running clocks are not shown.",
        labels, series, unit="clocks", first_column="Target")


def all_plots(report: Report, prefix: str = "plot") -> tuple[Plot, ...]:
    return (incidents_per_week(report, prefix), resolve_by_month(report, prefix),
            budget_burn_down(report, prefix), sla_compliance(report, prefix))
