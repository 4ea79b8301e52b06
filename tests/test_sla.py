from __future__ import annotations

from datetime import timedelta
from typing import Any

import yaml

from conftest import MINIMAL_CONFIG
from sla_support import T0, at, config, incident, recorded
from warroom.clock import Clock, ClockState
from warroom.sla import applied_severity, evaluate

M = timedelta(minutes=1)
H = timedelta(hours=1)
MET, BREACHED, RUNNING = ClockState.MET, ClockState.BREACHED, ClockState.RUNNING
AT_RISK, PAUSED = ClockState.AT_RISK, ClockState.PAUSED
ID = "2026-03-02-checkout"

RESOLVED_UPDATES = [
    {"status": "investigating", "message": "Looking."},
    {"status": "identified", "message": "Found it."},
    {"status": "monitoring", "message": "Fixed, watching."},
    {"status": "resolved", "message": "All good."},
]


def by_target(clocks: tuple[Clock, ...]) -> dict[str, Clock]:
    return {c.target: c for c in clocks}


def clock(target: str, start: float, allowed: timedelta, stopped: float | None,
          elapsed: timedelta, state: ClockState, severity: str = "SEV2",
          due: timedelta | None = None, note: str = "") -> Clock:
    return Clock(ID, target, at(start), at(start) + (due or allowed),
                 at(stopped) if stopped is not None else None, elapsed, allowed, state,
                 severity, note)


def test_a_resolved_incident_gets_exact_clocks() -> None:
    inc = incident(status="resolved", roles={"commander": "@alice"}, updates=RESOLVED_UPDATES)
    rec = recorded(acknowledged=10, identified=50, monitoring=130, resolved=200,
                   updates=[0, 50, 130, 200])
    clocks = evaluate(inc, rec, config(), at(300))
    assert clocks == (
        clock("acknowledge", 0, 30 * M, 10, 10 * M, MET),
        clock("first_update", 0, H, 50, 50 * M, MET),
        clock("update_every", 50, 2 * H, 130, 80 * M, MET,
              note="longest public silence"),
        clock("identify", 0, 2 * H, 50, 50 * M, MET),
        clock("mitigate", 0, 4 * H, 130, 130 * M, MET),
        clock("resolve", 0, 24 * H, 200, 200 * M, MET),
        clock("postmortem", 200, 10 * 24 * H, None, 100 * M, RUNNING),
    )


def test_an_open_incident_runs_against_now() -> None:
    inc = incident()
    clocks = by_target(evaluate(inc, recorded(updates=[0]), config(), at(25)))
    assert clocks["acknowledge"] == clock("acknowledge", 0, 30 * M, None, 25 * M, AT_RISK)
    assert clocks["identify"].state is RUNNING
    assert clocks["identify"].elapsed == 25 * M
    assert "postmortem" not in clocks
    late = by_target(evaluate(inc, recorded(updates=[0]), config(), at(31)))
    assert late["acknowledge"].state is BREACHED
    assert late["acknowledge"].stopped is None


def test_update_interval_breached_while_open() -> None:
    updates = [{"status": "investigating", "message": f"Update {i}."} for i in range(3)]
    inc = incident(severity="SEV1", updates=updates)
    # Silences: 0-20, 20-100 (80 minutes, over the hour), then 100-now.
    clocks = by_target(evaluate(inc, recorded(updates=[0, 20, 100]), config(), at(130)))
    assert clocks["update_every"] == clock(
        "update_every", 20, H, 100, 80 * M, BREACHED, "SEV1",
        note="longest public silence")


def test_the_current_silence_counts_for_an_open_incident() -> None:
    updates = [{"status": "investigating", "message": f"Update {i}."} for i in range(2)]
    inc = incident(severity="SEV1", updates=updates)
    rec = recorded(updates=[0, 20])
    note = "current public silence"
    assert by_target(evaluate(inc, rec, config(), at(70)))["update_every"] == clock(
        "update_every", 20, H, None, 50 * M, AT_RISK, "SEV1", note=note)
    assert by_target(evaluate(inc, rec, config(), at(90)))["update_every"] == clock(
        "update_every", 20, H, None, 70 * M, BREACHED, "SEV1", note=note)


def test_internal_updates_do_not_break_a_silence() -> None:
    updates = [{"status": "investigating", "message": "Public."},
               {"status": "investigating", "message": "Team only.", "visibility": "internal"}]
    inc = incident(severity="SEV1", updates=updates)
    clocks = by_target(evaluate(inc, recorded(updates=[0, 20]), config(), at(50)))
    assert clocks["first_update"].stopped is None
    assert clocks["update_every"].start == T0


def test_a_severity_raised_midway_applies_from_the_start_and_lowering_does_not_relax() -> None:
    inc = incident(roles={"commander": "@alice"})
    rec = recorded(acknowledged=20, updates=[0],
                   severity_changes=[(60, "SEV3", "SEV1"), (120, "SEV1", "SEV2")])
    assert applied_severity(inc, rec, config()).id == "SEV1"  # type: ignore[union-attr]
    clocks = by_target(evaluate(inc, rec, config(), at(130)))
    assert clocks["acknowledge"] == clock("acknowledge", 0, 15 * M, 20, 20 * M, BREACHED,
                                          "SEV1")
    assert clocks["resolve"].allowed == 8 * H


def test_a_pause_limited_to_one_target_stops_only_that_clock() -> None:
    pauses = [{"start": at(10).isoformat(), "reason": "waiting-on-vendor",
               "targets": ["resolve"]}]
    inc = incident(pauses=pauses)
    clocks = by_target(evaluate(inc, recorded(updates=[0]), config(), at(100)))
    # An open pause counts as ending now: due is the earliest it can be if work resumes.
    assert clocks["resolve"] == clock("resolve", 0, 24 * H, None, 10 * M, PAUSED,
                                      due=24 * H + 90 * M)
    assert clocks["identify"].elapsed == 100 * M
    ended = [{**pauses[0], "end": at(70).isoformat()}]
    clocks = by_target(evaluate(incident(pauses=ended), recorded(updates=[0]), config(), at(100)))
    assert clocks["resolve"] == clock("resolve", 0, 24 * H, None, 40 * M, RUNNING,
                                      due=25 * H)


def test_a_breach_outranks_a_pause() -> None:
    pauses = [{"start": at(40).isoformat(), "reason": "other"}]
    clocks = by_target(evaluate(incident(pauses=pauses), recorded(updates=[0]), config(),
                                at(100)))
    assert clocks["acknowledge"].state is BREACHED
    assert clocks["identify"].state is PAUSED


def _with_targets(**targets: Any) -> Any:
    data = yaml.safe_load(MINIMAL_CONFIG)
    data["severities"][1]["targets"].update(targets)
    return data


def test_stop_on_stated_uses_the_stated_time_but_never_later_than_the_record() -> None:
    sev = _with_targets(mitigate={"within": "4h", "stop_on": "stated"})
    inc = incident(status="resolved", updates=RESOLVED_UPDATES,
                   mitigated_at=at(100).isoformat())
    rec = recorded(identified=50, monitoring=300, resolved=320, updates=[0, 50, 300, 320])
    cfg = config(severities=sev["severities"])
    assert by_target(evaluate(inc, rec, cfg, at(400)))["mitigate"].elapsed == 100 * M
    assert by_target(evaluate(inc, rec, config(), at(400)))["mitigate"].state is BREACHED
    late = incident(status="resolved", updates=RESOLVED_UPDATES, mitigated_at=at(350).isoformat())
    assert by_target(evaluate(late, rec, cfg, at(400)))["mitigate"].stopped == at(300)


def test_a_business_hours_target_skips_the_night() -> None:
    calendars = {"office": {"timezone": "UTC",
                            "hours": {d: ["09:00-17:00"] for d in ("mon", "tue", "wed")}}}
    sev = _with_targets(resolve={"within": "10h", "calendar": "office"})
    cfg = config(severities=sev["severities"], calendars=calendars)
    clocks = by_target(evaluate(incident(), recorded(updates=[0]), cfg, at(25 * 60)))
    # Declared Monday 09:00; 8 working hours on Monday, 1 on Tuesday by 10:00.
    assert clocks["resolve"] == clock("resolve", 0, 10 * H, None, 9 * H, AT_RISK,
                                      due=26 * H)


def test_a_canceled_incident_stops_every_clock_at_the_cancel() -> None:
    updates = [{"status": "investigating", "message": "Looking."},
               {"status": "canceled", "message": "False alarm."}]
    inc = incident(status="canceled", updates=updates)
    clocks = by_target(evaluate(inc, recorded(resolved=45, updates=[0, 45]), config(),
                                at(600)))
    assert clocks["acknowledge"] == clock("acknowledge", 0, 30 * M, 45, 45 * M, BREACHED)
    assert clocks["resolve"] == clock("resolve", 0, 24 * H, 45, 45 * M, MET)
    assert "postmortem" not in clocks


def test_a_squashed_incident_meets_everything_at_once() -> None:
    inc = incident(status="resolved", roles={"commander": "@alice"}, updates=RESOLVED_UPDATES,
                   postmortem={"status": "published", "body": "What happened."})
    rec = recorded(acknowledged=0, identified=0, monitoring=0, resolved=0,
                   postmortem_published=0, updates=[0, 0, 0, 0])
    clocks = evaluate(inc, rec, config(), at(600))
    assert {(c.target, c.state, c.elapsed) for c in clocks} == {
        (name, MET, timedelta(0)) for name in
        ("acknowledge", "first_update", "update_every", "identify", "mitigate", "resolve",
         "postmortem")}


def test_postmortem_clock_only_for_listed_severities() -> None:
    inc = incident(status="resolved", updates=RESOLVED_UPDATES)
    rec = recorded(identified=5, monitoring=6, resolved=7, updates=[0, 5, 6, 7])
    only_sev1 = config(sla={"postmortem_for": ["SEV1"]})
    assert "postmortem" not in by_target(evaluate(inc, rec, only_sev1, at(60)))
    pm = by_target(evaluate(inc, rec, config(), at(7 + 11 * 24 * 60)))["postmortem"]
    assert (pm.state, pm.due) == (BREACHED, at(7) + 10 * 24 * H)


def test_maintenance_and_drills_have_no_clocks() -> None:
    window = {"start": at(60).isoformat(), "end": at(120).isoformat()}
    maint = incident(type="maintenance", status="scheduled", window=window,
                     updates=[{"status": "scheduled", "message": "Planned."}])
    drill = incident(drill=True)
    assert evaluate(maint, recorded(updates=[0]), config(), at(600)) == ()
    assert evaluate(drill, recorded(updates=[0]), config(), at(600)) == ()


def test_an_unknown_severity_gives_no_response_clocks() -> None:
    assert evaluate(incident(severity="SEV9"), recorded(updates=[0]), config(), at(5)) == ()


def test_used_share_and_never_negative_elapsed() -> None:
    # A stated mitigation before the declaration stops the clock at zero, not below.
    # (A stated *resolution* before it would make the incident one recorded after the fact,
    # which has no response clocks at all: tests/test_sla_backfilled.py.)
    sev = _with_targets(mitigate={"within": "24h", "stop_on": "stated"})
    inc = incident(status="resolved", updates=RESOLVED_UPDATES, mitigated_at=at(-30).isoformat())
    rec = recorded(identified=5, monitoring=6, resolved=7, updates=[0, 5, 6, 7])
    mitigate = by_target(evaluate(inc, rec, config(severities=sev["severities"]), at(60)))
    assert mitigate["mitigate"].elapsed == timedelta(0)
    assert mitigate["mitigate"].used == 0.0
