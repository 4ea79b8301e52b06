from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from metrics_fixtures import config, incident, recorded, t
from warroom.availability import ComponentAvailability, Impact, evaluate, weighted_downtime
from warroom.model import Incident

NOW = t("2026-11-20T12:00:00Z")


def by_id(results: tuple[ComponentAvailability, ...]) -> dict[str, ComponentAvailability]:
    return {r.component.id: r for r in results}


def test_overlapping_impacts_count_once_at_the_worst_weight() -> None:
    impacts = [
        Impact("a", t("2026-11-01T10:00:00Z"), t("2026-11-01T11:00:00Z"), Fraction(1, 2), False),
        Impact("b", t("2026-11-01T10:30:00Z"), t("2026-11-01T10:40:00Z"), Fraction(1), False),
    ]
    # 50 min at 0.5 + 10 min at 1.0 = 35 min
    assert weighted_downtime(impacts, t("2026-11-01T00:00:00Z"),
                             t("2026-11-02T00:00:00Z")) == 35 * 60


def test_component_without_incidents_is_fully_available() -> None:
    web = by_id(evaluate(config(), [], {}, NOW))["web"]
    assert all(d.availability == 1 for d in web.days)
    assert web.window.percent == 100.0
    assert web.budget is None
    api = by_id(evaluate(config(), [], {}, NOW))["api"]
    assert api.budget.remaining == api.budget.total == Fraction(2592)
    assert api.budget.met


def _outage(start: str, end: str, ident: str = "2026-11-10-api-down", **extra: object) -> Incident:
    return incident(ident, impact_started_at=start, resolved_at=end, **extra)


def test_slo_exactly_met_then_missed_by_one_second() -> None:
    # 99.9% of 30 days allows 0.001 x 2,592,000 s = 2,592 s = 43 min 12 s.
    exact = _outage("2026-11-10T10:00:00Z", "2026-11-10T10:43:12Z")
    api = by_id(evaluate(config(), [exact], {}, NOW))["api"]
    budget = api.budget
    assert budget.spent == 2592 and budget.remaining == 0
    assert budget.period.availability == Fraction(999, 1000)
    assert budget.met
    over = _outage("2026-11-10T10:00:00Z", "2026-11-10T10:43:13Z")
    budget = by_id(evaluate(config(), [over], {}, NOW))["api"].budget
    assert budget.remaining == -1 and not budget.met


def test_incident_crossing_a_month_boundary_is_split_between_months_and_days() -> None:
    inc = _outage("2026-10-31T23:00:00Z", "2026-11-01T01:00:00Z", "2026-10-31-night")
    api = by_id(evaluate(config(), [inc], {}, NOW))["api"]
    months = {m.label: m.downtime for m in api.months}
    assert months["2026-10"] == 3600 and months["2026-11"] == 3600
    days = {d.label: d.downtime for d in api.days}
    assert days["2026-10-31"] == 3600 and days["2026-11-01"] == 3600
    october = next(m for m in api.months if m.label == "2026-10")
    assert october.availability == 1 - Fraction(3600, 31 * 86400)


def test_days_are_utc_whatever_offset_the_file_uses() -> None:
    # 00:30 in Paris on 1 November is 23:30 UTC on 31 October.
    inc = _outage("2026-11-01T00:30:00+01:00", "2026-11-01T00:50:00+01:00", "2026-11-01-tz")
    days = {d.label: d.downtime for d in by_id(evaluate(config(), [inc], {}, NOW))["api"].days}
    assert days["2026-10-31"] == 20 * 60 and days["2026-11-01"] == 0


def test_weights_drills_canceled_and_open_incidents() -> None:
    partial = incident("2026-11-18-partial", impact_started_at="2026-11-18T10:00:00Z",
                       resolved_at="2026-11-18T12:00:00Z",
                       components=[{"id": "api", "impact": "partial_outage"}])
    degraded = incident("2026-11-18-slow", impact_started_at="2026-11-18T13:00:00Z",
                        resolved_at="2026-11-18T14:00:00Z",
                        components=[{"id": "api", "impact": "degraded_performance"}])
    drill = _outage("2026-11-17T10:00:00Z", "2026-11-17T12:00:00Z", "2026-11-17-drill",
                    drill=True)
    canceled = incident("2026-11-16-false", status="canceled",
                        impact_started_at="2026-11-16T10:00:00Z",
                        updates=[{"status": "investigating", "message": "Looking."},
                                 {"status": "canceled", "message": "False alarm."}])
    still_open = incident("2026-11-20-open", status="investigating",
                          impact_started_at="2026-11-20T11:00:00Z")
    api = by_id(evaluate(config(), [partial, degraded, drill, canceled, still_open], {},
                         NOW))["api"]
    days = {d.label: d.downtime for d in api.days}
    assert days["2026-11-18"] == 3600  # 2 h at 0.5; degraded weighs 0
    assert days["2026-11-17"] == 0 and days["2026-11-16"] == 0
    today = api.days[-1]
    assert today.label == "2026-11-20" and today.downtime == 3600  # open until now
    assert today.end == NOW and today.availability == 1 - Fraction(3600, 12 * 3600)


def test_impact_start_falls_back_to_the_declaring_commit() -> None:
    inc = incident("2026-11-19-noted", resolved_at="2026-11-19T10:30:00Z")
    rec = {inc.id: recorded(inc.id, "2026-11-19T10:00:00Z")}
    api = by_id(evaluate(config(), [inc], rec, NOW))["api"]
    assert {d.label: d.downtime for d in api.days}["2026-11-19"] == 1800


def test_maintenance_counted_or_excluded_per_component() -> None:
    work = incident(
        "2026-11-15-upgrade", type="maintenance", status="completed",
        components=[{"id": "api", "impact": "under_maintenance"},
                    {"id": "checkout", "impact": "under_maintenance"}],
        window={"start": "2026-11-15T02:00:00Z", "end": "2026-11-15T03:00:00Z"},
        updates=[{"status": "scheduled", "message": "Planned."},
                 {"status": "completed", "message": "Done."}])
    found = by_id(evaluate(config(), [work], {}, NOW))
    assert found["api"].window.downtime == 0
    checkout = found["checkout"]
    assert checkout.maintenance_counted
    assert checkout.window.downtime == 3600
    # 99.5% over 7 days allows 3,024 s; an hour of counted maintenance overspends it.
    assert checkout.budget.total == 3024 and not checkout.budget.met


def test_burn_rates_and_burn_down() -> None:
    inc = _outage("2026-11-20T06:00:00Z", "2026-11-20T06:14:24Z")  # 864 s today
    budget = by_id(evaluate(config(), [inc], {}, NOW))["api"].budget
    rates = dict(budget.burn_rates)
    # last day: 864 s of 86,400 s is 1% down, against 0.1% allowed: burning 10x.
    assert rates["1d"] == 10.0
    assert rates["7d"] == 864 / (7 * 86400) / 0.001
    assert rates["30d"] == 864 / 2592
    assert budget.burn_down[0][1] == budget.total
    assert budget.burn_down[-1] == (date(2026, 11, 20), budget.total - 864)
    assert len(budget.burn_down) == 31  # a partial first day, 29 whole days, today so far


def test_span_is_measured_exactly() -> None:
    inc = _outage("2026-11-10T10:00:00Z", "2026-11-10T11:00:00Z")
    span = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 11, tzinfo=UTC))
    api = by_id(evaluate(config(), [inc], {}, NOW, span=span))["api"]
    assert api.span.downtime == 3600
    assert api.span.length == 10 * 86400
    # the budget is evaluated at the end of the span, not at now
    assert api.budget.period.end == span[1]
    assert api.budget.period.start == span[1] - timedelta(days=30)


def _site(audience: str) -> dict[str, bytes]:
    import dataclasses

    from metrics_fixtures import november
    from warroom.site.availability import produce
    from warroom.site.data import SiteData
    from warroom.status import audience_view

    incidents, records, clocks = november()
    secret = incident("2026-11-12-zebrafinch", visibility="internal",
                      title="Zebrafinch secret outage", impact_started_at="2026-11-12T10:00:00Z",
                      resolved_at="2026-11-12T11:00:00Z")
    cfg = config()
    cfg = dataclasses.replace(cfg, groups=tuple(
        dataclasses.replace(g, components=(*g.components, dataclasses.replace(
            g.components[0], id="vault", name="Quokkavault", internal=True, slo=None)))
        for g in cfg.groups))
    shown = audience_view([*incidents, secret], cfg, audience)
    data = SiteData(cfg, shown, records, t("2026-12-01T12:00:00Z"), "", audience,
                    clocks=clocks if audience == "internal" else {})
    return produce(data)


def test_public_availability_page_has_no_sla_figures_nor_internal_things() -> None:
    import html5lib

    out = _site("public")
    assert sorted(out) == ["availability/index.html"]
    page = out["availability/index.html"].decode()
    html5lib.HTMLParser(strict=True).parse(page)
    for word in ("Objective", "budget", "SLA", "Zebrafinch", "Quokkavault", ">met<", "missed"):
        assert word not in page, word
    # November for the API: 2 h major + 1 h 30 at half weight (public incidents only)
    assert "<td class=\"num\">99.618%</td>" in page


def test_internal_build_adds_objectives_and_the_metrics_page() -> None:
    import html5lib

    out = _site("internal")
    assert sorted(out) == ["availability/index.html", "internal/metrics/index.html"]
    page = out["availability/index.html"].decode()
    assert "Objective" in page and "Quokkavault" in page and "missed" in page
    # internal incidents count here: 2 h + 1 h 30 at half weight + 1 h = 3 h 45 down,
    # against 43 min 12 s allowed
    assert "overspent by 3\u00a0h 1\u00a0min (-421%)" in page
    metrics = out["internal/metrics/index.html"].decode()
    html5lib.HTMLParser(strict=True).parse(metrics)
    assert metrics.count('role="img"') == 4 and "SLA compliance per target" in metrics
    assert "Canary configuration pushes" in metrics  # the repeat names the open item
    # incidents link to their pages in this build, internal ones included
    assert '<a href="../../incidents/2026-11-12-zebrafinch/">' in metrics


BASE = t("2026-11-01T00:00:00Z")
WEIGHTS = (Fraction(0), Fraction(1, 2), Fraction(1))
spans = st.lists(st.tuples(st.integers(0, 120), st.integers(0, 60), st.sampled_from(WEIGHTS)),
                 max_size=8)


@settings(max_examples=200, deadline=None)
@given(spans, st.integers(0, 180), st.integers(0, 180))
def test_timeline_equals_the_minute_by_minute_worst_weight(
        found: list[tuple[int, int, Fraction]], lo: int, hi: int) -> None:
    impacts = [Impact(str(i), BASE + timedelta(minutes=a), BASE + timedelta(minutes=a + n), w,
                      False) for i, (a, n, w) in enumerate(found)]
    start, end = BASE + timedelta(minutes=min(lo, hi)), BASE + timedelta(minutes=max(lo, hi))
    expected = sum(
        (max((w for a, n, w in found if a <= minute < a + n), default=Fraction(0))
         for minute in range(min(lo, hi), max(lo, hi))), Fraction(0)) * 60
    assert weighted_downtime(impacts, start, end) == expected


ZONES = (UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-9, minutes=-30)))
fresh_spans = st.lists(st.tuples(st.integers(0, 120), st.integers(0, 60),
                                 st.sampled_from(("0", "0.3", "3/10", "1/2", "0.5", "1")),
                                 st.sampled_from(ZONES)), max_size=8)


@settings(max_examples=200, deadline=None)
@given(fresh_spans, st.integers(0, 180), st.integers(0, 180))
def test_timeline_with_equal_weights_made_apart_and_times_in_any_offset(
        found: list[tuple[int, int, str, timezone]], lo: int, hi: int) -> None:
    """The timeline ranks weights by value (3/10 and 0.3 are one weight even as two objects)
    and counts in exact microseconds whatever the offset a time is stated in."""
    impacts = [Impact(str(i), (BASE + timedelta(minutes=a)).astimezone(zone),
                      (BASE + timedelta(minutes=a + n)).astimezone(zone), Fraction(w), False)
               for i, (a, n, w, zone) in enumerate(found)]
    start, end = BASE + timedelta(minutes=min(lo, hi)), BASE + timedelta(minutes=max(lo, hi))
    expected = sum(
        (max((Fraction(w) for a, n, w, _ in found if a <= minute < a + n), default=Fraction(0))
         for minute in range(min(lo, hi), max(lo, hi))), Fraction(0)) * 60
    assert weighted_downtime(impacts, start, end) == expected


def test_history_before_every_period_asked_about_is_skipped_without_changing_a_number() -> None:
    """evaluate builds impacts only from the earliest period it reports (12 months, 90 days,
    the SLO window, a span); the results equal measuring with every impact ever."""
    from warroom.availability import all_impacts, component_availability

    cfg = config()
    found = [
        _outage("2019-03-01T10:00:00Z", "2019-03-01T11:00:00Z", "2019-03-01-old"),
        # ends exactly where twelve months before November 2026 begin, and just after
        _outage("2025-11-30T20:00:00Z", "2025-12-01T00:00:00Z", "2025-11-30-edge"),
        _outage("2025-11-30T21:00:00Z", "2025-12-01T00:00:01Z", "2025-11-30-over"),
        _outage("2026-01-15T00:00:00Z", "2026-11-02T00:00:00Z", "2026-01-15-long"),
        _outage("2026-11-10T10:00:00Z", "2026-11-10T10:43:12Z"),
    ]
    counted = frozenset(c.id for c in cfg.components.values()
                        if c.slo and c.slo.maintenance == "counted")
    every = all_impacts(found, {}, cfg, NOW, maintenance_counted=counted)
    for span in (None, (t("2019-01-01T00:00:00Z"), t("2019-06-01T00:00:00Z")),
                 (t("2026-10-01T00:00:00Z"), t("2026-11-01T00:00:00Z"))):
        for days, months in ((90, 12), (7, 1)):
            expected = tuple(component_availability(cfg, c, every.get(c.id, []), NOW,
                                                    days=days, span=span, months=months)
                             for c in cfg.components.values())
            assert evaluate(cfg, found, {}, NOW, days=days, months=months,
                            span=span) == expected
