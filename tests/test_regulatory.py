from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sla_support import config, incident
from warroom.clock import Clock, ClockState
from warroom.regulatory import regulatory_clocks

AWARE = datetime.fromisoformat("2026-01-30T10:00:00+01:00")
H = timedelta(hours=1)
ID = "2026-03-02-checkout"


def security(regimes: list[str], reports: list[dict[str, Any]] | None = None,
             **reg: Any) -> Any:
    block = {"personal_data": "yes", "aware_at": AWARE.isoformat(), "decided_by": "@dpo",
             "regimes": regimes, "reports": reports or [], **reg}
    return incident(type="security", regulatory=block)


def iso(moment: datetime) -> str:
    return moment.isoformat()


def clocks(inc: Any, now: datetime) -> dict[str, Clock]:
    return {c.target: c for c in regulatory_clocks(inc, config(), now)}


def test_gdpr_notification_is_due_72_hours_after_awareness() -> None:
    running = clocks(security(["gdpr"]), AWARE + 24 * H)
    assert running == {"gdpr:notification": Clock(
        ID, "gdpr:notification", AWARE, AWARE + 72 * H, None, 24 * H, 72 * H,
        ClockState.RUNNING, "SEV2", "GDPR art. 33: Notification to the supervisory authority")}
    assert clocks(security(["gdpr"]), AWARE + 60 * H)["gdpr:notification"].state \
        is ClockState.AT_RISK
    assert clocks(security(["gdpr"]), AWARE + 73 * H)["gdpr:notification"].state \
        is ClockState.BREACHED
    filed = security(["gdpr"], [{"regime": "gdpr", "kind": "notification",
                                 "submitted_at": iso(AWARE + 70 * H)}])
    done = clocks(filed, AWARE + 200 * H)["gdpr:notification"]
    assert (done.state, done.stopped, done.elapsed) == (ClockState.MET, AWARE + 70 * H, 70 * H)


def test_nis2_chain_ends_one_calendar_month_after_the_notification() -> None:
    reports = [{"regime": "nis2", "kind": "early_warning", "submitted_at": iso(AWARE + 20 * H)},
               {"regime": "nis2", "kind": "notification", "submitted_at": iso(AWARE + 80 * H)}]
    got = clocks(security(["nis2"], reports), AWARE + 100 * H)
    assert [(k, c.due, c.state) for k, c in got.items()] == [
        ("nis2:early_warning", AWARE + 24 * H, ClockState.MET),
        ("nis2:notification", AWARE + 72 * H, ClockState.BREACHED),
        # Submitted 2026-02-02T18:00+01:00; one month later is 2026-03-02T18:00+01:00.
        ("nis2:final_report", datetime.fromisoformat("2026-03-02T18:00:00+01:00"),
         ClockState.RUNNING),
    ]
    assert got["nis2:final_report"].start == AWARE + 80 * H


def test_a_chained_report_waits_for_the_one_before_it() -> None:
    assert list(clocks(security(["nis2"]), AWARE + H)) == ["nis2:early_warning",
                                                          "nis2:notification"]


def test_dora_initial_is_the_earlier_of_4h_after_classification_and_24h_after_awareness() -> None:
    early = clocks(security(["dora"], classified_at=iso(AWARE + 2 * H)), AWARE + 5 * H)
    assert (early["dora:initial"].start, early["dora:initial"].due) == (AWARE + 2 * H,
                                                                       AWARE + 6 * H)
    assert early["dora:initial"].state is ClockState.AT_RISK
    late = clocks(security(["dora"], classified_at=iso(AWARE + 22 * H)), AWARE + 3 * H)
    assert (late["dora:initial"].start, late["dora:initial"].due) == (AWARE, AWARE + 24 * H)
    unclassified = clocks(security(["dora"]), AWARE + 3 * H)
    assert unclassified["dora:initial"].due == AWARE + 24 * H


def test_dora_intermediate_and_final_chain_on_submissions() -> None:
    reports = [{"regime": "dora", "kind": "initial", "submitted_at": iso(AWARE + 3 * H)},
               {"regime": "dora", "kind": "intermediate", "submitted_at": iso(AWARE + 50 * H)}]
    got = clocks(security(["dora"], reports, classified_at=iso(AWARE + H)), AWARE + 60 * H)
    assert got["dora:intermediate"].due == AWARE + 75 * H
    assert got["dora:intermediate"].state is ClockState.MET
    # Intermediate submitted 2026-02-01T12:00+01:00: final due 2026-03-01T12:00+01:00.
    assert got["dora:final"].due == datetime.fromisoformat("2026-03-01T12:00:00+01:00")


def test_no_clock_without_awareness_for_unlisted_regimes_or_drills() -> None:
    assert clocks(security(["gdpr"], aware_at=None), AWARE + H) == {}
    assert clocks(security([]), AWARE + H) == {}
    block = {"personal_data": "yes", "aware_at": iso(AWARE), "decided_by": "@dpo",
             "regimes": ["gdpr"]}
    assert regulatory_clocks(incident(type="security", drill=True, regulatory=block),
                             config(), AWARE + H) == []


def test_a_configured_regime_replaces_the_default() -> None:
    custom = {"gdpr": {"name": "GDPR (strict)", "reports": [
        {"kind": "notification", "due": [{"after": "48h", "from": "aware"}]}]}}
    got = {c.target: c for c in regulatory_clocks(security(["gdpr"]), config(regimes=custom),
                                                  AWARE + H)}
    assert got["gdpr:notification"].due == AWARE + 48 * H
    assert got["gdpr:notification"].note == "GDPR (strict): notification"
