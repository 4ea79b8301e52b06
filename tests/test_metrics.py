from __future__ import annotations

from datetime import timedelta

import pytest

from metrics_fixtures import clock, config, incident, recorded, t
from warroom.clock import ClockState
from warroom.metrics import DEFINITIONS, all_metrics, incident_metrics, percentile
from warroom.metrics_aggregate import aggregate
from warroom.model import Incident
from warroom.recorded import Recorded

NOW = t("2026-12-05T12:00:00Z")
M = timedelta(minutes=1)


@pytest.mark.parametrize(("values", "p50", "p90", "p100"), [
    ([7], 7, 7, 7),
    ([3, 1, 2], 2, 3, 3),  # odd: rank ceil(1.5) = 2, ceil(2.7) = 3
    ([4, 1, 3, 2], 2, 4, 4),  # even: rank ceil(2.0) = 2, not the interpolated 2.5
    (list(range(1, 11)), 5, 9, 10),  # rank ceil(9.0) = 9
    (list(range(1, 12)), 6, 10, 11),  # rank ceil(9.9) = 10
])
def test_nearest_rank_percentiles(values: list[int], p50: int, p90: int, p100: int) -> None:
    assert (percentile(values, 50), percentile(values, 90), percentile(values, 100)) == (
        p50, p90, p100)


def test_percentile_of_nothing_is_none() -> None:
    assert percentile([], 50) is None


def _pair(ident: str, minutes: tuple[int, int, int, int, int, int], **extra: object
          ) -> tuple[Incident, Recorded]:
    """Impact at 10:00 (UTC, 2 Nov) then detected, declared, acknowledged, mitigated,
    resolved at the given minute offsets (impact start, detection stated; the rest recorded)."""
    base = t("2026-11-02T10:00:00Z")

    def at(k: int) -> str:
        return (base + minutes[k] * M).isoformat()

    inc = incident(ident, impact_started_at=at(0), detected_at=at(1),
                   roles={"commander": "@alice"}, **extra)
    rec = recorded(ident, at(2), acknowledged=at(3), monitoring=at(4), resolved=at(5))
    return inc, rec


def test_exact_per_incident_values_and_definitions() -> None:
    inc, rec = _pair("2026-11-02-api", (0, 5, 15, 20, 60, 120))
    found = incident_metrics(inc, rec, (), config(), NOW)
    assert found is not None
    assert found.durations == {"detect": 5 * M, "declare": 10 * M, "acknowledge": 5 * M,
                               "mitigate": 60 * M, "resolve": 120 * M}
    assert found.impact_minutes == 120.0  # no stated end: the resolving commit
    assert found.month == "2026-11"
    assert set(DEFINITIONS) == {*found.durations, "impact"}


def test_declare_falls_back_to_impact_start_and_is_absent_without_either() -> None:
    rec = recorded("2026-11-03-a", "2026-11-03T10:30:00Z")
    no_detect = incident("2026-11-03-a", impact_started_at="2026-11-03T10:00:00Z",
                         status="investigating")
    found = incident_metrics(no_detect, rec, (), config(), NOW)
    assert found is not None and found.durations["declare"] == 30 * M
    assert found.durations["detect"] is None
    neither = incident("2026-11-03-a", status="investigating")
    found = incident_metrics(neither, rec, (), config(), NOW)
    assert found is not None and found.durations["declare"] is None
    assert found.start == rec.declared.at  # impact start falls back to the declaration
    assert found.durations["resolve"] is None  # still open
    assert found.impact_minutes == (NOW - rec.declared.at).total_seconds() / 60


def test_stated_times_are_used_without_history() -> None:
    inc = incident("2026-11-04-old", impact_started_at="2026-11-04T10:00:00Z",
                   mitigated_at="2026-11-04T10:40:00Z", resolved_at="2026-11-04T11:00:00Z")
    found = incident_metrics(inc, None, (), config(), NOW)
    assert found is not None
    assert (found.durations["mitigate"], found.durations["resolve"]) == (40 * M, 60 * M)
    assert found.durations["acknowledge"] is None
    assert found.impact_minutes == 40.0  # impact stops at the stated mitigation


def test_month_is_the_site_time_zone_month_of_the_impact_start() -> None:
    # 23:30 UTC on 30 November is 00:30 on 1 December in Paris (the site's time zone).
    late = incident("2026-11-30-late", impact_started_at="2026-11-30T23:30:00Z",
                    resolved_at="2026-12-01T00:30:00Z")
    found = incident_metrics(late, None, (), config(), NOW)
    assert found is not None and found.month == "2026-12"
    # one crossing the October / November boundary in Paris counts in the month it started
    crossing = incident("2026-10-31-cross", impact_started_at="2026-10-31T22:00:00Z",
                        resolved_at="2026-11-01T02:00:00Z")
    found = incident_metrics(crossing, None, (), config(), NOW)
    assert found is not None and found.month == "2026-10" and found.impact_minutes == 240.0


def test_action_items_open_overdue_closed() -> None:
    items = [
        {"title": "Canary config pushes", "owner": "@a", "due": "2026-12-01", "status": "open"},
        {"title": "Alert on error rate", "owner": "@b", "due": "2026-12-05",
         "status": "in_progress"},  # due today (Paris): not overdue yet
        {"title": "Runbook", "owner": "@c", "due": "2026-11-10", "status": "done"},
        {"title": "Rewrite everything", "owner": "@d", "due": "2026-11-10", "status": "wont_do"},
    ]
    found = incident_metrics(incident("2026-11-05-x", impact_started_at="2026-11-05T10:00:00Z",
                                      resolved_at="2026-11-05T11:00:00Z", action_items=items),
                             None, (), config(), NOW)
    assert found is not None
    assert (found.actions_open, found.actions_overdue, found.actions_closed) == (2, 1, 2)


def _fleet() -> tuple[list[Incident], dict[str, Recorded]]:
    pairs = [
        _pair("2026-11-02-a", (0, 5, 15, 20, 60, 120), severity="SEV1"),
        _pair("2026-11-02-b", (0, 1, 3, 4, 10, 30), severity="SEV2",
              components=[{"id": "api", "impact": "major_outage"},
                          {"id": "checkout", "impact": "partial_outage"}]),
        _pair("2026-11-02-c", (0, 10, 40, 70, 100, 300), severity="SEV2", type="degradation",
              components=[{"id": "checkout", "impact": "degraded_performance"}]),
        _pair("2026-11-02-d", (0, 2, 4, 5, 20, 50), severity="SEV2"),
    ]
    drill = _pair("2026-11-02-drill", (0, 1, 2, 3, 4, 5), drill=True)
    incidents = [p[0] for p in pairs] + [drill[0]]
    canceled = incident("2026-11-03-noise", status="canceled",
                        impact_started_at="2026-11-03T10:00:00Z",
                        updates=[{"status": "investigating", "message": "Looking."},
                                 {"status": "canceled", "message": "False alarm."}])
    maintenance = incident(
        "2026-11-04-upgrade", type="maintenance", status="completed",
        components=[{"id": "api", "impact": "under_maintenance"}],
        window={"start": "2026-11-04T02:00:00Z", "end": "2026-11-04T03:00:00Z"},
        updates=[{"status": "scheduled", "message": "Planned."},
                 {"status": "completed", "message": "Done."}])
    incidents += [canceled, maintenance]
    records = {inc.id: rec for inc, rec in [*pairs, drill]}
    return incidents, records


def test_aggregates_with_even_and_odd_counts_exclude_drills_canceled_maintenance() -> None:
    incidents, records = _fleet()
    metrics = aggregate(all_metrics(incidents, records, {}, config(), NOW), config())
    assert metrics.excluded_counts() == {"drill": 1, "canceled": 1, "maintenance": 1}
    overall = metrics.overall
    assert overall.incidents == 4
    # resolve over 4 incidents: 30, 50, 120, 300 -> p50 rank 2, p90 rank 4
    resolve = overall.durations["resolve"]
    assert (resolve.count, resolve.p50, resolve.p90, resolve.max) == (
        4, 50 * M, 300 * M, 300 * M)
    severities = {g.key: g for g in metrics.groups["severity"]}
    assert [g.key for g in metrics.groups["severity"]] == ["SEV1", "SEV2"]
    # SEV2 has 3 (odd): resolve 30, 50, 300 -> p50 50 (rank 2), p90 300 (rank 3)
    sev2 = severities["SEV2"].durations["resolve"]
    assert (sev2.count, sev2.p50, sev2.p90, sev2.max) == (3, 50 * M, 300 * M, 300 * M)
    components = {g.key: g.incidents for g in metrics.groups["component"]}
    assert components == {"api": 3, "checkout": 2}
    assert [(g.key, g.incidents) for g in metrics.groups["type"]] == [
        ("outage", 3), ("degradation", 1)]
    assert [(g.key, g.incidents) for g in metrics.groups["month"]] == [("2026-11", 4)]
    assert overall.impact_total == 120 + 30 + 300 + 50
    assert overall.impact.p50 == 50.0


def test_sla_compliance_counts_and_shares() -> None:
    incidents, records = _fleet()
    clocks = {
        "2026-11-02-a": (clock("2026-11-02-a", "acknowledge", ClockState.MET),
                         clock("2026-11-02-a", "resolve", ClockState.BREACHED),
                         clock("2026-11-02-a", "postmortem", ClockState.MET)),
        "2026-11-02-b": (clock("2026-11-02-b", "acknowledge", ClockState.BREACHED),
                         clock("2026-11-02-b", "postmortem", ClockState.RUNNING)),
        "2026-11-02-c": (clock("2026-11-02-c", "acknowledge", ClockState.MET),
                         clock("2026-11-02-c", "postmortem", ClockState.BREACHED)),
        "2026-11-02-d": (clock("2026-11-02-d", "acknowledge", ClockState.MET),),
        "2026-11-02-drill": (clock("2026-11-02-drill", "acknowledge", ClockState.BREACHED),),
    }
    metrics = aggregate(all_metrics(incidents, records, clocks, config(), NOW), config())
    rows = {c.target: c for c in metrics.overall.compliance}
    assert list(rows) == ["acknowledge", "resolve", "postmortem"]  # TARGET_NAMES order
    ack = rows["acknowledge"]
    assert (ack.met, ack.breached, ack.open, ack.met_share, ack.breached_share) == (
        3, 1, 0, 0.75, 0.25)  # the drill's breach is not counted
    pm = rows["postmortem"]
    assert (pm.met, pm.breached, pm.open, pm.met_share) == (1, 1, 1, 0.5)
    assert metrics.overall.postmortems == {"on_time": 1, "late": 1, "pending": 1}


def test_docs_state_every_definition_the_code_prints() -> None:
    from conftest import ROOT
    from warroom.metrics import IMPACT_START

    docs = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    for label, definition in DEFINITIONS.values():
        assert f"| {label} | {definition} |" in docs
    assert IMPACT_START in docs


def test_an_incident_committed_after_it_was_over_is_measured_on_stated_times() -> None:
    inc = incident("2026-11-06-old", impact_started_at="2026-11-06T10:00:00Z",
                   detected_at="2026-11-06T10:10:00Z",
                   updates=[{"status": "investigating", "message": "Down.",
                             "at": "2026-11-06T10:20:00Z"},
                            {"status": "monitoring", "message": "Fixed.",
                             "at": "2026-11-06T10:50:00Z"},
                            {"status": "resolved", "message": "Over.",
                             "at": "2026-11-06T11:30:00Z"}])
    # imported weeks later, in one commit
    rec = recorded(inc.id, "2026-11-26T16:00:00Z", acknowledged="2026-11-26T16:00:00Z",
                   monitoring="2026-11-26T16:00:00Z", resolved="2026-11-26T16:00:00Z")
    met = (clock(inc.id, "resolve", ClockState.MET),)
    found = incident_metrics(inc, rec, met, config(), NOW)
    assert found is not None and found.backfilled
    assert found.clocks == () and found.postmortem == "none"  # not counted as met
    assert found.durations == {"detect": 10 * M, "declare": 10 * M, "acknowledge": None,
                               "mitigate": 50 * M, "resolve": 90 * M}
    assert found.impact_minutes == 90.0
    # committed while still open: recorded times stand, even if late
    live = recorded(inc.id, "2026-11-06T11:00:00Z", resolved="2026-11-06T12:00:00Z")
    found = incident_metrics(inc, live, (), config(), NOW)
    assert found is not None and not found.backfilled
    assert found.durations["resolve"] == 120 * M
