"""Hand-built incidents, recorded times and clocks for the metrics and report tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from conftest import MINIMAL_CONFIG
from warroom.clock import Clock, ClockState
from warroom.config import Config, build_config
from warroom.durations import parse_time
from warroom.model import Incident, build_incident
from warroom.recorded import Change, Recorded

SLO_CONFIG = MINIMAL_CONFIG.replace(
    "      - {id: api, name: API}\n",
    "      - {id: api, name: API, slo: {target: 99.9, window: 30d}}\n",
).replace(
    "      - {id: checkout, name: Checkout}\n",
    "      - {id: checkout, name: Checkout, slo: {target: 99.5, window: 7d, "
    "maintenance: counted}}\n",
) + "repeats: {window: 30d}\n"


def config(text: str = SLO_CONFIG, root: Path = Path(".")) -> Config:
    return build_config(yaml.safe_load(text), root, {})


def t(text: str) -> datetime:
    return parse_time(text)


def incident(ident: str, **fields: Any) -> Incident:
    """An incident from schema-shaped data; times are strings, as in a file."""
    data: dict[str, Any] = {
        "id": ident, "title": f"Incident {ident}", "type": "outage", "severity": "SEV2",
        "status": "resolved", "components": [{"id": "api", "impact": "major_outage"}],
        "updates": [{"status": "investigating", "message": "Looking."}],
    }
    data.update(fields)
    return build_incident(data, f"incidents/{ident[:4]}/{ident}.yaml")


def change(at: str, commit: str = "c" * 40) -> Change:
    return Change(t(at), commit, "Alice <alice@example.com>")


def recorded(ident: str, declared: str, **moments: str) -> Recorded:
    """Recorded times: declared, and any of acknowledged/identified/monitoring/resolved/..."""
    fields: dict[str, Any] = {k: change(v) for k, v in moments.items()}
    return Recorded(ident, f"incidents/{ident[:4]}/{ident}.yaml", change(declared), **fields)


def clock(ident: str, target: str, state: ClockState, start: str = "2026-11-02T10:00:00Z",
          allowed: timedelta = timedelta(hours=1), severity: str = "SEV2") -> Clock:
    begin = t(start)
    stopped = None if state in (ClockState.RUNNING, ClockState.AT_RISK) else begin
    return Clock(ident, target, begin, begin + allowed, stopped, timedelta(minutes=10),
                 allowed, state, severity)


MONTH_START = t("2026-11-01T00:00:00+01:00")  # November in the site's zone (Europe/Paris)
MONTH_END = t("2026-12-01T00:00:00+01:00")
REPORT_NOW = t("2026-12-01T12:00:00Z")
OPEN_ITEM = {"title": "Canary configuration pushes", "owner": "@carol", "due": "2026-11-20",
             "status": "open"}


def november() -> tuple[list[Incident], dict[str, Recorded], dict[str, tuple[Clock, ...]]]:
    """Two API incidents in November 2026 (the second repeats the first), a drill, and
    one from October that is outside the period."""
    first = incident(
        "2026-11-02-api-errors", title="API errors after a config push", severity="SEV1",
        causes=["config-change"], impact_started_at="2026-11-02T10:00:00Z",
        detected_at="2026-11-02T10:05:00Z", roles={"commander": "@alice"},
        action_items=[OPEN_ITEM, {"title": "Write the runbook", "owner": "@erin",
                                  "due": "2026-11-10", "status": "done"}])
    second = incident(
        "2026-11-20-api-slow", title="API partly down again", severity="SEV2",
        causes=["config-change"], impact_started_at="2026-11-20T08:00:00Z",
        detected_at="2026-11-20T08:10:00Z", roles={"commander": "@bob"},
        components=[{"id": "api", "impact": "partial_outage"}])
    drill = incident("2026-11-25-game-day", title="Game day", drill=True,
                     impact_started_at="2026-11-25T09:00:00Z",
                     resolved_at="2026-11-25T10:00:00Z")
    october = incident("2026-10-10-web", title="Website down", components=[
        {"id": "web", "impact": "major_outage"}], impact_started_at="2026-10-10T10:00:00Z",
        resolved_at="2026-10-10T11:00:00Z")
    records = {
        first.id: recorded(first.id, "2026-11-02T10:15:00Z", acknowledged="2026-11-02T10:20:00Z",
                           monitoring="2026-11-02T11:00:00Z", resolved="2026-11-02T12:00:00Z"),
        second.id: recorded(second.id, "2026-11-20T08:20:00Z",
                            acknowledged="2026-11-20T09:00:00Z",
                            monitoring="2026-11-20T09:15:00Z", resolved="2026-11-20T09:30:00Z"),
    }
    clocks = {
        first.id: (clock(first.id, "acknowledge", ClockState.MET, severity="SEV1"),
                   clock(first.id, "resolve", ClockState.MET, severity="SEV1"),
                   clock(first.id, "postmortem", ClockState.BREACHED, severity="SEV1")),
        second.id: (clock(second.id, "acknowledge", ClockState.BREACHED),
                    clock(second.id, "resolve", ClockState.MET),
                    clock(second.id, "postmortem", ClockState.RUNNING)),
    }
    return [first, second, drill, october], records, clocks
